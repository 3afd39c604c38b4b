package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/spec"
)

func TestLocalValidationSendsNothing(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeBody(w, http.StatusOK, "application/json", successJSON("R"))
	})
	c, _ := newTestClient(t, srv, Config{})
	tests := []struct {
		name, id, token, field string
	}{
		{"empty id", "", "", "InstanceId"},
		{"dot id", ".", "", "InstanceId"},
		{"dot-dot id", "..", "", "InstanceId"},
		{"token of 65", "es-1", strings.Repeat("a", 65), "clientToken"},
		{"token of 200", "es-1", strings.Repeat("T", 200), "clientToken"},
		{"non-ASCII token", "es-1", "tök", "clientToken"},
		{"non-ASCII token of 64 bytes", "es-1", strings.Repeat("é", 32), "clientToken"},
		{"control character", "es-1", "a\tb", "clientToken"},
		{"newline", "es-1", "a\nb", "clientToken"},
		{"DEL", "es-1", "a\x7fb", "clientToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.InterruptElasticsearchTask(context.Background(), tt.id, &InterruptOptions{ClientToken: tt.token})
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("err = %v, want *ValidationError for %s", err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Error() %q does not name the field", err.Error())
			}
		})
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid arguments", n)
	}
}

func TestTokenLimitsComeFromTheDocument(t *testing.T) {
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	max := int(*doc.Components.Schemas["ClientToken"].Value.MaxLength)
	rules, err := loadTokenRules()
	if err != nil {
		t.Fatal(err)
	}
	if rules.maxLen != max {
		t.Errorf("maxLen %d, document says %d", rules.maxLen, max)
	}
	if err := rules.check(strings.Repeat("x", max)); err != nil {
		t.Errorf("a token of exactly %d characters: %v", max, err)
	}
	if err := rules.check(strings.Repeat("x", max+1)); err == nil {
		t.Errorf("a token of %d characters passed", max+1)
	}
	if err := rules.check(" ~"); err != nil {
		t.Errorf("printable ASCII edge characters refused: %v", err)
	}
}

// TestAwkwardInstanceIDs checks that the id is sent as exactly one path segment, escaped as the
// official SDKs escape it, and that the signature over it verifies in both schemes.
func TestAwkwardInstanceIDs(t *testing.T) {
	ids := []string{
		"es-cn-n6w1o1x0w001c****",
		"a b", "a*b", "a~b", "a+b", "a/b", "a=b", "a&b", "a?b", "a#b", "a%b", "a%2Fb", "100%",
		"../../etc", "a/../..", "?clientToken=x", "#frag", "a;b", "a,b", "é", "a:b@c", "...",
	}
	for _, sig := range []SignatureVersion{SignatureV3, SignatureROA} {
		srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeBody(w, http.StatusOK, "application/json", successJSON("R"))
		})
		c, _ := newTestClient(t, srv, Config{Signature: sig})
		for _, id := range ids {
			if _, err := c.InterruptElasticsearchTask(context.Background(), id, &InterruptOptions{ClientToken: "tok"}); err != nil {
				t.Errorf("%s %q: %v", sig, id, err)
			}
		}
		reqs := srv.requests()
		if len(reqs) != len(ids) {
			t.Fatalf("%s: %d requests for %d ids", sig, len(reqs), len(ids))
		}
		for i, r := range reqs {
			id := ids[i]
			wantRaw := "/openapi/instances/" + strings.ReplaceAll(url.QueryEscape(id), "+", "%20") + "/actions/interrupt"
			if r.EscapedPath != wantRaw {
				t.Errorf("%s %q: sent path %q, want %q", sig, id, r.EscapedPath, wantRaw)
			}
			segs := strings.Split(strings.TrimPrefix(r.EscapedPath, "/"), "/")
			if len(segs) != 5 || segs[0] != "openapi" || segs[1] != "instances" || segs[3] != "actions" || segs[4] != "interrupt" {
				t.Errorf("%s %q: path %q does not have the operation's shape", sig, id, r.EscapedPath)
				continue
			}
			if got, err := url.PathUnescape(segs[2]); err != nil || got != id {
				t.Errorf("%s %q: the id segment decodes to %q (%v)", sig, id, got, err)
			}
			if r.ClientToken != "tok" || r.RawQuery != "clientToken=tok" {
				t.Errorf("%s %q: query %q", sig, id, r.RawQuery)
			}
			if r.VerifyErr != nil {
				t.Errorf("%s %q: signature: %v", sig, id, r.VerifyErr)
			}
		}
	}
}

func TestAwkwardClientTokens(t *testing.T) {
	tokens := []string{
		"a b", "a*b", "a~b", "a+b", "a/b", "a=b", "a&b", "a&clientToken=evil", "a#b", "a?b", "a%20b", "%",
		" leading", "trailing ", "!\"$'()*,;:@[]^`{|}", strings.Repeat("~", 64),
	}
	for _, sig := range []SignatureVersion{SignatureV3, SignatureROA} {
		srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeBody(w, http.StatusOK, "application/json", successJSON("R"))
		})
		c, _ := newTestClient(t, srv, Config{Signature: sig})
		for _, tok := range tokens {
			res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", &InterruptOptions{ClientToken: tok})
			if err != nil {
				t.Errorf("%s %q: %v", sig, tok, err)
				continue
			}
			if res.ClientToken != tok {
				t.Errorf("%s %q: result token %q", sig, tok, res.ClientToken)
			}
		}
		for i, r := range srv.requests() {
			q, err := url.ParseQuery(r.RawQuery)
			if err != nil || len(q) != 1 || len(q["clientToken"]) != 1 || q.Get("clientToken") != tokens[i] {
				t.Errorf("%s %q: query %q decodes to %v (%v)", sig, tokens[i], r.RawQuery, q, err)
			}
			if want := "clientToken=" + strings.ReplaceAll(url.QueryEscape(tokens[i]), "+", "%20"); r.RawQuery != want {
				t.Errorf("%s %q: sent query %q, want the SDKs' encoding %q", sig, tokens[i], r.RawQuery, want)
			}
			if r.EscapedPath != "/openapi/instances/es-1/actions/interrupt" {
				t.Errorf("%s %q: path %q", sig, tokens[i], r.EscapedPath)
			}
			if r.VerifyErr != nil {
				t.Errorf("%s %q: signature: %v", sig, tokens[i], r.VerifyErr)
			}
		}
	}
}

func TestNewClientTokenShape(t *testing.T) {
	rules, err := loadTokenRules()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 1000 {
		tok := NewClientToken()
		if !uuidShape.MatchString(tok) {
			t.Fatalf("%q is not UUID-shaped", tok)
		}
		if err := rules.check(tok); err != nil {
			t.Fatalf("NewClientToken() = %q, which the client refuses: %v", tok, err)
		}
		seen[tok] = true
	}
	if len(seen) != 1000 {
		t.Errorf("1000 tokens, %d distinct", len(seen))
	}
	if n := newNonce(); len(n) != 32 || n == newNonce() {
		t.Errorf("nonce %q", n)
	}
}

// TestPathEscapeAgreement backs the shortcut in InterruptElasticsearchTask: the generated
// client's url.PathEscape and the SDKs' escaping differ only on the bytes of pathEscapeKeeps.
func TestPathEscapeAgreement(t *testing.T) {
	for b := 0; b < 256; b++ {
		s := string([]byte{'a', byte(b), 'z'})
		same := url.PathEscape(s) == wire.EscapeSegment(s)
		if keeps := strings.IndexByte(pathEscapeKeeps, byte(b)) >= 0; same == keeps {
			t.Errorf("byte %#x: PathEscape %q, SDK escaping %q; listed in pathEscapeKeeps: %v",
				b, url.PathEscape(s), wire.EscapeSegment(s), keeps)
		}
	}
}
