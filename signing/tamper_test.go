package signing

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// tamper describes one change to a validly signed request and the code
// Verify must return ("" = still valid).
type tamper struct {
	name    string
	schemes []Scheme // nil: both
	creds   Credentials
	mutate  func(req *http.Request, opts *VerifyOptions, lookup *Lookup)
	code    string
}

var v3Only, roaOnly = []Scheme{SchemeV3}, []Scheme{SchemeROA}

func setHeader(k, v string) func(*http.Request, *VerifyOptions, *Lookup) {
	return func(r *http.Request, _ *VerifyOptions, _ *Lookup) { r.Header.Set(k, v) }
}

func delHeader(k string) func(*http.Request, *VerifyOptions, *Lookup) {
	return func(r *http.Request, _ *VerifyOptions, _ *Lookup) { r.Header.Del(k) }
}

// replaceAuth edits the Authorization value.
func replaceAuth(old, new string) func(*http.Request, *VerifyOptions, *Lookup) {
	return func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

var tampers = []tamper{
	{name: "untouched", code: ""},
	{name: "untouched STS", creds: stsCreds, code: ""},

	// Request line.
	{name: "path changed", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.URL.Path = "/openapi/instances/es-cn-other/actions/interrupt"
		r.URL.RawPath = ""
	}, code: CodeSignatureDoesNotMatch},
	{name: "action in path changed", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.URL.Path = strings.Replace(r.URL.Path, "interrupt", "resume", 1)
	}, code: CodeSignatureDoesNotMatch},
	{name: "query changed", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.URL.RawQuery = "clientToken=tok-124"
	}, code: CodeSignatureDoesNotMatch},
	{name: "query added", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.URL.RawQuery += "&force=true"
	}, code: CodeSignatureDoesNotMatch},
	{name: "query removed", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.URL.RawQuery = ""
	}, code: CodeSignatureDoesNotMatch},
	{name: "query malformed", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.URL.RawQuery = "clientToken=%zz"
	}, code: CodeIncompleteSignature},
	{name: "method changed", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Method = http.MethodPut
	}, code: CodeSignatureDoesNotMatch},
	{name: "host changed", schemes: v3Only, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Host = "evil.example.com"
	}, code: CodeSignatureDoesNotMatch},

	// Headers.
	{name: "signed header changed", mutate: setHeader("X-Acs-Action", "DeleteInstance"), code: CodeSignatureDoesNotMatch},
	{name: "version changed", mutate: setHeader("X-Acs-Version", "2099-01-01"), code: CodeSignatureDoesNotMatch},
	{name: "nonce changed", mutate: setHeader("X-Acs-Signature-Nonce", "other"), code: CodeSignatureDoesNotMatch},
	{name: "accept changed", schemes: roaOnly, mutate: setHeader("Accept", "application/xml"), code: CodeSignatureDoesNotMatch},
	{name: "content-type added", schemes: roaOnly, mutate: setHeader("Content-Type", "text/plain"), code: CodeSignatureDoesNotMatch},
	{name: "x-acs header added", schemes: roaOnly, mutate: setHeader("X-Acs-Extra", "1"), code: CodeSignatureDoesNotMatch},
	{name: "unsigned x-acs header added", schemes: v3Only, mutate: setHeader("X-Acs-Extra", "1"), code: CodeIncompleteSignature},
	{name: "unsigned other header added", mutate: setHeader("User-Agent", "curl/8"), code: ""},
	{name: "signed header value repeated", schemes: v3Only, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Header.Add("X-Acs-Action", "DeleteInstance")
	}, code: CodeSignatureDoesNotMatch},
	{name: "date header repeated", schemes: v3Only, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Header.Add("X-Acs-Date", r.Header.Get("X-Acs-Date"))
	}, code: CodeIncompleteSignature},
	{name: "content-sha256 forged", schemes: v3Only, mutate: setHeader("X-Acs-Content-Sha256", strings.Repeat("0", 64)), code: CodeSignatureDoesNotMatch},
	{name: "content-md5 forged", schemes: roaOnly, mutate: setHeader("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="), code: CodeSignatureDoesNotMatch},
	{name: "signature method changed", schemes: roaOnly, mutate: setHeader("X-Acs-Signature-Method", "HMAC-SHA256"), code: CodeIncompleteSignature},

	// Body.
	{name: "body added", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Body = io.NopCloser(strings.NewReader(`{"x":1}`))
		r.ContentLength = 7
	}, code: CodeSignatureDoesNotMatch},
	{name: "body added via GetBody", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x")), nil }
	}, code: CodeSignatureDoesNotMatch},

	// Time.
	{name: "server clock 16m ahead", mutate: func(_ *http.Request, o *VerifyOptions, _ *Lookup) {
		o.Now = o.Now.Add(16 * time.Minute)
	}, code: CodeTimeStampExpired},
	{name: "server clock 16m behind", mutate: func(_ *http.Request, o *VerifyOptions, _ *Lookup) {
		o.Now = o.Now.Add(-16 * time.Minute)
	}, code: CodeTimeStampExpired},
	{name: "server clock 14m ahead", mutate: func(_ *http.Request, o *VerifyOptions, _ *Lookup) {
		o.Now = o.Now.Add(14 * time.Minute)
	}, code: ""},
	{name: "tighter MaxSkew", mutate: func(_ *http.Request, o *VerifyOptions, _ *Lookup) {
		o.Now, o.MaxSkew = o.Now.Add(2*time.Minute), time.Minute
	}, code: CodeTimeStampExpired},
	{name: "date skewed", schemes: v3Only, mutate: setHeader("X-Acs-Date", "2024-03-05T05:07:08Z"), code: CodeTimeStampExpired},
	{name: "date skewed", schemes: roaOnly, mutate: setHeader("Date", "Tue, 05 Mar 2024 05:07:08 GMT"), code: CodeTimeStampExpired},
	{name: "date within skew but changed", schemes: v3Only, mutate: setHeader("X-Acs-Date", "2024-03-05T06:07:09Z"), code: CodeSignatureDoesNotMatch},
	{name: "date unparsable", schemes: v3Only, mutate: setHeader("X-Acs-Date", "Tue, 05 Mar 2024 06:07:08 GMT"), code: CodeIncompleteSignature},
	{name: "date unparsable", schemes: roaOnly, mutate: setHeader("Date", "2024-03-05T06:07:08Z"), code: CodeIncompleteSignature},

	// Keys.
	{name: "wrong secret", mutate: func(_ *http.Request, _ *VerifyOptions, l *Lookup) {
		*l = lookupOf(Credentials{AccessKeyID: testAK, AccessKeySecret: "other"})
	}, code: CodeSignatureDoesNotMatch},
	{name: "unknown key", mutate: func(_ *http.Request, _ *VerifyOptions, l *Lookup) { *l = lookupOf() }, code: CodeAccessKeyNotFound},
	{name: "nil lookup", mutate: func(_ *http.Request, _ *VerifyOptions, l *Lookup) { *l = nil }, code: CodeAccessKeyNotFound},
	{name: "stored secret empty", mutate: func(_ *http.Request, _ *VerifyOptions, l *Lookup) {
		*l = lookupOf(Credentials{AccessKeyID: testAK})
	}, code: CodeAccessKeyNotFound},
	{name: "other key id", schemes: v3Only, mutate: replaceAuth("Credential="+testAK, "Credential=LTAIother"), code: CodeAccessKeyNotFound},
	{name: "other key id", schemes: roaOnly, mutate: replaceAuth("acs "+testAK, "acs LTAIother"), code: CodeAccessKeyNotFound},
	{name: "signature flipped", schemes: v3Only, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		a := r.Header.Get("Authorization")
		last := a[len(a)-1]
		r.Header.Set("Authorization", a[:len(a)-1]+map[bool]string{true: "1", false: "0"}[last == '0'])
	}, code: CodeSignatureDoesNotMatch},

	// STS.
	{name: "token changed", creds: stsCreds, mutate: setHeader("X-Acs-Security-Token", "other-token"), code: CodeSecurityTokenMismatch},
	{name: "token dropped", schemes: roaOnly, creds: stsCreds, mutate: delHeader("X-Acs-Security-Token"), code: CodeSecurityTokenMismatch},
	// V3 still lists it in SignedHeaders: a signed header is missing.
	{name: "token dropped", schemes: v3Only, creds: stsCreds, mutate: delHeader("X-Acs-Security-Token"), code: CodeIncompleteSignature},
	{name: "token dropped from headers and SignedHeaders", schemes: v3Only, creds: stsCreds, mutate: func(r *http.Request, o *VerifyOptions, l *Lookup) {
		r.Header.Del("X-Acs-Security-Token")
		replaceAuth("x-acs-security-token;", "")(r, o, l)
	}, code: CodeSecurityTokenMismatch},
	{name: "token the key lacks", mutate: func(_ *http.Request, _ *VerifyOptions, l *Lookup) {
		*l = lookupOf(testCreds)
	}, creds: stsCreds, code: CodeSecurityTokenMismatch},
	{name: "key now has a token", mutate: func(_ *http.Request, _ *VerifyOptions, l *Lookup) {
		*l = lookupOf(stsCreds)
	}, code: CodeSecurityTokenMismatch},

	// Missing and malformed pieces.
	{name: "missing Authorization", mutate: delHeader("Authorization"), code: CodeIncompleteSignature},
	{name: "empty Authorization", mutate: setHeader("Authorization", ""), code: CodeIncompleteSignature},
	{name: "two Authorization headers", mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Header.Add("Authorization", r.Header.Get("Authorization"))
	}, code: CodeIncompleteSignature},
	{name: "missing x-acs-date", schemes: v3Only, mutate: delHeader("X-Acs-Date"), code: CodeIncompleteSignature},
	{name: "missing nonce", schemes: v3Only, mutate: delHeader("X-Acs-Signature-Nonce"), code: CodeIncompleteSignature},
	{name: "missing nonce", schemes: roaOnly, mutate: delHeader("X-Acs-Signature-Nonce"), code: CodeSignatureDoesNotMatch},
	{name: "missing content-sha256", schemes: v3Only, mutate: delHeader("X-Acs-Content-Sha256"), code: CodeIncompleteSignature},
	{name: "missing Date", schemes: roaOnly, mutate: delHeader("Date"), code: CodeIncompleteSignature},
	{name: "V3 missing Signature", schemes: v3Only, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		a := r.Header.Get("Authorization")
		r.Header.Set("Authorization", a[:strings.LastIndex(a, ",")])
	}, code: CodeIncompleteSignature},
	{name: "V3 unknown part", schemes: v3Only, mutate: replaceAuth(",Signature=", ",Foo=bar,Signature="), code: CodeIncompleteSignature},
	{name: "V3 duplicated part", schemes: v3Only, mutate: replaceAuth(",Signature=", ",Credential="+testAK+",Signature="), code: CodeIncompleteSignature},
	{name: "V3 no space after algorithm", schemes: v3Only, mutate: replaceAuth("ACS3-HMAC-SHA256 ", "ACS3-HMAC-SHA256"), code: CodeIncompleteSignature},
	{name: "V3 other algorithm", schemes: v3Only, mutate: replaceAuth("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3"), code: CodeIncompleteSignature},
	{name: "V3 SignedHeaders without host", schemes: v3Only, mutate: replaceAuth("SignedHeaders=host;", "SignedHeaders="), code: CodeIncompleteSignature},
	{name: "V3 SignedHeaders lists absent header", schemes: v3Only, mutate: replaceAuth("SignedHeaders=", "SignedHeaders=content-type;"), code: CodeIncompleteSignature},
	{name: "V3 SignedHeaders duplicate", schemes: v3Only, mutate: replaceAuth("SignedHeaders=host;", "SignedHeaders=host;host;"), code: CodeIncompleteSignature},
	{name: "V3 SignedHeaders empty name", schemes: v3Only, mutate: replaceAuth("SignedHeaders=host;", "SignedHeaders=host;;"), code: CodeIncompleteSignature},
	{name: "V3 SignedHeaders also lists accept", schemes: v3Only, mutate: replaceAuth("SignedHeaders=", "SignedHeaders=accept;"), code: CodeSignatureDoesNotMatch},
	{name: "ROA no colon", schemes: roaOnly, mutate: replaceAuth(testAK+":", testAK), code: CodeIncompleteSignature},
	{name: "ROA empty signature", schemes: roaOnly, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		r.Header.Set("Authorization", "acs "+testAK+":")
	}, code: CodeIncompleteSignature},
	{name: "unknown scheme", mutate: setHeader("Authorization", "Bearer abc"), code: CodeIncompleteSignature},

	// Tolerated variations.
	{name: "V3 parts reordered and spaced", schemes: v3Only, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		a, _ := parseAuthorization(r.Header.Get("Authorization"))
		r.Header.Set("Authorization", "ACS3-HMAC-SHA256  Signature="+a.signature+",  SignedHeaders="+a.signedHeaders+" , Credential="+a.accessKeyID)
	}, code: ""},
	{name: "V3 SignedHeaders upper-case", schemes: v3Only, mutate: func(r *http.Request, _ *VerifyOptions, _ *Lookup) {
		a, _ := parseAuthorization(r.Header.Get("Authorization"))
		r.Header.Set("Authorization", AuthorizationV3(a.accessKeyID, strings.ToUpper(a.signedHeaders), a.signature))
	}, code: ""},
	{name: "ROA extra spaces", schemes: roaOnly, mutate: replaceAuth("acs ", "acs   "), code: ""},
}

func TestTamper(t *testing.T) {
	for _, tc := range tampers {
		schemes := tc.schemes
		if schemes == nil {
			schemes = bothScheme
		}
		for _, scheme := range schemes {
			t.Run(scheme.String()+"/"+tc.name, func(t *testing.T) {
				creds := tc.creds
				if creds.AccessKeyID == "" {
					creds = testCreds
				}
				req := signed(t, scheme, creds)
				opts, lookup := testOpts, lookupOf(creds)
				if tc.mutate != nil {
					tc.mutate(req, &opts, &lookup)
				}
				v, err := Verify(req, lookup, opts)
				if got := codeOrOK(err); got != tc.code {
					t.Fatalf("got %q, want %q (err %v)", got, tc.code, err)
				}
				if err != nil {
					if v != nil {
						t.Fatal("non-nil Verified with an error")
					}
					var e *Error
					if !errors.As(err, &e) || e.Message != messages[e.Code] {
						t.Fatalf("error %#v", err)
					}
					if (e.Code == CodeSignatureDoesNotMatch) != (e.StringToSign != "") {
						t.Fatalf("StringToSign %q with code %s", e.StringToSign, e.Code)
					}
					mustContainNone(t, "error", err.Error()+e.ResponseMessage())
				}
			})
		}
	}
}

func TestVerifyNilAndEmpty(t *testing.T) {
	for _, req := range []*http.Request{nil, {}, {URL: nil, Header: http.Header{"Authorization": {"acs a:b"}}}} {
		if got := codeOrOK(mustVerify(req)); got != CodeIncompleteSignature {
			t.Errorf("%#v: %s", req, got)
		}
	}
}

// TestVerifyDefaultClock: a zero Now means time.Now().
func TestVerifyDefaultClock(t *testing.T) {
	for _, scheme := range bothScheme {
		req := newClientRequest(t, "https://"+testHost, testID, "")
		if err := Sign(req, scheme, testCreds, time.Now(), testNonce); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(req, lookupOf(testCreds), VerifyOptions{}); err != nil {
			t.Errorf("%v: %v", scheme, err)
		}
		if _, err := Verify(signed(t, scheme, testCreds), lookupOf(testCreds), VerifyOptions{}); CodeOf(err) != CodeTimeStampExpired {
			t.Errorf("%v: old request: %v", scheme, err)
		}
	}
}

// TestMismatchStringToSignRedactsToken: a ROA string to sign echoes the
// x-acs-* headers; the token must not reach the error.
func TestMismatchStringToSignRedactsToken(t *testing.T) {
	req := signed(t, SchemeROA, stsCreds)
	req.Header.Set("X-Acs-Action", "Other")
	_, err := Verify(req, lookupOf(stsCreds), testOpts)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeSignatureDoesNotMatch {
		t.Fatalf("%v", err)
	}
	if !strings.Contains(e.StringToSign, "x-acs-security-token:<redacted>\n") || !strings.Contains(e.StringToSign, "x-acs-action:Other\n") {
		t.Errorf("string to sign %q", e.StringToSign)
	}
	mustContainNone(t, "ROA error", e.StringToSign)
}
