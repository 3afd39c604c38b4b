package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"github.com/es-openapi/interrupt/internal/redact"
	"github.com/es-openapi/interrupt/signing"
)

// Credentials supplies the AccessKey (and, with STS, the security token) that signs a request.
// The client asks on every attempt, so a provider that refreshes temporary credentials (STS,
// a RAM role, Alibaba's credential chain through package credentials/aliyun) signs each retry
// with what is current. Implementations must be safe for concurrent use.
type Credentials interface {
	// Retrieve returns the credentials to sign the next attempt with. An error stops the call
	// before anything is sent; it is not retried.
	Retrieve(ctx context.Context) (StaticCredentials, error)
}

// ErrNoCredentials is matched (errors.Is) by the error a provider returns when it has no
// credentials to give, such as unset environment variables.
var ErrNoCredentials = errors.New("client: no credentials")

// StaticCredentials is a fixed AccessKey pair, with the STS security token of a temporary one: the
// value every provider returns, and a provider of itself. Every textual form of it (String, all
// fmt verbs, log/slog) shows the AccessKeyID only.
type StaticCredentials signing.Credentials

// Retrieve returns s, or an error matching ErrNoCredentials when the ID or the secret is empty.
func (s StaticCredentials) Retrieve(context.Context) (StaticCredentials, error) {
	if s.AccessKeyID == "" || s.AccessKeySecret == "" {
		return StaticCredentials{}, fmt.Errorf("%w: AccessKeyID and AccessKeySecret are both required", ErrNoCredentials)
	}
	return s, nil
}

// String returns the AccessKeyID and placeholders for the secret and the token.
func (s StaticCredentials) String() string {
	return "StaticCredentials{AccessKeyID: " + strconv.Quote(s.AccessKeyID) +
		", AccessKeySecret: " + placeholder(s.AccessKeySecret) +
		", SecurityToken: " + placeholder(s.SecurityToken) + "}"
}

// GoString is the %#v form, redacted like String.
func (s StaticCredentials) GoString() string {
	return "client.StaticCredentials{AccessKeyID:" + strconv.Quote(s.AccessKeyID) +
		", AccessKeySecret:" + strconv.Quote(placeholder(s.AccessKeySecret)) +
		", SecurityToken:" + strconv.Quote(placeholder(s.SecurityToken)) + "}"
}

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %x, ...) print the redacted forms rather
// than fmt's field-by-field dump, which would include the secret.
func (s StaticCredentials) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, s.String(), s.GoString())
}

// LogValue keeps log/slog handlers (the JSON one marshals structs) from writing the secret.
func (s StaticCredentials) LogValue() slog.Value {
	return slog.StringValue(s.String())
}

// MarshalJSON writes the redacted String form, so encoding/json (and the log/slog JSON handler,
// which marshals nested structs without asking LogValue) never writes the secret. Credentials
// are not meant to be serialized.
func (s StaticCredentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.String())
}

// placeholder stands in for a secret: "<redacted>" when set, `""` when empty, so a reader can
// tell the two apart.
func placeholder(secret string) string {
	if secret == "" {
		return `""`
	}
	return redact.Placeholder
}

// The environment variables EnvCredentials reads, the ones Alibaba Cloud's tools use.
const (
	EnvAccessKeyID     = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	EnvAccessKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	EnvSecurityToken   = "ALIBABA_CLOUD_SECURITY_TOKEN"
)

// EnvCredentials reads the credentials from the environment on every Retrieve:
// ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and, for STS,
// ALIBABA_CLOUD_SECURITY_TOKEN. It is what a Config without Credentials uses.
type EnvCredentials struct {
	// Getenv looks a variable up; nil means os.Getenv. Tests and commands pass their own.
	Getenv func(string) string
}

// Retrieve reads the variables. An unset ID or secret gives an error matching
// ErrNoCredentials that names the variable.
func (e EnvCredentials) Retrieve(context.Context) (StaticCredentials, error) {
	getenv := e.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	c := StaticCredentials{
		AccessKeyID:     getenv(EnvAccessKeyID),
		AccessKeySecret: getenv(EnvAccessKeySecret),
		SecurityToken:   getenv(EnvSecurityToken),
	}
	switch {
	case c.AccessKeyID == "":
		return StaticCredentials{}, fmt.Errorf("%w: %s is not set", ErrNoCredentials, EnvAccessKeyID)
	case c.AccessKeySecret == "":
		return StaticCredentials{}, fmt.Errorf("%w: %s is not set", ErrNoCredentials, EnvAccessKeySecret)
	}
	return c, nil
}

// CredentialsFunc adapts a function to Credentials, for instance a refreshing provider:
//
//	creds := client.CredentialsFunc(func(ctx context.Context) (client.StaticCredentials, error) {
//		id, secret, token, err := refresh(ctx) // e.g. github.com/aliyun/credentials-go
//		return client.StaticCredentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}, err
//	})
type CredentialsFunc func(ctx context.Context) (StaticCredentials, error)

// Retrieve calls f.
func (f CredentialsFunc) Retrieve(ctx context.Context) (StaticCredentials, error) {
	return f(ctx)
}
