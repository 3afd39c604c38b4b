package client

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

var uuidShape = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

func TestInterruptSuccess(t *testing.T) {
	tests := []struct {
		name       string
		signature  SignatureVersion
		format     Format
		example    string // component example the server responds with
		mediaType  string
		wantScheme signing.Scheme
		wantAccept string
	}{
		{"v3 json", SignatureV3, FormatJSON, "PageSample", spec.MediaTypeJSON, signing.SchemeV3, spec.MediaTypeJSON},
		{"default json", "", "", "PageSample", spec.MediaTypeJSON, signing.SchemeV3, spec.MediaTypeJSON},
		{"roa json", SignatureROA, FormatJSON, "PageSample", spec.MediaTypeJSON, signing.SchemeROA, spec.MediaTypeJSON},
		{"v3 xml fragment", SignatureV3, FormatXML, "PageSampleXml", spec.MediaTypeXML, signing.SchemeV3, acceptXML},
		{"v3 xml rooted", SignatureV3, FormatXML, "RootedSuccessXml", spec.MediaTypeXML, signing.SchemeV3, acceptXML},
		{"roa xml fragment", SignatureROA, FormatXML, "PageSampleXml", spec.MediaTypeXML, signing.SchemeROA, acceptXML},
		{"roa xml rooted", SignatureROA, FormatXML, "RootedSuccessXml", spec.MediaTypeXML, signing.SchemeROA, acceptXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := example(t, tt.example, tt.mediaType)
			body := exampleBody(t, ex)
			want := ex.Value.(map[string]any)
			srv := newServer(t, testCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
				writeBody(w, http.StatusOK, tt.mediaType+";charset=utf-8", body)
			})
			c, _ := newTestClient(t, srv, Config{Signature: tt.signature, Format: tt.format})
			res, err := c.InterruptElasticsearchTask(context.Background(), "es-cn-n6w1o1x0w001c****", nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Result != want["Result"].(bool) || res.RequestID != want["RequestId"].(string) {
				t.Errorf("result = %+v, want Result %v RequestId %v", res, want["Result"], want["RequestId"])
			}
			if res.HTTPStatus != http.StatusOK || res.Header.Get("X-Acs-Request-Id") != "HDR-REQ-ID" || res.Attempts != 1 {
				t.Errorf("status %d, header %v, attempts %d", res.HTTPStatus, res.Header, res.Attempts)
			}
			if !uuidShape.MatchString(res.ClientToken) {
				t.Errorf("generated ClientToken %q is not UUID-shaped", res.ClientToken)
			}
			srv.requireSigned(t)
			reqs := srv.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Verified == nil || r.Verified.Scheme != tt.wantScheme || r.Verified.AccessKeyID != testKeyID {
				t.Errorf("verified %+v, want scheme %v", r.Verified, tt.wantScheme)
			}
			if r.Method != http.MethodPost || r.EscapedPath != "/openapi/instances/es-cn-n6w1o1x0w001c%2A%2A%2A%2A/actions/interrupt" {
				t.Errorf("sent %s %s", r.Method, r.EscapedPath)
			}
			if got := r.Header.Get("Accept"); got != tt.wantAccept {
				t.Errorf("Accept = %q, want %q", got, tt.wantAccept)
			}
			if r.ClientToken != res.ClientToken {
				t.Errorf("sent clientToken %q, result says %q", r.ClientToken, res.ClientToken)
			}
			if r.Header.Get("X-Acs-Security-Token") != "" {
				t.Error("a security token was sent without STS credentials")
			}
			if r.Header.Get("X-Acs-Action") != signing.Action || r.Header.Get("X-Acs-Version") != signing.Version {
				t.Errorf("action/version headers %q/%q", r.Header.Get("X-Acs-Action"), r.Header.Get("X-Acs-Version"))
			}
		})
	}
}

func TestInterruptSuccessFields(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		wantResult              bool
		wantCode, wantMessage   string
	}{
		{"result false", "application/json", `{"Result":false,"RequestId":"R1"}`, false, "", ""},
		{"code and message", "application/json", `{"Result":false,"RequestId":"R1","Code":"C","Message":"M"}`, false, "C", "M"},
		{"text/xml", "text/xml", `<Result>true</Result><RequestId>R1</RequestId>`, true, "", ""},
		{"json upper-case media type", "Application/JSON; charset=UTF-8", `{"Result":true,"RequestId":"R1"}`, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, http.StatusOK, tt.contentType, []byte(tt.body))
			})
			c, _ := newTestClient(t, srv, Config{})
			res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Result != tt.wantResult || res.RequestID != "R1" || res.Code != tt.wantCode || res.Message != tt.wantMessage {
				t.Errorf("got %+v", res)
			}
		})
	}
}

func TestClientTokenGivenAndGenerated(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeBody(w, http.StatusOK, "application/json", successJSON("R"))
	})
	c, _ := newTestClient(t, srv, Config{})
	ctx := context.Background()

	res, err := c.InterruptElasticsearchTask(ctx, "es-1", &InterruptOptions{ClientToken: "5A2CFF0E-5718-45B5-9D4D-70B3FF****"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ClientToken != "5A2CFF0E-5718-45B5-9D4D-70B3FF****" {
		t.Errorf("ClientToken = %q", res.ClientToken)
	}
	tokens := map[string]bool{}
	for range 20 {
		res, err := c.InterruptElasticsearchTask(ctx, "es-1", &InterruptOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !uuidShape.MatchString(res.ClientToken) {
			t.Fatalf("generated token %q is not UUID-shaped", res.ClientToken)
		}
		tokens[res.ClientToken] = true
	}
	if len(tokens) != 20 {
		t.Errorf("20 calls made %d distinct tokens", len(tokens))
	}
	reqs := srv.requests()
	if reqs[0].ClientToken != "5A2CFF0E-5718-45B5-9D4D-70B3FF****" {
		t.Errorf("sent token %q", reqs[0].ClientToken)
	}
	for i, r := range reqs[1:] {
		if !tokens[r.ClientToken] {
			t.Errorf("request %d carried %q, not a token a result reported", i+1, r.ClientToken)
		}
	}
	srv.requireSigned(t)
}

func TestSTSTokenHeader(t *testing.T) {
	for _, sig := range []SignatureVersion{SignatureV3, SignatureROA} {
		t.Run(string(sig), func(t *testing.T) {
			srv := newServer(t, testSTSCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, http.StatusOK, "application/json", successJSON("R"))
			})
			c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds, Signature: sig})
			if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err != nil {
				t.Fatal(err)
			}
			srv.requireSigned(t)
			r := srv.requests()[0]
			if got := r.Header.Get("X-Acs-Security-Token"); got != testToken {
				t.Errorf("x-acs-security-token = %q, want the STS token", got)
			}
		})
	}
}

func TestWrongTokenIsRefusedByVerify(t *testing.T) {
	// The server knows the key with a different STS token: the request must not verify, which
	// shows the token is covered by the check the tests rely on.
	srv := newServer(t, StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret, SecurityToken: "other"},
		func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeBody(w, http.StatusOK, "application/json", successJSON("R"))
		})
	c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds})
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.requests()[0].VerifyErr; signing.CodeOf(err) != signing.CodeSecurityTokenMismatch {
		t.Errorf("verify error = %v, want %s", err, signing.CodeSecurityTokenMismatch)
	}
}

func TestNilAndZeroClient(t *testing.T) {
	var c *Client
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err == nil {
		t.Error("nil *Client: want an error")
	}
	if _, err := (&Client{}).InterruptElasticsearchTask(context.Background(), "es-1", nil); err == nil {
		t.Error("zero Client: want an error")
	}
	c, err := New(Config{Endpoint: "127.0.0.1:1", Credentials: testCreds})
	if err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	if _, err := c.InterruptElasticsearchTask(nilCtx, "es-1", nil); err == nil || !strings.Contains(err.Error(), "nil Context") {
		t.Errorf("nil context: err = %v", err)
	}
}

func TestKindOf(t *testing.T) {
	tests := map[string]mediaKind{
		"application/json":                mediaJSON,
		"application/json; charset=utf-8": mediaJSON,
		" APPLICATION/JSON ":              mediaJSON,
		"application/xml":                 mediaXML,
		"text/xml;charset=UTF-8":          mediaXML,
		"text/html":                       mediaOther,
		"application/problem+json":        mediaOther,
		"":                                mediaOther,
	}
	for ct, want := range tests {
		if got := kindOf(ct); got != want {
			t.Errorf("kindOf(%q) = %v, want %v", ct, got, want)
		}
	}
}

func TestCappedBody(t *testing.T) {
	tests := []struct {
		size    int
		wantErr bool
	}{{0, false}, {10, false}, {16, false}, {17, true}, {1000, true}}
	for _, tt := range tests {
		b := &cappedBody{rc: nopCloser{strings.NewReader(strings.Repeat("x", tt.size))}, left: 16, limit: 16}
		buf := make([]byte, 0, 64)
		var err error
		for {
			var n int
			n, err = b.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil || len(buf) == cap(buf) {
				break
			}
		}
		var big *BodyTooLargeError
		if got := errors.As(err, &big); got != tt.wantErr {
			t.Errorf("size %d: err = %v, want too-large %v", tt.size, err, tt.wantErr)
		}
		if len(buf) > 16 {
			t.Errorf("size %d: read %d bytes past a 16-byte cap", tt.size, len(buf))
		}
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// TestSuccessRequestIDFromHeader: a 2xx body without a RequestId takes the x-acs-request-id
// header's, as the error path does. Without either, or with a body that holds no Result (which
// the document requires), the response is a malformed body.
func TestSuccessRequestIDFromHeader(t *testing.T) {
	tests := []struct {
		name, contentType, body, header string
		wantID                          string // "": want ErrMalformedBody
		wantResult                      bool
	}{
		{"json", spec.MediaTypeJSON, `{"Result":true}`, "HDR-1", "HDR-1", true},
		{"json empty RequestId", spec.MediaTypeJSON, `{"Result":false,"RequestId":""}`, "HDR-1", "HDR-1", false},
		{"xml fragment", spec.MediaTypeXML, `<Result>true</Result>`, "HDR-1", "HDR-1", true},
		{"rooted xml", spec.MediaTypeXML, `<InterruptElasticsearchTaskResponse><Result>false</Result></InterruptElasticsearchTaskResponse>`, "HDR-1", "HDR-1", false},
		{"the body's id wins", spec.MediaTypeJSON, `{"Result":true,"RequestId":"BODY-1"}`, "HDR-1", "BODY-1", true},
		{"json without either", spec.MediaTypeJSON, `{"Result":true}`, "", "", false},
		{"xml without either", spec.MediaTypeXML, `<Result>true</Result>`, "", "", false},
		{"empty object with a header", spec.MediaTypeJSON, `{}`, "HDR-1", "", false},
		{"html as xml with a header", spec.MediaTypeXML, `<html><body>hello</body></html>`, "HDR-1", "", false},
		{"json RequestId without Result", spec.MediaTypeJSON, `{"RequestId":"BODY-1"}`, "", "", false},
		{"json RequestId with a null Result", spec.MediaTypeJSON, `{"RequestId":"BODY-1","Result":null}`, "", "", false},
		{"xml RequestId without Result", spec.MediaTypeXML, `<RequestId>BODY-1</RequestId>`, "", "", false},
		{"rooted xml RequestId without Result", spec.MediaTypeXML, `<InterruptElasticsearchTaskResponse><RequestId>BODY-1</RequestId></InterruptElasticsearchTaskResponse>`, "HDR-1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", tt.contentType)
				if tt.header != "" {
					w.Header().Set("X-Acs-Request-Id", tt.header)
				}
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(tt.body))
			})
			c, _ := newTestClient(t, srv, Config{})
			res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
			if tt.wantID != "" {
				if err != nil {
					t.Fatal(err)
				}
				if res.RequestID != tt.wantID || res.Result != tt.wantResult || res.HTTPStatus != http.StatusOK {
					t.Errorf("result %+v, want RequestID %q and Result %v", res, tt.wantID, tt.wantResult)
				}
				return
			}
			var ue *UnexpectedResponseError
			if !errors.As(err, &ue) || !errors.Is(err, ErrMalformedBody) || ue.HTTPStatus != http.StatusOK || ue.RequestID != tt.header {
				t.Errorf("err = %v (%T), want a malformed-body *UnexpectedResponseError", err, err)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests for a malformed 200, want 1", n)
			}
		})
	}
}
