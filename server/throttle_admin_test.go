package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

var rateLimitState = regexp.MustCompile(`^Limit:(\d+),Remain:0,TimeLeft:(\d+),Reset:(\d+)$`)

var _ = Describe("the rate limit", func() {
	It("answers Throttling.User with the x-ratelimit headers once a key's bucket is empty", func() {
		h := start(server.Config{Throttle: 2})
		for range 2 {
			expectError(h.post("es-none", "", ""), "InstanceNotFound", spec.MediaTypeJSON)
		}
		for _, mt := range formats {
			a := h.post("es-none", "", acceptFor(mt))
			expectError(a, "Throttling.User", mt)
			for _, name := range []string{"x-ratelimit-user-api", "x-ratelimit-user"} {
				m := rateLimitState.FindStringSubmatch(a.header.Get(name))
				Expect(m).NotTo(BeNil(), "%s: %q", name, a.header.Get(name))
				Expect(m[1]).To(Equal("2"))
				Expect(strconv.Atoi(m[2])).To(Equal(500), "one token comes back every 500 ms")
				reset, _ := strconv.ParseInt(m[3], 10, 64)
				Expect(reset).To(Equal(h.clock.Now().Add(time.Second).Unix()), "rounded up to the second")
			}
		}
		h.clock.Advance(499 * time.Millisecond)
		a := h.post("es-none", "", "")
		expectError(a, "Throttling.User", spec.MediaTypeJSON)
		Expect(a.header.Get("x-ratelimit-user")).To(ContainSubstring("TimeLeft:1,"))
		h.clock.Advance(time.Millisecond)
		expectError(h.post("es-none", "", ""), "InstanceNotFound", spec.MediaTypeJSON)
	})

	It("keeps one bucket per verified key, and throttles after the signature check", func() {
		h := signedHarness(func(c *server.Config) { c.Throttle = 1 })
		expectSuccess(do(h.signedPost(signing.SchemeV3, staticKey, instanceID, "", spec.MediaTypeJSON)), spec.MediaTypeJSON)
		expectError(do(h.signedPost(signing.SchemeV3, staticKey, "es-other", "", spec.MediaTypeJSON)), "Throttling.User", spec.MediaTypeJSON)
		// Another key has its own bucket; an unsigned request never reaches the limit.
		expectSuccess(do(h.signedPost(signing.SchemeV3, stsKey, "es-other", "", spec.MediaTypeJSON)), spec.MediaTypeJSON)
		expectError(h.post("es-other", "", ""), "IncompleteSignature", spec.MediaTypeJSON)
		// A throttled request does not touch the instance or the token.
		st, _ := h.srv.Instance(instanceID)
		Expect(st).To(Equal(server.StatusSuspended))
		Expect(h.srv.Transitions()).To(BeEquivalentTo(2))
	})

	It("announces at most an hour's wait, in the documented form, however small the rate", func() {
		h := start(server.Config{Throttle: 1e-12})
		expectError(h.post("es-none", "", ""), "InstanceNotFound", spec.MediaTypeJSON)
		a := h.post("es-none", "", "")
		expectError(a, "Throttling.User", spec.MediaTypeJSON)
		Expect(a.header.Get("x-ratelimit-user-api")).To(MatchRegexp(`^Limit:1,Remain:0,TimeLeft:3600000,Reset:\d+$`))
	})

	It("throttles before validating, so malformed requests are cut too", func() {
		h := start(server.Config{Throttle: 1})
		expectError(h.post("bad%20id", "", ""), "InvalidParameter", spec.MediaTypeJSON)
		expectError(h.post("bad%20id", "", ""), "Throttling.User", spec.MediaTypeJSON)
	})
})

var _ = Describe("the admin API", func() {
	adminURL := func(h *harness, rest string) string { return h.ts.URL + server.AdminPrefix + rest }

	send := func(method, url, body string) response {
		GinkgoHelper()
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		return do(req)
	}

	It("is an unknown route when off", func() {
		h := start(server.Config{Instances: map[string]server.Status{instanceID: server.StatusActive}})
		for _, mt := range formats {
			expectError(h.raw("GET", server.AdminPrefix+"instances", []string{"Accept: " + mt}, ""), "InvalidAction.NotFound", mt)
			expectError(h.raw("PUT", server.AdminPrefix+"instances/"+instanceID, []string{"Accept: " + mt}, `{"status":"activating"}`), "InvalidAction.NotFound", mt)
		}
		st, _ := h.srv.Instance(instanceID)
		Expect(st).To(Equal(server.StatusActive))
	})

	It("lists, reads and sets instances when on, and the operation sees the change", func() {
		h := start(server.Config{Admin: true, Instances: map[string]server.Status{"es-a": server.StatusActive}})

		put := send(http.MethodPut, adminURL(h, "instances/es-b"), `{"status":"activating"}`)
		Expect(put.status).To(Equal(http.StatusOK), string(put.body))
		Expect(put.contentType()).To(Equal(spec.MediaTypeJSON))
		var one struct{ ID, Status string }
		Expect(json.Unmarshal(put.body, &one)).To(Succeed())
		Expect(one.ID).To(Equal("es-b"))
		Expect(one.Status).To(Equal("activating"))

		get := send(http.MethodGet, adminURL(h, "instances/es-b"), "")
		Expect(get.status).To(Equal(http.StatusOK))
		Expect(json.Unmarshal(get.body, &one)).To(Succeed())
		Expect(one.Status).To(Equal("activating"))

		list := send(http.MethodGet, adminURL(h, "instances"), "")
		Expect(list.status).To(Equal(http.StatusOK))
		var all struct{ Instances map[string]string }
		Expect(json.Unmarshal(list.body, &all)).To(Succeed())
		Expect(all.Instances).To(Equal(map[string]string{"es-a": "active", "es-b": "activating"}))

		expectSuccess(h.post("es-b", "", ""), spec.MediaTypeJSON)
		Expect(json.Unmarshal(send(http.MethodGet, adminURL(h, "instances/es-b"), "").body, &one)).To(Succeed())
		Expect(one.Status).To(Equal("suspended"))
	})

	It("removes an instance with DELETE, and the operation no longer knows it", func() {
		h := start(server.Config{Admin: true, Instances: map[string]server.Status{"es-a": server.StatusActive, "es-b": server.StatusSuspended}})
		del := send(http.MethodDelete, adminURL(h, "instances/es-b"), "")
		Expect(del.status).To(Equal(http.StatusOK), string(del.body))
		var one struct{ ID, Status string }
		Expect(json.Unmarshal(del.body, &one)).To(Succeed())
		Expect(one.ID).To(Equal("es-b"))
		Expect(one.Status).To(Equal("suspended"))
		Expect(h.srv.Instances()).To(Equal(map[string]server.Status{"es-a": server.StatusActive}))
		expectError(h.post("es-b", "", ""), "InstanceNotFound", spec.MediaTypeJSON)
		expectError(send(http.MethodDelete, adminURL(h, "instances/es-b"), ""), "InstanceNotFound", spec.MediaTypeJSON)
	})

	DescribeTable("answers mistakes with JSON Error bodies, whatever the Accept header",
		func(method, rest, body, wantCode string) {
			h := start(server.Config{Admin: true})
			a := h.raw(method, server.AdminPrefix+rest, []string{"Accept: application/xml"}, body)
			expectError(a, wantCode, spec.MediaTypeJSON)
			Expect(h.srv.Instances()).To(BeEmpty())
		},
		Entry("an unknown instance", "GET", "instances/es-none", "", "InstanceNotFound"),
		Entry("an unknown status", "PUT", "instances/es-a", `{"status":"paused"}`, "InvalidParameter"),
		Entry("no status", "PUT", "instances/es-a", `{}`, "InvalidParameter"),
		Entry("an unknown field", "PUT", "instances/es-a", `{"status":"active","size":3}`, "InvalidParameter"),
		Entry("two JSON values", "PUT", "instances/es-a", `{"status":"active"}{}`, "InvalidParameter"),
		Entry("a stray bracket after the value", "PUT", "instances/es-a", `{"status":"active"} ] garbage`, "InvalidParameter"),
		Entry("a stray brace after the value", "PUT", "instances/es-a", `{"status":"active"}}`, "InvalidParameter"),
		Entry("no body", "PUT", "instances/es-a", ``, "InvalidParameter"),
		Entry("a body over the cap", "PUT", "instances/es-a", `{"status":"active","x":"`+strings.Repeat("x", server.MaxBodyBytes)+`"}`, "InvalidParameter"),
		Entry("an id the document refuses", "PUT", "instances/bad%20id", `{"status":"active"}`, "InvalidParameter"),
		Entry("an encoded slash in the id", "PUT", "instances/a%2Fb", `{"status":"active"}`, "InvalidParameter"),
		Entry("a raw slash in the id", "PUT", "instances/a/b", `{"status":"active"}`, "InvalidAction.NotFound"),
		Entry("an empty id", "PUT", "instances/", `{"status":"active"}`, "InvalidAction.NotFound"),
		Entry("a method it does not have", "PATCH", "instances/es-a", ``, "InvalidAction.NotFound"),
		Entry("DELETE of an unknown instance", "DELETE", "instances/es-a", ``, "InstanceNotFound"),
		Entry("POST on the list", "POST", "instances", `{}`, "InvalidAction.NotFound"),
		Entry("an unknown admin path", "GET", "stats", ``, "InvalidAction.NotFound"),
	)
})
