package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

func TestParseFault(t *testing.T) {
	for _, text := range []string{
		"ServiceUnavailable",
		"ServiceUnavailable,count=2",
		"Throttling.User,instance=es-cn-A.b_c*1,count=1,timeleft=300ms",
		"InternalError,rate=0.25,seed=7",
		"reset,count=1",
		"truncate,instance=es-cn-a",
		"delay,delay=1.5s",
		"InstanceNotFound,delay=10ms",
	} {
		f, err := server.ParseFault(text)
		if err != nil {
			t.Errorf("ParseFault(%q): %v", text, err)
			continue
		}
		if got := f.String(); got != text {
			t.Errorf("ParseFault(%q).String() = %q", text, got)
		}
	}
	f, err := server.ParseFault("ServiceUnavailable, COUNT=2")
	if err != nil || f.Code != "ServiceUnavailable" || f.Count != 2 {
		t.Errorf("spaces and upper-case options: %+v, %v", f, err)
	}
	for text, reason := range map[string]string{
		"":                                   "no code",
		"NoSuchCode":                         "unknown code",
		"ServiceUnavailable,count=-1":        "count must not be negative",
		"ServiceUnavailable,count=x":         "option count",
		"ServiceUnavailable,count":           "NAME=VALUE",
		"ServiceUnavailable,rate=1.5":        "rate must be",
		"ServiceUnavailable,rate=NaN":        "rate must be",
		"ServiceUnavailable,colour=red":      "unknown option",
		"ServiceUnavailable,count=1,count=2": "given twice",
		"delay":                              "delay needs delay=DURATION",
		"delay,delay=-1s":                    "delay needs",
		"reset,delay=2h":                     "delay must be between",
		"InternalError,timeleft=1s":          "Throttling codes only",
		"Throttling,timeleft=-1s":            "timeleft must be",
	} {
		_, err := server.ParseFault(text)
		var fe *server.FaultSpecError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFault(%q) = %v, want a *FaultSpecError", text, err)
			continue
		}
		if fe.Spec != text || !strings.Contains(fe.Reason, reason) {
			t.Errorf("ParseFault(%q): %+v, want the spec and a reason with %q", text, fe, reason)
		}
	}
}

func TestNewRefusesABadFault(t *testing.T) {
	for _, f := range []server.Fault{
		{Code: "NoSuchCode"},
		{Code: "ServiceUnavailable", Instance: "not an id"},
	} {
		_, err := server.New(server.Config{Faults: []server.Fault{f}})
		var fe *server.FaultSpecError
		if !errors.As(err, &fe) {
			t.Errorf("New with fault %+v: %v, want a *FaultSpecError", f, err)
		}
	}
}

// faultServer serves a fresh server over loopback.
func faultServer(t *testing.T, cfg server.Config) (*server.Server, string) {
	t.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts.URL
}

type faultAnswer struct {
	status int
	header http.Header
	body   []byte
	err    error // of the round trip or the body read
}

func postTo(t *testing.T, base, id, query, accept string) faultAnswer {
	t.Helper()
	u := base + "/openapi/instances/" + id + "/actions/interrupt"
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(http.MethodPost, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return sendRaw(req)
}

func sendRaw(req *http.Request) faultAnswer {
	// A fresh transport per request: a reset or truncated connection must not be reused.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	res, err := tr.RoundTrip(req)
	if err != nil {
		return faultAnswer{err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return faultAnswer{status: res.StatusCode, header: res.Header, body: body, err: err}
}

// wantCode checks a fault's error response: the catalogue's status and message, the format asked
// for, and a RequestId equal to x-acs-request-id.
func wantCode(t *testing.T, a faultAnswer, code, mediaType string) {
	t.Helper()
	if a.err != nil {
		t.Fatalf("want %s, got %v", code, a.err)
	}
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	entry, _ := cat.Lookup(code)
	var e models.Error
	if mediaType == spec.MediaTypeXML {
		err = spec.UnmarshalXML(a.body, &e)
	} else {
		err = json.Unmarshal(a.body, &e)
	}
	if err != nil || !sameFormat(a.header.Get("Content-Type"), mediaType) {
		t.Fatalf("want a %s body, got %s %q (%v)", mediaType, a.header.Get("Content-Type"), a.body, err)
	}
	if a.status != entry.Status || e.Code != code || e.Message != entry.Message || (e.HostId != "") != entry.CarriesHostID() {
		t.Fatalf("want %d %s %q (HostId: %v), got %d %+v", entry.Status, code, entry.Message, entry.CarriesHostID(), a.status, e)
	}
	if e.RequestId == "" || a.header.Get("x-acs-request-id") != e.RequestId {
		t.Fatalf("RequestId %q, header %q", e.RequestId, a.header.Get("x-acs-request-id"))
	}
}

// sameFormat reports whether a Content-Type is the format mediaType names: XML under any XML
// media type (the server labels it text/xml;charset=utf-8), JSON as application/json.
func sameFormat(contentType, mediaType string) bool {
	if mediaType == spec.MediaTypeXML {
		return spec.IsXMLMediaType(contentType)
	}
	return contentType == mediaType
}

func TestFaultCodeCountedAndScoped(t *testing.T) {
	srv, base := faultServer(t, server.Config{
		Instances: map[string]server.Status{"es-cn-a": server.StatusActivating, "es-cn-b": server.StatusActivating},
		Faults:    []server.Fault{{Code: "ServiceUnavailable", Instance: "es-cn-a", Count: 2}},
	})
	wantCode(t, postTo(t, base, "es-cn-a", "clientToken=T1", spec.MediaTypeJSON), "ServiceUnavailable", spec.MediaTypeJSON)
	if got := srv.Faults(); len(got) != 1 || got[0].Answered != 1 || got[0].Remaining != 1 {
		t.Fatalf("Faults() after one response = %+v", got)
	}
	// Another instance is not in the fault's scope.
	if a := postTo(t, base, "es-cn-b", "", ""); a.status != http.StatusOK {
		t.Fatalf("es-cn-b: %d %s", a.status, a.body)
	}
	wantCode(t, postTo(t, base, "es-cn-a", "clientToken=T1", spec.MediaTypeXML), "ServiceUnavailable", spec.MediaTypeXML)
	if st, _ := srv.Instance("es-cn-a"); st != server.StatusActivating {
		t.Fatalf("a fault response changed the instance to %s", st)
	}
	// Spent: the third attempt, with the same clientToken, is the server's own response.
	if a := postTo(t, base, "es-cn-a", "clientToken=T1", ""); a.status != http.StatusOK {
		t.Fatalf("third attempt: %d %s", a.status, a.body)
	}
	if len(srv.Faults()) != 0 || srv.Transitions() != 2 {
		t.Fatalf("faults %+v, transitions %d", srv.Faults(), srv.Transitions())
	}
}

func TestFaultAnswerIsNotRememberedUnderTheToken(t *testing.T) {
	srv, base := faultServer(t, server.Config{
		Instances: map[string]server.Status{"es-cn-a": server.StatusActivating},
		Faults:    []server.Fault{{Code: "InstanceNotFound", Count: 1}},
	})
	wantCode(t, postTo(t, base, "es-cn-a", "clientToken=T1", ""), "InstanceNotFound", spec.MediaTypeXML) // no Accept: XML
	if a := postTo(t, base, "es-cn-a", "clientToken=T1", ""); a.status != http.StatusOK {
		t.Fatalf("the token replayed the fault: %d %s", a.status, a.body)
	}
	if srv.Transitions() != 1 {
		t.Fatalf("transitions %d", srv.Transitions())
	}
}

func TestThrottlingFaultAnnouncesTheWait(t *testing.T) {
	_, base := faultServer(t, server.Config{Faults: []server.Fault{
		{Code: "Throttling.Api", Count: 1, TimeLeft: 300 * time.Millisecond},
		{Code: "Throttling", Count: 1},
		{Code: "InternalError", Count: 1},
	}})
	a := postTo(t, base, "es-cn-a", "", spec.MediaTypeXML)
	wantCode(t, a, "Throttling.Api", spec.MediaTypeXML)
	for _, name := range []string{"x-ratelimit-user-api", "x-ratelimit-user"} {
		if v := a.header.Get(name); !rateLimitState.MatchString(v) || !strings.Contains(v, ",TimeLeft:300,") {
			t.Errorf("%s = %q", name, v)
		}
	}
	a = postTo(t, base, "es-cn-a", "", "")
	wantCode(t, a, "Throttling", spec.MediaTypeXML)
	if v := a.header.Get("x-ratelimit-user"); !strings.Contains(v, ",TimeLeft:1000,") {
		t.Errorf("default wait: x-ratelimit-user = %q", v)
	}
	a = postTo(t, base, "es-cn-a", "", "")
	wantCode(t, a, "InternalError", spec.MediaTypeXML)
	if a.header.Get("x-ratelimit-user") != "" {
		t.Errorf("InternalError carries a rate-limit header")
	}
}

func TestFaultAppliesAfterTheSignatureCheck(t *testing.T) {
	key := signing.Credentials{AccessKeyID: "LTAIfault", AccessKeySecret: "fault-secret"}
	srv, base := faultServer(t, server.Config{
		Credentials: []signing.Credentials{key},
		Instances:   map[string]server.Status{"es-cn-a": server.StatusActivating},
		Faults:      []server.Fault{{Code: "ServiceUnavailable", Count: 1}},
	})
	wantCode(t, postTo(t, base, "es-cn-a", "", ""), "IncompleteSignature", spec.MediaTypeXML)
	signed := func() faultAnswer {
		req, err := http.NewRequest(http.MethodPost, base+"/openapi/instances/es-cn-a/actions/interrupt", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", spec.MediaTypeJSON)
		if err := signing.Sign(req, signing.SchemeV3, key, time.Now(), strconvNano()); err != nil {
			t.Fatal(err)
		}
		return sendRaw(req)
	}
	wantCode(t, signed(), "ServiceUnavailable", spec.MediaTypeJSON)
	if a := signed(); a.status != http.StatusOK {
		t.Fatalf("after the fault: %d %s", a.status, a.body)
	}
	if srv.Transitions() != 1 {
		t.Fatalf("transitions %d", srv.Transitions())
	}
}

func TestTransportFaults(t *testing.T) {
	srv, base := faultServer(t, server.Config{
		Instances: map[string]server.Status{"es-cn-r": server.StatusActivating, "es-cn-t": server.StatusActivating, "es-cn-d": server.StatusActivating},
		Faults: []server.Fault{
			{Code: server.FaultReset, Instance: "es-cn-r", Count: 1},
			{Code: server.FaultTruncate, Instance: "es-cn-t", Count: 1},
			{Code: server.FaultDelay, Instance: "es-cn-d", Count: 1, Delay: 100 * time.Millisecond},
		},
	})
	if a := postTo(t, base, "es-cn-r", "", ""); a.err == nil {
		t.Fatalf("reset: got a response %d %s", a.status, a.body)
	}
	for _, mt := range []string{spec.MediaTypeJSON, spec.MediaTypeXML} {
		srv.PutInstance("es-cn-t", server.StatusActivating)
		if _, err := srv.AddFault(server.Fault{Code: server.FaultTruncate, Instance: "es-cn-t", Count: 1}); err != nil {
			t.Fatal(err)
		}
		a := postTo(t, base, "es-cn-t", "", mt)
		if !errors.Is(a.err, io.ErrUnexpectedEOF) || a.status != http.StatusOK || !sameFormat(a.header.Get("Content-Type"), mt) {
			t.Fatalf("truncate: %d %s, %v", a.status, a.header.Get("Content-Type"), a.err)
		}
		if len(a.body) == 0 || a.header.Get("Content-Length") == "" {
			t.Fatalf("truncate: %d bytes of a declared %s", len(a.body), a.header.Get("Content-Length"))
		}
	}
	start := time.Now()
	if a := postTo(t, base, "es-cn-d", "", ""); a.status != http.StatusOK || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("delay: %d after %s", a.status, time.Since(start))
	}
	for _, id := range []string{"es-cn-r", "es-cn-t"} {
		if st, _ := srv.Instance(id); st != server.StatusActivating {
			t.Errorf("%s is %s after a transport fault", id, st)
		}
	}
	if srv.Transitions() != 1 {
		t.Fatalf("transitions %d, want 1 (the delayed request)", srv.Transitions())
	}
}

func TestDelayEndsWithTheRequest(t *testing.T) {
	srv, base := faultServer(t, server.Config{
		Instances: map[string]server.Status{"es-cn-d": server.StatusActivating},
		Faults:    []server.Fault{{Code: "ServiceUnavailable", Delay: time.Hour}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/openapi/instances/es-cn-d/actions/interrupt", nil)
	if a := sendRaw(req); !errors.Is(a.err, context.DeadlineExceeded) {
		t.Fatalf("want the client's deadline, got %d %v", a.status, a.err)
	}
	if st, _ := srv.Instance("es-cn-d"); st != server.StatusActivating {
		t.Fatalf("instance is %s", st)
	}
}

func TestFaultRateIsReproducible(t *testing.T) {
	pattern := func() string {
		_, base := faultServer(t, server.Config{Faults: []server.Fault{{Code: "InternalError", Rate: 0.5, Seed: 42}}})
		var b strings.Builder
		for range 32 {
			if postTo(t, base, "es-cn-x", "", "").status == http.StatusInternalServerError {
				b.WriteByte('F')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	first, second := pattern(), pattern()
	if first != second || !strings.Contains(first, "F") || !strings.Contains(first, ".") {
		t.Fatalf("seeded patterns %s and %s", first, second)
	}
}

func TestAdminFaults(t *testing.T) {
	_, base := faultServer(t, server.Config{Admin: true})
	admin := func(method, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+server.AdminPrefix+"faults", strings.NewReader(body))
		a := sendRaw(req)
		if a.err != nil {
			t.Fatal(a.err)
		}
		var out map[string]any
		if err := json.Unmarshal(a.body, &out); err != nil {
			t.Fatalf("%s: %q", method, a.body)
		}
		return a.status, out
	}
	status, out := admin(http.MethodPost, `{"spec":"ServiceUnavailable,count=2,instance=es-cn-a"}`)
	if status != http.StatusOK || out["id"] != 1.0 || out["spec"] != "ServiceUnavailable,instance=es-cn-a,count=2" {
		t.Fatalf("POST: %d %v", status, out)
	}
	wantCode(t, postTo(t, base, "es-cn-a", "", ""), "ServiceUnavailable", spec.MediaTypeXML)
	status, out = admin(http.MethodGet, "")
	faults, _ := out["faults"].([]any)
	if status != http.StatusOK || len(faults) != 1 || faults[0].(map[string]any)["remaining"] != 1.0 {
		t.Fatalf("GET: %d %v", status, out)
	}
	for _, bad := range []string{`{"spec":"NoSuchCode"}`, `{"spec":"ServiceUnavailable,instance=a/b"}`, `not json`, `{"code":"x"}`, `{"spec":"ServiceUnavailable"}}`} {
		status, out = admin(http.MethodPost, bad)
		if status != http.StatusBadRequest || out["Code"] != "InvalidParameter" {
			t.Errorf("POST %s: %d %v", bad, status, out)
		}
	}
	status, out = admin(http.MethodDelete, "")
	if status != http.StatusOK || out["cleared"] != 1.0 {
		t.Fatalf("DELETE: %d %v", status, out)
	}
	if a := postTo(t, base, "es-cn-a", "", ""); a.status != http.StatusBadRequest { // InstanceNotFound
		t.Fatalf("after DELETE: %d %s", a.status, a.body)
	}
	if status, out = admin(http.MethodPut, ""); status != http.StatusNotFound || out["Code"] != "InvalidAction.NotFound" {
		t.Fatalf("PUT: %d %v", status, out)
	}
	_, off := faultServer(t, server.Config{})
	req, _ := http.NewRequest(http.MethodGet, off+server.AdminPrefix+"faults", nil)
	if a := sendRaw(req); a.status != http.StatusNotFound {
		t.Fatalf("without Admin: %d", a.status)
	}
}

// strconvNano is a fresh signature nonce.
func strconvNano() string { return strconv.FormatInt(time.Now().UnixNano(), 10) }
