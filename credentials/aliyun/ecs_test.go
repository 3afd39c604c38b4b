package aliyun

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/es-openapi/interrupt/client"
)

// metadataService stands in for the ECS metadata service (100.100.100.200). credentials-go has
// the service's address built in, so the provider is given this server as its HTTP proxy: the
// requests name 100.100.100.200 but the connection goes to loopback, and nothing else is dialled.
type metadataService struct {
	*httptest.Server
	t       *testing.T
	role    string
	expires func() time.Time // the Expiration of the credentials handed out

	mu        sync.Mutex
	credCalls int // requests for the role's credentials
}

const metadataToken = "imds-v2-token"

func newMetadataService(t *testing.T, role string, expires func() time.Time) *metadataService {
	m := &metadataService{t: t, role: role, expires: expires}
	m.Server = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.Close)
	return m
}

func (m *metadataService) serve(w http.ResponseWriter, r *http.Request) {
	if r.Host != "100.100.100.200" {
		m.t.Errorf("request for host %q, want the metadata service's 100.100.100.200", r.Host)
		http.Error(w, "wrong host", http.StatusBadGateway)
		return
	}
	const credsPath = "/latest/meta-data/ram/security-credentials/"
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
		if r.Header.Get("X-Aliyun-Ecs-Metadata-Token-Ttl-Seconds") == "" {
			http.Error(w, "no TTL", http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte(metadataToken))
		return
	case r.Header.Get("X-Aliyun-Ecs-Metadata-Token") != metadataToken:
		http.Error(w, "IMDSv2 token missing", http.StatusUnauthorized)
	case r.Method == http.MethodGet && r.URL.Path == credsPath:
		_, _ = w.Write([]byte(m.role))
	case r.Method == http.MethodGet && r.URL.Path == credsPath+m.role:
		m.mu.Lock()
		m.credCalls++
		n := m.credCalls
		m.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]string{
			"Code":            "Success",
			"AccessKeyId":     "STS.RoleKey" + string(rune('0'+n)),
			"AccessKeySecret": secret,
			"SecurityToken":   token2,
			"LastUpdated":     time.Now().UTC().Format("2006-01-02T15:04:05Z"),
			"Expiration":      m.expires().UTC().Format("2006-01-02T15:04:05Z"),
		})
	default:
		http.NotFound(w, r)
	}
}

func (m *metadataService) calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.credCalls
}

// ecsProvider builds credentials-go's ECS RAM-role provider against m, with IMDSv1 off so that
// every request must carry the IMDSv2 token.
func ecsProvider(t *testing.T, m *metadataService, role string) *Provider {
	t.Helper()
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false") // TestMain switched it off
	p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().
		WithRoleName(role).
		WithDisableIMDSv1(true).
		WithHttpOptions(&providers.HttpOptions{Proxy: m.URL, ConnectTimeout: 2000, ReadTimeout: 2000}).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	return New(p)
}

func TestECSRAMRole(t *testing.T) {
	for _, tc := range []struct {
		name, role string
	}{
		{name: "role found through the metadata service", role: ""},
		{name: "role named", role: "EsInterruptRole"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMetadataService(t, "EsInterruptRole", func() time.Time { return time.Now().Add(time.Hour) })
			got, err := ecsProvider(t, m, tc.role).Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := client.StaticCredentials{AccessKeyID: "STS.RoleKey1", AccessKeySecret: secret, SecurityToken: token2}
			if got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestECSRAMRoleRefreshesBeforeExpiry checks the two layers of refreshing: the adapter asks the
// provider again once ReuseFor has passed, and the provider goes to the metadata service only
// when its credentials have 3 minutes or less left.
func TestECSRAMRoleRefreshesBeforeExpiry(t *testing.T) {
	for _, tc := range []struct {
		name      string
		validFor  time.Duration
		wantCalls int
	}{
		{name: "an hour left: the provider keeps them", validFor: time.Hour, wantCalls: 1},
		{name: "2 minutes left: the provider fetches anew", validFor: 2 * time.Minute, wantCalls: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMetadataService(t, "EsInterruptRole", func() time.Time { return time.Now().Add(tc.validFor) })
			p := ecsProvider(t, m, "EsInterruptRole")
			clk := &clock{t: time.Now()}
			p.now = clk.now
			ctx := context.Background()
			for range 3 { // within ReuseFor: one request to the provider
				if _, err := p.Retrieve(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := m.calls(); n != 1 {
				t.Fatalf("within ReuseFor the metadata service was asked %d times, want 1", n)
			}
			clk.advance(ReuseFor)
			got, err := p.Retrieve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n := m.calls(); n != tc.wantCalls {
				t.Errorf("after ReuseFor the metadata service was asked %d times, want %d", n, tc.wantCalls)
			}
			if want := "STS.RoleKey" + string(rune('0'+tc.wantCalls)); got.AccessKeyID != want {
				t.Errorf("got %s, want %s", got.AccessKeyID, want)
			}
		})
	}
}

func TestECSRAMRoleFailure(t *testing.T) {
	m := newMetadataService(t, "EsInterruptRole", time.Now)
	_, err := ecsProvider(t, m, "OtherRole").Retrieve(context.Background())
	var perr *Error
	if !errors.As(err, &perr) || perr.Provider != "ecs_ram_role" || !errors.Is(err, client.ErrNoCredentials) {
		t.Fatalf("got %v, want an *Error from ecs_ram_role matching client.ErrNoCredentials", err)
	}
}
