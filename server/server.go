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
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// Defaults for the zero fields of Config.
const (
	// DefaultIdempotencyTTL is how long a clientToken is remembered.
	DefaultIdempotencyTTL = 10 * time.Minute
	// DefaultIdempotencyMaxEntries is how many clientTokens are remembered at most.
	DefaultIdempotencyMaxEntries = 100_000
	// DefaultNonceMaxEntries is how many signature nonces are remembered at most.
	DefaultNonceMaxEntries = 100_000
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
	// IdempotencyTTL is how long a clientToken is remembered; zero means DefaultIdempotencyTTL.
	IdempotencyTTL time.Duration
	// IdempotencyMaxEntries caps the remembered clientTokens, the oldest forgotten first; zero
	// means DefaultIdempotencyMaxEntries.
	IdempotencyMaxEntries int
	// NonceMaxEntries caps the remembered signature nonces; zero means DefaultNonceMaxEntries.
	NonceMaxEntries int
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
	// Logger receives one line per request (no secrets, signatures or tokens); nil discards.
	Logger *slog.Logger
	// Now is the clock for token retention, nonce expiry, signature dates and the rate limit;
	// nil means time.Now. Tests inject a fake clock here.
	Now func() time.Time
}

// Stats describes what the server holds in memory.
type Stats struct {
	// IdempotencyEntries is the number of remembered clientTokens.
	IdempotencyEntries int
	// NonceEntries is the number of remembered signature nonces.
	NonceEntries int
	// Instances is the number of instances in the store.
	Instances int
}

// Server is the reference implementation of InterruptElasticsearchTask: an http.Handler for
// the operation (and, when enabled, the admin API), built on the generated strict server.
// It is safe for concurrent use.
type Server struct {
	now       func() time.Time
	log       *slog.Logger
	hostID    string
	admin     bool
	codes     map[string]spec.ErrorCode
	roots     xmlRoots
	store     *store
	tokens    *tokenStore
	auth      *authenticator // nil: signatures are not checked
	throttle  *throttle      // nil: no rate limit
	validator *validator

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
	catalogue, err := spec.LoadCatalogue()
	if err != nil {
		return nil, err
	}
	codes, err := catalogueCodes(catalogue)
	if err != nil {
		return nil, err
	}
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	op, err := spec.Operation(doc)
	if err != nil {
		return nil, err
	}
	roots, err := xmlRootsOf(op)
	if err != nil {
		return nil, err
	}
	states, err := spec.LoadStateTable()
	if err != nil {
		return nil, err
	}
	v, err := newValidator()
	if err != nil {
		return nil, err
	}
	auth, err := newAuthenticator(cfg.Credentials, cfg.MaxSkew, cfg.NonceMaxEntries)
	if err != nil {
		return nil, err
	}
	s := &Server{
		now:       cfg.Now,
		log:       cfg.Logger,
		hostID:    cfg.HostID,
		admin:     cfg.Admin,
		codes:     codes,
		roots:     roots,
		store:     newStore(states),
		tokens:    newTokenStore(cfg.IdempotencyTTL, cfg.IdempotencyMaxEntries),
		auth:      auth,
		validator: v,
	}
	if cfg.Throttle > 0 {
		s.throttle = newThrottle(cfg.Throttle)
	}
	for id, st := range cfg.Instances {
		if err := s.PutInstance(id, st); err != nil {
			return nil, fmt.Errorf("server: Config.Instances: %w", err)
		}
	}
	strict := apiserver.NewStrictHandlerWithOptions(s, nil, apiserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  s.requestError,
		ResponseErrorHandlerFunc: s.responseError,
	})
	wrapper := &apiserver.ServerInterfaceWrapper{Handler: strict, ErrorHandlerFunc: s.requestError}
	s.operation = wrapper.InterruptElasticsearchTask
	return s, nil
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
	case cfg.MaxSkew < 0 || cfg.MaxSkew > maxMaxSkew:
		return fmt.Errorf("server: MaxSkew must be between 0 and %s", maxMaxSkew)
	case cfg.Throttle < 0 || math.IsNaN(cfg.Throttle) || math.IsInf(cfg.Throttle, 0):
		return errors.New("server: Throttle must be a finite number of requests per second, 0 for none")
	}
	if cfg.IdempotencyTTL == 0 {
		cfg.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if cfg.IdempotencyMaxEntries == 0 {
		cfg.IdempotencyMaxEntries = DefaultIdempotencyMaxEntries
	}
	if cfg.NonceMaxEntries == 0 {
		cfg.NonceMaxEntries = DefaultNonceMaxEntries
	}
	if cfg.MaxSkew == 0 {
		cfg.MaxSkew = DefaultMaxSkew
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
// Replays of a remembered answer do not count.
func (s *Server) Transitions() int64 {
	return s.transitions.Load()
}

// Stats returns the sizes of the server's in-memory stores.
func (s *Server) Stats() Stats {
	return Stats{
		IdempotencyEntries: s.tokens.len(),
		NonceEntries:       s.auth.nonceCount(),
		Instances:          s.store.len(),
	}
}

// exchange is the per-request state: what the pipeline learnt and what was answered. It reaches
// the strict handler through the request context.
type exchange struct {
	requestID   string // fresh for this request; a replay answers with the remembered one
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
//     cannot drain someone else's; before validation, so a flood of bad requests is cut early;
//  4. parameter validation: a malformed request never reaches the idempotency store, so it
//     cannot bind or consume a clientToken;
//  5. idempotency: a repeated clientToken is answered from memory before the lifecycle, so a
//     replay changes nothing;
//  6. lifecycle: the transition table, applied atomically.
//
// The body is read (at most MaxBodyBytes) before the signature is checked, because V3 signs its
// hash; any body is refused in step 4, and one over the cap is refused at once.
//
// Every answer is the document's: an InterruptElasticsearchTaskResult or an Error body, as JSON
// or XML per the Accept header, with a fresh RequestId (a replay keeps the first answer's). There is no redirect and no text/plain,
// and no input produces a 5xx.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := &exchange{requestID: newRequestID(), format: negotiate(r.Header.Values("Accept"))}
	escaped := r.URL.EscapedPath()
	s.serve(w, r, x, escaped)
	s.logExchange(r, escaped, x, time.Since(start))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, x *exchange, escaped string) {
	if s.admin && strings.HasPrefix(escaped, AdminPrefix) {
		s.serveAdmin(w, r, x, strings.TrimPrefix(escaped, AdminPrefix))
		return
	}
	segment, ok := matchOperation(escaped)
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
	now := s.now()
	if s.auth != nil {
		key, aerr := s.auth.verify(r, now)
		if aerr != nil {
			code := aerr.code
			if _, known := s.codes[code]; !known {
				code = codeIncompleteSignature
			}
			s.fail(w, x, code, aerr.detail)
			return
		}
		x.accessKeyID = key
	}
	if s.throttle != nil {
		if ok, wait := s.throttle.take(x.accessKeyID, now); !ok {
			a, err := s.errorAnswer(codeThrottlingUser, x.requestID, "", x.format)
			if err == nil {
				a.header = s.throttle.headers(now, wait)
			}
			s.respond(w, x, a, err)
			return
		}
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, x, codeInvalidParameter, "")
		return
	}
	id, err := s.validator.check(r.Context(), r, segment, query, len(body))
	if err != nil {
		code := codeInvalidParameter
		var ve *validationError
		if errors.As(err, &ve) {
			code = ve.code
		}
		s.fail(w, x, code, "")
		return
	}
	r.SetPathValue("InstanceId", id)
	s.operation(w, r)
}

// readBody buffers the request body (at most MaxBodyBytes) and puts it back in r, so the
// signature check can hash it. ok is false for a body over the cap or one that could not be
// read; either is answered with InvalidParameter.
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
	run := func() (*answer, error) { return s.lifecycle(x, id) }
	var (
		a        *answer
		replayed bool
		err      error
	)
	if token := req.Params.ClientToken; token == nil || *token == "" {
		a, err = run()
	} else {
		// Tokens are scoped to the caller: one caller's token never blocks, nor replays an
		// answer to, another caller.
		a, replayed, err = s.tokens.once(x.accessKeyID+"\x00"+*token, id, s.now(), run,
			func(a *answer) bool { return !s.retryable(a.code) },
			func() (*answer, error) { return s.errorAnswer(codeIdempotentMismatch, x.requestID, "", x.format) })
	}
	if err != nil {
		return nil, err
	}
	x.replayed = replayed
	return reply{s: s, x: x, a: a}, nil
}

// lifecycle applies the document's state table to instance id (see the package documentation).
func (s *Server) lifecycle(x *exchange, id string) (*answer, error) {
	row, found := s.store.interrupt(id)
	switch {
	case !found:
		return s.errorAnswer(codeInstanceNotFound, x.requestID, "", x.format)
	case row.Succeeds():
		s.transitions.Add(1)
		return s.successAnswer(x.requestID, x.format)
	}
	return s.errorAnswer(row.Code, x.requestID, "", x.format)
}

// reply is the strict handler's response object: an answer, written in the request's format.
type reply struct {
	s *Server
	x *exchange
	a *answer
}

// VisitInterruptElasticsearchTaskResponse implements
// apiserver.InterruptElasticsearchTaskResponseObject.
func (r reply) VisitInterruptElasticsearchTaskResponse(w http.ResponseWriter) error {
	return r.s.write(w, r.x, r.a)
}

// requestError answers a request the generated binding refused. Validation has run before, so
// this is a second line of defence that still answers with the document's InvalidParameter.
func (s *Server) requestError(w http.ResponseWriter, r *http.Request, err error) {
	x := s.exchangeOf(r)
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "parameter binding refused a validated request",
		slog.String("request_id", x.requestID), slog.String("error", err.Error()))
	s.fail(w, x, codeInvalidParameter, "")
}

// responseError handles an answer that could not be written. If nothing reached the client yet,
// the honest answer is InternalError: it means a defect of this server, not of the request.
func (s *Server) responseError(w http.ResponseWriter, r *http.Request, err error) {
	x := s.exchangeOf(r)
	s.log.LogAttrs(r.Context(), slog.LevelError, "writing the answer failed",
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

// fail answers with the catalogue code, its message extended by detail.
func (s *Server) fail(w http.ResponseWriter, x *exchange, code, detail string) {
	a, err := s.errorAnswer(code, x.requestID, detail, x.format)
	s.respond(w, x, a, err)
}

// respond writes a built answer, or reports why it could not be built.
func (s *Server) respond(w http.ResponseWriter, x *exchange, a *answer, err error) {
	if err != nil {
		s.responseErrorFallback(w, x, err)
		return
	}
	if err := s.write(w, x, a); err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelDebug, "the client went away",
			slog.String("request_id", x.requestID), slog.String("error", err.Error()))
	}
}

// responseErrorFallback is reached only if encoding an answer failed, which the generated types
// make impossible; it still answers with an Error body rather than a bare status.
func (s *Server) responseErrorFallback(w http.ResponseWriter, x *exchange, err error) {
	s.log.LogAttrs(context.Background(), slog.LevelError, "building the answer failed",
		slog.String("request_id", x.requestID), slog.String("error", err.Error()))
	if x.wrote {
		return
	}
	a, err := s.errorAnswer(codeInternalError, x.requestID, "", formatJSON)
	if err == nil {
		x.format = formatJSON
		_ = s.write(w, x, a)
	}
}

// write sends a and records it for the log line.
func (s *Server) write(w http.ResponseWriter, x *exchange, a *answer) error {
	x.wrote, x.status, x.code, x.answerID = true, a.status, a.code, a.requestID
	return s.writeAnswer(w, a, x.format)
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
