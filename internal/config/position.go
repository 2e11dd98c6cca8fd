package config

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps every key path in a TOML document to the line that defines
// it, so that problems found after decoding can still name a line. Paths use
// the same form as problem keys: "check[0].auth.type". The document must
// be no deeper than checkShape allows. A key with more than maxKeyParts
// parts is returned as deep, with its line: it is refused before the
// document is decoded, which would take time quadratic in its depth.
func keyLines(data []byte) (lines map[string]int, deep *Problem) {
	at := newLineIndex(data)
	lines = make(map[string]int, len(at)) // about a key a line: growing the map was a third of keyLines at 10,000 checks
	arrays := map[string]int{}            // array-of-tables path -> elements seen
	var p unstable.Parser
	p.Reset(data)
	prefix := ""
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.Table && e.Kind != unstable.ArrayTable && e.Kind != unstable.KeyValue {
			continue
		}
		parts := keyParts(e.Key())
		l := at.line(e.Key())
		if len(parts) > maxKeyParts {
			return lines, &Problem{Line: l, Key: strings.Join(parts[:3], ".") + "...",
				Msg: "key has " + strconv.Itoa(len(parts)) + " dotted parts, more than the " + strconv.Itoa(maxKeyParts) + " any setting needs: shorten it"}
		}
		switch e.Kind {
		case unstable.Table:
			prefix = resolve(parts, arrays)
			lines[prefix] = l
		case unstable.ArrayTable:
			base := join(resolve(parts[:len(parts)-1], arrays), parts[len(parts)-1])
			prefix = base + "[" + strconv.Itoa(arrays[base]) + "]"
			arrays[base]++
			lines[prefix] = l
		case unstable.KeyValue:
			path := join(prefix, strings.Join(parts, "."))
			lines[path] = l
			valueLines(at, e.Value(), path, lines)
		}
	}
	return lines, nil
}

// valueLines records the keys inside inline tables and arrays.
func valueLines(at lineIndex, v *unstable.Node, path string, lines map[string]int) {
	switch v.Kind {
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			kv := it.Node()
			if kv.Kind != unstable.KeyValue {
				continue
			}
			sub := path + "." + strings.Join(keyParts(kv.Key()), ".")
			lines[sub] = at.line(kv.Key())
			valueLines(at, kv.Value(), sub, lines)
		}
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			if it.Node().Kind == unstable.Comment {
				continue
			}
			sub := path + "[" + strconv.Itoa(i) + "]"
			if l, ok := lines[path]; ok {
				lines[sub] = l
			}
			valueLines(at, it.Node(), sub, lines)
			i++
		}
	}
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// resolve turns the parts of a table header into a path, following arrays of
// tables to their latest element as TOML does.
func resolve(parts []string, arrays map[string]int) string {
	path := ""
	for _, part := range parts {
		path = join(path, part)
		if n, ok := arrays[path]; ok && n > 0 {
			path += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return path
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// lineIndex holds the offset at which each line of a document starts.
// Parser.Shape counts lines from the start of the document on every call,
// which made locating every key quadratic in the file's size.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	starts := make(lineIndex, 1, bytes.Count(data, []byte{'\n'})+1)
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// line returns the 1-based line of the first node of it.
func (starts lineIndex) line(it unstable.Iterator) int {
	if !it.Next() {
		return 0
	}
	off := int(it.Node().Raw.Offset)
	i, found := slices.BinarySearch(starts, off)
	if found {
		return i + 1
	}
	return i
}
