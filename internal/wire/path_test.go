package wire

import (
	"net/url"
	"testing"
)

func TestOperationPathIsOneSegment(t *testing.T) {
	for _, id := range []string{"es-cn-n6w1o1x0w001c", "a/b", "a b", "a+b", "a%2Fb", "..", "?#&=", "ü$@:"} {
		p := OperationPath(id)
		seg, ok := MatchPath(p)
		if !ok {
			t.Fatalf("%q: path %q does not match", id, p)
		}
		if got, err := url.PathUnescape(seg); err != nil || got != id {
			t.Errorf("%q: segment %q decodes to %q (%v)", id, seg, got, err)
		}
	}
	if got := OperationPath("a b+c"); got != "/openapi/instances/a%20b%2Bc/actions/interrupt" {
		t.Errorf("OperationPath(%q) = %q", "a b+c", got)
	}
}

func TestMatchPathRefusesOtherPaths(t *testing.T) {
	for _, p := range []string{
		"/openapi/instances/a/b/actions/interrupt",
		"/openapi/instances/a/actions/interrupt/",
		"/openapi/instance/a/actions/interrupt",
		"/openapi/instances/a/actions/unknown",
	} {
		if seg, ok := MatchPath(p); ok {
			t.Errorf("%q matched with segment %q", p, seg)
		}
	}
	if seg, ok := MatchPath(PathPrefix + PathSuffix); !ok || seg != "" {
		t.Errorf("an empty id: segment %q, ok %v; want an empty segment", seg, ok)
	}
}
