package store

import "testing"

func TestRebind(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"positional", `SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{"numbered", `UPDATE t SET a = ?1 WHERE b = ?2 AND c > ?1`, `UPDATE t SET a = $1 WHERE b = $2 AND c > $1`},
		{"in a literal", `SELECT '?' , ?`, `SELECT '?' , $1`},
		{"comment with an apostrophe", "SELECT ? -- the check's id\n, ?", "SELECT $1 -- the check's id\n, $2"},
		{"ifnull and blobs", `SELECT ifnull(a, 0) FROM t WHERE s = x'00ff' OR s = x''`,
			`SELECT COALESCE(a, 0) FROM t WHERE s = '\x00ff'::bytea OR s = '\x'::bytea`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rebind(tc.in); got != tc.want {
				t.Fatalf("rebind(%q)\n = %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:s3cret@db:5432/a?sslmode=require": "postgres://u:xxxxx@db:5432/a?sslmode=require",
		"postgresql://u@db/a?password=s3cret":           "postgresql://u@db/a?password=xxxxx",
		"/var/lib/authmon/monitor.db":                   "/var/lib/authmon/monitor.db",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
