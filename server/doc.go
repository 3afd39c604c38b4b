// Package server is the reference implementation of Alibaba Cloud Elasticsearch's
// InterruptElasticsearchTask operation (POST /openapi/instances/{InstanceId}/actions/interrupt),
// for running in place of the real service: in-process with net/http/httptest, or through
// `esinterrupt serve`.
//
// It is built on the generated strict server (gen/apiserver) and reads everything it answers
// from the embedded document (package spec): error statuses and messages from the catalogue,
// XML root names from the schemas, request rules from the parameter schemas.
//
//	srv, err := server.New(server.Config{
//		Instances:   map[string]server.Status{"es-cn-abc": server.StatusActivating},
//		Credentials: []signing.Credentials{{AccessKeyID: "ak", AccessKeySecret: "secret"}},
//	})
//	ts := httptest.NewServer(srv)
//
// # Lifecycle
//
// Instances live in memory, seeded through Config.Instances, PutInstance or the admin API. An
// interrupt is valid only while an instance is applying a change:
//
//	| instance status                    | response                                        | status afterwards |
//	| ---------------------------------- | --------------------------------------------- | ----------------- |
//	| activating                         | 200, Result: true                             | suspended         |
//	| suspended (a new clientToken)      | 400 AlreadyReceivedInterruptSignal            | suspended         |
//	| active, inactive, invalid          | 400 InstanceStatusNotSupportCurrentAction     | unchanged         |
//	| unknown id                         | 400 InstanceNotFound                          | none              |
//
// The table is data in the document (the operation's x-state-table extension, read through
// spec.LoadStateTable); the operation's description shows the same table.
//
// # Idempotency
//
// The key is the clientToken, scoped to the verified AccessKeyId (one caller's token never
// blocks or replays another's). Within Config.IdempotencyTTL of a token's first use:
//
//   - the same token for the same instance gets the first response again, changing nothing: the
//     same status, the same RequestId (body and x-acs-request-id) and, in the same format, the
//     same body bytes. A replay that asks for the other format gets the same response (status,
//     RequestId, fields) encoded in that format;
//   - the same token for another instance gets IdempotentParameterMismatch;
//   - concurrent requests with one token are serialised per token: the lifecycle runs once and
//     the others replay its response.
//
// Responses the catalogue marks retryable (none of the lifecycle's responses today) are not
// remembered, since a retry with the same token must be able to succeed; the token stays bound
// to its instance. Requests without a clientToken are not deduplicated. Each AccessKeyId holds
// at most Config.IdempotencyMaxEntries tokens; a key that holds that many gets Throttling.User
// (x-ratelimit headers saying when its oldest token expires) for a new token, and no live token
// is ever forgotten, so no traffic, the key's own or another's, can evict one. The default
// retention, twice the skew window, outlives every replay of a signed request.
//
// # Requests
//
// Every request goes through, in order: routing on the raw path (an unknown path or method is
// 404 InvalidAction.NotFound; nothing is ever redirected), signature verification when
// Config.Credentials is set (ACS3-HMAC-SHA256 or ROA v1 via package signing, with a 15-minute
// clock window and a replay cache per AccessKeyId: a request's nonce, or a ROA request's
// signature when it has no nonce, acts once within twice the window; a key whose cache holds
// Config.NonceMaxEntries gets Throttling.User rather than a cache that forgets), the optional
// per-key rate limit (Throttling.User with x-ratelimit-user-api and x-ratelimit-user headers),
// validation with kin-openapi's
// openapi3filter against the document (InvalidParameter, or MissingParameter for an empty id;
// any request body is invalid), the idempotency store and the lifecycle.
//
// # Responses
//
// XML is the default, as the service's: a request without Accept, with */* alone or with nothing
// usable gets XML, labelled exactly text/xml;charset=utf-8 as the service labels it; a request
// that prefers application/json (q-values count) gets JSON, labelled application/json. XML
// responses have one root element, named by the schemas' xml.name: InterruptElasticsearchTaskResponse
// (Alibaba Cloud's <Action>Response convention; the product page shows the children alone) and
// Error, with the children in the service's order. Every response carries a fresh UUID-shaped
// RequestId, echoed in the x-acs-request-id header; error bodies carry a Recommend link with the
// request id, and HostId only for gateway errors (signature, keys, routing, flow control: the
// catalogue's origin). No input leads to a 5xx, a redirect or text/plain
// (net/http's own responses to bytes that are not an HTTP request at all, such as a malformed
// request line, are sent before any handler runs; the README lists them). A body slower than
// Config.BodyTimeout, cut short or over MaxBodyBytes is recorded with InvalidParameter, and the
// connection is closed.
//
// # Listening
//
// Listen serves a Server (or any handler) on TCP with bounds a client cannot outlast: at most
// ListenConfig.MaxConns connections (golang.org/x/net/netutil.LimitListener), idle ones closed
// first while the limit is reached, and header, idle and write timeouts and a header cap.
//
// # Admin API
//
// With Config.Admin, fixtures can be listed, read and set over HTTP under AdminPrefix, unsigned,
// always in JSON:
//
//	GET /-/admin/instances        {"requestId":"...","instances":{"<id>":"<status>",...}}
//	GET /-/admin/instances/{id}   {"requestId":"...","id":"<id>","status":"<status>"}
//	PUT /-/admin/instances/{id}   body {"status":"activating"}; answers like GET
//
// Mistakes get the Error body: InvalidParameter, InstanceNotFound, or InvalidAction.NotFound for
// any other path or method. When Config.Admin is off these paths are unknown routes.
//
// # Faults
//
// Config.Faults, AddFault and, with Config.Admin, /-/admin/faults make the server respond to matching
// requests with any catalogue code (5xx included) or a transport fault instead of its own response;
// see Fault.
package server
