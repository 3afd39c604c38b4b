package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/spec"
)

func TestSentinelName(t *testing.T) {
	tests := []struct {
		code, want string
		wantErr    bool
	}{
		{code: "InstanceNotFound", want: "ErrInstanceNotFound"},
		{code: "Throttling.User", want: "ErrThrottlingUser"},
		{code: "Throttling.Api", want: "ErrThrottlingAPI"},
		{code: "InvalidAccessKeyId.NotFound", want: "ErrInvalidAccessKeyIDNotFound"},
		{code: "InvalidSecurityToken.MismatchWithAccessKey", want: "ErrInvalidSecurityTokenMismatchWithAccessKey"},
		{code: "IdempotentParameterMismatch", want: "ErrIdempotentParameterMismatch"},
		{code: "HTTPServerError", want: "ErrHTTPServerError"},
		{code: "invalidUrl", want: "ErrInvalidURL"},
		{code: "Sts2Token", want: "ErrSts2Token"},
		{code: "", wantErr: true},
		{code: "A..B", wantErr: true},
		{code: "Bad-Code", wantErr: true},
		{code: "Bad Code", wantErr: true},
	}
	for _, tt := range tests {
		got, err := SentinelName(tt.code)
		if tt.wantErr {
			if err == nil {
				t.Errorf("SentinelName(%q) = %q, want an error", tt.code, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("SentinelName(%q) = %q, %v; want %q", tt.code, got, err, tt.want)
		}
	}
}

func TestGenerateRejectsCollisions(t *testing.T) {
	codes := []spec.ErrorCode{{Code: "A.B", Meaning: "x"}, {Code: "AB", Meaning: "y"}}
	if _, err := Generate("client", codes); err == nil || !strings.Contains(err.Error(), "both map") {
		t.Fatalf("Generate with colliding names: err = %v, want a collision error", err)
	}
	if _, err := Generate("client", nil); err == nil {
		t.Fatal("Generate(nil): want an error")
	}
}

// TestCommittedFileIsFresh fails when the committed client/errors_gen.go is not what the
// generator makes from the current document, that is when `go generate ./client/` was not run.
func TestCommittedFileIsFresh(t *testing.T) {
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate("client", cat.Codes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "..", "client", "errors_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("client/errors_gen.go is stale: run go generate ./client/")
	}
	if !bytes.HasPrefix(want, []byte("// Code generated ")) || !bytes.Contains(want, []byte(" DO NOT EDIT.\n")) {
		t.Fatal("the generated file lacks the standard generated-code line")
	}
}

func TestRunWritesOnlyOnChange(t *testing.T) {
	out := filepath.Join(t.TempDir(), "errors_gen.go")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-o", out}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	first, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	// Make the file look old; an unchanged second run must not rewrite it.
	old := first.ModTime().Add(-3600e9)
	if err := os.Chtimes(out, old, old); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-o", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	second, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if !second.ModTime().Equal(old) {
		t.Error("a second run rewrote an up-to-date file")
	}
	if err := run([]string{"extra"}, &stdout, &stderr); err == nil {
		t.Error("run with a positional argument: want an error")
	}
	stdout.Reset()
	if err := run(nil, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "ErrInstanceNotFound Code = \"InstanceNotFound\"") {
		t.Errorf("run without -o: err %v, output lacks ErrInstanceNotFound", err)
	}
}
