package contract

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/spec"
)

// judged builds a response to a request of format want and runs the live conformance on it.
func judged(t *testing.T, env *Env, status int, contentType, body string, header http.Header) *observed {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, spec.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {contentType}}
	for k, v := range header {
		h[k] = v
	}
	a := &observed{status: status, header: h, body: []byte(body), want: wantXML}
	if strings.HasPrefix(contentType, "application/json") {
		a.want = wantJSON
	}
	a.invalid = env.conform(req, a)
	return a
}

func newTestEnv(t *testing.T) *Env {
	t.Helper()
	env, err := NewEnv(Target{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// A body that breaks the document is reported by its failing field in one short line, never
// with the schema kin-openapi prints.
func TestShapeErrorIsShort(t *testing.T) {
	env := newTestEnv(t)
	id := "E9908D15-13F4-4428-B08F-A3EE8E39****"
	a := judged(t, env, 400, spec.MediaTypeXMLWire,
		"<Error><RequestId>"+id+"</RequestId><Message>The instanceId provided does not exist.</Message></Error>",
		http.Header{"X-Acs-Request-Id": {id}})
	if a.invalid == nil {
		t.Fatal("an Error without Code passed")
	}
	msg := a.invalid.Error()
	t.Log(msg)
	if len(msg) > maxReason || strings.Contains(msg, "\n") || !strings.Contains(msg, "Code") {
		t.Fatalf("the reason is not one short line naming Code (%d bytes): %s", len(msg), msg)
	}
}

// Status and Code are judged before the shape: a success where an error was due says so first.
func TestVerdictOrder(t *testing.T) {
	env := newTestEnv(t)
	id := "E9908D15-13F4-4428-B08F-A3EE8E39****"
	a := judged(t, env, 200, spec.MediaTypeJSON, `{"Result":true,"RequestId":"`+id+`"}`, nil) // no x-acs-request-id
	err := env.expectError(a, "InstanceNotFound")
	if err == nil || !strings.HasPrefix(err.Error(), "want 400 InstanceNotFound") || !strings.Contains(err.Error(), "got 200 Result=true") {
		t.Fatalf("verdict: %v", err)
	}
	// The page's own sample RequestId, with the header, conforms.
	ok := judged(t, env, 200, spec.MediaTypeJSON, `{"Result":true,"RequestId":"`+id+`"}`, http.Header{"X-Acs-Request-Id": {id}})
	if err := expectSuccess(ok); err != nil {
		t.Fatalf("the page's sample fails: %v", err)
	}
	// The document declares the header but does not require it: without it the response conforms,
	// and with another id than the body's it does not.
	if err := expectSuccess(a); err != nil {
		t.Fatalf("a response without x-acs-request-id: %v", err)
	}
	other := judged(t, env, 200, spec.MediaTypeJSON, `{"Result":true,"RequestId":"`+id+`"}`, http.Header{"X-Acs-Request-Id": {"another-id"}})
	if err := expectSuccess(other); err == nil || !strings.Contains(err.Error(), "x-acs-request-id") {
		t.Fatalf("a response whose x-acs-request-id differs from its RequestId: %v", err)
	}
}

// What the request's Accept asks, per RFC 9110 and the document's default.
func TestWantOf(t *testing.T) {
	for accept, want := range map[string]formatWant{
		"":                                  wantXML, // no Accept
		"*/*":                               wantXML,
		"application/json":                  wantJSON,
		"text/xml":                          wantXML,
		"application/json, text/xml":        wantEither,
		"application/xml;q=0, text/xml;q=0": wantJSON,
		"text/html":                         wantEither,
		"application/*;q=0.8, application/xml;q=0.1": wantJSON,
	} {
		if got := wantOf(requestSpec{accept: accept, noAccept: accept == ""}); got != want {
			t.Errorf("Accept %q: want %s, got %s", accept, want, got)
		}
	}
}

// A redirect is judged as what it is, and the failure names where it pointed.
func TestRedirectJudged(t *testing.T) {
	env := newTestEnv(t)
	a := judged(t, env, http.StatusTemporaryRedirect, "text/html", "", http.Header{"Location": {"http://127.0.0.1:2/elsewhere"}})
	if a.invalid == nil || !strings.Contains(a.invalid.Error(), `redirected to "http://127.0.0.1:2/elsewhere"`) {
		t.Errorf("conform: %v", a.invalid)
	}
	if err := expectSuccess(a); err == nil || !strings.Contains(err.Error(), "redirected to") {
		t.Errorf("expectSuccess: %v", err)
	}
}

// The throttling test and the announced wait are internal/wire's: a code that merely starts with
// the word is another code, and the header is read in any case of its field names.
func TestThrottledResponse(t *testing.T) {
	for code, want := range map[string]bool{"Throttling": true, "Throttling.Api": true, "ThrottlingX": false, "InstanceNotFound": false} {
		a := &observed{apiErr: &models.Error{Code: code}, header: http.Header{}}
		if got := a.throttled(); got != want {
			t.Errorf("throttled(%s) = %v, want %v", code, got, want)
		}
	}
	a := &observed{header: http.Header{"X-Ratelimit-User": {"limit:1, remain:0, timeleft:300, reset:1"}}}
	if got := a.throttleWait(); got != 300*time.Millisecond {
		t.Errorf("throttleWait = %s, want 300ms", got)
	}
}

// The contract builds the operation's path as the SDKs and the client do (wire.OperationPath):
// a '+' in an id is escaped, not sent raw.
func TestRequestPath(t *testing.T) {
	env := newTestEnv(t)
	req, _, err := env.request(t.Context(), requestSpec{id: "es-cn-a+b c"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.URL.EscapedPath(), "/openapi/instances/es-cn-a%2Bb%20c/actions/interrupt"; got != want {
		t.Errorf("path %q, want %q", got, want)
	}
}
