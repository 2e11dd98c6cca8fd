package redact

import "strings"

// matcher answers "does s contain any of these strings?" in one pass over s
// whatever their number (Rabin-Karp): a rolling hash of the last w bytes is
// tested against a bit set of the strings' first w bytes, and only a hit is
// compared in full. Looking for each string in turn would cost a pass per
// string, and a process has hundreds of encoded secrets.
type matcher struct {
	w     int    // window: the shortest string's length, at most maxWindow
	pow   uint64 // hashBase^(w-1), to roll the oldest byte out
	bits  []uint64
	shift uint
	heads map[uint64][]string // hash of the first w bytes -> strings
}

const (
	hashBase  = 1099511628211 // the FNV-64 prime: odd, well mixed
	hashMix   = 0x9E3779B97F4A7C15
	maxWindow = 16
	minBits   = 12 // 4,096 bits: 512 bytes
	maxBits   = 22
)

func newMatcher(list []string) matcher {
	if len(list) == 0 {
		return matcher{}
	}
	w := maxWindow
	for _, s := range list {
		w = min(w, len(s))
	}
	k := uint(minBits)
	for k < maxBits && 1<<k < 64*len(list) { // about 1 bit in 64 set
		k++
	}
	m := matcher{w: w, pow: 1, bits: make([]uint64, (1<<k)/64), shift: 64 - k, heads: map[uint64][]string{}}
	for range w - 1 {
		m.pow *= hashBase
	}
	for _, s := range list {
		h := hashOf(s[:w])
		m.heads[h] = append(m.heads[h], s)
		b := m.bit(h)
		m.bits[b/64] |= 1 << (b % 64)
	}
	return m
}

func hashOf(s string) uint64 {
	var h uint64
	for i := 0; i < len(s); i++ {
		h = h*hashBase + uint64(s[i])
	}
	return h
}

func (m *matcher) bit(h uint64) uint64 { return (h * hashMix) >> m.shift }

// any reports whether s contains one of the strings.
func (m *matcher) any(s string) bool {
	if m.w == 0 || len(s) < m.w {
		return false
	}
	h := hashOf(s[:m.w])
	for i := m.w; ; i++ {
		if b := m.bit(h); m.bits[b/64]&(1<<(b%64)) != 0 && m.verify(h, s[i-m.w:]) {
			return true
		}
		if i == len(s) {
			return false
		}
		h = (h-uint64(s[i-m.w])*m.pow)*hashBase + uint64(s[i])
	}
}

// verify compares the strings whose first bytes hash to h with rest.
func (m *matcher) verify(h uint64, rest string) bool {
	for _, c := range m.heads[h] {
		if strings.HasPrefix(rest, c) {
			return true
		}
	}
	return false
}
