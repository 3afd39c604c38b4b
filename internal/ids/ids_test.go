package ids

import (
	"regexp"
	"testing"
)

var shape = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

func TestUUIDShapeAndUniqueness(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := UUID()
		if !shape.MatchString(id) {
			t.Fatalf("%q is not an upper-case version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q came twice", id)
		}
		seen[id] = true
	}
}

var hexShape = regexp.MustCompile(`^[0-9a-f]*$`)

func TestHexShapeAndUniqueness(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []int{0, 1, 8, 16} {
		for range 100 {
			h := Hex(n)
			if len(h) != 2*n || !hexShape.MatchString(h) {
				t.Fatalf("Hex(%d) = %q, want %d lower-case hex digits", n, h, 2*n)
			}
			if n >= 8 && seen[h] {
				t.Fatalf("%q came twice", h)
			}
			seen[h] = true
		}
	}
}
