package store

import (
	"context"
	"testing"
	"time"
)

// TestStatusNotesSurviveReopen writes notes, reopens the file and reads
// them back newest first, bounded by time and count.
func TestStatusNotesSurviveReopen(t *testing.T) {
	engines(t, func(t *testing.T) {
		ctx := context.Background()
		path := tempDB(t)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		for i, body := range []string{"old", "looking into it", "fixed"} {
			n := StatusNote{Created: t0.Add(time.Duration(i) * time.Hour), Author: "alice", Component: "Login",
				Phase: "investigating", Body: body}
			if _, err := s.AddStatusNote(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		s, err = Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.StatusNotes(ctx, t0.Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Body != "fixed" || got[1].Body != "looking into it" {
			t.Fatalf("notes = %+v, want the two newer ones, newest first", got)
		}
		if n := got[0]; n.Author != "alice" || n.Component != "Login" || n.Phase != "investigating" || !n.Created.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("note = %+v", n)
		}
		if got, _ := s.StatusNotes(ctx, t0, 1); len(got) != 1 || got[0].Body != "fixed" {
			t.Errorf("limit 1 = %+v", got)
		}
	})
}
