// Package spec embeds the hand-written OpenAPI document of Alibaba Cloud Elasticsearch's
// InterruptElasticsearchTask operation and reads the data it carries into typed Go values: the
// validated document, the error-code catalogue (the operation's x-error-codes extension) and the
// response examples.
//
// The document is the single source of that data. The generated types, the client, the reference
// server and the contract suites all read it from here rather than copying it into Go literals.
package spec

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/es-openapi/interrupt/internal/wire"
)

// OperationID is the operationId of the one operation the document describes.
const OperationID = "InterruptElasticsearchTask"

// Path is the operation's path template, generated from this document into its one home,
// internal/wire.
const Path = wire.Path

//go:embed openapi.yaml
var document []byte

// Bytes returns a copy of the document exactly as written, for tools (code generators, linters)
// that want the source rather than the parsed form.
func Bytes() []byte {
	return bytes.Clone(document)
}

// loaded parses and validates the document once per process; the result is immutable afterwards.
var loaded = sync.OnceValues(func() (*openapi3.T, error) { return New() })

// Load returns the parsed and validated document, loaded once and shared by every caller, so it
// must be treated as read-only. A caller that needs to change it (for example to clear `servers`
// before routing) takes its own copy from New.
func Load() (*openapi3.T, error) {
	return loaded()
}

// New parses the embedded document into a fresh *openapi3.T and validates it with example
// validation on. Each call returns a new value the caller may modify.
func New() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("spec: parse openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("spec: validate openapi.yaml: %w", err)
	}
	return doc, nil
}

// OperationRoute returns the operation's route in doc, for openapi3filter's ValidateRequest and
// ValidateResponse when the caller has matched the path itself (no kin-openapi router needed).
func OperationRoute(doc *openapi3.T) (*routers.Route, error) {
	op, err := Operation(doc)
	if err != nil {
		return nil, err
	}
	return &routers.Route{Spec: doc, Path: Path, PathItem: doc.Paths.Find(Path), Method: http.MethodPost, Operation: op}, nil
}

// Operation returns the InterruptElasticsearchTask operation of doc.
func Operation(doc *openapi3.T) (*openapi3.Operation, error) {
	item := doc.Paths.Find(Path)
	if item == nil || item.Post == nil {
		return nil, fmt.Errorf("spec: the document has no POST %s", Path)
	}
	if item.Post.OperationID != OperationID {
		return nil, fmt.Errorf("spec: POST %s has operationId %q, want %q", Path, item.Post.OperationID, OperationID)
	}
	return item.Post, nil
}

// RespondsInXML applies the document's rule `default-format` to a request's Accept values: XML,
// the service's default, unless the client's most specific matching range prefers JSON by quality
// or refuses XML with q=0. A provider written against the document can answer with it.
func RespondsInXML(accept []string) bool { return wire.RespondsInXML(accept) }
