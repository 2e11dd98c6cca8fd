package config

import (
	"time"

	"github.com/authmon/monitor/internal/store"
)

// Defaults of the [monitor] limits on running checks.
const (
	DefaultMaxConcurrency = 256
	DefaultMaxPerHost     = 8
	maxConcurrencyLimit   = 100_000
	maxRetentionDays      = 36_500 // a hundred years: far from time.Duration's limit
)

// buildLimits validates [monitor] max_concurrency and max_per_host: left
// out, each takes its default; written as 0, it is refused like -1.
func buildLimits(c *collector, m monitorSection) (global, perHost int) {
	global, perHost = DefaultMaxConcurrency, DefaultMaxPerHost
	if m.MaxConcurrency != 0 || c.has("monitor.max_concurrency") {
		global = limit(c, "monitor.max_concurrency", m.MaxConcurrency, global)
	}
	if m.MaxPerHost != 0 || c.has("monitor.max_per_host") {
		perHost = limit(c, "monitor.max_per_host", m.MaxPerHost, perHost)
	}
	return global, perHost
}

func limit(c *collector, key string, v int64, def int) int {
	if v < 1 || v > maxConcurrencyLimit {
		c.add(key, "must be between 1 and %d checks (leave it out for the default, %d)", maxConcurrencyLimit, def)
		return def
	}
	return int(v)
}

// retentionKey is one [storage] key with its value in days (0: forever).
type retentionKey struct {
	key  string
	days int64
	set  bool
}

// buildRetention validates [storage]: days are non-negative (0 keeps
// forever), and raw runs are kept no longer than hourly rollups, those no
// longer than daily ones.
func buildRetention(c *collector, s storageSection) store.Retention {
	keys := []retentionKey{
		days(c, "storage.raw_days", s.RawDays, store.DefaultRetention.Raw),
		days(c, "storage.hourly_days", s.HourlyDays, store.DefaultRetention.Hourly),
		days(c, "storage.daily_days", s.DailyDays, store.DefaultRetention.Daily),
	}
	for i := 1; i < len(keys); i++ {
		short, long := keys[i-1], keys[i]
		if long.days != 0 && (short.days == 0 || short.days > long.days) {
			at := long.key
			if !long.set {
				at = short.key
			}
			c.add(at, "%s (%s) must not be longer than %s (%s)",
				short.key, daysText(short), long.key, daysText(long))
		}
	}
	dur := func(k retentionKey) time.Duration { return time.Duration(k.days) * 24 * time.Hour }
	return store.Retention{Raw: dur(keys[0]), Hourly: dur(keys[1]), Daily: dur(keys[2])}
}

// days reads one retention key, or the default when it is not set.
func days(c *collector, key string, v *int64, def time.Duration) retentionKey {
	if v == nil {
		return retentionKey{key: key, days: int64(def / (24 * time.Hour))}
	}
	if *v < 0 || *v > maxRetentionDays {
		c.add(key, "must be between 0 (keep forever) and %d days", maxRetentionDays)
		return retentionKey{key: key, days: int64(def / (24 * time.Hour)), set: true}
	}
	return retentionKey{key: key, days: *v, set: true}
}

func daysText(k retentionKey) string {
	s := "forever"
	if k.days != 0 {
		s = itoa(int(k.days)) + " days"
	}
	if !k.set {
		s += ", the default"
	}
	return s
}

// buildStorageURL validates [storage] url: empty, or a PostgreSQL URL. A
// problem never quotes the URL, which may hold a password.
func buildStorageURL(c *collector, url string) string {
	if url != "" && !store.IsPostgres(url) {
		c.add("storage.url", "storage.url must be a postgres:// or postgresql:// URL (a SQLite file is set with -db)")
		return ""
	}
	return url
}

// storageSecrets are the secrets of [storage] url, for the redactor.
func storageSecrets(url string) []string { return store.URLSecrets(url) }
