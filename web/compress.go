package web

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// minCompress is the smallest body worth compressing: below it gzip's
// framing costs more than it saves.
const minCompress = 1 << 10

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

// writeBody sends a fully rendered body, gzip-compressed when the client
// accepts it and the body is large enough. The overview of 1,000 checks is
// 1.5 MB of HTML and about 25 kB compressed, which matters over a VPN or a
// phone connection. Streams (/events) never come through here.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body *bytes.Buffer) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	if body.Len() < minCompress || !acceptsGzip(r) {
		w.WriteHeader(status)
		_, _ = body.WriteTo(w)
		return
	}
	var out bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(&out)
	_, _ = body.WriteTo(zw)
	_ = zw.Close()
	gzipPool.Put(zw)
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = out.WriteTo(w)
}

// acceptsGzip reports whether Accept-Encoding lists gzip with a weight
// above zero (RFC 9110 §12.5.3; a missing weight is 1).
func acceptsGzip(r *http.Request) bool {
	if r == nil {
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimSpace(params), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			return true
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		return err != nil || q > 0
	}
	return false
}
