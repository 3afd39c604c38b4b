package main

import (
	"context"
	"fmt"
	"io"
)

// runVerify is replaced by the real subcommand; until then it refuses to run.
func runVerify(_ context.Context, _ []string, _ func(string) string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "esinterrupt verify: not built yet")
	return exitUsage
}
