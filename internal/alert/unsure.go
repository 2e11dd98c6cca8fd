package alert

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
)

// unsureError marks a failed attempt that the receiver may nevertheless
// have taken: the request left, and no answer came back (a timeout on our
// side, a connection cut mid-answer). Its retry must look first.
type unsureError struct{ err error }

func (e *unsureError) Error() string { return e.err.Error() }
func (e *unsureError) Unwrap() error { return e.err }

// unsure marks err as one after which the message may have landed.
func unsure(err error) error {
	if err == nil || mayHaveLanded(err) {
		return err
	}
	return &unsureError{err: err}
}

// mayHaveLanded reports whether err was marked by unsure.
func mayHaveLanded(err error) bool {
	_, ok := errors.AsType[*unsureError](err)
	return ok
}

// cutShort reports whether a transport error happened after the request may
// have reached the server: a timeout or a connection lost while waiting for
// the answer. Failing to connect at all (refused, unreachable, a dial
// timeout) means the request never left, and no lookup is needed.
func cutShort(err error) bool {
	if opErr, ok := errors.AsType[*net.OpError](err); ok && opErr.Op == "dial" {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// Unsure marks err as an attempt the receiver may have taken (the request
// left and no answer came): the sender keeps the delivery in flight, for
// adapters outside this package.
func Unsure(err error) error { return unsure(err) }

// CutShort reports whether a transport error happened after the request may
// have reached the server (see cutShort): an adapter outside this package
// that wraps the error away marks it Unsure when this holds.
func CutShort(err error) bool { return cutShort(err) }
