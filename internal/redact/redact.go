// Package redact is the one fmt machinery behind every credential type's redacted forms: the
// placeholder a secret is printed as, and a fmt.Formatter body that routes every verb through a
// type's redacted String and GoString.
package redact

import (
	"fmt"
	"strconv"
)

// Placeholder stands in for a secret in every printed form.
const Placeholder = "<redacted>"

// Format writes str (or goStr for %#v, or str quoted for %q) for any fmt verb, so that no verb
// falls back to fmt's field-by-field dump, which would print the secrets. A type's Format method
// calls it with its redacted String and GoString.
func Format(f fmt.State, verb rune, str, goStr string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(goStr))
	case verb == 'q':
		_, _ = f.Write([]byte(strconv.Quote(str)))
	default:
		_, _ = f.Write([]byte(str))
	}
}
