package contract_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// RunProvider against a reference server served on a loopback port, with the admin API.
func TestRunProviderServedURL(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "LTAIserved", AccessKeySecret: "served-secret"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: true, Throttle: 500})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	target := contract.Target{BaseURL: ts.URL, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(target)
	contract.RunProvider(t, target)
}

// RunProvider against a server without an admin API, with fixture ids per status; unsigned, so
// the signature checks skip.
func TestRunProviderStaticFixtures(t *testing.T) {
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
	defer ts.Close()
	contract.RunProvider(t, contract.Target{BaseURL: ts.URL, Fixtures: contract.NewStaticFixtures(ids)})
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

// A correct server with a rate limit passes: the checks wait as its throttled answers ask.
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
		t.Errorf("only %d throttled answers: the rate limit was never in the way", n)
	}
	t.Logf("%d throttled answers were waited out", throttled.Load())
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
