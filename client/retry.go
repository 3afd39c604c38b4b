package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/es-openapi/interrupt/internal/wire"
)

// Defaults a zero RetryPolicy stands for.
const (
	DefaultMaxAttempts = 3
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
	DefaultMaxElapsed  = 30 * time.Second
	// DefaultAttemptTimeout bounds one attempt, reading the response's body included.
	DefaultAttemptTimeout = 30 * time.Second
)

// RetryPolicy says when and how often a call is repeated. Every attempt of a call carries the
// same clientToken, so a repeated interrupt is applied once.
//
// A call is retried after a network failure before a complete response (a refused or reset
// connection, a response cut short, a timeout of the transport or of the http.Client, an attempt
// cut off by AttemptTimeout; not the caller's context ending), after a 5xx response, after a
// Throttling* response and after any code the catalogue marks retryable; never after another
// 4xx. Waits grow exponentially with full jitter (a uniform random wait between 0 and
// BaseDelay*2^(n-1), at most MaxDelay). A throttled response is retried only after the wait its
// x-ratelimit-user-api or x-ratelimit-user header gives (TimeLeft, in milliseconds) or its
// Retry-After header, however long (MaxDelay does not shorten it: an earlier attempt would only
// be throttled again). When that wait would end after MaxElapsed or the context's deadline, or
// no attempt is left, the call stops at once with a *ThrottledError saying when to retry.
// Cancelling the context stops a wait at once.
//
// The zero value gives the defaults above.
type RetryPolicy struct {
	// MaxAttempts is the most attempts per call, the first included: 0 means
	// DefaultMaxAttempts, 1 turns retries off. Negative values are refused by New.
	MaxAttempts int
	// BaseDelay is the upper bound of the first wait; 0 means DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps every backoff wait; 0 means DefaultMaxDelay. The wait a throttled response
	// asks for is not capped (see ThrottledError).
	MaxDelay time.Duration
	// MaxElapsed bounds a call's retrying: no wait is started that would end later than
	// MaxElapsed after the call began. 0 means DefaultMaxElapsed. The context's deadline, if
	// earlier, bounds it too.
	MaxElapsed time.Duration
	// Jitter picks the wait for a backoff bound: a duration from 0 to max inclusive. nil means
	// uniformly at random. Tests pass a deterministic function.
	Jitter func(max time.Duration) time.Duration
	// AttemptTimeout bounds each attempt, from sending the request to reading the last byte
	// of the response's body: 0 means DefaultAttemptTimeout; negative values are refused by New.
	// It applies whatever the HTTPClient and the context, so a server that sends its headers
	// and then stalls the body cannot hold a call made with context.Background() forever. An
	// attempt cut off by it fails with an error matching context.DeadlineExceeded and is
	// retried like a network failure while the call's context is alive; MaxElapsed and the
	// context's deadline still bound the whole call.
	AttemptTimeout time.Duration
}

// withDefaults fills the zero fields.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	if p.AttemptTimeout == 0 {
		p.AttemptTimeout = DefaultAttemptTimeout
	}
	if p.Jitter == nil {
		p.Jitter = uniformJitter
	}
	return p
}

// check returns the ConfigErrors of a policy.
func (p RetryPolicy) check() []error {
	var errs []error
	if p.MaxAttempts < 0 {
		errs = append(errs, &ConfigError{Field: "Retry.MaxAttempts", Reason: "must not be negative"})
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Retry.BaseDelay", p.BaseDelay}, {"Retry.MaxDelay", p.MaxDelay}, {"Retry.MaxElapsed", p.MaxElapsed}, {"Retry.AttemptTimeout", p.AttemptTimeout}} {
		if d.v < 0 {
			errs = append(errs, &ConfigError{Field: d.name, Reason: "must not be negative"})
		}
	}
	return errs
}

// uniformJitter draws from the goroutine-safe math/rand/v2 source; nothing is seeded or shared
// beyond what that package already owns.
func uniformJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max) + 1))
}

// backoff returns the wait before attempt n+1 after attempt n failed with err: the throttled
// response's own wait when it gives one, else the jittered exponential backoff.
func (p RetryPolicy) backoff(n int, err error) time.Duration {
	if d, ok := throttledWait(err); ok {
		return d
	}
	bound := p.MaxDelay
	if n-1 < 32 { // beyond that the shift overflows; MaxDelay applies anyway
		if b := p.BaseDelay << (n - 1); b > 0 && b < p.MaxDelay {
			bound = b
		}
	}
	d := p.Jitter(bound)
	return max(0, min(d, bound))
}

// throttledWait is the wait a throttled response in err asks for, if it is one and says.
func throttledWait(err error) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && wire.IsThrottling(apiErr.Code) {
		return throttleWait(apiErr.Header)
	}
	return 0, false
}

// ThrottledError ends a call whose last response was throttled with a wait the call could not
// spend: the wait would end after RetryPolicy.MaxElapsed or the context's deadline, or no
// attempt was left. RetryAfter is the wait the response asked for (x-ratelimit TimeLeft or
// Retry-After), RetryAt the moment it ends; no attempt was sent after the response. Err is the
// throttled response, an *APIError (errors.Is(err, ErrThrottlingUser) matches through it).
type ThrottledError struct {
	RetryAfter time.Duration
	RetryAt    time.Time
	Err        error
}

// Error says when to retry, then the response's error.
func (e *ThrottledError) Error() string {
	return "client: throttled: retry after " + e.RetryAfter.String() + " (at " +
		e.RetryAt.UTC().Format(time.RFC3339) + "); " + strings.TrimPrefix(e.Err.Error(), "client: ")
}

// Unwrap returns the throttled response's error.
func (e *ThrottledError) Unwrap() error { return e.Err }

// throttleWait reads how long a throttled caller should wait: TimeLeft (milliseconds) of the
// x-ratelimit-user-api or x-ratelimit-user header ("Limit:1,Remain:0,TimeLeft:2000,Reset:1234"),
// else Retry-After (seconds or an HTTP date).
func throttleWait(h http.Header) (time.Duration, bool) {
	for _, name := range wire.RateLimitHeaders {
		if rl, ok := wire.ParseRateLimit(h.Get(name)); ok {
			return rl.TimeLeft, true
		}
	}
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if s, err := strconv.ParseInt(ra, 10, 64); err == nil && s >= 0 && s < 1<<31 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(0, time.Until(t)), true
		}
	}
	return 0, false
}

// retryable decides whether a failed attempt may be repeated. ctx is the call's context: an
// error caused by its end is final.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var (
		apiErr   *APIError
		unexpErr *UnexpectedResponseError
		bigErr   *BodyTooLargeError
		netErr   *networkError
		timedOut *attemptTimeoutError
	)
	switch {
	case errors.As(err, &timedOut):
		return true
	case errors.As(err, &apiErr):
		return apiErr.Retryable()
	case errors.As(err, &unexpErr):
		return unexpErr.HTTPStatus >= 500
	case errors.As(err, &bigErr):
		return bigErr.HTTPStatus >= 500
	case errors.As(err, &netErr):
		return transientNetworkError(netErr.err)
	}
	return false
}

// networkError marks an error of the HTTP exchange itself (no complete response was received), as
// opposed to one of the client's own steps such as signing or reading credentials.
type networkError struct{ err error }

// Error prefixes the transport's message with the package name.
func (e *networkError) Error() string { return "client: " + e.err.Error() }

// Unwrap returns the transport's error, so errors.Is finds syscall and context errors.
func (e *networkError) Unwrap() error { return e.err }

// attemptTimeoutError is an attempt cut off by RetryPolicy.AttemptTimeout while the call's
// context was still alive; it is retried.
type attemptTimeoutError struct {
	limit time.Duration
	err   error
}

// Error names the limit, then the attempt's own error without its package prefix.
func (e *attemptTimeoutError) Error() string {
	return "client: attempt exceeded RetryPolicy.AttemptTimeout of " + e.limit.String() + ": " +
		strings.TrimPrefix(e.err.Error(), "client: ")
}

// Unwrap returns the attempt's error, which matches context.DeadlineExceeded.
func (e *attemptTimeoutError) Unwrap() error { return e.err }

// transientNetworkError reports a failure that a new connection may not repeat: refused or
// reset connections, a connection closed before the response, timeouts of the transport or of
// the http.Client (which match context.DeadlineExceeded too). TLS verification failures and
// unknown hosts are final. It does not look at the call's context: retryable has already
// refused to retry once that context has ended, whatever error its end caused.
func transientNetworkError(err error) bool {
	var (
		certErr    *tls.CertificateVerificationError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		dnsErr     *net.DNSError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr),
		errors.As(err, &invalidErr), errors.As(err, &recordErr):
		return false
	case errors.As(err, &dnsErr):
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

// sleepCtx waits d or until ctx ends, whichever is first, and stops its timer either way.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
