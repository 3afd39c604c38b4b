package bench_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	es "github.com/alibabacloud-go/elasticsearch-20170613/v3/client"
	openapiutil "github.com/alibabacloud-go/openapi-util/service"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	legacy "github.com/aliyun/alibaba-cloud-sdk-go/services/elasticsearch"

	"github.com/es-openapi/interrupt/bench/internal/fixture"
	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// What the per-call benchmarks measure: one InterruptElasticsearchTask call, from arguments to
// a typed result, against ONE loopback httptest server that replays the reference server's
// own success answers (fixture.Handler; see package fixture for why it is not the reference
// server itself). Every client keeps its connections alive, so after the first iteration no
// call dials. The ratios that matter are between the rows: the server's cost is the same
// small constant in each.

const (
	benchKeyID  = "LTAI5tBenchKeyID0001"
	benchSecret = "bench-secret-0123456789abcdef"
	benchToken  = "5A2CFF0E-5718-45B5-9D4D-70B3FF000000"
	benchRegion = "cn-hangzhou"
)

// newFixtureServer starts the loopback server every call benchmark talks to.
func newFixtureServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	answers, err := fixture.Success()
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(fixture.Handler(answers))
	tb.Cleanup(srv.Close)
	return srv
}

// ours builds our client for base with a signature scheme and format.
func ours(tb testing.TB, base string, sig client.SignatureVersion, format client.Format) *client.Client {
	tb.Helper()
	c, err := client.New(client.Config{
		Endpoint:    base,
		Credentials: client.StaticCredentials{AccessKeyID: benchKeyID, AccessKeySecret: benchSecret},
		Signature:   sig,
		Format:      format,
		Retry:       client.RetryPolicy{MaxAttempts: 1},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// officialV3 builds the official darabonba client (elasticsearch-20170613/v3) for the loopback
// endpoint over plain HTTP. As shipped it signs ROA v1 (its Init sets SignatureAlgorithm "v2");
// acs3 switches it to its ACS3-HMAC-SHA256 path (darabonba's DoRequest) for a V3-to-V3
// comparison.
func officialV3(tb testing.TB, base string, acs3 bool) *es.Client {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := es.NewClient(&openapi.Config{
		AccessKeyId:     tea.String(benchKeyID),
		AccessKeySecret: tea.String(benchSecret),
		RegionId:        tea.String(benchRegion),
		Endpoint:        tea.String(u.Host),
		Protocol:        tea.String("http"),
	})
	if err != nil {
		tb.Fatal(err)
	}
	if acs3 {
		c.SignatureAlgorithm = tea.String("ACS3-HMAC-SHA256")
	}
	return c
}

// callOfficialV3 makes one call the way the SDK's documentation shows it.
func callOfficialV3(c *es.Client, id, token string) (*es.InterruptElasticsearchTaskResponse, error) {
	return c.InterruptElasticsearchTaskWithOptions(tea.String(id),
		&es.InterruptElasticsearchTaskRequest{ClientToken: tea.String(token)},
		map[string]*string{}, &util.RuntimeOptions{})
}

// legacyClient builds the older aliyun/alibaba-cloud-sdk-go client. Its endpoint is per
// request (Scheme, Domain, Port), see callLegacy.
func legacyClient(tb testing.TB) *legacy.Client {
	tb.Helper()
	c, err := legacy.NewClientWithAccessKey(benchRegion, benchKeyID, benchSecret)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// callLegacy makes one call with a fresh request, as that SDK's requests are built per call:
// setting Domain skips its endpoint resolution, and Scheme and Port point it at the loopback
// server over plain HTTP.
func callLegacy(c *legacy.Client, host, port, id, token string) (*legacy.InterruptElasticsearchTaskResponse, error) {
	req := legacy.CreateInterruptElasticsearchTaskRequest()
	req.Scheme = "http"
	req.Domain = host
	req.Port = port
	req.InstanceId = id
	req.ClientToken = token
	return c.InterruptElasticsearchTask(req)
}

// BenchmarkCall is one call per iteration, each client against the same loopback server.
func BenchmarkCall(b *testing.B) {
	srv := newFixtureServer(b)
	ctx := context.Background()

	// RawHTTP is the floor: the same POST (same URL, Accept) with plain net/http, no signing
	// and no decoding beyond reading the body.
	b.Run("RawHTTP", func(b *testing.B) {
		hc := srv.Client()
		target := srv.URL + "/openapi/instances/" + fixture.InstanceID + "/actions/interrupt?clientToken=" + benchToken
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Accept", spec.MediaTypeJSON)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || len(body) == 0 {
				b.Fatal(resp.StatusCode, err)
			}
		}
	})

	for _, bc := range []struct {
		name   string
		sig    client.SignatureVersion
		format client.Format
	}{
		{"Ours-V3-JSON", client.SignatureV3, client.FormatJSON},
		{"Ours-V3-XML", client.SignatureV3, client.FormatXML},
		{"Ours-ROA-JSON", client.SignatureROA, client.FormatJSON},
		{"Ours-ROA-XML", client.SignatureROA, client.FormatXML},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := ours(b, srv.URL, bc.sig, bc.format)
			opts := &client.InterruptOptions{ClientToken: benchToken}
			b.ReportAllocs()
			for b.Loop() {
				res, err := c.InterruptElasticsearchTask(ctx, fixture.InstanceID, opts)
				if err != nil || !res.Result {
					b.Fatal(res, err)
				}
			}
		})
	}

	for _, bc := range []struct {
		name string
		acs3 bool
	}{{"OfficialV3SDK", false}, {"OfficialV3SDK-ACS3", true}} {
		b.Run(bc.name, func(b *testing.B) {
			c := officialV3(b, srv.URL, bc.acs3)
			b.ReportAllocs()
			for b.Loop() {
				res, err := callOfficialV3(c, fixture.InstanceID, benchToken)
				if err != nil || res.Body == nil || !tea.BoolValue(res.Body.Result) {
					b.Fatal(res, err)
				}
			}
		})
	}

	b.Run("LegacySDK", func(b *testing.B) {
		c := legacyClient(b)
		host, port := splitHostPort(b, srv.URL)
		b.ReportAllocs()
		for b.Loop() {
			res, err := callLegacy(c, host, port, fixture.InstanceID, benchToken)
			if err != nil || !res.Result {
				b.Fatal(res, err)
			}
		}
	})
}

// splitHostPort returns the host and port of a base URL.
func splitHostPort(tb testing.TB, base string) (string, string) {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		tb.Fatal(err)
	}
	return host, port
}

// The signing inputs: the same request, key, time and nonce for both implementations, so both
// compute the same Authorization (TestSigningAgrees checks it).
var (
	signTime  = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	signNonce = "3156853299f313e23d1673dc12e1703d"
	signHost  = "elasticsearch.cn-hangzhou.aliyuncs.com"
	signPath  = "/openapi/instances/" + fixture.InstanceID + "/actions/interrupt"
	signCreds = signing.Credentials{AccessKeyID: benchKeyID, AccessKeySecret: benchSecret}
)

// oursSignRequest is the request signing.Sign signs: what the client hands it, with a fresh
// header map so each iteration sets every header anew, as the official code builds its map.
func oursSignRequest(tb testing.TB) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, "https://"+signHost+signPath+"?clientToken="+benchToken, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

var acceptJSON = []string{spec.MediaTypeJSON}

// signOurs signs req with scheme and returns its Authorization.
func signOurs(req *http.Request, scheme signing.Scheme) (string, error) {
	req.Header = http.Header{"Accept": acceptJSON}
	if err := signing.Sign(req, scheme, signCreds, signTime, signNonce); err != nil {
		return "", err
	}
	return req.Header.Get("Authorization"), nil
}

// signOfficialV3 computes the Authorization of the same request with openapi-util, building
// the header map and payload hash as darabonba-openapi's DoRequest does.
func signOfficialV3() string {
	const alg = "ACS3-HMAC-SHA256"
	payload := openapiutil.HexEncode(openapiutil.Hash([]byte{}, tea.String(alg)))
	req := tea.NewRequest()
	req.Method = tea.String(http.MethodPost)
	req.Pathname = tea.String(signPath)
	req.Query = map[string]*string{"clientToken": tea.String(benchToken)}
	req.Headers = map[string]*string{
		"host":                  tea.String(signHost),
		"x-acs-version":         tea.String(signing.Version),
		"x-acs-action":          tea.String(signing.Action),
		"x-acs-date":            tea.String(signTime.UTC().Format("2006-01-02T15:04:05Z")),
		"x-acs-signature-nonce": tea.String(signNonce),
		"accept":                tea.String(spec.MediaTypeJSON),
		"x-acs-content-sha256":  payload,
	}
	return tea.StringValue(openapiutil.GetAuthorization(req, tea.String(alg), payload,
		tea.String(benchKeyID), tea.String(benchSecret)))
}

// signOfficialROA computes the ROA v1 Authorization with openapi-util, with the headers
// darabonba-openapi's DoROARequest signs.
func signOfficialROA() string {
	req := tea.NewRequest()
	req.Method = tea.String(http.MethodPost)
	req.Pathname = tea.String(signPath)
	req.Query = map[string]*string{"clientToken": tea.String(benchToken)}
	req.Headers = map[string]*string{
		"date":                    tea.String(signTime.UTC().Format(http.TimeFormat)),
		"host":                    tea.String(signHost),
		"accept":                  tea.String(spec.MediaTypeJSON),
		"x-acs-signature-nonce":   tea.String(signNonce),
		"x-acs-signature-method":  tea.String("HMAC-SHA1"),
		"x-acs-signature-version": tea.String("1.0"),
		"x-acs-version":           tea.String(signing.Version),
		"x-acs-action":            tea.String(signing.Action),
	}
	sts := openapiutil.GetStringToSign(req)
	return "acs " + benchKeyID + ":" + tea.StringValue(openapiutil.GetROASignature(sts, tea.String(benchSecret)))
}

// BenchmarkSign is signing alone: building the signed headers and the Authorization of one
// request, ours (signing.Sign) against the official openapi-util functions.
func BenchmarkSign(b *testing.B) {
	for _, bc := range []struct {
		name   string
		scheme signing.Scheme
	}{{"Ours-V3", signing.SchemeV3}, {"Ours-ROA", signing.SchemeROA}} {
		b.Run(bc.name, func(b *testing.B) {
			req := oursSignRequest(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := signOurs(req, bc.scheme); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("Official-V3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if signOfficialV3() == "" {
				b.Fatal("empty Authorization")
			}
		}
	})
	b.Run("Official-ROA", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if signOfficialROA() == "" {
				b.Fatal("empty Authorization")
			}
		}
	})
}
