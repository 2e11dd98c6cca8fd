package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/authmon/monitor/internal/checks"
)

// decoder assigns a generic TOML tree (as decoded into map[string]any) to
// typed structs, collecting every unknown key and type mismatch instead of
// stopping at the first, so that one run of `validate` reports them all.
type decoder struct {
	c *collector
	// fields caches tomlFields per struct type: a file of 10,000 checks
	// decodes tens of thousands of tables of a handful of types.
	fields map[reflect.Type]map[string][]int
}

// textValue is implemented by field types that parse themselves from TOML.
type textValue interface {
	setTOML(v any) error
}

func (d decoder) value(path string, v any, dst reflect.Value) {
	if tv, ok := dst.Addr().Interface().(textValue); ok {
		if err := tv.setTOML(v); err != nil {
			d.c.add(path, "%v", err)
		}
		return
	}
	switch dst.Kind() {
	case reflect.Struct:
		d.table(path, v, dst)
	case reflect.Pointer:
		dst.Set(reflect.New(dst.Type().Elem()))
		d.value(path, v, dst.Elem())
	case reflect.Slice:
		d.slice(path, v, dst)
	case reflect.Map:
		if dst.Type().Elem().Kind() == reflect.String {
			d.stringMap(path, v, dst)
		} else {
			d.tableMap(path, v, dst)
		}
	default:
		d.scalar(path, v, dst)
	}
}

func (d decoder) table(path string, v any, dst reflect.Value) {
	m, ok := v.(map[string]any)
	if !ok {
		d.c.add(path, "expected a table, got %s", kindOf(v))
		return
	}
	fields, ok := d.fields[dst.Type()]
	if !ok {
		fields = tomlFields(dst.Type())
		d.fields[dst.Type()] = fields
	}
	for _, k := range sortedKeys(m) {
		i, ok := fields[k]
		if !ok {
			d.c.add(join(path, k), "unknown key%s", suggest(k, fields))
			continue
		}
		d.value(join(path, k), m[k], dst.FieldByIndex(i))
	}
}

func (d decoder) slice(path string, v any, dst reflect.Value) {
	items, ok := v.([]any)
	if !ok {
		d.c.add(path, "expected an array, got %s", kindOf(v))
		return
	}
	out := reflect.MakeSlice(dst.Type(), len(items), len(items))
	for i, item := range items {
		d.value(path+"["+strconv.Itoa(i)+"]", item, out.Index(i))
	}
	dst.Set(out)
}

func (d decoder) stringMap(path string, v any, dst reflect.Value) {
	m, ok := v.(map[string]any)
	if !ok {
		d.c.add(path, "expected a table of strings, got %s", kindOf(v))
		return
	}
	out := reflect.MakeMapWithSize(dst.Type(), len(m))
	for _, k := range sortedKeys(m) {
		s, ok := m[k].(string)
		if !ok {
			d.c.add(join(path, k), "expected a string, got %s", kindOf(m[k]))
			continue
		}
		out.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(s))
	}
	dst.Set(out)
}

// tableMap decodes a table whose keys are names the user chooses, such as
// [credentials.NAME], each value into the map's element type.
func (d decoder) tableMap(path string, v any, dst reflect.Value) {
	m, ok := v.(map[string]any)
	if !ok {
		d.c.add(path, "expected a table, got %s", kindOf(v))
		return
	}
	out := reflect.MakeMapWithSize(dst.Type(), len(m))
	for _, k := range sortedKeys(m) {
		elem := reflect.New(dst.Type().Elem()).Elem()
		d.value(join(path, k), m[k], elem)
		out.SetMapIndex(reflect.ValueOf(k), elem)
	}
	dst.Set(out)
}

func (d decoder) scalar(path string, v any, dst reflect.Value) {
	switch dst.Kind() {
	case reflect.String:
		if s, ok := v.(string); ok {
			dst.SetString(s)
			return
		}
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			dst.SetBool(b)
			return
		}
	case reflect.Int, reflect.Int64:
		if n, ok := v.(int64); ok {
			dst.SetInt(n)
			return
		}
	}
	d.c.add(path, "expected %s, got %s", kindName(dst.Kind()), kindOf(v))
}

// tomlFields maps the `toml` tag of each field to its index path. The
// fields of an embedded struct without a tag are promoted, so that sections
// sharing keys (a login credential set and [check.login]) share one type.
func tomlFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("toml")
		switch {
		case name != "":
			out[name] = []int{i}
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			for n, sub := range tomlFields(f.Type) {
				out[n] = append([]int{i}, sub...)
			}
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	default:
		return "an integer"
	}
}

// kindOf names the TOML type of a decoded value, with the value when short.
func kindOf(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("float %g", x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return "a date/time"
	}
}

// suggest names the closest known key when the unknown one looks like a typo.
func suggest[V any](key string, fields map[string]V) string {
	best, bestDist := "", 3
	lower := strings.ToLower(key)
	for name := range fields {
		if abs(len(name)-len(lower)) > bestDist { // the distance is at least that
			continue
		}
		if d := checks.EditDistance(lower, name); d < bestDist || (d == bestDist && name < best) {
			best, bestDist = name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func abs(n int) int { return max(n, -n) }
