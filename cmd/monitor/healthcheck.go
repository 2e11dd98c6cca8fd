package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthTimeout bounds the health probe; Docker's HEALTHCHECK allows 5 s.
const healthTimeout = 4 * time.Second

// healthcheckCmd handles `monitor healthcheck [-url URL]`: it asks a running
// serve's /healthz and exits 0 when it answers 200. It is the container
// image's HEALTHCHECK, which has no shell, curl or wget to do it.
func healthcheckCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("healthcheck", stderr)
	url := fs.String("url", healthURL(envOr("AUTHMON_LISTEN", defaultListen)),
		"URL to ask (default: /healthz on the AUTHMON_LISTEN port, on loopback)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		fmt.Fprintln(stderr, "monitor healthcheck:", err)
		return exitConfig
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "monitor healthcheck:", err)
		return exitFailed
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "monitor healthcheck: %s answered %s\n", *url, resp.Status)
		return exitFailed
	}
	fmt.Fprintf(stdout, "ok: %s\n", *url)
	return exitOK
}

// healthURL is /healthz on the port serve listens on: on loopback when serve
// listens on every address (0.0.0.0 in a container), else on its host.
func healthURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		host, port = "127.0.0.1", "8080"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
