// Command esinterrupt calls, serves and verifies Alibaba Cloud Elasticsearch's
// InterruptElasticsearchTask operation:
//
//	esinterrupt interrupt INSTANCE_ID [flags]   call the operation with the typed client
//	esinterrupt serve [flags]                   run the reference server
//	esinterrupt verify [flags]                  run the contract checks against a server
//	esinterrupt spec                            print the OpenAPI document
//	esinterrupt version                         print the module version (also --version)
//	esinterrupt completion bash|zsh|fish|powershell
//
// Run 'esinterrupt help COMMAND' (or COMMAND --help) for a command's flags and exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/es-openapi/interrupt/internal/version"
	"github.com/es-openapi/interrupt/spec"
)

// Exit codes shared by every command.
const (
	exitOK          = 0
	exitFail        = 1   // the operation or a check failed
	exitUsage       = 2   // bad flags, arguments or credentials; nothing was sent
	exitUnreachable = 3   // verify: no response from the target (connection, DNS, TLS, timeout), or a redirect; no check ran
	exitCredentials = 4   // verify: the target refused the signature (or needs one); no check ran
	exitInterrupted = 130 // verify: stopped by SIGINT or SIGTERM (128+SIGINT, the shell's convention)
)

// exitCodesHelp is the exit-code section of the top-level help; the README's table repeats it.
const exitCodesHelp = `exit codes:
  0  success
  1  the call, a check or the server failed
  2  bad flags, arguments or credentials; nothing was sent
  3  verify: the target cannot be reached; no check ran
  4  verify: the target refused the credentials, or needs some; no check ran
  130  verify: interrupted by SIGINT or SIGTERM; the finished checks are reported
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// app is what every command shares: the environment lookup and the output streams, so that tests
// run the whole command line in-process.
type app struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// exitError ends a command with a status; its message, when not empty, is printed by run.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// reported is an exit status whose message the command has already written.
func reported(code int) error { return &exitError{code: code} }

// exitf is an exit error with status code and a formatted message.
func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// run parses args, runs the command they name and returns its exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	a := &app{getenv: getenv, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(stderr, "%s: %s\n", cmd.CommandPath(), oneMessage(ee.msg))
		}
		return ee.code
	}
	// cobra's own errors: an unknown command or flag, a bad flag value, wrong arguments.
	if cmd.Name() == "interrupt" && wantsJSON(args) {
		writeJSON(stdout, failureJSON{Error: failureUsage, Message: oneMessage(err.Error()), ExitCode: exitUsage})
		return exitUsage
	}
	fmt.Fprintf(stderr, "%s: %s\nrun '%s --help' for usage\n", cmd.CommandPath(), oneMessage(err.Error()), cmd.CommandPath())
	return exitUsage
}

// writeUsage writes a command's help, which is also its usage: the usage line, the description
// with its exit codes, the commands and the flags, in one style (--flag). It is Go rather than a
// cobra template: text/template's reflection would keep the linker from dropping unused methods.
func writeUsage(w io.Writer, c *cobra.Command) {
	var b strings.Builder
	b.WriteString("usage: ")
	if c.Runnable() {
		b.WriteString(c.UseLine())
		if c.HasAvailableSubCommands() {
			b.WriteString("\n       ")
		}
	}
	if c.HasAvailableSubCommands() {
		b.WriteString(c.CommandPath() + " COMMAND [flags]")
	}
	b.WriteString("\n")
	if long := strings.TrimRight(c.Long, " \n"); long != "" {
		b.WriteString("\n" + long + "\n")
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\ncommands:\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "  %-*s %s\n", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		b.WriteString("\nflags:\n" + strings.TrimRight(c.LocalFlags().FlagUsages(), " \n") + "\n")
	}
	if c.HasAvailableInheritedFlags() {
		b.WriteString("\nglobal flags:\n" + strings.TrimRight(c.InheritedFlags().FlagUsages(), " \n") + "\n")
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nRun '" + c.CommandPath() + " help COMMAND' for a command's flags and exit codes.\n")
	}
	_, _ = io.WriteString(w, b.String())
}

// rootCommand builds the command tree.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "esinterrupt",
		Short: "Call, serve and verify InterruptElasticsearchTask",
		Long: "Calls Alibaba Cloud Elasticsearch's InterruptElasticsearchTask, runs a reference server of it and\n" +
			"verifies a server or client against its OpenAPI document.\n\n" + exitCodesHelp,
		Version:       version.Module(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// Without a command: the help on stderr and exit 2, as for any other usage error.
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return reported(exitUsage)
		},
	}
	root.SetUsageFunc(func(c *cobra.Command) error {
		writeUsage(c.OutOrStderr(), c)
		return nil
	})
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeUsage(c.OutOrStdout(), c) })
	root.AddCommand(a.interruptCommand(), a.serveCommand(), a.verifyCommand(), a.specCommand(), a.versionCommand())
	root.SetHelpCommand(a.helpCommand())
	// cobra's completion command is not runnable, so "completion nosh" would print its help and
	// exit 0; runnable, an unknown shell is an unknown command (exit 2).
	// The completion scripts are written to the output set now.
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.RunE = func(c *cobra.Command, _ []string) error {
				c.SetOut(a.stderr)
				_ = c.Usage()
				return reported(exitUsage)
			}
		}
	}
	return root
}

// helpCommand is cobra's help command, except that an unknown topic is a usage error (exit 2).
func (a *app) helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			target, _, err := c.Root().Find(args)
			if err != nil || target == nil {
				return &exitError{code: exitUsage, msg: fmt.Sprintf("unknown help topic %q: run '%s help' for the commands", strings.Join(args, " "), c.Root().Name())}
			}
			// As cobra's own help command does, so that the output is the same as --help's.
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

// noArgs refuses positional arguments, naming the first.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	return nil
}

// versionCommand prints the module version, as --version does.
func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the module version (the same as --version)",
		Long:  "Prints this module's version in the binary: a release such as v1.2.0, a pseudo-version,\nor devel for a build inside the repository.",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			// The form of cobra's --version.
			_, err := fmt.Fprintf(a.stdout, "esinterrupt version %s\n", version.Module())
			return err
		},
	}
}

// specCommand prints the embedded OpenAPI document, byte for byte.
func (a *app) specCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "spec",
		Short: "Print the OpenAPI document of this version",
		Long: "Prints the InterruptElasticsearchTask OpenAPI document (YAML) this binary was built from,\n" +
			"byte for byte, to generate code or diff versions: esinterrupt spec > openapi.yaml",
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if _, err := a.stdout.Write(spec.Bytes()); err != nil {
				return &exitError{code: exitFail, msg: err.Error()}
			}
			return nil
		},
	}
}
