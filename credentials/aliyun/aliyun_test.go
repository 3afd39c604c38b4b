package aliyun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/es-openapi/interrupt/client"
)

// Test credentials; the secrets are distinctive so a leak is easy to find.
const (
	keyID   = "LTAI5tProfileKeyID"
	secret  = "S3CR3T-profile-never-print-0123"
	keyID2  = "STS.ProfileKeyID2"
	secret2 = "S3CR3T-second-never-print-4567"
	token2  = "STS-T0KEN-never-print-abcdef"
)

// cliConfig is an aliyun CLI configuration file with an AccessKey profile "ak" (the current
// one) and an STS profile "sts".
const cliConfig = `{
	"current": "ak",
	"profiles": [
		{"name": "ak", "mode": "AK", "access_key_id": "` + keyID + `", "access_key_secret": "` + secret + `", "region_id": "cn-hangzhou"},
		{"name": "sts", "mode": "StsToken", "access_key_id": "` + keyID2 + `", "access_key_secret": "` + secret2 + `", "sts_token": "` + token2 + `", "region_id": "cn-hangzhou"}
	],
	"meta_path": ""
}`

// writeFile writes content to dir/name, making the directories, and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultChainReadsTheEnvironment(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", keyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", token2)
	got, err := DefaultChain().Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := client.StaticCredentials{AccessKeyID: keyID, AccessKeySecret: secret, SecurityToken: token2}
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDefaultChainReadsTheCLIProfileFileInHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeFile(t, home, ".aliyun/config.json", cliConfig)
	got, err := DefaultChain().Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != keyID || got.AccessKeySecret != secret || got.SecurityToken != "" {
		t.Errorf("got %v, want the current profile's AccessKey %s", got, keyID)
	}
}

func TestDefaultChainWithNothingConfigured(t *testing.T) {
	_, err := DefaultChain().Retrieve(context.Background())
	if !errors.Is(err, client.ErrNoCredentials) {
		t.Fatalf("got %v, want an error matching client.ErrNoCredentials", err)
	}
	var perr *Error
	if !errors.As(err, &perr) || perr.Provider != "default" {
		t.Fatalf("got %#v, want an *Error from the default provider", err)
	}
	// The chain must not have tried the metadata service, which TestMain switched off.
	if strings.Contains(err.Error(), "100.100.100.200") {
		t.Errorf("the chain asked the ECS metadata service: %v", err)
	}
}

func TestCLIProfileSelection(t *testing.T) {
	file := writeFile(t, t.TempDir(), "config.json", cliConfig)
	ak := client.StaticCredentials{AccessKeyID: keyID, AccessKeySecret: secret}
	sts := client.StaticCredentials{AccessKeyID: keyID2, AccessKeySecret: secret2, SecurityToken: token2}
	for _, tc := range []struct {
		name, file, profile, envFile, envProfile string
		want                                     client.StaticCredentials
	}{
		{name: "current profile", file: file, want: ak},
		{name: "named profile", file: file, profile: "sts", want: sts},
		{name: "ALIBABA_CLOUD_PROFILE", file: file, envProfile: "sts", want: sts},
		{name: "name beats ALIBABA_CLOUD_PROFILE", file: file, profile: "ak", envProfile: "sts", want: ak},
		{name: "ALIBABA_CLOUD_CONFIG_FILE", envFile: file, profile: "sts", want: sts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.envFile != "" {
				t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", tc.envFile)
			}
			if tc.envProfile != "" {
				t.Setenv("ALIBABA_CLOUD_PROFILE", tc.envProfile)
			}
			p, err := CLIProfile(tc.file, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCLIProfileFailures(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "config.json", cliConfig)
	notJSON := writeFile(t, dir, "broken.json", strings.TrimSuffix(cliConfig, "}"))
	for _, tc := range []struct {
		name, file, profile, want string
	}{
		{name: "missing file", file: filepath.Join(dir, "absent.json"), want: "absent.json"},
		{name: "missing profile", file: good, profile: "nope", want: "nope"},
		{name: "not JSON", file: notJSON, want: "broken.json' failed: the file is not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CLIProfile(tc.file, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Retrieve(context.Background())
			var perr *Error
			if !errors.As(err, &perr) || perr.Provider != "cli_profile" || !errors.Is(err, client.ErrNoCredentials) {
				t.Fatalf("got %v, want an *Error from cli_profile matching client.ErrNoCredentials", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not mention %q", msg, tc.want)
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, secret2) || strings.Contains(msg, token2) {
				t.Errorf("message prints a secret: %q", msg)
			}
		})
	}
}

func TestCLIProfileDisabled(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	_, err := CLIProfile("", "")
	if !errors.Is(err, client.ErrNoCredentials) {
		t.Fatalf("got %v, want an error matching client.ErrNoCredentials", err)
	}
}

// fakeProvider answers from a function and counts the calls.
type fakeProvider struct {
	calls  atomic.Int32
	answer func(n int32) (*providers.Credentials, error)
}

func (f *fakeProvider) GetCredentials() (*providers.Credentials, error) {
	return f.answer(f.calls.Add(1))
}

func (f *fakeProvider) GetProviderName() string { return "fake" }

// clock is a settable time source for Provider.now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func numbered(n int32) (*providers.Credentials, error) {
	return &providers.Credentials{AccessKeyId: fmt.Sprintf("id-%d", n), AccessKeySecret: secret}, nil
}

func TestRetrieveReusesAnAnswerForReuseFor(t *testing.T) {
	f := &fakeProvider{answer: numbered}
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := New(f)
	p.now = clk.now
	ctx := context.Background()

	for i, step := range []struct {
		advance time.Duration
		wantID  string
	}{
		{0, "id-1"},
		{ReuseFor - time.Nanosecond, "id-1"},
		{time.Nanosecond, "id-2"}, // exactly ReuseFor after the first answer
		{ReuseFor / 2, "id-2"},
	} {
		clk.advance(step.advance)
		got, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccessKeyID != step.wantID {
			t.Errorf("step %d: got %s, want %s", i, got.AccessKeyID, step.wantID)
		}
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("the provider was asked %d times, want 2", n)
	}
}

func TestRetrieveDoesNotKeepAFailure(t *testing.T) {
	f := &fakeProvider{answer: func(n int32) (*providers.Credentials, error) {
		switch n {
		case 1:
			return nil, errors.New("metadata service unreachable")
		case 2:
			return &providers.Credentials{AccessKeyId: "id"}, nil // no secret
		}
		return numbered(n)
	}}
	p := New(f)
	ctx := context.Background()
	if _, err := p.Retrieve(ctx); err == nil || !strings.Contains(err.Error(), "metadata service unreachable") {
		t.Fatalf("first: got %v, want the provider's error", err)
	}
	if _, err := p.Retrieve(ctx); !errors.Is(err, errIncomplete) || !errors.Is(err, client.ErrNoCredentials) {
		t.Fatalf("second: got %v, want errIncomplete", err)
	}
	got, err := p.Retrieve(ctx)
	if err != nil || got.AccessKeyID != "id-3" {
		t.Fatalf("third: got %v, %v; want id-3", got, err)
	}
}

func TestConcurrentRetrievesShareOneRequest(t *testing.T) {
	release := make(chan struct{})
	f := &fakeProvider{answer: func(n int32) (*providers.Credentials, error) {
		<-release
		return numbered(n)
	}}
	p := New(f)
	const callers = 16
	var wg sync.WaitGroup
	ids := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			c, err := p.Retrieve(context.Background())
			ids[i], errs[i] = c.AccessKeyID, err
		})
	}
	// Let the callers reach the provider (or wait on it) before it answers.
	for f.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	close(release)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || ids[i] != "id-1" {
			t.Errorf("caller %d: got %q, %v; want id-1", i, ids[i], errs[i])
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("the provider was asked %d times, want 1", n)
	}
}

func TestRetrieveReturnsWhenTheContextEnds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := &fakeProvider{answer: func(n int32) (*providers.Credentials, error) {
		<-release
		return numbered(n)
	}}
	p := New(f)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := p.Retrieve(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := p.Retrieve(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestProviderPrintsNoSecret(t *testing.T) {
	sp, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(keyID).WithAccessKeySecret(secret).Build()
	if err != nil {
		t.Fatal(err)
	}
	p := New(sp)
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("creds", "p", p)
	for _, s := range []string{
		fmt.Sprintf("%v", p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p), fmt.Sprintf("%d", p),
		fmt.Sprintf("%s", p), fmt.Sprintf("%x", p), logged.String(),
	} {
		if strings.Contains(s, secret) {
			t.Errorf("printed the secret: %s", s)
		}
		if !strings.Contains(s, "static_ak") {
			t.Errorf("%q does not name the provider", s)
		}
	}
}

func TestDefaultChainHidesABrokenProfileFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeFile(t, home, ".aliyun/config.json", strings.TrimSuffix(cliConfig, "}"))
	_, err := DefaultChain().Retrieve(context.Background())
	if !errors.Is(err, client.ErrNoCredentials) {
		t.Fatalf("got %v, want an error matching client.ErrNoCredentials", err)
	}
	if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, secret2) || strings.Contains(msg, token2) {
		t.Errorf("message prints a secret: %q", msg)
	}
}
