package store

import (
	"context"
	"database/sql"
)

// querier is what the write helpers need: a *sql.Tx, or a batchWriter, which
// runs the same queries as statements prepared once.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmt returns the writer connection's prepared statement for query. A query
// seen for the first time runs unprepared and is prepared after the batch:
// the writer's only connection is busy with the transaction until then.
// Parsing SQL was a third of the write path's CPU before statements were
// reused. Only the writer goroutine calls it.
func (s *Store) stmt(query string) *sql.Stmt {
	if s.dial == Postgres {
		return nil // no named statements: they would not survive PgBouncer's transaction mode
	}
	st, ok := s.stmts[query]
	if !ok {
		s.stmts[query] = nil // prepare after the batch
	}
	return st
}

// prepareSeen prepares the queries the last batch ran unprepared. A query
// that fails to prepare stays unprepared; running it reports the error.
func (s *Store) prepareSeen(ctx context.Context) {
	for q, st := range s.stmts {
		if st == nil {
			if prepared, err := s.w.PrepareContext(ctx, q); err == nil {
				s.stmts[q] = prepared
			} else {
				delete(s.stmts, q)
			}
		}
	}
}

// txStmt is the prepared statement of query bound to the batch's
// transaction, once per batch rather than once per use; nil on PostgreSQL.
// A query the connection has not prepared yet is prepared in the
// transaction, for its length: the first write of the rollups and latest
// rows at 10,000 checks parsed one statement 10,000 times otherwise.
func (w *batchWriter) txStmt(ctx context.Context, query string) *sql.Stmt {
	st := w.s.stmt(query)
	if st == nil {
		if w.s.dial == Postgres {
			return nil
		}
		if ts, ok := w.firstStmts[query]; ok {
			return ts
		}
		ts, err := w.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil // run unprepared: it reports the error
		}
		if w.firstStmts == nil {
			w.firstStmts = map[string]*sql.Stmt{}
		}
		w.firstStmts[query] = ts
		return ts
	}
	if ts, ok := w.txStmts[st]; ok {
		return ts
	}
	if w.txStmts == nil {
		w.txStmts = map[*sql.Stmt]*sql.Stmt{}
	}
	ts := w.tx.StmtContext(ctx, st)
	w.txStmts[st] = ts
	return ts
}

// ExecContext runs query in the batch's transaction, prepared when it can.
func (w *batchWriter) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := w.txStmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return w.tx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs query in the batch's transaction, prepared when it can.
func (w *batchWriter) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := w.txStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return w.tx.QueryRowContext(ctx, query, args...)
}

// QueryContext runs query in the batch's transaction, prepared when it can.
func (w *batchWriter) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := w.txStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return w.tx.QueryContext(ctx, query, args...)
}
