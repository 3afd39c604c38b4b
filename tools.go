//go:build tools

// Package tools lists the tools this module pins: the code generator that `go generate` runs and
// the Ginkgo CLI the Makefile runs. Their versions live in go.mod, whose tool directives let
// `go tool NAME` run them; this file keeps the list readable where build tooling still looks for
// the tools.go convention.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/onsi/ginkgo/v2/ginkgo"
)
