package server

import (
	"errors"
	"maps"
	"sync"

	"github.com/es-openapi/interrupt/spec"
)

// Status is the status of an Elasticsearch instance. The statuses, and what an interrupt does
// to each, are the document's state table (spec.LoadStateTable); the store applies that table.
type Status = spec.InstanceStatus

// The instance statuses, as the service spells them. Only StatusActivating can be interrupted.
const (
	StatusActive     = spec.StatusActive
	StatusActivating = spec.StatusActivating
	StatusInactive   = spec.StatusInactive
	StatusInvalid    = spec.StatusInvalid
	StatusSuspended  = spec.StatusSuspended
	StatusUnknown    = spec.StatusUnknown
)

// ErrInvalidStatus is returned (wrapped) for a string that is not one of the statuses; it is
// spec.ErrUnknownStatus, so errors.Is matches either.
var ErrInvalidStatus = spec.ErrUnknownStatus

// ErrInvalidInstanceID is returned (wrapped) for an instance id the document's InstanceId schema
// rejects.
var ErrInvalidInstanceID = errors.New("server: invalid instance id")

// store is the in-memory instance table. One mutex guards it: every operation is a map access,
// so the lock is held for nanoseconds and never across I/O.
type store struct {
	table *spec.StateTable

	mu        sync.RWMutex
	instances map[string]Status
}

func newStore(table *spec.StateTable) *store {
	return &store{table: table, instances: make(map[string]Status)}
}

// known reports whether st is a status of the state table.
func (s *store) known(st Status) bool {
	_, ok := s.table.Interrupt(st)
	return ok
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

// remove deletes id and returns the status it had.
func (s *store) remove(id string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.instances[id]
	delete(s.instances, id)
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

// interrupt applies the state table to instance id atomically and returns the row it applied;
// found is false when there is no such instance.
func (s *store) interrupt(id string) (row spec.Transition, found bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.instances[id]
	if !ok {
		return spec.Transition{}, false
	}
	// put admits only statuses of the table, so the row exists.
	row, _ = s.table.Interrupt(st)
	s.instances[id] = row.To
	return row, true
}
