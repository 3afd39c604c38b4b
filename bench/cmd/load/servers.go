package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/bench/internal/fixture"
)

// modulePath is the module whose esinterrupt command is measured.
const modulePath = "github.com/es-openapi/interrupt"

// Bounds of a subprocess's life.
const (
	startTimeout = 30 * time.Second // from start to its listening line
	stopGrace    = 10 * time.Second // from SIGINT to SIGKILL
)

// checkLoopbackURL refuses a target URL whose host is not a loopback address or localhost.
func checkLoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target %q: scheme must be http or https", raw)
	}
	if u.Port() == "" {
		return fmt.Errorf("target %q: give the port", raw)
	}
	return checkLoopbackHost(u.Hostname())
}

// checkLoopbackHostPort refuses a listen address whose host is not loopback.
func checkLoopbackHostPort(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	return checkLoopbackHost(host)
}

// checkLoopbackHost accepts 127.0.0.0/8, ::1 and the name localhost only. Other names are
// refused rather than resolved: what a name resolves to can change between the check and the
// connection.
func checkLoopbackHost(host string) error {
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("host %q is not loopback (127.0.0.0/8, ::1 or localhost): load is only ever sent to this machine", host)
	}
	return nil
}

// buildEsinterrupt builds the module's esinterrupt command into dir and returns its path.
func buildEsinterrupt(ctx context.Context, dir string) (string, error) {
	list := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", modulePath)
	out, err := list.Output()
	if err != nil {
		return "", fmt.Errorf("locate module %s (run from the module or the bench module): %w", modulePath, err)
	}
	root := strings.TrimSpace(string(out))
	bin := filepath.Join(dir, "esinterrupt")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/esinterrupt")
	build.Dir = root
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/esinterrupt: %w\n%s", err, msg)
	}
	return bin, nil
}

// process is a started server.
type process struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the output is drained
}

// addrRe finds the address in a listening line: esinterrupt's slog text ("addr=127.0.0.1:1234")
// and -serve-bare's own line use the same form.
var addrRe = regexp.MustCompile(`\baddr=("?)([^\s"]+)`)

// listenAddr returns the address of a "listening" line, or "".
func listenAddr(line string) string {
	if !strings.Contains(line, "listening") {
		return ""
	}
	if m := addrRe.FindStringSubmatch(line); m != nil {
		return m[2]
	}
	return ""
}

// startServer starts bin with args, waits for the line that says where it listens, checks the
// address is loopback, and keeps draining its output (esinterrupt logs a line per request) so it
// never blocks on a full pipe.
func startServer(ctx context.Context, bin string, env []string, args ...string) (*process, error) {
	p, out, err := spawn(ctx, bin, env, args)
	if err != nil {
		return nil, err
	}
	found := make(chan string, 1) // buffered: drain never blocks, even when nobody waits any more
	go p.drain(out, found)
	addr, err := awaitListening(ctx, found)
	if err == nil {
		err = checkLoopbackHostPort(addr)
	}
	if err != nil {
		p.stop()
		return nil, err
	}
	p.url = "http://" + addr
	return p, nil
}

// spawn starts bin with args and env added to this process's environment, its standard output
// and error on one pipe, and returns the process and the pipe's read end.
func spawn(ctx context.Context, bin string, env, args []string) (*process, *os.File, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopGrace
	if err := cmd.Start(); err != nil {
		_ = pr.Close()
		_ = pw.Close()
		return nil, nil, err
	}
	_ = pw.Close() // the child holds its own copy
	return &process{cmd: cmd, done: make(chan struct{})}, pr, nil
}

// drain sends on found the listening address from out, or "error: " and the first lines of
// output when it ends first, then reads out to its end.
func (p *process) drain(out *os.File, found chan<- string) {
	defer close(p.done)
	defer out.Close()
	found <- scanListening(out)
	_, _ = io.Copy(io.Discard, out)
}

// scanListening reads lines from r up to the listening line and returns its address; when the
// output ends first, it returns "error: " and the first 20 lines.
func scanListening(r io.Reader) string {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var head []string
	for sc.Scan() {
		if addr := listenAddr(sc.Text()); addr != "" {
			return addr
		}
		if len(head) < 20 {
			head = append(head, sc.Text())
		}
	}
	return "error: " + strings.Join(head, "\n")
}

// awaitListening waits at most startTimeout for drain's report and returns the address, or an
// error with the output of a process that exited before listening.
func awaitListening(ctx context.Context, found <-chan string) (string, error) {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	var addr string
	select {
	case addr = <-found:
	case <-timer.C:
	case <-ctx.Done():
	}
	switch {
	case addr == "":
		return "", fmt.Errorf("no listening line within %s", startTimeout)
	case strings.HasPrefix(addr, "error: "):
		return "", errors.New("it exited before listening; its output: " + strings.TrimPrefix(addr, "error: "))
	}
	return addr, nil
}

// stop interrupts the process (graceful shutdown), kills it after stopGrace, and waits.
func (p *process) stop() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		waited := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(stopGrace):
			_ = p.cmd.Process.Kill()
			<-waited
		}
	}
	<-p.done
}

// serveBare serves the bare handler on addr until ctx ends: the reference server's
// InstanceNotFound bytes for every request, written by a plain net/http server.
func serveBare(ctx context.Context, addr string, stdout io.Writer) error {
	answers, err := fixture.NotFound()
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: fixture.Handler(answers), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening addr=%s\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdownCtx)
	<-served
	return err
}
