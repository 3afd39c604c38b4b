package signing

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const (
	prefixROA = "acs "
	// methodROA is the only x-acs-signature-method ROA v1 defines.
	methodROA = "HMAC-SHA1"
)

// The four standard headers at the top of the ROA string to sign, in order.
const (
	roaAccept = iota
	roaContentMD5
	roaContentType
	roaDate
	roaStd
)

// collectROA splits h into the four standard headers and the sorted x-acs-*
// headers, matching key names in any case.
func collectROA(dst []header, h http.Header) (std [roaStd][]string, hs []header) {
	for k, vs := range h {
		if isACS(k) {
			dst = append(dst, header{lowerName(k), vs})
			continue
		}
		i := -1
		switch {
		case strings.EqualFold(k, "accept"):
			i = roaAccept
		case strings.EqualFold(k, "content-md5"):
			i = roaContentMD5
		case strings.EqualFold(k, "content-type"):
			i = roaContentType
		case strings.EqualFold(k, "date"):
			i = roaDate
		}
		if i < 0 {
			continue
		}
		if std[i] == nil {
			std[i] = vs
		} else { // two keys differing only in case: merge, never write into h
			std[i] = append(slices.Clip(std[i]), vs...)
		}
	}
	return std, sortHeaders(dst)
}

// appendStringToSignROA is the one ROA v1 canonicalization, used by
// StringToSignROA, Sign and Verify. ps must be sorted.
func appendStringToSignROA(dst []byte, method string, std *[roaStd][]string, hs []header, path string, ps []pair) []byte {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	for i := range std {
		dst = appendHeaderValue(dst, std[i])
		dst = append(dst, '\n')
	}
	dst = appendHeaderLines(dst, hs)
	dst = append(dst, path...)
	if len(ps) > 0 {
		dst = append(dst, '?')
		dst = appendQueryROA(dst, ps)
	}
	return dst
}

// StringToSignROA returns the ROA v1 string to sign:
// Method\nAccept\nContent-MD5\nContent-Type\nDate\n, then every x-acs-*
// header as "name:value\n" (lower-case, sorted), then the canonicalized
// resource: path exactly as given, and when query is non-empty "?" plus the
// pairs sorted by key, "k=v" unencoded ("k" alone for an empty value),
// joined by '&'.
func StringToSignROA(method string, h http.Header, path string, query url.Values) string {
	std, hs := collectROA(nil, h)
	ps := valuesToPairs(query)
	sortPairs(ps)
	return string(appendStringToSignROA(nil, method, &std, hs, path, ps))
}

// SignatureROA returns base64(HMAC-SHA1(secret, stringToSign)).
func SignatureROA(secret, stringToSign string) string {
	sig := macROA(secret, []byte(stringToSign))
	return string(sig[:])
}

// macROA is the standard-base64 HMAC-SHA1 of stringToSign.
func macROA(secret string, stringToSign []byte) (out [28]byte) {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(stringToSign)
	base64.StdEncoding.Encode(out[:], m.Sum(nil))
	return out
}

// AuthorizationROA formats the ROA v1 Authorization header value.
func AuthorizationROA(accessKeyID, signature string) string {
	return prefixROA + accessKeyID + ":" + signature
}

// appendDateROA appends t in the RFC 1123 GMT form of the Date header (http.TimeFormat).
func appendDateROA(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, http.TimeFormat)
}
