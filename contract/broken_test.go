package contract_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// rewrite wraps h, letting change alter each response's status, headers and body.
func rewrite(h http.Handler, change func(r *http.Request, status int, header http.Header, body []byte) (int, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		status, body := change(r, rec.Code, rec.Header(), rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// brokenTarget builds a target around a reference server with one defect.
type brokenTarget func() contract.Target

// withServer returns a target for handler wrap(srv), where srv is a reference server signed with
// serverCreds (none: no signature check) and the suite signs with clientCreds.
func withServer(serverCreds, clientCreds *signing.Credentials, wrap func(*server.Server) http.Handler) contract.Target {
	cfg := server.Config{Admin: true, Throttle: testThrottle}
	if serverCreds != nil {
		cfg.Credentials = []signing.Credentials{*serverCreds}
	}
	srv, err := server.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	target := contract.Target{Handler: wrap(srv), Credentials: clientCreds}
	// Fixtures talk to the unbroken server: the defect is in the operation, not the fixtures.
	target.Fixtures = contract.NewAdminFixtures(contract.Target{Handler: srv})
	return target
}

var suiteCreds = &signing.Credentials{AccessKeyID: "LTAIbroken", AccessKeySecret: "broken-secret"}

var requestIDField = regexp.MustCompile(`"RequestId":"[^"]*",?|<RequestId>[^<]*</RequestId>`)

var _ = Describe("the provider checks", func() {
	run := func(target contract.Target) []contract.Result {
		results, err := contract.Run(context.Background(), target, nil)
		Expect(err).NotTo(HaveOccurred())
		return results
	}
	failedIDs := func(results []contract.Result) []string {
		var ids []string
		for _, r := range results {
			if r.Outcome == contract.Failed {
				ids = append(ids, r.Check.ID)
			}
		}
		return ids
	}

	It("pass the reference server", func() {
		results := run(withServer(suiteCreds, suiteCreds, func(s *server.Server) http.Handler { return s }))
		Expect(failedIDs(results)).To(BeEmpty())
		Expect(contract.Summarize(results).Passed).To(BeNumerically(">", 50))
	})

	DescribeTable("catch a broken server",
		func(target brokenTarget, caughtBy string) {
			results := run(target())
			failed := failedIDs(results)
			Expect(failed).NotTo(BeEmpty(), "no check caught the defect")
			Expect(failed).To(ContainElement(caughtBy))
			GinkgoWriter.Printf("caught by %d checks: %s\n", len(failed), strings.Join(failed, ", "))
		},
		Entry("InstanceNotFound with status 404", brokenTarget(func() contract.Target {
			return withServer(suiteCreds, suiteCreds, func(s *server.Server) http.Handler {
				return rewrite(s, func(_ *http.Request, status int, _ http.Header, body []byte) (int, []byte) {
					if bytes.Contains(body, []byte("InstanceNotFound")) {
						return http.StatusNotFound, body
					}
					return status, body
				})
			})
		}), "error-code/InstanceNotFound"),
		Entry("no RequestId in bodies", brokenTarget(func() contract.Target {
			return withServer(suiteCreds, suiteCreds, func(s *server.Server) http.Handler {
				return rewrite(s, func(_ *http.Request, status int, _ http.Header, body []byte) (int, []byte) {
					return status, requestIDField.ReplaceAll(body, nil)
				})
			})
		}), "error-code/InstanceNotFound"),
		Entry("XML with wrong element names", brokenTarget(func() contract.Target {
			return withServer(suiteCreds, suiteCreds, func(s *server.Server) http.Handler {
				return rewrite(s, func(_ *http.Request, status int, h http.Header, body []byte) (int, []byte) {
					if strings.Contains(h.Get("Content-Type"), "xml") {
						body = bytes.ReplaceAll(body, []byte("RequestId>"), []byte("RequestID>"))
					}
					return status, body
				})
			})
		}), "formats/success"),
		Entry("idempotency ignored", brokenTarget(func() contract.Target {
			return withServer(nil, nil, func(s *server.Server) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := r.URL.Query()
					q.Del("clientToken")
					r.URL.RawQuery = q.Encode()
					s.ServeHTTP(w, r)
				})
			})
		}), "idempotency/replay"),
		Entry("signatures not checked", brokenTarget(func() contract.Target {
			return withServer(nil, suiteCreds, func(s *server.Server) http.Handler { return s })
		}), "signature/v3-wrong-secret"),
		Entry("a success for any id", brokenTarget(func() contract.Target {
			return withServer(suiteCreds, suiteCreds, func(s *server.Server) http.Handler {
				return rewrite(s, func(r *http.Request, status int, h http.Header, body []byte) (int, []byte) {
					if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/actions/interrupt") {
						return status, body
					}
					id := "5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D001"
					h.Set("x-acs-request-id", id)
					if strings.Contains(h.Get("Content-Type"), "xml") {
						return http.StatusOK, []byte(fmt.Sprintf("<InterruptElasticsearchTaskResponse><Result>true</Result><RequestId>%s</RequestId></InterruptElasticsearchTaskResponse>", id))
					}
					return http.StatusOK, []byte(fmt.Sprintf(`{"Result":true,"RequestId":%q}`, id))
				})
			})
		}), "error-code/InstanceNotFound"),
		Entry("plain-text responses to unknown paths", brokenTarget(func() contract.Target {
			return withServer(suiteCreds, suiteCreds, func(s *server.Server) http.Handler {
				return rewrite(s, func(_ *http.Request, status int, h http.Header, body []byte) (int, []byte) {
					if status == http.StatusNotFound {
						h.Set("Content-Type", "text/plain; charset=utf-8")
						return status, []byte("404 page not found\n")
					}
					return status, body
				})
			})
		}), "negative/unknown-path"),
		Entry("no validation: every request reaches the lifecycle", brokenTarget(func() contract.Target {
			return withServer(suiteCreds, nil, func(s *server.Server) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					// Whatever came in is answered as an interrupt of an unknown instance.
					inner := httptest.NewRequest(http.MethodPost, "/openapi/instances/es-cn-none/actions/interrupt", nil)
					inner.Header.Set("Accept", r.Header.Get("Accept"))
					s.ServeHTTP(w, inner)
				})
			})
		}), "negative/get"),
		Entry("a redirect for a path with a double slash", brokenTarget(func() contract.Target {
			return withServer(suiteCreds, suiteCreds, func(s *server.Server) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.Contains(r.URL.Path, "//") {
						http.Redirect(w, r, strings.ReplaceAll(r.URL.Path, "//", "/"), http.StatusMovedPermanently)
						return
					}
					s.ServeHTTP(w, r)
				})
			})
		}), "negative/double-slash"),
	)
})
