package webhook

import (
	"crypto/hmac"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ReplayWindow is how far a signature's time may be from the receiver's
// clock: a receiver refuses older (replayed) and far-future requests.
const ReplayWindow = 5 * time.Minute

// Verify checks a signature header as a receiver does: the HMAC over the
// timestamp and the body, and the timestamp within ReplayWindow of now.
// Receivers in Go can call it; README shows the same in shell.
func Verify(secret, header string, body []byte, now time.Time) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("webhook signature: malformed header")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > ReplayWindow || d < -ReplayWindow {
		return errors.New("webhook signature: timestamp outside the replay window")
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return errors.New("webhook signature: mismatch")
	}
	return nil
}
