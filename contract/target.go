package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// Status is an instance status of the document's state table.
type Status = spec.InstanceStatus

// The statuses of the state table.
const (
	StatusActive     = spec.StatusActive
	StatusActivating = spec.StatusActivating
	StatusInactive   = spec.StatusInactive
	StatusInvalid    = spec.StatusInvalid
	StatusSuspended  = spec.StatusSuspended
)

// Statuses lists every status of the document's state table, in its order.
func Statuses() ([]Status, error) {
	table, err := spec.LoadStateTable()
	if err != nil {
		return nil, err
	}
	return table.Statuses(), nil
}

// Target is a server under verification: where it is, how to sign for it, and how to get an
// instance into each status.
type Target struct {
	// BaseURL is the server's address, scheme and host only, such as "http://127.0.0.1:8080"
	// (the operation's path is absolute, and the signature covers it). Ignored when Handler is
	// set.
	BaseURL string
	// Handler is an in-process server, called through net/http/httptest without a socket.
	Handler http.Handler
	// Credentials sign every request. Nil sends unsigned requests, and the signature checks are
	// skipped.
	Credentials *signing.Credentials
	// Fixtures gets instances into statuses. Nil skips every check that needs an instance.
	Fixtures Fixtures
	// HTTPClient sends requests to BaseURL; nil uses a client with a 10-second timeout. The
	// contract sends through a copy that never follows a redirect (a 3xx is judged as the
	// target's response, and the credentials never reach another host); the client is not changed.
	HTTPClient *http.Client
	// AllowPartial accepts a partial verdict: checks the target's setup kept from running (no
	// fixtures, credentials, status observation or throttling) then do not fail the run, and the
	// verdict says it was partial.
	AllowPartial bool
	// ThrottleProbe bounds the requests sent to provoke flow control: 0 means
	// DefaultThrottleProbe, a negative value does not probe (the flow-control check is then a
	// setup skip).
	ThrottleProbe int
}

// ValidateBaseURL returns an error unless base is an absolute http or https URL with a host, a
// port from 1 to 65535 if any, and no path (other than "/"), user info, query or fragment, such as
// "http://127.0.0.1:8080". The error never repeats a password.
func ValidateBaseURL(base string) error {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("target base URL %q: want an http:// or https:// URL such as http://127.0.0.1:8080", redactURL(base, u))
	}
	shown := redactURL(base, u)
	switch {
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("target base URL %q has no host", shown)
	case u.Port() != "" && !validPort(u.Port()):
		return fmt.Errorf("target base URL %q: port %s is not from 1 to 65535", shown, u.Port())
	case u.User != nil:
		return fmt.Errorf("target base URL %q carries user info: the requests are signed, so give the key as credentials, not in the URL", shown)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("target base URL %q has a query or fragment: want scheme://host[:port] only", shown)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("target base URL %q is not scheme://host[:port]: the operation's path is absolute and signed, so a path prefix cannot work", shown)
	}
	return nil
}

// validPort reports a decimal port from 1 to 65535.
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// redactURL is base for messages, its password replaced; an unparsable base is cut after its
// last '@', which could end a password.
func redactURL(base string, u *url.URL) string {
	if u == nil {
		if at := strings.LastIndex(base, "@"); at >= 0 {
			return "xxxxx" + base[at:]
		}
		return base
	}
	if _, has := u.User.Password(); has {
		return u.Redacted()
	}
	return base
}

// Fixtures gets instances of a server into the statuses the checks need.
type Fixtures interface {
	// Instance returns the id of an instance in status st that no earlier call returned, or an
	// error wrapping ErrNoFixture when there is none left.
	Instance(ctx context.Context, st Status) (string, error)
	// Status returns the current status of instance id. ErrNoFixture means the fixtures cannot
	// observe statuses; the checks then judge by responses alone.
	Status(ctx context.Context, id string) (Status, error)
}

// ErrNoFixture is wrapped by Fixtures errors that mean "not available here", which turn a check
// into a skip rather than a failure.
var ErrNoFixture = errors.New("no fixture")

// StaticFixtures serves instance ids the target already has, listed per status. Each id is handed
// out once, because checks change the state of the instances they use.
type StaticFixtures struct {
	mu  sync.Mutex
	ids map[Status][]string
}

// NewStaticFixtures returns fixtures that hand out ids, each once, in the order given.
func NewStaticFixtures(ids map[Status][]string) *StaticFixtures {
	f := &StaticFixtures{ids: make(map[Status][]string, len(ids))}
	for st, list := range ids {
		f.ids[st] = append([]string(nil), list...)
	}
	return f
}

// Instance hands out the next unused id in status st.
func (f *StaticFixtures) Instance(_ context.Context, st Status) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	list := f.ids[st]
	if len(list) == 0 {
		return "", fmt.Errorf("no unused %s instance (give more with --fixture ID=%s): %w", st, st, ErrNoFixture)
	}
	f.ids[st] = list[1:]
	return list[0], nil
}

// Status always answers ErrNoFixture: static fixtures cannot observe a status.
func (f *StaticFixtures) Status(context.Context, string) (Status, error) {
	return "", fmt.Errorf("contract: static fixtures cannot read statuses: %w", ErrNoFixture)
}

// AdminInstancesPath is where the reference server's admin API keeps instances, when it is
// started with --admin (server.AdminPrefix + "instances").
const AdminInstancesPath = server.AdminPrefix + "instances"

// AdminFixtures creates instances through the reference server's admin API (PUT and GET
// /-/admin/instances/{id}). Every call creates a new instance with a random id.
type AdminFixtures struct {
	send     sendFunc
	requests atomic.Int64
}

// NewAdminFixtures returns fixtures that use target's admin API.
func NewAdminFixtures(target Target) *AdminFixtures {
	return &AdminFixtures{send: target.transport()}
}

// do sends one admin request and counts it.
func (f *AdminFixtures) do(req *http.Request, prepare func(*http.Request) error) (*http.Response, error) {
	f.requests.Add(1)
	return f.send(req, prepare)
}

// Requests returns how many admin requests the fixtures have sent.
func (f *AdminFixtures) Requests() int64 { return f.requests.Load() }

// Remove deletes instance id (DELETE /-/admin/instances/{id}); an instance already gone is not
// an error.
func (f *AdminFixtures) Remove(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, AdminInstancesPath+"/"+url.PathEscape(id), nil)
	if err != nil {
		return err
	}
	resp, err := f.do(req, nil)
	if err != nil {
		return fmt.Errorf("contract: admin API: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode == http.StatusBadRequest && bytes.Contains(excerpt, []byte("InstanceNotFound")) {
		return nil
	}
	return fmt.Errorf("contract: admin API: DELETE %s answered %d: %s", req.URL.Path, resp.StatusCode, excerpt)
}

type adminInstance struct {
	Status Status `json:"status"`
}

// Instance creates a fresh instance in status st.
func (f *AdminFixtures) Instance(ctx context.Context, st Status) (string, error) {
	id := "es-cn-contract" + ids.Hex(6)
	body, _ := json.Marshal(adminInstance{Status: st})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, AdminInstancesPath+"/"+url.PathEscape(id), bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.do(req, nil)
	if err != nil {
		return "", fmt.Errorf("contract: admin API: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "", fmt.Errorf("contract: the target has no admin API (serve it with --admin, or pass fixtures): %w", ErrNoFixture)
	}
	if resp.StatusCode/100 != 2 {
		excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return "", fmt.Errorf("contract: admin API: PUT %s answered %d: %s", req.URL.Path, resp.StatusCode, excerpt)
	}
	return id, nil
}

// Status reads an instance's status.
func (f *AdminFixtures) Status(ctx context.Context, id string) (Status, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, AdminInstancesPath+"/"+url.PathEscape(id), nil)
	if err != nil {
		return "", err
	}
	resp, err := f.do(req, nil)
	if err != nil {
		return "", fmt.Errorf("contract: admin API: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "", fmt.Errorf("contract: the target has no admin API: %w", ErrNoFixture)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("contract: admin API: GET %s answered %d", req.URL.Path, resp.StatusCode)
	}
	var got adminInstance
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&got); err != nil {
		return "", fmt.Errorf("contract: admin API: %w", err)
	}
	return got.Status, nil
}

// sendFunc sends a request whose URL holds only a path and query to the target. prepare, when not
// nil, runs once the host is known and before the request leaves (it signs).
type sendFunc func(req *http.Request, prepare func(*http.Request) error) (*http.Response, error)

// transport returns the sendFunc for the target.
func (t Target) transport() sendFunc {
	if t.Handler != nil {
		h := t.Handler
		return func(req *http.Request, prepare func(*http.Request) error) (*http.Response, error) {
			req.URL.Scheme, req.URL.Host = "http", "target.invalid"
			req.Host = req.URL.Host
			if prepare != nil {
				if err := prepare(req); err != nil {
					return nil, err
				}
			}
			// A server parses the request line itself; so does this in-process path.
			req.RequestURI = req.URL.RequestURI()
			parsed, err := url.ParseRequestURI(req.RequestURI)
			if err != nil {
				return nil, err
			}
			req.URL = parsed
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Result(), nil
		}
	}
	client := &http.Client{Timeout: defaultTimeout}
	if t.HTTPClient != nil {
		copied := *t.HTTPClient
		client = &copied
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	err := ValidateBaseURL(t.BaseURL)
	base, _ := url.Parse(t.BaseURL)
	return func(req *http.Request, prepare func(*http.Request) error) (*http.Response, error) {
		if err != nil {
			return nil, err
		}
		req.URL.Scheme, req.URL.Host = base.Scheme, base.Host
		req.Host = base.Host
		if prepare != nil {
			if err := prepare(req); err != nil {
				return nil, err
			}
		}
		return client.Do(req)
	}
}
