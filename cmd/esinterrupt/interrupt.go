package main

import (
	"context"
	"fmt"
	"io"
)

// runInterrupt is replaced by the real subcommand; until then it refuses to run.
func runInterrupt(_ context.Context, _ []string, _ func(string) string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "esinterrupt interrupt: not built yet")
	return exitUsage
}
