package signing

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
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

// verifyV3 checks an ACS3-HMAC-SHA256 request: its signed headers, date,
// query and key first, then the payload hash and the signature.
func verifyV3(req *http.Request, a authorization, lookup Lookup, opts VerifyOptions) (*Verified, error) {
	var na [16]string
	var ha [16]header
	names, hs, ok := signedHeadersV3(na[:0], ha[:0], req, a.signedHeaders)
	if !ok {
		return nil, newError(CodeIncompleteSignature)
	}
	f := pickACS(hs)
	// Host must be signed, and every listed header present.
	if len(hs) != len(names) || indexFold(names, "host") < 0 ||
		!single(f.date) || !single(f.nonce) || !single(f.sha) {
		return nil, newError(CodeIncompleteSignature)
	}
	t, err := time.Parse(dateLayoutV3, strings.TrimSpace(f.date[0]))
	if err != nil {
		return nil, newError(CodeIncompleteSignature)
	}
	var pa [8]pair
	ps, creds, err := checkQueryAndKey(pa[:0], req, t, a.accessKeyID, f.token, lookup, opts)
	if err != nil {
		return nil, err
	}
	payloadHash, err := payloadHashV3(req, MaxVerifyBody, false)
	tooBig := errors.Is(err, errBodyTooBig)
	if err != nil && !tooBig {
		return nil, err
	}
	var cb [1024]byte
	cr := appendCanonicalRequestV3(cb[:0], requestMethod(req), req.URL.EscapedPath(), ps, hs, payloadHash)
	var stsb [stsLenV3]byte
	sts := appendStringToSignV3(stsb[:0], cr)
	if tooBig || strings.TrimSpace(f.sha[0]) != payloadHash {
		return nil, mismatch(string(sts))
	}
	sig := macV3(creds.AccessKeySecret, sts)
	if !hmac.Equal(sig[:], []byte(a.signature)) {
		return nil, mismatch(string(sts))
	}
	return &Verified{
		Scheme:       SchemeV3,
		AccessKeyID:  a.accessKeyID,
		Nonce:        strings.TrimSpace(f.nonce[0]),
		Date:         t,
		Signature:    a.signature,
		StringToSign: string(sts),
	}, nil
}

// signedHeadersV3 parses SignedHeaders into names and collects the request's
// headers it lists, sorted, with the wire host; ok is false when SignedHeaders
// is malformed or an x-acs-* header is left unsigned.
func signedHeadersV3(nameBuf []string, buf []header, req *http.Request, signed string) (names []string, hs []header, ok bool) {
	names, ok = parseSignedHeaders(nameBuf, signed)
	if !ok {
		return nil, nil, false
	}
	hs = buf
	for k, vs := range req.Header {
		i := indexFold(names, k)
		if i < 0 {
			if isACS(k) { // every x-acs-* header must be signed
				return nil, nil, false
			}
			continue
		}
		if names[i] != "host" { // the wire host is req.Host, not a header entry
			hs = append(hs, header{names[i], vs})
		}
	}
	if host := requestHost(req); host != "" && indexFold(names, "host") >= 0 {
		hs = append(hs, header{"host", []string{host}})
	}
	return names, sortHeaders(hs), true
}

// acsHeaders holds the values of the x-acs-* headers Verify reads; each scheme reads its own.
type acsHeaders struct{ date, method, nonce, sha, token []string }

// pickACS reads the headers after sorting and merging, so duplicates are seen.
func pickACS(hs []header) (f acsHeaders) {
	for _, x := range hs {
		switch x.name {
		case "x-acs-date":
			f.date = x.vals
		case "x-acs-signature-method":
			f.method = x.vals
		case "x-acs-signature-nonce":
			f.nonce = x.vals
		case "x-acs-content-sha256":
			f.sha = x.vals
		case "x-acs-security-token":
			f.token = x.vals
		}
	}
	return f
}

// verifyROA checks a ROA (acs AccessKeyId:Signature) request: its headers,
// date, query and key first, then Content-MD5 and the signature.
func verifyROA(req *http.Request, a authorization, lookup Lookup, opts VerifyOptions) (*Verified, error) {
	var ha [16]header
	std, hs := collectROA(ha[:0], req.Header)
	f := pickACS(hs)
	dates, md5s := std[roaDate], std[roaContentMD5]
	if !single(dates) || len(f.nonce) > 1 || len(md5s) > 1 ||
		(f.method != nil && (len(f.method) != 1 || strings.TrimSpace(f.method[0]) != methodROA)) {
		return nil, newError(CodeIncompleteSignature)
	}
	t, err := http.ParseTime(strings.TrimSpace(dates[0]))
	if err != nil {
		return nil, newError(CodeIncompleteSignature)
	}
	var pa [8]pair
	ps, creds, err := checkQueryAndKey(pa[:0], req, t, a.accessKeyID, f.token, lookup, opts)
	if err != nil {
		return nil, err
	}
	r := roaRequest{method: requestMethod(req), std: &std, hs: hs, ps: ps}
	var cb [1024]byte
	sts := r.stringToSign(cb[:0], req.URL.EscapedPath())
	// ROA signs Content-MD5 only as a header string: check it is the body's.
	if ok, err := contentMD5Matches(req, md5s); err != nil {
		return nil, err
	} else if !ok {
		return nil, mismatch(redactToken(sts, f.token))
	}
	sts, ok := r.match(sts, req, creds.AccessKeySecret, a.signature)
	if !ok {
		return nil, mismatch(redactToken(sts, f.token))
	}
	v := &Verified{
		Scheme:       SchemeROA,
		AccessKeyID:  a.accessKeyID,
		Date:         t,
		Signature:    a.signature,
		StringToSign: string(sts),
	}
	if len(f.nonce) == 1 {
		v.Nonce = strings.TrimSpace(f.nonce[0])
	}
	return v, nil
}

// roaRequest is what a ROA string to sign is built from, apart from the path.
type roaRequest struct {
	method string
	std    *[roaStd][]string
	hs     []header
	ps     []pair
}

func (r roaRequest) stringToSign(dst []byte, path string) []byte {
	return appendStringToSignROA(dst, r.method, r.std, r.hs, path, r.ps)
}

// match compares the signature over sts (the path as sent) and, failing that,
// over the decoded path, which aliyun/alibaba-cloud-sdk-go signs; it returns
// the string to sign that matched, or sts.
func (r roaRequest) match(sts []byte, req *http.Request, secret, signature string) ([]byte, bool) {
	want := []byte(signature)
	sig := macROA(secret, sts)
	if hmac.Equal(sig[:], want) {
		return sts, true
	}
	if req.URL.Path == req.URL.EscapedPath() {
		return sts, false
	}
	var cb [1024]byte
	sts2 := r.stringToSign(cb[:0], req.URL.Path)
	sig2 := macROA(secret, sts2)
	if hmac.Equal(sig2[:], want) {
		return sts2, true
	}
	return sts, false
}

// contentMD5Matches reports whether Content-MD5, when sent, is the body's
// digest, and whether a body without one is empty; a body over MaxVerifyBody
// never matches. A read error is returned as is.
func contentMD5Matches(req *http.Request, md5s []string) (bool, error) {
	if !mayHaveBody(req) && len(md5s) == 0 {
		return true, nil
	}
	var n int64
	realMD5 := EmptyContentMD5
	if mayHaveBody(req) {
		d := md5.New()
		var err error
		n, err = hashBody(req, d, MaxVerifyBody, false)
		switch {
		case errors.Is(err, errBodyTooBig):
			return false, nil
		case err != nil:
			return false, err
		case n > 0:
			realMD5 = base64.StdEncoding.EncodeToString(d.Sum(nil))
		}
	}
	if len(md5s) == 0 && n > 0 || len(md5s) == 1 && strings.TrimSpace(md5s[0]) != realMD5 {
		return false, nil
	}
	return true, nil
}

// checkQueryAndKey parses and sorts the query, then runs checkCommon: an
// unparsable query is refused before the clock and the key are looked at.
func checkQueryAndKey(dst []pair, req *http.Request, t time.Time, accessKeyID string, token []string, lookup Lookup, opts VerifyOptions) ([]pair, Credentials, error) {
	ps, err := sortedQuery(dst, req.URL.RawQuery)
	if err != nil {
		return nil, Credentials{}, newError(CodeIncompleteSignature)
	}
	creds, err := checkCommon(t, accessKeyID, token, lookup, opts)
	return ps, creds, err
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
