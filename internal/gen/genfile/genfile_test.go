package genfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	var stdout bytes.Buffer
	if err := Write("", &stdout, []byte("src")); err != nil || stdout.String() != "src" {
		t.Fatalf("to stdout: %q, %v", stdout.String(), err)
	}
	path := filepath.Join(t.TempDir(), "x.go")
	if err := Write(path, nil, []byte("one")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, nil, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(old) {
		t.Fatalf("the same content rewrote the file: %v, %v", fi.ModTime(), err)
	}
	if err := Write(path, nil, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "two" {
		t.Fatalf("content %q, want two", got)
	}
}
