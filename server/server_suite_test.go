package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/spec"
)

func TestServer(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "server")
}

// uuidShape is the form of every RequestId: a UUID, in the service's upper case.
var uuidShape = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

var catalogue *spec.Catalogue

var _ = BeforeSuite(func() {
	_, err := documentRoute()
	Expect(err).NotTo(HaveOccurred())
	catalogue, err = spec.LoadCatalogue()
	Expect(err).NotTo(HaveOccurred())
})

// documentRoute is the operation's route in a private copy of the document, for
// openapi3filter.ValidateResponse; it also registers the XML body decoder.
var documentRoute = sync.OnceValues(func() (*routers.Route, error) {
	spec.RegisterXMLBodyDecoder()
	doc, err := spec.New()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return spec.OperationRoute(doc)
})

// checkResponse checks one response against the document and the invariants every response keeps:
// documented status and body (openapi3filter.ValidateResponse), an exact Content-Type, no 3xx or
// 5xx, a UUID-shaped RequestId equal to the x-acs-request-id header, and HostId on errors. Admin
// successes are not in the document and are only checked for the invariants.
func checkResponse(method, path string, status int, header http.Header, body []byte) error {
	if status >= 300 && status < 400 || status >= 500 {
		return fmt.Errorf("status %d", status)
	}
	ct := header.Get("Content-Type")
	if ct != spec.MediaTypeJSON && ct != spec.MediaTypeXMLWire {
		return fmt.Errorf("Content-Type %q", ct)
	}
	var ids struct {
		RequestId string
		HostId    string
		Code      string
	}
	if ct == spec.MediaTypeJSON {
		if err := json.Unmarshal(body, &ids); err != nil {
			return fmt.Errorf("JSON body %q: %w", body, err)
		}
	} else if err := spec.UnmarshalXML(body, &ids); err != nil {
		return fmt.Errorf("XML body %q: %w", body, err)
	}
	if !uuidShape.MatchString(ids.RequestId) {
		return fmt.Errorf("RequestId %q is not UUID-shaped", ids.RequestId)
	}
	if got := header.Get("x-acs-request-id"); got != ids.RequestId {
		return fmt.Errorf("x-acs-request-id %q, body RequestId %q", got, ids.RequestId)
	}
	if status >= 400 {
		if ids.Code == "" {
			return fmt.Errorf("error body without Code: %s", body)
		}
		// Gateway errors carry HostId, service errors leave it out (rule host-id).
		if entry, ok := catalogue.Lookup(ids.Code); ok && entry.CarriesHostID() != (ids.HostId != "") {
			return fmt.Errorf("%s (origin %s) with HostId %q: %s", ids.Code, entry.Origin, ids.HostId, body)
		}
	}
	if strings.HasPrefix(path, server.AdminPrefix) && status == http.StatusOK {
		return nil
	}
	if method == http.MethodHead {
		return nil // no body to validate
	}
	route, err := documentRoute()
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, "/", nil)
	if err != nil {
		return err
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: map[string]string{"InstanceId": "es-cn-n6w1o1x0w001c****"},
			Route:      route,
		},
		Status: status,
		Header: header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return fmt.Errorf("%d %s: %w\n%s", status, ct, err, body)
	}
	return nil
}

// violations collects what the validating wrapper found; every spec's AfterEach asserts it is
// empty, so no response of any test escapes the document.
type violations struct {
	mu   sync.Mutex
	errs []string
	n    int
}

func (v *violations) add(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.errs = append(v.errs, err.Error())
}

func (v *violations) checked() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.n
}

// validating wraps h so that every response it emits is checked by checkResponse.
func validating(h http.Handler, v *violations) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		res := rec.Result()
		body := rec.Body.Bytes()
		if err := checkResponse(r.Method, r.URL.EscapedPath(), res.StatusCode, res.Header, body); err != nil {
			v.add(fmt.Errorf("%s %s: %w", r.Method, r.URL.RequestURI(), err))
		}
		v.mu.Lock()
		v.n++
		v.mu.Unlock()
		for k, vs := range res.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(body)
	})
}

// fakeClock is an injectable clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a server under test behind a loopback httptest server that validates every response.
type harness struct {
	srv    *server.Server
	ts     *httptest.Server
	clock  *fakeClock
	checks *violations
}

// start builds a server from cfg (with a fake clock unless cfg has one) and serves it.
func start(cfg server.Config) *harness {
	GinkgoHelper()
	h := &harness{checks: &violations{}}
	if cfg.Now == nil {
		h.clock = newFakeClock()
		cfg.Now = h.clock.Now
	}
	srv, err := server.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	h.srv = srv
	h.ts = httptest.NewServer(validating(srv, h.checks))
	DeferCleanup(func() {
		h.ts.Close()
		Expect(h.checks.errs).To(BeEmpty(), "responses that break the document")
	})
	return h
}

// operationURL is the operation's URL for an (already escaped) instance id segment.
func (h *harness) operationURL(escapedID string) string {
	return h.ts.URL + "/openapi/instances/" + escapedID + "/actions/interrupt"
}

// response is a received response with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// contentType is the response's media type as the document names it: the exact wire labels map to
// spec.MediaTypeJSON and spec.MediaTypeXML, anything else is returned as sent (and fails).
func (a response) contentType() string {
	ct := a.header.Get("Content-Type")
	if ct == spec.MediaTypeXMLWire {
		return spec.MediaTypeXML
	}
	return ct
}

// error decodes the Error body, in whichever format it came.
func (a response) error() models.Error {
	GinkgoHelper()
	var e models.Error
	a.decode(&e)
	return e
}

// result decodes the success body.
func (a response) result() models.InterruptElasticsearchTaskResult {
	GinkgoHelper()
	var r models.InterruptElasticsearchTaskResult
	a.decode(&r)
	return r
}

func (a response) decode(v any) {
	GinkgoHelper()
	switch a.contentType() {
	case spec.MediaTypeJSON:
		Expect(json.Unmarshal(a.body, v)).To(Succeed(), string(a.body))
	case spec.MediaTypeXML:
		Expect(spec.UnmarshalXML(a.body, v)).To(Succeed(), string(a.body))
	default:
		Fail("unexpected Content-Type " + a.contentType())
	}
}

// do sends req and reads the response. A request without Accept asks for JSON, as the module's
// client does; send keeps the request as it is (XML is the default then).
func do(req *http.Request) response {
	GinkgoHelper()
	if _, ok := req.Header["Accept"]; !ok {
		req.Header.Set("Accept", spec.MediaTypeJSON)
	}
	return send(req)
}

// send sends req exactly as it is and reads the response.
func send(req *http.Request) response {
	GinkgoHelper()
	res, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	return readResponse(res)
}

// readResponse reads and closes a response.
func readResponse(res *http.Response) response {
	GinkgoHelper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// post sends an unsigned interrupt for escapedID, with query (may be "") and Accept (may be "").
func (h *harness) post(escapedID, query, accept string) response {
	GinkgoHelper()
	u := h.operationURL(escapedID)
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(http.MethodPost, u, nil)
	Expect(err).NotTo(HaveOccurred())
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return do(req)
}

// raw sends the request line and headers exactly as given over a fresh connection, for paths the
// Go client would not send unchanged. headers are "Name: value" lines.
func (h *harness) raw(method, target string, headers []string, body string) response {
	GinkgoHelper()
	conn, err := net.Dial("tcp", h.ts.Listener.Addr().String())
	Expect(err).NotTo(HaveOccurred())
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, h.ts.Listener.Addr())
	for _, line := range headers {
		b.WriteString(line + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	_, err = io.WriteString(conn, b.String())
	Expect(err).NotTo(HaveOccurred())
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// expectError asserts an Error response with code, in the format wanted, with the catalogue's
// status and message.
func expectError(a response, code, mediaType string) models.Error {
	GinkgoHelper()
	entry, ok := catalogue.Lookup(code)
	Expect(ok).To(BeTrue(), "code %s is not in the catalogue", code)
	Expect(a.contentType()).To(Equal(mediaType), string(a.body))
	e := a.error()
	Expect(e.Code).To(Equal(code), string(a.body))
	Expect(a.status).To(Equal(entry.Status), string(a.body))
	Expect(e.Message).To(HavePrefix(entry.Message))
	if code != "SignatureDoesNotMatch" {
		Expect(e.Message).To(Equal(entry.Message))
	}
	Expect(e.RequestId).To(MatchRegexp(uuidShape.String()))
	Expect(e.RequestId).To(Equal(a.header.Get("x-acs-request-id")))
	if entry.CarriesHostID() {
		Expect(e.HostId).NotTo(BeEmpty(), "%s is a gateway error", code)
	} else {
		Expect(e.HostId).To(BeEmpty(), "%s is a service error", code)
	}
	Expect(e.Recommend).NotTo(BeNil())
	Expect(*e.Recommend).To(Equal("https://api.aliyun.com/troubleshoot?q=" + code + "&product=elasticsearch&requestId=" + e.RequestId))
	return e
}

// expectSuccess asserts a 200 Result true response in the format wanted.
func expectSuccess(a response, mediaType string) models.InterruptElasticsearchTaskResult {
	GinkgoHelper()
	Expect(a.status).To(Equal(http.StatusOK), string(a.body))
	Expect(a.contentType()).To(Equal(mediaType))
	r := a.result()
	Expect(r.Result).To(BeTrue())
	Expect(r.RequestId).To(MatchRegexp(uuidShape.String()))
	return r
}

// acceptFor is the Accept header that asks for mediaType.
func acceptFor(mediaType string) string {
	if mediaType == spec.MediaTypeXML {
		return spec.MediaTypeXML
	}
	return spec.MediaTypeJSON
}

var formats = []string{spec.MediaTypeJSON, spec.MediaTypeXML}

// openapiDoc is the parsed document, for tests that read schema names.
func openapiDoc() *openapi3.T {
	GinkgoHelper()
	doc, err := spec.Load()
	Expect(err).NotTo(HaveOccurred())
	return doc
}
