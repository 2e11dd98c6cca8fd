package alert

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/authmon/monitor/internal/redact"
)

// maxAnswer bounds how much of a receiver's answer is read and quoted.
const maxAnswer = 4 << 10

// HTTPAnswer is a receiver's answer to PostHTTP.
type HTTPAnswer struct {
	Status int
	Body   []byte // at most 4 KiB
}

// PostHTTP sends body to url with the given headers and classifies the
// outcome for the sender, the way every HTTP channel needs it: 2xx is
// delivered; 429 and 503 with Retry-After ask to wait; 408, 425, 429 and 5xx
// are retried; any other status is Permanent; a transport error after the
// request may have left (timeout, cut connection) is marked unsure. Every
// error text goes through red, and none wraps the transport error (it
// holds the URL, which may be a secret).
func PostHTTP(ctx context.Context, hc *http.Client, red *redact.Redactor, name, url string,
	header http.Header, body []byte) (HTTPAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return HTTPAnswer{}, Permanent(&redactedError{msg: name + ": " + red.String(err.Error())})
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := hc.Do(req)
	if err != nil {
		clean := &redactedError{msg: name + ": " + red.String(err.Error())}
		if cutShort(err) {
			return HTTPAnswer{}, unsure(clean)
		}
		return HTTPAnswer{}, clean
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	ans := HTTPAnswer{Status: resp.StatusCode, Body: b}
	if err != nil && resp.StatusCode/100 == 2 {
		// Accepted, then cut while answering: it may well have landed.
		return ans, unsure(&redactedError{msg: name + ": reading the answer: " + red.String(err.Error())})
	}
	return ans, classifyStatus(name, red, resp, b)
}

// classifyStatus turns a non-2xx answer into the sender's kind of error.
func classifyStatus(name string, red *redact.Redactor, resp *http.Response, body []byte) error {
	code := resp.StatusCode
	if code/100 == 2 {
		return nil
	}
	clean := &redactedError{msg: fmt.Sprintf("%s: %s: %s", name, resp.Status, red.String(string(bytes.TrimSpace(body))))}
	if wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && (code == 429 || code == 503) {
		return &RetryAfterError{Wait: wait, Err: clean}
	}
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly, code == http.StatusTooManyRequests, code >= 500:
		return clean
	}
	return Permanent(clean)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
