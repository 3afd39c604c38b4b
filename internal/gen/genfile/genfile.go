// Package genfile writes what the code generators under internal/gen produce.
package genfile

import (
	"bytes"
	"io"
	"os"
)

// Write writes src to the file out, or to stdout when out is "". It leaves a file whose content
// is already src untouched, so a second `go generate` keeps its timestamp and the tree exactly
// as it was.
func Write(out string, stdout io.Writer, src []byte) error {
	if out == "" {
		_, err := stdout.Write(src)
		return err
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, src) {
		return nil
	}
	return os.WriteFile(out, src, 0o644)
}
