package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/spec"
)

// TestCommittedFileIsFresh fails when the committed client/document_gen.go or
// internal/wire/path_gen.go is not what the generator makes from the current document, that is
// when `go generate ./...` was not run.
func TestCommittedFileIsFresh(t *testing.T) {
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	facts, err := Read(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		generate func(string, Facts) ([]byte, error)
		pkg      string
		file     []string
	}{
		{Generate, "client", []string{"client", "document_gen.go"}},
		{GenerateWire, "wire", []string{"internal", "wire", "path_gen.go"}},
	} {
		want, err := c.generate(c.pkg, facts)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(c.file...)
		got, err := os.ReadFile(filepath.Join(append([]string{"..", "..", ".."}, c.file...)...))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s is stale: run go generate ./...", name)
		}
	}
}

func TestReadRefusesADocumentWithoutTheFacts(t *testing.T) {
	doc, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	doc.Components.Schemas["ClientToken"].Value.Pattern = "["
	if _, err := Read(doc); err == nil || !strings.Contains(err.Error(), "pattern") {
		t.Errorf("a ClientToken pattern that is no regexp: err = %v", err)
	}
	doc.Components.Schemas["ClientToken"].Value.MaxLength = nil
	if _, err := Read(doc); err == nil {
		t.Error("a ClientToken schema without maxLength: want an error")
	}
	item := doc.Paths.Find(spec.Path)
	item.Post.OperationID = "Other"
	if _, err := Read(doc); err == nil {
		t.Error("a document without the operation: want an error")
	}
}

func TestRunWritesOnlyOnChange(t *testing.T) {
	out := filepath.Join(t.TempDir(), "document_gen.go")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-o", out}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	first, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	old := first.ModTime().Add(-3600e9)
	if err := os.Chtimes(out, old, old); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-o", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if second, err := os.Stat(out); err != nil || !second.ModTime().Equal(old) {
		t.Error("a second run rewrote an up-to-date file")
	}
	if err := run([]string{"extra"}, &stdout, &stderr); err == nil {
		t.Error("run with a positional argument: want an error")
	}
}
