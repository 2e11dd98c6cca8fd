// Package proxytest is a forward proxy on loopback for the tests of a
// check's proxy setting (checks and cmd/monitor share it).
package proxytest

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Proxy is a small forward proxy written for the tests, so that no
// squid is needed: it tunnels CONNECT (https targets) and forwards plain
// http requests, after checking Proxy-Authorization against user:pass
// (407 otherwise). leak makes it a careless proxy that forwards the
// Proxy-Authorization header to the target, for the canary tests.
type Proxy struct {
	*httptest.Server
	user, pass         string
	leak               bool
	Connects, Forwards atomic.Int32
}

// New starts a proxy on loopback, closed when the test ends.
func New(t testing.TB, user, pass string, leak bool) *Proxy {
	p := &Proxy{user: user, pass: pass, leak: leak}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass))
	if p.user != "" && r.Header.Get("Proxy-Authorization") != want {
		w.Header().Set("Proxy-Authenticate", `Basic realm="test proxy"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
		return
	}
	if r.Method == http.MethodConnect {
		p.Connects.Add(1)
		p.tunnel(w, r)
		return
	}
	p.Forwards.Add(1)
	out := r.Clone(r.Context())
	out.RequestURI = ""
	if !p.leak {
		out.Header.Del("Proxy-Authorization")
	}
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// tunnel connects to r.Host and copies bytes both ways until one side ends.
func (p *Proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	up, err := net.Dial("tcp", r.Host)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		return
	}
	conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	go func() { io.Copy(up, buf); up.Close() }()
	io.Copy(conn, up)
	conn.Close()
}
