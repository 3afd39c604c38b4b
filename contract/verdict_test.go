package contract_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

var verdictCreds = signing.Credentials{AccessKeyID: "LTAIverdict", AccessKeySecret: "verdict-secret"}

// newServer starts a reference server signed with verdictCreds.
func newServer(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	cfg.Credentials = []signing.Credentials{verdictCreds}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// fullTarget is an in-process reference server with every capability: credentials, the admin
// API, and a rate limit the throttle probe reaches.
func fullTarget(t *testing.T) (contract.Target, *server.Server) {
	srv := newServer(t, server.Config{Admin: true, Throttle: 100})
	creds := verdictCreds
	target := contract.Target{Handler: srv, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(target)
	return target, srv
}

func verify(t *testing.T, target contract.Target, keep func(contract.Check) bool) *contract.Report {
	t.Helper()
	report, err := contract.Verify(t.Context(), target, keep)
	if err != nil {
		t.Fatal(err)
	}
	return report
}

func byID(ids ...string) func(contract.Check) bool {
	return func(c contract.Check) bool {
		for _, id := range ids {
			if c.ID == id {
				return true
			}
		}
		return false
	}
}

// The reference server with everything a run needs, faults included, passes with every check run:
// no setup skip, and nothing left not applicable.
func TestVerifyFullTargetPasses(t *testing.T) {
	target, _ := fullTarget(t)
	report := verify(t, target, nil)
	s := report.Summary()
	if !report.Verdict.Pass || report.Verdict.Partial || s.Failed != 0 || s.Skipped != 0 || s.NotApplicable != 0 {
		t.Fatalf("%s", report)
	}
}

// A declared skip alone is a pass: the document says no request can provoke the code, and this
// target takes no faults (its handler is wrapped, and it has no admin API).
func TestDeclaredSkipDoesNotFail(t *testing.T) {
	srv := newServer(t, server.Config{})
	creds := verdictCreds
	target := contract.Target{Handler: http.HandlerFunc(srv.ServeHTTP), Credentials: &creds}
	report := verify(t, target, byID("error-code/InternalError"))
	if len(report.Results) != 1 || report.Results[0].Outcome != contract.NotApplicable {
		t.Fatalf("results: %+v", report.Results)
	}
	if !report.Verdict.Pass || report.Verdict.Partial {
		t.Fatalf("verdict %s", report.Verdict)
	}
}

// A target without fixtures, credentials, status observation or throttling fails by default, and
// the verdict names exactly what to provide.
func TestVerifyWithoutSetupFails(t *testing.T) {
	// Unsigned requests to a signing server are refused before any check (see the preflight
	// tests), so this server checks no signature.
	srv, err := server.New(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	report := verify(t, contract.Target{Handler: srv, ThrottleProbe: 20}, nil)
	v := report.Verdict
	if v.Pass || v.Partial || report.Summary().Skipped == 0 || report.Summary().Failed != 0 {
		t.Fatalf("%s", report)
	}
	provide := strings.Join(v.Provide, "; ")
	for _, want := range []string{
		"9 more instances in status activating", "4 more in suspended", "2 more in active",
		"2 more in inactive", "2 more in invalid", "credentials", "read an instance's status",
		"a target that throttles within the throttle probe (now 20 requests)",
	} {
		if !strings.Contains(provide, want) {
			t.Errorf("the verdict does not say %q: %s", want, v)
		}
	}
	if !strings.Contains(v.String(), "--allow-partial") {
		t.Errorf("the verdict does not name the opt-in: %s", v)
	}
}

// Allowing a partial verdict passes the same run, and the report and JUnit say it was partial.
func TestVerifyAllowPartial(t *testing.T) {
	srv, err := server.New(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	report := verify(t, contract.Target{Handler: srv, ThrottleProbe: -1, AllowPartial: true}, nil)
	if !report.Verdict.Pass || !report.Verdict.Partial {
		t.Fatalf("%s", report)
	}
	var text bytes.Buffer
	if err := contract.WriteReport(&text, report); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "verdict: partial: ") || !strings.Contains(text.String(), "flow control not probed") {
		t.Errorf("report:\n%s", text.String())
	}
	var junit bytes.Buffer
	if err := contract.WriteJUnit(&junit, "suite", report); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name       string `xml:"name,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(junit.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for _, p := range doc.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	// Written by Ginkgo's JUnit reporter (its SuiteSucceeded property), with the contract's own.
	if doc.Failures != 0 || doc.Suites[0].Name != "suite (partial)" || props["partial"] != "true" || !strings.HasPrefix(props["verdict"], "partial") || props["SuiteSucceeded"] != "true" {
		t.Errorf("JUnit: %s", junit.String())
	}

	// Without the opt-in, the same skips are failures in JUnit.
	report.Verdict.Pass, report.Verdict.Partial = false, false
	junit.Reset()
	if err := contract.WriteJUnit(&junit, "suite", report); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(junit.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Failures != report.Summary().Skipped {
		t.Errorf("JUnit failures %d, setup skips %d", doc.Failures, report.Summary().Skipped)
	}
}

// A selection that matches no check is refused.
func TestVerifyEmptySelection(t *testing.T) {
	target, _ := fullTarget(t)
	if _, err := contract.Verify(t.Context(), target, func(contract.Check) bool { return false }); !errors.Is(err, contract.ErrNoChecks) {
		t.Fatalf("err = %v, want ErrNoChecks", err)
	}
}

// A run removes every instance it created through the admin API.
func TestVerifyRemovesItsInstances(t *testing.T) {
	target, srv := fullTarget(t)
	if err := srv.PutInstance("es-cn-owned-by-someone", server.StatusActive); err != nil {
		t.Fatal(err)
	}
	report := verify(t, target, nil)
	if !report.Verdict.Pass {
		t.Fatalf("%s", report)
	}
	checks, err := contract.Checks()
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, k := range contract.TotalNeeds(checks).Instances {
		created += k
	}
	if report.Removed != created || report.CleanupErr != nil {
		t.Errorf("removed %d (%v), the checks need %d", report.Removed, report.CleanupErr, created)
	}
	left := srv.Instances()
	if len(left) != 1 || left["es-cn-owned-by-someone"] != server.StatusActive {
		t.Errorf("instances left: %v", left)
	}
}

// countingHandler counts the requests that reach h.
func countingHandler(h http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	})
}

// The report's request count is every request the target received, admin calls included, and the
// throttle probe stays within its bound.
func TestVerifyCountsRequestsAndBoundsTheProbe(t *testing.T) {
	srv := newServer(t, server.Config{Admin: true}) // no rate limit: the probe runs to its bound
	var n atomic.Int64
	creds := verdictCreds
	target := contract.Target{Handler: countingHandler(srv, &n), Credentials: &creds, ThrottleProbe: 25, AllowPartial: true}
	target.Fixtures = contract.NewAdminFixtures(target)
	report := verify(t, target, nil)
	if report.Requests != n.Load() {
		t.Errorf("report says %d requests, the target received %d", report.Requests, n.Load())
	}
	if report.ThrottleRequests != 25 || report.ThrottleProbe != 25 {
		t.Errorf("throttle probe sent %d of %d", report.ThrottleRequests, report.ThrottleProbe)
	}
	if !strings.Contains(report.String(), "sent "+strconv.FormatInt(n.Load(), 10)+" requests (25 of them probing flow control, at most 25)") {
		t.Errorf("summary: %s", report)
	}
	throttle := resultOf(t, report, "error-code/Throttling.User")
	if throttle.Outcome != contract.Skipped || !throttle.Missing.Throttling {
		t.Errorf("Throttling.User: %s %q", throttle.Outcome, throttle.Reason)
	}

	// A probe of 0 (ThrottleProbe < 0) sends nothing and is a setup skip.
	n.Store(0)
	target.ThrottleProbe = -1
	report = verify(t, target, byID("error-code/Throttling.User"))
	if report.ThrottleRequests != 0 || report.Results[0].Outcome != contract.Skipped || n.Load() != 1 {
		t.Errorf("probe off: %d probe requests, %d in all, %s", report.ThrottleRequests, n.Load(), report.Results[0].Outcome)
	}
}

func resultOf(t *testing.T, report *contract.Report, id string) contract.Result {
	t.Helper()
	for _, r := range report.Results {
		if r.Check.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return contract.Result{}
}

// countingFixtures records how many instances of each status were asked for.
type countingFixtures struct {
	contract.Fixtures
	mu  sync.Mutex
	got map[contract.Status]int
}

func (f *countingFixtures) Instance(ctx context.Context, st contract.Status) (string, error) {
	f.mu.Lock()
	f.got[st]++
	f.mu.Unlock()
	return f.Fixtures.Instance(ctx, st)
}

// Every check uses exactly the instances it declares (shared ones at most once), so the needs
// --list prints and the verdict's "provide" are true.
func TestChecksDeclareTheInstancesTheyUse(t *testing.T) {
	target, _ := fullTarget(t)
	fixtures := &countingFixtures{Fixtures: target.Fixtures, got: map[contract.Status]int{}}
	target.Fixtures = fixtures
	env, err := contract.NewEnv(target)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := contract.Checks()
	if err != nil {
		t.Fatal(err)
	}
	sharedUsed := map[contract.Status]int{}
	for _, c := range checks {
		fixtures.got = map[contract.Status]int{}
		r := contract.RunCheck(t.Context(), env, c)
		if r.Outcome == contract.Failed || r.Outcome == contract.Skipped {
			t.Fatalf("%s: %s %s", c.ID, r.Outcome, r.Reason)
		}
		for _, st := range allStatuses(t) {
			got, want := fixtures.got[st], c.Needs.Instances[st]
			if c.Needs.SharedInstances[st] > 0 {
				sharedUsed[st] += got
				continue
			}
			if got != want {
				t.Errorf("%s used %d %s instances, declares %d", c.ID, got, st, want)
			}
		}
	}
	total := contract.TotalNeeds(checks)
	for st, used := range sharedUsed {
		if used != 1 {
			t.Errorf("the shared %s instance was got %d times (total need %d)", st, used, total.Instances[st])
		}
	}
}

func allStatuses(t *testing.T) []contract.Status {
	t.Helper()
	all, err := contract.Statuses()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// Every check names the document statement it checks, and carries its group as its first label.
func TestChecksNameTheirStatementAndGroup(t *testing.T) {
	checks, err := contract.Checks()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Statement == "" {
			t.Errorf("%s names no statement of the document", c.ID)
		}
		if len(c.Labels) == 0 || c.Labels[0] != c.Group() {
			t.Errorf("%s: labels %v do not start with its group %q", c.ID, c.Labels, c.Group())
		}
	}
}

// The label filter refuses labels no check has, with a suggestion, and accepts ID prefixes.
func TestParseLabelFilter(t *testing.T) {
	for expr, want := range map[string]string{
		"errrors":             `did you mean "errors"`,
		"state || signatures": `did you mean "signature"`,
		"(((":                 "",
		"/^nothing$/":         "selects no check",
		"state && document":   "selects no check",
	} {
		_, err := contract.ParseLabelFilter(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to say %q", expr, err, want)
		}
	}
	keep, err := contract.ParseLabelFilter("error-code")
	if err != nil {
		t.Fatal(err)
	}
	selected, err := contract.Select(keep)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range selected {
		if c.Group() != "error-code" {
			t.Errorf("error-code selected %s", c.ID)
		}
	}
	if len(selected) < 10 {
		t.Errorf("error-code selected %d checks", len(selected))
	}
}

func TestValidateBaseURL(t *testing.T) {
	for base, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "https://example.com": true, "http://h/": true,
		"127.0.0.1:9": false, "ftp://h": false, "http://h/prefix": false, "http://h?x=1": false,
		"http://": false, "": false, "http://h#f": false,
	} {
		if err := contract.ValidateBaseURL(base); (err == nil) != ok {
			t.Errorf("%q: err = %v", base, err)
		}
	}
}

// The preflight tells an unreachable target and refused credentials apart, once, before any
// check.
func TestPreflight(t *testing.T) {
	closed := closedPortURL(t)
	srv := newServer(t, server.Config{})
	wrong := signing.Credentials{AccessKeyID: verdictCreds.AccessKeyID, AccessKeySecret: "not-the-secret"}
	tlsServer := httptest.NewTLSServer(srv)
	defer tlsServer.Close()
	plain := httptest.NewServer(srv)
	defer plain.Close()
	for _, tc := range []struct {
		name   string
		target contract.Target
		cause  error
		says   string
	}{
		{"unreachable", contract.Target{BaseURL: closed}, contract.ErrUnreachable, "connection refused"},
		{"untrusted TLS", contract.Target{BaseURL: tlsServer.URL, Credentials: &verdictCreds}, contract.ErrUnreachable, "TLS"},
		{"TLS spoken to plain HTTP", contract.Target{BaseURL: strings.Replace(plain.URL, "http:", "https:", 1), Credentials: &verdictCreds}, contract.ErrUnreachable, "TLS"},
		{"wrong secret", contract.Target{Handler: srv, Credentials: &wrong}, contract.ErrCredentialsRejected, "SignatureDoesNotMatch"},
		{"no credentials", contract.Target{Handler: srv}, contract.ErrCredentialsRejected, "requires signed requests"},
		{"unknown key", contract.Target{Handler: srv, Credentials: &signing.Credentials{AccessKeyID: "LTAIstranger", AccessKeySecret: "x"}}, contract.ErrCredentialsRejected, "InvalidAccessKeyId.NotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			report, err := contract.Verify(t.Context(), tc.target, nil)
			var pre *contract.PreflightError
			if !errors.As(err, &pre) || !errors.Is(err, tc.cause) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want %v saying %q", err, tc.cause, tc.says)
			}
			if len(report.Results) != 0 || report.Requests != 1 {
				t.Errorf("%d checks ran, %d requests sent", len(report.Results), report.Requests)
			}
		})
	}
	// The right key passes the preflight.
	if err := contract.Preflight(t.Context(), mustEnv(t, contract.Target{Handler: srv, Credentials: &verdictCreds})); err != nil {
		t.Fatal(err)
	}
}

// A redirecting target is reported once by the preflight, and the redirect is never followed: the
// second server, which would receive the credentials, gets nothing. The caller's client is left
// as it was.
func TestRedirectNotFollowed(t *testing.T) {
	var followed atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
	}))
	defer elsewhere.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	caller := &http.Client{}
	report, err := contract.Verify(t.Context(), contract.Target{BaseURL: redirecting.URL, Credentials: &verdictCreds, HTTPClient: caller}, nil)
	var pre *contract.PreflightError
	if !errors.As(err, &pre) || !errors.Is(err, contract.ErrRedirected) || !strings.Contains(err.Error(), "307 to \""+elsewhere.URL) {
		t.Fatalf("err = %v, want ErrRedirected naming %s", err, elsewhere.URL)
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect was followed: %d requests reached the other server", n)
	}
	if report.Requests != 1 || len(report.Results) != 0 {
		t.Errorf("%d requests, %d checks, want 1 and none", report.Requests, len(report.Results))
	}
	if caller.CheckRedirect != nil {
		t.Error("the caller's HTTPClient was changed")
	}
}

func mustEnv(t *testing.T, target contract.Target) *contract.Env {
	t.Helper()
	env, err := contract.NewEnv(target)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// Removing an instance twice is no error; an admin API without DELETE is.
func TestAdminFixturesRemove(t *testing.T) {
	srv := newServer(t, server.Config{Admin: true})
	f := contract.NewAdminFixtures(contract.Target{Handler: srv})
	id, err := f.Instance(t.Context(), contract.StatusActive)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.Remove(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	if _, found := srv.Instance(id); found {
		t.Fatalf("%s is still there", id)
	}
	noDelete := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		srv.ServeHTTP(w, r)
	})
	f = contract.NewAdminFixtures(contract.Target{Handler: noDelete})
	if id, err = f.Instance(t.Context(), contract.StatusActive); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(t.Context(), id); err == nil || !strings.Contains(err.Error(), "405") {
		t.Fatalf("err = %v", err)
	}
	if f.Requests() != 2 {
		t.Errorf("%d admin requests counted, 2 sent", f.Requests())
	}
}

// What a run could not remove is reported, not silently left.
func TestVerifyReportsWhatItCouldNotRemove(t *testing.T) {
	srv := newServer(t, server.Config{Admin: true})
	noDelete := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			http.Error(w, "no", http.StatusMethodNotAllowed)
			return
		}
		srv.ServeHTTP(w, r)
	})
	creds := verdictCreds
	target := contract.Target{Handler: noDelete, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(target)
	report := verify(t, target, byID("state/active"))
	if report.Removed != 0 || report.CleanupErr == nil || !strings.Contains(report.String(), "removed 0 instances it had created; could not remove some: remove es-cn-contract") {
		t.Fatalf("%s", report)
	}
	if len(srv.Instances()) != 1 {
		t.Errorf("instances: %v", srv.Instances())
	}
}

// A cancelled run is interrupted, not failed: the check the cancellation cut short is not
// counted, the verdict says so, and the instances created so far are removed.
func TestVerifyInterrupted(t *testing.T) {
	srv := newServer(t, server.Config{Admin: true})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var seen, created atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, contract.AdminInstancesPath) {
			created.Add(1)
		}
		if seen.Add(1) == 30 {
			cancel() // while this request is on its way: its check is cut short
			<-r.Context().Done()
			return
		}
		srv.ServeHTTP(w, r)
	})
	ts := httptest.NewServer(handler)
	defer ts.Close()
	target := contract.Target{BaseURL: ts.URL, Credentials: &verdictCreds, ThrottleProbe: -1}
	target.Fixtures = contract.NewAdminFixtures(target)
	report, err := contract.Verify(ctx, target, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if s := report.Summary(); s.Failed != 0 {
		t.Errorf("%d checks failed for the interruption", s.Failed)
	}
	if !report.Verdict.Interrupted || report.Verdict.Pass || !strings.HasPrefix(report.Verdict.String(), "interrupted: ") {
		t.Errorf("verdict %q (%+v)", report.Verdict, report.Verdict)
	}
	all, _ := contract.Checks()
	if len(report.Results) == 0 || len(report.Results) >= len(all) {
		t.Errorf("%d of %d results", len(report.Results), len(all))
	}
	if report.Removed == 0 || int64(report.Removed) != created.Load() || report.CleanupErr != nil {
		t.Errorf("removed %d of %d created instances (%v)", report.Removed, created.Load(), report.CleanupErr)
	}
}
