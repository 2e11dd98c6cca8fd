package config

import (
	"reflect"

	"github.com/authmon/monitor/internal/checks"
)

// SameCheck reports whether two loaded checks have the same definition, as a
// reload needs to know. reflect.DeepEqual cannot say: a credential Source
// holds run-time state (a cached token, a clock), so two loads of one file
// never compare equal. The Source is built from the credential's spec,
// which is compared instead.
func SameCheck(a, b checks.Check) bool {
	a.Auth.Source, b.Auth.Source = nil, nil
	return reflect.DeepEqual(a, b)
}
