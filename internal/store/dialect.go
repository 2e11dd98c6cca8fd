package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// Dialect is the SQL engine behind a store.
type Dialect int

const (
	SQLite   Dialect = iota // one file, the embedded default
	Postgres                // a shared server, for several monitors
)

// IsPostgres reports whether a database setting names a PostgreSQL server
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Redact returns a database setting fit for logs, errors and pages: a URL's
// password is replaced, everything else kept so that it stays recognisable.
func Redact(db string) string {
	if !IsPostgres(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// URLSecrets returns the secrets a database setting holds (a URL's
// password), for the redactor.
func URLSecrets(db string) []string {
	if !IsPostgres(db) {
		return nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return nil
	}
	var out []string
	if pw, ok := u.User.Password(); ok && pw != "" {
		out = append(out, pw, url.QueryEscape(pw), url.PathEscape(pw))
	}
	if pw := u.Query().Get("password"); pw != "" {
		out = append(out, pw, url.QueryEscape(pw))
	}
	return out
}

// openPostgres opens a pgxpool behind database/sql, so that the store's code
// is the same for both engines. Statements run with QueryExecModeExec: the
// unnamed statement, parsed and executed in one round trip, so nothing lives
// in a session between transactions and PgBouncer's transaction mode works.
// The driver rewrites the store's SQLite-flavoured SQL (see rebind).
func openPostgres(ctx context.Context, dsn string, maxConns int32) (*sql.DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres url %s: %w", Redact(dsn), redactErr(err, dsn))
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.ConnConfig.StatementCacheCapacity = 0
	cfg.ConnConfig.DescriptionCacheCapacity = 0
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", Redact(dsn), redactErr(err, dsn))
	}
	db := sql.OpenDB(pgConnector{stdlib.GetPoolConnector(pool)})
	db.SetMaxOpenConns(int(maxConns))
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// redactErr keeps a password out of an error from the driver.
func redactErr(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
		return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn rewrites queries and arguments on their way to pgx.
type pgConn struct{ *stdlib.Conn }

func (c pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(q), pgArgs(args))
}

func (c pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(q), pgArgs(args))
}

// PrepareContext is refused: a named prepared statement lives in one
// server session, which PgBouncer's transaction mode does not keep.
func (c pgConn) PrepareContext(context.Context, string) (driver.Stmt, error) {
	return nil, fmt.Errorf("store: no prepared statements on PostgreSQL")
}

func (c pgConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

// pgArgs passes booleans as 1 and 0: the schema keeps SQLite's integer
// flags, so one SQL text serves both engines.
func pgArgs(args []driver.NamedValue) []driver.NamedValue {
	for i, a := range args {
		if b, ok := a.Value.(bool); ok {
			args[i].Value = int64(0)
			if b {
				args[i].Value = int64(1)
			}
		}
	}
	return args
}

var rebound sync.Map // query -> rewritten query

// rebind turns the store's SQLite placeholders (? and ?N) into PostgreSQL's
// ($N), outside string literals, and maps the few SQLite spellings the
// store's SQL uses onto their PostgreSQL equivalents.
func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '-' && !quoted && strings.HasPrefix(q[i:], "--"): // a comment may hold an apostrophe
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			b.WriteString(q[i : i+end])
			i += end - 1
			continue
		case c == '?' && !quoted:
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				b.WriteString("$" + q[i+1:j])
			} else {
				n++
				fmt.Fprintf(&b, "$%d", n)
			}
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	out := blobLiteral.ReplaceAllString(pgSpellings.Replace(b.String()), `'\x$1'::bytea`)
	rebound.Store(q, out)
	return out
}

var pgSpellings = strings.NewReplacer("ifnull(", "COALESCE(", "IFNULL(", "COALESCE(")

// blobLiteral is SQLite's x'0a1b', which PostgreSQL spells '\x0a1b'::bytea.
var blobLiteral = regexp.MustCompile(`\b[xX]'([0-9a-fA-F]*)'`)
