package checks

import (
	"context"
	"net/http/httptest"
	"testing"
)

// BenchmarkRunProtected is one run of the full Bearer matrix (seven probes,
// a JWT token, so forged applies) against a loopback server, with the
// connections kept alive as in production: the cost the monitor pays per
// check per run on top of the network.
func BenchmarkRunProtected(b *testing.B) {
	tok := validJWT(b)
	srv := httptest.NewServer(rfcBearer(tok))
	defer srv.Close()
	hc := NewClient(4)
	ch := matrixCheck(srv.URL, tok)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := Run(ctx, hc, ch); !res.Passed() {
			b.Fatal(res.Summary())
		}
	}
}
