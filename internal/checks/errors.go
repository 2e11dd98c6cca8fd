package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// describeError turns a transport failure into plain words a person can act
// on. The URL is left out: it is already part of the evidence.
func describeError(err error, timeout time.Duration, maxBody int64) string {
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	if inner, ok := proxyFailure(err); ok {
		return "proxy: " + describeError(inner, timeout, maxBody)
	}
	switch {
	case errors.Is(err, errBodyTooLarge):
		return fmt.Sprintf("response body larger than the %d-byte cap", maxBody)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("timed out after %s", timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled: the monitor is shutting down"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("DNS lookup of %s failed", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.As(err, &unknown):
		return "TLS: certificate signed by an unknown authority"
	case errors.As(err, &hostErr):
		return "TLS: " + hostErr.Error()
	case errors.As(err, &invalid):
		return "TLS: " + certInvalidWords(invalid)
	case errors.As(err, &certErr):
		return "TLS: " + certErr.Err.Error()
	case errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS handshake failed: the server does not speak TLS on this port"
	case handshakeRefused(err):
		var op *net.OpError
		errors.As(err, &op)
		return "the server refused the TLS handshake: " + op.Err.Error()
	case errors.As(err, &alertErr):
		return "TLS handshake failed: " + alertErr.Error()
	case invalidHTTP(err) != "":
		return invalidHTTP(err)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection without a complete answer"
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

// invalidHTTP is the reason for an answer that is not HTTP, or "" for any
// other error. net/http quotes the offending line, which for a binary
// answer is up to a few hundred escaped bytes no person can read: keep
// what went wrong and at most a short printable prefix of it.
func invalidHTTP(err error) string {
	msg := err.Error()
	i := strings.Index(msg, "malformed ")
	if i < 0 || !strings.Contains(msg, "net/http") && !strings.Contains(msg, "HTTP") {
		return ""
	}
	what, quoted, _ := strings.Cut(msg[i:], " \"")
	what = strings.TrimSuffix(strings.TrimSpace(what), ":")
	out := "invalid HTTP response"
	if what != "malformed HTTP response" {
		out += ": " + strings.Replace(what, "HTTP ", "", 1)
	}
	if quoted != "" {
		if v, uerr := strconv.Unquote(`"` + quoted); uerr == nil {
			quoted = v
		}
	}
	if pre := printablePrefix(quoted, 24); pre != "" {
		sep := " "
		if what == "malformed HTTP response" {
			sep = ": it starts "
		}
		out += sep + strconv.Quote(pre)
	}
	return out
}

// printablePrefix is s up to its first byte that is not printable ASCII,
// cut to at most n bytes.
func printablePrefix(s string, n int) string {
	end := 0
	for end < len(s) && end < n && s[end] >= 0x20 && s[end] < 0x7F {
		end++
	}
	return strings.TrimSpace(s[:end])
}

// certInvalidWords says why a certificate is not valid, with the date that
// matters: "certificate expired on 2026-11-01".
func certInvalidWords(e x509.CertificateInvalidError) string {
	if e.Reason == x509.Expired && e.Cert != nil {
		if time.Now().Before(e.Cert.NotBefore) {
			return "certificate not valid before " + e.Cert.NotBefore.UTC().Format(time.DateOnly)
		}
		return "certificate expired on " + e.Cert.NotAfter.UTC().Format(time.DateOnly)
	}
	return e.Error()
}

// certProblem reports whether err is the target's certificate failing
// verification, and whether it failed for being outside its validity
// period (A4).
func certProblem(err error) (bad, expired bool) {
	var (
		certErr *tls.CertificateVerificationError
		invalid x509.CertificateInvalidError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
	)
	if errors.As(err, &invalid) {
		return true, invalid.Reason == x509.Expired
	}
	return errors.As(err, &certErr) || errors.As(err, &unknown) || errors.As(err, &hostErr), false
}

// handshakeRefused reports whether the server ended the TLS handshake with
// a certificate alert: how an mTLS server refuses a client that presents no
// or an untrusted certificate.
func handshakeRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error" && op.Err != nil &&
		strings.Contains(op.Err.Error(), "certificate")
}

// proxyFailure returns what went wrong reaching the check's proxy, so that
// "connection refused" names the proxy rather than the target.
func proxyFailure(err error) (error, bool) {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" && op.Err != nil {
		return op.Err, true
	}
	return nil, false
}
