// Package client calls Alibaba Cloud Elasticsearch's InterruptElasticsearchTask operation
// (POST /openapi/instances/{InstanceId}/actions/interrupt, API version 2017-06-13), which
// interrupts the change an instance is applying.
//
// It is built on the HTTP client generated from the operation's OpenAPI document and adds
// what a cloud SDK needs:
//
//   - signing with ACS3-HMAC-SHA256 (the default) or ROA v1 HMAC-SHA1, anew on every attempt, with
//     credentials asked for on every attempt (StaticCredentials, EnvCredentials or any
//     Credentials, such as a refreshing STS provider behind a CredentialsFunc);
//   - endpoints from a region id (public or VPC) or given explicitly, HTTPS unless a URL says
//     http;
//   - JSON or XML answers (XML with or without a root element), with the body capped at
//     MaxResponseBodyBytes;
//   - typed errors: *APIError for every error answer, matched by one Code sentinel per entry of
//     the document's error-code catalogue (errors.Is(err, ErrInstanceNotFound)), with
//     Retryable from that catalogue; *ValidationError for arguments refused before anything is
//     sent; *ConfigError from New; *UnexpectedResponseError and *BodyTooLargeError for answers
//     that cannot be read;
//   - idempotent retries: a call without a ClientToken gets a random UUID-shaped one, every
//     attempt carries the same token, and only failures that may pass (network errors before a
//     response, 5xx, throttling, retryable codes) are retried, with exponential backoff and
//     full jitter, bounded in attempts and time, and cancelled at once with the context.
//
// Credentials never appear in errors, logs or any printed form of Config, StaticCredentials
// or Client.
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
