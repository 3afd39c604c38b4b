package client

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/spec"
)

// generatedSentinels parses errors_gen.go and returns its constants: name -> code string.
func generatedSentinels(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors_gen.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			t.Errorf("errors_gen.go has a declaration that is not a const block")
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				t.Errorf("%s is not of type Code", vs.Names[0].Name)
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s is not a string literal", vs.Names[0].Name)
				continue
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			out[vs.Names[0].Name] = v
		}
	}
	return out
}

func TestSentinelsMatchCatalogue(t *testing.T) {
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	gen := generatedSentinels(t)
	byCode := map[string]string{}
	for name, code := range gen {
		if _, ok := cat.Lookup(code); !ok {
			t.Errorf("sentinel %s = %q is not in the catalogue", name, code)
		}
		if prev, dup := byCode[code]; dup {
			t.Errorf("code %q has two sentinels, %s and %s", code, prev, name)
		}
		byCode[code] = name
		if want := "Err" + strings.ReplaceAll(code, ".", ""); !strings.EqualFold(name, want) {
			t.Errorf("sentinel %s for %q: want %s modulo initialisms", name, code, want)
		}
	}
	for _, e := range cat.Codes() {
		if _, ok := byCode[e.Code]; !ok {
			t.Errorf("catalogue code %q has no sentinel", e.Code)
		}
	}
	if len(gen) != cat.Len() {
		t.Errorf("%d sentinels for %d catalogue codes", len(gen), cat.Len())
	}
	// A few by name, so a change of the naming rule breaks the build of this test.
	named := map[Code]string{
		ErrInstanceNotFound:           "InstanceNotFound",
		ErrThrottlingUser:             "Throttling.User",
		ErrThrottlingAPI:              "Throttling.Api",
		ErrInvalidAccessKeyIDNotFound: "InvalidAccessKeyId.NotFound",
		ErrInvalidTimeStampExpired:    "InvalidTimeStamp.Expired",
	}
	for c, want := range named {
		if string(c) != want {
			t.Errorf("sentinel for %q holds %q", want, c)
		}
	}
}

func TestCodeMethods(t *testing.T) {
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cat.Codes() {
		c := Code(e.Code)
		if !c.Known() || c.Retryable() != e.Retryable || c.HTTPStatus() != e.Status || c.Message() != e.Message {
			t.Errorf("%s: Known %v Retryable %v HTTPStatus %d Message %q; catalogue %+v",
				e.Code, c.Known(), c.Retryable(), c.HTTPStatus(), c.Message(), e)
		}
		if !strings.Contains(c.Error(), e.Code) || c.String() != e.Code {
			t.Errorf("%s: Error %q String %q", e.Code, c.Error(), c.String())
		}
	}
	unknown := Code("NoSuchCode")
	if unknown.Known() || unknown.Retryable() || unknown.HTTPStatus() != 0 || unknown.Message() != "" {
		t.Error("an unknown code reports catalogue data")
	}
}

// TestEveryCatalogueCode answers with each code's example in both formats and checks the
// *APIError, its sentinel and its retryability.
func TestEveryCatalogueCode(t *testing.T) {
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	gen := generatedSentinels(t)
	for _, e := range cat.Codes() {
		for _, mt := range []string{spec.MediaTypeJSON, spec.MediaTypeXML} {
			component := e.Example
			format := FormatJSON
			if mt == spec.MediaTypeXML {
				component += "Xml"
				format = FormatXML
			}
			t.Run(e.Code+"/"+mt, func(t *testing.T) {
				ex := example(t, component, mt)
				body := exampleBody(t, ex)
				want := ex.Value.(map[string]any)
				srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
					writeBody(w, e.Status, mt, body)
				})
				// One attempt: retries are tested elsewhere; here every code must come out as is.
				c, _ := newTestClient(t, srv, Config{Format: format, Retry: RetryPolicy{MaxAttempts: 1}})
				_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v (%T), want *APIError", err, err)
				}
				if apiErr.HTTPStatus != e.Status || apiErr.Code != e.Code ||
					apiErr.Message != want["Message"] || apiErr.RequestID != want["RequestId"] ||
					apiErr.HostID != want["HostId"] || apiErr.Recommend != want["Recommend"] {
					t.Errorf("APIError %+v, want the example %v with status %d", apiErr, want, e.Status)
				}
				if apiErr.ErrorCode() != e.Code || apiErr.ErrorMessage() != apiErr.Message {
					t.Errorf("ErrorCode %q ErrorMessage %q", apiErr.ErrorCode(), apiErr.ErrorMessage())
				}
				if apiErr.Retryable() != e.Retryable {
					t.Errorf("Retryable() = %v, catalogue says %v", apiErr.Retryable(), e.Retryable)
				}
				if !strings.Contains(err.Error(), e.Code) || !strings.Contains(err.Error(), apiErr.RequestID) {
					t.Errorf("Error() %q lacks the code or request id", err.Error())
				}
				for name, code := range gen {
					if got, wantIs := errors.Is(err, Code(code)), code == e.Code; got != wantIs {
						t.Errorf("errors.Is(err, %s) = %v, want %v", name, got, wantIs)
					}
				}
				if len(srv.requests()) != 1 {
					t.Errorf("%d requests, want 1", len(srv.requests()))
				}
			})
		}
	}
}

func TestAPIErrorUnknownCode(t *testing.T) {
	tests := []struct {
		status    int
		code      string
		retryable bool
	}{
		{400, "SomethingNew", false},
		{502, "BadGateway", true},
		{400, "Throttling.Something", true},
		{429, "", false},
	}
	for _, tt := range tests {
		e := &APIError{HTTPStatus: tt.status, Code: tt.code}
		if e.Retryable() != tt.retryable {
			t.Errorf("%d %q: Retryable %v, want %v", tt.status, tt.code, e.Retryable(), tt.retryable)
		}
		if errors.Is(e, ErrInstanceNotFound) || errors.Is(e, Code("")) {
			t.Errorf("%q matches a sentinel it is not", tt.code)
		}
	}
	if got := (&APIError{HTTPStatus: 500}).Error(); got != "elasticsearch: error (HTTP 500)" {
		t.Errorf("Error() of an empty body = %q", got)
	}
}

func TestUnreadableResponses(t *testing.T) {
	big := strings.Repeat("x", MaxResponseBodyBytes+1)
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		chunked     bool
		wantReason  error // nil: *BodyTooLargeError
	}{
		{"garbage json", 200, "application/json", "not json at all", false, ErrMalformedBody},
		{"garbage xml", 200, "application/xml", "<<<>>>", false, ErrMalformedBody},
		{"html as xml", 200, "application/xml", "<html><body>hello</body></html>", false, ErrMalformedBody},
		{"empty json object", 200, "application/json", "{}", false, ErrMalformedBody},
		{"wrong json type", 200, "application/json", `{"Result":"yes","RequestId":"R"}`, false, ErrMalformedBody},
		{"xml doctype", 200, "application/xml", `<!DOCTYPE x [<!ENTITY a "b">]><Result>true</Result><RequestId>R</RequestId>`, false, ErrMalformedBody},
		{"garbage error json", 400, "application/json", "{", false, ErrMalformedBody},
		{"html 200", 200, "text/html", "<html>hi</html>", false, ErrUndocumentedContentType},
		{"html 502", 502, "text/html; charset=utf-8", "<html>Bad Gateway</html>", false, ErrUndocumentedContentType},
		{"no content type", 200, "", `{"Result":true,"RequestId":"R"}`, false, ErrUndocumentedContentType},
		{"redirect", 302, "application/json", `{}`, false, ErrUnexpectedStatus},
		{"oversized with length", 200, "application/json", big, false, nil},
		{"oversized chunked", 200, "application/json", big, true, nil},
		{"oversized error chunked", 400, "application/json", big, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				if tt.contentType == "" {
					w.Header()["Content-Type"] = nil // stop the server from sniffing one
				}
				w.Header().Set("X-Acs-Request-Id", "HDR-REQ-ID")
				if tt.status == 302 {
					w.Header().Set("Location", "/elsewhere")
				}
				if !tt.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(tt.body)))
				}
				w.WriteHeader(tt.status)
				if tt.chunked {
					for i := 0; i < len(tt.body); i += 64 << 10 {
						_, _ = w.Write([]byte(tt.body[i:min(len(tt.body), i+64<<10)]))
						w.(http.Flusher).Flush()
					}
					return
				}
				_, _ = w.Write([]byte(tt.body))
			})
			c, _ := newTestClient(t, srv, Config{})
			_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
			if tt.wantReason == nil {
				var bigErr *BodyTooLargeError
				if !errors.As(err, &bigErr) || bigErr.Limit != MaxResponseBodyBytes || bigErr.HTTPStatus != tt.status {
					t.Fatalf("err = %v (%T), want *BodyTooLargeError with status %d", err, err, tt.status)
				}
			} else {
				var ue *UnexpectedResponseError
				if !errors.As(err, &ue) || !errors.Is(err, tt.wantReason) {
					t.Fatalf("err = %v (%T), want *UnexpectedResponseError for %v", err, err, tt.wantReason)
				}
				if ue.HTTPStatus != tt.status || ue.RequestID != "HDR-REQ-ID" || ue.ContentType != tt.contentType {
					t.Errorf("error fields %+v", ue)
				}
				start := strconv.Quote(tt.body[:min(len(tt.body), 8)])
				if len(ue.Excerpt) > 2*excerptLen+8 || !strings.HasPrefix(ue.Excerpt, start[:len(start)-1]) {
					t.Errorf("excerpt %q does not quote the body's start", ue.Excerpt)
				}
				if !strings.Contains(err.Error(), strconv.Itoa(tt.status)) {
					t.Errorf("Error() %q lacks the status", err.Error())
				}
			}
			// 502 is retried (5xx), the others are not.
			wantReqs := 1
			if tt.status >= 500 {
				wantReqs = DefaultMaxAttempts
			}
			if n := len(srv.requests()); n != wantReqs {
				t.Errorf("%d requests, want %d", n, wantReqs)
			}
		})
	}
}

func TestErrorStrings(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&ValidationError{Field: "clientToken", Reason: "must be ASCII"}, "client: invalid clientToken: must be ASCII"},
		{&ConfigError{Field: "Endpoint", Reason: "must not have a path"}, "client: invalid Config.Endpoint: must not have a path"},
		{&BodyTooLargeError{Limit: 10, HTTPStatus: 200}, "client: response body exceeds 10 bytes (HTTP 200)"},
		{&BodyTooLargeError{Limit: 10}, "client: response body exceeds 10 bytes"},
		{&APIError{HTTPStatus: 400, Code: "C", Message: "M", RequestID: "R"}, "elasticsearch: C (HTTP 400): M (RequestId: R)"},
		{&UnexpectedResponseError{HTTPStatus: 200, ContentType: "text/html", Excerpt: `"<p>"`, Reason: ErrUndocumentedContentType},
			`client: undocumented content type (HTTP 200, Content-Type "text/html"); body begins "<p>"`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
