package main

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/authmon/monitor/internal/pgtest"
)

// serveChildEnv makes the test binary a monitor: TestMain runs `monitor`
// with the arguments it holds (one per line) instead of the tests. Tests use
// it for a monitor in a process of its own, with an environment of its own
// (SSL_CERT_FILE trusting a test server), without building a binary.
const serveChildEnv = "AUTHMON_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(serveChildEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := runIO(ctx, strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	code := m.Run()
	pgtest.Stop() // the PostgreSQL cluster the tests started, if any
	os.Exit(code)
}
