package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

func noEnv(string) string { return "" }

// runVerifyArgs runs `esinterrupt verify args...` in-process.
func runVerifyArgs(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"verify"}, args...), getenv, &out, &errOut)
	return code, out.String(), errOut.String()
}

var (
	summaryLine = regexp.MustCompile(`(?m)^contract: (\d+) passed, (\d+) failed, (\d+) skipped \(target setup\), (\d+) not applicable \(declared by the document\)$`)
	sentLine    = regexp.MustCompile(`(?m)^sent (\d+) requests`)
)

var verifyCreds = signing.Credentials{AccessKeyID: "LTAIcli", AccessKeySecret: "cli-secret"}

func credsEnv(name string) string {
	return map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": verifyCreds.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": verifyCreds.AccessKeySecret}[name]
}

// servedTarget serves a reference server signed with verifyCreds on a loopback port, counting the
// requests it receives.
func servedTarget(t *testing.T, cfg server.Config) (*server.Server, string, *atomic.Int64) {
	t.Helper()
	cfg.Credentials = []signing.Credentials{verifyCreds}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return srv, ts.URL, &n
}

func TestVerifyEmbeddedServerPasses(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "report.xml")
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--junit", junit)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	m := summaryLine.FindStringSubmatch(stdout)
	if m == nil || m[1] == "0" || m[2] != "0" || m[3] != "0" {
		t.Fatalf("no passing summary line without setup skips in:\n%s", stdout)
	}
	for _, line := range []string{"PASS  document/valid", "PASS  error-code/InstanceNotFound", "PASS  error-code/Throttling.User",
		"PASS  error-code/InternalError", "PASS  error-code/ServiceUnavailable", "PASS  coverage/statuses", "verdict: pass\n", "removed 21 instances it had created"} {
		if !strings.Contains(stdout, line) {
			t.Errorf("report lacks %q:\n%s", line, stdout)
		}
	}
	if !sentLine.MatchString(stdout) {
		t.Errorf("no request count in:\n%s", stdout)
	}
	raw, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &report); err != nil {
		t.Fatalf("JUnit report does not parse: %v", err)
	}
	if report.Tests == 0 || report.Failures != 0 || len(report.Suites) != 1 || len(report.Suites[0].Cases) != report.Tests {
		t.Fatalf("JUnit report: %d tests, %d failures, %d suites", report.Tests, report.Failures, len(report.Suites))
	}
}

// `serve --admin --throttle` and `verify --target` with credentials from the environment: every
// check runs, the run removes what it created, and its request count is what the server received.
func TestVerifyServedURL(t *testing.T) {
	srv, url, received := servedTarget(t, server.Config{Admin: true, Throttle: 50})
	code, stdout, stderr := runVerifyArgs(t, credsEnv, "--target", url)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "PASS  signature/v3-wrong-secret") || !strings.Contains(stdout, "PASS  error-code/Throttling.User") {
		t.Errorf("the signature or flow-control checks did not run:\n%s", stdout)
	}
	if m := summaryLine.FindStringSubmatch(stdout); m == nil || m[3] != "0" {
		t.Errorf("setup skips on a fully equipped target:\n%s", stdout)
	}
	if left := srv.Instances(); len(left) != 0 {
		t.Errorf("the run left %d instances behind: %v", len(left), left)
	}
	m := sentLine.FindStringSubmatch(stdout)
	if m == nil || m[1] != strconv.FormatInt(received.Load(), 10) {
		t.Errorf("the report's count %v differs from the %d requests the server received:\n%s", m, received.Load(), stdout)
	}
}

// Without a rate limit the flow-control check cannot run: the run fails unless a partial verdict
// is allowed; --throttle-probe bounds the probe, and 0 sends none.
func TestVerifyThrottleProbe(t *testing.T) {
	_, url, received := servedTarget(t, server.Config{Admin: true})
	code, stdout, _ := runVerifyArgs(t, credsEnv, "--target", url, "--label-filter", "errors", "--throttle-probe", "30")
	if code != exitFail {
		t.Fatalf("exit %d, want %d:\n%s", code, exitFail, stdout)
	}
	for _, want := range []string{"SKIP  error-code/Throttling.User", "(30 of them probing flow control, at most 30)", "verdict: fail: 1 check could not run", "a target that throttles within the throttle probe (now 30 requests)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	received.Store(0)
	code, stdout, _ = runVerifyArgs(t, credsEnv, "--target", url, "--label-filter", "errors", "--throttle-probe", "0", "--allow-partial")
	if code != exitOK || !strings.Contains(stdout, "flow control not probed") || !strings.Contains(stdout, "verdict: partial: ") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
	if m := sentLine.FindStringSubmatch(stdout); m == nil || m[1] != strconv.FormatInt(received.Load(), 10) || received.Load() > 100 {
		t.Errorf("sent %v, received %d:\n%s", m, received.Load(), stdout)
	}
}

// A target without fixtures, admin API or credentials fails, naming what to provide; with
// --allow-partial it passes, and the summary and JUnit say the verdict was partial.
func TestVerifyWithoutFixturesFailsUnlessPartial(t *testing.T) {
	srv, err := server.New(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--target", ts.URL, "--throttle-probe", "5")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFail, stdout, stderr)
	}
	if m := summaryLine.FindStringSubmatch(stdout); m == nil || m[2] != "0" || m[3] == "0" {
		t.Errorf("want setup skips and no failure:\n%s", stdout)
	}
	if strings.Count(stdout, "verdict: ") != 1 {
		t.Errorf("not one verdict:\n%s", stdout)
	}
	for _, want := range []string{"SKIP  state/activating", "no admin API", "provide 9 more instances in status activating, 4 more in suspended",
		"credentials the target accepts", "read an instance's status", "--allow-partial"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}

	junit := filepath.Join(t.TempDir(), "report.xml")
	code, stdout, stderr = runVerifyArgs(t, noEnv, "--target", ts.URL, "--throttle-probe", "5", "--allow-partial", "--junit", junit)
	if code != exitOK || !strings.Contains(stdout, "verdict: partial: ") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	raw, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`<property name="partial" value="true">`)) || !bytes.Contains(raw, []byte(`name="esinterrupt verify (partial)"`)) {
		t.Errorf("the JUnit report does not say the verdict was partial:\n%s", raw)
	}
}

func TestVerifyStaticFixturesAndLabelFilter(t *testing.T) {
	srv, err := server.New(server.Config{Instances: map[string]server.Status{
		"es-cn-a1": server.StatusActive, "es-cn-a2": server.StatusActive,
		"es-cn-i1": server.StatusInactive, "es-cn-v1": server.StatusInvalid,
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--target", ts.URL, "--label-filter", "state", "--allow-partial",
		"--fixture", "active=es-cn-a1", "--fixture", "inactive=es-cn-i1", "--fixture", "invalid=es-cn-v1")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "error-code/") || !strings.Contains(stdout, "state/active") {
		t.Errorf("--label-filter state did not select the state checks alone:\n%s", stdout)
	}
	// Static fixtures cannot read statuses: the refused interrupts' "leaves it" is not checked.
	for _, want := range []string{"SKIP  state/activating", "SKIP  state/active", "cannot read an instance's status",
		"provide 1 more instance in status activating, 1 more in suspended",
		"(give more with --fixture ID=STATUS; --fixture replaces the admin API"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestVerifyFailsOnAWrongServer(t *testing.T) {
	// A server that says yes to everything.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Result":true,"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D001"}`))
	}))
	defer ts.Close()
	code, stdout, _ := runVerifyArgs(t, noEnv, "--target", ts.URL, "--fixture", "active=x", "--allow-partial")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stdout)
	}
	if !strings.Contains(stdout, "FAIL  error-code/InstanceNotFound") || !strings.Contains(stdout, "verdict: fail: ") {
		t.Errorf("the report does not name the failed check:\n%s", stdout)
	}
}

// Bad arguments exit 2 before anything is sent: a listener that counts connections sees none.
func TestVerifyUsageErrors(t *testing.T) {
	live, accepted := countingListener(t)
	addr := strings.TrimPrefix(live, "http://")
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--label-filter", "((("}, "--label-filter"},
		{[]string{"--label-filter", "errrors", "--target", live}, `did you mean "errors"`},
		{[]string{"--label-filter", "state && document", "--target", live}, "selects no check"},
		{[]string{"--fixture", "sleeping=x", "--target", live}, "sleeping"},
		{[]string{"--fixture", "active"}, "STATUS=ID"},
		{[]string{"extra-argument"}, "unexpected argument"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
		{[]string{"--target", live, "--access-key-id", "only-the-id"}, "AccessKeySecret"},
		{[]string{"--target", addr}, "want an http:// or https:// URL"},
		{[]string{"--target", "ftp://" + addr}, "want an http:// or https:// URL"},
		{[]string{"--target", live + "/prefix"}, "not scheme://host[:port]"},
		{[]string{"--target", live + "/?x=1"}, "has a query or fragment"},
		{[]string{"--target", live + "#top"}, "has a query or fragment"},
		{[]string{"--target", "http://user:pw-not-printed@" + addr}, "carries user info"},
		{[]string{"--target", "http://127.0.0.1:99999"}, "port 99999 is not from 1 to 65535"},
		{[]string{"--target", "http://127.0.0.1:0"}, "port 0 is not from 1 to 65535"},
		{[]string{"--target", live, "--throttle-probe", "-1"}, "--throttle-probe"},
		{[]string{"--target", ""}, "--target is empty"},
		{[]string{"--target="}, "--target is empty"},
	} {
		code, stdout, stderr := runVerifyArgs(t, noEnv, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.says) {
			t.Errorf("verify %q: exit %d, want %d saying %q\nstdout:\n%s\nstderr:\n%s", tc.args, code, exitUsage, tc.says, stdout, stderr)
		}
		// One plain message: no password, no package prefixes, no terminal colours.
		if strings.Contains(stderr, "pw-not-printed") || strings.Contains(stderr, "contract:") || strings.Contains(stderr, "\x1b[") {
			t.Errorf("verify %q: stderr %q", tc.args, stderr)
		}
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("usage errors opened %d connections", n)
	}
}

// The label that is every check id's prefix selects those checks.
func TestVerifyLabelFilterByGroup(t *testing.T) {
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--label-filter", "error-code && !errors")
	if code != exitUsage || !strings.Contains(stderr, "selects no check") {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runVerifyArgs(t, noEnv, "--label-filter", "formats")
	if code != exitOK || strings.Count(stdout, "PASS  formats/") != 2 || strings.Contains(stdout, "PASS  error-code/") {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
}

// An unreachable target and refused credentials are one message each, with their own exit code,
// and no check runs.
func TestVerifyPreflight(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	_, url, _ := servedTarget(t, server.Config{Admin: true})
	redirecting := httptest.NewServer(http.RedirectHandler(url+"/", http.StatusMovedPermanently))
	defer redirecting.Close()
	wrongSecret := func(name string) string {
		if name == "ALIBABA_CLOUD_ACCESS_KEY_SECRET" {
			return "not-the-secret"
		}
		return credsEnv(name)
	}
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		target string
		code   int
		says   string
	}{
		{"unreachable", credsEnv, closed, exitUnreachable, "the target cannot be reached"},
		{"redirecting", credsEnv, redirecting.URL, exitUnreachable, "the target redirects: it answered 301 to"},
		{"wrong secret", wrongSecret, url, exitCredentials, "SignatureDoesNotMatch"},
		{"no credentials", noEnv, url, exitCredentials, "requires signed requests"},
	} {
		code, stdout, stderr := runVerifyArgs(t, tc.getenv, "--target", tc.target)
		if code != tc.code || strings.Count(stderr, tc.says) != 1 {
			t.Errorf("%s: exit %d, want %d saying %q once\nstdout:\n%s\nstderr:\n%s", tc.name, code, tc.code, tc.says, stdout, stderr)
		}
		if strings.Contains(stdout, "PASS") || strings.Contains(stdout, "FAIL") || strings.Contains(stderr, "not-the-secret") {
			t.Errorf("%s: checks ran, or the secret was printed:\n%s%s", tc.name, stdout, stderr)
		}
	}
}

// --list prints every check with its labels, needs and statement, and sends nothing.
func TestVerifyList(t *testing.T) {
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--list")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"error-code/InstanceNotFound\n  labels:    error-code, errors\n  needs:     nothing\n  statement: x-error-codes: InstanceNotFound is answered with status 400",
		"state/suspended\n  labels:    state\n  needs:     1 suspended instance, status observation\n  statement: x-state-table row suspended→suspended",
		"signature/v3-wrong-secret\n  labels:    signature\n  needs:     credentials\n",
		"in all they need: 9 activating instances, 4 suspended instances, 2 active instances, 2 inactive instances, 2 invalid instances, 2 unknown instances, credentials, status observation, throttling",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--list lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "target:") {
		t.Errorf("--list started a target:\n%s", stdout)
	}
}

// verify -h documents the exit codes.
func TestVerifyHelpDocumentsExitCodes(t *testing.T) {
	// Help asked for is the command's output: stdout.
	code, stdout, _ := runVerifyArgs(t, noEnv, "-h")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []int{exitOK, exitFail, exitUsage, exitUnreachable, exitCredentials} {
		if !regexp.MustCompile(`(?m)^  ` + strconv.Itoa(c) + `  \S`).MatchString(stdout) {
			t.Errorf("-h does not document exit code %d:\n%s", c, stdout)
		}
	}
	for _, flag := range []string{"-allow-partial", "-throttle-probe", "-list"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("-h lacks %s", flag)
		}
	}
}

// The done-when pair: `esinterrupt serve --admin --throttle` and `esinterrupt verify --target`
// pass together, and the run leaves no instance on the admin API.
func TestVerifyAgainstServe(t *testing.T) {
	addr, log, stop := startServe(t, "--addr", "127.0.0.1:0", "--admin", "--throttle", "50",
		"--access-key-id", verifyCreds.AccessKeyID, "--access-key-secret", verifyCreds.AccessKeySecret)
	defer stop()
	code, stdout, stderr := runVerifyArgs(t, credsEnv, "--target", "http://"+addr)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nserve:\n%s", code, stdout, stderr, log)
	}
	if m := summaryLine.FindStringSubmatch(stdout); m == nil || m[2] != "0" || m[3] != "0" {
		t.Errorf("want no failure and no setup skip:\n%s", stdout)
	}
	res, err := http.Get("http://" + addr + "/-/admin/instances")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list struct{ Instances map[string]string }
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list.Instances) != 0 {
		t.Errorf("the run left %d instances on the admin API: %v", len(list.Instances), list.Instances)
	}
}

// A --junit that cannot be written stops the run before anything is sent.
func TestVerifyJUnitNotWritable(t *testing.T) {
	_, url, n := servedTarget(t, server.Config{Admin: true})
	dir := t.TempDir()
	for _, path := range []string{dir, filepath.Join(dir, "missing", "report.xml")} {
		code, stdout, stderr := runVerifyArgs(t, credsEnv, "--target", url, "--junit", path)
		if code != exitUsage || !strings.Contains(stderr, "--junit") || strings.Contains(stdout, "PASS") {
			t.Errorf("--junit %s: exit %d\nstdout:\n%s\nstderr:\n%s", path, code, stdout, stderr)
		}
	}
	if got := n.Load(); got != 0 {
		t.Errorf("%d requests sent", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the check left %d files", len(entries))
	}
}

// A run interrupted by a signal (its context cancelled) exits 130, reports the finished checks,
// and counts no check failed for the interruption.
func TestVerifyInterrupted(t *testing.T) {
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{verifyCreds}, Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var seen atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) == 30 {
			cancel()
			<-r.Context().Done()
			return
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	junit := filepath.Join(t.TempDir(), "report.xml")
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"verify", "--target", ts.URL, "--throttle-probe", "0", "--junit", junit}, credsEnv, &out, &errOut)
	if code != exitInterrupted || !strings.Contains(errOut.String(), "interrupted") {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInterrupted, out.String(), errOut.String())
	}
	if m := summaryLine.FindStringSubmatch(out.String()); m == nil || m[2] != "0" || strings.Contains(out.String(), "FAIL") {
		t.Errorf("the interruption was counted as a failure:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "verdict: interrupted") {
		t.Errorf("no interrupted verdict:\n%s", out.String())
	}
	if _, err := os.Stat(junit); err != nil {
		t.Errorf("no JUnit report: %v", err)
	}
}
