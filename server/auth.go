package server

import (
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/signing"
)

// authenticator verifies signatures with the signing package (the same canonicalization the
// client signs with) and remembers replay keys to refuse replays.
type authenticator struct {
	credentials map[string]signing.Credentials
	maxSkew     time.Duration
	replays     windows[replayKey, struct{}] // one per configured AccessKeyId
	maxReplays  int
	seeds       [2]maphash.Seed
}

// replayKey identifies a signed request within its AccessKeyId's window: two independent 64-bit
// hashes of its nonce, or of its signature when it has no nonce. The cache stores these 16 bytes
// instead of the header, so its cap bounds its memory however long the nonces are. With random
// per-process seeds a caller cannot aim for a collision, and an accidental one (a fresh request
// refused as a replay) has a chance near 2^-128 per pair.
type replayKey [2]uint64

// newAuthenticator returns nil when no credentials are configured: signatures are then not
// checked at all.
func newAuthenticator(creds []signing.Credentials, maxSkew time.Duration, maxReplays int) (*authenticator, error) {
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
		// A replay key must be remembered as long as a replay could still pass the clock check:
		// the first use had a date within maxSkew of the server's clock, and a replay is accepted
		// while the server's clock is within maxSkew of that date, so 2*maxSkew from the first
		// use covers every replay.
		replays:    newWindows[replayKey, struct{}](slices.Collect(maps.Keys(byID)), replayTTL(maxSkew), maxReplays),
		maxReplays: maxReplays,
		seeds:      [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
	}, nil
}

// replayTTL is how long a replay key is remembered: see newAuthenticator.
func replayTTL(maxSkew time.Duration) time.Duration { return 2 * maxSkew }

func (a *authenticator) lookup(accessKeyID string) (signing.Credentials, bool) {
	c, ok := a.credentials[accessKeyID]
	return c, ok
}

// authError is a refused signature: the catalogue code and what to append to its message, or,
// for Throttling.User, how long until the key's replay window has room again.
type authError struct {
	code   string
	detail string
	wait   time.Duration
}

// verified is a request whose signature checked out: its key and its replay key, which
// remember records once the request is past the rate limit.
type verified struct {
	accessKeyID string
	replay      replayKey
}

// verify checks r's signature at now and that r is not a replay. The body must already be
// buffered in r (ServeHTTP does that), so Verify's hashing reads memory only.
//
// Codes: MissingSecurityToken (a temporary STS. key without its token, checked first),
// IncompleteSignature (missing or malformed Authorization or signing headers),
// InvalidTimeStamp.Expired (clock skew), InvalidAccessKeyId.NotFound (unknown key),
// InvalidSecurityToken.MismatchWithAccessKey (STS token), SignatureDoesNotMatch (with the
// server's string to sign appended to the message, as the service does) and SignatureNonceUsed
// (a replay: the nonce, or for a ROA request without a nonce its signature, was recorded within
// the window). A replay is refused here, before the rate limit, so replaying a captured request
// cannot drain its key's bucket.
func (a *authenticator) verify(r *http.Request, now time.Time) (verified, *authError) {
	if missingSecurityToken(r) {
		return verified{}, &authError{code: codeSecurityTokenMissing}
	}
	v, err := signing.Verify(r, a.lookup, signing.VerifyOptions{Now: now, MaxSkew: a.maxSkew})
	if err != nil {
		var se *signing.Error
		if !errors.As(err, &se) {
			// Only a body read error gets here, and the body is already in memory.
			return verified{}, &authError{code: codeIncompleteSignature}
		}
		e := &authError{code: se.Code}
		if se.Code == signing.CodeSignatureDoesNotMatch && se.StringToSign != "" {
			e.detail = signing.StringToSignSeparator + se.StringToSign
		}
		return verified{}, e
	}
	vr := verified{accessKeyID: v.AccessKeyID, replay: a.replayKey(v)}
	w := a.replays[vr.accessKeyID]
	if w == nil {
		// Unreachable: Verify found the key in a.credentials, and each has a window.
		return verified{}, &authError{code: codeAccessKeyNotFound}
	}
	if w.contains(vr.replay, now) {
		return verified{}, &authError{code: codeNonceUsed}
	}
	return vr, nil
}

// stsKeyPrefix starts the AccessKeyId of every temporary STS credential.
const stsKeyPrefix = "STS."

// missingSecurityToken reports a request signed with a temporary key (AccessKeyId starting with
// STS.) that carries no x-acs-security-token. The gateway answers it 400 MissingSecurityToken
// before it looks the key up, so even a key it does not know gets that response; a token that is
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

// remember records a verified request once it is past the rate limit, so that a request the limit
// refused may be sent again byte for byte after the wait; the same nonce (or signature) is then
// SignatureNonceUsed for twice the skew window (atomically: of two racing copies one is refused),
// in a per-key window bounded by NonceMaxEntries.
func (a *authenticator) remember(v verified, now time.Time) *authError {
	w := a.replays[v.accessKeyID]
	if w == nil {
		return &authError{code: codeAccessKeyNotFound}
	}
	switch _, res, wait := w.getOrInsert(v.replay, now, struct{}{}); res {
	case present:
		return &authError{code: codeNonceUsed}
	case refused:
		return &authError{code: codeThrottlingUser, wait: wait}
	}
	return nil
}

// replayKey is what makes a verified request unique within its key's window: its nonce, which
// the signature covers; or, when a ROA request carries none (aliyun/alibaba-cloud-sdk-go sends
// none), its signature, which covers the date, path, query and x-acs-* headers, so the captured
// bytes of such a request are recognised when sent again. The kind byte keeps a nonce from
// colliding with a signature spelled the same.
func (a *authenticator) replayKey(v *signing.Verified) replayKey {
	kind, value := byte('n'), v.Nonce
	if value == "" {
		kind, value = 's', v.Signature
	}
	var k replayKey
	for i, seed := range a.seeds {
		var h maphash.Hash
		h.SetSeed(seed)
		h.WriteByte(kind)
		h.WriteString(value)
		k[i] = h.Sum64()
	}
	return k
}

func (a *authenticator) replayCount() int {
	if a == nil {
		return 0
	}
	return a.replays.len()
}
