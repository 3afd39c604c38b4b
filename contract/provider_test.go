package contract_test

import (
	"fmt"
	"net/http/httptest"
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
