//go:build tools

// Package tools pins the code generator and test runner that `go generate` and the Makefile run,
// so `go run` and `go install` use the versions in go.mod.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/onsi/ginkgo/v2/ginkgo"
)
