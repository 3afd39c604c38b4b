package contract_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// recordProvider is a provider that answers the way the public record shows the real service
// answering, built by rewriting the reference server's responses:
//   - XML is labelled text/xml;charset=utf-8 (what darabonba reads as XML);
//   - business errors carry no HostId (the operation page lists only Code, Message, RequestId);
//   - Recommend links end in &requestId=<id>, and in XML the link is wrapped in CDATA;
//   - RequestIds are page-style, their last four characters masked as in the page's sample
//     E9908D15-13F4-4428-B08F-A3EE8E39****.
//
// Each rewrite is counted, so the test can tell that the provider really answered that way.
type recordProvider struct {
	next                             http.Handler
	xml, hostless, recommend, masked atomic.Int64
}

var (
	hostIDJSON     = regexp.MustCompile(`"HostId":"[^"]*",?`)
	hostIDXML      = regexp.MustCompile(`\s*<HostId>[^<]*</HostId>`)
	recommendJSON  = regexp.MustCompile(`("Recommend":")([^"]*)(")`)
	recommendXML   = regexp.MustCompile(`<Recommend>([^<]*)</Recommend>`)
	requestIDValue = regexp.MustCompile(`[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{8}([0-9A-F]{4})`)
)

// businessCodes are the codes of the operation itself rather than of the gateway.
var businessCodes = []string{"InstanceNotFound", "InstanceStatusNotSupportCurrentAction", "AlreadyReceivedInterruptSignal", "IdempotentParameterMismatch"}

func (p *recordProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	p.next.ServeHTTP(rec, r)
	h, body := rec.Header(), rec.Body.Bytes()
	isXML := strings.Contains(h.Get("Content-Type"), "xml")
	if isXML {
		h.Set("Content-Type", "text/xml;charset=utf-8")
		p.xml.Add(1)
	}
	for _, code := range businessCodes {
		if bytes.Contains(body, []byte(">"+code+"<")) || bytes.Contains(body, []byte(`"`+code+`"`)) {
			body = hostIDJSON.ReplaceAll(hostIDXML.ReplaceAll(body, nil), nil)
			p.hostless.Add(1)
			break
		}
	}
	id := h.Get("X-Acs-Request-Id")
	if recommendJSON.Match(body) || recommendXML.Match(body) {
		body = recommendJSON.ReplaceAll(body, []byte("${1}${2}&requestId="+id+"${3}"))
		body = recommendXML.ReplaceAll(body, []byte("<Recommend><![CDATA[${1}&amp;requestId="+id+"]]></Recommend>"))
		p.recommend.Add(1)
	}
	if m := requestIDValue.FindStringSubmatch(id); m != nil {
		masked := strings.TrimSuffix(id, m[1]) + "****"
		body = bytes.ReplaceAll(body, []byte(id), []byte(masked))
		h.Set("X-Acs-Request-Id", masked)
		p.masked.Add(1)
	}
	h.Del("Content-Length")
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// A provider that answers as the public record shows the real service answering passes the
// provider contract: what the document leaves open is never enforced.
func TestRunProviderPublicRecordProvider(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "LTAIrecord", AccessKeySecret: "record-secret"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: true, Throttle: testThrottle})
	if err != nil {
		t.Fatal(err)
	}
	p := &recordProvider{next: srv}
	target := contract.Target{Handler: p, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(contract.Target{Handler: srv})
	contract.RunProvider(t, target)
	for name, n := range map[string]int64{"XML labelled text/xml": p.xml.Load(), "errors without HostId": p.hostless.Load(), "Recommend with requestId": p.recommend.Load(), "masked RequestIds": p.masked.Load()} {
		if n == 0 {
			t.Errorf("no response was rewritten to %s: the test proves nothing about it", name)
		}
	}
}
