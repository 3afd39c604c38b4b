package server_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// FuzzHandler feeds arbitrary requests to a server with signatures, the rate limit and the
// admin API on, and requires every response to be a documented one (checkResponse): never a 5xx,
// a redirect or an undocumented body. Inputs net/http itself would refuse (an unparsable request)
// never reach a handler and are skipped. `go test` runs the seeds; `go test -fuzz FuzzHandler`
// explores.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct{ method, target, accept, header, body string }{
		{"POST", "/openapi/instances/es-cn-1/actions/interrupt", "", "", ""},
		{"POST", "/openapi/instances/es-cn-1/actions/interrupt?clientToken=a", "application/xml", "", ""},
		{"POST", "/openapi/instances/%2e%2e%2f/actions/interrupt", "text/xml;q=0.5", "", ""},
		{"POST", "/openapi/instances/a%2Fb/actions/interrupt", "", "Authorization: acs x:y", ""},
		{"POST", "/openapi/instances//actions/interrupt", "", "", "{}"},
		{"GET", "//", "*/*", "", ""},
		{"PUT", "/-/admin/instances/es-cn-1", "", "", `{"status":"activating"}`},
		{"GET", "/-/admin/instances", "", "", ""},
		{"POST", "/openapi/instances/es-cn-1/actions/interrupt?clientToken=%zz", "", "", ""},
		{"POST", "/openapi/instances/es-cn-1/actions/interrupt", "", "Authorization: ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature=00", ""},
		{"POST", "/openapi/instances/es-cn-1/actions/interrupt", "", "Date: Mon, 02 Jan 2006 15:04:05 GMT", ""},
	} {
		f.Add(seed.method, seed.target, seed.accept, seed.header, seed.body)
	}
	srv, err := server.New(server.Config{
		Credentials: []signing.Credentials{{AccessKeyID: "k", AccessKeySecret: "s"}},
		Instances:   map[string]server.Status{"es-cn-1": server.StatusActivating},
		Throttle:    1e9,
		Admin:       true,
		Now:         func() time.Time { return time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC) },
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, accept, header, body string) {
		raw := method + " " + target + " HTTP/1.1\r\nHost: fuzz\r\nAccept: " + accept + "\r\n" + header + "\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			t.Skip("not an HTTP request net/http would pass on")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode != http.StatusOK && (res.StatusCode < 400 || res.StatusCode > 499) {
			t.Fatalf("%q: status %d", raw, res.StatusCode)
		}
		if err := checkResponse(req.Method, req.URL.EscapedPath(), res.StatusCode, res.Header, rec.Body.Bytes()); err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
	})
}
