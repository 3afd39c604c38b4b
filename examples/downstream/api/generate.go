// Package api holds the types and server interface this repository generates from the
// InterruptElasticsearchTask document. The document is found through the module graph (go list),
// so it is always the version go.mod pins, never a copy.
package api

//go:generate sh -c "go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config cfg.yaml \"$(go list -m -f '{{.Dir}}' github.com/es-openapi/interrupt)/spec/openapi.yaml\""
