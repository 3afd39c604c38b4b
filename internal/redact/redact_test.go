package redact

import (
	"fmt"
	"testing"
)

type secret struct{ s string }

func (v secret) Format(f fmt.State, verb rune) { Format(f, verb, "str", "go") }

func TestFormatRoutesEveryVerb(t *testing.T) {
	v := secret{"hunter2"}
	for verb, want := range map[string]string{
		"%v": "str", "%+v": "str", "%s": "str", "%d": "str", "%x": "str", "%10.3v": "str",
		"%#v": "go", "%q": `"str"`,
	} {
		if got := fmt.Sprintf(verb, v); got != want {
			t.Errorf("%s: %q, want %q", verb, got, want)
		}
	}
}
