package wire

import "testing"

func TestIsThrottling(t *testing.T) {
	for code, want := range map[string]bool{
		"Throttling":          true,
		"Throttling.User":     true,
		"Throttling.Api":      true,
		"Throttling.CloudBox": true,
		"ThrottlingX":         false,
		"Throttling_User":     false,
		"throttling":          false,
		"":                    false,
		"ServiceUnavailable":  false,
	} {
		if got := IsThrottling(code); got != want {
			t.Errorf("IsThrottling(%q) = %v, want %v", code, got, want)
		}
	}
}
