package store

import (
	"context"
	"fmt"
	"time"
)

// StatusNote is one note written by a person for the public status page.
type StatusNote struct {
	ID      int64
	Created time.Time
	// Author is who wrote it, as the dashboard identified them; it is kept
	// for the team and not shown to customers.
	Author string
	// Component is the customer-facing name the note is about; "" means
	// every component.
	Component string
	// Phase is where the incident stands: investigating, identified,
	// monitoring or resolved.
	Phase string
	Body  string
}

// AddStatusNote stores a note and returns its id. The caller validates it.
func (s *Store) AddStatusNote(ctx context.Context, n StatusNote) (int64, error) {
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO status_notes (created_ms, author, component, phase, body)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, n.Created.UnixMilli(), n.Author, n.Component, n.Phase, n.Body).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("status note: %w", err)
	}
	return id, nil
}

// StatusNotes returns the notes written since since, newest first, at most
// limit of them.
func (s *Store) StatusNotes(ctx context.Context, since time.Time, limit int) ([]StatusNote, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, created_ms, author, component, phase, body FROM status_notes
		WHERE created_ms >= ? ORDER BY created_ms DESC, id DESC LIMIT ?`, since.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("status notes: %w", err)
	}
	defer rows.Close()
	out := []StatusNote{}
	for rows.Next() {
		var n StatusNote
		var created int64
		if err := rows.Scan(&n.ID, &created, &n.Author, &n.Component, &n.Phase, &n.Body); err != nil {
			return nil, fmt.Errorf("status notes: %w", err)
		}
		n.Created = fromMs(created)
		out = append(out, n)
	}
	return out, rows.Err()
}
