package client

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/es-openapi/interrupt/internal/ids"
)

// Parameter names on the wire, used as ValidationError.Field.
const (
	fieldInstanceID  = "InstanceId"
	fieldClientToken = "clientToken"
)

// tokenRules are the clientToken limits of the document's ClientToken schema.
type tokenRules struct {
	maxLen  int
	pattern *regexp.Regexp
}

// loadTokenRules compiles the document's ClientToken rules (generated into document_gen.go)
// once per process, on the first New rather than at start-up.
var loadTokenRules = sync.OnceValues(func() (*tokenRules, error) {
	re, err := regexp.Compile(clientTokenPattern)
	if err != nil {
		return nil, fmt.Errorf("client: the ClientToken pattern: %w", err)
	}
	return &tokenRules{maxLen: clientTokenMaxLength, pattern: re}, nil
})

// checkClientToken refuses a token the service would refuse: not ASCII, longer than the
// schema's maxLength or outside its pattern (printable ASCII). "" means "none" and is not
// checked.
func (r *tokenRules) check(token string) error {
	if token == "" {
		return nil
	}
	for i := 0; i < len(token); i++ {
		if token[i] >= utf8.RuneSelf {
			return &ValidationError{Field: fieldClientToken, Reason: "must be ASCII"}
		}
	}
	if len(token) > r.maxLen {
		return &ValidationError{Field: fieldClientToken,
			Reason: "is " + strconv.Itoa(len(token)) + " characters, more than " + strconv.Itoa(r.maxLen)}
	}
	if !r.pattern.MatchString(token) {
		return &ValidationError{Field: fieldClientToken,
			Reason: "must match " + r.pattern.String() + " (printable ASCII, no control characters)"}
	}
	return nil
}

// checkInstanceID refuses what cannot be sent as the one path segment it must be. Anything else
// is escaped and left for the service to judge; "." and ".." would be read as dot segments of
// the path and change it.
func checkInstanceID(id string) error {
	switch id {
	case "":
		return &ValidationError{Field: fieldInstanceID, Reason: "is required"}
	case ".", "..":
		return &ValidationError{Field: fieldInstanceID, Reason: `cannot be "." or ".."`}
	}
	return nil
}

// pathEscapeKeeps are the bytes url.PathEscape (the generated client's escaping) leaves as they
// are in a path segment while the official SDKs' escaping, wire.EscapeSegment, encodes them.
// Every other byte is escaped identically by both.
const pathEscapeKeeps = "$&+:=@"

// NewClientToken returns a random UUID-shaped clientToken (a version 4 UUID in upper case, like
// the samples of the document), the kind InterruptElasticsearchTask makes for a call without
// one. To retry a failed call later with the same token, make it with NewClientToken and pass
// it in InterruptOptions: a second call with the same token for the same instance is answered
// as the first was instead of being applied again.
func NewClientToken() string { return ids.UUID() }

// newNonce returns a fresh x-acs-signature-nonce: 128 random bits in hex.
func newNonce() string { return ids.Hex(16) }
