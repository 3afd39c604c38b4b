package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/spec"
)

func TestWritesTheDocument(t *testing.T) {
	want := spec.Bytes()
	if len(want) == 0 {
		t.Fatal("the embedded document is empty")
	}

	var stdout, stderr bytes.Buffer
	if code := run(nil, &stdout, &stderr); code != 0 || !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("to stdout: exit %d, %d bytes (want %d), stderr %q", code, stdout.Len(), len(want), stderr.String())
	}

	file := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(file, []byte("old, longer content than nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run([]string{"-o", file}, &stdout, &stderr); code != 0 {
		t.Fatalf("-o: exit %d, stderr %q", code, stderr.String())
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || stdout.Len() != 0 {
		t.Errorf("-o: the file holds %d bytes (want %d), stdout %d bytes (want 0)", len(got), len(want), stdout.Len())
	}
}

func TestUsageAndWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"extra argument", []string{"openapi.yaml"}, 2, `unexpected argument "openapi.yaml"`},
		{"unknown flag", []string{"-x"}, 2, "flag provided but not defined"},
		{"help", []string{"-h"}, 0, "usage: esinterrupt-spec"},
		{"unwritable file", []string{"-o", filepath.Join(t.TempDir(), "no", "such", "dir.yaml")}, 1, "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
				t.Errorf("exit %d (want %d), stderr %q (want %q), stdout %d bytes", code, tc.code, stderr.String(), tc.want, stdout.Len())
			}
		})
	}
}
