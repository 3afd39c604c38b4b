package server

import (
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/signing"
)

// authenticator verifies signatures with the signing package (the same canonicalization the
// client signs with) and remembers nonces to refuse replays.
type authenticator struct {
	credentials map[string]signing.Credentials
	maxSkew     time.Duration
	nonces      *expiringMap[nonceKey, struct{}]
	seeds       [2]maphash.Seed
}

// nonceKey identifies a nonce of one AccessKeyId: two independent 64-bit hashes of the pair.
// The cache stores these 16 bytes instead of the header, so its cap bounds its memory however
// long the nonces are. With random per-process seeds a caller cannot aim for a collision, and an
// accidental one (a fresh nonce refused as used) has a chance near 2^-128 per pair.
type nonceKey [2]uint64

// newAuthenticator returns nil when no credentials are configured: signatures are then not
// checked at all.
func newAuthenticator(creds []signing.Credentials, maxSkew time.Duration, maxNonces int) (*authenticator, error) {
	if len(creds) == 0 {
		return nil, nil
	}
	byID := make(map[string]signing.Credentials, len(creds))
	for i, c := range creds {
		if c.AccessKeyID == "" || c.AccessKeySecret == "" {
			return nil, fmt.Errorf("server: Credentials[%d]: AccessKeyID and AccessKeySecret are both required", i)
		}
		if _, dup := byID[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("server: Credentials[%d]: AccessKeyID %q appears twice", i, c.AccessKeyID)
		}
		byID[c.AccessKeyID] = c
	}
	return &authenticator{
		credentials: byID,
		maxSkew:     maxSkew,
		// A nonce must be remembered as long as a replay could still pass the clock check: the
		// first use had a date within maxSkew of the server's clock, and a replay is accepted
		// while the server's clock is within maxSkew of that date, so 2*maxSkew from the first
		// use covers every replay.
		nonces: newExpiringMap[nonceKey, struct{}](2*maxSkew, maxNonces),
		seeds:  [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
	}, nil
}

func (a *authenticator) lookup(accessKeyID string) (signing.Credentials, bool) {
	c, ok := a.credentials[accessKeyID]
	return c, ok
}

// authError is a refused signature: the catalogue code and what to append to its message.
type authError struct {
	code   string
	detail string
}

// verify checks r's signature at now and returns the verified AccessKeyId. The body must already
// be buffered in r (ServeHTTP does that), so Verify's hashing reads memory only.
//
// Codes: MissingSecurityToken (a temporary STS. key without its token, checked first),
// IncompleteSignature (missing or malformed Authorization or signing headers),
// InvalidTimeStamp.Expired (clock skew), InvalidAccessKeyId.NotFound (unknown key),
// InvalidSecurityToken.MismatchWithAccessKey (STS token), SignatureDoesNotMatch (with the
// server's string to sign appended to the message, as the service does) and SignatureNonceUsed
// (a nonce seen within the window). A nonce is recorded only once the signature is valid, so
// nobody without a key can fill the cache.
//
// When the cache is full the oldest nonce is forgotten first: memory stays bounded, at the
// price of accepting a replay of a nonce older than the last NonceMaxEntries ones.
func (a *authenticator) verify(r *http.Request, now time.Time) (string, *authError) {
	if missingSecurityToken(r) {
		return "", &authError{code: codeSecurityTokenMissing}
	}
	v, err := signing.Verify(r, a.lookup, signing.VerifyOptions{Now: now, MaxSkew: a.maxSkew})
	if err != nil {
		var se *signing.Error
		if !errors.As(err, &se) {
			// Only a body read error gets here, and the body is already in memory.
			return "", &authError{code: codeIncompleteSignature}
		}
		e := &authError{code: se.Code}
		if se.Code == signing.CodeSignatureDoesNotMatch && se.StringToSign != "" {
			e.detail = stringToSignPrefix + se.StringToSign
		}
		return "", e
	}
	if v.Nonce != "" {
		key := a.nonceKey(v.AccessKeyID, v.Nonce)
		if _, fresh := a.nonces.getOrInsert(key, now, func() struct{} { return struct{}{} }); !fresh {
			return "", &authError{code: codeNonceUsed}
		}
	}
	return v.AccessKeyID, nil
}

// stsKeyPrefix starts the AccessKeyId of every temporary STS credential.
const stsKeyPrefix = "STS."

// missingSecurityToken reports a request signed with a temporary key (AccessKeyId starting with
// STS.) that carries no x-acs-security-token. The gateway answers it 400 MissingSecurityToken
// before it looks the key up, so even a key it does not know gets that answer; a token that is
// present but not the key's stays 403 InvalidSecurityToken.MismatchWithAccessKey.
func missingSecurityToken(r *http.Request) bool {
	id := accessKeyIDOf(r.Header.Get("Authorization"))
	return strings.HasPrefix(id, stsKeyPrefix) && strings.TrimSpace(r.Header.Get("X-Acs-Security-Token")) == ""
}

// accessKeyIDOf reads the AccessKeyId of an Authorization header of either scheme, or "" when
// the header has none: "ACS3-HMAC-SHA256 Credential=<id>,..." or "acs <id>:<signature>".
// signing.Verify checks the rest of the header.
func accessKeyIDOf(auth string) string {
	if rest, ok := strings.CutPrefix(auth, "ACS3-HMAC-SHA256 "); ok {
		for part := range strings.SplitSeq(rest, ",") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				return id
			}
		}
		return ""
	}
	if rest, ok := strings.CutPrefix(auth, "acs "); ok {
		id, _, _ := strings.Cut(rest, ":")
		return id
	}
	return ""
}

// nonceKey scopes a nonce to its key: two callers may pick the same nonce independently.
func (a *authenticator) nonceKey(accessKeyID, nonce string) nonceKey {
	var k nonceKey
	for i, seed := range a.seeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteString(accessKeyID)
		h.WriteByte(0)
		h.WriteString(nonce)
		k[i] = h.Sum64()
	}
	return k
}

func (a *authenticator) nonceCount() int {
	if a == nil {
		return 0
	}
	return a.nonces.len()
}
