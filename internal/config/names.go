package config

import (
	"fmt"
	"unicode"
)

// lookAlike explains why a name (of a check, a group or a credential set)
// could look exactly like another while being different text, or "" when
// it cannot. Names key history, alerts and silences: two checks that read
// the same must not be two checks, and a bidi override must not make one
// name display as another.
func lookAlike(name string) string {
	prev := ' '
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("contains the invisible or text-direction character U+%04X: remove it", r)
		case r != ' ' && unicode.IsSpace(r):
			return fmt.Sprintf("contains the space character U+%04X: use an ordinary space", r)
		case unicode.Is(unicode.Mn, r) && (unicode.In(prev, unicode.Latin, unicode.Greek, unicode.Cyrillic)):
			return fmt.Sprintf("contains a separate accent (U+%04X, decomposed Unicode, NFD): retype it with the accented letter as one character (NFC)", r)
		}
		prev = r
	}
	return ""
}
