// Command esinterrupt calls, serves and verifies Alibaba Cloud Elasticsearch's
// InterruptElasticsearchTask operation:
//
//	esinterrupt interrupt INSTANCE_ID [flags]   call the operation with the typed client
//	esinterrupt serve [flags]                   run the reference server
//	esinterrupt verify [flags]                  run the contract checks against a server
//
// Run a subcommand with -h for its flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes shared by every subcommand.
const (
	exitOK          = 0
	exitFail        = 1 // the operation or a check failed
	exitUsage       = 2 // bad flags or arguments; nothing was sent
	exitUnreachable = 3 // verify: no answer from the target (connection, DNS, TLS, timeout); no check ran
	exitCredentials = 4 // verify: the target refused the signature (or needs one); no check ran
)

// commands maps a subcommand name to its entry point. Each entry point takes its arguments, the
// environment lookup and the output streams, so tests run it in-process.
var commands = map[string]func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int{
	"interrupt": runInterrupt,
	"serve":     runServe,
	"verify":    runVerify,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "esinterrupt: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd(ctx, args[1:], getenv, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: esinterrupt <command> [flags]

commands:
  interrupt INSTANCE_ID   call InterruptElasticsearchTask
  serve                   run the reference server
  verify                  run the contract checks (against the embedded server by default)
`)
}
