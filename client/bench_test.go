package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/spec"
)

// benchInstanceID has the shape of a real id. The document's sample ends in "****", masking
// that real ids do not have; escaping it costs the generated URL building about 20 more
// allocations per call.
const benchInstanceID = "es-cn-n6w1o1x0w001c0a1b"

// benchServer answers every request with the document's page sample in the format the Accept
// header asks for. Both benchmarks below call it over loopback, so the difference between them
// is the client's own cost: URL building, signing, decoding, typed results.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	bodies := map[string][]byte{}
	exs, err := spec.LoadExamples()
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range exs {
		if e.Status == "200" && (e.Component == "PageSample" || e.Component == "RootedSuccessXml") {
			if bodies[e.MediaType], err = e.Body(); err != nil {
				b.Fatal(err)
			}
		}
	}
	ctJSON, ctXML := []string{spec.MediaTypeJSON}, []string{spec.MediaTypeXML}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := ctJSON
		if r.Header.Get("Accept") == spec.MediaTypeXML {
			ct = ctXML
		}
		w.Header()["Content-Type"] = ct
		_, _ = w.Write(bodies[ct[0]])
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkInterrupt is one InterruptElasticsearchTask call through the typed client with its
// default transport: V3 signature and JSON (the defaults), then ROA and XML.
func BenchmarkInterrupt(b *testing.B) {
	srv := benchServer(b)
	for _, bc := range []struct {
		name      string
		signature client.SignatureVersion
		format    client.ResponseFormat
	}{
		{"V3-JSON", client.SignatureV3, client.FormatJSON},
		{"ROA-JSON", client.SignatureROA, client.FormatJSON},
		{"V3-XML", client.SignatureV3, client.FormatXML},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := client.New(client.Config{
				Endpoint:    srv.URL,
				Credentials: client.StaticCredentials{AccessKeyID: "LTAI5tBench", AccessKeySecret: "bench-secret"},
				Signature:   bc.signature,
				Format:      bc.format,
			})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			opts := &client.InterruptOptions{ClientToken: "5A2CFF0E-5718-45B5-9D4D-70B3FF0000"}
			b.ReportAllocs()
			for b.Loop() {
				res, err := c.InterruptElasticsearchTask(ctx, benchInstanceID, opts)
				if err != nil || !res.Result {
					b.Fatal(res, err)
				}
			}
		})
	}
}

// BenchmarkRawHTTP is the same POST with plain net/http (the test server's keep-alive
// http.Client) and no signing or decoding: the floor the client is measured against.
func BenchmarkRawHTTP(b *testing.B) {
	srv := benchServer(b)
	hc := srv.Client()
	url := srv.URL + "/openapi/instances/" + benchInstanceID + "/actions/interrupt?clientToken=5A2CFF0E-5718-45B5-9D4D-70B3FF0000"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
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
}
