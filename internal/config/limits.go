package config

import (
	"bytes"
	"fmt"
)

// Bounds on a config file, checked before it is decoded. The TOML decoder
// takes time and memory quadratic in a key's depth, so a small file with one
// deep key could stall `validate` or a reload for minutes. Real files are far
// inside them: 10,000 checks take about 1.4 MB.
const (
	maxFileSize = 16 << 20 // bytes
	maxNesting  = 16       // arrays and inline tables inside one another
	maxKeyParts = 16       // parts of one dotted key or table header
)

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// checkShape refuses a document too large or nested too deeply to decode
// in bounded time. It lexes only what it needs: comments and strings, so that
// brackets inside them are not counted.
func checkShape(name string, data []byte) error {
	if len(data) > maxFileSize {
		return Problems{{File: name, Msg: fmt.Sprintf("the file is %d bytes, more than the %d MiB limit: split the checks across monitors",
			len(data), maxFileSize>>20)}}
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return Problems{{File: name, Line: 1, Msg: "the file is UTF-16: save it as UTF-8"}}
	}
	depth, line := 0, 1
	for i := 0; i < len(data); i++ {
		switch b := data[i]; b {
		case '\n':
			line++
		case '#':
			i = skipUntil(data, i, "\n") - 1 // the newline is counted above
		case '"', '\'':
			end := stringEnd(data, i)
			line += bytes.Count(data[i:end], []byte("\n"))
			i = end - 1
		case '[', '{':
			if depth++; depth > maxNesting {
				return Problems{{File: name, Line: line, Msg: fmt.Sprintf(
					"arrays and inline tables nested more than %d deep: no setting needs that, flatten it", maxNesting)}}
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return nil
}

// stringEnd returns the offset just after the string starting at i: basic
// ("..."), literal ('...') or their multi-line forms. An unterminated string
// ends at its line's end (or the file's, when multi-line), where the decoder
// will report it.
func stringEnd(data []byte, i int) int {
	q := data[i]
	escapes := q == '"'
	if bytes.HasPrefix(data[i:], []byte{q, q, q}) {
		end := closing(data, i+3, []byte{q, q, q}, escapes)
		for n := 0; n < 2 && end < len(data) && data[end] == q; n++ {
			end++ // """a""""" : up to two quotes before the delimiter are content
		}
		return end
	}
	for j := i + 1; j < len(data); j++ {
		switch {
		case data[j] == '\n':
			return j
		case escapes && data[j] == '\\':
			j++
		case data[j] == q:
			return j + 1
		}
	}
	return len(data)
}

// closing returns the offset just after the first delim at or after i,
// skipping escaped characters in a basic string.
func closing(data []byte, i int, delim []byte, escapes bool) int {
	for j := i; j < len(data); j++ {
		if escapes && data[j] == '\\' {
			j++
			continue
		}
		if bytes.HasPrefix(data[j:], delim) {
			return j + len(delim)
		}
	}
	return len(data)
}

// skipUntil returns the offset of the first occurrence of s at or after i,
// or the end of data.
func skipUntil(data []byte, i int, s string) int {
	if k := bytes.Index(data[i:], []byte(s)); k >= 0 {
		return i + k
	}
	return len(data)
}
