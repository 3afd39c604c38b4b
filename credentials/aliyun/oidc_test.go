package aliyun

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/es-openapi/interrupt/client"
)

// stsHost is the STS endpoint credentials-go's OIDC provider calls by default.
const stsHost = "sts.aliyuncs.com"

// stsCert is the stand-in STS's certificate for stsHost, made by trustSTSStandIn.
var stsCert tls.Certificate

// trustSTSStandIn makes a self-signed certificate for stsHost and points SSL_CERT_FILE at it
// (SSL_CERT_DIR at an empty directory), so that it is the process's only trusted root.
func trustSTSStandIn(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: stsHost},
		DNSNames:              []string{stsHost},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	stsCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	file := filepath.Join(dir, "sts-stand-in.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return err
	}
	emptyDir := filepath.Join(dir, "no-certs")
	if err := os.Mkdir(emptyDir, 0o700); err != nil {
		return err
	}
	_ = os.Setenv("SSL_CERT_FILE", file)
	_ = os.Setenv("SSL_CERT_DIR", emptyDir)
	return nil
}

// stsStandIn is an HTTP proxy on loopback that accepts only CONNECT to stsHost:443, ends the TLS
// itself with stsCert and answers AssumeRoleWithOIDC as STS does. The OIDC provider is given it
// as its proxy, so its requests name sts.aliyuncs.com but never leave the machine.
type stsStandIn struct {
	*httptest.Server
	t *testing.T

	mu    sync.Mutex
	forms []url.Values // the AssumeRoleWithOIDC requests' query and form values
}

func newSTSStandIn(t *testing.T) *stsStandIn {
	s := &stsStandIn{t: t}
	s.Server = httptest.NewServer(http.HandlerFunc(s.connect))
	t.Cleanup(s.Close)
	return s
}

func (s *stsStandIn) connect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect || r.Host != stsHost+":443" {
		s.t.Errorf("proxy asked for %s %s, want CONNECT %s:443", r.Method, r.Host, stsHost)
		http.Error(w, "only STS", http.StatusForbidden)
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		s.t.Error(err)
		return
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		return
	}
	tlsConn := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{stsCert}})
	req, err := http.ReadRequest(bufio.NewReader(tlsConn))
	if err != nil {
		s.t.Errorf("reading the request inside the tunnel: %v", err)
		return
	}
	rec := httptest.NewRecorder()
	s.assumeRole(rec, req)
	_ = rec.Result().Write(tlsConn)
}

func (s *stsStandIn) assumeRole(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost || r.Form.Get("Action") != "AssumeRoleWithOIDC" {
		http.Error(w, `{"Code":"InvalidAction"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.forms = append(s.forms, r.Form)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"RequestId": "STS-REQUEST",
		"Credentials": map[string]string{
			"AccessKeyId":     "STS.OIDCKey",
			"AccessKeySecret": secret,
			"SecurityToken":   token2,
			"Expiration":      time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"),
		},
	})
}

func (s *stsStandIn) requests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.forms...)
}

// oidcProvider builds credentials-go's OIDC provider as RRSA on ACK configures it (a token file,
// the OIDC provider's ARN and the role's ARN), through proxy.
func oidcProvider(t *testing.T, proxy string) *Provider {
	t.Helper()
	tokenFile := writeFile(t, t.TempDir(), "token", "eyJhbGciOiJSUzI1NiJ9.oidc-token")
	p, err := providers.NewOIDCCredentialsProviderBuilder().
		WithOIDCTokenFilePath(tokenFile).
		WithOIDCProviderARN("acs:ram::123456:oidc-provider/ack-rrsa").
		WithRoleArn("acs:ram::123456:role/es-interrupt").
		WithRoleSessionName("es-interrupt-test").
		WithHttpOptions(&providers.HttpOptions{Proxy: proxy, ConnectTimeout: 2000, ReadTimeout: 2000}).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	return New(p)
}

func TestOIDCRoleAssumption(t *testing.T) {
	sts := newSTSStandIn(t)
	got, err := oidcProvider(t, sts.URL).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := client.StaticCredentials{AccessKeyID: "STS.OIDCKey", AccessKeySecret: secret, SecurityToken: token2}
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	reqs := sts.requests()
	if len(reqs) != 1 {
		t.Fatalf("STS was asked %d times, want 1", len(reqs))
	}
	for k, v := range map[string]string{
		"OIDCToken":       "eyJhbGciOiJSUzI1NiJ9.oidc-token",
		"OIDCProviderArn": "acs:ram::123456:oidc-provider/ack-rrsa",
		"RoleArn":         "acs:ram::123456:role/es-interrupt",
		"RoleSessionName": "es-interrupt-test",
	} {
		if reqs[0].Get(k) != v {
			t.Errorf("%s = %q, want %q", k, reqs[0].Get(k), v)
		}
	}
}

func TestOIDCFailure(t *testing.T) {
	// A proxy that refuses every tunnel: the provider's error reaches the caller, typed.
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer refuse.Close()
	_, err := oidcProvider(t, refuse.URL).Retrieve(context.Background())
	var perr *Error
	if !errors.As(err, &perr) || perr.Provider != "oidc_role_arn" || !errors.Is(err, client.ErrNoCredentials) {
		t.Fatalf("got %v, want an *Error from oidc_role_arn matching client.ErrNoCredentials", err)
	}
}
