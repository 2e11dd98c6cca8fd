// Package smtptest starts a real SMTP server on loopback for tests (tests
// only): STARTTLS or implicit TLS with a throwaway certificate, AUTH PLAIN,
// and faults on demand. It records every message it accepted.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Faults a server can answer the DATA of the next messages with.
const (
	Temporary = "451"  // 451: try again later; nothing recorded
	Permanent = "554"  // 554: refused; nothing recorded
	Hang      = "hang" // records the message, then answers only after HangFor
)

// Options configure a Server.
type Options struct {
	User, Pass string        // "" accepts mail without AUTH
	StartTLS   bool          // offer STARTTLS
	Implicit   bool          // TLS from the first byte
	HangFor    time.Duration // how long a Hang fault holds the answer; default 3s
}

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running SMTP server.
type Server struct {
	Host    string
	Port    int
	RootCAs *x509.CertPool // trusts the server's certificate
	CAPEM   []byte         // the same certificate in PEM, for a config's ca_file

	opts   Options
	mu     sync.Mutex
	msgs   []Message
	faults []string
	datas  int
}

// Start serves until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.HangFor == 0 {
		opts.HangFor = 3 * time.Second
	}
	s := &Server{opts: opts}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.StartTLS || opts.Implicit {
		cert, pool := selfSigned(t)
		s.RootCAs = pool
		s.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		if opts.Implicit {
			ln = tls.NewListener(ln, srv.TLSConfig)
			srv.TLSConfig = nil // no STARTTLS inside TLS
		}
	}
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Fail makes the next messages' DATA answer with these faults, in order.
func (s *Server) Fail(faults ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Attempts is how many messages reached DATA, faults included.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.datas
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.opts.User || pass != ss.s.opts.Pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	s.datas++
	fault := ""
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	if fault == "" || fault == Hang {
		s.msgs = append(s.msgs, Message{From: ss.from, To: ss.to, Data: b})
	}
	s.mu.Unlock()
	switch fault {
	case Temporary:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	case Permanent:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "refused"}
	case Hang:
		time.Sleep(s.opts.HangFor)
	}
	return nil
}

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
