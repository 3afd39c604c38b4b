package spec

import (
	"errors"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// StateTableExtension is the operation extension that holds the instance state machine.
const StateTableExtension = "x-state-table"

// InstanceStatus is the status of an Elasticsearch instance: the statuses DescribeInstance
// reports, plus suspended, the status an interrupted instance is left in.
type InstanceStatus string

// The statuses the state table names, as the service spells them. Only StatusActivating can be
// interrupted.
const (
	// StatusActive is a running instance with no change in progress.
	StatusActive InstanceStatus = "active"
	// StatusActivating is an instance applying a change (the product page's "initializing").
	StatusActivating InstanceStatus = "activating"
	// StatusInactive is a stopped or frozen instance.
	StatusInactive InstanceStatus = "inactive"
	// StatusInvalid is an instance in an error state.
	StatusInvalid InstanceStatus = "invalid"
	// StatusSuspended is an instance whose change was interrupted.
	StatusSuspended InstanceStatus = "suspended"
	// StatusUnknown is an instance whose status the service cannot tell (DescribeInstance enum).
	StatusUnknown InstanceStatus = "unknown"
)

// Transition is one row of the state table: an interrupt of an instance in status From answers
// Code ("" for the success: 200 with Result true) and leaves it in status To.
type Transition struct {
	From InstanceStatus `json:"from"`
	Code string         `json:"code,omitempty"`
	To   InstanceStatus `json:"to"`
	// Source names the public material the row comes from.
	Source string `json:"source,omitempty"`
	// Inferred marks a row (or the part of it Source does not cover) as this project's
	// inference; Reason says why.
	Inferred bool   `json:"inferred,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Succeeds reports whether the row is the successful interrupt.
func (t Transition) Succeeds() bool { return t.Code == "" }

// StateTable is the operation's state machine, in document order.
type StateTable struct {
	rows   []Transition
	byFrom map[InstanceStatus]int
}

// Rows returns the table's rows in document order. The slice is a copy.
func (t *StateTable) Rows() []Transition {
	return append([]Transition(nil), t.rows...)
}

// Statuses returns every status the table knows, in document order.
func (t *StateTable) Statuses() []InstanceStatus {
	out := make([]InstanceStatus, len(t.rows))
	for i, r := range t.rows {
		out[i] = r.From
	}
	return out
}

// Interrupt returns the row for an instance in status from; ok is false for a status the table
// does not know.
func (t *StateTable) Interrupt(from InstanceStatus) (Transition, bool) {
	i, ok := t.byFrom[from]
	if !ok {
		return Transition{}, false
	}
	return t.rows[i], true
}

// ParseStatus returns the status spelled s, if the table knows it.
func (t *StateTable) ParseStatus(s string) (InstanceStatus, error) {
	st := InstanceStatus(s)
	if _, ok := t.byFrom[st]; !ok {
		return "", fmt.Errorf("spec: unknown instance status %q (want one of %v)", s, t.Statuses())
	}
	return st, nil
}

var loadedStates = loadOnce(StateTableOf)

// LoadStateTable returns the state table of the embedded document, read once and shared.
func LoadStateTable() (*StateTable, error) {
	return loadedStates()
}

// StateTableOf reads and checks the state table of doc: one row per status, exactly one
// successful row, every code in the catalogue, every target status a row of its own.
func StateTableOf(doc *openapi3.T) (*StateTable, error) {
	var rows []Transition
	if err := decodeExtension(doc, StateTableExtension, &rows); err != nil {
		return nil, err
	}
	catalogue, err := CatalogueOf(doc)
	if err != nil {
		return nil, err
	}
	t := &StateTable{rows: rows, byFrom: make(map[InstanceStatus]int, len(rows))}
	var errs []error
	successes := 0
	for i, r := range rows {
		if r.From == "" || r.To == "" {
			errs = append(errs, fmt.Errorf("spec: %s[%d]: from and to are required", StateTableExtension, i))
		}
		if err := checkProvenance(r.Source, r.Inferred, r.Reason); err != nil {
			errs = append(errs, fmt.Errorf("spec: %s[%d]: %w", StateTableExtension, i, err))
		}
		if _, dup := t.byFrom[r.From]; dup {
			errs = append(errs, fmt.Errorf("spec: %s: status %q has two rows", StateTableExtension, r.From))
		}
		t.byFrom[r.From] = i
		if r.Succeeds() {
			successes++
		} else if _, ok := catalogue.Lookup(r.Code); !ok {
			errs = append(errs, fmt.Errorf("spec: %s[%d]: code %q is not in %s", StateTableExtension, i, r.Code, ErrorCodesExtension))
		}
	}
	for i, r := range rows {
		if _, ok := t.byFrom[r.To]; !ok {
			errs = append(errs, fmt.Errorf("spec: %s[%d]: status %q has no row of its own", StateTableExtension, i, r.To))
		}
		if !r.Succeeds() && r.To != r.From {
			errs = append(errs, fmt.Errorf("spec: %s[%d]: a refused interrupt must leave the status as it was", StateTableExtension, i))
		}
	}
	if successes != 1 {
		errs = append(errs, fmt.Errorf("spec: %s has %d successful rows, want exactly one", StateTableExtension, successes))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}
