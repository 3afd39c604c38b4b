package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/es-openapi/interrupt/internal/redact"
	"github.com/es-openapi/interrupt/signing"
)

// SignatureVersion selects how requests are signed.
type SignatureVersion string

// The signature schemes the service accepts.
const (
	// SignatureV3 is ACS3-HMAC-SHA256, the current official SDKs' scheme and the default.
	SignatureV3 SignatureVersion = "v3"
	// SignatureROA is the older ROA v1 HMAC-SHA1 scheme, still accepted.
	SignatureROA SignatureVersion = "roa"
)

// ResponseFormat selects the response format the client asks for (the Accept header). Responses
// are decoded by their Content-Type either way.
type ResponseFormat string

// Format is the former name of ResponseFormat (renamed because Format is also the fmt.Formatter
// method of Client), kept so existing callers compile; new code should use ResponseFormat.
type Format = ResponseFormat

// The response formats.
const (
	// FormatJSON asks for application/json; the default.
	FormatJSON ResponseFormat = "json"
	// FormatXML asks for application/xml. XML bodies are read under any XML media type (the
	// service labels them text/xml;charset=utf-8), with or without a root element.
	FormatXML ResponseFormat = "xml"
)

// Config configures a Client. Only RegionID (or Endpoint) is required; every other zero value
// has a sensible default. New checks the whole Config and reports every problem as a
// *ConfigError.
type Config struct {
	// RegionID, such as "cn-hangzhou", selects https://elasticsearch.<RegionID>.aliyuncs.com
	// (or the VPC endpoint, see Network).
	RegionID string
	// Endpoint overrides RegionID: "host[:port]" (HTTPS) or a URL with scheme, host and port
	// only, such as "http://127.0.0.1:8080" (plain HTTP only when the URL says so).
	Endpoint string
	// Network is NetworkPublic ("", the default) or NetworkVPC ("vpc", the
	// elasticsearch-vpc.<RegionID>.aliyuncs.com endpoint). It applies to RegionID only.
	Network Network
	// Credentials signs the requests; it is asked on every attempt. nil means EnvCredentials
	// (the ALIBABA_CLOUD_* environment variables).
	Credentials Credentials
	// Signature is SignatureV3 ("" means V3) or SignatureROA.
	Signature SignatureVersion
	// Format is FormatJSON ("" means JSON) or FormatXML.
	Format ResponseFormat
	// HTTPClient sends the requests; its Timeout, if any, bounds each attempt, as
	// Retry.AttemptTimeout always does. nil means a transport of the Client's own with connect,
	// TLS and response-header timeouts, keep-alive, a per-host idle pool and response headers
	// capped at MaxResponseHeaderBytes, used directly: no redirects are followed and no cookies
	// kept. A timeout of the transport or of the http.Client fails the attempt, which is
	// retried. Bound a whole call with the context.
	//
	// A given HTTPClient is used through a copy whose CheckRedirect refuses to follow (the
	// caller's value is not changed): a 3xx response fails the call with an
	// *UnexpectedResponseError, and the signed request never goes to another host. The size of
	// its response headers is its Transport's to bound (http.Transport.MaxResponseHeaderBytes;
	// net/http's default is 10 MB when that is zero).
	HTTPClient *http.Client
	// Retry is the retry policy, the per-attempt time limit (AttemptTimeout) included; the
	// zero value gives the defaults.
	Retry RetryPolicy
	// Logger receives one debug record per attempt (method, path, status, attempt, request id,
	// duration). nil discards. Credentials, the Authorization header and the security token are
	// never logged.
	Logger *slog.Logger
}

// String describes the Config with the credentials redacted.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("client.Config{RegionID: ")
	b.WriteString(strconv.Quote(c.RegionID))
	b.WriteString(", Endpoint: ")
	b.WriteString(strconv.Quote(redactEndpoint(c.Endpoint)))
	b.WriteString(", Network: ")
	b.WriteString(strconv.Quote(string(c.Network)))
	b.WriteString(", Credentials: ")
	b.WriteString(describeCredentials(c.Credentials))
	b.WriteString(", Signature: ")
	b.WriteString(strconv.Quote(string(c.Signature)))
	b.WriteString(", Format: ")
	b.WriteString(strconv.Quote(string(c.Format)))
	b.WriteString(", HTTPClient: ")
	b.WriteString(setOrNil(c.HTTPClient != nil))
	b.WriteString(", Retry: {MaxAttempts: ")
	b.WriteString(strconv.Itoa(c.Retry.MaxAttempts))
	b.WriteString(", BaseDelay: ")
	b.WriteString(c.Retry.BaseDelay.String())
	b.WriteString(", MaxDelay: ")
	b.WriteString(c.Retry.MaxDelay.String())
	b.WriteString(", MaxElapsed: ")
	b.WriteString(c.Retry.MaxElapsed.String())
	b.WriteString(", AttemptTimeout: ")
	b.WriteString(c.Retry.AttemptTimeout.String())
	b.WriteString("}, Logger: ")
	b.WriteString(setOrNil(c.Logger != nil))
	b.WriteString("}")
	return b.String()
}

// GoString is the %#v form, the same redacted description: fmt's own %#v would print a
// Credentials implementation's fields, secret included.
func (c Config) GoString() string { return c.String() }

// LogValue keeps log/slog handlers from marshalling the credentials.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func setOrNil(set bool) string {
	if set {
		return "set"
	}
	return "nil"
}

// describeCredentials prints StaticCredentials redacted and any other provider by type only,
// since a provider of unknown shape may hold a secret in any field.
func describeCredentials(c Credentials) string {
	switch v := c.(type) {
	case nil:
		return "nil"
	case StaticCredentials:
		return v.String()
	case *StaticCredentials:
		if v == nil {
			return "(*client.StaticCredentials)(nil)"
		}
		return v.String()
	}
	return fmt.Sprintf("%T", c)
}

// redactEndpoint hides the user information of an endpoint URL, which New refuses anyway.
func redactEndpoint(ep string) string {
	if at := strings.LastIndexByte(ep, '@'); at >= 0 {
		start := 0
		if i := strings.Index(ep, "://"); i >= 0 && i < at {
			start = i + 3
		}
		return ep[:start] + redact.Placeholder + ep[at:]
	}
	return ep
}

// problems collects what is wrong with a Config, in the order New checks the fields.
type problems []error

// add records a *ConfigError for field.
func (p *problems) add(field, reason string) {
	*p = append(*p, &ConfigError{Field: field, Reason: reason})
}

// err returns nil, the one problem, or every problem joined.
func (p problems) err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return p[0]
	}
	return errors.Join(p...)
}

// endpoint checks RegionID, Network and Endpoint and returns the base URL they select.
func (p *problems) endpoint(cfg Config) string {
	if cfg.RegionID != "" {
		if reason := checkRegionID(cfg.RegionID); reason != "" {
			p.add("RegionID", reason)
		}
	}
	if cfg.Network != NetworkPublic && cfg.Network != NetworkVPC {
		p.add("Network", `must be "" (public) or "vpc"`)
	}
	switch {
	case cfg.Endpoint != "":
		if cfg.Network != NetworkPublic {
			p.add("Network", "applies to RegionID only; Endpoint names the host itself")
		}
		endpoint, reason := parseEndpoint(cfg.Endpoint)
		if reason != "" {
			p.add("Endpoint", reason)
		}
		return endpoint
	case cfg.RegionID == "":
		p.add("RegionID", "RegionID or Endpoint is required")
		return ""
	}
	return regionEndpoint(cfg.RegionID, cfg.Network)
}

// scheme checks Signature and returns the signing scheme it selects.
func (p *problems) scheme(v SignatureVersion) signing.Scheme {
	switch v {
	case "", SignatureV3:
		return signing.SchemeV3
	case SignatureROA:
		return signing.SchemeROA
	}
	p.add("Signature", `must be "v3" or "roa"`)
	return 0
}

// accept checks Format and returns the Accept header it selects.
func (p *problems) accept(f ResponseFormat) string {
	switch f {
	case "", FormatJSON:
		return mediaTypeJSON
	case FormatXML:
		return acceptXML
	}
	p.add("Format", `must be "json" or "xml"`)
	return ""
}

// credentials checks that static credentials are complete and that a provider is not a typed
// nil, which would panic when asked.
func (p *problems) credentials(c Credentials) {
	const incomplete = "AccessKeyID and AccessKeySecret are both required"
	switch v := c.(type) {
	case nil:
	case StaticCredentials:
		if v.AccessKeyID == "" || v.AccessKeySecret == "" {
			p.add("Credentials", incomplete)
		}
	case *StaticCredentials:
		if v == nil || v.AccessKeyID == "" || v.AccessKeySecret == "" {
			p.add("Credentials", incomplete)
		}
	default:
		if rv := reflect.ValueOf(v); isNilable(rv.Kind()) && rv.IsNil() {
			p.add("Credentials", fmt.Sprintf("is a nil %T", v))
		}
	}
}

// isNilable reports the kinds reflect.Value.IsNil accepts.
func isNilable(k reflect.Kind) bool {
	switch k {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return true
	}
	return false
}
