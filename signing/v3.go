package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"time"
)

const (
	algorithmV3  = "ACS3-HMAC-SHA256"
	dateLayoutV3 = "2006-01-02T15:04:05Z"
	// stsLenV3 is the fixed length of a V3 string to sign.
	stsLenV3 = len(algorithmV3) + 1 + 2*sha256.Size
)

// CanonicalHeadersV3 returns the V3 canonical headers of h and the matching
// SignedHeaders list. It takes host, content-type and every x-acs-* header
// (any key case), lower-cases the names, trims the values, sorts by name and
// joins repeated names' values, sorted, with ','. host is given separately
// (req.Host or req.URL.Host, what goes on the wire); a Host key in h is
// ignored, and an empty host is left out.
func CanonicalHeadersV3(h http.Header, host string) (canonical, signedHeaders string) {
	hs := collectV3(nil, h, []string{host})
	return string(appendHeaderLines(nil, hs)), string(appendSignedHeaders(nil, hs))
}

// CanonicalRequestV3 returns the V3 canonical request for the default header
// set (see [CanonicalHeadersV3]). escapedPath is the path as sent; query is
// decoded and is re-encoded canonically here; payloadHash is the lower-case
// hex SHA-256 of the body ([EmptyPayloadHash] for none).
func CanonicalRequestV3(method, escapedPath string, query url.Values, h http.Header, host, payloadHash string) string {
	ps := valuesToPairs(query)
	sortPairs(ps)
	hs := collectV3(nil, h, []string{host})
	return string(appendCanonicalRequestV3(nil, method, escapedPath, ps, hs, payloadHash))
}

// appendCanonicalRequestV3 is the one V3 canonicalization, used by
// CanonicalRequestV3, Sign and Verify alike. ps and hs must be sorted.
func appendCanonicalRequestV3(dst []byte, method, escapedPath string, ps []pair, hs []header, payloadHash string) []byte {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = appendCanonicalURI(dst, escapedPath)
	dst = append(dst, '\n')
	dst = appendQueryV3(dst, ps)
	dst = append(dst, '\n')
	dst = appendHeaderLines(dst, hs)
	dst = append(dst, '\n')
	dst = appendSignedHeaders(dst, hs)
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

// StringToSignV3 returns "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonicalRequest)).
func StringToSignV3(canonicalRequest string) string {
	var b [stsLenV3]byte
	return string(appendStringToSignV3(b[:0], []byte(canonicalRequest)))
}

func appendStringToSignV3(dst, canonicalRequest []byte) []byte {
	sum := sha256.Sum256(canonicalRequest)
	dst = append(dst, algorithmV3...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, sum[:])
}

// SignatureV3 returns hex(HMAC-SHA256(secret, stringToSign)).
func SignatureV3(secret, stringToSign string) string {
	sig := macV3(secret, []byte(stringToSign))
	return string(sig[:])
}

// macV3 is the lower-case hex HMAC-SHA256 of stringToSign.
func macV3(secret string, stringToSign []byte) (out [2 * sha256.Size]byte) {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(stringToSign)
	hex.Encode(out[:], m.Sum(nil))
	return out
}

// AuthorizationV3 formats the V3 Authorization header value.
func AuthorizationV3(accessKeyID, signedHeaders, signature string) string {
	return algorithmV3 + " Credential=" + accessKeyID + ",SignedHeaders=" + signedHeaders + ",Signature=" + signature
}

// appendDateV3 appends t in UTC as the x-acs-date form, 2006-01-02T15:04:05Z.
func appendDateV3(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, dateLayoutV3)
}
