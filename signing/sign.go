package signing

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Canonical MIME keys of the headers Sign sets; writing the map directly
// with them skips Header.Set's canonicalization.
const (
	hAuthorization = "Authorization"
	hDate          = "Date"
	hContentMD5    = "Content-Md5"
	hAction        = "X-Acs-Action"
	hVersion       = "X-Acs-Version"
	hACSDate       = "X-Acs-Date"
	hNonce         = "X-Acs-Signature-Nonce"
	hContentSHA256 = "X-Acs-Content-Sha256"
	hToken         = "X-Acs-Security-Token"
	hSigMethod     = "X-Acs-Signature-Method"
	hSigVersion    = "X-Acs-Signature-Version"
)

// Sign sets every header scheme needs on req and then Authorization:
//
//   - V3: x-acs-action, x-acs-version, x-acs-date, x-acs-signature-nonce,
//     x-acs-content-sha256 and, for STS, x-acs-security-token; host,
//     content-type and every other x-acs-* header present are signed too.
//   - ROA: Date, x-acs-signature-method (HMAC-SHA1), x-acs-signature-version
//     (1.0), x-acs-signature-nonce, x-acs-version, x-acs-action and, for STS,
//     x-acs-security-token; Accept and Content-Type are signed as present.
//
// It signs what the transport sends (req.Host or req.URL.Host, EscapedPath,
// RawQuery) and hashes a body without consuming it (GetBody, or a buffered
// copy put back). now is the signing time; nonce is fresh visible ASCII per
// attempt. Accept is the caller's to set first. Headers are stored under
// canonical keys, so callers must not add them under other spellings;
// re-signing (a retry) replaces every value and drops a stale security token.
// Errors are plain errors (bad input), never *Error.
func Sign(req *http.Request, scheme Scheme, creds Credentials, now time.Time, nonce string) error {
	if req == nil || req.URL == nil {
		return errNilRequest
	}
	if !validAccessKeyID(creds.AccessKeyID) || creds.AccessKeySecret == "" {
		return errCredentials
	}
	if !visibleASCII(nonce) {
		return errNonce
	}
	if creds.SecurityToken != "" && !visibleASCII(creds.SecurityToken) {
		return errToken
	}
	if req.Header == nil {
		req.Header = make(http.Header, 8)
	}
	switch scheme {
	case SchemeV3:
		return signV3(req, creds, now, nonce)
	case SchemeROA:
		return signROA(req, creds, now, nonce)
	}
	return errScheme
}

// Indexes into signV3's one backing array for all header values, shared by the header map and
// the signed headers so that filling in the date later updates both.
const (
	iAction = iota
	iVersion
	iDate
	iNonce
	iSHA
	iToken
	iHost
	iAuth
	nValsV3
)

func signV3(req *http.Request, creds Credentials, now time.Time, nonce string) error {
	host := requestHost(req)
	if host == "" {
		return errNoHost
	}
	payloadHash, err := payloadHashV3(req, noLimit, true)
	if err != nil {
		return err
	}
	var pa [8]pair
	ps, err := sortedQuery(pa[:0], req.URL.RawQuery)
	if err != nil {
		return err
	}
	vals := make([]string, nValsV3)
	vals[iAction], vals[iVersion], vals[iNonce], vals[iSHA], vals[iHost] = Action, Version, nonce, payloadHash, host
	var ha [16]header
	hs := setHeadersV3(ha[:0], req.Header, vals, creds.SecurityToken)

	// One allocation holds both the date and the Authorization value: a
	// strings.Builder never rewrites bytes it has handed out via String().
	var db [32]byte
	dateBytes := appendDateV3(db[:0], now)
	var sb strings.Builder
	sb.Grow(authorizationLenV3(len(dateBytes), creds.AccessKeyID, hs))
	sb.Write(dateBytes)
	vals[iDate] = sb.String()

	var cb [1024]byte
	cr := appendCanonicalRequestV3(cb[:0], requestMethod(req), req.URL.EscapedPath(), ps, hs, payloadHash)
	var stsb [stsLenV3]byte
	sig := macV3(creds.AccessKeySecret, appendStringToSignV3(stsb[:0], cr))
	writeAuthorizationV3(&sb, creds.AccessKeyID, hs, sig[:])
	vals[iAuth] = sb.String()[len(dateBytes):]
	req.Header[hAuthorization] = vals[iAuth : iAuth+1 : iAuth+1]
	return nil
}

// payloadHashV3 is the hex SHA-256 of req's body, EmptyPayloadHash for none. A body over limit
// bytes is not hashed: the error is errBodyTooBig, with EmptyPayloadHash.
func payloadHashV3(req *http.Request, limit int64, setGetBody bool) (string, error) {
	if !mayHaveBody(req) {
		return EmptyPayloadHash, nil
	}
	d := sha256.New()
	n, err := hashBody(req, d, limit, setGetBody)
	if err != nil || n == 0 {
		return EmptyPayloadHash, err
	}
	return hex.EncodeToString(d.Sum(nil)), nil
}

// sortedQuery parses raw into dst and sorts it for the canonical query.
func sortedQuery(dst []pair, raw string) ([]pair, error) {
	ps, err := parseQuery(dst, raw)
	if err != nil {
		return nil, err
	}
	sortPairs(ps)
	return ps, nil
}

// setHeadersV3 sets the V3 headers on h from vals (see iAction) and returns the signed headers,
// sorted, appended to dst.
func setHeadersV3(dst []header, h http.Header, vals []string, token string) []header {
	h[hAction] = vals[iAction : iAction+1 : iAction+1]
	h[hVersion] = vals[iVersion : iVersion+1 : iVersion+1]
	h[hACSDate] = vals[iDate : iDate+1 : iDate+1]
	h[hNonce] = vals[iNonce : iNonce+1 : iNonce+1]
	h[hContentSHA256] = vals[iSHA : iSHA+1 : iSHA+1]

	// Our own headers go in already sorted and the caller's few extra ones
	// after them, so the insertion sort in sortHeaders has little to do.
	hs := append(dst,
		header{"host", vals[iHost : iHost+1 : iHost+1]},
		header{"x-acs-action", vals[iAction : iAction+1 : iAction+1]},
		header{"x-acs-content-sha256", vals[iSHA : iSHA+1 : iSHA+1]},
		header{"x-acs-date", vals[iDate : iDate+1 : iDate+1]})
	if token != "" {
		vals[iToken] = token
		h[hToken] = vals[iToken : iToken+1 : iToken+1]
		hs = append(hs, header{"x-acs-security-token", vals[iToken : iToken+1 : iToken+1]})
	} else {
		delete(h, hToken)
	}
	hs = append(hs,
		header{"x-acs-signature-nonce", vals[iNonce : iNonce+1 : iNonce+1]},
		header{"x-acs-version", vals[iVersion : iVersion+1 : iVersion+1]})
	return sortHeaders(appendV3Headers(hs, h, true))
}

// authorizationLenV3 is the length of the date and the V3 Authorization value together.
func authorizationLenV3(dateLen int, accessKeyID string, hs []header) int {
	n := dateLen + len(algorithmV3) + len(" Credential=,SignedHeaders=,Signature=") +
		len(accessKeyID) + 2*sha256.Size
	for _, x := range hs {
		n += len(x.name) + 1
	}
	return n
}

// writeAuthorizationV3 writes the V3 Authorization value for the signed headers hs and sig.
func writeAuthorizationV3(sb *strings.Builder, accessKeyID string, hs []header, sig []byte) {
	sb.WriteString(algorithmV3 + " Credential=")
	sb.WriteString(accessKeyID)
	sb.WriteString(",SignedHeaders=")
	for i, x := range hs {
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(x.name)
	}
	sb.WriteString(",Signature=")
	sb.Write(sig)
}

func signROA(req *http.Request, creds Credentials, now time.Time, nonce string) error {
	h := req.Header
	contentMD5, err := contentMD5ROA(req, dropOwnROA(h))
	if err != nil {
		return err
	}
	var pa [8]pair
	ps, err := sortedQuery(pa[:0], req.URL.RawQuery)
	if err != nil {
		return err
	}

	var sb strings.Builder
	sb.Grow(len(http.TimeFormat) + len(prefixROA) + len(creds.AccessKeyID) + 1 + 28)
	var db [32]byte
	sb.Write(appendDateROA(db[:0], now))
	date := sb.String()
	vals := make([]string, 9)
	vals[0], vals[1], vals[2], vals[3], vals[4], vals[5] = date, methodROA, "1.0", nonce, Version, Action
	setHeadersROA(h, vals, creds.SecurityToken, contentMD5)

	var ha [16]header
	std, hs := collectROA(ha[:0], h)
	var cb [1024]byte
	sts := appendStringToSignROA(cb[:0], requestMethod(req), &std, hs, req.URL.EscapedPath(), ps)
	sig := macROA(creds.AccessKeySecret, sts)

	sb.WriteString(prefixROA)
	sb.WriteString(creds.AccessKeyID)
	sb.WriteByte(':')
	sb.Write(sig[:])
	vals[8] = sb.String()[len(date):]
	h[hAuthorization] = vals[8:9:9]
	return nil
}

// contentMD5ROA is the Content-MD5 of req's body, set for a non-empty body and corrected if the
// caller already sent one (hadMD5: the old SDK's empty-body value stays valid); "" for none.
func contentMD5ROA(req *http.Request, hadMD5 bool) (string, error) {
	contentMD5 := ""
	if mayHaveBody(req) {
		d := md5.New()
		n, err := hashBody(req, d, noLimit, true)
		if err != nil {
			return "", err
		}
		if n > 0 {
			contentMD5 = base64.StdEncoding.EncodeToString(d.Sum(nil))
		}
	}
	if contentMD5 == "" && hadMD5 {
		contentMD5 = EmptyContentMD5
	}
	return contentMD5, nil
}

// setHeadersROA sets the ROA headers on h from vals[0:6], which they share, and the security
// token and Content-MD5 when present.
func setHeadersROA(h http.Header, vals []string, token, contentMD5 string) {
	h[hDate] = vals[0:1:1]
	h[hSigMethod] = vals[1:2:2]
	h[hSigVersion] = vals[2:3:3]
	h[hNonce] = vals[3:4:4]
	h[hVersion] = vals[4:5:5]
	h[hAction] = vals[5:6:6]
	if token != "" {
		vals[6] = token
		h[hToken] = vals[6:7:7]
	} else {
		delete(h, hToken)
	}
	if contentMD5 != "" {
		vals[7] = contentMD5
		h[hContentMD5] = vals[7:8:8]
	}
}

// dropOwnROA deletes non-canonical spellings of the headers signROA sets
// (they would go out as second values) and reports whether the caller had
// set Content-MD5 under any spelling.
func dropOwnROA(h http.Header) (hadMD5 bool) {
	for k := range h {
		switch k {
		case hContentMD5:
			hadMD5 = true
			continue
		case hDate, hSigMethod, hSigVersion, hNonce, hVersion, hAction, hToken:
			continue
		}
		switch {
		case strings.EqualFold(k, "content-md5"):
			hadMD5 = true
		case strings.EqualFold(k, "date"):
		case isACS(k):
			switch lowerName(k) {
			case "x-acs-signature-method", "x-acs-signature-version", "x-acs-signature-nonce",
				"x-acs-version", "x-acs-action", "x-acs-security-token":
			default:
				continue
			}
		default:
			continue
		}
		delete(h, k)
	}
	return hadMD5
}

// validAccessKeyID rejects IDs that would break Authorization parsing.
func validAccessKeyID(s string) bool {
	if !visibleASCII(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', ':', ';', '=':
			return false
		}
	}
	return true
}

// visibleASCII reports a non-empty string of bytes 0x21..0x7E: safe as a
// header value and unchanged by the trimming both ends apply.
func visibleASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
