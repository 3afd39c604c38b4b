package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// writeCLIConfig writes an aliyun CLI configuration file under home/.aliyun with the test
// AccessKey as profile "ak" (the current one) and an unknown key as profile "other".
func writeCLIConfig(t *testing.T, home string) string {
	t.Helper()
	file := filepath.Join(home, ".aliyun", "config.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	config := `{"current": "ak", "profiles": [
		{"name": "ak", "mode": "AK", "access_key_id": "` + interruptKeyID + `", "access_key_secret": "` + interruptSecret + `"},
		{"name": "other", "mode": "AK", "access_key_id": "LTAI5tOther", "access_key_secret": "other-secret"}]}`
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// envOf is an environment holding exactly vars.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestInterruptSignsWithCLIProfile(t *testing.T) {
	home := t.TempDir()
	file := writeCLIConfig(t, home)
	const instance = "es-cn-cli-profile"
	srv, err := server.New(server.Config{
		Instances:   map[string]server.Status{instance: server.StatusActivating},
		Credentials: []signing.Credentials{{AccessKeyID: interruptKeyID, AccessKeySecret: interruptSecret}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"the current profile in HOME", map[string]string{"HOME": home}, nil},
		{"ALIBABA_CLOUD_CONFIG_FILE", map[string]string{"ALIBABA_CLOUD_CONFIG_FILE": file}, nil},
		{"--profile over the environment's keys", map[string]string{
			"HOME": home, "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tWrong", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong",
		}, []string{"--profile", "ak"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := srv.PutInstance(instance, server.StatusActivating); err != nil {
				t.Fatal(err)
			}
			args := append([]string{instance, "--endpoint", ts.URL}, tc.args...)
			code, out, errOut := runInterruptArgs(envOf(tc.env), args...)
			if code != exitOK || !strings.Contains(out, "Result: true") {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if strings.Contains(out+errOut, interruptSecret) {
				t.Errorf("printed the secret")
			}
		})
	}

	t.Run("a profile the server does not know", func(t *testing.T) {
		if err := srv.PutInstance(instance, server.StatusActivating); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runInterruptArgs(envOf(map[string]string{"HOME": home, "ALIBABA_CLOUD_PROFILE": "other"}), instance, "--endpoint", ts.URL)
		if code != exitFail || !strings.Contains(errOut, "InvalidAccessKeyId.NotFound") {
			t.Errorf("exit %d, stderr %q; want exit %d and InvalidAccessKeyId.NotFound", code, errOut, exitFail)
		}
	})
}

func TestInterruptProfileUsageErrors(t *testing.T) {
	home := t.TempDir()
	writeCLIConfig(t, home)
	srv := newInterruptServer(t, 200, "application/json", `{"Result":true,"RequestId":"R"}`, false)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no keys and no file", map[string]string{"HOME": t.TempDir()}, nil, "ALIBABA_CLOUD_ACCESS_KEY_ID is not set, and there is no aliyun CLI configuration file"},
		{"unknown profile", map[string]string{"HOME": home}, []string{"--profile", "nope"}, "nope"},
		{"named profile without a file", map[string]string{"HOME": t.TempDir()}, []string{"--profile", "ak"}, "config.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"es-1", "--endpoint", srv.URL}, tc.args...)
			code, out, errOut := runInterruptArgs(envOf(tc.env), args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) || out != "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q (want %q)", code, exitUsage, out, errOut, tc.want)
			}
		})
	}
	if reqs, _ := srv.received(); len(reqs) != 0 {
		t.Errorf("%d requests sent by usage errors", len(reqs))
	}
}
