package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

var summaryLine = regexp.MustCompile(`(?m)^contract: (\d+) passed, (\d+) failed, (\d+) skipped$`)

func TestVerifyEmbeddedServerPasses(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "report.xml")
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--junit", junit)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	m := summaryLine.FindStringSubmatch(stdout)
	if m == nil || m[2] != "0" || m[1] == "0" || m[3] != "0" {
		t.Fatalf("no passing summary line in:\n%s", stdout)
	}
	for _, line := range []string{"PASS  document/valid", "PASS  error-code/InstanceNotFound", "PASS  error-code/Throttling.User", "PASS  error-code/InternalError", "PASS  error-code/ServiceUnavailable", "PASS  coverage/statuses"} {
		if !strings.Contains(stdout, line) {
			t.Errorf("report lacks %q", line)
		}
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

func TestVerifyServedURL(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "LTAIcli", AccessKeySecret: "cli-secret"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	env := func(name string) string {
		return map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": creds.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": creds.AccessKeySecret}[name]
	}
	code, stdout, stderr := runVerifyArgs(t, env, "--target", ts.URL)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "PASS  signature/v3-wrong-secret") {
		t.Errorf("the signature checks did not run with credentials from the environment:\n%s", stdout)
	}
	// Without a throttle the flow-control check is a skip with its reason, never a pass.
	if !strings.Contains(stdout, "SKIP  error-code/Throttling.User") {
		t.Errorf("Throttling.User was not reported as skipped:\n%s", stdout)
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
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--target", ts.URL, "--label-filter", "state",
		"--fixture", "active=es-cn-a1", "--fixture", "inactive=es-cn-i1", "--fixture", "invalid=es-cn-v1")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "error-code/") || !strings.Contains(stdout, "PASS  state/active") {
		t.Errorf("--label-filter state did not select the state checks alone:\n%s", stdout)
	}
	if !strings.Contains(stdout, "SKIP  state/activating") {
		t.Errorf("a status without a fixture was not skipped:\n%s", stdout)
	}
}

func TestVerifyFailsOnAWrongServer(t *testing.T) {
	// A server that says yes to everything.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Result":true,"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D001"}`))
	}))
	defer ts.Close()
	code, stdout, _ := runVerifyArgs(t, noEnv, "--target", ts.URL, "--fixture", "active=x")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stdout)
	}
	if !strings.Contains(stdout, "FAIL  error-code/InstanceNotFound") {
		t.Errorf("the report does not name the failed check:\n%s", stdout)
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--label-filter", "((("},
		{"--fixture", "sleeping=x", "--target", "http://127.0.0.1:1"},
		{"--fixture", "active"},
		{"extra-argument"},
		{"--no-such-flag"},
		{"--target", "http://127.0.0.1:1", "--access-key-id", "only-the-id"},
	} {
		if code, _, _ := runVerifyArgs(t, noEnv, args...); code != exitUsage {
			t.Errorf("verify %q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// A correct server without an admin API and without fixtures: the checks that need instances
// are skipped with the reason, never failed.
func TestVerifyWithoutFixturesSkips(t *testing.T) {
	srv, err := server.New(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	code, stdout, stderr := runVerifyArgs(t, noEnv, "--target", ts.URL)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "SKIP  state/activating") || !strings.Contains(stdout, "no admin API") {
		t.Errorf("the instance checks were not skipped with the reason:\n%s", stdout)
	}
}
