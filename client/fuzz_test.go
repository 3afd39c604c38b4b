package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// The fuzz targets drive the client's whole call path (validation, URL building, signing, the
// body cap, decoding, typed errors) with an http.RoundTripper in place of the network: it
// records the request and responds with the fuzzed response. No socket is opened, so the fuzzer
// runs thousands of calls a second, and nothing but the transport differs from a real call.

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fuzzClient returns a client whose transport hands every request to respond. Retries are off:
// a fuzzed 5xx would otherwise sleep.
func fuzzClient(t *testing.T, respond roundTripFunc) *Client {
	t.Helper()
	c, err := New(Config{
		Endpoint:    "http://127.0.0.1:9",
		Credentials: testCreds,
		HTTPClient:  &http.Client{Transport: respond},
		Retry:       RetryPolicy{MaxAttempts: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fuzzContentTypes are the Content-Types a fuzzed response carries, picked by index: the
// documented two, their variants the client must read the same way, and undocumented ones.
var fuzzContentTypes = []string{
	spec.MediaTypeJSON,
	spec.MediaTypeXML,
	"application/json; charset=utf-8",
	"text/xml; charset=UTF-8",
	"APPLICATION/XML",
	"text/plain",
	"",
}

// FuzzDecodeResponse feeds fuzzed responses (status, content type, body) to a real call. It must
// never panic; a success must be a 2xx with a RequestId that the spec's decoders read the same;
// every failure must be one of the documented error types, carrying the response's status, with
// the test secret never repeated by the client, not even inside Code or RequestID.
func FuzzDecodeResponse(f *testing.F) {
	exs, err := spec.LoadExamples()
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range exs {
		body, err := e.Body()
		if err != nil {
			f.Fatal(err)
		}
		status, err := strconv.Atoi(e.Status)
		if err != nil {
			status = 500
		}
		ct := uint8(0)
		if e.MediaType == spec.MediaTypeXML {
			ct = 1
		}
		f.Add(uint16(status), ct, body)
	}
	f.Add(uint16(200), uint8(0), []byte(`{"Result":true,"RequestId":""}`))
	f.Add(uint16(200), uint8(0), []byte(`{"Result":"yes","RequestId":1}`))
	f.Add(uint16(200), uint8(2), []byte(`{"Result":false,"RequestId":"R","Code":"C","Message":null}`))
	f.Add(uint16(400), uint8(0), []byte(`{"Code":"SignatureDoesNotMatch","Message":"server string to sign is: `+testSecret+`","RequestId":"R"}`))
	f.Add(uint16(200), uint8(1), []byte(`<Result>true</Result><RequestId>R</RequestId>`))
	f.Add(uint16(200), uint8(3), []byte(`<?xml version="1.0"?><X><RequestId>R</RequestId><Result>true</Result></X>`))
	f.Add(uint16(503), uint8(1), []byte(`<Error><Code>ServiceUnavailable</Code><RequestId>R</RequestId></Error>`))
	f.Add(uint16(200), uint8(1), []byte(`<!DOCTYPE x [<!ENTITY a "b">]><Result>&a;</Result>`))
	f.Add(uint16(302), uint8(0), []byte(`{}`))
	f.Add(uint16(200), uint8(5), []byte(`ok`))
	f.Add(uint16(429), uint8(4), []byte(`<Code>Throttling.User</Code><Message>`+testSecret+`</Message>`))

	f.Fuzz(func(t *testing.T, status uint16, ctIndex uint8, body []byte) {
		code := 200 + int(status)%400 // every status from 200 to 599
		contentType := fuzzContentTypes[int(ctIndex)%len(fuzzContentTypes)]
		c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
			h := http.Header{}
			if contentType != "" {
				h.Set("Content-Type", contentType)
			}
			return &http.Response{
				StatusCode:    code,
				Status:        strconv.Itoa(code) + " " + http.StatusText(code),
				Header:        h,
				Body:          io.NopCloser(bytes.NewReader(body)),
				ContentLength: int64(len(body)),
				Request:       r,
			}, nil
		})
		const token = "fuzz-token"
		res, err := c.InterruptElasticsearchTask(context.Background(), "es-cn-fuzz", &InterruptOptions{ClientToken: token})
		if err == nil {
			if code < 200 || code > 299 {
				t.Fatalf("success for HTTP %d", code)
			}
			if res.RequestID == "" || res.HTTPStatus != code || res.ClientToken != token || res.Attempts != 1 {
				t.Fatalf("success without the response's facts: %+v", res)
			}
			checkSpecAgrees(t, contentType, body, res)
			return
		}
		var (
			apiErr *APIError
			unexp  *UnexpectedResponseError
			big    *BodyTooLargeError
		)
		assertNoSecrets(t, "error", err.Error())
		switch {
		case errors.As(err, &apiErr):
			if code < 400 || apiErr.HTTPStatus != code {
				t.Fatalf("APIError with status %d for HTTP %d", apiErr.HTTPStatus, code)
			}
			if apiErr.Code != "" && !errors.Is(err, Code(apiErr.Code)) {
				t.Fatalf("APIError %q does not match its own Code", apiErr.Code)
			}
			_ = apiErr.Retryable()
			assertNoSecrets(t, "APIError free text", apiErr.Message+"\x00"+apiErr.HostID+"\x00"+apiErr.Recommend)
		case errors.As(err, &unexp):
			if unexp.HTTPStatus != code || unexp.Reason == nil {
				t.Fatalf("UnexpectedResponseError %+v for HTTP %d", unexp, code)
			}
			assertNoSecrets(t, "excerpt", unexp.Excerpt)
		case errors.As(err, &big):
			t.Fatalf("BodyTooLargeError for a %d-byte body", len(body))
		default:
			t.Fatalf("undocumented error type %T: %v", err, err)
		}
	})
}

// checkSpecAgrees decodes a body the client accepted with the spec's own decoders and compares.
func checkSpecAgrees(t *testing.T, contentType string, body []byte, res *InterruptResult) {
	t.Helper()
	var out models.InterruptElasticsearchTaskResult
	var err error
	switch kindOf(contentType) {
	case mediaJSON:
		err = json.Unmarshal(body, &out)
	case mediaXML:
		err = spec.UnmarshalXML(body, &out)
	default:
		t.Fatalf("success with content type %q", contentType)
	}
	if err != nil {
		t.Fatalf("the client accepted a body its decoder refuses: %v", err)
	}
	if out.RequestId != res.RequestID || out.Result != res.Result {
		t.Fatalf("client read %q/%v, decoder %q/%v", res.RequestID, res.Result, out.RequestId, out.Result)
	}
}

// schemaRules are the document's InstanceId and ClientToken schemas, to compare the client's
// local checks with.
var schemaRules = sync.OnceValues(func() (map[string]func(string) error, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	rules := map[string]func(string) error{}
	for _, name := range []string{"InstanceId", "ClientToken"} {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			return nil, errors.New("no schema " + name)
		}
		rules[name] = func(v string) error { return ref.Value.VisitJSON(v) }
	}
	return rules, nil
})

// generatedToken is the shape of the tokens the client makes.
var generatedToken = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

// FuzzIDAndTokenValidation compares the client's local checks of InstanceId and clientToken with
// the document's schemas, and checks what is sent for whatever the client accepts:
//
//   - clientToken: refused locally exactly when it is non-empty and the schema refuses it (the
//     client holds the whole schema: ASCII, length, pattern); a generated token fits the schema;
//   - InstanceId: the client refuses only what cannot be one path segment, so everything the
//     schema accepts is sent; anything sent arrives as one path segment that decodes to the id,
//     with the token in the query, signed so that the server's verification accepts it.
func FuzzIDAndTokenValidation(f *testing.F) {
	for _, s := range [][2]string{
		{"es-cn-n6w1o1x0w001c****", "5A2CFF0E-5718-45B5-9D4D-70B3FF0000"},
		{"es-cn-abc", ""},
		{"", "t"},
		{".", "t"},
		{"..", ""},
		{"a/b", "x y"},
		{"a b?c#d%2Fe", "+&=%"},
		{"$&+:=@", "~*'()"},
		{"ès", "tök"},
		{"a\x00b", "a\tb"},
		{strings.Repeat("x", 129), strings.Repeat("t", 64)},
		{"-leading-dash", strings.Repeat("t", 65)},
		{"es.cn_1*", " "},
		{"\xff\xfe", "\x7f"},
	} {
		f.Add(s[0], s[1])
	}
	rules, err := schemaRules()
	if err != nil {
		f.Fatal(err)
	}
	lookup := func(id string) (signing.Credentials, bool) {
		return signing.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret}, id == testKeyID
	}
	f.Fuzz(func(t *testing.T, id, token string) {
		var sent *http.Request
		c := fuzzClient(t, func(r *http.Request) (*http.Response, error) {
			sent = r
			return &http.Response{
				StatusCode: http.StatusOK,
				Header:     http.Header{"Content-Type": {spec.MediaTypeJSON}},
				Body:       io.NopCloser(strings.NewReader(`{"Result":true,"RequestId":"R"}`)),
				// -1: unknown, as a transport reports a body without Content-Length.
				ContentLength: -1,
				Request:       r,
			}, nil
		})
		_, err := c.InterruptElasticsearchTask(context.Background(), id, &InterruptOptions{ClientToken: token})

		var ve *ValidationError
		refusedID := errors.As(err, &ve) && ve.Field == fieldInstanceID
		refusedToken := errors.As(err, &ve) && ve.Field == fieldClientToken
		if refusedID {
			if rules["InstanceId"](id) == nil {
				t.Fatalf("client refuses id %q, which the document accepts: %v", id, err)
			}
			if sent != nil {
				t.Fatal("a request was sent for a refused id")
			}
			return // the token is not looked at once the id is refused
		}
		schemaTokenErr := rules["ClientToken"](token)
		if wantRefused := token != "" && schemaTokenErr != nil; refusedToken != wantRefused {
			t.Fatalf("token %q: client refused=%v (%v), document refuses=%v (%v)", token, refusedToken, err, wantRefused, schemaTokenErr)
		}
		if refusedToken {
			if sent != nil {
				t.Fatal("a request was sent for a refused token")
			}
			return
		}
		if err != nil {
			t.Fatalf("id %q, token %q: %v", id, token, err)
		}
		if sent == nil {
			t.Fatal("no request sent")
		}
		checkSentRequest(t, sent, id, token, rules["ClientToken"], lookup)
	})
}

// checkSentRequest checks the request the client sent for id and token.
func checkSentRequest(t *testing.T, r *http.Request, id, token string, tokenRule func(string) error, lookup signing.Lookup) {
	t.Helper()
	escaped := r.URL.EscapedPath()
	seg, ok := strings.CutPrefix(escaped, wire.PathPrefix)
	if ok {
		seg, ok = strings.CutSuffix(seg, wire.PathSuffix)
	}
	if !ok || strings.ContainsAny(seg, "/?#") {
		t.Fatalf("id %q sent as path %q, not one segment of %s", id, escaped, spec.Path)
	}
	if got, err := url.PathUnescape(seg); err != nil || got != id {
		t.Fatalf("id %q sent as segment %q, which decodes to %q (%v)", id, seg, got, err)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || len(q["clientToken"]) != 1 || len(q) != 1 {
		t.Fatalf("query %q: %v", r.URL.RawQuery, err)
	}
	sentToken := q.Get("clientToken")
	switch {
	case token != "" && sentToken != token:
		t.Fatalf("token %q sent as %q", token, sentToken)
	case token == "" && !generatedToken.MatchString(sentToken):
		t.Fatalf("generated token %q has not the UUID shape", sentToken)
	}
	if err := tokenRule(sentToken); err != nil {
		t.Fatalf("the document refuses the token sent, %q: %v", sentToken, err)
	}
	// Verify reads the request as a server receives it: the host in Host, not in the URL.
	in := r.Clone(context.Background())
	in.Host = r.URL.Host
	if _, err := signing.Verify(in, lookup, signing.VerifyOptions{}); err != nil {
		t.Fatalf("id %q, token %q: the signature does not verify: %v", id, token, err)
	}
}
