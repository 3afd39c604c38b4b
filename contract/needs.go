package contract

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/es-openapi/interrupt/spec"
)

// Needs is what a check needs from the target to run in full. Declared on each Check, it is known
// before anything is sent: `esinterrupt verify --list` prints it, and a run that could not meet it
// names what to provide.
type Needs struct {
	// Instances is how many fresh instances of each status the check uses; each is used once,
	// because the check changes it.
	Instances map[Status]int
	// SharedInstances are got once per run and shared by every check that declares them.
	SharedInstances map[Status]int
	// Credentials: the check signs requests, so the target needs an AccessKeyId and secret.
	Credentials bool
	// StatusObservation: the check reads an instance's status through the fixtures (Fixtures.Status)
	// to see what a request left behind.
	StatusObservation bool
	// Throttling: the check provokes flow control, so the target must throttle within the
	// throttle probe (Target.ThrottleProbe requests).
	Throttling bool
}

// IsZero reports whether n needs nothing.
func (n Needs) IsZero() bool {
	return len(n.Instances) == 0 && len(n.SharedInstances) == 0 && !n.Credentials && !n.StatusObservation && !n.Throttling
}

// String lists what n needs, such as "2 activating instances, credentials, status observation",
// or "nothing".
func (n Needs) String() string {
	var parts []string
	for _, st := range sortedKeys(n.Instances) {
		parts = append(parts, plural(n.Instances[st], string(st)+" instance"))
	}
	for _, st := range sortedKeys(n.SharedInstances) {
		parts = append(parts, plural(n.SharedInstances[st], "shared "+string(st)+" instance"))
	}
	if n.Credentials {
		parts = append(parts, "credentials")
	}
	if n.StatusObservation {
		parts = append(parts, "status observation")
	}
	if n.Throttling {
		parts = append(parts, "throttling")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// TotalNeeds is what a run of checks needs from the target: the instances of every check added
// up (shared ones counted once), and every kind of capability any check needs.
func TotalNeeds(checks []Check) Needs {
	total := Needs{Instances: map[Status]int{}}
	shared := map[Status]int{}
	for _, c := range checks {
		for st, k := range c.Needs.Instances {
			total.Instances[st] += k
		}
		for st, k := range c.Needs.SharedInstances {
			shared[st] = max(shared[st], k)
		}
		total.Credentials = total.Credentials || c.Needs.Credentials
		total.StatusObservation = total.StatusObservation || c.Needs.StatusObservation
		total.Throttling = total.Throttling || c.Needs.Throttling
	}
	for st, k := range shared {
		total.Instances[st] += k
	}
	return total
}

// union returns what n or o needs: capabilities either needs, and the larger count per status.
func (n Needs) union(o Needs) Needs {
	out := Needs{
		Credentials:       n.Credentials || o.Credentials,
		StatusObservation: n.StatusObservation || o.StatusObservation,
		Throttling:        n.Throttling || o.Throttling,
	}
	for _, m := range []map[Status]int{n.Instances, o.Instances, n.SharedInstances, o.SharedInstances} {
		for st, k := range m {
			if out.Instances == nil {
				out.Instances = map[Status]int{}
			}
			out.Instances[st] = max(out.Instances[st], k)
		}
	}
	return out
}

// DefaultThrottleProbe is how many requests a run sends at most to provoke flow control when
// Target.ThrottleProbe is 0.
const DefaultThrottleProbe = 2000

// runState is what one run records besides the responses: requests sent, instances handed out and
// created, and what the target turned out to lack.
type runState struct {
	requests     atomic.Int64
	throttleSent atomic.Int64
	fixtureBase  int64

	mu        sync.Mutex
	handedOut map[Status]int
	created   []string // ids from a Remover, removed by Cleanup

	observeOnce sync.Once
	observe     bool
}

// requestCounter is implemented by fixtures that send requests of their own (AdminFixtures), so
// a run reports them in its count.
type requestCounter interface {
	Requests() int64
}

// Remover is implemented by fixtures that create instances and can delete them again. A run
// removes every instance it got from such fixtures when it ends (Env.Cleanup).
type Remover interface {
	Remove(ctx context.Context, id string) error
}

// Requests returns how many requests the run has sent to the target so far: the checks', the
// preflight's and the fixtures' (admin API calls).
func (e *Env) Requests() int64 {
	n := e.run.requests.Load()
	if c, ok := e.target.Fixtures.(requestCounter); ok {
		n += c.Requests() - e.run.fixtureBase
	}
	return n
}

// ThrottleRequests returns how many requests the throttle probe sent.
func (e *Env) ThrottleRequests() int64 { return e.run.throttleSent.Load() }

// throttleProbe is the bound on requests sent to provoke flow control; 0 means do not probe.
func (e *Env) throttleProbe() int {
	switch p := e.target.ThrottleProbe; {
	case p < 0:
		return 0
	case p == 0:
		return DefaultThrottleProbe
	default:
		return p
	}
}

// Cleanup removes the instances the run created through fixtures that are a Remover, and returns
// how many it removed. Later calls remove only what was created since.
func (e *Env) Cleanup(ctx context.Context) (removed int, err error) {
	e.run.mu.Lock()
	ids := e.run.created
	e.run.created = nil
	e.run.mu.Unlock()
	r, ok := e.target.Fixtures.(Remover)
	if !ok {
		return 0, nil
	}
	var errs []error
	for _, id := range ids {
		if err := r.Remove(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", id, err))
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// noteInstance records an instance handed out for status st.
func (e *Env) noteInstance(st Status, id string) {
	e.run.mu.Lock()
	defer e.run.mu.Unlock()
	if e.run.handedOut == nil {
		e.run.handedOut = map[Status]int{}
	}
	e.run.handedOut[st]++
	if _, ok := e.target.Fixtures.(Remover); ok {
		e.run.created = append(e.run.created, id)
	}
}

// canObserve reports whether the fixtures can read an instance's status, found out once by asking
// for an unknown instance's: ErrNoFixture means they cannot.
func (e *Env) canObserve(ctx context.Context) bool {
	e.run.observeOnce.Do(func() {
		if e.target.Fixtures == nil {
			return
		}
		_, err := e.target.Fixtures.Status(ctx, unknownID())
		e.run.observe = !errors.Is(err, ErrNoFixture)
	})
	return e.run.observe
}

// unmet returns a setup skip when the target lacks what needs asks for and the check cannot even
// start: credentials, a throttle probe, or fixtures for its own instances.
func (e *Env) unmet(needs Needs) error {
	switch {
	case needs.Credentials && e.target.Credentials == nil:
		return skipMissing("the target has no credentials, so signatures cannot be exercised", Needs{Credentials: true})
	case needs.Throttling && e.throttleProbe() == 0:
		return skipMissing("the throttle probe is off (ThrottleProbe < 0, --throttle-probe 0)", Needs{Throttling: true})
	case len(needs.Instances) > 0 && e.target.Fixtures == nil:
		return skipMissing("the target has no fixtures", Needs{Instances: needs.Instances})
	}
	return nil
}

// provide lists what the target must provide for results' setup skips to run, such as "7 more
// instances in status activating", "credentials". Instance counts are what the whole selection
// needs minus what the fixtures handed out.
func (e *Env) provide(ctx context.Context, results []Result) []string {
	var checks []Check
	var missing Needs
	var other []string
	for _, r := range results {
		checks = append(checks, r.Check)
		if r.Outcome != Skipped {
			continue
		}
		if r.Missing.IsZero() {
			other = append(other, fmt.Sprintf("what %s lacked (%s)", r.Check.ID, firstLine(r.Reason)))
			continue
		}
		missing = missing.union(r.Missing).union(e.lacks(ctx, r.Check.Needs))
	}
	var out []string
	if len(missing.Instances) > 0 {
		out = append(out, e.instanceDeficit(missing.Instances, TotalNeeds(checks).Instances))
	}
	if missing.Credentials {
		out = append(out, "credentials the target accepts")
	}
	if missing.StatusObservation {
		out = append(out, "fixtures that can read an instance's status (an admin API)")
	}
	switch {
	case missing.Throttling && e.throttleProbe() == 0:
		out = append(out, "a throttle probe (ThrottleProbe, --throttle-probe N) against a target that throttles")
	case missing.Throttling:
		out = append(out, fmt.Sprintf("a target that throttles within the throttle probe (now %d requests)", e.throttleProbe()))
	}
	// A skip that names no need (such as the coverage report's) usually follows from the others;
	// its reason is given only when nothing else explains it.
	if len(out) == 0 {
		out = other
	}
	return out
}

// instanceDeficit says how many more instances of each status in missing the fixtures must hold:
// what the selection needs in all, less what they handed out.
func (e *Env) instanceDeficit(missing, total map[Status]int) string {
	e.run.mu.Lock()
	defer e.run.mu.Unlock()
	var parts []string
	for i, st := range sortedKeys(missing) {
		deficit := max(total[st]-e.run.handedOut[st], 1)
		what := fmt.Sprintf("%d more in %s", deficit, st)
		if i == 0 {
			what = fmt.Sprintf("%s in status %s", plural(deficit, "more instance"), st)
		}
		parts = append(parts, what)
	}
	return strings.Join(parts, ", ") + " (" + e.fixtureAdvice() + ")"
}

// fixtureAdvice says where more instances come from. Static fixtures replace the admin API (the
// CLI uses it only without --fixture), so with them it says so: a target with an admin API then
// goes unused.
func (e *Env) fixtureAdvice() string {
	if _, static := e.target.Fixtures.(*StaticFixtures); static {
		return "give more with --fixture ID=STATUS; --fixture replaces the admin API, so against a target with one (serve --admin) leave every --fixture out"
	}
	return "fixtures: --fixture ID=STATUS, or a target with the admin API (serve --admin)"
}

// lacks returns the part of needs the target is known to lack, instances aside.
func (e *Env) lacks(ctx context.Context, needs Needs) Needs {
	return Needs{
		Credentials:       needs.Credentials && e.target.Credentials == nil,
		StatusObservation: needs.StatusObservation && !e.canObserve(ctx),
		Throttling:        needs.Throttling && e.throttleProbe() == 0,
	}
}

// sortedKeys lists the statuses of m in the state table's order.
func sortedKeys(m map[Status]int) []Status {
	order := map[Status]int{}
	if all, err := Statuses(); err == nil {
		for i, st := range all {
			order[st] = i
		}
	}
	out := make([]Status, 0, len(m))
	for st, k := range m {
		if k > 0 {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if order[out[i]] != order[out[j]] {
			return order[out[i]] < order[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// untriggerable reports whether the document declares every catalogue code of status
// untriggerable (trigger none), so no run can produce the status.
func (e *Env) untriggerable(status int) bool {
	declared := false
	for _, entry := range e.catalogue.Codes() {
		if entry.Status == status {
			if entry.Trigger != spec.TriggerNone {
				return false
			}
			declared = true
		}
	}
	return declared
}
