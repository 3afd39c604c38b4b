package server_test

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/spec"
)

var _ = Describe("the response check used by every test", func() {
	// The wrapper that validates every response must itself reject broken responses, or a green run
	// would prove nothing.
	DescribeTable("rejects a response that breaks the document",
		func(status int, contentType, body string, extraHeader ...string) {
			h := http.Header{"Content-Type": {contentType}, "X-Acs-Request-Id": {"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1"}}
			for i := 0; i+1 < len(extraHeader); i += 2 {
				h.Set(extraHeader[i], extraHeader[i+1])
			}
			Expect(checkResponse(http.MethodPost, "/x", status, h, []byte(body))).To(HaveOccurred())
		},
		Entry("a 5xx", 500, spec.MediaTypeJSON, `{"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1","HostId":"h","Code":"InternalError","Message":"m"}`),
		Entry("a redirect", 301, spec.MediaTypeJSON, `{}`),
		Entry("text/plain", 404, "text/plain; charset=utf-8", "404 page not found\n"),
		Entry("a gateway error without HostId", 400, spec.MediaTypeJSON, `{"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1","Code":"SignatureDoesNotMatch","Message":"m"}`),
		Entry("a service error with HostId", 400, spec.MediaTypeJSON, `{"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1","HostId":"h","Code":"InstanceNotFound","Message":"m"}`),
		Entry("a success without Result", 200, spec.MediaTypeJSON, `{"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1"}`),
		Entry("a RequestId that is no UUID", 200, spec.MediaTypeJSON, `{"Result":true,"RequestId":"abc"}`),
		Entry("a header that differs from the body", 200, spec.MediaTypeJSON, `{"Result":true,"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C2"}`),
		Entry("an XML error under the wrong root", 400, spec.MediaTypeXML,
			`<Oops><RequestId>5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1</RequestId><HostId>h</HostId><Code>X</Code><Message>m</Message></Oops>`),
		Entry("a malformed rate-limit header", 400, spec.MediaTypeJSON,
			`{"RequestId":"5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1","HostId":"h","Code":"Throttling.User","Message":"m"}`,
			"x-ratelimit-user", "Limit:1,Remain:0,TimeLeft:-5,Reset:1"),
		Entry("an XML success whose Result is no boolean", 200, spec.MediaTypeXML,
			`<InterruptElasticsearchTaskResponse><RequestId>5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D8C1</RequestId><Result>yes</Result></InterruptElasticsearchTaskResponse>`),
	)
})

var _ = Describe("bad input", func() {
	var h *harness
	BeforeEach(func() {
		h = start(server.Config{Instances: map[string]server.Status{instanceID: server.StatusActivating}})
	})

	// Each request goes over the wire byte for byte (raw), so nothing the Go client would
	// normalise is normalised; each must get a 4xx Error body in the format asked for, and leave
	// the instance as it was.
	DescribeTable("paths, methods and queries",
		func(method, target, wantCode string) {
			for _, mt := range formats {
				a := h.raw(method, target, []string{"Accept: " + acceptFor(mt)}, "")
				if method == http.MethodHead {
					Expect(a.status).To(Equal(http.StatusNotFound))
					Expect(a.contentType()).To(Equal(mt))
					continue
				}
				expectError(a, wantCode, mt)
			}
			st, _ := h.srv.Instance(instanceID)
			Expect(st).To(Equal(server.StatusActivating))
			Expect(h.srv.Transitions()).To(BeZero())
		},
		Entry("an encoded slash in the id", "POST", "/openapi/instances/es-cn%2Fother/actions/interrupt", "InvalidParameter"),
		Entry("an encoded ../ in the id", "POST", "/openapi/instances/%2e%2e%2fes-cn/actions/interrupt", "InvalidParameter"),
		Entry("an encoded ../ replacing the id", "POST", "/openapi/instances/%2e%2e%2f/actions/interrupt", "InvalidParameter"),
		Entry("a literal .. as the id", "POST", "/openapi/instances/../actions/interrupt", "InvalidParameter"),
		Entry("a literal . as the id", "POST", "/openapi/instances/./actions/interrupt", "InvalidParameter"),
		Entry("a raw slash in the id", "POST", "/openapi/instances/es-cn/other/actions/interrupt", "InvalidAction.NotFound"),
		Entry("a space in the id", "POST", "/openapi/instances/es%20cn/actions/interrupt", "InvalidParameter"),
		Entry("a leading space", "POST", "/openapi/instances/%20es-cn/actions/interrupt", "InvalidParameter"),
		Entry("a control character in the id", "POST", "/openapi/instances/es%01cn/actions/interrupt", "InvalidParameter"),
		Entry("a NUL in the id", "POST", "/openapi/instances/es%00cn/actions/interrupt", "InvalidParameter"),
		Entry("non-ASCII in the id", "POST", "/openapi/instances/es-%C3%A9/actions/interrupt", "InvalidParameter"),
		Entry("invalid UTF-8 in the id", "POST", "/openapi/instances/es-%FF/actions/interrupt", "InvalidParameter"),
		Entry("a 1000-character id", "POST", "/openapi/instances/"+strings.Repeat("a", 1000)+"/actions/interrupt", "InvalidParameter"),
		Entry("a 129-character id", "POST", "/openapi/instances/"+strings.Repeat("a", 129)+"/actions/interrupt", "InvalidParameter"),
		Entry("an empty id", "POST", "/openapi/instances//actions/interrupt", "MissingParameter"),
		Entry("a doubled leading slash", "POST", "//openapi/instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("a doubled inner slash", "POST", "/openapi//instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("a trailing slash", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt/", "InvalidAction.NotFound"),
		Entry("an encoded slash in the fixed part", "POST", "/openapi/instances%2F"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("another action", "POST", "/openapi/instances/"+instanceID+"/actions/resume", "InvalidAction.NotFound"),
		Entry("the root", "POST", "/", "InvalidAction.NotFound"),
		Entry("a path escaping upwards", "POST", "/openapi/../../etc/passwd", "InvalidAction.NotFound"),
		Entry("an absolute-form target elsewhere", "POST", "http://example.invalid/other", "InvalidAction.NotFound"),
		Entry("an admin path while the admin API is off", "GET", "/-/admin/instances", "InvalidAction.NotFound"),
		Entry("GET", "GET", "/openapi/instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("PUT", "PUT", "/openapi/instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("DELETE", "DELETE", "/openapi/instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("PATCH", "PATCH", "/openapi/instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("OPTIONS", "OPTIONS", "/openapi/instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("HEAD (no body, status only)", "HEAD", "/openapi/instances/"+instanceID+"/actions/interrupt", ""),
		Entry("a lower-case method", "post", "/openapi/instances/"+instanceID+"/actions/interrupt", "InvalidAction.NotFound"),
		Entry("a 65-character token", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken="+strings.Repeat("t", 65), "InvalidParameter"),
		Entry("a non-ASCII token", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken=t%C3%A9", "InvalidParameter"),
		Entry("a token with a control character", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken=t%0At", "InvalidParameter"),
		Entry("an empty token", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken=", "InvalidParameter"),
		Entry("a repeated token", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken=a&clientToken=a", "InvalidParameter"),
		Entry("an unknown query parameter", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?force=true", "InvalidParameter"),
		Entry("a misspelt token name", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?ClientToken=a", "InvalidParameter"),
		Entry("a malformed query escape", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken=%zz", "InvalidParameter"),
		Entry("a semicolon in the query", "POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken=a;b", "InvalidParameter"),
	)

	It("refuses any request body, in both formats", func() {
		for _, mt := range formats {
			for _, body := range []string{"{}", "x", `{"InstanceId":"` + instanceID + `"}`, strings.Repeat("b", 70<<10)} {
				a := h.raw("POST", "/openapi/instances/"+instanceID+"/actions/interrupt",
					[]string{"Accept: " + acceptFor(mt), "Content-Type: application/json"}, body)
				expectError(a, "InvalidParameter", mt)
			}
		}
		Expect(h.srv.Transitions()).To(BeZero())
	})

	It("refuses a chunked body", func() {
		req, err := http.NewRequest(http.MethodPost, h.operationURL(instanceID), strings.NewReader("chunk"))
		Expect(err).NotTo(HaveOccurred())
		req.ContentLength = -1 // sent chunked
		expectError(do(req), "InvalidParameter", spec.MediaTypeJSON)
	})

	DescribeTable("Accept negotiation",
		func(accept []string, want string) {
			req, err := http.NewRequest(http.MethodPost, h.operationURL("es-unknown"), nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header["Accept"] = accept
			expectError(send(req), "InstanceNotFound", want)
		},
		Entry("none: the service's default", nil, spec.MediaTypeXML),
		Entry("empty", []string{""}, spec.MediaTypeXML),
		Entry("application/json", []string{"application/json"}, spec.MediaTypeJSON),
		Entry("application/xml", []string{"application/xml"}, spec.MediaTypeXML),
		Entry("text/xml", []string{"text/xml"}, spec.MediaTypeXML),
		Entry("upper case", []string{"Application/XML"}, spec.MediaTypeXML),
		Entry("xml with a charset", []string{"application/xml; charset=utf-8"}, spec.MediaTypeXML),
		Entry("*/*", []string{"*/*"}, spec.MediaTypeXML),
		Entry("json then */*", []string{"application/json, */*"}, spec.MediaTypeJSON),
		Entry("application/*", []string{"application/*"}, spec.MediaTypeXML),
		Entry("a +xml type only", []string{"application/problem+xml"}, spec.MediaTypeXML),
		Entry("xml then */*", []string{"application/xml, */*"}, spec.MediaTypeXML),
		Entry("xml preferred by q", []string{"application/json;q=0.5, application/xml;q=0.9"}, spec.MediaTypeXML),
		Entry("json preferred by q", []string{"application/xml;q=0.5, application/json"}, spec.MediaTypeJSON),
		Entry("json and xml tied", []string{"application/xml, application/json"}, spec.MediaTypeXML),
		Entry("xml refused with q=0", []string{"application/xml;q=0"}, spec.MediaTypeJSON),
		Entry("xml below a wildcard", []string{"application/xml;q=0.1, */*"}, spec.MediaTypeJSON),
		Entry("xml in a second header line", []string{"text/html", "application/xml"}, spec.MediaTypeXML),
		Entry("an unknown type", []string{"text/html"}, spec.MediaTypeXML),
		Entry("garbage", []string{";;;,,==q, /, xml/, application/"}, spec.MediaTypeXML),
		Entry("a bad q", []string{"application/xml;q=abc"}, spec.MediaTypeXML),
		Entry("q above 1", []string{"application/xml;q=7"}, spec.MediaTypeXML),
		Entry("json refused with q=0", []string{"application/json;q=0"}, spec.MediaTypeXML),
		Entry("json with a bad q", []string{"application/json;q=abc"}, spec.MediaTypeXML),
		Entry("a huge value", []string{strings.Repeat("application/xml;q=0.1,", 2000)}, spec.MediaTypeXML),
	)

	It("ignores garbage headers it has no use for when signatures are off", func() {
		// Sent raw: the Go client refuses some of these bytes, a server must not.
		a := h.raw("POST", "/openapi/instances/"+instanceID+"/actions/interrupt?clientToken=garbage", []string{
			"Accept: \xff\xfe;q=\x80, ;;;",
			"Authorization: ACS3-HMAC-SHA256 nonsense",
			"Content-Type: text/plain; charset=\xc3\x28",
			"X-Acs-Date: yesterday",
			"X-Acs-Signature-Nonce: " + strings.Repeat("n", 4096),
			"X-Acs-Action: Other",
			"x-acs-action: Another",
			"Content-MD5: not base64",
			"Date: never",
			"X-Unknown:\tvalue with a tab",
		}, "")
		expectSuccess(a, spec.MediaTypeXML) // an unusable Accept gets the service's default
	})

	It("gives every response a fresh UUID-shaped RequestId", func() {
		seen := map[string]bool{}
		for i := range 20 {
			var a response
			switch i % 4 {
			case 0:
				a = h.post("es-none", "", "")
			case 1:
				a = h.post("bad%20id", "", acceptFor(spec.MediaTypeXML))
			case 2:
				a = h.raw("GET", "/nowhere", nil, "")
			default:
				a = h.post(instanceID, fmt.Sprintf("clientToken=fresh-%d", i), "")
			}
			id := a.header.Get("x-acs-request-id")
			Expect(id).To(MatchRegexp(uuidShape.String()))
			Expect(seen).NotTo(HaveKey(id))
			seen[id] = true
		}
	})

	It("writes the XML roots the document's schemas name, with an XML declaration", func() {
		doc := openapiDoc()
		success := doc.Components.Schemas["InterruptElasticsearchTaskResult"].Value.XML.Name
		failure := doc.Components.Schemas["Error"].Value.XML.Name
		ok := h.post(instanceID, "", acceptFor(spec.MediaTypeXML))
		Expect(string(ok.body)).To(HavePrefix(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<" + success + ">"))
		bad := h.post("es-none", "", acceptFor(spec.MediaTypeXML))
		Expect(string(bad.body)).To(HavePrefix(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<" + failure + ">"))
		fragment, err := spec.IsXMLFragment(ok.body)
		Expect(err).NotTo(HaveOccurred())
		Expect(fragment).To(BeFalse())
	})
})
