package contract

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/es-openapi/interrupt/spec"
)

// The causes a run stops at before any check runs, each its own exit code of esinterrupt verify.
var (
	// ErrUnreachable: no response came back (connection refused, DNS, TLS, timeout).
	ErrUnreachable = errors.New("the target cannot be reached")
	// ErrCredentialsRejected: the target refused the signature of a well-formed request.
	ErrCredentialsRejected = errors.New("the target rejects the credentials")
	// ErrRedirected: the target answered with a redirect (3xx), which the document never gives;
	// the contract does not follow it, so the target's address is likely not the server's.
	ErrRedirected = errors.New("the target redirects")
	// ErrNoChecks: the selection matched no check.
	ErrNoChecks = errors.New("the selection matches no check")
)

// PreflightError says why the target cannot be verified at all. It wraps ErrUnreachable,
// ErrRedirected or ErrCredentialsRejected.
type PreflightError struct {
	Cause  error  // ErrUnreachable, ErrRedirected or ErrCredentialsRejected
	Detail string // what happened, in one line
}

func (e *PreflightError) Error() string { return e.Cause.Error() + ": " + e.Detail }

func (e *PreflightError) Unwrap() error { return e.Cause }

// signatureTriggers are the catalogue's triggers whose codes refuse a request for its signature:
// the response a preflight request gets when the credentials are wrong or missing.
var signatureTriggers = map[spec.Trigger]bool{
	spec.TriggerMissingSignature: true, spec.TriggerBadSignature: true, spec.TriggerNonceReplay: true,
	spec.TriggerStaleDate: true, spec.TriggerUnknownAccessKey: true, spec.TriggerSTSMismatch: true,
	spec.TriggerSTSMissingToken: true,
}

// Preflight reaches the target once, with one signed interrupt of an instance no server has, and
// returns a *PreflightError if no response came back or the response refuses the signature. Any other
// response, right or wrong, is for the checks to judge.
func Preflight(ctx context.Context, env *Env) error {
	a, err := env.do(ctx, requestSpec{id: unknownID()})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &PreflightError{Cause: ErrUnreachable, Detail: describeTransportError(err)}
	}
	if a.redirected() {
		return &PreflightError{Cause: ErrRedirected, Detail: fmt.Sprintf(
			"it answered %d to %s (not followed: give the address the operation is served at)", a.status, a.location())}
	}
	code := a.code()
	entry, ok := env.catalogue.Lookup(code)
	if !ok || !signatureTriggers[entry.Trigger] {
		return nil
	}
	if env.target.Credentials == nil {
		return &PreflightError{Cause: ErrCredentialsRejected, Detail: fmt.Sprintf(
			"it answered an unsigned request with %s: it requires signed requests, so give credentials", code)}
	}
	return &PreflightError{Cause: ErrCredentialsRejected, Detail: fmt.Sprintf(
		"it answered a signed request with %s (%q): check the AccessKeyId, secret, security token and this machine's clock",
		code, firstLine(a.apiErr.Message))}
}

// describeTransportError says in one line why a request got no response.
func describeTransportError(err error) string {
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostname):
		return "TLS: the server's certificate is not trusted: " + rootCause(err).Error()
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS: the server does not speak TLS on this port"
	}
	return rootCause(err).Error()
}

// rootCause strips the request's method and URL that net/http puts around a transport error.
func rootCause(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}
