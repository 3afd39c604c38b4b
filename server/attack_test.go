package server_test

import (
	"bufio"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// The attack specs (label "attack", run by `make attack` and by go test) replay what an
// attacker with a valid key, or none, can send, on loopback. The flood sizes are small by
// default so the suite stays fast; the point is that eviction cannot happen, which a small
// per-key cap shows as well as a large one. -attack.flood sets the size of the replay floods
// for a measurement (see the README):
//
//	go test ./server -run TestServer -ginkgo.label-filter=attack -ginkgo.v -attack.flood=100000 -attack.cap=0
var (
	flagFlood = flag.Int("attack.flood", 300, "requests per flood in the attack specs")
	flagCap   = flag.Int("attack.cap", 64, "per-key NonceMaxEntries and IdempotencyMaxEntries of the attack specs; 0 for the defaults")
)

// otherKey is a second tenant of the attacked server.
var otherKey = signing.Credentials{AccessKeyID: "other-tenant-key", AccessKeySecret: "other-tenant-secret"}

// rss is the process's resident set in KiB, or -1 where /proc is not there to tell.
func rss() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// flood sends n validly signed requests of creds for an unknown instance, each with a fresh
// nonce and clientToken, over one keep-alive client, and counts the responses by code.
func flood(h *harness, creds signing.Credentials, n int) map[string]int {
	GinkgoHelper()
	codes := map[string]int{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	for i := range n {
		req := h.signedPost(signing.SchemeV3, creds, "es-flood", "clientToken=flood-"+creds.AccessKeyID+"-"+strconv.Itoa(i), spec.MediaTypeJSON)
		res, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		a := readResponse(res)
		codes[a.error().Code]++
	}
	return codes
}

// replay sends the captured bytes of req again.
func replay(req *http.Request) response {
	GinkgoHelper()
	again := req.Clone(context.Background())
	again.Body = http.NoBody
	return do(again)
}

// attackConfig sets the per-key caps of the attack specs.
func attackConfig(c *server.Config) {
	c.NonceMaxEntries = *flagCap
	c.IdempotencyMaxEntries = *flagCap
	c.Credentials = append(c.Credentials, otherKey)
}

// tokenAttackConfig caps only the token store: the key's own retry must get past the replay
// cache to reach it.
func tokenAttackConfig(c *server.Config) {
	attackConfig(c)
	c.NonceMaxEntries = 0
}

var _ = Describe("a replay cannot be bought with traffic", Label("attack"), func() {
	It("refuses a captured V3 interrupt after floods by another key and by the same key", func() {
		h := signedHarness(attackConfig)
		rssBefore := rss()
		captured := h.signedPost(signing.SchemeV3, staticKey, instanceID, "", spec.MediaTypeJSON)
		expectSuccess(do(captured), spec.MediaTypeJSON)
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
		// The instance is applying a change again: a replay that got through would act.
		Expect(h.srv.PutInstance(instanceID, server.StatusActivating)).To(Succeed())

		other := flood(h, otherKey, *flagFlood)
		same := flood(h, staticKey, *flagFlood)
		h.clock.Advance(14 * time.Minute) // still inside the skew window of the captured date
		expectError(replay(captured), "SignatureNonceUsed", spec.MediaTypeJSON)
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
		st, _ := h.srv.Instance(instanceID)
		Expect(st).To(Equal(server.StatusActivating))

		if *flagCap > 0 && *flagFlood > *flagCap {
			// Each key's window filled and then refused its own key's new requests.
			Expect(same["Throttling.User"]).To(Equal(*flagFlood - *flagCap + 1))
			Expect(other["Throttling.User"]).To(Equal(*flagFlood - *flagCap))
		}
		stats := h.srv.Stats()
		GinkgoWriter.Printf("replay after floods: %d requests sent (%d by another key, %d by the same key, 2 of the captured one); "+
			"responses other key %v, same key %v; transitions %d; nonce entries %d, token entries %d; RSS %d KiB before, %d KiB after\n",
			2*(*flagFlood)+2, *flagFlood, *flagFlood, other, same, h.srv.Transitions(), stats.NonceEntries, stats.IdempotencyEntries, rssBefore, rss())
	})

	It("refuses a nonce-less ROA request sent again, for the whole window, by its signature", func() {
		h := signedHarness(attackConfig)
		captured := legacyROA(h, instanceID)
		expectSuccess(do(captured), spec.MediaTypeJSON)
		Expect(h.srv.PutInstance(instanceID, server.StatusActivating)).To(Succeed())
		flood(h, staticKey, *flagFlood)
		for _, after := range []time.Duration{time.Minute, 11 * time.Minute, 14*time.Minute + 59*time.Second} {
			h.clock.Set(captured.Header.Get("Date"), after)
			expectError(replay(captured), "SignatureNonceUsed", spec.MediaTypeJSON)
		}
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
		// Past the window the clock check refuses it.
		h.clock.Set(captured.Header.Get("Date"), 15*time.Minute+time.Second)
		expectError(replay(captured), "InvalidTimeStamp.Expired", spec.MediaTypeJSON)
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
	})
})

var _ = Describe("replays and the rate limit", Label("attack"), func() {
	It("does not charge a replay to the key's bucket, and does not record a throttled request", func() {
		h := signedHarness(attackConfig, func(c *server.Config) { c.Throttle = 1 })
		captured := h.signedPost(signing.SchemeV3, staticKey, instanceID, "", spec.MediaTypeJSON)
		expectSuccess(do(captured), spec.MediaTypeJSON)
		h.clock.Advance(time.Second) // the bucket is full again
		for range *flagFlood {
			expectError(replay(captured), "SignatureNonceUsed", spec.MediaTypeJSON)
		}
		// The replays cost nothing: the key's next request passes the rate limit.
		expectError(do(h.signedPost(signing.SchemeV3, staticKey, "es-none", "", spec.MediaTypeJSON)), "InstanceNotFound", spec.MediaTypeJSON)

		// A request the rate limit refused did not act, so the same bytes are taken later.
		Expect(h.srv.PutInstance(instanceID, server.StatusActivating)).To(Succeed())
		legacy := legacyROA(h, instanceID)
		expectError(do(legacy), "Throttling.User", spec.MediaTypeJSON)
		h.clock.Advance(time.Second)
		expectSuccess(replay(legacy), spec.MediaTypeJSON)
		h.clock.Advance(time.Second)
		expectError(replay(legacy), "SignatureNonceUsed", spec.MediaTypeJSON)
		Expect(h.srv.Transitions()).To(BeEquivalentTo(2))
	})
})

// legacyROA builds a request as aliyun/alibaba-cloud-sdk-go does: ROA v1, no nonce, with a
// clientToken, signed at the harness clock.
func legacyROA(h *harness, id string) *http.Request {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodPost, h.operationURL(id)+"?clientToken=legacy-roa", nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Accept", spec.MediaTypeJSON)
	req.Header.Set("Date", h.clock.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("X-Acs-Signature-Method", "HMAC-SHA1")
	req.Header.Set("X-Acs-Signature-Version", "1.0")
	req.Header.Set("X-Acs-Version", signing.Version)
	sts := signing.StringToSignROA(http.MethodPost, req.Header, req.URL.EscapedPath(), url.Values{"clientToken": {"legacy-roa"}})
	req.Header.Set("Authorization", signing.AuthorizationROA(staticKey.AccessKeyID, signing.SignatureROA(staticKey.AccessKeySecret, sts)))
	return req
}

var _ = Describe("an idempotency record cannot be evicted", Label("attack"), func() {
	It("replays the first response after floods of fresh tokens by another key and the same key, past the skew window", func() {
		h := signedHarness(tokenAttackConfig)
		first := do(h.signedPost(signing.SchemeV3, staticKey, instanceID, "clientToken=mine", spec.MediaTypeJSON))
		want := expectSuccess(first, spec.MediaTypeJSON)

		other := flood(h, otherKey, *flagFlood)
		same := flood(h, staticKey, *flagFlood)
		h.clock.Advance(16 * time.Minute) // the record outlives the skew window
		again := do(h.signedPost(signing.SchemeV3, staticKey, instanceID, "clientToken=mine", spec.MediaTypeJSON))
		Expect(expectSuccess(again, spec.MediaTypeJSON).RequestId).To(Equal(want.RequestId))
		Expect(again.body).To(Equal(first.body))
		Expect(h.srv.Transitions()).To(BeEquivalentTo(1))
		if *flagCap > 0 && *flagFlood > *flagCap {
			// The other key filled its own store only; this key's store refused its new tokens.
			Expect(other["InstanceNotFound"]).To(Equal(*flagCap))
			Expect(same["Throttling.User"]).To(Equal(*flagFlood - *flagCap + 1))
		}
		GinkgoWriter.Printf("token after floods: %d requests sent; responses other key %v, same key %v; transitions %d; %+v\n",
			2*(*flagFlood)+2, other, same, h.srv.Transitions(), h.srv.Stats())
	})
})

// listening serves srv through server.Listen on a loopback port with lc, and returns its address.
func listening(cfg server.Config, lc server.ListenConfig) (string, *server.Server) {
	GinkgoHelper()
	srv, err := server.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	hs, ln, err := server.Listen(context.Background(), "127.0.0.1:0", srv, lc)
	Expect(err).NotTo(HaveOccurred())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	DeferCleanup(func() {
		_ = hs.Close()
		Eventually(served).Should(Receive())
	})
	return ln.Addr().String(), srv
}

// exchange writes raw to a fresh connection to addr and reads one response, within 5 seconds.
// A body that cannot be read to its end is returned with the error: net/http's own responses end
// by closing the connection, which may reset it while the rest of the request is unread.
func exchange(addr, raw string) (*http.Response, []byte, error) {
	GinkgoHelper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	Expect(err).NotTo(HaveOccurred())
	defer conn.Close()
	Expect(conn.SetDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
	_, err = io.WriteString(conn, raw)
	Expect(err).NotTo(HaveOccurred())
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	for err == nil && res.StatusCode == http.StatusContinue { // the interim response to Expect
		res, err = http.ReadResponse(br, nil)
	}
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

// interruptURL is the operation's path for an unknown instance.
const interruptPath = "/openapi/instances/es-none/actions/interrupt"

var _ = Describe("a listening server stays available", Label("attack"), func() {
	const maxConns = 8

	legitimate := func(addr string) {
		GinkgoHelper()
		client := &http.Client{Timeout: 5 * time.Second}
		res, err := client.Post("http://"+addr+interruptPath, "", nil)
		Expect(err).NotTo(HaveOccurred())
		// No Accept: the service's default format, XML.
		expectError(readResponse(res), "InstanceNotFound", spec.MediaTypeXML)
	}

	It("answers a legitimate request while idle keep-alive connections hold every slot", func() {
		// Timeouts far beyond the test: only closing idle connections at the limit lets it in.
		addr, _ := listening(server.Config{}, server.ListenConfig{MaxConns: maxConns, ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute})
		var conns []net.Conn
		DeferCleanup(func() {
			for _, c := range conns {
				_ = c.Close()
			}
		})
		for range maxConns {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			Expect(err).NotTo(HaveOccurred())
			conns = append(conns, conn)
		}
		// Each sends a request and stays open, idle.
		for _, conn := range conns {
			Expect(conn.SetDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
			_, err := io.WriteString(conn, "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
			Expect(err).NotTo(HaveOccurred())
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		legitimate(addr)
	})

	It("answers a legitimate request once connections that never send a request time out", func() {
		addr, _ := listening(server.Config{}, server.ListenConfig{MaxConns: maxConns, ReadHeaderTimeout: 200 * time.Millisecond})
		for range 4 * maxConns {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(conn.Close)
		}
		legitimate(addr)
	})

	It("answers a slow body with InvalidParameter instead of dropping the connection", func() {
		addr, _ := listening(server.Config{BodyTimeout: 200 * time.Millisecond}, server.ListenConfig{})
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		Expect(err).NotTo(HaveOccurred())
		defer conn.Close()
		Expect(conn.SetDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
		_, err = io.WriteString(conn, "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
		Expect(err).NotTo(HaveOccurred())
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		Expect(err).NotTo(HaveOccurred())
		expectError(readResponse(res), "InvalidParameter", spec.MediaTypeXML)
	})

	DescribeTable("malformed HTTP that reaches the handler gets the document's Error body",
		func(raw, code string) {
			addr, _ := listening(server.Config{BodyTimeout: 300 * time.Millisecond}, server.ListenConfig{})
			res, body, err := exchange(addr, raw)
			Expect(err).NotTo(HaveOccurred())
			expectError(response{status: res.StatusCode, header: res.Header, body: body}, code, spec.MediaTypeXML) // no Accept: XML, the default
		},
		Entry("a query that is not percent-encoded", "POST "+interruptPath+"?clientToken=%zz HTTP/1.1\r\nHost: x\r\n\r\n", "InvalidParameter"),
		Entry("a broken chunked body", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "InvalidParameter"),
		Entry("a body cut short", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{}", "InvalidParameter"),
		Entry("a body over the cap", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", "InvalidParameter"),
		Entry("Expect: 100-continue with a body", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}", "InvalidParameter"),
		Entry("a body on an unknown route, never sent", "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", "InvalidAction.NotFound"),
		Entry("a body on a GET of the operation, never sent", "GET "+interruptPath+" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "InvalidAction.NotFound"),
		Entry("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "InvalidAction.NotFound"),
		Entry("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "InvalidAction.NotFound"),
		Entry("an absolute-form target for another host", "POST http://elsewhere.example"+interruptPath+" HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n", "InstanceNotFound"),
		Entry("HTTP/1.0 without Host", "POST "+interruptPath+" HTTP/1.0\r\n\r\n", "InstanceNotFound"),
	)

	// What net/http answers itself, before any handler runs: a text/plain (or empty) body with
	// the status below. The README lists these; this table checks every line of that list.
	DescribeTable("net/http's own responses",
		func(raw string, status int) {
			addr, _ := listening(server.Config{}, server.ListenConfig{MaxHeaderBytes: 4 << 10})
			res, body, _ := exchange(addr, raw)
			Expect(res.StatusCode).To(Equal(status), string(body))
			Expect(res.Header.Get("Content-Type")).NotTo(HavePrefix(spec.MediaTypeJSON))
		},
		Entry("a malformed request line", "NONSENSE\r\n\r\n", http.StatusBadRequest),
		Entry("HTTP/1.1 without Host", "POST "+interruptPath+" HTTP/1.1\r\n\r\n", http.StatusBadRequest),
		Entry("a malformed header line", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n", http.StatusBadRequest),
		Entry("a Content-Length that is not a number", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", http.StatusBadRequest),
		Entry("two different Content-Lengths", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", http.StatusBadRequest),
		Entry("a header block over MaxHeaderBytes", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 1<<20)+"\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge),
		Entry("HTTP/2.0 in a request line", "POST "+interruptPath+" HTTP/2.0\r\nHost: x\r\n\r\n", http.StatusHTTPVersionNotSupported),
		Entry("an unsupported Transfer-Encoding", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", http.StatusNotImplemented),
		Entry("an Expect other than 100-continue", "POST "+interruptPath+" HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", http.StatusExpectationFailed),
	)
})

// The heap figure of the replay flood: what a key's full window costs.
var _ = Describe("memory under a flood", Label("attack"), func() {
	It("stays within the per-key caps however many requests arrive", func() {
		h := signedHarness(attackConfig)
		var wg sync.WaitGroup
		for _, creds := range []signing.Credentials{staticKey, otherKey} {
			wg.Go(func() {
				defer GinkgoRecover()
				flood(h, creds, *flagFlood)
			})
		}
		wg.Wait()
		st := h.srv.Stats()
		if *flagCap > 0 {
			// Two keys, each at most flagCap of each kind.
			Expect(st.NonceEntries).To(BeNumerically("<=", 2**flagCap))
			Expect(st.IdempotencyEntries).To(BeNumerically("<=", 2**flagCap))
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		GinkgoWriter.Printf("memory after two floods of %d: %+v, heap %d KiB, RSS %d KiB\n", *flagFlood, st, ms.HeapAlloc>>10, rss())
	})
})

// Set puts the clock at the given HTTP date plus d.
func (c *fakeClock) Set(httpDate string, d time.Duration) {
	t, err := http.ParseTime(httpDate)
	Expect(err).NotTo(HaveOccurred())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.Add(d)
}
