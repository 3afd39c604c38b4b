// Package api holds the types and server interface this repository generates from the
// InterruptElasticsearchTask document. The first line writes the document of the
// github.com/es-openapi/interrupt version go.mod pins (openapi.yaml, committed like the code made
// from it, so an upgrade shows the document's changes in review); the second generates from it.
package api

//go:generate go tool esinterrupt-spec -o openapi.yaml
//go:generate go tool oapi-codegen -config cfg.yaml openapi.yaml
