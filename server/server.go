package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/es-openapi/interrupt/gen/apiserver"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// Defaults for the zero fields of Config.
const (
	// DefaultIdempotencyTTL is how long a clientToken is remembered: twice the skew window, so
	// a token outlives every replay of a request that carried it (see NonceMaxEntries). A
	// MaxSkew wider than the default raises it to 2*MaxSkew.
	DefaultIdempotencyTTL = 2 * DefaultMaxSkew
	// DefaultIdempotencyMaxEntries is how many clientTokens are remembered at most per
	// AccessKeyId (about 145 new tokens a second, sustained over DefaultIdempotencyTTL).
	DefaultIdempotencyMaxEntries = 1 << 18
	// DefaultNonceMaxEntries is how many signed requests are remembered at most per AccessKeyId
	// (about 580 a second, sustained over twice the skew window).
	DefaultNonceMaxEntries = 1 << 20
	// DefaultBodyTimeout bounds the reading of a request body.
	DefaultBodyTimeout = 10 * time.Second
	// DefaultMaxSkew is the clock skew a signed request may have, the service's 15 minutes.
	DefaultMaxSkew = signing.DefaultMaxSkew
	// DefaultHostID is the HostId of error bodies when Config.HostID is empty.
	DefaultHostID = "elasticsearch.reference.local"
)

// MaxBodyBytes is the most request body the server reads. The operation takes no body, so any
// body is refused with InvalidParameter; the cap only bounds what a client can make it buffer.
const MaxBodyBytes = 64 << 10

// AdminPrefix is the path prefix of the fixture API (see Config.Admin). It cannot collide with
// the operation, whose path starts with /openapi/.
const AdminPrefix = "/-/admin/"

// Config configures a Server. The zero value is a usable server with no instances, no
// signature check, no rate limit and no admin API.
type Config struct {
	// Instances seeds the instance store: id to status.
	Instances map[string]Status
	// Credentials are the AccessKeys (optionally with an STS token each) a request may be signed
	// with. Empty means signatures are not checked at all.
	Credentials []signing.Credentials
	// IdempotencyTTL is how long a clientToken is remembered; zero means DefaultIdempotencyTTL,
	// or 2*MaxSkew when that is longer.
	IdempotencyTTL time.Duration
	// IdempotencyMaxEntries caps the clientTokens remembered per AccessKeyId (one count for
	// all requests when signatures are not checked); zero means DefaultIdempotencyMaxEntries.
	// A key holding that many refuses new tokens with Throttling.User until its oldest expires;
	// no live token is ever forgotten, and no key's tokens take another key's room.
	IdempotencyMaxEntries int
	// NonceMaxEntries caps the signed requests remembered per AccessKeyId against replay (by
	// nonce, or by signature for ROA without a nonce), each for twice MaxSkew; zero means
	// DefaultNonceMaxEntries. A key holding that many gets Throttling.User for new requests
	// until its oldest expires; no live entry is ever forgotten.
	NonceMaxEntries int
	// BodyTimeout bounds the reading of a request body from the moment ServeHTTP starts;
	// a body slower than that is recorded with InvalidParameter. Zero means DefaultBodyTimeout.
	BodyTimeout time.Duration
	// MaxSkew is how far a signed request's date may be from the server's clock; zero means
	// DefaultMaxSkew.
	MaxSkew time.Duration
	// Throttle is the rate limit in requests per second per AccessKeyId (one shared limit when
	// no Credentials are configured); zero turns it off. Excess requests get Throttling.User.
	Throttle float64
	// Admin turns on the fixture API under AdminPrefix: GET instances, and GET, PUT (with a JSON
	// body {"status":"activating"}) and DELETE instances/{id}. It is never signed; when off, its
	// paths are unknown routes.
	Admin bool
	// HostID is the HostId of error bodies; empty means DefaultHostID.
	HostID string
	// Faults are recorded instead of the server's own responses to matching requests, in order
	// (see Fault); more can be added with AddFault or the admin API.
	Faults []Fault
	// Logger receives one line per request (no secrets, signatures or tokens); nil discards.
	Logger *slog.Logger
	// Now is the clock for token retention, nonce expiry, signature dates and the rate limit;
	// nil means time.Now. Tests inject a fake clock here.
	Now func() time.Time
}

// Stats describes what the server holds in memory.
type Stats struct {
	// IdempotencyEntries is the number of remembered clientTokens, over all keys.
	IdempotencyEntries int
	// NonceEntries is the number of remembered signed requests (nonces, or signatures of ROA
	// requests without one), over all keys.
	NonceEntries int
	// Instances is the number of instances in the store.
	Instances int
}

// Server is the reference implementation of InterruptElasticsearchTask: an http.Handler for
// the operation (and, when enabled, the admin API), built on the generated strict server.
// It is safe for concurrent use.
type Server struct {
	now         func() time.Time
	bodyTimeout time.Duration
	log         *slog.Logger
	hostID      string
	admin       bool
	codes       map[string]spec.ErrorCode
	roots       xmlRoots
	store       *store
	tokens      *tokenStore
	auth        *authenticator // nil: signatures are not checked
	throttle    *throttle      // nil: no rate limit
	validator   *validator
	faults      faultSet

	// operation is the generated parameter binding and strict handler, with Server behind it.
	operation func(http.ResponseWriter, *http.Request)

	transitions atomic.Int64
}

var _ apiserver.StrictServerInterface = (*Server)(nil)

var _ http.Handler = (*Server)(nil)

// New builds a Server from cfg, checking it and the embedded document. It fails on a negative
// or non-finite setting, incomplete or duplicate credentials, or an invalid seeded instance.
func New(cfg Config) (*Server, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	sh, err := loadShared()
	if err != nil {
		return nil, err
	}
	auth, err := newAuthenticator(cfg.Credentials, cfg.MaxSkew, cfg.NonceMaxEntries)
	if err != nil {
		return nil, err
	}
	keyIDs := make([]string, 0, len(cfg.Credentials))
	for _, c := range cfg.Credentials {
		keyIDs = append(keyIDs, c.AccessKeyID)
	}
	s := &Server{
		now:         cfg.Now,
		bodyTimeout: cfg.BodyTimeout,
		log:         cfg.Logger,
		hostID:      cfg.HostID,
		admin:       cfg.Admin,
		codes:       sh.codes,
		roots:       sh.roots,
		store:       newStore(sh.states),
		tokens:      newTokenStore(keyIDs, cfg.IdempotencyTTL, cfg.IdempotencyMaxEntries),
		auth:        auth,
		validator:   sh.validator,
	}
	if cfg.Throttle > 0 {
		s.throttle = newThrottle(cfg.Throttle)
	}
	if err := s.seed(cfg); err != nil {
		return nil, err
	}
	s.operation = s.bindOperation()
	return s, nil
}

// seed adds Config.Instances and Config.Faults, as PutInstance and AddFault would.
func (s *Server) seed(cfg Config) error {
	for id, st := range cfg.Instances {
		if err := s.PutInstance(id, st); err != nil {
			return fmt.Errorf("server: Config.Instances: %w", err)
		}
	}
	for _, f := range cfg.Faults {
		if _, err := s.AddFault(f); err != nil {
			return fmt.Errorf("server: Config.Faults: %w", err)
		}
	}
	return nil
}

// bindOperation returns the generated parameter binding and strict handler, with s behind it
// and s's Error bodies for what they refuse.
func (s *Server) bindOperation() func(http.ResponseWriter, *http.Request) {
	strict := apiserver.NewStrictHandlerWithOptions(s, nil, apiserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  s.requestError,
		ResponseErrorHandlerFunc: s.responseError,
	})
	wrapper := &apiserver.ServerInterfaceWrapper{Handler: strict, ErrorHandlerFunc: s.requestError}
	return wrapper.InterruptElasticsearchTask
}

// maxMaxSkew bounds Config.MaxSkew: a wider window makes no sense for a clock check, and the
// nonce cache keeps nonces for twice the window, which must not overflow a Duration.
const maxMaxSkew = 24 * time.Hour

// checkConfig fills the defaults into cfg and rejects settings that make no sense.
func checkConfig(cfg *Config) error {
	switch {
	case cfg.IdempotencyTTL < 0:
		return errors.New("server: IdempotencyTTL must not be negative")
	case cfg.IdempotencyMaxEntries < 0:
		return errors.New("server: IdempotencyMaxEntries must not be negative")
	case cfg.NonceMaxEntries < 0:
		return errors.New("server: NonceMaxEntries must not be negative")
	case cfg.BodyTimeout < 0:
		return errors.New("server: BodyTimeout must not be negative")
	case cfg.MaxSkew < 0 || cfg.MaxSkew > maxMaxSkew:
		return fmt.Errorf("server: MaxSkew must be between 0 and %s", maxMaxSkew)
	case cfg.Throttle < 0 || math.IsNaN(cfg.Throttle) || math.IsInf(cfg.Throttle, 0):
		return errors.New("server: Throttle must be a finite number of requests per second, 0 for none")
	}
	if cfg.MaxSkew == 0 {
		cfg.MaxSkew = DefaultMaxSkew
	}
	if cfg.IdempotencyTTL == 0 {
		cfg.IdempotencyTTL = max(DefaultIdempotencyTTL, 2*cfg.MaxSkew)
	}
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.IdempotencyMaxEntries == 0 {
		cfg.IdempotencyMaxEntries = DefaultIdempotencyMaxEntries
	}
	if cfg.NonceMaxEntries == 0 {
		cfg.NonceMaxEntries = DefaultNonceMaxEntries
	}
	if cfg.HostID == "" {
		cfg.HostID = DefaultHostID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return nil
}

// PutInstance creates the instance id, or sets its status. It fails for an id the document's
// InstanceId schema rejects or a status that is not one of the five.
func (s *Server) PutInstance(id string, st Status) error {
	if err := s.validator.checkID(id); err != nil {
		return err
	}
	if !s.store.known(st) {
		return fmt.Errorf("%w %q", ErrInvalidStatus, st)
	}
	s.store.put(id, st)
	return nil
}

// Instance returns the status of instance id and whether it exists.
func (s *Server) Instance(id string) (Status, bool) {
	return s.store.get(id)
}

// Instances returns a copy of the instance store.
func (s *Server) Instances() map[string]Status {
	return s.store.snapshot()
}

// Transitions returns how many interrupts have moved an instance from activating to suspended.
// Replays of a remembered response do not count.
func (s *Server) Transitions() int64 {
	return s.transitions.Load()
}

// Stats returns the sizes of the server's in-memory stores.
func (s *Server) Stats() Stats {
	return Stats{
		IdempotencyEntries: s.tokens.len(),
		NonceEntries:       s.auth.replayCount(),
		Instances:          s.store.len(),
	}
}

// exchange is the per-request state: what the pipeline learnt and what was recorded. It reaches
// the strict handler through the request context.
type exchange struct {
	requestID   string // fresh for this request; a replay responds with the remembered one
	format      format
	accessKeyID string // the verified key, "" when signatures are not checked

	// What was written, for the log line.
	wrote    bool
	status   int
	code     string
	answerID string
	replayed bool
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// ServeHTTP answers one request. The checks run in this order, each for a reason:
//
//  1. route and method: a request for no operation has no signature or parameters to speak of,
//     and the service's gateway answers InvalidAction.NotFound before anything else;
//  2. signature (when credentials are configured): nothing about the request or the instances
//     is revealed, and nothing is spent, before the caller is known;
//  3. rate limit: after the signature, so the bucket charged is the caller's own and a forger
//     cannot drain someone else's; after the replay check, so a captured request sent again
//     cannot either; before validation, so a flood of bad requests is cut early. Only a request
//     past it is recorded against replay, so a throttled one may be sent again as it was;
//  4. parameter validation: a malformed request never reaches the idempotency store, so it
//     cannot bind or consume a clientToken;
//  5. idempotency: a repeated clientToken is recorded from memory before the lifecycle, so a
//     replay changes nothing;
//  6. lifecycle: the transition table, applied atomically.
//
// The body is read (at most MaxBodyBytes) before the signature is checked, because V3 signs its
// hash; any body is refused in step 4, and one over the cap is refused at once.
//
// Faults (Config.Faults, AddFault) respond between steps 2 and 3: the signature is still checked,
// and nothing after it (rate limit, token store, instances) is touched by a fault response.
//
// Every response is the document's: an InterruptElasticsearchTaskResult or an Error body, as JSON
// or XML per the Accept header, with a fresh RequestId (a replay keeps the first response's). There is no redirect and no text/plain,
// and no input produces a 5xx.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := &exchange{requestID: newRequestID(), format: negotiate(r.Header.Values("Accept"))}
	escaped := r.URL.EscapedPath()
	s.bodyGuard(w, r)
	s.serve(w, r, x, escaped)
	s.logExchange(r, escaped, x, time.Since(start))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, x *exchange, escaped string) {
	if s.admin && strings.HasPrefix(escaped, AdminPrefix) {
		s.serveAdmin(w, r, x, strings.TrimPrefix(escaped, AdminPrefix))
		return
	}
	// Routing is done on the escaped path as it came off the wire, never on a cleaned or decoded
	// one: "%2F" inside the id must stay inside the id (and be refused by validation), and no
	// path is ever redirected.
	segment, ok := wire.MatchPath(escaped)
	if !ok || r.Method != http.MethodPost {
		s.fail(w, x, codeActionNotFound, "")
		return
	}
	// From here on the request is changed (body, path value, context): work on a copy, as a
	// handler must not modify the request it was given.
	r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x))
	body, ok := readBody(w, r)
	if !ok {
		s.fail(w, x, codeInvalidParameter, "")
		return
	}
	if !s.admit(w, r, x, segment) {
		return
	}
	id, code, ok := s.validate(r, segment, len(body))
	if !ok {
		s.fail(w, x, code, "")
		return
	}
	r.SetPathValue("InstanceId", id)
	s.operation(w, r)
}

// admit runs steps 2 and 3 of ServeHTTP (signature, faults, rate limit, replay record) and
// reports whether the request goes on; when it does not, the response is written.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, x *exchange, segment string) bool {
	now := s.now()
	var v verified
	if s.auth != nil {
		var aerr *authError
		if v, aerr = s.auth.verify(r, now); aerr != nil {
			s.refuseAuth(w, x, aerr, now)
			return false
		}
		x.accessKeyID = v.accessKeyID
	}
	if s.injectFault(w, r, x, segment) || !s.takeToken(w, x, now) {
		return false
	}
	if s.auth != nil {
		if aerr := s.auth.remember(v, now); aerr != nil {
			s.refuseAuth(w, x, aerr, now)
			return false
		}
	}
	return true
}

// takeToken charges the caller's rate-limit bucket; when it is empty it writes Throttling.User
// with the rate-limit header and reports false.
func (s *Server) takeToken(w http.ResponseWriter, x *exchange, now time.Time) bool {
	if s.throttle == nil {
		return true
	}
	ok, wait := s.throttle.take(x.accessKeyID, now)
	if !ok {
		a, err := s.errorResponse(codeThrottlingUser, x.requestID, "", x.format)
		if err == nil {
			a.header = s.throttle.headers(now, wait)
		}
		s.respond(w, x, a, err)
	}
	return ok
}

// validate checks the query and the parameters (step 4) and returns the InstanceId, or the
// error code to respond with and false.
func (s *Server) validate(r *http.Request, segment string, bodyLen int) (id, code string, ok bool) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return "", codeInvalidParameter, false
	}
	id, err = s.validator.check(r.Context(), r, segment, query, bodyLen)
	if err != nil {
		var ve *validationError
		if errors.As(err, &ve) {
			return "", ve.code, false
		}
		return "", codeInvalidParameter, false
	}
	return id, "", true
}

// refuseAuth answers a refused signature or replay: Throttling.User with the wait until the
// key's replay window has room, or the code's Error body.
func (s *Server) refuseAuth(w http.ResponseWriter, x *exchange, aerr *authError, now time.Time) {
	if aerr.code == codeThrottlingUser {
		a, err := s.throttledResponse(x, s.auth.maxReplays, now, aerr.wait)
		s.respond(w, x, a, err)
		return
	}
	code := aerr.code
	if _, known := s.codes[code]; !known {
		code = codeIncompleteSignature
	}
	s.fail(w, x, code, aerr.detail)
}

// bodyGuard bounds the reading of r's body by the connection's read deadline and keeps
// "Connection: close" until readBody has it all, so a response given without reading the body is
// sent at once rather than after net/http waits for a rest that may never come.
func (s *Server) bodyGuard(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.bodyTimeout))
}

// readBody buffers the request body (at most MaxBodyBytes, within the deadline bodyGuard set)
// and puts it back in r, so the signature check can hash it. ok is false for a body over the
// cap, one that could not be read or one too slow; each is recorded with InvalidParameter, and
// the connection is closed after the response (what remains of the body on the wire cannot be
// told from a next request).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Body == nil || r.Body == http.NoBody {
		r.Body = http.NoBody
		return nil, true
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, false
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, false
	}
	// The whole body is in: the connection may serve the next request, and the deadline goes,
	// since net/http reads on in the background to notice a client that goes away and a stale
	// deadline there would cancel the request's context.
	w.Header().Del("Connection")
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	if len(data) == 0 {
		r.Body = http.NoBody
		return nil, true
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return data, true
}

// InterruptElasticsearchTask implements the operation for the generated strict handler: the
// idempotency store, then the lifecycle. Through ServeHTTP the request has been routed, verified,
// rate-limited and validated already; called directly, it answers in JSON.
func (s *Server) InterruptElasticsearchTask(ctx context.Context, req apiserver.InterruptElasticsearchTaskRequestObject) (apiserver.InterruptElasticsearchTaskResponseObject, error) {
	x := exchangeFrom(ctx)
	if x == nil {
		x = &exchange{requestID: newRequestID(), format: formatJSON}
	}
	id := req.InstanceId
	run := func() (*response, error) { return s.lifecycle(x, id) }
	var (
		a        *response
		replayed bool
		err      error
	)
	if token := req.Params.ClientToken; token == nil || *token == "" {
		a, err = run()
	} else {
		// Tokens are scoped to the caller: one caller's token never blocks, nor replays a
		// response to, another caller.
		now := s.now()
		a, replayed, err = s.tokens.once(x.accessKeyID, *token, id, now, tokenCalls{
			run:      run,
			remember: func(a *response) bool { return !s.retryable(a.code) },
			record:   recordOf,
			replay:   func(r tokenRecord) (*response, error) { return s.replayResponse(r, x.format) },
			mismatch: func() (*response, error) { return s.errorResponse(codeIdempotentMismatch, x.requestID, "", x.format) },
			full: func(wait time.Duration) (*response, error) {
				return s.throttledResponse(x, s.tokens.max, now, wait)
			},
		})
	}
	if err != nil {
		return nil, err
	}
	x.replayed = replayed
	return reply{s: s, x: x, a: a}, nil
}

// lifecycle applies the document's state table to instance id (see the package documentation).
func (s *Server) lifecycle(x *exchange, id string) (*response, error) {
	row, found := s.store.interrupt(id)
	switch {
	case !found:
		return s.errorResponse(codeInstanceNotFound, x.requestID, "", x.format)
	case row.Succeeds():
		s.transitions.Add(1)
		return s.successResponse(x.requestID, x.format)
	}
	return s.errorResponse(row.Code, x.requestID, "", x.format)
}

// reply is the strict handler's response object: a response, written in the request's format.
type reply struct {
	s *Server
	x *exchange
	a *response
}

// VisitInterruptElasticsearchTaskResponse implements
// apiserver.InterruptElasticsearchTaskResponseObject.
func (r reply) VisitInterruptElasticsearchTaskResponse(w http.ResponseWriter) error {
	return r.s.write(w, r.x, r.a)
}

// requestError answers a request the generated binding refused. Validation has run before, so
// this is a second line of defence that still responds with the document's InvalidParameter.
func (s *Server) requestError(w http.ResponseWriter, r *http.Request, err error) {
	x := s.exchangeOf(r)
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "parameter binding refused a validated request",
		slog.String("request_id", x.requestID), slog.String("error", err.Error()))
	s.fail(w, x, codeInvalidParameter, "")
}

// responseError handles a response that could not be written. If nothing reached the client yet,
// the honest response is InternalError: it means a defect of this server, not of the request.
func (s *Server) responseError(w http.ResponseWriter, r *http.Request, err error) {
	x := s.exchangeOf(r)
	s.log.LogAttrs(r.Context(), slog.LevelError, "writing the response failed",
		slog.String("request_id", x.requestID), slog.String("error", err.Error()))
	if !x.wrote {
		s.fail(w, x, codeInternalError, "")
	}
}

func (s *Server) exchangeOf(r *http.Request) *exchange {
	if x := exchangeFrom(r.Context()); x != nil {
		return x
	}
	return &exchange{requestID: newRequestID(), format: negotiate(r.Header.Values("Accept"))}
}

// fail responds with the catalogue code, its message extended by detail.
func (s *Server) fail(w http.ResponseWriter, x *exchange, code, detail string) {
	a, err := s.errorResponse(code, x.requestID, detail, x.format)
	s.respond(w, x, a, err)
}

// respond writes a built response, or reports why it could not be built.
func (s *Server) respond(w http.ResponseWriter, x *exchange, a *response, err error) {
	if err != nil {
		s.responseErrorFallback(w, x, err)
		return
	}
	if err := s.write(w, x, a); err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelDebug, "the client went away",
			slog.String("request_id", x.requestID), slog.String("error", err.Error()))
	}
}

// responseErrorFallback is reached only if encoding a response failed, which the generated types
// make impossible; it still responds with an Error body rather than a bare status.
func (s *Server) responseErrorFallback(w http.ResponseWriter, x *exchange, err error) {
	s.log.LogAttrs(context.Background(), slog.LevelError, "building the response failed",
		slog.String("request_id", x.requestID), slog.String("error", err.Error()))
	if x.wrote {
		return
	}
	a, err := s.errorResponse(codeInternalError, x.requestID, "", formatJSON)
	if err == nil {
		x.format = formatJSON
		_ = s.write(w, x, a)
	}
}

// write sends a and records it for the log line.
func (s *Server) write(w http.ResponseWriter, x *exchange, a *response) error {
	x.wrote, x.status, x.code, x.answerID = true, a.status, a.code, a.requestID
	return s.writeResponse(w, a, x.format)
}

// maxLoggedPath bounds the path in a log line; the rest is of no use to a reader.
const maxLoggedPath = 256

// logExchange writes the request's log line: method, path (escaped, without the query, which
// holds the clientToken), status, code, request id, duration and the verified AccessKeyId.
func (s *Server) logExchange(r *http.Request, escaped string, x *exchange, d time.Duration) {
	ctx := r.Context()
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	if len(escaped) > maxLoggedPath {
		escaped = escaped[:maxLoggedPath] + "..."
	}
	requestID := x.answerID
	if requestID == "" {
		requestID = x.requestID
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", escaped),
		slog.Int("status", x.status),
		slog.String("code", x.code),
		slog.String("request_id", requestID),
		slog.Bool("replay", x.replayed),
		slog.String("access_key_id", x.accessKeyID),
		slog.Duration("duration", d),
	)
}
