package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestRollupsWrittenExactly: the stored rollups of many checks, written
// together (on SQLite in multi-row upserts of every chunk size, first as
// inserts, then as updates), equal the sums of their runs.
func TestRollupsWrittenExactly(t *testing.T) {
	engines(t, func(t *testing.T) {
		s, _ := openTemp(t)
		s.SetFolding(false)
		ctx := context.Background()
		type key struct {
			check  string
			period int
			start  int64
		}
		want := map[key]rollAgg{}
		note := func(check string, at time.Time, passed bool, took time.Duration) {
			us := took.Microseconds()
			for period, size := range []time.Duration{time.Hour, 24 * time.Hour} {
				k := key{check, period, ms(at.Truncate(size))}
				a, ok := want[k]
				if !ok {
					a = rollAgg{latMin: us, latMax: us}
				}
				a.runs++
				if !passed {
					a.failures++
				}
				a.latMin, a.latMax, a.latSum = min(a.latMin, us), max(a.latMax, us), a.latSum+us
				a.hist().add(us)
				want[k] = a
			}
		}
		// 137 checks: 411 rows (34×12 + 3×1) in the first write, 274 (22×12 +
		// 2×4 + 2×1) in the second, which updates its day rows.
		t0 := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
		round := func(hours []time.Duration) {
			for i := range 137 {
				check := fmt.Sprintf("c%03d", i)
				for j, h := range hours {
					at := t0.Add(h + time.Duration(i)*time.Second)
					status := 401
					if (i+j)%7 == 0 {
						status = 200
					}
					took := time.Duration(50+i*997+j*31_337) * time.Microsecond
					record(t, s, check, at, status, took)
					note(check, at, status == 401, took)
				}
			}
			if err := s.syncRollups(ctx); err != nil {
				t.Fatal(err)
			}
		}
		round([]time.Duration{0, time.Hour})
		round([]time.Duration{2 * time.Hour})
		rows, err := s.r.QueryContext(ctx, `SELECT n.name, r.period, r.start_ms, r.runs, r.failures, r.lat_min,
			r.lat_max, r.lat_sum, r.hist FROM rollups r JOIN check_names n ON n.id = r.check_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[key]rollAgg{}
		for rows.Next() {
			var k key
			var a rollAgg
			var blob []byte
			if err := rows.Scan(&k.check, &k.period, &k.start, &a.runs, &a.failures, &a.latMin, &a.latMax, &a.latSum, &blob); err != nil {
				t.Fatal(err)
			}
			if err := decodeHistInto(blob, a.hist()); err != nil {
				t.Fatal(err)
			}
			got[k] = a
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d rollups stored, want %d", len(got), len(want))
		}
		for k, w := range want {
			if g := got[k]; !reflect.DeepEqual(g, w) {
				t.Fatalf("rollup %+v = %+v, want %+v", k, g, w)
			}
		}
	})
}
