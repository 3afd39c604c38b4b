package server_test

import (
	"net/http"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// The reference server answers as the public record shows the service (spec/CLAIMS.md).
var _ = Describe("fidelity to the public record", func() {
	It("labels XML text/xml;charset=utf-8, whatever XML media type was asked for", func() {
		h := start(server.Config{})
		for _, accept := range []string{"application/xml", "text/xml", "application/xml; charset=utf-8", ""} {
			req, err := http.NewRequest(http.MethodPost, h.operationURL("es-unknown"), nil)
			Expect(err).NotTo(HaveOccurred())
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			a := send(req)
			Expect(a.header.Get("Content-Type")).To(Equal("text/xml;charset=utf-8"), "Accept %q", accept)
		}
	})

	It("answers a bare request (no Accept, or */*) in XML and keeps JSON for a client that asks for it", func() {
		h := start(server.Config{})
		for accept, want := range map[string]string{"": spec.MediaTypeXML, "*/*": spec.MediaTypeXML, "application/json": spec.MediaTypeJSON} {
			req, err := http.NewRequest(http.MethodPost, h.operationURL("es-unknown"), nil)
			Expect(err).NotTo(HaveOccurred())
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			expectError(send(req), "InstanceNotFound", want)
		}
	})

	It("writes the XML error children in the record's order, RequestId, HostId, Code, Message, Recommend", func() {
		h := signedHarness()
		a := do(h.signedPost(signing.SchemeV3, signing.Credentials{AccessKeyID: staticKey.AccessKeyID, AccessKeySecret: "wrong"}, instanceID, "", spec.MediaTypeXML))
		e := expectError(a, "SignatureDoesNotMatch", spec.MediaTypeXML)
		Expect(e.HostId).NotTo(BeEmpty())
		Expect(string(a.body)).To(MatchRegexp(`(?s)^<\?xml[^>]*\?>\s*<Error>\s*<RequestId>.*</RequestId>\s*<HostId>.*</HostId>\s*<Code>.*</Code>\s*<Message>.*</Message>\s*<Recommend>.*</Recommend>\s*</Error>$`))
	})

	It("writes the XML success children in the page's order, Result then RequestId", func() {
		h := start(server.Config{Instances: map[string]server.Status{"es-cn-order": server.StatusActivating}})
		a := h.post("es-cn-order", "", spec.MediaTypeXML)
		expectSuccess(a, spec.MediaTypeXML)
		Expect(regexp.MustCompile(`(?s)<Result>true</Result>\s*<RequestId>`).Match(a.body)).To(BeTrue(), string(a.body))
	})

	It("sends HostId on gateway errors and leaves it out of service errors", func() {
		h := signedHarness()
		service := expectError(do(h.signedPost(signing.SchemeV3, staticKey, "es-missing", "", spec.MediaTypeJSON)), "InstanceNotFound", spec.MediaTypeJSON)
		Expect(service.HostId).To(BeEmpty())
		gateway := expectError(h.post(instanceID, "", spec.MediaTypeJSON), "IncompleteSignature", spec.MediaTypeJSON)
		Expect(gateway.HostId).To(Equal(server.DefaultHostID))
		raw := h.post("es-missing", "", spec.MediaTypeJSON).body
		Expect(strings.Contains(string(raw), "HostId")).To(BeTrue(), "unsigned: a gateway error")
	})

	It("puts the request id in Recommend", func() {
		h := start(server.Config{})
		e := expectError(h.post("es-unknown", "", spec.MediaTypeJSON), "InstanceNotFound", spec.MediaTypeJSON)
		Expect(*e.Recommend).To(HaveSuffix("&requestId=" + e.RequestId))
	})

	It("answers MissingSecurityToken to a temporary key without its token, before looking the key up", func() {
		h := signedHarness()
		for _, scheme := range []signing.Scheme{signing.SchemeV3, signing.SchemeROA} {
			known := signing.Credentials{AccessKeyID: stsKey.AccessKeyID, AccessKeySecret: stsKey.AccessKeySecret}
			e := expectError(do(h.signedPost(scheme, known, instanceID, "", spec.MediaTypeJSON)), "MissingSecurityToken", spec.MediaTypeJSON)
			Expect(e.HostId).NotTo(BeEmpty())
			stranger := signing.Credentials{AccessKeyID: "STS.nobody", AccessKeySecret: "x"}
			expectError(do(h.signedPost(scheme, stranger, instanceID, "", spec.MediaTypeXML)), "MissingSecurityToken", spec.MediaTypeXML)
		}
		wrong := signing.Credentials{AccessKeyID: stsKey.AccessKeyID, AccessKeySecret: stsKey.AccessKeySecret, SecurityToken: "not-the-token"}
		expectError(do(h.signedPost(signing.SchemeV3, wrong, instanceID, "", spec.MediaTypeJSON)), "InvalidSecurityToken.MismatchWithAccessKey", spec.MediaTypeJSON)
	})
})
