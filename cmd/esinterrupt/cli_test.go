package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/es-openapi/interrupt/internal/version"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/spec"
)

// runArgs runs `esinterrupt args...` in-process.
func runArgs(getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, getenv, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	want := "esinterrupt version " + version.Module() + "\n"
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errOut := runArgs(noEnv, args...)
		if code != exitOK || out != want || errOut != "" {
			t.Errorf("%q: exit %d, stdout %q (want %q), stderr %q", args, code, out, want, errOut)
		}
	}
	if code, _, errOut := runArgs(noEnv, "version", "extra"); code != exitUsage || !strings.Contains(errOut, `unexpected argument "extra"`) {
		t.Errorf("version extra: exit %d, stderr %q", code, errOut)
	}
}

// `help COMMAND` prints the command's own help (what COMMAND --help prints), with its flags in
// the one --flag style and its exit codes.
func TestHelpPerCommand(t *testing.T) {
	for _, tc := range []struct {
		cmd   string
		wants []string
	}{
		{"interrupt", []string{"usage: esinterrupt interrupt INSTANCE_ID [flags]", "--max-attempts", "--debug", "--unsigned", "--profile NAME", "exit codes:\n  0  ", "  2  bad flags"}},
		{"serve", []string{"usage: esinterrupt serve [flags]", "--instance ID=STATUS", "--credentials-file FILE", "exit codes:\n  0  "}},
		{"verify", []string{"usage: esinterrupt verify [flags]", "--fixture ID=STATUS", "--throttle-probe N", "  4  the target refused"}},
		{"spec", []string{"usage: esinterrupt spec [flags]"}},
	} {
		code, out, errOut := runArgs(noEnv, "help", tc.cmd)
		if code != exitOK || errOut != "" {
			t.Fatalf("help %s: exit %d, stderr %q", tc.cmd, code, errOut)
		}
		for _, w := range tc.wants {
			if !strings.Contains(out, w) {
				t.Errorf("help %s lacks %q:\n%s", tc.cmd, w, out)
			}
		}
		if strings.Contains(out, "usage: esinterrupt [flags]") {
			t.Errorf("help %s prints the top-level help:\n%s", tc.cmd, out)
		}
		// One flag style: no flag is shown with a single dash.
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "-") && !strings.HasPrefix(f[0], "--") && f[0] != "-h," {
				t.Errorf("help %s shows a single-dash flag: %q", tc.cmd, line)
			}
		}
		_, viaFlag, _ := runArgs(noEnv, tc.cmd, "--help")
		if viaFlag != out {
			t.Errorf("%s --help differs from help %s", tc.cmd, tc.cmd)
		}
	}
	code, out, _ := runArgs(noEnv, "--help")
	if code != exitOK || !strings.Contains(out, "exit codes:") || !strings.Contains(out, "completion") || !strings.Contains(out, "interrupt") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

func TestNoCommandAndSuggestions(t *testing.T) {
	// An unknown help topic or shell is a usage error, as an unknown command is.
	for _, args := range [][]string{{"help", "nope"}, {"completion", "nosh"}, {"completion"}} {
		if code, out, errOut := runArgs(noEnv, args...); code != exitUsage || out != "" || errOut == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, out, _ := runArgs(noEnv, "completion", "bash"); code != exitOK || !strings.Contains(out, "bash completion") {
		t.Errorf("completion bash: exit %d", code)
	}
	code, out, errOut := runArgs(noEnv)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "usage: esinterrupt") {
		t.Errorf("no command: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runArgs(noEnv, "verfy")
	if code != exitUsage || !strings.Contains(errOut, "Did you mean this?") || !strings.Contains(errOut, "\tverify") {
		t.Errorf("verfy: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runArgs(noEnv, "interupt")
	if code != exitUsage || !strings.Contains(errOut, "\tinterrupt") {
		t.Errorf("interupt: exit %d, stderr %q", code, errOut)
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "# bash completion V2 for esinterrupt",
		"zsh":        "#compdef esinterrupt",
		"fish":       "complete -c esinterrupt",
		"powershell": "Register-ArgumentCompleter",
	} {
		code, out, errOut := runArgs(noEnv, "completion", shell)
		if code != exitOK || !strings.Contains(out, want) || errOut != "" {
			t.Errorf("completion %s: exit %d, stderr %q, stdout lacks %q", shell, code, errOut, want)
		}
	}
	// The completion asks the binary itself; it offers the commands.
	code, out, _ := runArgs(noEnv, "__complete", "ver")
	if code != exitOK || !strings.Contains(out, "verify") || !strings.Contains(out, "version") {
		t.Errorf("__complete ver: exit %d\n%s", code, out)
	}
}

func TestSpecPrintsTheEmbeddedDocument(t *testing.T) {
	code, out, errOut := runArgs(noEnv, "spec")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !bytes.Equal([]byte(out), spec.Bytes()) {
		t.Errorf("spec printed %d bytes, not the %d of spec.Bytes()", len(out), len(spec.Bytes()))
	}
}

// oneJSONObject decodes stdout as exactly one JSON object.
func oneJSONObject(t *testing.T, stdout string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, stdout)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout holds more than one JSON value:\n%s", stdout)
	}
	return v
}

// --output json: one object on stdout for success and every failure, nothing on stderr.
func TestOutputJSONForEveryOutcome(t *testing.T) {
	ok := newInterruptServer(t, 200, "application/json", `{"Result":true,"RequestId":"R-OK"}`, false)
	apiErr := newInterruptServer(t, 400, "application/json", `{"RequestId":"R-E","Code":"InstanceNotFound","Message":"no such instance"}`, false)
	html := newInterruptServer(t, 200, "text/html", "<html>", false)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	for _, tc := range []struct {
		name  string
		env   func(string) string
		args  []string
		code  int
		error string // the "Error" member; "" for success
	}{
		{"success", nil, []string{"es-1", "--endpoint", ok.URL}, exitOK, ""},
		{"API error", nil, []string{"es-1", "--endpoint", apiErr.URL}, exitFail, failureAPI},
		{"unreadable response", nil, []string{"es-1", "--endpoint", html.URL}, exitFail, failureTransport},
		{"connection refused", nil, []string{"es-1", "--endpoint", closed, "--max-attempts", "1"}, exitFail, failureTransport},
		{"unknown flag", nil, []string{"es-1", "--endpoint", ok.URL, "--bogus"}, exitUsage, failureUsage},
		{"bad flag value", nil, []string{"es-1", "--endpoint", ok.URL, "--timeout", "soon"}, exitUsage, failureUsage},
		{"bad id", nil, []string{"es/1", "--endpoint", ok.URL}, exitUsage, failureUsage},
		{"no credentials", noEnv, []string{"es-1", "--endpoint", ok.URL}, exitUsage, failureUsage},
		{"bad config", nil, []string{"es-1", "--region", "CN/x"}, exitUsage, failureUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = interruptEnv(false)
			}
			code, out, errOut := runArgs(env, append([]string{"interrupt", "--output", "json"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if errOut != "" {
				t.Errorf("stderr %q, want nothing", errOut)
			}
			v := oneJSONObject(t, out)
			if got, _ := v["Error"].(string); got != tc.error {
				t.Errorf("Error %q, want %q:\n%s", got, tc.error, out)
			}
			if tc.error == "" {
				if v["Result"] != true || v["RequestId"] != "R-OK" {
					t.Errorf("success object %v", v)
				}
				return
			}
			if v["ExitCode"] != float64(tc.code) || v["Message"] == "" {
				t.Errorf("failure object %v", v)
			}
			// A token is named exactly when a request was sent.
			if _, named := v["ClientToken"]; named != (tc.code == exitFail) {
				t.Errorf("ClientToken present %v with exit %d", named, code)
			}
			if msg, _ := v["Message"].(string); strings.Contains(msg, "client: ") {
				t.Errorf("Message repeats a package prefix: %q", msg)
			}
		})
	}
}

// --debug shows the canonical request and the string to sign the signature was made from, and
// never the secret or the security token.
func TestInterruptDebug(t *testing.T) {
	srv := newInterruptServer(t, 400, "application/json", `{"RequestId":"R-D","Code":"SignatureDoesNotMatch","Message":"m"}`, true)
	code, out, errOut := runArgs(interruptEnv(true), "interrupt", "es-1", "--endpoint", srv.URL, "--debug", "--max-attempts", "1", "--output", "json")
	if code != exitFail {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	oneJSONObject(t, out) // the dump goes to stderr, stdout stays one object
	reqs, _ := srv.received()
	for _, want := range []string{
		"> POST " + srv.URL + "/openapi/instances/es-1/actions/interrupt?clientToken=",
		"> Authorization: " + reqs[0].Header.Get("Authorization") + "\n",
		"canonical request (ACS3-HMAC-SHA256):\n  POST\n  /openapi/instances/es-1/actions/interrupt\n",
		"x-acs-security-token:<redacted>",
		"string to sign:\n  ACS3-HMAC-SHA256\n",
		"< HTTP/1.1 400 Bad Request\n",
		`"Code":"SignatureDoesNotMatch"`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("debug output lacks %q:\n%s", want, errOut)
		}
	}
	for _, s := range []string{interruptSecret, interruptToken} {
		if strings.Contains(out+errOut, s) {
			t.Errorf("the debug output shows a secret:\n%s", errOut)
		}
	}
}

// countingListener accepts and counts connections on loopback.
func countingListener(t *testing.T) (url string, accepted *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return "http://" + l.Addr().String(), accepted
}

// Ids outside the document's InstanceId schema and keys with white space exit 2 before anything
// is sent: the listener sees no connection, and no ClientToken is printed.
func TestInterruptLocalValidationSendsNothing(t *testing.T) {
	url, accepted := countingListener(t)
	home := t.TempDir()
	file := filepath.Join(home, ".aliyun", "config.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(`{"current":"p","profiles":[{"name":"p","mode":"AK","access_key_id":"LTAI5tP","access_key_secret":"secret-with-space "}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	credFile := func(name, content string) string {
		path := filepath.Join(home, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	crlf := credFile("crlf.env", "ALIBABA_CLOUD_ACCESS_KEY_ID="+interruptKeyID+"\r\nALIBABA_CLOUD_ACCESS_KEY_SECRET="+interruptSecret+"\r\n")
	spaced := credFile("spaced.env", "ALIBABA_CLOUD_ACCESS_KEY_ID="+interruptKeyID+"\nALIBABA_CLOUD_ACCESS_KEY_SECRET="+interruptSecret+" \n")
	empty := credFile("empty.env", "# nothing yet\n")
	noHome := envOf(map[string]string{"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"})
	withEnv := func(id, secret, token string) func(string) string {
		return envOf(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret, "ALIBABA_CLOUD_SECURITY_TOKEN": token})
	}
	for _, tc := range []struct {
		name string
		env  func(string) string
		args []string
		says string
	}{
		{"id with a slash", nil, []string{"es/1"}, "InstanceId"},
		{"id with a space", nil, []string{"es 1"}, "InstanceId"},
		{"id starting with a dash", nil, []string{"--", "-es"}, "InstanceId"},
		{"id too long", nil, []string{strings.Repeat("e", 129)}, "InstanceId"},
		{"secret with a trailing newline", withEnv(interruptKeyID, interruptSecret+"\n", ""), []string{"es-1"}, "AccessKeySecret from the environment begins or ends with white space"},
		{"id with a trailing space", withEnv(interruptKeyID+" ", interruptSecret, ""), []string{"es-1"}, "AccessKeyId from the environment"},
		{"token with a newline inside", withEnv(interruptKeyID, interruptSecret, "a\nb"), []string{"es-1"}, "SecurityToken"},
		{"profile secret with a trailing space", envOf(map[string]string{"HOME": home}), []string{"es-1"}, "AccessKeySecret from the aliyun CLI profile"},
		{"secret flag with a trailing space", noEnv, []string{"es-1", "--access-key-id", interruptKeyID, "--access-key-secret", interruptSecret + " "}, "AccessKeySecret from the flags"},
		{"credentials file with CRLF", noHome, []string{"es-1", "--credentials-file", crlf}, "AccessKeyId from --credentials-file begins or ends with white space"},
		{"credentials file secret with a trailing space", noHome, []string{"es-1", "--credentials-file", spaced}, "AccessKeySecret from --credentials-file begins or ends with white space"},
		{"empty credentials file", noHome, []string{"es-1", "--credentials-file", empty}, "--credentials-file gives no AccessKey: want both"},
		{"id flag alone", noHome, []string{"es-1", "--access-key-id", interruptKeyID}, "go together, and only one came from the flags"},
		{"token too long", nil, []string{"es-1", "--client-token", strings.Repeat("t", 65)}, "clientToken"},
	} {
		env := tc.env
		if env == nil {
			env = interruptEnv(false)
		}
		code, out, errOut := runArgs(env, append([]string{"interrupt", "--endpoint", url}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.says) {
			t.Errorf("%s: exit %d, want %d saying %q; stderr %q", tc.name, code, exitUsage, tc.says, errOut)
		}
		if strings.Contains(out+errOut, "ClientToken") {
			t.Errorf("%s: a ClientToken was printed for a call that was not sent", tc.name)
		}
		if strings.Contains(errOut, interruptSecret) {
			t.Errorf("%s: the message quotes the secret", tc.name)
		}
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("local validation errors opened %d connections", n)
	}
}

// The same aliyun CLI profile is the key of serve, of interrupt and of verify: serve checks
// signatures with it, and the other two sign with it.
func TestOneProfileForEveryCommand(t *testing.T) {
	home := t.TempDir()
	writeCLIConfig(t, home)
	getenv := envOf(map[string]string{"HOME": home})
	addr, log, stop := startServeEnv(t, getenv, "--addr", "127.0.0.1:0", "--admin", "--instance", "es-cn-p=activating")
	defer stop()
	if !strings.Contains(log.String(), "signatures=true") {
		t.Fatalf("serve did not take the profile's key:\n%s", log)
	}
	code, out, errOut := runArgs(getenv, "interrupt", "es-cn-p", "--endpoint", "http://"+addr)
	if code != exitOK || !strings.Contains(out, "Result: true") {
		t.Fatalf("interrupt: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runArgs(getenv, "verify", "--target", "http://"+addr, "--label-filter", "signature", "--throttle-probe", "0")
	if code != exitOK || !strings.Contains(out, "PASS  signature/v3-wrong-secret") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	// Without the profile the server refuses.
	code, _, errOut = runArgs(noEnv, "interrupt", "es-cn-p", "--endpoint", "http://"+addr, "--unsigned")
	if code != exitFail || !strings.Contains(errOut, "InvalidAccessKeyId.NotFound") {
		t.Errorf("unsigned against a signing server: exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(log.String(), interruptSecret) {
		t.Errorf("serve logged the secret")
	}
}

// An unsigned serve is called with interrupt --unsigned, without dummy credentials.
func TestInterruptUnsigned(t *testing.T) {
	addr, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--instance", "es-cn-u=activating")
	defer stop()
	code, out, errOut := runArgs(noEnv, "interrupt", "es-cn-u", "--endpoint", "http://"+addr, "--unsigned")
	if code != exitOK || !strings.Contains(out, "Result: true") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runArgs(noEnv, "interrupt", "es-cn-u", "--endpoint", "http://"+addr, "--unsigned", "--profile", "p")
	if code != exitUsage || !strings.Contains(errOut, "--unsigned takes no credentials") {
		t.Errorf("--unsigned --profile: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runArgs(noEnv, "interrupt", "es-cn-u", "--endpoint", "http://"+addr)
	if code != exitUsage || !strings.Contains(errOut, "--unsigned") {
		t.Errorf("no credentials: exit %d, stderr %q, want a hint at --unsigned", code, errOut)
	}
}

// The one order: the environment or a profile file first; a fallback given while one of them
// holds a key is a usage error; ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true skips the file.
func TestCredentialOrder(t *testing.T) {
	home := t.TempDir()
	writeCLIConfig(t, home)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		opts    credentialOptions
		from    string // "" for a usage error
		warning bool
	}{
		{"environment", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "HOME": home}, credentialOptions{}, "the environment", false},
		{"profile file", map[string]string{"HOME": home}, credentialOptions{}, "the aliyun CLI profile", false},
		{"--profile over the environment", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "HOME": home}, credentialOptions{profile: "other"}, "the aliyun CLI profile other", false},
		{"flags under a profile file", map[string]string{"HOME": home}, credentialOptions{keyID: "LTAIflag", keySecret: "s"}, "", false},
		{"flags with the file disabled", map[string]string{"HOME": home, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}, credentialOptions{keyID: "LTAIflag", keySecret: "s"}, "the flags", true},
		{"flags alone", nil, credentialOptions{keyID: "LTAIflag", keySecret: "s"}, "the flags", true},
		{"--profile and flags", map[string]string{"HOME": home}, credentialOptions{profile: "ak", keyID: "LTAIflag", keySecret: "s"}, "", false},
		{"file and flags", nil, credentialOptions{file: "x", keyID: "LTAIflag", keySecret: "s"}, "", false},
	} {
		found, err := resolveCredentials(ctx, &tc.opts, envOf(tc.env))
		switch {
		case tc.from == "" && (err == nil || errors.Is(err, errNoSource)):
			t.Errorf("%s: %v, want a usage error", tc.name, err)
		case tc.from == "":
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !strings.HasPrefix(found.from, tc.from) || (found.warning != "") != tc.warning:
			t.Errorf("%s: from %q (want %q), warning %q", tc.name, found.from, tc.from, found.warning)
		}
	}
	if _, err := resolveCredentials(ctx, &credentialOptions{}, noEnv); !errors.Is(err, errNoSource) {
		t.Errorf("nothing anywhere: %v, want errNoSource", err)
	}
}

// --fixture takes ID=STATUS, as serve's --instance does, and still reads STATUS=ID with a
// deprecation note.
func TestFixtureForms(t *testing.T) {
	var f fixtureFlag
	for _, v := range []string{"es-cn-a1,es-cn-a2=active", "es-cn-i1=inactive"} {
		if err := f.Set(v); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
	}
	if f.deprecated || strings.Join(f.byStatus["active"], ",") != "es-cn-a1,es-cn-a2" || strings.Join(f.byStatus["inactive"], ",") != "es-cn-i1" {
		t.Errorf("ID=STATUS read as %+v", f)
	}
	if err := f.Set("invalid=es-cn-v1"); err != nil || !f.deprecated || strings.Join(f.byStatus["invalid"], ",") != "es-cn-v1" {
		t.Errorf("STATUS=ID: %v, %+v", err, f)
	}
	for _, bad := range []string{"es-1", "=active", "es-1=", "sleeping=x"} {
		if err := f.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}

	srv, err := server.New(server.Config{Instances: map[string]server.Status{
		"es-cn-a1": server.StatusActive, "es-cn-i1": server.StatusInactive, "es-cn-v1": server.StatusInvalid,
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	run := func(fixtures ...string) (string, string) {
		args := []string{"verify", "--target", ts.URL, "--label-filter", "state", "--allow-partial"}
		for _, f := range fixtures {
			args = append(args, "--fixture", f)
		}
		code, out, errOut := runArgs(noEnv, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", fixtures, code, out, errOut)
		}
		return out, errOut
	}
	newOut, newErr := run("es-cn-a1=active", "es-cn-i1=inactive", "es-cn-v1=invalid")
	oldOut, oldErr := run("active=es-cn-a1", "inactive=es-cn-i1", "invalid=es-cn-v1")
	if strings.Contains(newErr, "deprecated") || !strings.Contains(oldErr, "--fixture STATUS=ID is deprecated") {
		t.Errorf("deprecation notes: new form %q, old form %q", newErr, oldErr)
	}
	// The summary from "contract:" to the verdict; the duration after it differs.
	verdict := func(out string) string {
		start, end := strings.Index(out, "contract: "), strings.Index(out, "\nin ")
		if start < 0 || end < start {
			return out
		}
		return out[start:end]
	}
	if !strings.Contains(newOut, "contract: ") || verdict(newOut) != verdict(oldOut) {
		t.Errorf("the two forms ran differently:\n%s\n---\n%s", newOut, oldOut)
	}
}

// Messages say one thing once: no "client: " prefix, joined or wrapped.
func TestPlainMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("client: invalid Config.Endpoint: bad"), "invalid --endpoint: bad"},
		{errors.Join(errors.New("client: invalid Config.RegionID: x"), errors.New("client: invalid Config.Format: y")), "invalid --region: x; invalid --format: y"},
		{fmt.Errorf("client: %w while waiting to retry; attempt 2 failed: %w", context.DeadlineExceeded, errors.New("client: Post \"u\": EOF")),
			"context deadline exceeded while waiting to retry; attempt 2 failed: Post \"u\": EOF"},
	} {
		if got := plainMessage(tc.err); got != tc.want {
			t.Errorf("plainMessage(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// No schema dump and no repeated package prefix reaches the user, from any command.
func TestMessagesSayItOnce(t *testing.T) {
	got := oneMessage("server: Config.Instances: server: invalid instance id \"x y\": no match\nSchema:\n  {\"type\": \"string\"}\n\nValue:\n  \"x y\"\n")
	if want := "Config.Instances: invalid instance id \"x y\": no match"; got != want {
		t.Errorf("oneMessage = %q, want %q", got, want)
	}
	if got, want := oneMessage("--fixture: contract: admin API: contract: no fixture"), "--fixture: admin API: no fixture"; got != want {
		t.Errorf("oneMessage = %q, want %q", got, want)
	}
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--instance", "bad id=active"},
		{"serve", "--addr", "127.0.0.1:0", "--fault", "NoSuchCode"},
		{"interrupt", "bad id", "--endpoint", "http://127.0.0.1:1"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errOut bytes.Buffer
		code := run(ctx, args, interruptEnv(false), &out, &errOut)
		msg := errOut.String()
		if code != exitUsage || strings.Contains(msg, "Schema:") || strings.Contains(msg, "server: ") || strings.Contains(msg, "client: ") {
			t.Errorf("%q: exit %d, stderr %q", args, code, msg)
		}
	}
}
