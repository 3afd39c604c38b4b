package server

import (
	"sync"

	"github.com/es-openapi/interrupt/spec"
)

// shared is what every Server reads from the document: the catalogue by code, the XML root
// names, the state table and the request validator (a private copy of the parsed document with
// its route). None of it changes after it is built, so it is built once per process and New
// pays only for the state of its own server.
type shared struct {
	codes     map[string]spec.ErrorCode
	roots     xmlRoots
	states    *spec.StateTable
	validator *validator
}

// loadShared builds the shared part on the first call; every later call returns the same
// value, or the same error.
var loadShared = sync.OnceValues(func() (*shared, error) {
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
	return &shared{codes: codes, roots: roots, states: states, validator: v}, nil
})
