package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"time"

	"github.com/es-openapi/interrupt/gen/apiclient"
	"github.com/es-openapi/interrupt/signing"
)

// Client calls InterruptElasticsearchTask. It is safe for concurrent use; create one per
// configuration and reuse it, so connections are pooled.
type Client struct {
	api      *apiclient.ClientWithResponses
	endpoint string
	creds    Credentials
	scheme   signing.Scheme
	accept   []string
	retry    RetryPolicy
	logger   *slog.Logger
	tokens   *tokenRules

	// Hooks that tests replace; they are set by New and never changed afterwards.
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// New checks cfg and returns a Client. Every problem with cfg is reported, as one *ConfigError
// or several joined with errors.Join; nothing is sent over the network.
func New(cfg Config) (*Client, error) {
	var errs []error
	bad := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }

	if cfg.RegionID != "" {
		if reason := checkRegionID(cfg.RegionID); reason != "" {
			bad("RegionID", reason)
		}
	}
	var endpoint string
	switch cfg.Network {
	case NetworkPublic, NetworkVPC:
	default:
		bad("Network", `must be "" (public) or "vpc"`)
	}
	switch {
	case cfg.Endpoint != "":
		if cfg.Network != NetworkPublic {
			bad("Network", "applies to RegionID only; Endpoint names the host itself")
		}
		var reason string
		if endpoint, reason = parseEndpoint(cfg.Endpoint); reason != "" {
			bad("Endpoint", reason)
		}
	case cfg.RegionID == "":
		bad("RegionID", "RegionID or Endpoint is required")
	default:
		endpoint = regionEndpoint(cfg.RegionID, cfg.Network)
	}

	var scheme signing.Scheme
	switch cfg.Signature {
	case "", SignatureV3:
		scheme = signing.SchemeV3
	case SignatureROA:
		scheme = signing.SchemeROA
	default:
		bad("Signature", `must be "v3" or "roa"`)
	}
	var accept string
	switch cfg.Format {
	case "", FormatJSON:
		accept = mediaTypeJSON
	case FormatXML:
		accept = acceptXML
	default:
		bad("Format", `must be "json" or "xml"`)
	}
	switch v := cfg.Credentials.(type) {
	case nil:
	case StaticCredentials:
		if v.AccessKeyID == "" || v.AccessKeySecret == "" {
			bad("Credentials", "AccessKeyID and AccessKeySecret are both required")
		}
	case *StaticCredentials:
		if v == nil || v.AccessKeyID == "" || v.AccessKeySecret == "" {
			bad("Credentials", "AccessKeyID and AccessKeySecret are both required")
		}
	default:
		// A typed nil (a nil pointer or func in the interface) would panic when asked.
		if rv := reflect.ValueOf(v); isNilable(rv.Kind()) && rv.IsNil() {
			bad("Credentials", fmt.Sprintf("is a nil %T", v))
		}
	}
	errs = append(errs, cfg.Retry.check()...)

	tokens, err := loadTokenRules()
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	if len(errs) > 1 {
		return nil, errors.Join(errs...)
	}

	creds := cfg.Credentials
	if creds == nil {
		creds = EnvCredentials{}
	}
	var doer apiclient.HttpRequestDoer = transportDoer{rt: defaultTransport()}
	if cfg.HTTPClient != nil {
		doer = noRedirects(cfg.HTTPClient)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	api, err := apiclient.NewClientWithResponses(endpoint,
		apiclient.WithHTTPClient(cappedDoer{next: doer, limit: MaxResponseBodyBytes}))
	if err != nil {
		return nil, &ConfigError{Field: "Endpoint", Reason: "is not usable as a base URL"}
	}
	return &Client{
		api:      api,
		endpoint: endpoint,
		creds:    creds,
		scheme:   scheme,
		accept:   []string{accept},
		retry:    cfg.Retry.withDefaults(),
		logger:   logger,
		tokens:   tokens,
		now:      time.Now,
		sleep:    sleepCtx,
	}, nil
}

// isNilable reports the kinds reflect.Value.IsNil accepts.
func isNilable(k reflect.Kind) bool {
	switch k {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return true
	}
	return false
}

// Endpoint returns the base URL the client calls, such as
// "https://elasticsearch.cn-hangzhou.aliyuncs.com".
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without its credentials.
func (c *Client) String() string {
	if c == nil {
		return "client.Client(nil)"
	}
	return "client.Client{Endpoint: " + strconv.Quote(c.endpoint) + ", Credentials: " + describeCredentials(c.creds) + "}"
}

// Format makes every fmt verb print String: fmt's own dump of a struct reaches unexported
// fields, the credentials among them, without calling their redacting methods.
func (c *Client) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, c.String(), c.String())
}
