package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/signing"
)

// The dump's string to sign is the one the signature was made from: recomputing the signature
// from it with the secret gives the Authorization header's, for both schemes. The secret and
// the token never appear, though the server echoes the token.
func TestWithDebugShowsWhatWasSigned(t *testing.T) {
	for _, sig := range []SignatureVersion{SignatureV3, SignatureROA} {
		t.Run(string(sig), func(t *testing.T) {
			srv := newServer(t, testSTSCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
				writeBody(w, http.StatusBadRequest, "application/json",
					[]byte(`{"RequestId":"R-DBG","Code":"SignatureDoesNotMatch","Message":"echo `+r.Header.Get("X-Acs-Security-Token")+`"}`))
			})
			c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds, Signature: sig, Retry: RetryPolicy{MaxAttempts: 1}})
			var dump logBuffer
			_, err := c.InterruptElasticsearchTask(WithDebug(context.Background(), &dump), "es-cn-dbg", &InterruptOptions{ClientToken: "tok-dbg"})
			if !errors.Is(err, Code("SignatureDoesNotMatch")) {
				t.Fatalf("err %v", err)
			}
			out := dump.String()
			assertNoSecrets(t, "the debug dump", out)
			for _, want := range []string{
				"> POST " + srv.URL + "/openapi/instances/es-cn-dbg/actions/interrupt?clientToken=tok-dbg\n",
				"> X-Acs-Security-Token: <redacted>\n",
				"< HTTP/1.1 400 Bad Request\n",
				"< Content-Type: application/json\n",
				`"Message":"echo <redacted>"`,
				"string to sign",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("dump lacks %q:\n%s", want, out)
				}
			}
			auth := srv.requests()[0].Header.Get("Authorization")
			if !strings.Contains(out, "> Authorization: "+auth+"\n") {
				t.Errorf("dump does not show the Authorization sent, %q:\n%s", auth, out)
			}
			sts := stringToSign(t, out)
			var want string
			if sig == SignatureV3 {
				want = "Signature=" + signing.SignatureV3(testSecret, sts)
			} else {
				want = ":" + signing.SignatureROA(testSecret, strings.ReplaceAll(sts, "<redacted>", testToken))
			}
			if !strings.HasSuffix(auth, want) {
				t.Errorf("the dumped string to sign does not give the signature sent: %q does not end in %q\n%s", auth, want, out)
			}
		})
	}
}

// stringToSign extracts the indented string-to-sign block of a dump.
func stringToSign(t *testing.T, dump string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)string to sign[^\n]*:\n((?:  [^\n]*\n)+)`).FindStringSubmatch(dump)
	if m == nil {
		t.Fatalf("no string to sign in:\n%s", dump)
	}
	lines := strings.Split(strings.TrimSuffix(m[1], "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "  ")
	}
	return strings.Join(lines, "\n")
}

// Without WithDebug nothing is written; a body read for the dump reaches the parser intact; a
// transport failure is dumped as such.
func TestWithDebugKeepsTheCallAsItWas(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeBody(w, http.StatusOK, "application/json", successJSON("R-OK"))
	})
	c, _ := newTestClient(t, srv, Config{})
	var dump logBuffer
	res, err := c.InterruptElasticsearchTask(WithDebug(context.Background(), &dump), "es-1", nil)
	if err != nil || !res.Result || res.RequestID != "R-OK" {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if !strings.Contains(dump.String(), `{"Result":true,"RequestId":"R-OK"}`) {
		t.Errorf("dump lacks the body:\n%s", dump.String())
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	c2, err := New(Config{Endpoint: closed, Credentials: testCreds, Retry: RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	dump = logBuffer{}
	if _, err := c2.InterruptElasticsearchTask(WithDebug(context.Background(), &dump), "es-1", nil); err == nil {
		t.Fatal("no error from a closed port")
	}
	if out := dump.String(); !strings.Contains(out, "> POST ") || !strings.Contains(out, "< no response: ") {
		t.Errorf("dump of a transport failure:\n%s", out)
	}
	if debugWriter(context.Background()) != nil {
		t.Error("a context without WithDebug has a debug writer")
	}
}
