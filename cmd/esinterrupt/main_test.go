package main

import (
	"context"
	"io"
	"os"
	"testing"
)

// TestMain keeps credentials-go from asking an ECS metadata service: a profile of a mode that
// would is never read in these tests, and none may reach beyond loopback if it were.
func TestMain(m *testing.M) {
	_ = os.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	os.Exit(m.Run())
}

// runInterrupt runs `esinterrupt interrupt args...` in-process.
func runInterrupt(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return run(ctx, append([]string{"interrupt"}, args...), getenv, stdout, stderr)
}

// runServe runs `esinterrupt serve args...` in-process.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return run(ctx, append([]string{"serve"}, args...), getenv, stdout, stderr)
}
