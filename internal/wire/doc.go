// Package wire is the one home of the protocol facts the client, the reference server and the
// contract share: the operation's path, which error codes are throttling, the x-ratelimit-*
// header, the Accept negotiation. It imports no OpenAPI or YAML package, so the client can use it.
package wire
