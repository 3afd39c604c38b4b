package client

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/spec"
)

// The client carries the document's facts as generated Go (errors_gen.go, document_gen.go) so
// that it needs no OpenAPI package at run time. These tests read the document through spec and
// fail when the generated data has drifted from it, that is when `go generate ./client/` was not
// run after the document changed.

func TestGeneratedCatalogue(t *testing.T) {
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	codes := cat.Codes()
	if len(catalogue) != len(codes) {
		t.Fatalf("the generated catalogue has %d entries, the document %d", len(catalogue), len(codes))
	}
	for i, e := range codes {
		got := catalogue[i]
		want := catalogueEntry{code: Code(e.Code), status: e.Status, retryable: e.Retryable, message: e.Message}
		if got != want {
			t.Errorf("entry %d: generated %+v, the document %+v", i, got, want)
		}
	}
}

func TestGeneratedDocumentFacts(t *testing.T) {
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	if operationID != spec.OperationID {
		t.Errorf("operationID %q, the document %q", operationID, spec.OperationID)
	}
	if _, err := spec.Operation(doc); err != nil {
		t.Fatal(err)
	}
	if got := wire.PathPrefix + "{InstanceId}" + wire.PathSuffix; got != spec.Path || doc.Paths.Find(got) == nil {
		t.Errorf("the path %q is not the document's %q", got, spec.Path)
	}
	op, _ := spec.Operation(doc)
	if op.Responses.Status(200).Value.Content.Get(mediaTypeJSON) == nil || mediaTypeJSON != spec.MediaTypeJSON {
		t.Errorf("mediaTypeJSON %q is not the 200 response's JSON media type", mediaTypeJSON)
	}
	token := doc.Components.Schemas["ClientToken"].Value
	if token.MaxLength == nil || *token.MaxLength != clientTokenMaxLength || token.Pattern != clientTokenPattern {
		t.Errorf("ClientToken rules maxLength %d pattern %q; the document's schema maxLength %v pattern %q",
			clientTokenMaxLength, clientTokenPattern, deref(token.MaxLength), token.Pattern)
	}
}

func deref(p *uint64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestLightDependencies keeps the OpenAPI and YAML toolchain out of the client's run-time
// dependencies: what it needs from the document is generated.
func TestLightDependencies(t *testing.T) {
	// go test puts its own go first on PATH.
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list is not available: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"kin-openapi", "yaml", "jsonschema", "es-openapi/interrupt/spec", "golang.org/x/text/"} {
			if strings.Contains(pkg, banned) && !strings.HasPrefix(pkg, "vendor/") {
				t.Errorf("the client depends on %s", pkg)
			}
		}
	}
}
