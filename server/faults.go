package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/spec"
)

// Faults make the server respond to matching requests with a catalogue code or a transport failure
// instead of its own response, so that a client's handling of every documented response can be
// tested (Config.Faults, Server.AddFault, the admin API's /-/admin/faults, and
// `esinterrupt serve --fault SPEC`).
//
// A fault applies after routing and the signature check, before the rate limit, validation,
// the idempotency store and the lifecycle: a consumer's signing is still judged (a request with
// a bad signature gets the signature error, and does not use up a counted fault), and a fault
// response never changes an instance, is never remembered under a clientToken and spends no
// rate-limit token. The first fault in the order added that matches and fires answers.
//
// Error answers are built and written by the same code as the server's own (errorResponse,
// writeResponse): the catalogue's status and message, a fresh RequestId, the requested format,
// and for Throttling codes the x-ratelimit-user-api and x-ratelimit-user headers of the rate
// limit, announcing Fault.TimeLeft.

// The transport faults, the CODE_OR_FAULT names that are not catalogue codes.
const (
	// FaultReset closes the connection without a response (a TCP reset where the connection
	// can be taken over; otherwise net/http's abort).
	FaultReset = "reset"
	// FaultTruncate sends a 200 response (Result true, in the requested format) whose body is cut
	// to half its declared Content-Length, then closes the connection. The instance is not
	// touched: a retry with the same clientToken is what applies the interrupt.
	FaultTruncate = "truncate"
	// FaultDelay waits Fault.Delay (or until the client goes away), then lets the request through.
	FaultDelay = "delay"
)

// DefaultFaultTimeLeft is the wait a Throttling fault announces when Fault.TimeLeft is zero.
const DefaultFaultTimeLeft = time.Second

// Fault is one rule of fault injection. Its text form, read by ParseFault and written by
// String, is CODE_OR_FAULT[,instance=ID][,count=N][,rate=P][,seed=S][,delay=DURATION][,timeleft=DURATION],
// such as "ServiceUnavailable,count=2".
type Fault struct {
	// Code is a catalogue code (recorded with its documented status and body) or one of
	// FaultReset, FaultTruncate, FaultDelay.
	Code string
	// Instance limits the fault to requests for this InstanceId; "" matches every request.
	Instance string
	// Count is how many matching requests the fault answers before it is spent; 0 means no
	// limit.
	Count int
	// Rate is the probability (0 to 1) that a matching request is recorded by the fault; 0
	// means always. Draws come from a source seeded with Seed, so a run is reproducible.
	Rate float64
	// Seed seeds the draws of Rate.
	Seed uint64
	// Delay is a wait before the fault's response (for FaultDelay, before the server's own);
	// it ends early when the request's context does.
	Delay time.Duration
	// TimeLeft is the wait a Throttling code's x-ratelimit-* headers announce; 0 means
	// DefaultFaultTimeLeft. Only Throttling codes take it.
	TimeLeft time.Duration
}

// FaultSpecError reports a fault the server cannot apply: a malformed SPEC, an unknown code or
// an out-of-range option.
type FaultSpecError struct {
	// Spec is the text given, or the Fault's String form.
	Spec string
	// Reason says what is wrong.
	Reason string
}

// Error returns "server: fault "<Spec>": <Reason>".
func (e *FaultSpecError) Error() string {
	return "server: fault " + strconv.Quote(e.Spec) + ": " + e.Reason
}

// maxFaultDelay bounds Delay and TimeLeft, so that a typo cannot hang a test for days.
const maxFaultDelay = time.Hour

// ParseFault reads a fault from its text form (see Fault). It returns a *FaultSpecError for
// an unknown code or option, a repeated option, or a value out of range.
func ParseFault(text string) (Fault, error) {
	bad := func(format string, a ...any) (Fault, error) {
		return Fault{}, &FaultSpecError{Spec: text, Reason: fmt.Sprintf(format, a...)}
	}
	parts := strings.Split(text, ",")
	f := Fault{Code: strings.TrimSpace(parts[0])}
	seen := map[string]bool{}
	for _, part := range parts[1:] {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || value == "" {
			return bad("option %q is not NAME=VALUE", part)
		}
		name = strings.ToLower(name)
		if seen[name] {
			return bad("option %s is given twice", name)
		}
		seen[name] = true
		var err error
		switch name {
		case "instance":
			f.Instance = value
		case "count":
			f.Count, err = strconv.Atoi(value)
		case "rate":
			f.Rate, err = strconv.ParseFloat(value, 64)
		case "seed":
			f.Seed, err = strconv.ParseUint(value, 10, 64)
		case "delay":
			f.Delay, err = time.ParseDuration(value)
		case "timeleft":
			f.TimeLeft, err = time.ParseDuration(value)
		default:
			return bad("unknown option %q (want instance, count, rate, seed, delay or timeleft)", name)
		}
		if err != nil {
			return bad("option %s: %q is not a valid value", name, value)
		}
	}
	if err := f.check(); err != nil {
		var fe *FaultSpecError
		if errors.As(err, &fe) {
			fe.Spec = text
		}
		return Fault{}, err
	}
	return f, nil
}

// check reports what makes f unusable, as a *FaultSpecError. The InstanceId is checked by the
// server, against the document's schema.
func (f Fault) check() error {
	bad := func(reason string) error { return &FaultSpecError{Spec: f.String(), Reason: reason} }
	switch f.Code {
	case "":
		return bad("no code or fault (want a catalogue code, reset, truncate or delay)")
	case FaultReset, FaultTruncate:
	case FaultDelay:
		if f.Delay <= 0 {
			return bad("delay needs delay=DURATION")
		}
	default:
		cat, err := spec.LoadCatalogue()
		if err != nil {
			return err
		}
		if _, ok := cat.Lookup(f.Code); !ok {
			return bad("unknown code " + strconv.Quote(f.Code) + " (want a catalogue code, reset, truncate or delay)")
		}
	}
	switch {
	case f.Count < 0:
		return bad("count must not be negative")
	case f.Rate < 0 || f.Rate > 1 || math.IsNaN(f.Rate):
		return bad("rate must be a probability from 0 to 1")
	case f.Delay < 0 || f.Delay > maxFaultDelay:
		return bad("delay must be between 0 and " + maxFaultDelay.String())
	case f.TimeLeft < 0 || f.TimeLeft > maxFaultDelay:
		return bad("timeleft must be between 0 and " + maxFaultDelay.String())
	case f.TimeLeft > 0 && !wire.IsThrottling(f.Code):
		return bad("timeleft applies to Throttling codes only")
	}
	return nil
}

// String returns f's text form, the one ParseFault reads.
func (f Fault) String() string {
	var b strings.Builder
	b.WriteString(f.Code)
	if f.Instance != "" {
		b.WriteString(",instance=" + f.Instance)
	}
	if f.Count != 0 {
		b.WriteString(",count=" + strconv.Itoa(f.Count))
	}
	if f.Rate != 0 {
		b.WriteString(",rate=" + strconv.FormatFloat(f.Rate, 'g', -1, 64))
	}
	if f.Seed != 0 {
		b.WriteString(",seed=" + strconv.FormatUint(f.Seed, 10))
	}
	if f.Delay != 0 {
		b.WriteString(",delay=" + f.Delay.String())
	}
	if f.TimeLeft != 0 {
		b.WriteString(",timeleft=" + f.TimeLeft.String())
	}
	return b.String()
}

// FaultState is an active fault as the server holds it.
type FaultState struct {
	// ID numbers the fault, from 1, in the order added.
	ID int `json:"id"`
	// Spec is the fault's text form.
	Spec string `json:"spec"`
	// Answered is how many requests the fault has recorded.
	Answered int `json:"recorded"`
	// Remaining is how many more it answers, or -1 without a Count.
	Remaining int `json:"remaining"`
}

// activeFault is a fault with its own counters and random source.
type activeFault struct {
	id       int
	fault    Fault
	recorded int
	rng      *rand.Rand
}

// faultSet holds the active faults. The zero value holds none.
type faultSet struct {
	mu     sync.Mutex
	nextID int
	active []*activeFault
}

// AddFault adds a fault after the existing ones and returns its id. It fails with a
// *FaultSpecError for a fault ParseFault would refuse or an InstanceId the document rejects.
func (s *Server) AddFault(f Fault) (int, error) {
	if err := f.check(); err != nil {
		return 0, err
	}
	if f.Instance != "" {
		if err := s.validator.checkID(f.Instance); err != nil {
			return 0, &FaultSpecError{Spec: f.String(), Reason: "instance: " + err.Error()}
		}
	}
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextID++
	fs.active = append(fs.active, &activeFault{
		id:    fs.nextID,
		fault: f,
		rng:   rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15)),
	})
	return fs.nextID, nil
}

// Faults lists the active faults in the order they apply; spent faults are gone.
func (s *Server) Faults() []FaultState {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]FaultState, 0, len(fs.active))
	for _, a := range fs.active {
		remaining := -1
		if a.fault.Count > 0 {
			remaining = a.fault.Count - a.recorded
		}
		out = append(out, FaultState{ID: a.id, Spec: a.fault.String(), Answered: a.recorded, Remaining: remaining})
	}
	return out
}

// ClearFaults removes every fault and returns how many there were.
func (s *Server) ClearFaults() int {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := len(fs.active)
	fs.active = nil
	return n
}

// pick returns the fault that answers a request for instanceID, spending one of its count, or
// false when none fires.
func (fs *faultSet) pick(instanceID string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, a := range fs.active {
		if a.fault.Instance != "" && a.fault.Instance != instanceID {
			continue
		}
		if a.fault.Rate > 0 && a.rng.Float64() >= a.fault.Rate {
			continue
		}
		a.recorded++
		if a.fault.Count > 0 && a.recorded >= a.fault.Count {
			fs.active = append(fs.active[:i:i], fs.active[i+1:]...)
		}
		return a.fault, true
	}
	return Fault{}, false
}

// injectFault answers r with a fault when one matches; segment is the escaped InstanceId path
// segment. It returns true when the request has been recorded (or abandoned) and must go no
// further.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, x *exchange, segment string) bool {
	id, err := url.PathUnescape(segment)
	if err != nil {
		id = segment
	}
	f, ok := s.faults.pick(id)
	if !ok {
		return false
	}
	if f.Delay > 0 && !sleepContext(r.Context(), f.Delay) {
		x.wrote, x.code = true, "fault:client-gone"
		return true
	}
	switch f.Code {
	case FaultDelay:
		return false
	case FaultReset:
		x.wrote, x.code = true, "fault:reset"
		resetConnection(w)
		return true
	case FaultTruncate:
		a, err := s.successResponse(x.requestID, x.format)
		if err != nil {
			s.responseErrorFallback(w, x, err)
			return true
		}
		_ = s.write(truncatingWriter{w}, x, a)
		x.code = "fault:truncate"
		return true
	}
	a, err := s.errorResponse(f.Code, x.requestID, "", x.format)
	if err == nil && wire.IsThrottling(f.Code) {
		wait := f.TimeLeft
		if wait == 0 {
			wait = DefaultFaultTimeLeft
		}
		// The same headers the rate limit sends, for a limit of one request.
		a.header = newThrottle(1).headers(s.now(), wait)
	}
	s.respond(w, x, a, err)
	return true
}

// sleepContext waits d; false means ctx ended first.
func sleepContext(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// resetConnection takes the connection over and closes it with a TCP reset. Where it cannot be
// taken over (HTTP/2, a recorder), it aborts the handler as net/http documents, which closes or
// resets the stream.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // close with RST rather than FIN
	}
	_ = conn.Close()
}

// truncatingWriter writes half of every body write and reports it whole, so writeResponse's
// declared Content-Length is not met and net/http closes the connection after the short body.
type truncatingWriter struct{ http.ResponseWriter }

// Write writes the first half of p.
func (t truncatingWriter) Write(p []byte) (int, error) {
	if _, err := t.ResponseWriter.Write(p[:len(p)/2]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t truncatingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// adminFault is the body of POST /-/admin/faults and its response.
type adminFault struct {
	RequestID string `json:"requestId,omitempty"`
	ID        int    `json:"id,omitempty"`
	Spec      string `json:"spec"`
}

// adminFaults is the response to GET and DELETE /-/admin/faults.
type adminFaults struct {
	RequestID string       `json:"requestId"`
	Faults    []FaultState `json:"faults"`
	Cleared   *int         `json:"cleared,omitempty"`
}

// serveAdminFaults answers /-/admin/faults: GET lists, POST adds, DELETE clears. A fault the
// server refuses is InvalidParameter, its message extended by the reason.
func (s *Server) serveAdminFaults(w http.ResponseWriter, r *http.Request, x *exchange) {
	switch r.Method {
	case http.MethodGet:
		s.adminJSON(w, x, adminFaults{RequestID: x.requestID, Faults: s.Faults()})
	case http.MethodDelete:
		n := s.ClearFaults()
		s.adminJSON(w, x, adminFaults{RequestID: x.requestID, Faults: []FaultState{}, Cleared: &n})
	case http.MethodPost:
		var in adminFault
		if err := readAdminJSON(w, r, &in); err != nil {
			detail := ` (want {"spec":"CODE_OR_FAULT[,option=value]..."})`
			if errors.Is(err, errAdminBody) {
				detail = ""
			}
			s.fail(w, x, codeInvalidParameter, detail)
			return
		}
		f, err := ParseFault(in.Spec)
		var id int
		if err == nil {
			id, err = s.AddFault(f)
		}
		if err != nil {
			s.fail(w, x, codeInvalidParameter, " ("+err.Error()+")")
			return
		}
		s.adminJSON(w, x, adminFault{RequestID: x.requestID, ID: id, Spec: f.String()})
	default:
		s.fail(w, x, codeActionNotFound, "")
	}
}
