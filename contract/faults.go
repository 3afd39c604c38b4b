package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/spec"
)

// AdminFaultsPath is where the reference server's admin API takes faults, when it is started
// with --admin (server.AdminPrefix + "faults").
const AdminFaultsPath = server.AdminPrefix + "faults"

// faultThrottleWait is the TimeLeft an injected throttled response announces: a wait a real
// limit asks for, long enough that a client ignoring it is caught.
const faultThrottleWait = 300 * time.Millisecond

// noFaultsReason is why a target that cannot inject faults skips a check.
const noFaultsReason = "the target does not accept faults (serve it with --admin)"

// faultAdder is an in-process target that takes faults directly, such as *server.Server.
type faultAdder interface {
	AddFault(server.Fault) (int, error)
}

// injectFault asks the target to respond with f: directly when its Handler takes faults, otherwise
// through the admin API (POST AdminFaultsPath), a request the run counts. A target that supports
// neither gives a *SkipError.
func (e *Env) injectFault(ctx context.Context, f server.Fault) error {
	if adder, ok := e.target.Handler.(faultAdder); ok {
		_, err := adder.AddFault(f)
		return err
	}
	body, err := json.Marshal(map[string]string{"spec": f.String()})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, AdminFaultsPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	e.run.requests.Add(1)
	resp, err := e.send(req, nil)
	if err != nil {
		return fmt.Errorf("contract: admin API: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Skip(noFaultsReason)
	case resp.StatusCode != http.StatusOK:
		excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("contract: admin API: POST %s %q answered %d: %s", AdminFaultsPath, f, resp.StatusCode, excerpt)
	}
	return nil
}

// provokeByFault drives entry's code out of a target that accepts faults: the code is injected
// for one request to a fresh instance id, which is then sent. A throttled response must say when
// to retry, as one of the target's own would.
func provokeByFault(ctx context.Context, env *Env, entry spec.ErrorCode) (*observed, error) {
	id := unknownID()
	f := server.Fault{Code: entry.Code, Instance: id, Count: 1}
	if wire.IsThrottling(entry.Code) {
		f.TimeLeft = faultThrottleWait
	}
	if err := env.injectFault(ctx, f); err != nil {
		return nil, err
	}
	a, err := env.do(ctx, requestSpec{id: id, token: ids.UUID(), throttleFinal: true})
	if err != nil {
		return nil, err
	}
	if wire.IsThrottling(entry.Code) && !hasRateLimit(a) {
		return nil, errNoRateLimit
	}
	return a, nil
}

// errNoRateLimit fails a throttled response that does not say when to retry.
var errNoRateLimit = errors.New("a throttled response carries neither " + wire.HeaderRateLimitUserAPI + " nor " + wire.HeaderRateLimitUser)

// hasRateLimit reports whether a carries either flow-control header.
func hasRateLimit(a *observed) bool {
	for _, h := range wire.RateLimitHeaders {
		if a.header.Get(h) != "" {
			return true
		}
	}
	return false
}

// isSkip reports an error that skips a check.
func isSkip(err error) bool {
	var skip *SkipError
	return errors.As(err, &skip)
}
