package contract_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// RunProvider against a reference server served on a loopback port, with the admin API. Its
// rate limit is low enough that the throttle probe outpaces the refill over a socket on a busy
// machine; the checks before it wait out the throttled responses.
func TestRunProviderServedURL(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "LTAIserved", AccessKeySecret: "served-secret"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: true, Throttle: testThrottle})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	target := contract.Target{BaseURL: ts.URL, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(target)
	contract.RunProvider(t, target)
}

// RunProvider against a reference server whose key is an STS key: every request carries the
// correct security token, and the checks that omit it or send another one are refused.
func TestRunProviderSTSKey(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "STS.served", AccessKeySecret: "sts-secret", SecurityToken: "sts-token"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: true, Throttle: testThrottle})
	if err != nil {
		t.Fatal(err)
	}
	target := contract.Target{Handler: srv, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(target)
	contract.RunProvider(t, target)
}

// RunProvider against a server without an admin API, with fixture ids per status; unsigned, so
// the signature checks skip, and static fixtures cannot read statuses: a partial verdict, which
// passes only because it is allowed (TestRunProviderFailsOnSetupSkips shows the default).
func TestRunProviderStaticFixtures(t *testing.T) {
	contract.RunProvider(t, staticTarget(t, true))
}

// staticTarget is a reference server without signatures, admin API or rate limit, seeded with
// eight instances per status handed out as static fixtures.
func staticTarget(t *testing.T, allowPartial bool) contract.Target {
	statuses, err := contract.Statuses()
	if err != nil {
		t.Fatal(err)
	}
	seed := map[string]server.Status{}
	ids := map[contract.Status][]string{}
	for _, st := range statuses {
		for i := 0; i < 8; i++ {
			id := fmt.Sprintf("es-cn-fixture-%s-%d", st, i)
			seed[id] = st
			ids[st] = append(ids[st], id)
		}
	}
	srv, err := server.New(server.Config{Instances: seed})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return contract.Target{BaseURL: ts.URL, Fixtures: contract.NewStaticFixtures(ids), AllowPartial: allowPartial, ThrottleProbe: 50}
}

// helperEnv names the environment variable that makes a test below act as the child process of
// another; the child's verdict is what the parent asserts.
const helperEnv = "CONTRACT_TEST_HELPER"

// The child of TestRunProviderFailsOnSetupSkips: RunProvider without AllowPartial.
func TestHelperRunProviderWithoutPartial(t *testing.T) {
	if os.Getenv(helperEnv) != t.Name() {
		t.Skip("runs as the child process of TestRunProviderFailsOnSetupSkips")
	}
	contract.RunProvider(t, staticTarget(t, false))
}

// Without AllowPartial, checks the target's setup kept from running fail the test once, with the
// summary naming what to provide; no check failed.
func TestRunProviderFailsOnSetupSkips(t *testing.T) {
	out, err := runChild(t, "TestHelperRunProviderWithoutPartial")
	if err == nil {
		t.Fatalf("RunProvider passed a run with setup skips:\n%s", out)
	}
	for _, want := range []string{"verdict: fail: ", "checks could not run against this target's setup", "credentials the target accepts", "read an instance's status", "--- FAIL: TestHelperRunProviderWithoutPartial"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "--- FAIL: TestHelperRunProviderWithoutPartial/") {
		t.Errorf("a check failed, where only the verdict should:\n%s", out)
	}
}

// The child of TestRunProviderStopsAtAnUnreachableTarget.
func TestHelperRunProviderUnreachable(t *testing.T) {
	if os.Getenv(helperEnv) != t.Name() {
		t.Skip("runs as the child process of TestRunProviderStopsAtAnUnreachableTarget")
	}
	contract.RunProvider(t, contract.Target{BaseURL: closedPortURL(t)})
}

// An unreachable target is one error, and no check runs.
func TestRunProviderStopsAtAnUnreachableTarget(t *testing.T) {
	out, err := runChild(t, "TestHelperRunProviderUnreachable")
	if err == nil {
		t.Fatalf("RunProvider passed an unreachable target:\n%s", out)
	}
	if n := strings.Count(out, "the target cannot be reached"); n != 1 {
		t.Errorf("the cause is reported %d times:\n%s", n, out)
	}
	if strings.Contains(out, "TestHelperRunProviderUnreachable/") {
		t.Errorf("checks ran against an unreachable target:\n%s", out)
	}
}

// closedPortURL returns the URL of a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// runChild runs this test binary's test name with helperEnv set, and returns its output.
func runChild(t *testing.T, name string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+name)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Static fixtures hand each id out once and then say there is none left.
func TestStaticFixturesRunOut(t *testing.T) {
	f := contract.NewStaticFixtures(map[contract.Status][]string{contract.StatusActive: {"a"}})
	if id, err := f.Instance(t.Context(), contract.StatusActive); err != nil || id != "a" {
		t.Fatalf("first Instance = %q, %v", id, err)
	}
	if _, err := f.Instance(t.Context(), contract.StatusActive); err == nil {
		t.Fatal("second Instance succeeded; the fixture was already used")
	}
}

// A correct server with a rate limit passes: the checks wait as its throttled responses ask.
func TestRunProviderRateLimitedServer(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "LTAIlimited", AccessKeySecret: "limited-secret"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: true, Throttle: 20})
	if err != nil {
		t.Fatal(err)
	}
	var throttled atomic.Int64
	counting := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		if strings.Contains(rec.Body.String(), "Throttling.User") {
			throttled.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
	target := contract.Target{Handler: counting, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(contract.Target{Handler: srv})
	contract.RunProvider(t, target)
	// The limit was reached well before the flow-control check, which alone cannot explain many.
	if n := throttled.Load(); n < 20 {
		t.Errorf("only %d throttled responses: the rate limit was never in the way", n)
	}
	t.Logf("%d throttled responses were waited out", throttled.Load())
}

// A base URL with a path is refused rather than silently dropped.
func TestTargetBaseURLWithPath(t *testing.T) {
	env, err := contract.NewEnv(contract.Target{BaseURL: "http://127.0.0.1:1/proxy"})
	if err != nil {
		t.Fatal(err)
	}
	check, ok := contract.CheckByID("error-code/InstanceNotFound")
	if !ok {
		t.Fatal("no such check")
	}
	r := contract.RunCheck(t.Context(), env, check)
	if r.Outcome != contract.Failed || !strings.Contains(r.Reason, "scheme://host[:port]") {
		t.Fatalf("outcome %s: %s", r.Outcome, r.Reason)
	}
}
