package store_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/checks"
	"github.com/authmon/monitor/internal/checks/fositetest"
	"github.com/authmon/monitor/internal/store"
)

// TestKeyHistorySurvivesRestart: the key history is kept per jwks_uri in
// the order keys were first seen, and read back after the store reopens.
func TestKeyHistorySurvivesRestart(t *testing.T) {
	store.Engines(t, func(t *testing.T) {
		ctx := context.Background()
		path := store.TempDB(t)
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		recs := []checks.KeyRecord{
			{Kid: "key-2", Kty: "EC", Alg: "ES256", FirstSeen: t0, LastSeen: t0.Add(time.Hour)},
			{Kid: "key-1", Kty: "RSA", FirstSeen: t0, LastSeen: t0, Removed: t0.Add(time.Hour), FirstToken: t0, TokenExp: t0.Add(2 * time.Hour)},
		}
		st, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		h := st.KeyHistory()
		if err := h.SaveKeys(ctx, "https://idp.test/jwks", recs); err != nil {
			t.Fatal(err)
		}
		if err := h.SaveKeys(ctx, "https://other.test/jwks", recs[:1]); err != nil {
			t.Fatal(err)
		}
		if err := h.SaveKeys(ctx, "https://other.test/jwks", nil); err != nil { // replaces, never appends
			t.Fatal(err)
		}
		st.Close()
		st, err = store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		got, err := st.KeyHistory().LoadKeys(ctx, "https://idp.test/jwks")
		if err != nil || !slices.Equal(got, recs) {
			t.Fatalf("got %+v, %v\nwant %+v", got, err, recs)
		}
		if other, _ := st.KeyHistory().LoadKeys(ctx, "https://other.test/jwks"); len(other) != 0 {
			t.Fatalf("other set = %+v", other)
		}
	})
}

// TestKeyHistoryThroughRestart: a monitor that restarts between two runs
// still sees that the issuer dropped a key whose tokens are valid: the
// second Runner reads the first one's history from the reopened store.
func TestKeyHistoryThroughRestart(t *testing.T) {
	store.Engines(t, func(t *testing.T) {
		ctx := context.Background()
		path := store.TempDB(t)
		s := fositetest.New(t)
		ch := checks.Check{Name: "keys", Kind: checks.KindToken, URL: s.TokenURL(), Timeout: 5 * time.Second,
			Probes: []checks.ProbeSpec{{Kind: checks.ProbeToken}, {Kind: checks.ProbeKeys}},
			Token: &checks.TokenSpec{ClientID: fositetest.ClientID, ClientSecret: fositetest.ClientSecret, Scopes: []string{"api"},
				Life: &checks.TokenLife{JWKSURL: s.JWKSURL()}}}
		run := func() map[string]bool {
			st, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rn := checks.NewRunner(&http.Client{Timeout: 5 * time.Second}, nil, nil).WithKeyHistory(st.KeyHistory())
			out := map[string]bool{}
			for _, p := range rn.Run(ctx, ch).Probes {
				for _, a := range p.Assertions {
					out[a.ID] = a.Pass
				}
			}
			return out
		}
		if v := run(); !v["A6.kid"] {
			t.Fatalf("first run: %v", v)
		}
		old := s.SigningKid()
		next := s.Publish()
		s.SignWith(next)
		s.Unpublish(old)
		if v, ok := run()["A6.removed"]; !ok || v {
			t.Fatalf("after the restart the removal of %s went unnoticed (judged %v)", old, ok)
		}
	})
}
