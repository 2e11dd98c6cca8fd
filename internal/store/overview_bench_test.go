package store

import (
	"context"
	"testing"
	"time"
)

// BenchmarkRecentQuery measures the overview's recent-history read (uptime
// windows, p95 and hourly buckets of every check) on the benchmark history.
func BenchmarkRecentQuery(b *testing.B) { benchEngines(b, benchRecentQuery) }

func benchRecentQuery(b *testing.B, db string) {
	s := seeded(b, db)
	now := time.Now()
	b.ResetTimer()
	for b.Loop() {
		if recs, err := s.Recent(context.Background(), now); err != nil || len(recs) != 1000 {
			b.Fatalf("recent: %d, %v", len(recs), err)
		}
	}
}
