package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

var (
	staticKey = signing.Credentials{AccessKeyID: "test-access-key", AccessKeySecret: "test-secret"}
	stsKey    = signing.Credentials{AccessKeyID: "STS.test-key", AccessKeySecret: "sts-secret", SecurityToken: "sts-token"}
)

var nonceCounter atomic.Int64

// nextNonce returns a nonce no other request of the run uses.
func nextNonce() string {
	return fmt.Sprintf("nonce-%d-%d", GinkgoParallelProcess(), nonceCounter.Add(1))
}

// signedPost builds an interrupt request for escapedID, signed with scheme and creds at the
// harness clock's time, asking for mediaType.
func (h *harness) signedPost(scheme signing.Scheme, creds signing.Credentials, escapedID, query, mediaType string) *http.Request {
	GinkgoHelper()
	return h.signedPostAt(scheme, creds, escapedID, query, mediaType, h.clock.Now())
}

func (h *harness) signedPostAt(scheme signing.Scheme, creds signing.Credentials, escapedID, query, mediaType string, at time.Time) *http.Request {
	GinkgoHelper()
	u := h.operationURL(escapedID)
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(http.MethodPost, u, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Accept", acceptFor(mediaType))
	Expect(signing.Sign(req, scheme, creds, at, nextNonce())).To(Succeed())
	return req
}

// signedHarness serves instanceID (activating) and "es-other" (activating), checking signatures
// for staticKey and stsKey.
func signedHarness(extra ...func(*server.Config)) *harness {
	GinkgoHelper()
	cfg := server.Config{
		Credentials: []signing.Credentials{staticKey, stsKey},
		Instances: map[string]server.Status{
			instanceID: server.StatusActivating,
			"es-other": server.StatusActivating,
		},
	}
	for _, f := range extra {
		f(&cfg)
	}
	return start(cfg)
}

var _ = Describe("signature verification", func() {
	var h *harness
	BeforeEach(func() { h = signedHarness() })

	type tamper struct {
		scheme signing.Scheme
		creds  signing.Credentials
		// change alters a correctly signed request (nil: none).
		change func(h *harness, req *http.Request)
		// at shifts the signing time from the server's clock.
		at time.Duration
	}

	DescribeTable("each tamper gets its documented code, in both formats",
		func(t tamper, wantCode string) {
			for _, mt := range formats {
				req := h.signedPostAt(t.scheme, t.creds, instanceID, "clientToken=tamper", mt, h.clock.Now().Add(t.at))
				if t.change != nil {
					t.change(h, req)
				}
				e := expectError(do(req), wantCode, mt)
				if wantCode == "SignatureDoesNotMatch" {
					Expect(e.Message).To(ContainSubstring(" server string to sign is:"))
				}
			}
			Expect(h.srv.Transitions()).To(BeZero())
			st, _ := h.srv.Instance(instanceID)
			Expect(st).To(Equal(server.StatusActivating))
		},
		Entry("V3: the path changed to another instance", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(h *harness, req *http.Request) {
				req.URL = mustURL(h.operationURL("es-other") + "?" + req.URL.RawQuery)
			}},
			"SignatureDoesNotMatch"),
		Entry("ROA: the path changed to another instance", tamper{scheme: signing.SchemeROA, creds: staticKey,
			change: func(h *harness, req *http.Request) {
				req.URL = mustURL(h.operationURL("es-other") + "?" + req.URL.RawQuery)
			}},
			"SignatureDoesNotMatch"),
		Entry("V3: the query changed", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.URL.RawQuery = "clientToken=other" }},
			"SignatureDoesNotMatch"),
		Entry("ROA: the query changed", tamper{scheme: signing.SchemeROA, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.URL.RawQuery = "clientToken=other" }},
			"SignatureDoesNotMatch"),
		Entry("V3: a query parameter added", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.URL.RawQuery += "&extra=1" }},
			"SignatureDoesNotMatch"),
		Entry("V3: a signed header changed", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Set("X-Acs-Version", "2099-01-01") }},
			"SignatureDoesNotMatch"),
		Entry("ROA: a signed header changed", tamper{scheme: signing.SchemeROA, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Set("X-Acs-Action", "Other") }},
			"SignatureDoesNotMatch"),
		Entry("ROA: Accept changed", tamper{scheme: signing.SchemeROA, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Set("Accept", req.Header.Get("Accept")+";q=1") }},
			"SignatureDoesNotMatch"),
		Entry("V3: an unsigned x-acs header added", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Set("X-Acs-Extra", "1") }},
			"IncompleteSignature"),
		Entry("V3: a body added", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { setBody(req, "{}") }},
			"SignatureDoesNotMatch"),
		Entry("ROA: a body added", tamper{scheme: signing.SchemeROA, creds: staticKey,
			change: func(_ *harness, req *http.Request) { setBody(req, "{}") }},
			"SignatureDoesNotMatch"),
		Entry("V3: the date changed", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(h *harness, req *http.Request) {
				req.Header.Set("X-Acs-Date", h.clock.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z"))
			}},
			"SignatureDoesNotMatch"),
		Entry("ROA: the date changed", tamper{scheme: signing.SchemeROA, creds: staticKey,
			change: func(h *harness, req *http.Request) {
				req.Header.Set("Date", h.clock.Now().Add(-time.Minute).UTC().Format(http.TimeFormat))
			}},
			"SignatureDoesNotMatch"),
		Entry("V3: signed 16 minutes ago", tamper{scheme: signing.SchemeV3, creds: staticKey, at: -16 * time.Minute},
			"InvalidTimeStamp.Expired"),
		Entry("V3: signed 16 minutes ahead", tamper{scheme: signing.SchemeV3, creds: staticKey, at: 16 * time.Minute},
			"InvalidTimeStamp.Expired"),
		Entry("ROA: signed 16 minutes ago", tamper{scheme: signing.SchemeROA, creds: staticKey, at: -16 * time.Minute},
			"InvalidTimeStamp.Expired"),
		Entry("V3: the wrong secret", tamper{scheme: signing.SchemeV3,
			creds: signing.Credentials{AccessKeyID: staticKey.AccessKeyID, AccessKeySecret: "wrong"}},
			"SignatureDoesNotMatch"),
		Entry("ROA: the wrong secret", tamper{scheme: signing.SchemeROA,
			creds: signing.Credentials{AccessKeyID: staticKey.AccessKeyID, AccessKeySecret: "wrong"}},
			"SignatureDoesNotMatch"),
		Entry("V3: an unknown key", tamper{scheme: signing.SchemeV3,
			creds: signing.Credentials{AccessKeyID: "nobody", AccessKeySecret: "x"}},
			"InvalidAccessKeyId.NotFound"),
		Entry("ROA: an unknown key", tamper{scheme: signing.SchemeROA,
			creds: signing.Credentials{AccessKeyID: "nobody", AccessKeySecret: "x"}},
			"InvalidAccessKeyId.NotFound"),
		Entry("no Authorization", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Del("Authorization") }},
			"IncompleteSignature"),
		Entry("a malformed Authorization", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Signature=abc") }},
			"IncompleteSignature"),
		Entry("two Authorization headers", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Add("Authorization", req.Header.Get("Authorization")) }},
			"IncompleteSignature"),
		Entry("an unknown scheme", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Set("Authorization", "Bearer abc") }},
			"IncompleteSignature"),
		Entry("V3 without x-acs-signature-nonce", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Del("X-Acs-Signature-Nonce") }},
			"IncompleteSignature"),
		Entry("V3 without x-acs-date", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Del("X-Acs-Date") }},
			"IncompleteSignature"),
		Entry("V3 without x-acs-content-sha256", tamper{scheme: signing.SchemeV3, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Del("X-Acs-Content-Sha256") }},
			"IncompleteSignature"),
		Entry("ROA without Date", tamper{scheme: signing.SchemeROA, creds: staticKey,
			change: func(_ *harness, req *http.Request) { req.Header.Del("Date") }},
			"IncompleteSignature"),
		Entry("STS: the wrong token", tamper{scheme: signing.SchemeV3,
			creds: signing.Credentials{AccessKeyID: stsKey.AccessKeyID, AccessKeySecret: stsKey.AccessKeySecret, SecurityToken: "stolen"}},
			"InvalidSecurityToken.MismatchWithAccessKey"),
		Entry("STS: no token", tamper{scheme: signing.SchemeV3,
			creds: signing.Credentials{AccessKeyID: stsKey.AccessKeyID, AccessKeySecret: stsKey.AccessKeySecret}},
			"MissingSecurityToken"),
		Entry("STS: no token, ROA", tamper{scheme: signing.SchemeROA,
			creds: signing.Credentials{AccessKeyID: stsKey.AccessKeyID, AccessKeySecret: stsKey.AccessKeySecret}},
			"MissingSecurityToken"),
		Entry("STS: a stranger temporary key without token (checked before the key lookup)", tamper{scheme: signing.SchemeV3,
			creds: signing.Credentials{AccessKeyID: "STS.stranger", AccessKeySecret: "secret"}},
			"MissingSecurityToken"),
		Entry("STS: a stranger temporary key with a token", tamper{scheme: signing.SchemeV3,
			creds: signing.Credentials{AccessKeyID: "STS.stranger", AccessKeySecret: "secret", SecurityToken: "t"}},
			"InvalidAccessKeyId.NotFound"),
		Entry("STS: a token on a long-term key", tamper{scheme: signing.SchemeROA,
			creds: signing.Credentials{AccessKeyID: staticKey.AccessKeyID, AccessKeySecret: staticKey.AccessKeySecret, SecurityToken: "sts-token"}},
			"InvalidSecurityToken.MismatchWithAccessKey"),
	)

	It("puts the server's string to sign after the catalogue message of SignatureDoesNotMatch", func() {
		wrong := signing.Credentials{AccessKeyID: staticKey.AccessKeyID, AccessKeySecret: "wrong"}
		req := h.signedPost(signing.SchemeV3, wrong, instanceID, "clientToken=sts", spec.MediaTypeJSON)
		canonical := signing.CanonicalRequestV3(http.MethodPost, req.URL.EscapedPath(), req.URL.Query(), req.Header, req.URL.Host, signing.EmptyPayloadHash)
		entry, _ := catalogue.Lookup("SignatureDoesNotMatch")
		e := expectError(do(req), "SignatureDoesNotMatch", spec.MediaTypeJSON)
		Expect(e.Message).To(Equal(entry.Message + " server string to sign is:" + signing.StringToSignV3(canonical)))
	})

	It("refuses a replayed nonce, whatever the response to the first use was", func() {
		ok := h.signedPost(signing.SchemeV3, staticKey, instanceID, "", spec.MediaTypeJSON)
		expectSuccess(do(ok), spec.MediaTypeJSON)
		refused := h.signedPost(signing.SchemeROA, staticKey, "es-missing", "", spec.MediaTypeJSON)
		expectError(do(refused), "InstanceNotFound", spec.MediaTypeJSON)
		for _, req := range []*http.Request{ok, refused} {
			for _, mt := range formats {
				replay := req.Clone(req.Context())
				if mt != spec.MediaTypeJSON {
					if req == refused {
						continue // ROA signs Accept: another format is another signature
					}
					replay.Header.Set("Accept", acceptFor(mt))
				}
				expectError(do(replay), "SignatureNonceUsed", mt)
			}
		}
		Expect(h.srv.Stats().NonceEntries).To(Equal(2))
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
	})

	It("accepts the same nonce from two different keys", func() {
		a := h.signedPost(signing.SchemeV3, staticKey, instanceID, "", spec.MediaTypeJSON)
		b, err := http.NewRequest(http.MethodPost, h.operationURL("es-other"), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(signing.Sign(b, signing.SchemeV3, stsKey, h.clock.Now(), a.Header.Get("X-Acs-Signature-Nonce"))).To(Succeed())
		expectSuccess(do(a), spec.MediaTypeJSON)
		expectSuccess(do(b), spec.MediaTypeJSON)
	})

	It("accepts STS credentials with their token", func() {
		expectSuccess(do(h.signedPost(signing.SchemeV3, stsKey, instanceID, "", spec.MediaTypeJSON)), spec.MediaTypeJSON)
		expectSuccess(do(h.signedPost(signing.SchemeROA, stsKey, "es-other", "", spec.MediaTypeXML)), spec.MediaTypeXML)
	})

	It("accepts a date within the window on either side", func() {
		expectSuccess(do(h.signedPostAt(signing.SchemeV3, staticKey, instanceID, "", spec.MediaTypeJSON, h.clock.Now().Add(-14*time.Minute))), spec.MediaTypeJSON)
		expectSuccess(do(h.signedPostAt(signing.SchemeROA, staticKey, "es-other", "", spec.MediaTypeJSON, h.clock.Now().Add(14*time.Minute))), spec.MediaTypeJSON)
	})

	It("checks the route before the signature and the signature before the parameters", func() {
		expectError(h.raw("GET", "/anything", []string{"Accept: application/json"}, ""), "InvalidAction.NotFound", spec.MediaTypeJSON)
		expectError(h.post("bad%20id", "", ""), "IncompleteSignature", spec.MediaTypeJSON)
		req := h.signedPost(signing.SchemeV3, staticKey, "bad%20id", "", spec.MediaTypeJSON)
		expectError(do(req), "InvalidParameter", spec.MediaTypeJSON)
	})

	It("serves the admin API unsigned", func() {
		h := signedHarness(func(c *server.Config) { c.Admin = true })
		res, err := http.Get(h.ts.URL + server.AdminPrefix + "instances")
		Expect(err).NotTo(HaveOccurred())
		Expect(readResponse(res).status).To(Equal(http.StatusOK))
	})
})

var _ = Describe("the nonce cache", func() {
	It("holds NonceMaxEntries per key, refuses more with Throttling.User and forgets nonces after twice the skew window", func() {
		h := signedHarness(func(c *server.Config) {
			c.NonceMaxEntries = 3
			c.MaxSkew = time.Minute
		})
		for range 3 {
			expectError(do(h.signedPost(signing.SchemeV3, staticKey, "es-none", "", spec.MediaTypeJSON)), "InstanceNotFound", spec.MediaTypeJSON)
		}
		h.clock.Advance(30 * time.Second)
		full := do(h.signedPost(signing.SchemeV3, staticKey, "es-none", "", spec.MediaTypeJSON))
		expectError(full, "Throttling.User", spec.MediaTypeJSON)
		Expect(full.header.Get("X-Ratelimit-User-Api")).To(HavePrefix("Limit:3,Remain:0,TimeLeft:90000,"))
		// Another key has its own room.
		expectError(do(h.signedPost(signing.SchemeV3, stsKey, "es-none", "", spec.MediaTypeJSON)), "InstanceNotFound", spec.MediaTypeJSON)
		Expect(h.srv.Stats().NonceEntries).To(Equal(4))
		h.clock.Advance(90 * time.Second)
		expectError(do(h.signedPost(signing.SchemeV3, staticKey, "es-none", "", spec.MediaTypeJSON)), "InstanceNotFound", spec.MediaTypeJSON)
		Expect(h.srv.Stats().NonceEntries).To(Equal(2))
	})
})

var _ = Describe("requests built the way the official clients build them", func() {
	// The sample id with the page's '*' masking: the SDKs percent-encode it as %2A on the wire.
	const sdkID = "es-cn-n6w1o1x0w001c****"
	var h *harness
	BeforeEach(func() {
		h = signedHarness(func(c *server.Config) {
			c.Instances = map[string]server.Status{sdkID: server.StatusActivating}
		})
	})

	// resetInstance puts the instance back so each format sees a fresh interrupt.
	resetInstance := func() {
		Expect(h.srv.PutInstance(sdkID, server.StatusActivating)).To(Succeed())
	}

	It("accepts alibabacloud-go/elasticsearch-20170613 v4.1+ (V3 with x-acs-credentials-provider)", func() {
		for _, mt := range formats {
			resetInstance()
			req, err := http.NewRequest(http.MethodPost, h.operationURL(url.PathEscape(sdkID))+"?clientToken=v3-"+mt[strings.IndexByte(mt, '/')+1:], nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Accept", acceptFor(mt))
			req.Header.Set("User-Agent", "AlibabaCloud (linux; amd64) Go/go1.22 Core/0.0.1 TeaDSL/1")
			req.Header.Set("X-Acs-Credentials-Provider", "static_ak")
			Expect(signing.Sign(req, signing.SchemeV3, staticKey, h.clock.Now(), nextNonce())).To(Succeed())
			Expect(req.URL.EscapedPath()).To(ContainSubstring("%2A%2A%2A%2A"))
			Expect(req.Header.Get("Authorization")).To(ContainSubstring("x-acs-credentials-provider"))
			expectSuccess(do(req), mt)
		}
	})

	It("accepts the ROA v1 clients that send a nonce (alibabacloud-go v1.1 to v4.0)", func() {
		for _, mt := range formats {
			resetInstance()
			req, err := http.NewRequest(http.MethodPost, h.operationURL(url.PathEscape(sdkID)), nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Accept", acceptFor(mt))
			Expect(signing.Sign(req, signing.SchemeROA, staticKey, h.clock.Now(), nextNonce())).To(Succeed())
			Expect(req.Header.Get("Content-MD5")).To(BeEmpty())
			expectSuccess(do(req), mt)
		}
	})

	It("accepts aliyun/alibaba-cloud-sdk-go (ROA v1, Content-MD5 and octet-stream on an empty body, no nonce, raw id signed)", func() {
		var last *http.Request
		for _, mt := range formats {
			resetInstance()
			req, err := http.NewRequest(http.MethodPost, h.operationURL(url.PathEscape(sdkID)), nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Accept", acceptFor(mt))
			req.Header.Set("Content-MD5", signing.EmptyContentMD5)
			req.Header.Set("Content-Type", "application/octet-stream")
			req.Header.Set("Date", h.clock.Now().UTC().Format(http.TimeFormat))
			req.Header.Set("X-Acs-Signature-Method", "HMAC-SHA1")
			req.Header.Set("X-Acs-Signature-Version", "1.0")
			req.Header.Set("X-Acs-Version", signing.Version)
			req.Header.Set("X-Sdk-Client", "golang/1.0.0")
			// The SDK signs the id as substituted, unescaped, while its transport escapes the '*'.
			rawPath := "/openapi/instances/" + sdkID + "/actions/interrupt"
			sts := signing.StringToSignROA(http.MethodPost, req.Header, rawPath, nil)
			req.Header.Set("Authorization", signing.AuthorizationROA(staticKey.AccessKeyID, signing.SignatureROA(staticKey.AccessKeySecret, sts)))
			expectSuccess(do(req), mt)
			last = req
		}
		// No nonce: each request is remembered by its signature, and its bytes cannot act again.
		Expect(h.srv.Stats().NonceEntries).To(Equal(2))
		resetInstance()
		expectError(do(last), "SignatureNonceUsed", spec.MediaTypeXML)
		st, _ := h.srv.Instance(sdkID)
		Expect(st).To(Equal(server.StatusActivating))
	})
})

func mustURL(s string) *url.URL {
	GinkgoHelper()
	u, err := url.Parse(s)
	Expect(err).NotTo(HaveOccurred())
	return u
}

// setBody attaches body to req after it was signed.
func setBody(req *http.Request, body string) {
	req.Body = io.NopCloser(strings.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
}

var _ = Describe("clientTokens of different callers", func() {
	It("are kept apart: the same token from two keys acts for each", func() {
		h := signedHarness()
		first := do(h.signedPost(signing.SchemeV3, staticKey, instanceID, "clientToken=shared", spec.MediaTypeJSON))
		expectSuccess(first, spec.MediaTypeJSON)
		second := do(h.signedPost(signing.SchemeV3, stsKey, "es-other", "clientToken=shared", spec.MediaTypeJSON))
		expectSuccess(second, spec.MediaTypeJSON)
		Expect(h.srv.Transitions()).To(BeEquivalentTo(2))
		// Each caller's token still replays its own first response.
		again := do(h.signedPost(signing.SchemeV3, staticKey, instanceID, "clientToken=shared", spec.MediaTypeJSON))
		Expect(again.result().RequestId).To(Equal(first.result().RequestId))
	})
})
