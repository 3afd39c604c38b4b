package client

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/es-openapi/interrupt/gen/apiclient"
	"github.com/es-openapi/interrupt/internal/redact"
	"github.com/es-openapi/interrupt/signing"
)

// Client calls InterruptElasticsearchTask. It is safe for concurrent use; create one per
// configuration and reuse it, so connections are pooled.
type Client struct {
	api      *apiclient.ClientWithResponses
	endpoint string
	creds    Credentials
	scheme   signing.Scheme
	accept   []string
	retry    RetryPolicy
	logger   *slog.Logger
	tokens   *tokenRules

	// Hooks that tests replace; they are set by New and never changed afterwards.
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// New checks cfg and returns a Client. Every problem with cfg is reported, as one *ConfigError
// or several joined with errors.Join; nothing is sent over the network.
func New(cfg Config) (*Client, error) {
	var p problems
	endpoint := p.endpoint(cfg)
	scheme := p.scheme(cfg.Signature)
	accept := p.accept(cfg.Format)
	p.credentials(cfg.Credentials)
	p = append(p, cfg.Retry.check()...)
	tokens, err := loadTokenRules()
	if err != nil {
		p = append(p, err)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	api, err := apiclient.NewClientWithResponses(endpoint,
		apiclient.WithHTTPClient(cappedDoer{next: doerFor(cfg.HTTPClient), limit: MaxResponseBodyBytes}))
	if err != nil {
		return nil, &ConfigError{Field: "Endpoint", Reason: "is not usable as a base URL"}
	}
	return &Client{
		api:      api,
		endpoint: endpoint,
		creds:    credentialsOrEnv(cfg.Credentials),
		scheme:   scheme,
		accept:   []string{accept},
		retry:    cfg.Retry.withDefaults(),
		logger:   loggerOrDiscard(cfg.Logger),
		tokens:   tokens,
		now:      time.Now,
		sleep:    sleepCtx,
	}, nil
}

// credentialsOrEnv returns c, or EnvCredentials when c is nil.
func credentialsOrEnv(c Credentials) Credentials {
	if c == nil {
		return EnvCredentials{}
	}
	return c
}

// loggerOrDiscard returns l, or a logger that discards when l is nil.
func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Endpoint returns the base URL the client calls, such as
// "https://elasticsearch.cn-hangzhou.aliyuncs.com".
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without its credentials.
func (c *Client) String() string {
	if c == nil {
		return "client.Client(nil)"
	}
	return "client.Client{Endpoint: " + strconv.Quote(c.endpoint) + ", Credentials: " + describeCredentials(c.creds) + "}"
}

// Format makes every fmt verb print String: fmt's own dump of a struct reaches unexported
// fields, the credentials among them, without calling their redacting methods.
func (c *Client) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, c.String(), c.String())
}
