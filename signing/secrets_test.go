package signing

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCredentialsRedacted(t *testing.T) {
	c := stsCreds
	wrapped := struct {
		Name  string
		Creds Credentials
		Ptr   *Credentials
	}{"x", c, &c}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%T"} {
		for _, arg := range []any{c, &c, wrapped, []Credentials{c}, map[string]Credentials{"k": c}} {
			out := fmt.Sprintf(verb, arg)
			mustContainNone(t, verb, out)
		}
	}
	if got := c.String(); got != "AccessKeyID="+testAK+" AccessKeySecret=<redacted> SecurityToken=<redacted>" {
		t.Errorf("String() = %q", got)
	}
	if got := testCreds.String(); got != "AccessKeyID="+testAK+" AccessKeySecret=<redacted>" {
		t.Errorf("String() = %q", got)
	}
	if got := fmt.Sprintf("%#v", c); got != `signing.Credentials{AccessKeyID:"`+testAK+`", AccessKeySecret:"<redacted>", SecurityToken:"<redacted>"}` {
		t.Errorf("%%#v = %s", got)
	}
	if got := fmt.Sprintf("%v", Credentials{}); got != "AccessKeyID= AccessKeySecret=" {
		t.Errorf("zero = %q", got)
	}
	var nilp *Credentials
	_ = fmt.Sprintf("%v %+v %#v", nilp, nilp, nilp) // must not panic out of fmt

	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(h).Info("creds", "c", c, "p", &c)
	}
	if !strings.Contains(buf.String(), testAK) {
		t.Errorf("slog output lost the key id: %s", buf.String())
	}
	mustContainNone(t, "slog", buf.String())
}

// TestErrorsCarryNoSecret drives every failure path with the distinctive
// secret and token and checks every textual form of the error.
func TestErrorsCarryNoSecret(t *testing.T) {
	var errs []error
	for _, tc := range tampers {
		schemes := tc.schemes
		if schemes == nil {
			schemes = bothScheme
		}
		for _, scheme := range schemes {
			req := signed(t, scheme, stsCreds)
			opts, lookup := testOpts, lookupOf(stsCreds)
			if tc.mutate != nil {
				tc.mutate(req, &opts, &lookup)
			}
			if _, err := Verify(req, lookup, opts); err != nil {
				errs = append(errs, err)
			}
		}
	}
	req := newClientRequest(t, "https://"+testHost, testID, "")
	errs = append(errs,
		Sign(req, Scheme(9), stsCreds, testNow, testNonce),
		Sign(req, SchemeV3, Credentials{AccessKeyID: "a b", AccessKeySecret: testSecret}, testNow, testNonce),
		Sign(req, SchemeV3, Credentials{AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: testToken + "\n"}, testNow, testNonce),
	)
	if len(errs) < 40 {
		t.Fatalf("only %d errors collected", len(errs))
	}
	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			mustContainNone(t, verb, fmt.Sprintf(verb, err))
		}
		var e *Error
		if errors.As(err, &e) {
			mustContainNone(t, "ResponseMessage", e.ResponseMessage())
		}
	}
}

func TestErrorHelpers(t *testing.T) {
	e := mismatch("ACS3-HMAC-SHA256\nabc")
	if e.Error() != "signing: SignatureDoesNotMatch: Specified signature is not matched with our calculation." {
		t.Errorf("Error() = %q", e.Error())
	}
	if e.ResponseMessage() != "Specified signature is not matched with our calculation. server string to sign is:ACS3-HMAC-SHA256\nabc" {
		t.Errorf("ResponseMessage() = %q", e.ResponseMessage())
	}
	wrapped := fmt.Errorf("handler: %w", e)
	if !errors.Is(wrapped, &Error{Code: CodeSignatureDoesNotMatch}) || errors.Is(wrapped, &Error{Code: CodeIncompleteSignature}) {
		t.Error("errors.Is by code")
	}
	if CodeOf(wrapped) != CodeSignatureDoesNotMatch || CodeOf(errors.New("x")) != "" || CodeOf(nil) != "" {
		t.Error("CodeOf")
	}
	want := map[string]string{
		"IncompleteSignature":                        "The request signature does not conform to Aliyun standards.",
		"SignatureDoesNotMatch":                      "Specified signature is not matched with our calculation.",
		"InvalidAccessKeyId.NotFound":                "Specified access key is not found.",
		"InvalidTimeStamp.Expired":                   "Specified time stamp or date value is expired.",
		"InvalidSecurityToken.MismatchWithAccessKey": "Specified security token mismatch with access key.",
	}
	for code, msg := range want {
		if e := newError(code); e.Code != code || e.Message != msg || e.ResponseMessage() != msg {
			t.Errorf("%s: %#v", code, e)
		}
	}
	if len(messages) != len(want) {
		t.Errorf("%d messages", len(messages))
	}
}

func TestSignErrors(t *testing.T) {
	ok := func() *http.Request { return newClientRequest(t, "https://"+testHost, testID, "") }
	noHost := ok()
	noHost.URL.Host, noHost.Host = "", ""
	badQuery := ok()
	badQuery.URL.RawQuery = "a=%zz"
	semicolon := ok()
	semicolon.URL.RawQuery = "a=1;b=2"
	cases := []struct {
		name   string
		req    *http.Request
		scheme Scheme
		creds  Credentials
		nonce  string
	}{
		{"nil request", nil, SchemeV3, testCreds, testNonce},
		{"nil URL", &http.Request{}, SchemeV3, testCreds, testNonce},
		{"zero scheme", ok(), 0, testCreds, testNonce},
		{"no key id", ok(), SchemeV3, Credentials{AccessKeySecret: "s"}, testNonce},
		{"no secret", ok(), SchemeV3, Credentials{AccessKeyID: "a"}, testNonce},
		{"key id with colon", ok(), SchemeROA, Credentials{AccessKeyID: "a:b", AccessKeySecret: "s"}, testNonce},
		{"key id with comma", ok(), SchemeV3, Credentials{AccessKeyID: "a,b", AccessKeySecret: "s"}, testNonce},
		{"empty nonce", ok(), SchemeV3, testCreds, ""},
		{"nonce with newline", ok(), SchemeV3, testCreds, "a\nb"},
		{"nonce with space", ok(), SchemeROA, testCreds, "a b"},
		{"token with newline", ok(), SchemeV3, Credentials{AccessKeyID: "a", AccessKeySecret: "s", SecurityToken: "t\r\n"}, testNonce},
		{"no host", noHost, SchemeV3, testCreds, testNonce},
		{"bad query escape", badQuery, SchemeV3, testCreds, testNonce},
		{"semicolon query", semicolon, SchemeROA, testCreds, testNonce},
	}
	for _, c := range cases {
		if err := Sign(c.req, c.scheme, c.creds, testNow, c.nonce); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	// ROA needs no host; a nil Header map is created.
	r := &http.Request{Method: http.MethodPost, URL: noHost.URL}
	if err := Sign(r, SchemeROA, testCreds, testNow, testNonce); err != nil || r.Header.Get("Authorization") == "" {
		t.Errorf("ROA without host: %v", err)
	}
}

func TestSchemeString(t *testing.T) {
	for s, want := range map[Scheme]string{SchemeV3: "ACS3-HMAC-SHA256", SchemeROA: "ROA-v1-HMAC-SHA1", 0: "Scheme(0)", 7: "Scheme(7)"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
}

func TestSignHeaders(t *testing.T) {
	req := signed(t, SchemeV3, stsCreds)
	want := map[string]string{
		"Accept":                "application/json",
		"X-Acs-Action":          Action,
		"X-Acs-Version":         Version,
		"X-Acs-Date":            "2024-03-05T06:07:08Z",
		"X-Acs-Signature-Nonce": testNonce,
		"X-Acs-Content-Sha256":  EmptyPayloadHash,
		"X-Acs-Security-Token":  testToken,
	}
	for k, v := range want {
		if got := req.Header.Get(k); got != v {
			t.Errorf("V3 %s = %q, want %q", k, got, v)
		}
	}
	if a := req.Header.Get("Authorization"); !strings.HasPrefix(a, "ACS3-HMAC-SHA256 Credential="+testAK+",SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature=") || len(a) != len("ACS3-HMAC-SHA256 Credential="+testAK+",SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature=")+64 {
		t.Errorf("V3 Authorization %q", a)
	}
	if req.Header.Get("Content-Type") != "" || req.Header.Get("Date") != "" {
		t.Error("V3 set Content-Type or Date")
	}

	req = signed(t, SchemeROA, stsCreds)
	want = map[string]string{
		"Accept":                  "application/json",
		"Date":                    "Tue, 05 Mar 2024 06:07:08 GMT",
		"X-Acs-Signature-Method":  "HMAC-SHA1",
		"X-Acs-Signature-Version": "1.0",
		"X-Acs-Signature-Nonce":   testNonce,
		"X-Acs-Action":            Action,
		"X-Acs-Version":           Version,
		"X-Acs-Security-Token":    testToken,
	}
	for k, v := range want {
		if got := req.Header.Get(k); got != v {
			t.Errorf("ROA %s = %q, want %q", k, got, v)
		}
	}
	if req.Header.Get("Content-MD5") != "" || req.Header.Get("Content-Type") != "" {
		t.Error("ROA set Content-MD5 or Content-Type for an empty body")
	}
	if a := req.Header.Get("Authorization"); !strings.HasPrefix(a, "acs "+testAK+":") || len(a) != len("acs "+testAK+":")+28 {
		t.Errorf("ROA Authorization %q", a)
	}

	// The old SDK's empty-body Content-MD5 is kept (and signed) when present.
	req = newClientRequest(t, "https://"+testHost, testID, "")
	req.Header.Set("Content-MD5", "stale")
	if err := Sign(req, SchemeROA, testCreds, testNow, testNonce); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Content-MD5") != EmptyContentMD5 {
		t.Errorf("Content-MD5 %q", req.Header.Get("Content-MD5"))
	}
	if _, err := Verify(req, lookupOf(testCreds), testOpts); err != nil {
		t.Error(err)
	}
}

func TestDateFormats(t *testing.T) {
	times := []time.Time{
		testNow,
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
	}
	for i := range 200 {
		times = append(times, time.Unix(int64(i)*987654321, 0))
	}
	for _, tm := range times {
		if got, want := string(appendDateV3(nil, tm)), tm.UTC().Format("2006-01-02T15:04:05Z"); got != want {
			t.Errorf("V3 %v: %q want %q", tm, got, want)
		}
		if got, want := string(appendDateROA(nil, tm)), tm.UTC().Format(http.TimeFormat); got != want {
			t.Errorf("ROA %v: %q want %q", tm, got, want)
		}
	}
}
