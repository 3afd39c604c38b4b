package signing

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Shared fixtures. The secret and token are distinctive so that the
// redaction tests can grep for them in any output.
const (
	testAK     = "LTAI5tTestAccessKeyID"
	testSecret = "S3cr3t-Do-Not-Log-9f8e7d6c5b4a"
	testToken  = "STS-T0ken-Do-Not-Log-CAIS0123456789"
	testNonce  = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	testID     = "es-cn-n6w1o1x0w001c"
	testHost   = "elasticsearch.cn-hangzhou.aliyuncs.com"
)

var (
	testNow    = time.Date(2024, 3, 5, 6, 7, 8, 0, time.UTC)
	testCreds  = Credentials{AccessKeyID: testAK, AccessKeySecret: testSecret}
	stsCreds   = Credentials{AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: testToken}
	testOpts   = VerifyOptions{Now: testNow}
	bothScheme = []Scheme{SchemeV3, SchemeROA}
)

// lookupOf serves exactly the given credentials.
func lookupOf(cs ...Credentials) Lookup {
	return func(ak string) (Credentials, bool) {
		for _, c := range cs {
			if c.AccessKeyID == ak {
				return c, true
			}
		}
		return Credentials{}, false
	}
}

// operationURL builds the operation URL the way our client does: InstanceId
// path-escaped as one segment, clientToken form-encoded into the query.
func operationURL(base, id, token string) string {
	u := base + "/openapi/instances/" + url.PathEscape(id) + "/actions/interrupt"
	if token != "" {
		u += "?" + url.Values{"clientToken": {token}}.Encode()
	}
	return u
}

// newClientRequest is a request as our client would build it before Sign.
func newClientRequest(t testing.TB, base, id, token string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, operationURL(base, id, token), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	return req
}

// signed is a fresh request for testID signed with scheme at testNow.
func signed(t testing.TB, scheme Scheme, creds Credentials) *http.Request {
	t.Helper()
	req := newClientRequest(t, "https://"+testHost, testID, "tok-123")
	if err := Sign(req, scheme, creds, testNow, testNonce); err != nil {
		t.Fatal(err)
	}
	return req
}

// verifyResult is what the wire test server reports back.
type verifyResult struct {
	OK           bool
	Code         string
	Scheme       Scheme
	AccessKeyID  string
	Nonce        string
	StringToSign string
	Path         string
}

// newVerifyServer is a reference server in miniature: it runs Verify on
// each request exactly as received over a real connection.
func newVerifyServer(t *testing.T, lookup Lookup, opts VerifyOptions) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := verifyResult{Path: r.URL.Path}
		v, err := Verify(r, lookup, opts)
		if err != nil {
			res.Code = CodeOf(err)
			if res.Code == "" {
				res.Code = err.Error()
			}
		} else {
			res = verifyResult{OK: true, Scheme: v.Scheme, AccessKeyID: v.AccessKeyID, Nonce: v.Nonce, StringToSign: v.StringToSign, Path: r.URL.Path}
		}
		_ = json.NewEncoder(w).Encode(res)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// send performs req against the verify server and decodes its verdict.
func send(t *testing.T, req *http.Request) verifyResult {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var res verifyResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("server said %d %q", resp.StatusCode, b)
	}
	return res
}

// codeOrOK is "" for success, else the error's code (or text if untyped).
func codeOrOK(err error) string {
	if err == nil {
		return ""
	}
	if c := CodeOf(err); c != "" {
		return c
	}
	return err.Error()
}

// mustContainNone fails if s contains any of the secrets.
func mustContainNone(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testSecret, testToken} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks a secret: %q", what, s)
		}
	}
}
