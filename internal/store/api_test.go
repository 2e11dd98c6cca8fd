package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/authmon/monitor/internal/alert"
)

// TestWritable: the readiness probe sees a working store, one whose write
// lock another process holds, and a closed one.
func TestWritable(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, path := openTemp(t)
		ctx := context.Background()
		if err := s.Writable(ctx); err != nil {
			t.Fatalf("fresh store: %v", err)
		}
		if onPostgres(t) {
			testWritablePG(t, s)
			return
		}
		other, err := sql.Open("sqlite", "file:"+escapePath(path)+"?_pragma=busy_timeout(0)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		tx, err := other.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		err = s.Writable(short)
		cancel()
		if err == nil {
			t.Error("writable while another process holds the write lock")
		}
		tx.Rollback()
		if err := s.Writable(ctx); err != nil {
			t.Fatalf("after the lock was released: %v", err)
		}
		s.Close()
		if err := s.Writable(ctx); err == nil {
			t.Error("a closed store is writable")
		}
	})
}

func TestPendingNotifications(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		ctx := context.Background()
		count := func() int {
			t.Helper()
			n, err := s.PendingNotifications(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 0 {
			t.Fatalf("empty outbox: %d pending", n)
		}
		var ids []int64
		for range 3 {
			id, err := s.Enqueue(ctx, alert.Event{Kind: alert.KindTest, Check: "x", At: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := s.MarkSent(ctx, ids[0], time.Now(), alert.Thread{}); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkFailed(ctx, ids[1], "channel_not_found"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRetry(ctx, ids[2], time.Now().Add(time.Minute), "timeout"); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 1 {
			t.Errorf("%d pending, want 1 (the one being retried)", n)
		}
	})
}

// testWritablePG: a session made read-only by the server, and a closed
// store, are not writable.
func testWritablePG(t *testing.T, s *Store) {
	ctx := context.Background()
	db := strings.TrimPrefix(s.path[strings.LastIndex(s.path, "/"):], "/")
	db = db[:strings.IndexAny(db+"?", "?")]
	if _, err := s.w.ExecContext(ctx, `ALTER DATABASE `+db+` SET default_transaction_read_only = on`); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(ctx, s.dsn)
	if err == nil {
		ro.Close()
		t.Error("a read-only database opened: the migration should have failed")
	}
	if _, err := s.w.ExecContext(ctx, `ALTER DATABASE `+db+` RESET default_transaction_read_only`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Writable(ctx); err == nil {
		t.Error("a closed store is writable")
	}
}
