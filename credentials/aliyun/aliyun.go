package aliyun

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/es-openapi/interrupt/client"
)

// ReuseFor is how long a *Provider gives out the credentials its provider last returned before it
// asks again. credentials-go renews temporary credentials when 3 minutes or less of them remain,
// so what it returns is valid for at least 3 minutes and reusing it for 1 minute leaves 2.
const ReuseFor = time.Minute

// Provider adapts a credentials-go provider to client.Credentials. It is safe for concurrent
// use (the providers themselves are not): concurrent callers share one request to the provider.
type Provider struct {
	p   providers.CredentialsProvider
	now func() time.Time // replaced by tests

	mu      sync.Mutex
	cached  client.StaticCredentials
	until   time.Time // cached is given out before this instant
	pending *refresh  // the request to the provider in flight, nil when none
}

// refresh is one request to the provider; done is closed when creds and err are set.
type refresh struct {
	done  chan struct{}
	creds client.StaticCredentials
	err   error
}

// New adapts p, a provider from github.com/aliyun/credentials-go/credentials/providers (or any
// implementation of its CredentialsProvider interface).
func New(p providers.CredentialsProvider) *Provider {
	return &Provider{p: p, now: time.Now}
}

// DefaultChain is credentials-go's default credential chain, tried in its order:
// the ALIBABA_CLOUD_ACCESS_KEY_* environment variables, OIDC (ALIBABA_CLOUD_ROLE_ARN,
// ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), the aliyun CLI's profile
// file, the ~/.alibabacloud/credentials file, the ECS RAM role (unless
// ALIBABA_CLOUD_ECS_METADATA_DISABLED=true) and ALIBABA_CLOUD_CREDENTIALS_URI. Which providers
// take part is settled now, from those variables; the credentials are read when first asked for.
func DefaultChain() *Provider {
	return New(providers.NewDefaultCredentialsProvider())
}

// CLIProfile reads the profile named name from the aliyun CLI's configuration file, file.
// An empty file means ALIBABA_CLOUD_CONFIG_FILE or else ~/.aliyun/config.json; an empty name
// means ALIBABA_CLOUD_PROFILE or else the file's current profile. The file is read when
// credentials are first asked for, so an unreadable file or a missing profile shows then. It
// fails, with an *Error, only when ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true.
func CLIProfile(file, name string) (*Provider, error) {
	p, err := providers.NewCLIProfileCredentialsProviderBuilder().
		WithProfileFile(file).
		WithProfileName(name).
		Build()
	if err != nil {
		return nil, &Error{Provider: "cli_profile", Err: err}
	}
	return New(p), nil
}

// Retrieve returns the provider's credentials, asking it when the last answer is older than
// ReuseFor. A failure is an *Error (matching client.ErrNoCredentials) and is not kept: the next
// Retrieve asks again. When ctx ends first, Retrieve returns ctx's error at once; the request to
// the provider, which takes no context, finishes within the provider's own time limits.
func (p *Provider) Retrieve(ctx context.Context) (client.StaticCredentials, error) {
	if err := ctx.Err(); err != nil {
		return client.StaticCredentials{}, err
	}
	p.mu.Lock()
	if p.now().Before(p.until) {
		c := p.cached
		p.mu.Unlock()
		return c, nil
	}
	r := p.pending
	if r == nil {
		r = &refresh{done: make(chan struct{})}
		p.pending = r
		go p.ask(r)
	}
	p.mu.Unlock()

	select {
	case <-r.done:
		return r.creds, r.err
	case <-ctx.Done():
		return client.StaticCredentials{}, ctx.Err()
	}
}

// ask requests credentials from the provider once and publishes the answer to r and the cache.
func (p *Provider) ask(r *refresh) {
	asked := p.now()
	r.creds, r.err = p.get()
	p.mu.Lock()
	if r.err == nil {
		p.cached, p.until = r.creds, asked.Add(ReuseFor)
	}
	p.pending = nil
	p.mu.Unlock()
	close(r.done)
}

// get calls the provider and checks its answer.
func (p *Provider) get() (client.StaticCredentials, error) {
	name := p.p.GetProviderName()
	cc, err := p.p.GetCredentials()
	switch {
	case err != nil:
		return client.StaticCredentials{}, &Error{Provider: name, Err: scrub(err)}
	case cc == nil || cc.AccessKeyId == "" || cc.AccessKeySecret == "":
		return client.StaticCredentials{}, &Error{Provider: name, Err: errIncomplete}
	}
	return client.StaticCredentials{
		AccessKeyID:     cc.AccessKeyId,
		AccessKeySecret: cc.AccessKeySecret,
		SecurityToken:   cc.SecurityToken,
	}, nil
}

// String names the adapted provider; it never shows credentials.
func (p *Provider) String() string {
	return "aliyun.Provider{" + p.p.GetProviderName() + "}"
}

// GoString is the %#v form, the same as String.
func (p *Provider) GoString() string { return p.String() }

// Format makes every fmt verb print String, never the fields (the adapted provider may hold a
// secret in one).
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue keeps log/slog handlers from writing the fields.
func (p *Provider) LogValue() slog.Value { return slog.StringValue(p.String()) }

// cliConfigUnmarshal starts credentials-go's message for an aliyun CLI configuration file that
// is not JSON; the message goes on with the whole file, secrets included.
const cliConfigUnmarshal = "unmarshal aliyun cli config from "

// scrub returns err, or, when its message would print the aliyun CLI configuration file, an
// error that names the file without its contents.
func scrub(err error) error {
	msg := err.Error()
	start := strings.Index(msg, cliConfigUnmarshal)
	if start < 0 {
		return err
	}
	end := strings.Index(msg[start:], "' failed")
	if end < 0 {
		end = len(cliConfigUnmarshal)
	} else {
		end += len("' failed")
	}
	return scrubbedError(msg[:start+end] + ": the file is not valid JSON (its contents are not shown: they hold secrets)")
}
