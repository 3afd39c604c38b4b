package signing

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/internal/redact"
)

// DefaultMaxSkew is the clock skew Verify allows when VerifyOptions.MaxSkew
// is zero, the gateway's 15 minutes.
const DefaultMaxSkew = 15 * time.Minute

// maxSignedHeaders bounds the work a hostile SignedHeaders list can cause.
const maxSignedHeaders = 64

// Lookup returns the stored credentials for an AccessKeyID and whether the
// key exists. A key whose stored AccessKeySecret is empty counts as unknown:
// an HMAC with an empty key is forgeable by anyone.
type Lookup func(accessKeyID string) (Credentials, bool)

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	// Now is the server's current time; zero means time.Now().
	Now time.Time
	// MaxSkew is how far the request date may be from Now either way;
	// zero (or negative) means DefaultMaxSkew.
	MaxSkew time.Duration
}

// Verified describes a request whose signature checked out.
type Verified struct {
	// Scheme is the signature scheme the request used.
	Scheme Scheme
	// AccessKeyID is the key that signed the request.
	AccessKeyID string
	// Nonce is x-acs-signature-nonce, for the caller's replay cache; "" when
	// a ROA request had none (aliyun/alibaba-cloud-sdk-go sends none).
	Nonce string
	// Date is the signed request time (x-acs-date for V3, Date for ROA).
	Date time.Time
	// Signature is the Authorization header's signature as sent (hex for V3, base64 for
	// ROA). It covers the date and every signed part, so a replay cache can key a request
	// without a nonce by it; only the key's holder can make another one.
	Signature string
	// StringToSign is the server's string to sign that matched. For ROA it
	// lists the x-acs-* headers verbatim, an STS token included; log it
	// with care.
	StringToSign string
}

// authorization is a parsed Authorization header.
type authorization struct {
	scheme        Scheme
	accessKeyID   string
	signedHeaders string // V3 only
	signature     string
}

// parseAuthorization accepts
//
//	ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex
//
// with the three parts in any order and spaces allowed around them, and
//
//	acs AK:base64
//
// Every part must be present exactly once and be non-empty visible ASCII.
func parseAuthorization(s string) (authorization, bool) {
	var a authorization
	if rest, ok := strings.CutPrefix(s, algorithmV3); ok {
		if rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			return a, false
		}
		a.scheme = SchemeV3
		var seen [3]bool
		for more := true; more; {
			var part string
			part, rest, more = strings.Cut(rest, ",")
			name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || !visibleASCII(val) {
				return a, false
			}
			var i int
			switch name {
			case "Credential":
				i, a.accessKeyID = 0, val
			case "SignedHeaders":
				i, a.signedHeaders = 1, val
			case "Signature":
				i, a.signature = 2, val
			default:
				return a, false
			}
			if seen[i] {
				return a, false
			}
			seen[i] = true
		}
		return a, seen[0] && seen[1] && seen[2]
	}
	if rest, ok := strings.CutPrefix(s, prefixROA); ok {
		ak, sig, ok := strings.Cut(strings.TrimSpace(rest), ":")
		if !ok || !visibleASCII(ak) || !visibleASCII(sig) {
			return a, false
		}
		return authorization{scheme: SchemeROA, accessKeyID: ak, signature: sig}, true
	}
	return a, false
}

// parseSignedHeaders splits a SignedHeaders list into lower-case names,
// sorted; empty, duplicate or too many names make it malformed.
func parseSignedHeaders(dst []string, s string) ([]string, bool) {
	for more := true; more; {
		var name string
		name, s, more = strings.Cut(s, ";")
		if name == "" || len(dst) == maxSignedHeaders {
			return dst, false
		}
		dst = append(dst, strings.ToLower(name))
	}
	for i := 1; i < len(dst); i++ {
		for j := i; j > 0 && dst[j] < dst[j-1]; j-- {
			dst[j], dst[j-1] = dst[j-1], dst[j]
		}
	}
	for i := 1; i < len(dst); i++ {
		if dst[i] == dst[i-1] {
			return dst, false
		}
	}
	return dst, true
}

// Verify checks the signature of a received request and returns who signed
// it. Failures are *Error with the gateway's code:
//
//   - IncompleteSignature: no or malformed Authorization; V3 without
//     x-acs-date, x-acs-signature-nonce or x-acs-content-sha256, or whose
//     SignedHeaders omits host or any x-acs-* header present, or lists a
//     header that is absent; ROA without Date; unparsable date or query.
//   - InvalidTimeStamp.Expired: date further than MaxSkew from Now.
//   - InvalidAccessKeyId.NotFound: lookup does not know the key.
//   - InvalidSecurityToken.MismatchWithAccessKey: the key has an STS token
//     and x-acs-security-token differs, or the request carries a token the
//     key does not have.
//   - SignatureDoesNotMatch: the body does not match x-acs-content-sha256
//     (V3) or Content-MD5 (ROA; a ROA body without Content-MD5 is unsigned
//     and refused), the body exceeds MaxVerifyBody, or the signature differs.
//     StringToSign carries the server's string to sign.
//
// Everything is recomputed from the request as received. V3 uses
// req.URL.EscapedPath() (the bytes sent), the query decoded from RawQuery and
// re-encoded canonically (so '+' for space matches a signature over %20),
// req.Host as host, and only the headers in SignedHeaders (an unsigned
// Content-Type is tolerated: the operation has no body, and the body digest
// is checked anyway). ROA tries the path as sent first (the
// darabonba SDKs percent-encode InstanceId and sign that) and, when it
// differs, the decoded req.URL.Path (aliyun/alibaba-cloud-sdk-go substitutes
// InstanceId raw into the signed resource while its transport escapes the
// wire path); both describe the same decoded path, so accepting either
// widens nothing. Signatures are compared in constant time.
//
// A body is read through GetBody or buffered (at most MaxVerifyBody+1 bytes)
// and put back, so handlers can still read it. A read error is returned as
// is, not as *Error. Nonce replay is not checked here.
func Verify(req *http.Request, lookup Lookup, opts VerifyOptions) (*Verified, error) {
	if req == nil || req.URL == nil {
		return nil, newError(CodeIncompleteSignature)
	}
	av := headerValues(req.Header, hAuthorization)
	if len(av) != 1 {
		return nil, newError(CodeIncompleteSignature)
	}
	a, ok := parseAuthorization(av[0])
	if !ok {
		return nil, newError(CodeIncompleteSignature)
	}
	if a.scheme == SchemeV3 {
		return verifyV3(req, a, lookup, opts)
	}
	return verifyROA(req, a, lookup, opts)
}

func verifyV3(req *http.Request, a authorization, lookup Lookup, opts VerifyOptions) (*Verified, error) {
	var na [16]string
	names, ok := parseSignedHeaders(na[:0], a.signedHeaders)
	if !ok {
		return nil, newError(CodeIncompleteSignature)
	}
	host := requestHost(req)
	var ha [16]header
	hs := ha[:0]
	for k, vs := range req.Header {
		i := indexFold(names, k)
		if i < 0 {
			if isACS(k) { // every x-acs-* header must be signed
				return nil, newError(CodeIncompleteSignature)
			}
			continue
		}
		if names[i] != "host" { // the wire host is req.Host, not a header entry
			hs = append(hs, header{names[i], vs})
		}
	}
	hostVals := [1]string{host}
	if host != "" && indexFold(names, "host") >= 0 {
		hs = append(hs, header{"host", hostVals[:]})
	}
	hs = sortHeaders(hs)
	var date, nonce, sha, token []string
	for _, x := range hs { // after the merge, so duplicates are seen
		switch x.name {
		case "x-acs-date":
			date = x.vals
		case "x-acs-signature-nonce":
			nonce = x.vals
		case "x-acs-content-sha256":
			sha = x.vals
		case "x-acs-security-token":
			token = x.vals
		}
	}
	// Host must be signed, and every listed header present.
	if len(hs) != len(names) || indexFold(names, "host") < 0 ||
		!single(date) || !single(nonce) || !single(sha) {
		return nil, newError(CodeIncompleteSignature)
	}
	t, err := time.Parse(dateLayoutV3, strings.TrimSpace(date[0]))
	if err != nil {
		return nil, newError(CodeIncompleteSignature)
	}
	var pa [8]pair
	ps, err := parseQuery(pa[:0], req.URL.RawQuery)
	if err != nil {
		return nil, newError(CodeIncompleteSignature)
	}
	sortPairs(ps)
	creds, err := checkCommon(t, a.accessKeyID, token, lookup, opts)
	if err != nil {
		return nil, err
	}

	payloadHash := EmptyPayloadHash
	tooBig := false
	if mayHaveBody(req) {
		d := sha256.New()
		n, err := hashBody(req, d, MaxVerifyBody, false)
		switch {
		case errors.Is(err, errBodyTooBig):
			tooBig = true
		case err != nil:
			return nil, err
		case n > 0:
			payloadHash = hex.EncodeToString(d.Sum(nil))
		}
	}
	var cb [1024]byte
	cr := appendCanonicalRequestV3(cb[:0], requestMethod(req), req.URL.EscapedPath(), ps, hs, payloadHash)
	var stsb [stsLenV3]byte
	sts := appendStringToSignV3(stsb[:0], cr)
	if tooBig || strings.TrimSpace(sha[0]) != payloadHash {
		return nil, mismatch(string(sts))
	}
	sig := macV3(creds.AccessKeySecret, sts)
	if !hmac.Equal(sig[:], []byte(a.signature)) {
		return nil, mismatch(string(sts))
	}
	return &Verified{
		Scheme:       SchemeV3,
		AccessKeyID:  a.accessKeyID,
		Nonce:        strings.TrimSpace(nonce[0]),
		Date:         t,
		Signature:    a.signature,
		StringToSign: string(sts),
	}, nil
}

func verifyROA(req *http.Request, a authorization, lookup Lookup, opts VerifyOptions) (*Verified, error) {
	var ha [16]header
	std, hs := collectROA(ha[:0], req.Header)
	var method, nonce, token []string
	for _, x := range hs {
		switch x.name {
		case "x-acs-signature-method":
			method = x.vals
		case "x-acs-signature-nonce":
			nonce = x.vals
		case "x-acs-security-token":
			token = x.vals
		}
	}
	dates, md5s := std[roaDate], std[roaContentMD5]
	if !single(dates) || len(nonce) > 1 || len(md5s) > 1 ||
		(method != nil && (len(method) != 1 || strings.TrimSpace(method[0]) != methodROA)) {
		return nil, newError(CodeIncompleteSignature)
	}
	t, err := http.ParseTime(strings.TrimSpace(dates[0]))
	if err != nil {
		return nil, newError(CodeIncompleteSignature)
	}
	var pa [8]pair
	ps, err := parseQuery(pa[:0], req.URL.RawQuery)
	if err != nil {
		return nil, newError(CodeIncompleteSignature)
	}
	sortPairs(ps)
	creds, err := checkCommon(t, a.accessKeyID, token, lookup, opts)
	if err != nil {
		return nil, err
	}

	method0 := requestMethod(req)
	sent := req.URL.EscapedPath()
	var cb [1024]byte
	sts := appendStringToSignROA(cb[:0], method0, &std, hs, sent, ps)

	// ROA signs Content-MD5 only as a header string: check it is the body's.
	if mayHaveBody(req) || len(md5s) == 1 {
		var n int64
		realMD5 := EmptyContentMD5
		if mayHaveBody(req) {
			d := md5.New()
			n, err = hashBody(req, d, MaxVerifyBody, false)
			switch {
			case errors.Is(err, errBodyTooBig):
				return nil, mismatch(redactToken(sts, token))
			case err != nil:
				return nil, err
			case n > 0:
				realMD5 = base64.StdEncoding.EncodeToString(d.Sum(nil))
			}
		}
		if len(md5s) == 0 && n > 0 || len(md5s) == 1 && strings.TrimSpace(md5s[0]) != realMD5 {
			return nil, mismatch(redactToken(sts, token))
		}
	}

	want := []byte(a.signature)
	sig := macROA(creds.AccessKeySecret, sts)
	ok := hmac.Equal(sig[:], want)
	if !ok && req.URL.Path != sent {
		// aliyun/alibaba-cloud-sdk-go signs the raw (decoded) path.
		var cb2 [1024]byte
		sts2 := appendStringToSignROA(cb2[:0], method0, &std, hs, req.URL.Path, ps)
		sig2 := macROA(creds.AccessKeySecret, sts2)
		if hmac.Equal(sig2[:], want) {
			sts, ok = sts2, true
		}
	}
	if !ok {
		return nil, mismatch(redactToken(sts, token))
	}
	v := &Verified{
		Scheme:       SchemeROA,
		AccessKeyID:  a.accessKeyID,
		Date:         t,
		Signature:    a.signature,
		StringToSign: string(sts),
	}
	if len(nonce) == 1 {
		v.Nonce = strings.TrimSpace(nonce[0])
	}
	return v, nil
}

// redactToken renders a ROA string to sign for an error, with the STS
// token's value replaced: errors get logged, and the token is a credential.
// (A V3 string to sign is a hash and needs no redaction.)
func redactToken(sts []byte, token []string) string {
	if len(token) != 1 {
		return string(sts)
	}
	line := "x-acs-security-token:" + strings.TrimSpace(token[0]) + "\n"
	return strings.Replace(string(sts), line, "x-acs-security-token:"+redact.Placeholder+"\n", 1)
}

// checkCommon runs the checks both schemes share, in the gateway's order of
// cheapness: clock skew, key lookup, STS token.
func checkCommon(t time.Time, accessKeyID string, token []string, lookup Lookup, opts VerifyOptions) (Credentials, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	maxSkew := opts.MaxSkew
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	d := now.Sub(t)
	if d < 0 {
		d = -d
	}
	if d < 0 || d > maxSkew { // d < 0 only after negating the minimum Duration
		return Credentials{}, newError(CodeTimeStampExpired)
	}
	if lookup == nil {
		return Credentials{}, newError(CodeAccessKeyNotFound)
	}
	creds, ok := lookup(accessKeyID)
	if !ok || creds.AccessKeySecret == "" {
		return Credentials{}, newError(CodeAccessKeyNotFound)
	}
	if len(token) > 1 {
		return Credentials{}, newError(CodeSecurityTokenMismatch)
	}
	got := ""
	if len(token) == 1 {
		got = strings.TrimSpace(token[0])
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(creds.SecurityToken)) != 1 {
		return Credentials{}, newError(CodeSecurityTokenMismatch)
	}
	return creds, nil
}

// headerValues returns h[key] for a canonical key, falling back to a
// case-insensitive scan for hand-built headers with other key spellings.
func headerValues(h http.Header, key string) []string {
	if vs, ok := h[key]; ok {
		return vs
	}
	for k, vs := range h {
		if strings.EqualFold(k, key) {
			return vs
		}
	}
	return nil
}

// indexFold finds k among lower-case names, ignoring k's case.
func indexFold(names []string, k string) int {
	for i, n := range names {
		if len(n) == len(k) && strings.EqualFold(n, k) {
			return i
		}
	}
	return -1
}

// single reports exactly one non-blank value.
func single(vs []string) bool {
	return len(vs) == 1 && strings.TrimSpace(vs[0]) != ""
}
