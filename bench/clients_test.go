package bench_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/es-openapi/interrupt/bench/internal/fixture"
	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// These tests make the benchmarks meaningful: the two signing implementations compute the same
// Authorization, and every client the call benchmarks time sends a request the reference server
// accepts (signature, validation, lifecycle) and reads its answer. The benchmarks then only
// time what these tests show works.

// TestSigningAgrees checks that ours and openapi-util sign the benchmark's request identically,
// so BenchmarkSign compares the same work.
func TestSigningAgrees(t *testing.T) {
	req := oursSignRequest(t)
	for _, c := range []struct {
		name     string
		scheme   signing.Scheme
		official string
	}{{"V3", signing.SchemeV3, signOfficialV3()}, {"ROA", signing.SchemeROA, signOfficialROA()}} {
		got, err := signOurs(req, c.scheme)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.official {
			t.Errorf("%s: ours %q, openapi-util %q", c.name, got, c.official)
		}
	}
}

// TestClientsAgainstReferenceServer sends one interrupt with every benchmarked client to the
// reference server with signature checks on, each for its own activating instance, and checks
// the answer and the transition.
func TestClientsAgainstReferenceServer(t *testing.T) {
	ids := map[string]string{
		"Ours-V3-JSON":       "es-cn-benchclient00001",
		"Ours-V3-XML":        "es-cn-benchclient00002",
		"Ours-ROA-JSON":      "es-cn-benchclient00003",
		"Ours-ROA-XML":       "es-cn-benchclient00004",
		"OfficialV3SDK":      "es-cn-benchclient00005",
		"OfficialV3SDK-ACS3": "es-cn-benchclient00006",
		"LegacySDK":          "es-cn-benchclient00007",
	}
	seed := map[string]server.Status{}
	for _, id := range ids {
		seed[id] = server.StatusActivating
	}
	ref, err := server.New(server.Config{
		Instances:   seed,
		Credentials: []signing.Credentials{{AccessKeyID: benchKeyID, AccessKeySecret: benchSecret}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ref)
	t.Cleanup(srv.Close)
	calls := clientCalls(t, srv.URL)
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			call, ok := calls[name]
			if !ok {
				t.Fatalf("no client named %s", name)
			}
			requestID, err := call(id)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if requestID == "" {
				t.Error("no RequestId in the answer")
			}
			if st, _ := ref.Instance(id); st != server.StatusSuspended {
				t.Errorf("instance %s is %s after the interrupt, want suspended", id, st)
			}
		})
	}
	if got, want := ref.Transitions(), int64(len(ids)); got != want {
		t.Errorf("server counted %d transitions, want %d", got, want)
	}
}

// TestClientsAgainstFixture checks that every client accepts the fixture server's replayed
// answers (the bytes the call benchmarks answer with) as a success.
func TestClientsAgainstFixture(t *testing.T) {
	srv := newFixtureServer(t)
	for name, call := range clientCalls(t, srv.URL) {
		t.Run(name, func(t *testing.T) {
			requestID, err := call(fixture.InstanceID)
			if err != nil {
				t.Fatal(err)
			}
			if requestID == "" {
				t.Error("no RequestId in the answer")
			}
		})
	}
}

// clientCalls returns, per benchmark name, a function making one successful interrupt of id
// against base and returning the answer's RequestId.
func clientCalls(t *testing.T, base string) map[string]func(id string) (string, error) {
	t.Helper()
	ctx := context.Background()
	calls := map[string]func(string) (string, error){}
	for name, cfg := range map[string][2]string{
		"Ours-V3-JSON":  {string(client.SignatureV3), string(client.FormatJSON)},
		"Ours-V3-XML":   {string(client.SignatureV3), string(client.FormatXML)},
		"Ours-ROA-JSON": {string(client.SignatureROA), string(client.FormatJSON)},
		"Ours-ROA-XML":  {string(client.SignatureROA), string(client.FormatXML)},
	} {
		c := ours(t, base, client.SignatureVersion(cfg[0]), client.Format(cfg[1]))
		calls[name] = func(id string) (string, error) {
			res, err := c.InterruptElasticsearchTask(ctx, id, &client.InterruptOptions{ClientToken: benchToken + "-" + name})
			if err != nil {
				return "", err
			}
			if !res.Result {
				return "", errResultFalse
			}
			return res.RequestID, nil
		}
	}
	for name, acs3 := range map[string]bool{"OfficialV3SDK": false, "OfficialV3SDK-ACS3": true} {
		c := officialV3(t, base, acs3)
		calls[name] = func(id string) (string, error) {
			res, err := callOfficialV3(c, id, benchToken+"-"+name)
			if err != nil {
				return "", err
			}
			if res.Body == nil || !tea.BoolValue(res.Body.Result) {
				return "", errResultFalse
			}
			return tea.StringValue(res.Body.RequestId), nil
		}
	}
	lc := legacyClient(t)
	host, port := splitHostPort(t, base)
	calls["LegacySDK"] = func(id string) (string, error) {
		res, err := callLegacy(lc, host, port, id, benchToken+"-legacy")
		if err != nil {
			return "", err
		}
		if !res.Result {
			return "", errResultFalse
		}
		return res.RequestId, nil
	}
	return calls
}

type benchError string

func (e benchError) Error() string { return string(e) }

const errResultFalse = benchError("the answer's Result is false")

// TestFixtureHandler checks the replay: each Accept gets its format's bytes and headers.
func TestFixtureHandler(t *testing.T) {
	a, err := fixture.Success()
	if err != nil {
		t.Fatal(err)
	}
	h := fixture.Handler(a)
	for _, c := range []struct {
		accept string
		want   fixture.Answer
	}{{"application/json", a.JSON}, {"application/xml", a.XML}, {"", a.JSON}} {
		req := httptest.NewRequest("POST", "/anything", nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want.Status || rec.Header().Get("Content-Type") != c.want.ContentType ||
			rec.Header().Get("X-Acs-Request-Id") != c.want.RequestID || rec.Body.String() != string(c.want.Body) {
			t.Errorf("Accept %q: got %d %q %q", c.accept, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		if !strings.Contains(rec.Body.String(), c.want.RequestID) {
			t.Errorf("Accept %q: body lacks the RequestId %s", c.accept, c.want.RequestID)
		}
	}
}
