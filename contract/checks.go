package contract

import (
	"context"
	"fmt"
	"sync"

	"github.com/es-openapi/interrupt/spec"
)

// Labels of the check groups, usable in Ginkgo label filters and with esinterrupt verify.
const (
	LabelDocument    = "document"
	LabelErrors      = "errors"
	LabelNegative    = "negative"
	LabelIdempotency = "idempotency"
	LabelSignature   = "signature"
	LabelState       = "state"
	LabelFormats     = "formats"
	LabelCoverage    = "coverage"
)

var checks = sync.OnceValues(buildChecks)

// Checks returns the catalogue of checks in the order they run. The error-code checks are made
// from the document's catalogue, one per code; the coverage check comes last because it reports
// on the answers every other check provoked.
func Checks() ([]Check, error) {
	all, err := checks()
	if err != nil {
		return nil, err
	}
	return append([]Check(nil), all...), nil
}

func buildChecks() ([]Check, error) {
	catalogue, err := spec.LoadCatalogue()
	if err != nil {
		return nil, err
	}
	states, err := spec.LoadStateTable()
	if err != nil {
		return nil, err
	}
	var all []Check
	all = append(all, documentChecks()...)
	// Provoking flow control leaves the target throttling for a while, so those checks run after
	// every other check that sends requests.
	var throttled []Check
	for _, entry := range catalogue.Codes() {
		if entry.Trigger == spec.TriggerThrottle {
			throttled = append(throttled, errorCodeCheck(entry))
			continue
		}
		all = append(all, errorCodeCheck(entry))
	}
	all = append(all, negativeChecks()...)
	all = append(all, idempotencyChecks()...)
	all = append(all, signatureChecks()...)
	all = append(all, stateChecks(states)...)
	all = append(all, formatChecks()...)
	all = append(all, negotiationChecks()...)
	all = append(all, shapeChecks()...)
	all = append(all, signatureWireChecks()...)
	all = append(all, throttled...)
	all = append(all, flowChecks()...)
	all = append(all, coverageCheck())
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.ID] {
			return nil, fmt.Errorf("contract: two checks are named %q", c.ID)
		}
		seen[c.ID] = true
	}
	return all, nil
}

// CheckByID returns the check named id.
func CheckByID(id string) (Check, bool) {
	all, err := checks()
	if err != nil {
		return Check{}, false
	}
	for _, c := range all {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// needCredentials skips a check on a target whose signatures the suite cannot produce.
func needCredentials(env *Env) error {
	if env.target.Credentials == nil {
		return Skip("the target has no credentials, so signatures cannot be exercised")
	}
	return nil
}

// interrupt sends one signed JSON interrupt of id with token.
func (e *Env) interrupt(ctx context.Context, id, token string) (*answer, error) {
	return e.do(ctx, call{id: id, token: token})
}
