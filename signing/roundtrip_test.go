package signing

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// awkward InstanceIds and clientTokens: every character class the
// canonicalizations treat specially.
var awkward = []struct{ name, id, token string }{
	{"plain", testID, ""},
	{"plain token", testID, "5f0c6a9e-4b0a-4a1e-9f7e-2d3c4b5a6978"},
	{"space", "es cn 1", "tok en"},
	{"star", "es*cn", "a*b"},
	{"tilde", "es~cn", "a~b"},
	{"plus", "es+cn", "a+b"},
	{"slash", "es/cn", "a/b"},
	{"equals", "es=cn", "a=b==c"},
	{"ampersand", "es&cn", "a&b&"},
	{"percent", "es%41cn", "100%"},
	{"unicode", "实例-ü", "токен-€"},
	{"reserved", "a;b,c?d#e@f:g$h!i'j(k)l", "a;b,c?d#e@f:g$h!"},
	{"everything", " *~+/=&%é ", " *~+/=&%é "},
}

// canonicalEscape re-encodes a query with %20 for space (V3 style) instead
// of url.Values' '+', to show both wire forms verify.
func canonicalEscape(q url.Values) string {
	return CanonicalQuery(q)
}

func TestRoundTrip(t *testing.T) {
	for _, scheme := range bothScheme {
		for _, c := range awkward {
			t.Run(scheme.String()+"/"+c.name, func(t *testing.T) {
				req := newClientRequest(t, "https://"+testHost, c.id, c.token)
				if err := Sign(req, scheme, testCreds, testNow, testNonce); err != nil {
					t.Fatal(err)
				}
				v, err := Verify(req, lookupOf(testCreds), testOpts)
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if v.Scheme != scheme || v.AccessKeyID != testAK || v.Nonce != testNonce || !v.Date.Equal(testNow) {
					t.Fatalf("verified %+v", v)
				}
				// The signature as sent: a replay cache keys a request without a nonce by it.
				if auth := req.Header.Get("Authorization"); v.Signature == "" || !strings.HasSuffix(auth, v.Signature) {
					t.Fatalf("Signature %q is not the end of Authorization %q", v.Signature, auth)
				}
				if req.URL.Path != "/openapi/instances/"+c.id+"/actions/interrupt" {
					t.Fatalf("URL path %q", req.URL.Path)
				}
				// Same values, other query encodings: form ('+') and %20.
				if c.token != "" {
					for _, raw := range []string{
						url.Values{"clientToken": {c.token}}.Encode(),
						canonicalEscape(url.Values{"clientToken": {c.token}}),
					} {
						r2 := req.Clone(req.Context())
						r2.URL.RawQuery = raw
						if _, err := Verify(r2, lookupOf(testCreds), testOpts); err != nil {
							t.Errorf("query %q: %v", raw, err)
						}
					}
				}
			})
		}
	}
}

// TestRoundTripWire sends every awkward request over a real connection, so
// the server sees the path and query exactly as net/http transmits them.
func TestRoundTripWire(t *testing.T) {
	srv := newVerifyServer(t, lookupOf(testCreds, Credentials{AccessKeyID: "STS-AK", AccessKeySecret: "x-" + testSecret, SecurityToken: testToken}), testOpts)
	for _, scheme := range bothScheme {
		for _, c := range awkward {
			for _, percent20 := range []bool{false, true} {
				req := newClientRequest(t, srv.URL, c.id, c.token)
				if percent20 && c.token != "" {
					req.URL.RawQuery = canonicalEscape(url.Values{"clientToken": {c.token}})
				}
				creds := testCreds
				if c.name == "space" { // also run STS over the wire once
					creds = Credentials{AccessKeyID: "STS-AK", AccessKeySecret: "x-" + testSecret, SecurityToken: testToken}
				}
				if err := Sign(req, scheme, creds, testNow, testNonce); err != nil {
					t.Fatal(err)
				}
				res := send(t, req)
				if !res.OK || res.Scheme != scheme || res.Nonce != testNonce {
					t.Errorf("%v %s %%20=%v: %+v", scheme, c.name, percent20, res)
				}
				if want := "/openapi/instances/" + c.id + "/actions/interrupt"; res.Path != want {
					t.Errorf("%v %s: server path %q, want %q", scheme, c.name, res.Path, want)
				}
			}
		}
	}
}

// TestSignedFormEncodedQuery: the server may see '+' where the client had
// %20 (or the reverse) after signing; the decoded values are what count.
func TestSignedFormEncodedQuery(t *testing.T) {
	for _, scheme := range bothScheme {
		req := newClientRequest(t, "https://"+testHost, testID, "")
		req.URL.RawQuery = "clientToken=a%20b%2Ac"
		if err := Sign(req, scheme, testCreds, testNow, testNonce); err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = "clientToken=a+b*c"
		if _, err := Verify(req, lookupOf(testCreds), testOpts); err != nil {
			t.Errorf("%v: %v", scheme, err)
		}
		req.URL.RawQuery = "clientToken=a%2Bb*c" // a literal '+' is a different value
		if got := codeOrOK(mustVerify(req)); got != CodeSignatureDoesNotMatch {
			t.Errorf("%v: literal plus: %s", scheme, got)
		}
	}
}

func mustVerify(req *http.Request) error {
	_, err := Verify(req, lookupOf(testCreds, stsCreds), testOpts)
	return err
}

func TestRoundTripBody(t *testing.T) {
	body := `{"unexpected":"but signed"}`
	for _, scheme := range bothScheme {
		for _, withGetBody := range []bool{true, false} {
			req, err := http.NewRequest(http.MethodPost, operationURL("https://"+testHost, testID, ""), strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if !withGetBody {
				req.GetBody = nil
				req.Body = io.NopCloser(strings.NewReader(body))
			}
			if err := Sign(req, scheme, testCreds, testNow, testNonce); err != nil {
				t.Fatal(err)
			}
			if scheme == SchemeV3 && req.Header.Get("X-Acs-Content-Sha256") == EmptyPayloadHash {
				t.Fatal("body not hashed")
			}
			if scheme == SchemeROA && req.Header.Get("Content-MD5") == "" {
				t.Fatal("no Content-MD5 for a body")
			}
			if req.GetBody == nil {
				t.Fatal("Sign should leave a GetBody for retries")
			}
			// Server side: no GetBody, the body must be read and put back.
			req.GetBody = nil
			if _, err := Verify(req, lookupOf(testCreds), testOpts); err != nil {
				t.Fatalf("%v getbody=%v: %v", scheme, withGetBody, err)
			}
			got, _ := io.ReadAll(req.Body)
			if string(got) != body {
				t.Fatalf("body after Verify = %q", got)
			}
		}
	}
}

func TestVerifyBodyTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("x"), MaxVerifyBody+10)
	for _, scheme := range bothScheme {
		req, _ := http.NewRequest(http.MethodPost, operationURL("https://"+testHost, testID, ""), bytes.NewReader(big))
		if err := Sign(req, scheme, testCreds, testNow, testNonce); err != nil {
			t.Fatal(err)
		}
		req.GetBody = nil
		if got := codeOrOK(mustVerify(req)); got != CodeSignatureDoesNotMatch {
			t.Errorf("%v: %s", scheme, got)
		}
		if rest, _ := io.ReadAll(req.Body); len(rest) != len(big) {
			t.Errorf("%v: body not restored: %d bytes", scheme, len(rest))
		}
	}
}

// TestResign: a retry re-signs the same request with a new nonce and
// possibly other credentials; nothing stale may survive.
func TestResign(t *testing.T) {
	for _, scheme := range bothScheme {
		req := newClientRequest(t, "https://"+testHost, testID, "tok")
		if err := Sign(req, scheme, stsCreds, testNow, "nonce-1"); err != nil {
			t.Fatal(err)
		}
		if err := Sign(req, scheme, testCreds, testNow.Add(time.Second), "nonce-2"); err != nil {
			t.Fatal(err)
		}
		if req.Header.Get("X-Acs-Security-Token") != "" {
			t.Errorf("%v: stale security token", scheme)
		}
		v, err := Verify(req, lookupOf(testCreds), testOpts)
		if err != nil || v.Nonce != "nonce-2" {
			t.Errorf("%v: %v %+v", scheme, err, v)
		}
		for k, vs := range req.Header {
			if len(vs) != 1 {
				t.Errorf("%v: header %s has %d values", scheme, k, len(vs))
			}
		}
	}
}

// TestSignMatchesBuildingBlocks recomputes Sign's Authorization with the
// exported functions, including caller headers Sign does not own and a
// duplicate key spelled differently.
func TestSignMatchesBuildingBlocks(t *testing.T) {
	req := newClientRequest(t, "https://"+testHost, "es cn*1", "b b")
	req.URL.RawQuery += "&a=1&a=0&empty="
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Acs-Credentials-Provider", "static_ak")
	req.Header["x-acs-zz"] = []string{" padded "}
	if err := Sign(req, SchemeV3, stsCreds, testNow, testNonce); err != nil {
		t.Fatal(err)
	}
	_, signedHeaders := CanonicalHeadersV3(req.Header, req.URL.Host)
	cr := CanonicalRequestV3(req.Method, req.URL.EscapedPath(), req.URL.Query(), req.Header, req.URL.Host, EmptyPayloadHash)
	want := AuthorizationV3(testAK, signedHeaders, SignatureV3(testSecret, StringToSignV3(cr)))
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("V3 Authorization\n%s\nwant\n%s\ncanonical request:\n%s", got, want, cr)
	}
	if !strings.Contains(cr, "content-type:application/json\n") || !strings.Contains(cr, "x-acs-zz:padded\n") ||
		!strings.Contains(cr, "\n/openapi/instances/es%20cn%2A1/actions/interrupt\na=0&a=1&clientToken=b%20b&empty=\n") {
		t.Errorf("canonical request:\n%s", cr)
	}
	if _, err := Verify(req, lookupOf(stsCreds), testOpts); err != nil {
		t.Error(err)
	}

	req = newClientRequest(t, "https://"+testHost, "es cn*1", "b b")
	req.Header.Set("Content-Type", "application/json")
	if err := Sign(req, SchemeROA, stsCreds, testNow, testNonce); err != nil {
		t.Fatal(err)
	}
	sts := StringToSignROA(req.Method, req.Header, req.URL.EscapedPath(), req.URL.Query())
	if got, want := req.Header.Get("Authorization"), AuthorizationROA(testAK, SignatureROA(testSecret, sts)); got != want {
		t.Errorf("ROA Authorization %s, want %s; string to sign:\n%s", got, want, sts)
	}
	wantSTS := "POST\napplication/json\n\napplication/json\nTue, 05 Mar 2024 06:07:08 GMT\n" +
		"x-acs-action:InterruptElasticsearchTask\nx-acs-security-token:" + testToken + "\n" +
		"x-acs-signature-method:HMAC-SHA1\nx-acs-signature-nonce:" + testNonce + "\nx-acs-signature-version:1.0\n" +
		"x-acs-version:2017-06-13\n/openapi/instances/es%20cn%2A1/actions/interrupt?clientToken=b b"
	if sts != wantSTS {
		t.Errorf("ROA string to sign\n%q\nwant\n%q", sts, wantSTS)
	}
}

// TestSignReplacesOtherSpellings: headers Sign owns, pre-set under
// non-canonical keys (as tea-style code does), must not survive as second
// values, while the caller's own extra headers are kept and signed.
func TestSignReplacesOtherSpellings(t *testing.T) {
	srv := newVerifyServer(t, lookupOf(testCreds), testOpts)
	owned := map[Scheme][]string{
		SchemeV3:  {"x-acs-date", "x-acs-action", "x-acs-signature-nonce", "x-acs-security-token", "x-acs-version", "x-acs-content-sha256"},
		SchemeROA: {"date", "x-acs-action", "x-acs-signature-nonce", "x-acs-security-token", "x-acs-version", "x-acs-signature-method", "content-md5"},
	}
	for _, scheme := range bothScheme {
		req := newClientRequest(t, srv.URL, testID, "tok")
		for _, k := range owned[scheme] {
			req.Header[k] = []string{"stale"}
		}
		req.Header["x-acs-credentials-provider"] = []string{"static_ak"}
		if err := Sign(req, scheme, testCreds, testNow, testNonce); err != nil {
			t.Fatal(err)
		}
		for k, vs := range req.Header {
			if len(vs) != 1 || vs[0] == "stale" {
				t.Errorf("%v: %s = %q", scheme, k, vs)
			}
		}
		//lint:ignore SA1008 the caller set the header under this exact, non-canonical key (as darabonba does)
		if _, ok := req.Header["x-acs-credentials-provider"]; !ok {
			t.Errorf("%v: caller's header dropped", scheme)
		}
		if res := send(t, req); !res.OK {
			t.Errorf("%v: %+v", scheme, res)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// TestBodyReadErrors: an unreadable body is an I/O problem, reported as a
// plain error rather than a signature verdict.
func TestBodyReadErrors(t *testing.T) {
	for _, scheme := range bothScheme {
		req := newClientRequest(t, "https://"+testHost, testID, "")
		req.GetBody = func() (io.ReadCloser, error) { return nil, errors.New("no body for you") }
		if err := Sign(req, scheme, testCreds, testNow, testNonce); err == nil {
			t.Errorf("%v: Sign ignored GetBody error", scheme)
		}
		req = signed(t, scheme, testCreds)
		req.Body = io.NopCloser(failingReader{})
		_, err := Verify(req, lookupOf(testCreds), testOpts)
		if err == nil || CodeOf(err) != "" || !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("%v: %v", scheme, err)
		}
	}
}
