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

	"github.com/es-openapi/interrupt/internal/redact"
	"github.com/es-openapi/interrupt/spec"
)

// generatedSentinels parses errors_gen.go and returns its constants: name -> code string. Besides
// the const block the file holds only the catalogue table (checked by TestGeneratedCatalogue).
func generatedSentinels(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors_gen.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if ok && gd.Tok == token.VAR && len(gd.Specs) == 1 && gd.Specs[0].(*ast.ValueSpec).Names[0].Name == "catalogue" {
			continue
		}
		if !ok || gd.Tok != token.CONST {
			t.Errorf("errors_gen.go has a declaration that is neither a const block nor the catalogue")
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

// TestEveryCatalogueCode responds with each code's example in both formats and checks the
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
					apiErr.HostID != optional(want["HostId"]) || apiErr.Recommend != want["Recommend"] {
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

// TestCallErrorCarriesTheToken: every error after the argument checks is a *CallError naming
// the token the attempts carried and their number, with the message of the error it wraps and
// every existing type and sentinel still reachable. A later call with that token reaches the
// server with it.
func TestCallErrorCarriesTheToken(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Query().Get("clientToken") {
		case "tok-503":
			writeBody(w, http.StatusServiceUnavailable, spec.MediaTypeJSON, errorBody("ServiceUnavailable"))
		case "tok-html":
			writeBody(w, http.StatusOK, "text/html", []byte("<html>"))
		default:
			writeBody(w, http.StatusBadRequest, spec.MediaTypeJSON, errorBody("InstanceNotFound"))
		}
	})
	c, _ := newTestClient(t, srv, Config{})
	ctx := context.Background()

	// A generated token.
	_, err := c.InterruptElasticsearchTask(ctx, "es-1", nil)
	var ce *CallError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want a *CallError", err, err)
	}
	reqs := srv.requests()
	if len(reqs) != 1 || ce.ClientToken != reqs[0].ClientToken || !uuidShape.MatchString(ce.ClientToken) || ce.Attempts != 1 {
		t.Fatalf("CallError %+v; the request carried %q", ce, reqs[0].ClientToken)
	}
	var apiErr *APIError
	if !errors.Is(err, ErrInstanceNotFound) || !errors.As(err, &apiErr) || err.Error() != apiErr.Error() {
		t.Errorf("err = %q does not wrap the *APIError %v unchanged", err, apiErr)
	}
	// Retrying later with the token the error names sends that token.
	if _, err := c.InterruptElasticsearchTask(ctx, "es-1", &InterruptOptions{ClientToken: ce.ClientToken}); !errors.Is(err, ErrInstanceNotFound) {
		t.Fatalf("retry: %v", err)
	}
	if reqs := srv.requests(); len(reqs) != 2 || reqs[1].ClientToken != ce.ClientToken {
		t.Errorf("the retry carried %q, want %q", reqs[len(reqs)-1].ClientToken, ce.ClientToken)
	}

	// A given token, retried to exhaustion, and an unreadable response.
	for _, tt := range []struct {
		token    string
		attempts int
		target   any
	}{
		{"tok-503", DefaultMaxAttempts, new(*APIError)},
		{"tok-html", 1, new(*UnexpectedResponseError)},
	} {
		_, err := c.InterruptElasticsearchTask(ctx, "es-1", &InterruptOptions{ClientToken: tt.token})
		if !errors.As(err, &ce) || ce.ClientToken != tt.token || ce.Attempts != tt.attempts || ce.Unwrap() == nil {
			t.Errorf("%s: err = %#v, want a *CallError with the token and %d attempts", tt.token, err, tt.attempts)
		}
		if !errors.As(err, tt.target) {
			t.Errorf("%s: errors.As(%T) fails through the *CallError", tt.token, tt.target)
		}
	}

	// A credentials error, after the checks: wrapped, nothing sent.
	bad, _ := newTestClient(t, srv, Config{Credentials: EnvCredentials{Getenv: func(string) string { return "" }}})
	_, err = bad.InterruptElasticsearchTask(ctx, "es-1", &InterruptOptions{ClientToken: "tok-creds"})
	if !errors.As(err, &ce) || ce.ClientToken != "tok-creds" || !errors.Is(err, ErrNoCredentials) {
		t.Errorf("credentials error %v (%T)", err, err)
	}

	// Arguments refused before anything is sent are not call errors.
	_, err = c.InterruptElasticsearchTask(ctx, "", nil)
	var verr *ValidationError
	if !errors.As(err, &verr) || errors.As(err, &ce) {
		t.Errorf("validation error %v (%T), want a bare *ValidationError", err, err)
	}
}

// TestRedactionKeepsIdentifiers: with a one-character secret that occurs inside the code and
// the request id, a code of the catalogue stays as the server sent it (so errors.Is and retrying
// still work), while the request ids and the free text are scrubbed.
func TestRedactionKeepsIdentifiers(t *testing.T) {
	creds := StaticCredentials{AccessKeyID: "AK-short", AccessKeySecret: "b"}
	srv := newServer(t, creds, func(w http.ResponseWriter, _ *http.Request, n int) {
		switch n {
		case 0:
			writeBody(w, http.StatusServiceUnavailable, spec.MediaTypeJSON,
				[]byte(`{"RequestId":"REQ-bb","HostId":"host-b","Code":"ServiceUnavailable","Message":"busy b","Recommend":"https://r/b"}`))
		case 1:
			w.Header().Set("X-Acs-Request-Id", "HDR-b")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<b>bad gateway</b>"))
		default:
			writeBody(w, http.StatusBadRequest, spec.MediaTypeJSON, []byte(`{"RequestId":"b","Code":"InstanceNotFound","Message":"m"}`))
		}
	})
	c, _ := newTestClient(t, srv, Config{Credentials: creds, Retry: RetryPolicy{MaxAttempts: 1}})
	ctx := context.Background()

	_, err := c.InterruptElasticsearchTask(ctx, "es-1", nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if apiErr.Code != "ServiceUnavailable" || !errors.Is(err, ErrServiceUnavailable) || !apiErr.Retryable() {
		t.Errorf("a catalogue code edited: Code %q", apiErr.Code)
	}
	for name, text := range map[string]string{"RequestID": apiErr.RequestID, "Message": apiErr.Message, "HostID": apiErr.HostID, "Recommend": apiErr.Recommend} {
		if strings.Contains(text, "b") || !strings.Contains(text, redact.Placeholder) {
			t.Errorf("%s %q is not scrubbed", name, text)
		}
	}

	_, err = c.InterruptElasticsearchTask(ctx, "es-1", nil)
	var ue *UnexpectedResponseError
	if !errors.As(err, &ue) || ue.RequestID != "HDR-"+redact.Placeholder || strings.Contains(ue.Excerpt, "b") {
		t.Errorf("UnexpectedResponseError RequestID %q, excerpt %q (want both scrubbed)", ue.RequestID, ue.Excerpt)
	}

	_, err = c.InterruptElasticsearchTask(ctx, "es-1", nil)
	if !errors.As(err, &apiErr) || apiErr.RequestID != redact.Placeholder || apiErr.Code != "InstanceNotFound" {
		t.Errorf("a RequestId that is exactly the secret: %+v", apiErr)
	}
}

// TestZeroErrorValues: the zero values of the exported error types print without panicking.
func TestZeroErrorValues(t *testing.T) {
	ue := &UnexpectedResponseError{}
	if got := ue.Error(); !strings.Contains(got, "unexpected response") {
		t.Errorf("(&UnexpectedResponseError{}).Error() = %q", got)
	}
	if errs := ue.Unwrap(); len(errs) != 0 {
		t.Errorf("Unwrap() of the zero value = %v, want none", errs)
	}
	if errors.Is(ue, ErrMalformedBody) {
		t.Error("the zero value matches ErrMalformedBody")
	}
	withErr := &UnexpectedResponseError{Err: errors.New("boom")}
	if got := withErr.Error(); !strings.Contains(got, "boom") || len(withErr.Unwrap()) != 1 {
		t.Errorf("Error() = %q, Unwrap() = %v", got, withErr.Unwrap())
	}
	if got := (&CallError{}).Error(); got == "" {
		t.Error("(&CallError{}).Error() is empty")
	}
}

// optional is an example field that may be absent (HostId on service errors), as a string.
func optional(v any) string {
	s, _ := v.(string)
	return s
}
