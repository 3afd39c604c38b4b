package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/gen/apiclient"
)

func TestEndpointRules(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"region", Config{RegionID: "cn-hangzhou"}, "https://elasticsearch.cn-hangzhou.aliyuncs.com"},
		{"region with digits", Config{RegionID: "ap-southeast-1"}, "https://elasticsearch.ap-southeast-1.aliyuncs.com"},
		{"unlisted region", Config{RegionID: "xx-newregion-9"}, "https://elasticsearch.xx-newregion-9.aliyuncs.com"},
		{"vpc", Config{RegionID: "cn-shanghai", Network: NetworkVPC}, "https://elasticsearch-vpc.cn-shanghai.aliyuncs.com"},
		{"vpc literal", Config{RegionID: "cn-shanghai", Network: "vpc"}, "https://elasticsearch-vpc.cn-shanghai.aliyuncs.com"},
		{"host:port is https", Config{Endpoint: "example.internal:8443"}, "https://example.internal:8443"},
		{"bare host is https", Config{Endpoint: "es.example.com"}, "https://es.example.com"},
		{"https URL", Config{Endpoint: "https://es.example.com"}, "https://es.example.com"},
		{"http only when it says so", Config{Endpoint: "http://127.0.0.1:8080"}, "http://127.0.0.1:8080"},
		{"trailing slash", Config{Endpoint: "http://127.0.0.1:8080/"}, "http://127.0.0.1:8080"},
		{"upper-case scheme", Config{Endpoint: "HTTP://127.0.0.1:8080"}, "http://127.0.0.1:8080"},
		{"ipv6", Config{Endpoint: "[::1]:9200"}, "https://[::1]:9200"},
		{"endpoint overrides region", Config{RegionID: "cn-hangzhou", Endpoint: "127.0.0.1:1"}, "https://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Credentials = testCreds
			c, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c.Endpoint() != tt.want {
				t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), tt.want)
			}
		})
	}
}

// TestEndpointReachesServer checks the endpoint is what the request goes to: host:port with
// "http://" reaches the test server, the path is the operation's and Host is signed.
func TestEndpointReachesServer(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeBody(w, http.StatusOK, "application/json", successJSON("R"))
	})
	c, _ := newTestClient(t, srv, Config{Endpoint: srv.URL + "/"})
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err != nil {
		t.Fatal(err)
	}
	srv.requireSigned(t)
	if p := srv.requests()[0].EscapedPath; p != "/openapi/instances/es-1/actions/interrupt" {
		t.Errorf("path %q", p)
	}
	// "host:port" means HTTPS: against the plain-HTTP test server that fails in TLS, and the
	// failure is final.
	c2, w := newTestClient(t, srv, Config{Endpoint: strings.TrimPrefix(srv.URL, "http://")})
	if !strings.HasPrefix(c2.Endpoint(), "https://") {
		t.Fatalf("endpoint %q", c2.Endpoint())
	}
	if _, err := c2.InterruptElasticsearchTask(context.Background(), "es-1", nil); err == nil {
		t.Fatal("HTTPS to a plain-HTTP server succeeded")
	}
	if len(w.all()) != 0 || len(srv.requests()) != 1 {
		t.Errorf("a TLS failure was retried (%d waits) or reached the handler", len(w.all()))
	}
}

func TestConfigErrors(t *testing.T) {
	const password = "hunter2-password"
	tests := []struct {
		name   string
		cfg    Config
		fields []string
	}{
		{"nothing", Config{}, []string{"RegionID"}},
		{"upper-case region", Config{RegionID: "CN-Hangzhou"}, []string{"RegionID"}},
		{"region with a dot", Config{RegionID: "cn-hangzhou.evil.com"}, []string{"RegionID"}},
		{"region with a slash", Config{RegionID: "cn/hangzhou"}, []string{"RegionID"}},
		{"region with a space", Config{RegionID: "cn hangzhou"}, []string{"RegionID"}},
		{"region trailing hyphen", Config{RegionID: "cn-"}, []string{"RegionID"}},
		{"region double hyphen", Config{RegionID: "cn--x"}, []string{"RegionID"}},
		{"region leading digit", Config{RegionID: "1cn"}, []string{"RegionID"}},
		{"region too long", Config{RegionID: strings.Repeat("a", 65)}, []string{"RegionID"}},
		{"endpoint path", Config{Endpoint: "https://h.example.com/v1"}, []string{"Endpoint"}},
		{"endpoint host:port path", Config{Endpoint: "h.example.com:80/x"}, []string{"Endpoint"}},
		{"endpoint query", Config{Endpoint: "https://h.example.com?x=1"}, []string{"Endpoint"}},
		{"endpoint empty query", Config{Endpoint: "https://h.example.com?"}, []string{"Endpoint"}},
		{"endpoint fragment", Config{Endpoint: "https://h.example.com#x"}, []string{"Endpoint"}},
		{"endpoint userinfo", Config{Endpoint: "https://user:" + password + "@h.example.com"}, []string{"Endpoint"}},
		{"endpoint userinfo no scheme", Config{Endpoint: "user:" + password + "@h.example.com"}, []string{"Endpoint"}},
		{"endpoint ftp", Config{Endpoint: "ftp://h.example.com"}, []string{"Endpoint"}},
		{"endpoint no host", Config{Endpoint: "https://"}, []string{"Endpoint"}},
		{"endpoint bad port", Config{Endpoint: "h.example.com:99999"}, []string{"Endpoint"}},
		{"endpoint empty port", Config{Endpoint: "h.example.com:"}, []string{"Endpoint"}},
		{"endpoint garbage", Config{Endpoint: "http://[::1"}, []string{"Endpoint"}},
		{"network unknown", Config{RegionID: "cn-hangzhou", Network: "intranet"}, []string{"Network"}},
		{"network with endpoint", Config{Endpoint: "h.example.com", Network: NetworkVPC}, []string{"Network"}},
		{"signature", Config{RegionID: "cn-hangzhou", Signature: "v2"}, []string{"Signature"}},
		{"format", Config{RegionID: "cn-hangzhou", Format: "yaml"}, []string{"Format"}},
		{"static creds without secret", Config{RegionID: "cn-hangzhou", Credentials: StaticCredentials{AccessKeyID: "a"}}, []string{"Credentials"}},
		{"nil static creds pointer", Config{RegionID: "cn-hangzhou", Credentials: (*StaticCredentials)(nil)}, []string{"Credentials"}},
		{"nil env creds pointer", Config{RegionID: "cn-hangzhou", Credentials: (*EnvCredentials)(nil)}, []string{"Credentials"}},
		{"nil CredentialsFunc", Config{RegionID: "cn-hangzhou", Credentials: CredentialsFunc(nil)}, []string{"Credentials"}},
		{"negative retry", Config{RegionID: "cn-hangzhou", Retry: RetryPolicy{MaxAttempts: -1, BaseDelay: -1, MaxDelay: -time.Second, MaxElapsed: -1, AttemptTimeout: -1}},
			[]string{"Retry.MaxAttempts", "Retry.BaseDelay", "Retry.MaxDelay", "Retry.MaxElapsed", "Retry.AttemptTimeout"}},
		{"negative attempt timeout", Config{RegionID: "cn-hangzhou", Retry: RetryPolicy{AttemptTimeout: -time.Second}}, []string{"Retry.AttemptTimeout"}},
		{"several at once", Config{RegionID: "BAD", Signature: "x", Format: "y"}, []string{"RegionID", "Signature", "Format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.Credentials == nil {
				tt.cfg.Credentials = testCreds
			}
			c, err := New(tt.cfg)
			if err == nil || c != nil {
				t.Fatalf("New = %v, %v; want an error", c, err)
			}
			var fields []string
			for _, e := range flatten(err) {
				var ce *ConfigError
				if !errors.As(e, &ce) {
					t.Errorf("error %v (%T) is not a *ConfigError", e, e)
					continue
				}
				fields = append(fields, ce.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields %v, want %v (err %v)", fields, tt.fields, err)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the error repeats the endpoint's password: %v", err)
			}
		})
	}
}

// flatten lists the errors of an errors.Join, or err alone.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestDefaults(t *testing.T) {
	c, err := New(Config{RegionID: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.creds.(EnvCredentials); !ok {
		t.Errorf("nil Credentials gave %T, want EnvCredentials", c.creds)
	}
	if c.retry.MaxAttempts != DefaultMaxAttempts || c.retry.BaseDelay != DefaultBaseDelay ||
		c.retry.MaxDelay != DefaultMaxDelay || c.retry.MaxElapsed != DefaultMaxElapsed || c.retry.Jitter == nil ||
		c.retry.AttemptTimeout != DefaultAttemptTimeout {
		t.Errorf("retry defaults %+v", c.retry)
	}
	if c.accept[0] != "application/json" {
		t.Errorf("Accept %q", c.accept[0])
	}
	gc, ok := c.api.ClientInterface.(*apiclient.Client)
	if !ok {
		t.Fatalf("generated client %T", c.api.ClientInterface)
	}
	capped, ok := gc.Client.(cappedDoer)
	if !ok || capped.limit != MaxResponseBodyBytes {
		t.Fatalf("doer %T %+v, want the capped doer", gc.Client, gc.Client)
	}
	td, ok := capped.next.(transportDoer)
	if !ok {
		t.Fatalf("default doer %T, want the client's own transport", capped.next)
	}
	tr, ok := td.rt.(*http.Transport)
	if !ok || tr == http.DefaultTransport || tr.MaxIdleConnsPerHost < 2 || tr.TLSHandshakeTimeout == 0 ||
		tr.ResponseHeaderTimeout == 0 || tr.IdleConnTimeout == 0 || tr.MaxResponseHeaderBytes != MaxResponseHeaderBytes {
		t.Errorf("default transport %+v", td.rt)
	}
	// A given *http.Client is used through a copy that refuses redirects, with its transport,
	// jar and timeout; the caller's value is left as it was.
	var jar http.CookieJar = &nopJar{}
	hc := &http.Client{Transport: tr, Jar: jar, Timeout: time.Minute}
	c2, err := New(Config{RegionID: "cn-hangzhou", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := c2.api.ClientInterface.(*apiclient.Client).Client.(cappedDoer).next.(*http.Client)
	if !ok || got == hc || got.Transport != tr || got.Jar != jar || got.Timeout != time.Minute || got.CheckRedirect == nil {
		t.Errorf("Config.HTTPClient used as %+v", got)
	}
	if hc.CheckRedirect != nil {
		t.Error("the caller's http.Client was changed")
	}
}

// nopJar is a cookie jar that keeps nothing.
type nopJar struct{}

func (*nopJar) SetCookies(*url.URL, []*http.Cookie) {}
func (*nopJar) Cookies(*url.URL) []*http.Cookie     { return nil }
