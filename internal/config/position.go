package config

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps every key path in a TOML document to the line that defines
// it, so that problems found after decoding can still name a line. Paths use
// the same form as problem keys: "check[0].auth.type". The document must
// already be known to parse.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	arrays := map[string]int{} // array-of-tables path -> elements seen
	var p unstable.Parser
	p.Reset(data)
	prefix := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table:
			prefix = resolve(keyParts(e.Key()), arrays)
			lines[prefix] = line(&p, e.Key())
		case unstable.ArrayTable:
			parts := keyParts(e.Key())
			base := join(resolve(parts[:len(parts)-1], arrays), parts[len(parts)-1])
			prefix = base + "[" + strconv.Itoa(arrays[base]) + "]"
			arrays[base]++
			lines[prefix] = line(&p, e.Key())
		case unstable.KeyValue:
			path := join(prefix, strings.Join(keyParts(e.Key()), "."))
			lines[path] = line(&p, e.Key())
			valueLines(&p, e.Value(), path, lines)
		}
	}
	return lines
}

// valueLines records the keys inside inline tables and arrays.
func valueLines(p *unstable.Parser, v *unstable.Node, path string, lines map[string]int) {
	switch v.Kind {
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			kv := it.Node()
			if kv.Kind != unstable.KeyValue {
				continue
			}
			sub := path + "." + strings.Join(keyParts(kv.Key()), ".")
			lines[sub] = line(p, kv.Key())
			valueLines(p, kv.Value(), sub, lines)
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
			valueLines(p, it.Node(), sub, lines)
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

func line(p *unstable.Parser, it unstable.Iterator) int {
	if !it.Next() {
		return 0
	}
	return p.Shape(it.Node().Raw).Start.Line
}
