package main

import (
	"bufio"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"
)

// The target's credentials and realm. They are not secrets: the target only
// listens on loopback and lives as long as one load test.
const (
	targetUser  = "load"
	targetPass  = "load-password"
	targetRealm = "load"
)

// serveTargetFlag starts the target instead of a load test. It is hidden from
// the usage: the load test re-executes itself with it, so that the target's
// CPU and memory are not counted as the monitor's.
const serveTargetFlag = "-serve-target"

// targetHandler is a correct Basic-protected endpoint: 200 with the right
// credentials, otherwise 401 with a Basic challenge.
func targetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if ok && subtle.ConstantTimeCompare([]byte(user), []byte(targetUser)) == 1 &&
			subtle.ConstantTimeCompare([]byte(pass), []byte(targetPass)) == 1 {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok\n")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="`+targetRealm+`"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
}

// serveTarget is the target process: it listens on each comma-separated
// loopback address, prints the bound addresses on one line, and serves until
// its parent closes stdin (or dies) or its lifetime is over, whichever comes
// first, so that it can never outlive a load test for long.
func serveTarget(addrList string, lifetime time.Duration) error {
	var addrs []string
	for _, a := range strings.Split(addrList, ",") {
		if err := requireLoopback(a); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return fmt.Errorf("target: %w", err)
		}
		addrs = append(addrs, ln.Addr().String())
		srv := &http.Server{Handler: targetHandler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		go func() { _ = srv.Serve(ln) }()
	}
	fmt.Println(strings.Join(addrs, " "))
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	select {
	case <-stdinClosed:
	case <-time.After(lifetime):
	}
	return nil
}

// requireLoopback refuses any address outside 127.0.0.0/8: the load test must
// never send its traffic anywhere else.
func requireLoopback(hostport string) error {
	ap, err := netip.ParseAddrPort(hostport)
	if err != nil {
		return fmt.Errorf("target address %q: %w", hostport, err)
	}
	if !ap.Addr().Is4() || !ap.Addr().IsLoopback() {
		return fmt.Errorf("target address %q is not in 127.0.0.0/8", hostport)
	}
	return nil
}

// loopbackAddrs returns one listen address per host, 127.0.0.1 … 127.0.0.n,
// each on a port the kernel picks: distinct hosts give the monitor's HTTP
// client distinct connection pools, as distinct real targets would.
func loopbackAddrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("127.0.0.%d:0", i+1)
	}
	return out
}

// readAddrs reads the target's one line of bound addresses and checks them.
func readAddrs(r io.Reader, want int) ([]string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("target did not report its addresses: %w", err)
	}
	addrs := strings.Fields(line)
	if len(addrs) != want {
		return nil, fmt.Errorf("target reported %d addresses, want %d", len(addrs), want)
	}
	for _, a := range addrs {
		if err := requireLoopback(a); err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

var errTargetTimeout = errors.New("target did not start within 10s")
