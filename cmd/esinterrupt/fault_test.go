package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The done-when: a server told to respond twice with ServiceUnavailable, then the
// interrupt command, which succeeds on its third attempt with one transition.
func TestServeFaultThenInterruptSucceedsOnTheThirdAttempt(t *testing.T) {
	addr, log, _ := startServe(t,
		"--addr", "127.0.0.1:0",
		"--access-key-id", serveKeyID, "--access-key-secret", serveSecret,
		"--fault", "ServiceUnavailable,count=2",
		"--instance", "es-cn-a=activating",
		"--admin",
	)
	getenv := func(k string) string {
		return map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": serveKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": serveSecret}[k]
	}
	code, stdout, stderr := runInterruptArgs(getenv, "es-cn-a", "--endpoint", "http://"+addr, "--output", "json")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s\nserver log:\n%s", code, stdout, stderr, log)
	}
	var out struct {
		Result      bool
		Attempts    int
		ClientToken string
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if !out.Result || out.Attempts != 3 {
		t.Fatalf("want Result true on attempt 3, got %+v", out)
	}
	// The server's log: two 503s, then one 200 for the instance.
	statuses := regexp.MustCompile(`path=/openapi/instances/es-cn-a/actions/interrupt status=(\d+)`).FindAllStringSubmatch(log.String(), -1)
	var got []string
	for _, m := range statuses {
		got = append(got, m[1])
	}
	if strings.Join(got, ",") != "503,503,200" {
		t.Fatalf("the server answered %v, want 503,503,200\n%s", got, log)
	}
	res, err := http.Get("http://" + addr + "/-/admin/instances/es-cn-a")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(body), `"status":"suspended"`) {
		t.Fatalf("instance after the call: %s", body)
	}
	// The faults are spent.
	res, err = http.Get("http://" + addr + "/-/admin/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ = io.ReadAll(res.Body)
	if !strings.Contains(string(body), `"faults":[]`) {
		t.Fatalf("faults after the call: %s", body)
	}
}

func TestServeFaultUsageErrors(t *testing.T) {
	for _, spec := range []string{"NoSuchCode", "ServiceUnavailable,count=-1", "delay", "ServiceUnavailable,instance=bad/id"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stderr bytes.Buffer
		code := runServe(ctx, []string{"--addr", "127.0.0.1:0", "--fault", spec}, func(string) string { return "" }, io.Discard, &stderr)
		if code != exitUsage {
			t.Errorf("--fault %q: exit %d, want %d\n%s", spec, code, exitUsage, stderr.String())
		}
		if !strings.Contains(stderr.String(), "fault") || strings.Contains(stderr.String(), "Config.") || strings.Contains(stderr.String(), "regular expression") {
			t.Errorf("--fault %q: the message does not name the fault in the CLI's terms:\n%s", spec, stderr.String())
		}
	}
}
