package metrics

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"context"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// family is a metric family written by writeText.
type family struct{ name, typ, help string }

// checkView is the per-check part of one scrape.
type checkView struct {
	states []CheckState // the configured checks, sorted by name; nil if unknown
	names  []string     // the checks with series, sorted
	now    time.Time
	err    error // reading the states failed
}

// view reads the configured checks' states, drops the series of checks no
// longer configured, and lists those left.
func (m *Metrics) view(ctx context.Context) checkView {
	v := checkView{now: m.now()}
	if m.src.Checks != nil {
		states, err := m.src.Checks(ctx)
		if err != nil {
			v.err = err
		} else {
			v.states = slices.Clone(states) // the source's slice is not ours to sort
			slices.SortFunc(v.states, func(a, b CheckState) int { return strings.Compare(a.Check, b.Check) })
			configured := make([]string, len(v.states))
			for i, st := range v.states {
				configured[i] = st.Check
			}
			m.prune(configured)
		}
	}
	v.names = m.seriesNames()
	return v
}

var gzipPool = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// serveText writes the text format f, gzipped if the client accepts it.
func (m *Metrics) serveText(w http.ResponseWriter, r *http.Request, f expfmt.Format) {
	ctx, cancel := context.WithTimeout(r.Context(), scrapeTimeout)
	defer cancel()
	v := m.view(ctx) // first: the gathered series of a check no longer configured are dropped
	fams, err := m.reg.Gather()
	if err != nil {
		m.log.Warn("metrics: error gathering metrics", "err", err)
	}
	h := w.Header()
	h.Add("Vary", "Accept")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Type", string(f))
	var out io.Writer = w
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		gz := gzipPool.Get().(*gzip.Writer)
		gz.Reset(w)
		defer func() {
			_ = gz.Close()
			gzipPool.Put(gz)
		}()
		h.Set("Content-Encoding", "gzip")
		out = gz
	}
	bw := bufio.NewWriterSize(out, 32<<10)
	if err := m.writeText(bw, fams, v); err != nil {
		m.log.Warn("metrics: write", "err", err)
		return
	}
	if err := bw.Flush(); err != nil {
		m.log.Warn("metrics: write", "err", err)
	}
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, enc := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(enc, ";")
		if strings.TrimSpace(name) != "gzip" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return !strings.HasPrefix(q, "q=0") || strings.Trim(strings.TrimPrefix(q, "q=0"), ".0") != ""
	}
	return false
}

// writeText writes every metric in the text format, in the order of the
// client library (families by name, series by label values): the gathered
// families fams, and the per-check ones written a line at a time from the
// series v lists, so that a scrape's memory does not grow with the checks.
func (m *Metrics) writeText(w *bufio.Writer, fams []*dto.MetricFamily, v checkView) error {
	if v.err != nil {
		m.log.Warn("metrics: check states", "err", v.err)
	}
	t := &textWriter{w: w}
	perCheck := []struct {
		name  string
		write func(*textWriter, checkView)
	}{
		{certExpiryFamily.name, m.writeCertExpiry},
		{lastRunFamily.name, m.writeLastRun},
		{lastSuccessFamily.name, m.writeLastSuccess},
		{severityFamily.name, writeSeverity},
		{stateFamily.name, writeStates},
		{probeFamily.name, m.writeProbes},
	}
	slices.SortFunc(perCheck, func(a, b struct {
		name  string
		write func(*textWriter, checkView)
	}) int {
		return cmp.Compare(a.name, b.name)
	})
	for len(fams) > 0 || len(perCheck) > 0 {
		if len(perCheck) == 0 || (len(fams) > 0 && fams[0].GetName() < perCheck[0].name) {
			if _, err := expfmt.MetricFamilyToText(w, fams[0]); err != nil {
				return err
			}
			fams = fams[1:]
			continue
		}
		perCheck[0].write(t, v)
		perCheck = perCheck[1:]
		if t.err != nil {
			return t.err
		}
	}
	return t.err
}

func writeStates(t *textWriter, v checkView) {
	t.family(stateFamily)
	for _, st := range v.states {
		for _, name := range sortedStates {
			val := 0.0
			if name == st.State {
				val = 1
			}
			t.sample(stateFamily.name, "", st.Check, "state", name, "", val)
		}
	}
}

// sortedStates are States in the order the client library writes them.
var sortedStates = func() []string { s := slices.Clone(States); slices.Sort(s); return s }()

func writeSeverity(t *textWriter, v checkView) {
	t.family(severityFamily)
	for _, st := range v.states {
		t.sample(severityFamily.name, "", st.Check, "", "", "", float64(st.Severity))
	}
}

// eachTimes calls f with the times of every configured check, the stored
// ones merged with those seen since the start.
func (m *Metrics) eachTimes(v checkView, f func(st CheckState, s checkSeries)) {
	for _, st := range v.states {
		s := m.times(st.Check)
		s.lastRun, s.lastSuccess = later(s.lastRun, st.LastRun), later(s.lastSuccess, st.LastSuccess)
		f(st, s)
	}
}

func (m *Metrics) writeLastRun(t *textWriter, v checkView) {
	t.family(lastRunFamily)
	m.eachTimes(v, func(st CheckState, s checkSeries) {
		if !s.lastRun.IsZero() {
			t.sample(lastRunFamily.name, "", st.Check, "", "", "", unixSeconds(s.lastRun))
		}
	})
}

func (m *Metrics) writeLastSuccess(t *textWriter, v checkView) {
	t.family(lastSuccessFamily)
	m.eachTimes(v, func(st CheckState, s checkSeries) {
		if !s.lastSuccess.IsZero() {
			t.sample(lastSuccessFamily.name, "", st.Check, "", "", "", unixSeconds(s.lastSuccess))
		}
	})
}

func (m *Metrics) writeCertExpiry(t *textWriter, v checkView) {
	t.family(certExpiryFamily)
	m.eachTimes(v, func(st CheckState, s checkSeries) {
		if !s.certNotAfter.IsZero() {
			t.sample(certExpiryFamily.name, "", st.Check, "", "", "", s.certNotAfter.Sub(v.now).Seconds())
		}
	})
}

// writeProbes writes the probe duration histogram of every check with one.
func (m *Metrics) writeProbes(t *textWriter, v checkView) {
	t.family(probeFamily)
	var buf []probeHist
	for _, name := range v.names {
		s := m.snapshot(name, buf)
		buf = s.probes
		for _, h := range s.probes {
			var cum uint64
			for i, c := range h.counts {
				cum += c
				t.sample(probeFamily.name, "_bucket", name, "probe", string(h.kind), leLabels[i], float64(cum))
			}
			t.sample(probeFamily.name, "_bucket", name, "probe", string(h.kind), "+Inf", float64(h.count))
			t.sample(probeFamily.name, "_sum", name, "probe", string(h.kind), "", h.sum)
			t.sample(probeFamily.name, "_count", name, "probe", string(h.kind), "", float64(h.count))
		}
	}
}

// leLabels are the probe buckets' bounds as the client library writes them.
var leLabels = func() []string {
	out := make([]string, len(probeBuckets))
	for i, b := range probeBuckets {
		out[i] = strconv.FormatFloat(b, 'g', -1, 64)
	}
	return out
}()

// textWriter writes families in the text format as the client library does
// (expfmt.MetricFamilyToText), a sample at a time; a family's header is
// written with its first sample, so that an empty family is left out. The
// first error sticks.
type textWriter struct {
	w       *bufio.Writer
	pending *family
	num     [32]byte
	err     error
}

func (t *textWriter) family(f family) { t.pending = &f }

// sample writes one line: name+suffix{check="…",key="val",le="…"} value,
// the key and le labels only when not empty.
func (t *textWriter) sample(name, suffix, check, key, val, le string, v float64) {
	if t.err != nil {
		return
	}
	w := t.w
	if f := t.pending; f != nil {
		t.pending = nil
		w.WriteString("# HELP " + f.name + " ")
		writeEscaped(w, f.help, false)
		w.WriteString("\n# TYPE " + f.name + " " + f.typ + "\n")
	}
	w.WriteString(name)
	w.WriteString(suffix)
	w.WriteString(`{check="`)
	writeEscaped(w, check, true)
	if key != "" {
		w.WriteString(`",`)
		w.WriteString(key)
		w.WriteString(`="`)
		writeEscaped(w, val, true)
	}
	if le != "" {
		w.WriteString(`",le="`)
		w.WriteString(le)
	}
	w.WriteString(`"} `)
	w.Write(appendFloat(t.num[:0], v))
	t.err = w.WriteByte('\n')
}

// appendFloat formats v as the client library does.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// writeEscaped writes s with backslash and newline escaped, and the double
// quote too in a label value.
func writeEscaped(w *bufio.Writer, s string, quote bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			w.WriteString(`\\`)
		case c == '\n':
			w.WriteString(`\n`)
		case c == '"' && quote:
			w.WriteString(`\"`)
		default:
			w.WriteByte(c)
		}
	}
}
