package contract

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/es-openapi/interrupt/spec"
)

// Labels of the check groups, usable in Ginkgo label filters and with esinterrupt verify.
// Every check also carries its group (the part of its ID before the slash) as a label, so labels
// and check ids agree: "error-code" selects the error-code checks as "errors" does.
const (
	LabelDocument    = "document"
	LabelErrors      = "errors"
	LabelErrorCode   = "error-code"
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
		c := errorCodeCheck(entry)
		c.Statement = fmt.Sprintf("x-error-codes: %s is answered with status %d and the Error body (example %s)", entry.Code, entry.Status, entry.Example)
		c.Needs = errorCodeNeeds(entry, states)
		if entry.Trigger == spec.TriggerThrottle {
			throttled = append(throttled, c)
			continue
		}
		all = append(all, c)
	}
	all = append(all, negativeChecks()...)
	all = append(all, idempotencyChecks()...)
	all = append(all, signatureChecks()...)
	all = append(all, stateChecks(states)...)
	all = append(all, formatChecks()...)
	all = append(all, negotiationChecks()...)
	all = append(all, negotiationOrderChecks()...)
	all = append(all, shapeChecks()...)
	all = append(all, signatureWireChecks()...)
	all = append(all, throttled...)
	all = append(all, flowChecks()...)
	all = append(all, coverageCheck())
	seen := map[string]bool{}
	for i, c := range all {
		if seen[c.ID] {
			return nil, fmt.Errorf("contract: two checks are named %q", c.ID)
		}
		seen[c.ID] = true
		all[i].Labels = withGroupLabel(c)
	}
	return all, nil
}

// withGroupLabel returns c's labels with its group first.
func withGroupLabel(c Check) []string {
	labels := []string{c.Group()}
	for _, l := range c.Labels {
		if l != c.Group() {
			labels = append(labels, l)
		}
	}
	return labels
}

// errorCodeNeeds is what provoking entry's code needs from the target, by its trigger.
func errorCodeNeeds(entry spec.ErrorCode, states *spec.StateTable) Needs {
	switch entry.Trigger {
	case spec.TriggerInstanceStatus, spec.TriggerRepeatInterrupt:
		n := Needs{Instances: map[Status]int{}}
		for _, row := range states.Rows() {
			if row.Code == entry.Code {
				n.Instances[row.From]++
			}
		}
		return n
	case spec.TriggerTokenReuse:
		n := Needs{Instances: map[Status]int{}}
		for _, row := range states.Rows() {
			if row.Succeeds() {
				n.Instances[row.From]++
				n.Instances[row.To]++
			}
		}
		return n
	case spec.TriggerThrottle:
		return Needs{Throttling: true}
	case spec.TriggerMissingSignature, spec.TriggerBadSignature, spec.TriggerNonceReplay,
		spec.TriggerStaleDate, spec.TriggerUnknownAccessKey, spec.TriggerSTSMismatch:
		return Needs{Credentials: true}
	}
	return Needs{}
}

// Labels returns every label the checks carry, sorted.
func Labels() ([]string, error) {
	all, err := checks()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range all {
		for _, l := range c.Labels {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	sort.Strings(out)
	return out, nil
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
		return skipMissing("the target has no credentials, so signatures cannot be exercised", Needs{Credentials: true})
	}
	return nil
}

// interrupt sends one signed JSON interrupt of id with token.
func (e *Env) interrupt(ctx context.Context, id, token string) (*answer, error) {
	return e.do(ctx, call{id: id, token: token})
}
