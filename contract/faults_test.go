package contract_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// The codes no request provokes are injected as faults: directly into an in-process server,
// through the admin API of a served one. For a server without either they are not applicable:
// the document declares that no request provokes them, so the run does not fail on them.
func TestUntriggerableCodesThroughFaults(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "LTAIfaults", AccessKeySecret: "faults-secret"}
	newServer := func(admin bool) *server.Server {
		srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: admin})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	served := httptest.NewServer(newServer(true))
	defer served.Close()
	bare := httptest.NewServer(newServer(false))
	defer bare.Close()
	for _, tc := range []struct {
		name   string
		target contract.Target
		want   contract.Outcome
	}{
		{"in-process", contract.Target{Handler: newServer(false), Credentials: &creds}, contract.Passed},
		{"admin API", contract.Target{BaseURL: served.URL, Credentials: &creds}, contract.Passed},
		{"no admin API", contract.Target{BaseURL: bare.URL, Credentials: &creds}, contract.NotApplicable},
	} {
		env, err := contract.NewEnv(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"InstanceActivating", "TokenPreviousRequestProcessError", "ConcurrencyUpdateInstanceConflict", "Throttling", "Throttling.Api", "InternalError", "ServiceUnavailable"} {
			c, ok := contract.CheckByID("error-code/" + code)
			if !ok {
				t.Fatalf("no check for %s", code)
			}
			r := contract.RunCheck(context.Background(), env, c)
			if r.Outcome != tc.want {
				t.Errorf("%s, %s: %s (%s), want %s", tc.name, code, r.Outcome, r.Reason, tc.want)
			}
			if r.Outcome == contract.NotApplicable && !strings.Contains(r.Reason, "no request provokes it") {
				t.Errorf("%s, %s: skipped without the declared reason: %s", tc.name, code, r.Reason)
			}
		}
		if tc.want == contract.Passed {
			if s := env.Statuses(); s[500] == 0 || s[503] == 0 {
				t.Errorf("%s: statuses %v lack 500 or 503", tc.name, s)
			}
		}
	}
}
