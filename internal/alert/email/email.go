// Package email is the alert channel that mails each notification over
// SMTP, threaded per incident, as plain text and HTML.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/authmon/monitor/internal/alert"
	"github.com/authmon/monitor/internal/redact"
)

// TLS modes.
const (
	StartTLS = "starttls" // plain connection upgraded with STARTTLS (required), port 587
	Implicit = "implicit" // TLS from the first byte, port 465
	NoTLS    = "none"     // loopback relays only
)

// Config is one [channels.NAME] of type email. Password is a secret.
type Config struct {
	Host     string
	Port     int
	TLS      string // StartTLS (default), Implicit or NoTLS
	Username string // "" sends without AUTH
	Password string
	From     string
	To       []string
	RootCAs  *x509.CertPool // nil: the system's
}

// Notifier mails notifications.
type Notifier struct {
	cfg    Config
	red    *redact.Redactor
	now    func() time.Time
	prefix string
	domain string // of From: the right side of every Message-ID
}

var _ alert.Notifier = (*Notifier)(nil)

// New returns an email notifier; red nil means one knowing the password.
func New(name string, cfg Config, red *redact.Redactor, now func() time.Time) *Notifier {
	if red == nil {
		red = redact.New(cfg.Password)
	}
	if now == nil {
		now = time.Now
	}
	if cfg.TLS == "" {
		cfg.TLS = StartTLS
	}
	domain := cfg.From[strings.LastIndexByte(cfg.From, '@')+1:]
	domain = strings.TrimRight(domain, "> ")
	return &Notifier{cfg: cfg, red: red, now: now, prefix: "email " + name, domain: domain}
}

// Notify mails d to every recipient in one transaction. A 4xx answer is
// retried, a 5xx one is permanent; a connection lost after the message
// data left is unsure (a retry may deliver it twice, with the same
// Message-ID, which mail clients show once).
func (n *Notifier) Notify(ctx context.Context, d alert.Delivery) (alert.Thread, error) {
	d.Event = alert.RedactEvent(n.red, d.Event)
	msg, err := n.compose(d)
	if err != nil {
		return alert.Thread{}, alert.Permanent(fmt.Errorf("%s: %w", n.prefix, err))
	}
	return alert.Thread{}, n.send(ctx, msg)
}

func (n *Notifier) send(ctx context.Context, msg []byte) error {
	c, err := n.dial(ctx)
	if err != nil {
		return n.classify("connect", err, false)
	}
	defer c.Close()
	if err := n.handshake(c); err != nil {
		return err
	}
	if err := c.Mail(bareAddress(n.cfg.From)); err != nil {
		return n.classify("MAIL FROM", err, false)
	}
	for _, to := range n.cfg.To {
		if err := c.Rcpt(bareAddress(to)); err != nil {
			return n.classify("RCPT TO", err, false)
		}
	}
	w, err := c.Data()
	if err != nil {
		return n.classify("DATA", err, false)
	}
	if _, err := w.Write(msg); err != nil {
		return n.classify("DATA", err, true)
	}
	if err := w.Close(); err != nil {
		return n.classify("end of DATA", err, true)
	}
	_ = c.Quit() // the message is accepted; a lost QUIT changes nothing
	return nil
}

// dial connects, with implicit TLS if configured, under ctx's deadline.
func (n *Notifier) dial(ctx context.Context) (*smtp.Client, error) {
	addr := net.JoinHostPort(n.cfg.Host, fmt.Sprint(n.cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// A cancelled attempt cuts a server that hangs mid-conversation; by
	// then the connection is closed or about to be.
	context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	if n.cfg.TLS == Implicit {
		tc := tls.Client(conn, n.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, n.cfg.Host)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// handshake says hello, upgrades with STARTTLS when configured (refusing a
// server that does not offer it) and authenticates.
func (n *Notifier) handshake(c *smtp.Client) error {
	if err := c.Hello("authmon"); err != nil {
		return n.classify("EHLO", err, false)
	}
	if n.cfg.TLS == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return alert.Permanent(fmt.Errorf("%s: the server does not offer STARTTLS (set tls = \"implicit\" for port 465)", n.prefix))
		}
		if err := c.StartTLS(n.tlsConfig()); err != nil {
			return n.classify("STARTTLS", err, false)
		}
	}
	if n.cfg.Username == "" {
		return nil
	}
	if err := c.Auth(smtp.PlainAuth("", n.cfg.Username, n.cfg.Password, n.cfg.Host)); err != nil {
		return n.classify("AUTH", err, false)
	}
	return nil
}

func (n *Notifier) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: n.cfg.Host, RootCAs: n.cfg.RootCAs, MinVersion: tls.VersionTLS12}
}

// classify redacts err and says whether to retry: an SMTP 5xx answer is
// permanent, a 4xx or a transport error is retried, and one after the
// data left (sent) is unsure.
func (n *Notifier) classify(step string, err error, sent bool) error {
	clean := errors.New(n.prefix + ": " + step + ": " + n.red.String(err.Error()))
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		if te.Code >= 500 {
			return alert.Permanent(clean)
		}
		return clean
	}
	if sent {
		return alert.Unsure(clean)
	}
	return clean
}

func bareAddress(a string) string {
	if i := strings.IndexByte(a, '<'); i >= 0 {
		return strings.TrimSuffix(strings.TrimSpace(a[i+1:]), ">")
	}
	return strings.TrimSpace(a)
}
