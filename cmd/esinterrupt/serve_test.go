package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/gen/models"
)

const (
	serveKeyID  = "LTAI5tServeKey"
	serveSecret = "serve-secret-never-logged"
)

// serveLog is the command's stderr: safe for the server's goroutines to write while the test
// reads, and it hands over the listen address from the "listening" line.
type serveLog struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	sent bool
}

var listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

func newServeLog() *serveLog { return &serveLog{addr: make(chan string, 1)} }

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.sent {
		if m := listeningLine.FindSubmatch(p); m != nil {
			l.addr <- string(m[1])
			l.sent = true
		}
	}
	return l.buf.Write(p)
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startServe runs `esinterrupt serve args...` in-process and returns the address it listens on
// and a stop function that cancels its context and returns its exit code.
func startServe(t *testing.T, args ...string) (addr string, log *serveLog, stop func() int) {
	t.Helper()
	return startServeEnv(t, func(string) string { return "" }, args...)
}

// startServeEnv is startServe with the environment getenv.
func startServeEnv(t *testing.T, getenv func(string) string, args ...string) (addr string, log *serveLog, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = newServeLog()
	done := make(chan int, 1)
	go func() { done <- runServe(ctx, args, getenv, io.Discard, log) }()
	select {
	case addr = <-log.addr:
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d before listening:\n%s", code, log)
	}
	var once sync.Once
	var code int
	stop = func() int {
		once.Do(func() {
			cancel()
			// A failsafe so a broken shutdown fails the test instead of hanging it; the command
			// itself bounds its shutdown by shutdownGrace.
			select {
			case code = <-done:
			case <-time.After(2 * shutdownGrace):
				t.Fatalf("serve did not return after its context was cancelled:\n%s", log)
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return addr, log, stop
}

func TestServeRespondsToClientsAndStops(t *testing.T) {
	addr, log, stop := startServe(t,
		"--addr", "127.0.0.1:0",
		"--access-key-id", serveKeyID, "--access-key-secret", serveSecret,
		"--instance", "es-cn-json=activating",
		"--instance", "es-cn-xml=activating",
		"--instance", "es-cn-roa=activating",
		"--instance", "es-cn-busy=active",
		"--admin",
		"--idempotency-ttl", "1m",
		"--throttle", "1000/s",
	)
	base := "http://" + addr
	ctx := context.Background()

	newClient := func(f client.Format, sig client.SignatureVersion) *client.Client {
		t.Helper()
		c, err := client.New(client.Config{
			Endpoint:    base,
			Credentials: client.StaticCredentials{AccessKeyID: serveKeyID, AccessKeySecret: serveSecret},
			Format:      f,
			Signature:   sig,
			Retry:       client.RetryPolicy{MaxAttempts: 1},
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	for _, tc := range []struct {
		id  string
		c   *client.Client
		ctt string
	}{
		{"es-cn-json", newClient(client.FormatJSON, client.SignatureV3), "application/json"},
		{"es-cn-xml", newClient(client.FormatXML, client.SignatureV3), "text/xml;charset=utf-8"},
		{"es-cn-roa", newClient(client.FormatJSON, client.SignatureROA), "application/json"},
	} {
		res, err := tc.c.InterruptElasticsearchTask(ctx, tc.id, &client.InterruptOptions{ClientToken: "tok-" + tc.id})
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		if !res.Result || res.HTTPStatus != http.StatusOK || res.Header.Get("Content-Type") != tc.ctt {
			t.Errorf("%s: result %v, status %d, Content-Type %q", tc.id, res.Result, res.HTTPStatus, res.Header.Get("Content-Type"))
		}
	}

	c := newClient(client.FormatJSON, client.SignatureV3)
	if _, err := c.InterruptElasticsearchTask(ctx, "es-cn-missing", nil); !errors.Is(err, client.ErrInstanceNotFound) {
		t.Errorf("unknown instance: %v, want InstanceNotFound", err)
	}
	if _, err := c.InterruptElasticsearchTask(ctx, "es-cn-busy", nil); !errors.Is(err, client.Code("InstanceStatusNotSupportCurrentAction")) {
		t.Errorf("active instance: %v, want InstanceStatusNotSupportCurrentAction", err)
	}

	// Unsigned requests are refused; the admin API needs no signature.
	unsigned, err := http.NewRequest(http.MethodPost, base+"/openapi/instances/es-cn-json/actions/interrupt", nil)
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Header.Set("Accept", "application/json") // without it the response is XML, the service's default
	res, err := http.DefaultClient.Do(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	var e models.Error
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil || res.StatusCode != http.StatusBadRequest || e.Code != "IncompleteSignature" {
		t.Errorf("unsigned: %d %+v %v", res.StatusCode, e, err)
	}
	res.Body.Close()
	res, err = http.Get(base + "/-/admin/instances/es-cn-json")
	if err != nil {
		t.Fatal(err)
	}
	var inst struct{ Status string }
	if err := json.NewDecoder(res.Body).Decode(&inst); err != nil || inst.Status != "suspended" {
		t.Errorf("admin: %d %+v %v", res.StatusCode, inst, err)
	}
	res.Body.Close()

	if code := stop(); code != exitOK {
		t.Errorf("exit code %d, want %d", code, exitOK)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still listening after shutdown")
	}
	out := log.String()
	for _, want := range []string{"msg=listening", "msg=request", "status=200", "code=InstanceNotFound", "access_key_id=" + serveKeyID, "msg=stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{serveSecret, "Signature=", "tok-es-cn-json"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestServeShutsDownWithAnIdleConnection(t *testing.T) {
	addr, _, stop := startServe(t, "--addr", "127.0.0.1:0")
	// An idle keep-alive connection must not hold the shutdown up.
	res, err := http.Post("http://"+addr+"/openapi/instances/es-cn-1/actions/interrupt", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400 InstanceNotFound", res.StatusCode)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
}

func TestServeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--nope"},
		{"extra"},
		{"--instance", "es-1"},
		{"--instance", "es-1=paused"},
		{"--instance", "=active"},
		{"--instance", "bad id=active"},
		{"--instance", "es-1=active", "--instance", "es-1=invalid"},
		{"--access-key-id", "ak"},
		{"--access-key-secret", "sk"},
		{"--security-token", "t"},
		{"--max-conns", "0"},
		{"--throttle", "fast"},
		{"--throttle", "0/s"},
		{"--throttle", "-1"},
		{"--idempotency-ttl", "0s"},
		{"--idempotency-ttl", "soon"},
	} {
		// A cancelled context: were the arguments wrongly accepted, serve would fail to listen
		// (exitFail) rather than run forever.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stderr bytes.Buffer
		code := runServe(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, io.Discard, &stderr)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
		if strings.Contains(stderr.String(), "listening") {
			t.Errorf("%q: listened despite the usage error", args)
		}
	}
}

func TestServeHelpAndListenFailure(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runServe(context.Background(), []string{"-h"}, func(string) string { return "" }, &stdout, &stderr); code != exitOK {
		t.Errorf("-h: exit %d", code)
	}
	if !strings.Contains(stdout.String(), "--instance ID=STATUS") || !strings.Contains(stdout.String(), "count=0, the default, never spends it") {
		t.Errorf("-h prints no usage, or does not say what count=0 means:\n%s", stdout.String())
	}
	stderr.Reset()
	if code := runServe(context.Background(), []string{"--addr", ""}, func(string) string { return "" }, io.Discard, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--addr is empty") {
		t.Errorf(`--addr "": exit %d, want %d\n%s`, code, exitUsage, stderr.String())
	}

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	stderr.Reset()
	if code := runServe(context.Background(), []string{"--addr", taken.Addr().String()}, func(string) string { return "" }, io.Discard, &stderr); code != exitFail {
		t.Errorf("address in use: exit %d, want %d\n%s", code, exitFail, stderr.String())
	}
}

func TestServeThroughRun(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--throttle", "x"}, func(string) string { return "" }, io.Discard, &stderr); code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
}

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// signedCall makes one call signed with creds and returns its error.
func signedCall(t *testing.T, addr string, creds client.StaticCredentials) error {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: "http://" + addr, Credentials: creds, Retry: client.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.InterruptElasticsearchTask(context.Background(), "es-cn-creds", nil)
	return err
}

// TestServeReadsCredentialsLikeTheClient: the environment and the file are the ways in, the flags
// a fallback that warns; whichever is used, the secret and the token never reach the output.
func TestServeReadsCredentialsLikeTheClient(t *testing.T) {
	const (
		id     = "LTAI5tEnvKey"
		secret = "env-secret-never-printed"
		token  = "sts-token-never-printed"
	)
	good := client.StaticCredentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}
	file := filepath.Join(t.TempDir(), "credentials")
	content := "# serve's key\n" + client.EnvAccessKeyID + "=" + id + "\n\n" +
		client.EnvAccessKeySecret + " = " + secret + "\n" + client.EnvSecurityToken + "=" + token + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		getenv  func(string) string
		args    []string
		warning bool
	}{
		{"environment", env(map[string]string{client.EnvAccessKeyID: id, client.EnvAccessKeySecret: secret, client.EnvSecurityToken: token}), nil, false},
		{"file", env(nil), []string{"--credentials-file", file}, false},
		{"flags", env(nil), []string{"--access-key-id", id, "--access-key-secret", secret, "--security-token", token}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, log, stop := startServeEnv(t, tc.getenv, append([]string{"--addr", "127.0.0.1:0"}, tc.args...)...)
			if err := signedCall(t, addr, good); !errors.Is(err, client.ErrInstanceNotFound) {
				t.Errorf("signed with the key: %v, want InstanceNotFound", err)
			}
			wrong := good
			wrong.AccessKeySecret = "another-secret"
			if err := signedCall(t, addr, wrong); !errors.Is(err, client.Code("SignatureDoesNotMatch")) {
				t.Errorf("signed with another secret: %v, want SignatureDoesNotMatch", err)
			}
			stop()
			out := log.String()
			if got := strings.Contains(out, "visible") || strings.Contains(out, "can read (ps)"); got != tc.warning {
				t.Errorf("warning printed: %v, want %v:\n%s", got, tc.warning, out)
			}
			for _, s := range []string{secret, token} {
				if strings.Contains(out, s) {
					t.Errorf("output contains a secret:\n%s", out)
				}
			}
		})
	}
}

func TestServeCredentialErrorsNameNoSecret(t *testing.T) {
	const secret = "secret-in-a-bad-line"
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("AWS_SECRET="+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(t.TempDir(), "half")
	if err := os.WriteFile(half, []byte(client.EnvAccessKeySecret+"="+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fullEnv := env(map[string]string{client.EnvAccessKeyID: "ak", client.EnvAccessKeySecret: secret})
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		args   []string
	}{
		{"unknown line", env(nil), []string{"--credentials-file", bad}},
		{"file without the id", env(nil), []string{"--credentials-file", half}},
		{"missing file", env(nil), []string{"--credentials-file", filepath.Join(t.TempDir(), "none")}},
		{"environment without the id", env(map[string]string{client.EnvAccessKeySecret: secret}), nil},
		{"environment and flags", fullEnv, []string{"--access-key-id", "ak", "--access-key-secret", secret}},
		{"environment and file", fullEnv, []string{"--credentials-file", half}},
		{"id flag alone", env(nil), []string{"--access-key-id", "ak"}},
		{"secret flag alone", env(nil), []string{"--access-key-secret", secret}},
		{"token flag alone", env(nil), []string{"--security-token", secret}},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stderr bytes.Buffer
		code := runServe(ctx, append([]string{"--addr", "127.0.0.1:0"}, tc.args...), tc.getenv, io.Discard, &stderr)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, exitUsage, stderr.String())
		}
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("%s: the error quotes the secret:\n%s", tc.name, stderr.String())
		}
	}
}
