package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/internal/redact"
)

func TestEnvCredentials(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		vars    map[string]string
		want    StaticCredentials
		wantErr string
	}{
		{"key pair", map[string]string{EnvAccessKeyID: "id", EnvAccessKeySecret: "sec"}, StaticCredentials{AccessKeyID: "id", AccessKeySecret: "sec"}, ""},
		{"sts", map[string]string{EnvAccessKeyID: "id", EnvAccessKeySecret: "sec", EnvSecurityToken: "tok"},
			StaticCredentials{AccessKeyID: "id", AccessKeySecret: "sec", SecurityToken: "tok"}, ""},
		{"no id", map[string]string{EnvAccessKeySecret: "sec"}, StaticCredentials{}, EnvAccessKeyID},
		{"no secret", map[string]string{EnvAccessKeyID: "id"}, StaticCredentials{}, EnvAccessKeySecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EnvCredentials{Getenv: env(tt.vars)}.Retrieve(context.Background())
			if tt.wantErr != "" {
				if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want ErrNoCredentials naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
	t.Setenv(EnvAccessKeyID, "from-os")
	t.Setenv(EnvAccessKeySecret, "os-secret")
	if got, err := (EnvCredentials{}).Retrieve(context.Background()); err != nil || got.AccessKeyID != "from-os" {
		t.Errorf("nil Getenv: %v, %v; want os.Getenv", got, err)
	}
}

func TestStaticCredentialsRetrieve(t *testing.T) {
	if got, err := testSTSCreds.Retrieve(context.Background()); err != nil || got != testSTSCreds {
		t.Errorf("Retrieve = %v, %v", got, err)
	}
	for _, c := range []StaticCredentials{{}, {AccessKeyID: "a"}, {AccessKeySecret: "s"}} {
		if _, err := c.Retrieve(context.Background()); !errors.Is(err, ErrNoCredentials) {
			t.Errorf("%v: err = %v, want ErrNoCredentials", c, err)
		}
	}
}

// TestRedactedForms prints credentials, Config and Client every way fmt and slog can.
func TestRedactedForms(t *testing.T) {
	const password = "endpoint-password"
	cfg := Config{RegionID: "cn-hangzhou", Credentials: testSTSCreds, Endpoint: "https://u:" + password + "@h"}
	okCfg := Config{RegionID: "cn-hangzhou", Credentials: testSTSCreds}
	c, err := New(okCfg)
	if err != nil {
		t.Fatal(err)
	}
	ptr := testSTSCreds
	values := map[string]any{
		"StaticCredentials":  testSTSCreds,
		"*StaticCredentials": &ptr,
		"Config":             cfg,
		"*Config":            &cfg,
		"Client":             c,
		"struct holding":     struct{ C StaticCredentials }{testSTSCreds},
		"Config with ptr":    Config{Credentials: &ptr},
		"Config with func":   Config{Credentials: CredentialsFunc(func(context.Context) (StaticCredentials, error) { return testSTSCreds, nil })},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			out := fmt.Sprintf(verb, v)
			assertNoSecrets(t, name+" "+verb, out)
			// Config has a field named Format, so it cannot be a fmt.Formatter: verbs that
			// ignore String (%d) print its plain string fields. The Credentials inside stay
			// redacted, and New refuses an Endpoint with user information anyway.
			if verb != "%d" && strings.Contains(out, password) {
				t.Errorf("%s %s shows the endpoint password: %s", name, verb, out)
			}
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		assertNoSecrets(t, name+" slog", buf.String())
	}
	if s := testSTSCreds.String(); !strings.Contains(s, testKeyID) || !strings.Contains(s, redact.Placeholder) {
		t.Errorf("String() = %q should show the key id and mark the secret", s)
	}
	if s := (StaticCredentials{AccessKeyID: "a"}).GoString(); !strings.Contains(s, `AccessKeySecret:"\"\""`) {
		t.Errorf("GoString of an empty secret = %q should tell it apart from a set one", s)
	}
	if s := cfg.String(); !strings.Contains(s, "cn-hangzhou") || !strings.Contains(s, testKeyID) {
		t.Errorf("Config.String() = %q lacks the non-secret fields", s)
	}
	if s := c.String(); !strings.Contains(s, "https://elasticsearch.cn-hangzhou.aliyuncs.com") {
		t.Errorf("Client.String() = %q", s)
	}
}

// TestNoSecretsInErrorsOrLogs runs every kind of failure with STS credentials and a debug
// logger and searches all output for the secret and the token.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	// The server echoes what the client sent in a SignatureDoesNotMatch message, as a gateway
	// does with its ROA string to sign, which contains x-acs-security-token.
	echo := func(w http.ResponseWriter, r *http.Request) string {
		return "server string to sign is:" + r.Header.Get("X-Acs-Security-Token") + " " + r.Header.Get("Authorization")
	}
	scenarios := map[string]func(w http.ResponseWriter, r *http.Request, n int){
		"echoing json": func(w http.ResponseWriter, r *http.Request, _ int) {
			writeBody(w, 400, "application/json", []byte(`{"RequestId":"`+testToken+`","HostId":"`+testToken+`","Code":"SignatureDoesNotMatch","Message":"`+echo(w, r)+`","Recommend":"`+testToken+`"}`))
		},
		"echoing xml": func(w http.ResponseWriter, r *http.Request, _ int) {
			writeBody(w, 400, "application/xml", []byte(`<Error><RequestId>R</RequestId><HostId>h</HostId><Code>SignatureDoesNotMatch</Code><Message>`+echo(w, r)+`</Message></Error>`))
		},
		"echoing html": func(w http.ResponseWriter, r *http.Request, _ int) {
			w.Header().Set("X-Acs-Request-Id", testToken)
			writeBody(w, 502, "text/html", []byte(strings.Repeat("x", 120)+echo(w, r)))
		},
		"echoing garbage": func(w http.ResponseWriter, r *http.Request, _ int) {
			writeBody(w, 200, "application/json", []byte("not json "+echo(w, r)))
		},
		"throttled then 503": func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 0 {
				w.Header().Set("X-Ratelimit-User-Api", "Limit:1,Remain:0,TimeLeft:10,Reset:1")
				writeBody(w, 400, "application/json", errorBody("Throttling.User"))
				return
			}
			writeBody(w, 503, "application/json", errorBody("ServiceUnavailable"))
		},
		"reset": func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(t, w) },
		"hang": func(w http.ResponseWriter, r *http.Request, _ int) {
			<-r.Context().Done()
		},
		"success": func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeBody(w, 200, "application/json", successJSON("R"))
		},
	}
	for name, respond := range scenarios {
		for _, sig := range []SignatureVersion{SignatureV3, SignatureROA} {
			t.Run(name+"/"+string(sig), func(t *testing.T) {
				srv := newServer(t, testSTSCreds, respond)
				var logs logBuffer
				c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds, Signature: sig, Logger: logs.logger()})
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				if name == "hang" {
					ctx, cancel = context.WithTimeout(ctx, 20*time.Millisecond)
					defer cancel()
				}
				res, err := c.InterruptElasticsearchTask(ctx, "es-1", nil)
				if name == "success" {
					if err != nil {
						t.Fatal(err)
					}
					assertNoSecrets(t, "result", fmt.Sprintf("%+v", *res))
				} else if err == nil {
					t.Fatal("want an error")
				} else {
					assertNoSecrets(t, "Error()", err.Error())
					assertNoSecrets(t, "%+v", fmt.Sprintf("%+v", err))
					assertNoSecrets(t, "%#v", fmt.Sprintf("%#v", err))
					var apiErr *APIError
					if errors.As(err, &apiErr) {
						assertNoSecrets(t, "APIError fields", apiErr.Code+apiErr.Message+apiErr.RequestID+apiErr.HostID+apiErr.Recommend)
					}
					var ue *UnexpectedResponseError
					if errors.As(err, &ue) {
						assertNoSecrets(t, "UnexpectedResponseError fields", ue.Excerpt+ue.RequestID)
					}
				}
				out := logs.String()
				if !strings.Contains(out, "attempt=1") || !strings.Contains(out, "path=/openapi/instances/es-1/actions/interrupt") {
					t.Errorf("log lacks the attempt line: %s", out)
				}
				assertNoSecrets(t, "log", out)
				if strings.Contains(out, "Authorization") || strings.Contains(out, "Signature=") || strings.Contains(out, "acs "+testKeyID+":") {
					t.Errorf("log shows the Authorization header: %s", out)
				}
			})
		}
	}
}

func TestLogLinePerAttempt(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 0 {
			writeBody(w, 503, "application/json", errorBody("ServiceUnavailable"))
			return
		}
		writeBody(w, 200, "application/json", successJSON("OK-ID"))
	})
	var logs logBuffer
	c, _ := newTestClient(t, srv, Config{Logger: logs.logger(), Retry: RetryPolicy{Jitter: func(time.Duration) time.Duration { return 7 * time.Millisecond }}})
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es 1", nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), logs.String())
	}
	for i, want := range [][]string{
		{"level=DEBUG", "method=POST", "path=/openapi/instances/es%20", "attempt=1", "status=503", "request_id=REQ-ServiceUnavailable", "duration=", "retry_in=7ms", "error="},
		{"level=DEBUG", "method=POST", "attempt=2", "status=200", "request_id=OK-ID", "duration="},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d lacks %q: %s", i+1, w, lines[i])
			}
		}
	}
	if strings.Contains(lines[1], "retry_in") || strings.Contains(lines[1], "error=") {
		t.Errorf("the successful attempt's line mentions a retry or error: %s", lines[1])
	}
}
