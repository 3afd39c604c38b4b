// Package client calls Alibaba Cloud Elasticsearch's InterruptElasticsearchTask operation
// (POST /openapi/instances/{InstanceId}/actions/interrupt, API version 2017-06-13), which
// interrupts the change an instance is applying.
//
// It is built on the HTTP client generated from the operation's OpenAPI document; what else it
// needs from the document (the error-code catalogue, the ClientToken rules) is generated Go too,
// so it links no OpenAPI or YAML package. It adds what a cloud SDK needs:
//
//   - signing with ACS3-HMAC-SHA256 (the default) or ROA v1 HMAC-SHA1, anew on every attempt, with
//     credentials asked for on every attempt (StaticCredentials, EnvCredentials or any
//     Credentials, such as a refreshing STS provider behind a CredentialsFunc);
//   - endpoints from a region id (public or VPC) or given explicitly, HTTPS unless a URL says
//     http;
//   - JSON or XML responses (XML with or without a root element), with the body capped at
//     MaxResponseBodyBytes;
//   - typed errors: *APIError for every error response, matched by one Code sentinel per entry of
//     the document's error-code catalogue (errors.Is(err, ErrInstanceNotFound)), with
//     Retryable from that catalogue; *ValidationError for arguments refused before anything is
//     sent; *ConfigError from New; *UnexpectedResponseError and *BodyTooLargeError for responses
//     that cannot be read;
//   - idempotent retries: a call without a ClientToken gets a random UUID-shaped one, every
//     attempt carries the same token, and only failures that may pass (network errors and
//     timeouts before a complete response, 5xx, throttling, retryable codes) are retried, with
//     exponential backoff and full jitter, each attempt bounded by RetryPolicy.AttemptTimeout
//     (reading the body included), the call bounded in attempts and time, and cancelled at
//     once with the context; a throttled response's own wait is always honoured, and a call that
//     cannot spend it stops at once with a *ThrottledError saying when to retry;
//   - no redirect is ever followed, whatever Config.HTTPClient: a 3xx is an
//     *UnexpectedResponseError and the signed request goes to no other host.
//
// # Failed calls and their clientToken
//
// Every error a call returns after its arguments are checked is a *CallError holding the
// clientToken its attempts carried and the number of attempts. It only wraps: its message is
// the wrapped error's, and errors.As and errors.Is reach *APIError, the Code sentinels,
// *UnexpectedResponseError, *BodyTooLargeError and context errors through it, so code written
// against those types needs no change. A *ValidationError (nothing was sent) is returned bare.
// To retry a failed call later, pass CallError.ClientToken in InterruptOptions; or make the
// token beforehand with NewClientToken and pass it from the first call on. Either way the
// service applies the interrupt at most once.
//
// # Secrets
//
// The client never writes credentials into its errors or logs. Everything the server sends back
// that the client surfaces (RequestID, Message, Recommend, HostID, headers, the body excerpt) is
// scrubbed of the attempt's secret, security token and Authorization header wherever they occur;
// only a Code of the catalogue is kept as sent, so that errors.Is and retrying still match it.
//
// StaticCredentials and Client print redacted with every fmt verb. Config prints redacted with
// %v, %+v, %#v, %s, %q, %x and %X, with String and GoString, and through log/slog; other verbs
// (%d, say) make fmt print Config's fields one by one, and with them the fields of a
// Credentials implementation of your own, which this package cannot redact. A provider that
// holds a secret in a field should implement fmt.Formatter (or at least fmt.Stringer and
// fmt.GoStringer) and slog.LogValuer so that every form of it is redacted, as StaticCredentials
// does.
//
// A minimal call:
//
//	c, err := client.New(client.Config{RegionID: "cn-hangzhou"}) // credentials from ALIBABA_CLOUD_*
//	if err != nil {
//		return err
//	}
//	res, err := c.InterruptElasticsearchTask(ctx, "es-cn-n6w1o1x0w001c****", nil)
//	switch {
//	case errors.Is(err, client.ErrInstanceNotFound):
//		// no such instance in this region
//	case err != nil:
//		return err
//	}
//	fmt.Println(res.Result, res.RequestID)
package client
