package wire

import "testing"

func TestRespondsInXML(t *testing.T) {
	for _, tc := range []struct {
		accept []string
		xml    bool
	}{
		// The service's default is XML (no Accept, */* alone, nothing usable).
		{nil, true},
		{[]string{""}, true},
		{[]string{"*/*"}, true},
		{[]string{"text/html"}, true},
		{[]string{"application/xml;q=-1"}, true},
		{[]string{"xml"}, true},
		{[]string{"/xml"}, true},
		{[]string{"application/xml"}, true},
		{[]string{"text/xml;q=0.2"}, true},
		{[]string{"text/*"}, true},
		{[]string{"application/*;q=0.3, application/xml;q=0.4"}, true},
		{[]string{"application/json;q=0.4, */*;q=0.9, application/xml;q=0.5"}, true},
		{[]string{"application/xml;q=1.0, application/json;q=1.0"}, true},
		{[]string{"application/json;q=0"}, true},
		// JSON only when the client prefers it.
		{[]string{"application/json"}, false},
		{[]string{"application/json, */*"}, false},
		{[]string{"*/*;q=0.5, application/json"}, false},
		{[]string{"application/*;q=0.5, application/xml;q=0.4"}, false},
		{[]string{"application/xml;q=0"}, false},
		{[]string{"application/xml;q=0.1, */*"}, false},
	} {
		if got := RespondsInXML(tc.accept); got != tc.xml {
			t.Errorf("RespondsInXML(%q) = %v, want %v", tc.accept, got, tc.xml)
		}
	}
}
