package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
)

const (
	interruptKeyID  = "LTAI5tCLIKey"
	interruptSecret = "cli-secret-do-not-print"
	interruptToken  = "cli-sts-token-do-not-print"
)

// interruptEnv is an environment holding the test credentials.
func interruptEnv(withToken bool) func(string) string {
	return func(k string) string {
		switch k {
		case "ALIBABA_CLOUD_ACCESS_KEY_ID":
			return interruptKeyID
		case "ALIBABA_CLOUD_ACCESS_KEY_SECRET":
			return interruptSecret
		case "ALIBABA_CLOUD_SECURITY_TOKEN":
			if withToken {
				return interruptToken
			}
		}
		return ""
	}
}

// interruptServer verifies each request's signature and answers with status and body; it
// records what it received.
type interruptServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []*http.Request
	errs    []error
	status  int
	body    string
	ctype   string
	withSTS bool
}

func newInterruptServer(t *testing.T, status int, ctype, body string, withSTS bool) *interruptServer {
	s := &interruptServer{status: status, body: body, ctype: ctype, withSTS: withSTS}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		creds := signing.Credentials{AccessKeyID: interruptKeyID, AccessKeySecret: interruptSecret}
		if s.withSTS {
			creds.SecurityToken = interruptToken
		}
		_, err := signing.Verify(r, func(id string) (signing.Credentials, bool) { return creds, id == interruptKeyID }, signing.VerifyOptions{})
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.errs = append(s.errs, err)
		s.mu.Unlock()
		w.Header().Set("Content-Type", s.ctype)
		w.WriteHeader(s.status)
		_, _ = w.Write([]byte(s.body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *interruptServer) received() ([]*http.Request, []error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...), append([]error(nil), s.errs...)
}

func runInterruptArgs(getenv func(string) string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := runInterrupt(context.Background(), args, getenv, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestInterruptCommandSuccess(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		ctype      string
		body       string
		sts        bool
		wantOut    []string
		wantAccept string
		wantROA    bool
		wantToken  string
	}{
		{
			name:       "text output",
			args:       []string{"es-cn-n6w1o1x0w001c****"},
			ctype:      "application/json",
			body:       `{"Result":true,"RequestId":"REQ-1"}`,
			wantOut:    []string{"Result: true\n", "RequestId: REQ-1\n", "ClientToken: "},
			wantAccept: "application/json",
		},
		{
			name:       "flags after and before the id, xml, roa, token, sts",
			args:       []string{"--format", "xml", "es-1", "--signature", "roa", "--client-token", "tok en", "--max-attempts", "1"},
			ctype:      "application/xml",
			body:       "<Result>false</Result><RequestId>REQ-2</RequestId>",
			sts:        true,
			wantOut:    []string{"Result: false\n", "RequestId: REQ-2\n", "ClientToken: tok en\n"},
			wantAccept: "application/xml",
			wantROA:    true,
			wantToken:  "tok en",
		},
		{
			name:       "json output",
			args:       []string{"--output=json", "--timeout", "5s", "es-1"},
			ctype:      "application/json",
			body:       `{"Result":true,"RequestId":"REQ-3"}`,
			wantOut:    []string{`"Result": true`, `"RequestId": "REQ-3"`, `"HTTPStatus": 200`, `"Attempts": 1`},
			wantAccept: "application/json",
		},
		{
			name:       "id after --",
			args:       []string{"--", "es-after-dashes"},
			ctype:      "application/json",
			body:       `{"Result":true,"RequestId":"REQ-4"}`,
			wantOut:    []string{"RequestId: REQ-4\n"},
			wantAccept: "application/json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newInterruptServer(t, 200, tt.ctype, tt.body, tt.sts)
			args := append([]string{"--endpoint", srv.URL}, tt.args...)
			code, out, errOut := runInterruptArgs(interruptEnv(tt.sts), args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout %q lacks %q", out, w)
				}
			}
			if tt.name == "json output" {
				var v map[string]any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Errorf("--output json is not one JSON object: %v\n%s", err, out)
				}
			}
			reqs, errs := srv.received()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			if errs[0] != nil {
				t.Errorf("signature: %v", errs[0])
			}
			r := reqs[0]
			if r.Header.Get("Accept") != tt.wantAccept {
				t.Errorf("Accept %q", r.Header.Get("Accept"))
			}
			if isROA := strings.HasPrefix(r.Header.Get("Authorization"), "acs "); isROA != tt.wantROA {
				t.Errorf("Authorization %q, want ROA %v", r.Header.Get("Authorization"), tt.wantROA)
			}
			sent := r.URL.Query().Get("clientToken")
			if tt.wantToken != "" && sent != tt.wantToken {
				t.Errorf("clientToken %q", sent)
			}
			if tt.wantToken == "" && !uuidShape.MatchString(sent) {
				t.Errorf("generated clientToken %q is not UUID-shaped", sent)
			}
			if !strings.Contains(out, "ClientToken: "+sent+"\n") && !strings.Contains(out, `"ClientToken": "`+sent+`"`) {
				t.Errorf("stdout %q does not name the token sent, %q", out, sent)
			}
			if tt.sts != (r.Header.Get("X-Acs-Security-Token") == interruptToken) {
				t.Errorf("x-acs-security-token %q with sts %v", r.Header.Get("X-Acs-Security-Token"), tt.sts)
			}
			for _, s := range []string{interruptSecret, interruptToken} {
				if strings.Contains(out+errOut, s) {
					t.Errorf("output leaks a secret")
				}
			}
		})
	}
}

// uuidShape is the shape of the tokens client.NewClientToken makes.
var uuidShape = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

// sentToken returns the one clientToken the server received.
func sentToken(t *testing.T, srv *interruptServer) string {
	t.Helper()
	reqs, _ := srv.received()
	if len(reqs) == 0 {
		t.Fatal("nothing was sent")
	}
	tok := reqs[0].URL.Query().Get("clientToken")
	for i, r := range reqs {
		if got := r.URL.Query().Get("clientToken"); got != tok {
			t.Errorf("attempt %d carried %q, the first %q", i+1, got, tok)
		}
	}
	return tok
}

func TestInterruptCommandAPIError(t *testing.T) {
	body := `{"RequestId":"REQ-E","HostId":"h","Code":"InstanceNotFound","Message":"The instanceId provided does not exist.","Recommend":"https://r?a=1&b=2"}`
	for _, output := range []string{"text", "json"} {
		t.Run(output, func(t *testing.T) {
			srv := newInterruptServer(t, 400, "application/json", body, false)
			code, out, errOut := runInterruptArgs(interruptEnv(false), "es-x", "--endpoint", srv.URL, "--output", output)
			// The token the client made is printed, so the call can be retried with it.
			tok := sentToken(t, srv)
			if !uuidShape.MatchString(tok) {
				t.Errorf("generated clientToken %q is not UUID-shaped", tok)
			}
			if output == "text" && !strings.Contains(errOut, "ClientToken: "+tok+"\n") {
				t.Errorf("stderr %q lacks the ClientToken line for %q", errOut, tok)
			}
			if code != exitFail {
				t.Fatalf("exit %d, want %d; stderr %q", code, exitFail, errOut)
			}
			// Text goes to stderr; --output json writes its one object to stdout and nothing else.
			report, other := errOut, out
			if output == "json" {
				report, other = out, errOut
			}
			if other != "" {
				t.Errorf("the other stream holds %q, want nothing", other)
			}
			for _, w := range []string{"InstanceNotFound", "The instanceId provided does not exist.", "REQ-E"} {
				if !strings.Contains(report, w) {
					t.Errorf("output %q lacks %q", report, w)
				}
			}
			if output == "text" && !strings.Contains(errOut, "Code: InstanceNotFound\n") {
				t.Errorf("stderr %q lacks the Code line", errOut)
			}
			if output == "text" && (!strings.Contains(errOut, "HostId: h\n") || !regexp.MustCompile(`(?m)^Attempts: [1-9]`).MatchString(errOut)) {
				t.Errorf("stderr %q lacks the HostId or Attempts line", errOut)
			}
			if output == "json" {
				var v map[string]any
				if err := json.Unmarshal([]byte(out), &v); err != nil || v["Code"] != "InstanceNotFound" || v["HTTPStatus"] != 400.0 {
					t.Errorf("stdout is not the JSON error: %v %q", err, out)
				}
				if !strings.Contains(out, `"Recommend": "https://r?a=1&b=2"`) {
					t.Errorf("the JSON error escapes or drops Recommend: %q", out)
				}
				if v["ClientToken"] != tok {
					t.Errorf("the JSON error names ClientToken %v, the request carried %q", v["ClientToken"], tok)
				}
			}
		})
	}
}

func TestInterruptCommandTransportError(t *testing.T) {
	srv := newInterruptServer(t, 200, "text/html", "<html>", false)
	code, _, errOut := runInterruptArgs(interruptEnv(false), "es-x", "--endpoint", srv.URL)
	if code != exitFail || !strings.Contains(errOut, "undocumented content type") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if tok := sentToken(t, srv); !uuidShape.MatchString(tok) || !strings.Contains(errOut, "ClientToken: "+tok+"\n") {
		t.Errorf("stderr %q does not name the generated token %q", errOut, tok)
	}
}

// TestInterruptCommandRetryWithPrintedToken: the token a failed call prints, given back with
// --client-token, is the one the retry sends, and a given token is printed as it is.
func TestInterruptCommandRetryWithPrintedToken(t *testing.T) {
	srv := newInterruptServer(t, 400, "application/json", `{"RequestId":"R","Code":"InstanceNotFound","Message":"m"}`, false)
	code, _, errOut := runInterruptArgs(interruptEnv(false), "es-x", "--endpoint", srv.URL)
	if code != exitFail {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	_, printed, ok := strings.Cut(errOut, "ClientToken: ")
	printed, _, _ = strings.Cut(printed, "\n")
	if !ok || printed != sentToken(t, srv) {
		t.Fatalf("printed token %q, sent %q", printed, sentToken(t, srv))
	}
	code, _, errOut = runInterruptArgs(interruptEnv(false), "es-x", "--endpoint", srv.URL, "--client-token", printed)
	if code != exitFail || !strings.Contains(errOut, "ClientToken: "+printed+"\n") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	reqs, _ := srv.received()
	if len(reqs) != 2 || reqs[1].URL.Query().Get("clientToken") != printed {
		t.Errorf("the retry carried %q, want %q", reqs[len(reqs)-1].URL.Query().Get("clientToken"), printed)
	}
}

func TestInterruptCommandUsageErrors(t *testing.T) {
	srv := newInterruptServer(t, 200, "application/json", `{"Result":true,"RequestId":"R"}`, false)
	noCreds := func(string) string { return "" }
	tests := []struct {
		name   string
		env    func(string) string
		args   []string
		stderr string
	}{
		{"no id", nil, []string{"--endpoint", srv.URL}, "INSTANCE_ID"},
		{"two ids", nil, []string{"a", "b", "--endpoint", srv.URL}, "INSTANCE_ID"},
		{"no region or endpoint", nil, []string{"es-1"}, "--region or --endpoint"},
		{"both", nil, []string{"es-1", "--region", "cn-hangzhou", "--endpoint", srv.URL}, "mutually exclusive"},
		{"unknown flag", nil, []string{"es-1", "--bogus"}, "bogus"},
		{"bad signature", nil, []string{"es-1", "--endpoint", srv.URL, "--signature", "v2"}, "--signature"},
		{"bad format", nil, []string{"es-1", "--endpoint", srv.URL, "--format", "yaml"}, "--format"},
		{"bad output", nil, []string{"es-1", "--endpoint", srv.URL, "--output", "yaml"}, "--output"},
		{"bad network", nil, []string{"es-1", "--region", "cn-hangzhou", "--network", "lan"}, `--network must be "vpc", or left out`},
		{"network with endpoint", nil, []string{"es-1", "--network", "classic", "--endpoint", srv.URL}, `--network must be "vpc", or left out`},
		{"vpc with endpoint", nil, []string{"es-1", "--network", "vpc", "--endpoint", srv.URL}, "--network goes with --region: --endpoint names the host itself"},
		{"bad region", nil, []string{"es-1", "--region", "CN/x"}, "--region"},
		{"endpoint with path", nil, []string{"es-1", "--endpoint", srv.URL + "/x"}, "--endpoint"},
		{"zero attempts", nil, []string{"es-1", "--endpoint", srv.URL, "--max-attempts", "0"}, "--max-attempts"},
		{"bad timeout", nil, []string{"es-1", "--endpoint", srv.URL, "--timeout", "soon"}, "timeout"},
		{"negative timeout", nil, []string{"es-1", "--endpoint", srv.URL, "--timeout", "-1s"}, "timeout"},
		{"long token", nil, []string{"es-1", "--endpoint", srv.URL, "--client-token", strings.Repeat("x", 65)}, "clientToken"},
		{"non-ASCII token", nil, []string{"es-1", "--endpoint", srv.URL, "--client-token", "ü"}, "clientToken"},
		{"empty id", nil, []string{"", "--endpoint", srv.URL}, "InstanceId"},
		{"id outside the document's pattern", nil, []string{"--endpoint", srv.URL, "--", "-es-dash"}, "InstanceId"},
		{"id with a slash", nil, []string{"es/1", "--endpoint", srv.URL}, "InstanceId"},
		{"no credentials", noCreds, []string{"es-1", "--endpoint", srv.URL}, "ALIBABA_CLOUD_ACCESS_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if env == nil {
				env = interruptEnv(false)
			}
			code, out, errOut := runInterruptArgs(env, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.stderr)
			}
			// Said once, in the CLI's terms: no Go field names.
			if strings.Count(errOut, "--network") > 1 || strings.Contains(errOut, "RegionID") || strings.Contains(errOut, "Config.") {
				t.Errorf("stderr %q", errOut)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
	if reqs, _ := srv.received(); len(reqs) != 0 {
		t.Errorf("%d requests sent by usage errors", len(reqs))
	}
}

func TestInterruptCommandHelp(t *testing.T) {
	// Help asked for is the command's output: stdout.
	code, out, _ := runInterruptArgs(interruptEnv(false), "-h")
	if code != exitOK || !strings.Contains(out, "usage: esinterrupt interrupt INSTANCE_ID") || !strings.Contains(out, "-max-attempts") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

func TestInterruptThroughRun(t *testing.T) {
	srv := newInterruptServer(t, 200, "application/json", `{"Result":true,"RequestId":"VIA-RUN"}`, false)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"interrupt", "es-1", "--endpoint", srv.URL}, interruptEnv(false), &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "RequestId: VIA-RUN") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// A secret given as a flag is warned about on stderr, as serve and verify do, in text and JSON
// output alike; a secret from the environment is not.
func TestInterruptWarnsOnSecretFlag(t *testing.T) {
	srv := newInterruptServer(t, 200, "application/json", `{"Result":true,"RequestId":"REQ-W"}`, false)
	for _, output := range []string{"text", "json"} {
		code, out, errOut := runInterruptArgs(noEnv, "es-1", "--endpoint", srv.URL, "--output", output,
			"--access-key-id", interruptKeyID, "--access-key-secret", interruptSecret)
		if code != exitOK || strings.Count(errOut, "can read (ps)") != 1 || strings.Contains(out, "can read") || strings.Contains(errOut, interruptSecret) {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", output, code, out, errOut)
		}
	}
	code, _, errOut := runInterruptArgs(interruptEnv(false), "es-1", "--endpoint", srv.URL)
	if code != exitOK || strings.Contains(errOut, "can read (ps)") {
		t.Errorf("environment: exit %d, stderr %q", code, errOut)
	}
}

// A call that ends throttled says when to retry, in text and JSON.
func TestInterruptThrottledSaysWhenToRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(wire.HeaderRateLimitUser, "Limit:1,Remain:0,TimeLeft:7000,Reset:1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"RequestId":"REQ-T","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`))
	}))
	defer srv.Close()
	code, _, errOut := runInterruptArgs(interruptEnv(false), "es-1", "--endpoint", srv.URL, "--max-attempts", "1")
	if code != exitFail || !strings.Contains(errOut, "RetryAfter: 7s (at ") || !strings.Contains(errOut, "Attempts: 1\n") {
		t.Errorf("text: exit %d, stderr %q", code, errOut)
	}
	code, out, _ := runInterruptArgs(interruptEnv(false), "es-1", "--endpoint", srv.URL, "--max-attempts", "1", "--output", "json")
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitFail || v["RetryAfter"] != "7s" || v["RetryAt"] == nil {
		t.Errorf("json: exit %d, %v, stdout %q", code, err, out)
	}
}
