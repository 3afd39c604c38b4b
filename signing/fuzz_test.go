package signing

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzVerify feeds hostile header values, paths and queries to Verify. It
// must never panic, and may only succeed for a request signed by testCreds.
// Seeds are real signed requests of both schemes plus garbage, so the
// fuzzer starts next to the interesting paths; they run on every go test.
func FuzzVerify(f *testing.F) {
	for _, scheme := range bothScheme {
		for _, creds := range []Credentials{testCreds, stsCreds} {
			req := newClientRequest(f, "https://"+testHost, "es cn*1", "tok en")
			if err := Sign(req, scheme, creds, testNow, testNonce); err != nil {
				f.Fatal(err)
			}
			date := req.Header.Get("X-Acs-Date")
			if scheme == SchemeROA {
				date = req.Header.Get("Date")
			}
			f.Add(req.Header.Get("Authorization"), date, testNonce, req.Header.Get("X-Acs-Content-Sha256"),
				req.Header.Get("X-Acs-Security-Token"), req.URL.EscapedPath(), req.URL.RawQuery, "", "", "")
		}
	}
	f.Add("ACS3-HMAC-SHA256 Credential=,SignedHeaders=;;;,Signature=", "", "", "", "", "", "", "X-Acs-\x00", "\xff", "body")
	f.Add("acs :", "Mon, 02 Jan 2006 15:04:05 GMT", "", "", "", "%zz", "a=%zz;b", "Content-MD5", "x", "")
	f.Add("ACS3-HMAC-SHA256 Credential="+testAK+",SignedHeaders=host;x-acs-date;x-acs-signature-nonce;x-acs-content-sha256;x-acs-x,Signature=00",
		"2024-03-05T06:07:08Z", "n", EmptyPayloadHash, "", "/", "", "x-acs-X", "1", "")
	f.Add("acs "+testAK+":AAAA", "Tue, 05 Mar 2024 06:07:08 GMT", "", "", "", "", "&&=&a", "X-Acs-Signature-Method", "HMAC-SHA256", "x")

	lookup := lookupOf(testCreds, Credentials{AccessKeyID: "AK2", AccessKeySecret: "s2", SecurityToken: testToken})
	f.Fuzz(func(t *testing.T, auth, date, nonce, sha, token, path, rawQuery, extraKey, extraVal, body string) {
		req := &http.Request{
			Method: http.MethodPost,
			Host:   testHost,
			URL:    &url.URL{Path: path, RawQuery: rawQuery},
			Header: http.Header{},
		}
		if u, err := url.ParseRequestURI(path); err == nil {
			u.RawQuery = rawQuery
			req.URL = u
		}
		req.Header["Authorization"] = []string{auth}
		req.Header["X-Acs-Date"] = []string{date}
		req.Header["Date"] = []string{date}
		req.Header["X-Acs-Signature-Nonce"] = []string{nonce}
		req.Header["X-Acs-Content-Sha256"] = []string{sha}
		if token != "" {
			req.Header["X-Acs-Security-Token"] = []string{token}
		}
		if extraKey != "" {
			req.Header[extraKey] = append(req.Header[extraKey], extraVal)
		}
		if body != "" {
			req.Body = io.NopCloser(strings.NewReader(body))
		}
		v, err := Verify(req, lookup, testOpts)
		if (v == nil) == (err == nil) {
			t.Fatalf("Verified %v with error %v", v, err)
		}
		if err != nil {
			if CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			mustContainNone(t, "error", err.Error())
			return
		}
		if v.AccessKeyID != testAK && v.AccessKeyID != "AK2" {
			t.Fatalf("verified unknown key %q", v.AccessKeyID)
		}
		if body != "" {
			if got, _ := io.ReadAll(req.Body); string(got) != body {
				t.Fatalf("body not restored: %q", got)
			}
		}
	})
}

// FuzzParseAuthorization: no panics, and whatever parses re-renders and
// parses back to the same parts.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc",
		"ACS3-HMAC-SHA256  Signature=abc , Credential=AK,SignedHeaders=host",
		"ACS3-HMAC-SHA256 Credential=AK,Credential=AK",
		"ACS3-HMAC-SHA256 ,,,===",
		"acs AK:sig",
		"acs  AK:sig:more",
		"acs :",
		"",
		"\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseAuthorization(s)
		if !ok {
			return
		}
		var again string
		switch a.scheme {
		case SchemeV3:
			again = AuthorizationV3(a.accessKeyID, a.signedHeaders, a.signature)
		case SchemeROA:
			again = AuthorizationROA(a.accessKeyID, a.signature)
		default:
			t.Fatalf("scheme %v", a.scheme)
		}
		b, ok := parseAuthorization(again)
		if !ok || b != a {
			t.Fatalf("%q -> %+v -> %q -> %+v %v", s, a, again, b, ok)
		}
		if a.accessKeyID == "" || a.signature == "" || (a.scheme == SchemeV3) != (a.signedHeaders != "") {
			t.Fatalf("empty part in %+v", a)
		}
	})
}
