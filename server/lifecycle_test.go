package server_test

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/spec"
)

const instanceID = "es-cn-n6w1o1x0w001c"

var _ = Describe("the instance lifecycle", func() {
	DescribeTable("one interrupt of each status, in each format",
		func(before server.Status, mediaType, wantCode string, after server.Status) {
			h := start(server.Config{Instances: map[string]server.Status{instanceID: before}})
			a := h.post(instanceID, "clientToken=first", acceptFor(mediaType))
			if wantCode == "" {
				expectSuccess(a, mediaType)
				Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
			} else {
				expectError(a, wantCode, mediaType)
				Expect(h.srv.Transitions()).To(BeZero())
			}
			st, ok := h.srv.Instance(instanceID)
			Expect(ok).To(BeTrue())
			Expect(st).To(Equal(after))
		},
		func(before server.Status, mediaType, wantCode string, after server.Status) string {
			return fmt.Sprintf("%s (%s) -> %q, then %s", before, mediaType, wantCode, after)
		},
		Entry(nil, server.StatusActivating, spec.MediaTypeJSON, "", server.StatusSuspended),
		Entry(nil, server.StatusActivating, spec.MediaTypeXML, "", server.StatusSuspended),
		Entry(nil, server.StatusSuspended, spec.MediaTypeJSON, "AlreadyReceivedInterruptSignal", server.StatusSuspended),
		Entry(nil, server.StatusSuspended, spec.MediaTypeXML, "AlreadyReceivedInterruptSignal", server.StatusSuspended),
		Entry(nil, server.StatusActive, spec.MediaTypeJSON, "InstanceStatusNotSupportCurrentAction", server.StatusActive),
		Entry(nil, server.StatusActive, spec.MediaTypeXML, "InstanceStatusNotSupportCurrentAction", server.StatusActive),
		Entry(nil, server.StatusInactive, spec.MediaTypeJSON, "InstanceStatusNotSupportCurrentAction", server.StatusInactive),
		Entry(nil, server.StatusInactive, spec.MediaTypeXML, "InstanceStatusNotSupportCurrentAction", server.StatusInactive),
		Entry(nil, server.StatusInvalid, spec.MediaTypeJSON, "InstanceStatusNotSupportCurrentAction", server.StatusInvalid),
		Entry(nil, server.StatusInvalid, spec.MediaTypeXML, "InstanceStatusNotSupportCurrentAction", server.StatusInvalid),
		Entry(nil, spec.StatusUnknown, spec.MediaTypeJSON, "InstanceStatusNotSupportCurrentAction", spec.StatusUnknown),
		Entry(nil, spec.StatusUnknown, spec.MediaTypeXML, "InstanceStatusNotSupportCurrentAction", spec.StatusUnknown),
	)

	It("answers InstanceNotFound for an unknown id, in both formats, and creates nothing", func() {
		h := start(server.Config{})
		for _, mt := range formats {
			expectError(h.post("es-cn-unknown", "", acceptFor(mt)), "InstanceNotFound", mt)
		}
		Expect(h.srv.Instances()).To(BeEmpty())
	})

	It("interrupts once: a second interrupt with a new token is AlreadyReceivedInterruptSignal", func() {
		h := start(server.Config{Instances: map[string]server.Status{instanceID: server.StatusActivating}})
		expectSuccess(h.post(instanceID, "clientToken=one", ""), spec.MediaTypeJSON)
		expectError(h.post(instanceID, "clientToken=two", ""), "AlreadyReceivedInterruptSignal", spec.MediaTypeJSON)
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
	})

	It("does not deduplicate requests without a clientToken", func() {
		h := start(server.Config{Instances: map[string]server.Status{instanceID: server.StatusActivating}})
		first := expectSuccess(h.post(instanceID, "", ""), spec.MediaTypeJSON)
		second := expectError(h.post(instanceID, "", ""), "AlreadyReceivedInterruptSignal", spec.MediaTypeJSON)
		Expect(second.RequestId).NotTo(Equal(first.RequestId))
	})

	It("exposes the store through PutInstance, Instance, Instances and Stats", func() {
		h := start(server.Config{Instances: map[string]server.Status{"es-a": server.StatusActive}})
		Expect(h.srv.PutInstance("es-b", server.StatusActivating)).To(Succeed())
		Expect(h.srv.PutInstance("es-a", server.StatusInvalid)).To(Succeed())
		Expect(h.srv.PutInstance("bad/id", server.StatusActive)).To(MatchError(server.ErrInvalidInstanceID))
		Expect(h.srv.PutInstance("es-c", server.Status("paused"))).To(MatchError(server.ErrInvalidStatus))
		all := h.srv.Instances()
		Expect(all).To(Equal(map[string]server.Status{"es-a": server.StatusInvalid, "es-b": server.StatusActivating}))
		all["es-a"] = server.StatusActive // a copy: the store is unchanged
		st, _ := h.srv.Instance("es-a")
		Expect(st).To(Equal(server.StatusInvalid))
		Expect(h.srv.Stats().Instances).To(Equal(2))
	})
})

var _ = Describe("New", func() {
	DescribeTable("refuses a bad configuration",
		func(cfg server.Config) {
			_, err := server.New(cfg)
			Expect(err).To(HaveOccurred())
		},
		Entry("a negative TTL", server.Config{IdempotencyTTL: -time.Second}),
		Entry("a negative token cap", server.Config{IdempotencyMaxEntries: -1}),
		Entry("a negative nonce cap", server.Config{NonceMaxEntries: -1}),
		Entry("a negative skew", server.Config{MaxSkew: -time.Second}),
		Entry("a skew of more than a day", server.Config{MaxSkew: 25 * time.Hour}),
		Entry("a negative rate", server.Config{Throttle: -1}),
		Entry("a seeded id the document refuses", server.Config{Instances: map[string]server.Status{"a b": server.StatusActive}}),
		Entry("a seeded status that does not exist", server.Config{Instances: map[string]server.Status{"es-1": "paused"}}),
	)
})

var _ = Describe("idempotency", func() {
	var h *harness
	BeforeEach(func() {
		h = start(server.Config{
			Instances: map[string]server.Status{
				instanceID: server.StatusActivating,
				"es-other": server.StatusActivating,
			},
		})
	})

	It("replays the first response exactly for the same token and instance, and changes nothing", func() {
		for _, mt := range formats {
			id := instanceID
			if mt == spec.MediaTypeXML {
				id = "es-other"
			}
			first := h.post(id, "clientToken=tok-"+mt, acceptFor(mt))
			expectSuccess(first, mt)
			for range 3 {
				again := h.post(id, "clientToken=tok-"+mt, acceptFor(mt))
				Expect(again.status).To(Equal(first.status))
				Expect(again.body).To(Equal(first.body))
				Expect(again.header.Get("x-acs-request-id")).To(Equal(first.header.Get("x-acs-request-id")))
				Expect(again.contentType()).To(Equal(first.contentType()))
			}
		}
		Expect(h.srv.Transitions()).To(BeEquivalentTo(2))
	})

	It("replays in the other format with the same status, RequestId and fields", func() {
		first := expectSuccess(h.post(instanceID, "clientToken=fmt", acceptFor(spec.MediaTypeJSON)), spec.MediaTypeJSON)
		again := expectSuccess(h.post(instanceID, "clientToken=fmt", acceptFor(spec.MediaTypeXML)), spec.MediaTypeXML)
		Expect(again).To(Equal(first))
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
	})

	It("replays a remembered refusal even after the instance changed", func() {
		first := expectError(h.post("es-late", "clientToken=late", ""), "InstanceNotFound", spec.MediaTypeJSON)
		Expect(h.srv.PutInstance("es-late", server.StatusActivating)).To(Succeed())
		again := expectError(h.post("es-late", "clientToken=late", ""), "InstanceNotFound", spec.MediaTypeJSON)
		Expect(again.RequestId).To(Equal(first.RequestId))
		st, _ := h.srv.Instance("es-late")
		Expect(st).To(Equal(server.StatusActivating), "a replay changes nothing")
	})

	It("remembers a refusal, so the same token never acts later on a change it was not meant for", func() {
		Expect(h.srv.PutInstance("es-busy", server.StatusActive)).To(Succeed())
		first := expectError(h.post("es-busy", "clientToken=retry", ""), "InstanceStatusNotSupportCurrentAction", spec.MediaTypeJSON)
		Expect(h.srv.PutInstance("es-busy", server.StatusActivating)).To(Succeed())
		again := expectError(h.post("es-busy", "clientToken=retry", ""), "InstanceStatusNotSupportCurrentAction", spec.MediaTypeJSON)
		Expect(again.RequestId).To(Equal(first.RequestId))
		st, _ := h.srv.Instance("es-busy")
		Expect(st).To(Equal(server.StatusActivating))
		// A new token is a new request, and acts.
		expectSuccess(h.post("es-busy", "clientToken=fresh", ""), spec.MediaTypeJSON)
		// The token is still bound to its instance.
		expectError(h.post(instanceID, "clientToken=retry", ""), "IdempotentParameterMismatch", spec.MediaTypeJSON)
	})

	It("refuses a token reused for another instance, and leaves that instance alone", func() {
		expectSuccess(h.post(instanceID, "clientToken=shared", ""), spec.MediaTypeJSON)
		for _, mt := range formats {
			expectError(h.post("es-other", "clientToken=shared", acceptFor(mt)), "IdempotentParameterMismatch", mt)
		}
		st, _ := h.srv.Instance("es-other")
		Expect(st).To(Equal(server.StatusActivating))
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
		// The original pairing still replays.
		expectSuccess(h.post(instanceID, "clientToken=shared", ""), spec.MediaTypeJSON)
	})

	It("runs 200 concurrent identical requests once and gives them all the same response", func() {
		const n = 200
		var (
			wg        sync.WaitGroup
			responses = make([]response, n)
			gate      = make(chan struct{})
		)
		client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}}
		DeferCleanup(client.CloseIdleConnections)
		for i := range n {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				req, err := http.NewRequest(http.MethodPost, h.operationURL(instanceID)+"?clientToken=storm", nil)
				Expect(err).NotTo(HaveOccurred())
				req.Header.Set("Accept", spec.MediaTypeJSON)
				<-gate
				res, err := client.Do(req)
				Expect(err).NotTo(HaveOccurred())
				responses[i] = readResponse(res)
			}()
		}
		close(gate)
		wg.Wait()
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
		expectSuccess(responses[0], spec.MediaTypeJSON)
		for _, a := range responses[1:] {
			Expect(a.status).To(Equal(responses[0].status))
			Expect(a.body).To(Equal(responses[0].body))
			Expect(a.header.Get("x-acs-request-id")).To(Equal(responses[0].header.Get("x-acs-request-id")))
		}
		Expect(h.checks.checked()).To(BeNumerically(">=", n))
	})
})

var _ = Describe("the token store's bounds", func() {
	It("forgets a token after the TTL", func() {
		h := start(server.Config{
			IdempotencyTTL: time.Minute,
			Instances:      map[string]server.Status{"es-a": server.StatusActivating, "es-b": server.StatusActivating},
		})
		expectSuccess(h.post("es-a", "clientToken=ttl", ""), spec.MediaTypeJSON)
		h.clock.Advance(59 * time.Second)
		expectError(h.post("es-b", "clientToken=ttl", ""), "IdempotentParameterMismatch", spec.MediaTypeJSON)
		h.clock.Advance(time.Second)
		expectSuccess(h.post("es-b", "clientToken=ttl", ""), spec.MediaTypeJSON)
		Expect(h.srv.Stats().IdempotencyEntries).To(Equal(1))
	})

	It("holds at most IdempotencyMaxEntries tokens, refusing new ones with Throttling.User rather than forgetting", func() {
		h := start(server.Config{
			IdempotencyMaxEntries: 3,
			IdempotencyTTL:        time.Hour,
			Instances:             map[string]server.Status{"es-a": server.StatusActive, "es-b": server.StatusActive},
		})
		for i := range 3 {
			expectError(h.post("es-a", fmt.Sprintf("clientToken=t%d", i), ""), "InstanceStatusNotSupportCurrentAction", spec.MediaTypeJSON)
			h.clock.Advance(time.Second)
		}
		full := h.post("es-a", "clientToken=t3", "")
		expectError(full, "Throttling.User", spec.MediaTypeJSON)
		Expect(full.header.Get("X-Ratelimit-User")).To(HavePrefix("Limit:3,Remain:0,TimeLeft:3597000,"))
		Expect(h.srv.Stats().IdempotencyEntries).To(Equal(3))
		// t0 is still bound to es-a, and a request without a token is not refused.
		expectError(h.post("es-b", "clientToken=t0", ""), "IdempotentParameterMismatch", spec.MediaTypeJSON)
		expectError(h.post("es-b", "", ""), "InstanceStatusNotSupportCurrentAction", spec.MediaTypeJSON)
		// Once t0 expires there is room for one.
		h.clock.Advance(time.Hour - 3*time.Second)
		expectError(h.post("es-b", "clientToken=t0", ""), "InstanceStatusNotSupportCurrentAction", spec.MediaTypeJSON)
		Expect(h.srv.Stats().IdempotencyEntries).To(Equal(3))
	})
})
