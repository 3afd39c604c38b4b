package server

import (
	"errors"
	"fmt"
	"maps"
	"sync"
)

// Status is the status of an Elasticsearch instance, as DescribeInstance reports it, plus
// suspended, the status an interrupted instance is left in.
type Status string

// The instance statuses. Only StatusActivating can be interrupted.
const (
	// StatusActive is a running instance with no change in progress.
	StatusActive Status = "active"
	// StatusActivating is an instance applying a change (the product page's "initializing").
	StatusActivating Status = "activating"
	// StatusInactive is a stopped or frozen instance.
	StatusInactive Status = "inactive"
	// StatusInvalid is an instance in an error state.
	StatusInvalid Status = "invalid"
	// StatusSuspended is an instance whose change was interrupted.
	StatusSuspended Status = "suspended"
)

// ErrInvalidStatus is returned (wrapped) for a string that is not one of the statuses.
var ErrInvalidStatus = errors.New("server: invalid instance status")

// ErrInvalidInstanceID is returned (wrapped) for an instance id the document's InstanceId schema
// rejects.
var ErrInvalidInstanceID = errors.New("server: invalid instance id")

// ParseStatus returns the Status spelled s (exactly, lower case as the service spells them).
func ParseStatus(s string) (Status, error) {
	st := Status(s)
	if !st.Valid() {
		return "", fmt.Errorf("%w %q (want active, activating, inactive, invalid or suspended)", ErrInvalidStatus, s)
	}
	return st, nil
}

// Valid reports whether s is one of the five statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusActive, StatusActivating, StatusInactive, StatusInvalid, StatusSuspended:
		return true
	}
	return false
}

// String returns the status as the service spells it.
func (s Status) String() string { return string(s) }

// outcome is what an interrupt did to the store.
type outcome uint8

const (
	outcomeNotFound    outcome = iota // no such instance
	outcomeInterrupted                // activating -> suspended
	outcomeAlready                    // already suspended
	outcomeRefused                    // active, inactive or invalid: nothing to interrupt
)

// store is the in-memory instance table. One mutex guards it: every operation is a map access,
// so the lock is held for nanoseconds and never across I/O.
type store struct {
	mu        sync.RWMutex
	instances map[string]Status
}

func newStore() *store {
	return &store{instances: make(map[string]Status)}
}

// put sets the status of id, creating the instance if needed.
func (s *store) put(id string, st Status) {
	s.mu.Lock()
	s.instances[id] = st
	s.mu.Unlock()
}

// get returns the status of id.
func (s *store) get(id string) (Status, bool) {
	s.mu.RLock()
	st, ok := s.instances[id]
	s.mu.RUnlock()
	return st, ok
}

// snapshot returns a copy of the table.
func (s *store) snapshot() map[string]Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return maps.Clone(s.instances)
}

func (s *store) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.instances)
}

// interrupt applies the transition table atomically: activating becomes suspended; every other
// status is left as it is.
func (s *store) interrupt(id string) outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.instances[id]
	switch {
	case !ok:
		return outcomeNotFound
	case st == StatusActivating:
		s.instances[id] = StatusSuspended
		return outcomeInterrupted
	case st == StatusSuspended:
		return outcomeAlready
	default:
		return outcomeRefused
	}
}
