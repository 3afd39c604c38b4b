package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/gen/apiclient"
	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
)

// InterruptOptions are the optional parameters of InterruptElasticsearchTask.
type InterruptOptions struct {
	// ClientToken is the idempotency token: ASCII, at most 64 characters. Empty means the
	// client makes a random UUID-shaped one for the call. Every attempt of one call carries the
	// same token, and reusing it for the same instance later returns the first response again.
	//
	// To retry a failed call later with the same token, make it with NewClientToken and pass
	// it here; the *CallError of a failed call also names the token its attempts carried.
	ClientToken string
}

// InterruptResult is the response to a successful call.
type InterruptResult struct {
	// Result is true when the change was interrupted, false when the interrupt failed.
	Result bool
	// RequestID is the body's RequestId, or the x-acs-request-id header when the body has
	// none.
	RequestID string
	// Code and Message are set when the service sends them with a 200 response, which the
	// official SDK models allow for; they are usually empty.
	Code, Message string
	// ClientToken is the token the call carried: the one given or the one the client made.
	ClientToken string
	// HTTPStatus is the status of the response.
	HTTPStatus int
	// Header holds the response's headers.
	Header http.Header
	// Attempts is how many requests the call took.
	Attempts int
}

// operationCall is the state of one logical call, shared by its attempts. It is allocated once per
// call and holds what the attempts would otherwise allocate each time.
type operationCall struct {
	c        *Client
	id       string
	token    string
	path     string // the operation's decoded path, set only when id needs escaping
	rawPath  string // the same path escaped as the official SDKs do it
	params   models.InterruptElasticsearchTaskParams
	editors  [1]apiclient.RequestEditorFn
	redactor redactor // the credentials of the latest attempt, to scrub server text
	editErr  error    // an error of the request editor: the client's own, not the network's
	out      models.InterruptElasticsearchTaskResult
}

// InterruptElasticsearchTask interrupts the change the instance instanceID is applying
// (POST /openapi/instances/{InstanceId}/actions/interrupt). opts may be nil.
//
// The arguments are checked before anything is sent (a *ValidationError names the field). Each
// attempt is signed anew with a fresh date and nonce and the credentials of that moment, and
// carries the same clientToken. Failures that may pass are retried as the Config's RetryPolicy
// says, each attempt bounded by its AttemptTimeout.
//
// Every error after the argument checks is a *CallError naming the clientToken and the number
// of attempts; it wraps the last attempt's error, so errors.As and errors.Is reach the
// rest: an error response of the service is an *APIError, matched by the Code sentinels with
// errors.Is; a response the client cannot read is an *UnexpectedResponseError or a
// *BodyTooLargeError.
func (c *Client) InterruptElasticsearchTask(ctx context.Context, instanceID string, opts *InterruptOptions) (*InterruptResult, error) {
	st, err := c.newCall(ctx, instanceID, opts)
	if err != nil {
		return nil, err
	}
	return st.run(ctx)
}

// newCall checks the arguments and prepares the state every attempt of the call shares.
func (c *Client) newCall(ctx context.Context, instanceID string, opts *InterruptOptions) (*operationCall, error) {
	if c == nil || c.api == nil {
		return nil, errors.New("client: InterruptElasticsearchTask on a Client not made by New")
	}
	if ctx == nil {
		return nil, errors.New("client: InterruptElasticsearchTask with a nil Context")
	}
	if err := checkInstanceID(instanceID); err != nil {
		return nil, err
	}
	var token string
	if opts != nil {
		token = opts.ClientToken
	}
	if err := c.tokens.check(token); err != nil {
		return nil, err
	}
	if token == "" {
		token = NewClientToken()
	}
	st := &operationCall{c: c, id: instanceID, token: token}
	st.params.ClientToken = &st.token
	st.editors[0] = st.edit
	// The generated client escapes the id with url.PathEscape, which agrees with the SDKs'
	// escaping except that it leaves "$&+:=@" as they are; only such ids need the path set here.
	if strings.ContainsAny(instanceID, pathEscapeKeeps) {
		st.path = wire.PathPrefix + instanceID + wire.PathSuffix
		st.rawPath = wire.OperationPath(instanceID)
	}
	return st, nil
}

// run makes attempts until one succeeds or the call ends: a failure not worth retrying, the
// policy's limits, or the context.
func (st *operationCall) run(ctx context.Context) (*InterruptResult, error) {
	c := st.c
	start := time.Now()
	for attempt := 1; ; attempt++ {
		began := time.Now()
		res, err := st.attempt(ctx)
		took := time.Since(began)
		if err == nil {
			res.ClientToken = st.token
			res.Attempts = attempt
			c.logAttempt(ctx, st, attempt, took, res.HTTPStatus, res.RequestID, nil, -1)
			return res, nil
		}
		var wait time.Duration
		wait, err = c.nextWait(ctx, start, attempt, err)
		status, requestID := describeFailure(err)
		c.logAttempt(ctx, st, attempt, took, status, requestID, err, wait)
		if wait < 0 {
			return nil, &CallError{ClientToken: st.token, Attempts: attempt, Err: err}
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, &CallError{ClientToken: st.token, Attempts: attempt,
				Err: fmt.Errorf("client: %w while waiting to retry; attempt %d failed: %w", serr, attempt, err)}
		}
	}
}

// attempt makes one attempt within the policy's AttemptTimeout, and reports running out of it
// as an *attemptTimeoutError.
func (st *operationCall) attempt(ctx context.Context) (*InterruptResult, error) {
	// The attempt's own limit covers reading the body too: parse runs inside do, and the
	// transport ends a body read when the request's context ends.
	actx, cancel := context.WithTimeout(ctx, st.c.retry.AttemptTimeout)
	defer cancel()
	res, err := st.do(actx)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) &&
		errors.Is(err, context.DeadlineExceeded) {
		err = &attemptTimeoutError{limit: st.c.retry.AttemptTimeout, err: err}
	}
	return res, err
}

// nextWait returns the wait before the next attempt after attempt failed with err, or -1 when
// the call ends there; a call that ends on a throttled response gets err as a *ThrottledError.
func (c *Client) nextWait(ctx context.Context, start time.Time, attempt int, err error) (time.Duration, error) {
	wait := time.Duration(-1)
	if attempt < c.retry.MaxAttempts && retryable(ctx, err) {
		if d := c.retry.backoff(attempt, err); c.canWait(ctx, start, d) {
			wait = d
		}
	}
	if tw, throttled := throttledWait(err); throttled && wait < 0 && ctx.Err() == nil {
		// The call ends on a throttled response: say when a new call may succeed.
		err = &ThrottledError{RetryAfter: tw, RetryAt: time.Now().Add(tw), Err: err}
	}
	return wait, err
}

// canWait reports whether a wait of d still ends within the policy's MaxElapsed and before the
// context's deadline; otherwise retrying is pointless.
func (c *Client) canWait(ctx context.Context, start time.Time, d time.Duration) bool {
	end := time.Now().Add(d)
	if end.Sub(start) > c.retry.MaxElapsed {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && !end.Before(dl) {
		return false
	}
	return true
}

// do makes one attempt through the generated client.
func (st *operationCall) do(ctx context.Context) (*InterruptResult, error) {
	st.editErr = nil
	resp, err := st.c.api.InterruptElasticsearchTask(ctx, st.id, &st.params, st.editors[:]...)
	debugResponse(ctx, resp, err, st)
	if err != nil {
		if st.editErr != nil {
			return nil, st.editErr
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			// A transport error may quote what the server sent (a malformed status line).
			return nil, &networkError{err: st.redactor.wrap(err)}
		}
		return nil, err
	}
	return st.c.parse(resp, st.redactor, &st.out)
}

// edit is the request editor of an attempt: it sets the escaping of the path and query the
// official SDKs use, sets Accept and signs.
// The generated client runs it on every attempt, so every attempt is signed anew.
func (st *operationCall) edit(ctx context.Context, req *http.Request) error {
	c := st.c
	if st.rawPath != "" {
		req.URL.Path = st.path
		req.URL.RawPath = st.rawPath
	}
	// The generated client form-encodes the query ('+' for a space); the official SDKs send
	// %20, which is also what the signature covers. A literal '+' is %2B here, so every '+' is
	// a space.
	if strings.IndexByte(req.URL.RawQuery, '+') >= 0 {
		req.URL.RawQuery = strings.ReplaceAll(req.URL.RawQuery, "+", "%20")
	}
	req.Header["Accept"] = c.accept
	req.Header["User-Agent"] = userAgentHeader
	// No Idempotency-Key marker: with one, Go's transport would replay a request the server may
	// already have seen, nonce and all, and a replay cache refuses that. The client's own retry
	// signs anew instead.
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		st.editErr = fmt.Errorf("client: credentials: %w", err)
		return st.editErr
	}
	st.redactor = newRedactor(creds, "")
	err = signing.Sign(req, c.scheme, signing.Credentials(creds), c.now(), newNonce())
	if err != nil {
		st.editErr = fmt.Errorf("client: sign the request: %w", err)
		return st.editErr
	}
	if auth := req.Header["Authorization"]; len(auth) == 1 {
		st.redactor = newRedactor(creds, auth[0])
	}
	debugRequest(ctx, req, st.redactor)
	return nil
}

// describeFailure extracts the status and request id of a failed attempt for the log.
func describeFailure(err error) (status int, requestID string) {
	var (
		apiErr   *APIError
		unexpErr *UnexpectedResponseError
		bigErr   *BodyTooLargeError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr.HTTPStatus, apiErr.RequestID
	case errors.As(err, &unexpErr):
		return unexpErr.HTTPStatus, unexpErr.RequestID
	case errors.As(err, &bigErr):
		return bigErr.HTTPStatus, ""
	}
	return 0, ""
}

// logAttempt writes the one debug record of an attempt. wait is the pause before the next
// attempt, or negative when there is none. Only the path is logged, never headers or the query.
func (c *Client) logAttempt(ctx context.Context, st *operationCall, attempt int, took time.Duration, status int, requestID string, err error, wait time.Duration) {
	if !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	path := st.rawPath
	if path == "" {
		path = wire.OperationPath(st.id)
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("operation", operationID),
		slog.String("method", http.MethodPost),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.String("request_id", requestID),
		slog.Duration("duration", took),
	)
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if wait >= 0 {
		attrs = append(attrs, slog.Duration("retry_in", wait))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "attempt", attrs...)
}
