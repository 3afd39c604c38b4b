package signing

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/es-openapi/interrupt/internal/redact"
)

// Operation constants signed into every request by [Sign].
const (
	// Action is the x-acs-action header value of the operation.
	Action = "InterruptElasticsearchTask"
	// Version is the x-acs-version header value (the API version).
	Version = "2017-06-13"
	// EmptyPayloadHash is hex(SHA-256("")), the x-acs-content-sha256 of a
	// request without a body, which is every InterruptElasticsearchTask call.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// EmptyContentMD5 is base64(MD5("")), the Content-MD5 that
	// aliyun/alibaba-cloud-sdk-go sends with its empty ROA bodies.
	EmptyContentMD5 = "1B2M2Y8AsgTpgAmY7PhCfg=="
)

// Credentials is an Alibaba Cloud AccessKey pair, optionally with an STS
// security token. Every textual form of it (fmt verbs, slog) redacts
// AccessKeySecret and SecurityToken so it can be logged safely.
type Credentials struct {
	// AccessKeyID identifies the key. It is sent in the Authorization header
	// and is not secret; every textual form of Credentials shows it.
	AccessKeyID string
	// AccessKeySecret is the key's secret, the HMAC key of both schemes. It is
	// never sent, and every textual form of Credentials redacts it.
	AccessKeySecret string
	// SecurityToken is the STS token of temporary credentials, sent and
	// signed as the x-acs-security-token header; empty for a long-term
	// AccessKey. Every textual form of Credentials redacts it.
	SecurityToken string
}

// String returns the AccessKeyID and placeholders for the secret and token.
func (c Credentials) String() string {
	s := "AccessKeyID=" + c.AccessKeyID + " AccessKeySecret=" + redactedOrEmpty(c.AccessKeySecret)
	if c.SecurityToken != "" {
		s += " SecurityToken=" + redact.Placeholder
	}
	return s
}

// GoString is the %#v form; it keeps the Go syntax but redacts the secrets.
func (c Credentials) GoString() string {
	return "signing.Credentials{AccessKeyID:" + strconv.Quote(c.AccessKeyID) +
		", AccessKeySecret:" + strconv.Quote(redactedOrEmpty(c.AccessKeySecret)) +
		", SecurityToken:" + strconv.Quote(redactedOrEmpty(c.SecurityToken)) + "}"
}

// Format implements fmt.Formatter so that every verb, including %+v, %x and
// %q, goes through the redacted forms instead of fmt's field-by-field dump.
func (c Credentials) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, c.String(), c.GoString())
}

// LogValue implements slog.LogValuer; without it slog's JSON handler would
// marshal the struct fields, secret included.
func (c Credentials) LogValue() slog.Value {
	return slog.StringValue(c.String())
}

func redactedOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return redact.Placeholder
}

// Scheme selects the signature scheme.
type Scheme int

// The supported signature schemes.
const (
	// SchemeV3 is ACS3-HMAC-SHA256, the current official SDK default.
	SchemeV3 Scheme = iota + 1
	// SchemeROA is the ROA v1 HMAC-SHA1 signature of older SDKs.
	SchemeROA
)

// String returns the scheme's algorithm name.
func (s Scheme) String() string {
	switch s {
	case SchemeV3:
		return algorithmV3
	case SchemeROA:
		return "ROA-v1-HMAC-SHA1"
	}
	return "Scheme(" + strconv.Itoa(int(s)) + ")"
}
