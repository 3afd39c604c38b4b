// Package signing signs and verifies Alibaba Cloud Elasticsearch
// InterruptElasticsearchTask requests
// (POST /openapi/instances/{InstanceId}/actions/interrupt).
//
// It is the single place where the canonicalization lives: the client signs
// with [Sign] and the reference server checks with [Verify], and both go
// through the same canonical-request and string-to-sign code, so the two
// sides cannot drift apart.
//
// Two schemes are supported, as Alibaba Cloud's signature documentation and the
// official SDKs define them:
//
//   - ACS3-HMAC-SHA256 ("V3", [SchemeV3]), the current official SDK's
//     default. The canonical request is
//     Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//     SignedHeaders \n HexPayloadHash; the string to sign is
//     "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonical request)) and the
//     signature is hex(HMAC-SHA256(secret, string to sign)). The URI and
//     query values are percent-encoded with only RFC 3986 unreserved
//     characters left as they are (space as %20, '*' as %2A, '~' kept).
//   - ROA v1 HMAC-SHA1 ([SchemeROA]), used by older SDKs and still accepted.
//     The string to sign is Method, Accept, Content-MD5, Content-Type and
//     Date, one per line, then every x-acs-* header as "name:value\n", then
//     the resource: the path as sent plus "?" and the query with values NOT
//     encoded. The signature is base64(HMAC-SHA1(secret, string to sign)).
//
// Verification recomputes everything from the request as received: the
// escaped path, the decoded query re-encoded canonically (so a query sent
// form-encoded, '+' for space, still matches a signature over %20) and, for
// V3, only the headers listed in SignedHeaders. Nonce replay is not checked
// here; [Verified] returns the nonce for the caller's replay cache.
//
// Nothing in this package prints an AccessKeySecret: [Credentials] redacts
// it (and the STS token) in every fmt verb and in log/slog, and errors never
// include it.
package signing
