package client

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/gen/apiclient"
)

// MaxResponseBodyBytes caps a response body. The client stops reading there and returns a
// *BodyTooLargeError; a real response is a few hundred bytes.
const MaxResponseBodyBytes = 1 << 20

// defaultTransport is a Client's own transport: bounded connect, TLS and header waits, and
// keep-alive with a pool sized for one host.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    32,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: MaxResponseHeaderBytes,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// MaxResponseHeaderBytes caps the response header block the Client's own transport reads; a
// larger one fails the attempt. A real response's headers are a few hundred bytes.
const MaxResponseHeaderBytes = 64 << 10

// doerFor returns what sends a Client's requests: hc through noRedirects, or, when hc is nil,
// the Client's own transport.
func doerFor(hc *http.Client) apiclient.HttpRequestDoer {
	if hc == nil {
		return transportDoer{rt: defaultTransport()}
	}
	return noRedirects(hc)
}

// noRedirects returns a copy of hc that answers a redirect with the 3xx itself: following
// would re-send the signed request (a 307 or 308 with its body and x-acs-security-token) to
// whatever host the Location names, or turn it into a GET there.
func noRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// transportDoer sends a request with one round trip. The client needs none of what
// http.Client adds (redirects, which would turn the signed POST into a GET, cookies, an
// overall timeout: the context bounds a call), and skipping it saves a copy of the headers per
// attempt. Errors are wrapped in *url.Error as http.Client wraps them.
type transportDoer struct{ rt http.RoundTripper }

// Do makes the round trip.
func (d transportDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.rt.RoundTrip(req)
	if err != nil {
		return nil, &url.Error{Op: urlErrorOp(req.Method), URL: req.URL.Redacted(), Err: err}
	}
	return resp, nil
}

// urlErrorOp is the Op http.Client gives a *url.Error, such as "Post".
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// cappedDoer wraps the HTTP client so every response body is capped before anyone reads it,
// the generated parser included.
type cappedDoer struct {
	next  apiclient.HttpRequestDoer
	limit int64
}

// Do sends req and caps the response body. A declared Content-Length over the cap fails at
// once, without reading.
func (d cappedDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	if resp.ContentLength > d.limit {
		_ = resp.Body.Close()
		return nil, &BodyTooLargeError{Limit: d.limit, HTTPStatus: resp.StatusCode}
	}
	resp.Body = &cappedBody{rc: resp.Body, left: d.limit, limit: d.limit}
	return resp, nil
}

// cappedBody returns a *BodyTooLargeError once more than limit bytes would be read.
type cappedBody struct {
	rc    io.ReadCloser
	left  int64
	limit int64
}

// Read reads at most up to the cap, then fails with a *BodyTooLargeError.
func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &BodyTooLargeError{Limit: b.limit}
	}
	// One byte past the cap tells a body of exactly limit bytes from a longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), &BodyTooLargeError{Limit: b.limit}
	}
	return n, err
}

// Close closes the underlying body.
func (b *cappedBody) Close() error { return b.rc.Close() }
