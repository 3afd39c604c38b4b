package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/es-openapi/interrupt/client"
)

// exampleServer stands in for the service: it answers every call with the given status and
// JSON body. Real code calls a region's endpoint instead.
func exampleServer(status int, body any) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
}

// Interrupt the change an instance is applying.
func Example() {
	srv := exampleServer(http.StatusOK, map[string]any{"Result": true, "RequestId": "E9908D15-13F4-4428-B08F-A3EE8E39****"})
	defer srv.Close()

	c, err := client.New(client.Config{
		Endpoint:    srv.URL, // in production: RegionID: "cn-hangzhou"
		Credentials: client.StaticCredentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "example-secret"},
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.InterruptElasticsearchTask(context.Background(), "es-cn-n6w1o1x0w001c****", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Result:", res.Result)
	fmt.Println("RequestId:", res.RequestID)
	// Output:
	// Result: true
	// RequestId: E9908D15-13F4-4428-B08F-A3EE8E39****
}

// Tell error responses apart with the generated sentinels and read their details from *APIError.
func ExampleClient_InterruptElasticsearchTask_errors() {
	srv := exampleServer(http.StatusBadRequest, map[string]any{
		"RequestId": "0B6C5A56-8E34-4D5E-9A8B-1A2B3C4D0000",
		"HostId":    "elasticsearch.cn-hangzhou.aliyuncs.com",
		"Code":      client.ErrInstanceNotFound.String(),
		"Message":   client.ErrInstanceNotFound.Message(), // the catalogue's message
	})
	defer srv.Close()

	c, err := client.New(client.Config{
		Endpoint:    srv.URL,
		Credentials: client.StaticCredentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "example-secret"},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.InterruptElasticsearchTask(context.Background(), "es-cn-unknown", nil)

	var apiErr *client.APIError
	switch {
	case errors.Is(err, client.ErrInstanceNotFound):
		errors.As(err, &apiErr)
		fmt.Println("no such instance; HTTP", apiErr.HTTPStatus, "RequestId", apiErr.RequestID, "retryable:", apiErr.Retryable())
	case err != nil:
		log.Fatal(err)
	}
	// Output:
	// no such instance; HTTP 400 RequestId 0B6C5A56-8E34-4D5E-9A8B-1A2B3C4D0000 retryable: false
}

// Give the call an idempotency token: a retried or repeated call with the same token is
// applied once. Without one, the client makes one per call and reports it.
func ExampleInterruptOptions() {
	srv := exampleServer(http.StatusOK, map[string]any{"Result": true, "RequestId": "R-1"})
	defer srv.Close()

	c, err := client.New(client.Config{
		Endpoint:    srv.URL,
		Credentials: client.StaticCredentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "example-secret"},
		Signature:   client.SignatureROA, // the older scheme; V3 is the default
		Retry:       client.RetryPolicy{MaxAttempts: 5, MaxElapsed: 10 * time.Second},
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.InterruptElasticsearchTask(context.Background(), "es-cn-n6w1o1x0w001c****",
		&client.InterruptOptions{ClientToken: "5A2CFF0E-5718-45B5-9D4D-70B3FF****"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Result, res.ClientToken, res.Attempts)
	// Output:
	// true 5A2CFF0E-5718-45B5-9D4D-70B3FF**** 1
}

// Ask for XML. The client reads any XML media type (the service labels its XML
// text/xml;charset=utf-8), with or without a root element.
func ExampleFormat() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml;charset=utf-8")
		fmt.Fprint(w, "<Result>true</Result>\n<RequestId>E9908D15-13F4-4428-B08F-A3EE8E39****</RequestId>")
	}))
	defer srv.Close()

	c, err := client.New(client.Config{
		Endpoint:    srv.URL,
		Credentials: client.StaticCredentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "example-secret"},
		Format:      client.FormatXML,
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.InterruptElasticsearchTask(context.Background(), "es-cn-n6w1o1x0w001c****", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Result, res.RequestID, res.Header.Get("Content-Type"))
	// Output:
	// true E9908D15-13F4-4428-B08F-A3EE8E39**** text/xml;charset=utf-8
}

// A region id selects the endpoint; NetworkVPC selects the one reachable from a VPC.
func ExampleNew_endpoints() {
	for _, cfg := range []client.Config{
		{RegionID: "cn-hangzhou"},
		{RegionID: "ap-southeast-1", Network: client.NetworkVPC},
		{Endpoint: "es-proxy.internal:8443"},
		{Endpoint: "http://127.0.0.1:8080"},
	} {
		c, err := client.New(cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Endpoint())
	}
	_, err := client.New(client.Config{Endpoint: "https://es.example.com/some/path"})
	var cfgErr *client.ConfigError
	fmt.Println(errors.As(err, &cfgErr), cfgErr.Field)
	// Output:
	// https://elasticsearch.cn-hangzhou.aliyuncs.com
	// https://elasticsearch-vpc.ap-southeast-1.aliyuncs.com
	// https://es-proxy.internal:8443
	// http://127.0.0.1:8080
	// true Endpoint
}

// Plug in a provider of temporary credentials; it is asked before every attempt.
func ExampleCredentialsFunc() {
	srv := exampleServer(http.StatusOK, map[string]any{"Result": true, "RequestId": "R-2"})
	defer srv.Close()

	refreshes := 0
	provider := client.CredentialsFunc(func(ctx context.Context) (client.StaticCredentials, error) {
		refreshes++ // a real provider caches and refreshes before expiry
		return client.StaticCredentials{
			AccessKeyID:     "STS.Example",
			AccessKeySecret: "temporary-secret",
			SecurityToken:   "temporary-token",
		}, nil
	})
	c, err := client.New(client.Config{Endpoint: srv.URL, Credentials: provider})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-cn-n6w1o1x0w001c****", nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("asked", refreshes, "time(s)")
	// Output:
	// asked 1 time(s)
}

// Credentials print without their secret, however they are formatted.
func ExampleStaticCredentials() {
	creds := client.StaticCredentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "example-secret", SecurityToken: "token"}
	fmt.Println(creds)
	fmt.Printf("%#v\n", creds)
	// Output:
	// StaticCredentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: <redacted>, SecurityToken: <redacted>}
	// client.StaticCredentials{AccessKeyID:"LTAI5tExample", AccessKeySecret:"<redacted>", SecurityToken:"<redacted>"}
}

// Keep the clientToken of a failed call to retry it later: the service applies the interrupt at
// most once per token, however many times it is sent.
func ExampleNewClientToken() {
	srv := exampleServer(http.StatusServiceUnavailable, map[string]any{
		"RequestId": "R-3", "Code": "ServiceUnavailable", "Message": "The request has failed due to a temporary failure of the server.",
	})
	defer srv.Close()
	c, err := client.New(client.Config{
		Endpoint:    srv.URL,
		Credentials: client.StaticCredentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "example-secret"},
		Retry:       client.RetryPolicy{MaxAttempts: 1},
	})
	if err != nil {
		log.Fatal(err)
	}

	token := client.NewClientToken() // or store it before the call, to survive a crash
	_, err = c.InterruptElasticsearchTask(context.Background(), "es-cn-n6w1o1x0w001c****", &client.InterruptOptions{ClientToken: token})
	var callErr *client.CallError
	if errors.As(err, &callErr) {
		// Also set for a token the client made: callErr.ClientToken is what the attempts carried.
		fmt.Println("same token:", callErr.ClientToken == token, "attempts:", callErr.Attempts,
			"unavailable:", errors.Is(err, client.ErrServiceUnavailable))
	}
	// Later: c.InterruptElasticsearchTask(ctx, id, &client.InterruptOptions{ClientToken: token})
	// Output:
	// same token: true attempts: 1 unavailable: true
}
