package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Run returns one run of a check with its full evidence, for the page that
// shows a run's evidence on demand. A run that is not this check's, or was
// pruned, is an error wrapping ErrNotFound.
func (s *Store) Run(ctx context.Context, check string, id int64) (Run, error) {
	if err := s.syncFolds(ctx); err != nil {
		return Run{}, err
	}
	row := s.r.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs r`+runJoins+`
		WHERE r.id = ? AND r.check_id = (SELECT id FROM check_names WHERE name = ?)`, id, check)
	run, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run %d of %q: %w", id, check, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("run %d of %q: %w", id, check, err)
	}
	return run, nil
}
