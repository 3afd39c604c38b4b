package signing

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// This file holds the pieces shared by both schemes and by both directions:
// percent-encoding, query parsing and sorting, header collection.

const upperhex = "0123456789ABCDEF"

// unreservedTable marks the RFC 3986 unreserved bytes, the only ones the V3
// canonical form leaves as they are. It equals the SDKs' url.QueryEscape
// followed by "+"->"%20", "*"->"%2A", "%7E"->"~".
var unreservedTable = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-_.~" {
		t[c] = true
	}
	return t
}()

// appendEscaped percent-encodes s (upper-case hex) onto dst.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreservedTable[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperhex[c>>4], upperhex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// CanonicalURI returns the V3 canonical URI of an already-escaped path: "/"
// when empty, otherwise the path as sent with "+"->"%20", "*"->"%2A" and
// "%7E"->"~", exactly the official SDKs' replacements. The path is not
// decoded and re-encoded further, because the SDKs sign the path bytes they
// send; for a request that went over the wire, pass req.URL.EscapedPath(),
// which is those bytes.
func CanonicalURI(escapedPath string) string {
	if escapedPath != "" && !hasURISpecial(escapedPath) {
		return escapedPath
	}
	return string(appendCanonicalURI(nil, escapedPath))
}

func appendCanonicalURI(dst []byte, p string) []byte {
	if p == "" {
		return append(dst, '/')
	}
	start := 0
	for i := 0; i < len(p); i++ {
		var rep string
		skip := 0
		switch p[i] {
		case '+':
			rep = "%20"
		case '*':
			rep = "%2A"
		case '%':
			if i+2 < len(p) && p[i+1] == '7' && p[i+2] == 'E' {
				rep, skip = "~", 2
			}
		}
		if rep == "" {
			continue
		}
		dst = append(dst, p[start:i]...)
		dst = append(dst, rep...)
		i += skip
		start = i + 1
	}
	return append(dst, p[start:]...)
}

// hasURISpecial and hasQuerySpecial are strings.ContainsAny without its
// per-call set construction, which showed up in Sign's profile.
func hasURISpecial(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '+' || c == '*' || c == '%' {
			return true
		}
	}
	return false
}

func hasQuerySpecial(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '+' || c == '%' {
			return true
		}
	}
	return false
}

// pair is one decoded query parameter.
type pair struct{ k, v string }

// parseQuery decodes a raw query the way url.ParseQuery does ('+' is a
// space, "k" alone is k=""), appending to dst. Unlike ParseQuery it fails on
// the first bad pair instead of silently dropping it: a pair the server
// cannot read must not be signed over.
func parseQuery(dst []pair, raw string) ([]pair, error) {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if strings.IndexByte(kv, ';') >= 0 {
			return dst, errQuery
		}
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, ok := unescapeQuery(k)
		if !ok {
			return dst, errQuery
		}
		if v, ok = unescapeQuery(v); !ok {
			return dst, errQuery
		}
		dst = append(dst, pair{k, v})
	}
	return dst, nil
}

// unescapeQuery is url.QueryUnescape with a scan-free exit for the usual
// component that has nothing to decode.
func unescapeQuery(s string) (string, bool) {
	if !hasQuerySpecial(s) {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}

// valuesToPairs flattens q: several values for a key become several pairs.
func valuesToPairs(q url.Values) []pair {
	n := 0
	for _, vs := range q {
		n += len(vs)
	}
	ps := make([]pair, 0, n)
	for k, vs := range q {
		for _, v := range vs {
			ps = append(ps, pair{k, v})
		}
	}
	return ps
}

// sortPairs orders by key then value, bytewise. The official SDKs hold the
// query in a map, so repeated keys are our own extension; ordering them by
// raw value keeps signer and verifier in step.
func sortPairs(ps []pair) {
	if len(ps) < 2 {
		return
	}
	less := func(a, b pair) bool { return a.k < b.k || a.k == b.k && a.v < b.v }
	if len(ps) > 12 {
		slices.SortFunc(ps, func(a, b pair) int {
			if less(a, b) {
				return -1
			}
			if less(b, a) {
				return 1
			}
			return 0
		})
		return
	}
	for i := 1; i < len(ps); i++ { // insertion sort: queries are tiny
		for j := i; j > 0 && less(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// appendQueryV3 writes sorted pairs as key=escape(value) joined by '&'.
// Keys are written raw, as openapi-util (Go and Python) does; the only key of
// this operation, clientToken, is unreserved anyway.
func appendQueryV3(dst []byte, ps []pair) []byte {
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.k...)
		dst = append(dst, '=')
		dst = appendEscaped(dst, p.v)
	}
	return dst
}

// appendQueryROA writes sorted pairs unencoded, "k" alone for an empty value.
func appendQueryROA(dst []byte, ps []pair) []byte {
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.k...)
		if p.v != "" {
			dst = append(dst, '=')
			dst = append(dst, p.v...)
		}
	}
	return dst
}

// CanonicalQuery returns the V3 canonical query string of q: pairs sorted
// bytewise by key (then value), each "key=" + percent-encoded value, joined
// by '&'; an empty value gives "key="; several values for one key each give
// their own pair.
func CanonicalQuery(q url.Values) string {
	ps := valuesToPairs(q)
	sortPairs(ps)
	return string(appendQueryV3(nil, ps))
}

// header is one canonical header: a lower-case name and all its values.
type header struct {
	name string
	vals []string
}

// lowerName lower-cases a header key without allocating for the keys this
// package sets or reads, which are stored in canonical MIME form.
func lowerName(k string) string {
	switch k {
	case "X-Acs-Action":
		return "x-acs-action"
	case "X-Acs-Version":
		return "x-acs-version"
	case "X-Acs-Date":
		return "x-acs-date"
	case "X-Acs-Signature-Nonce":
		return "x-acs-signature-nonce"
	case "X-Acs-Content-Sha256":
		return "x-acs-content-sha256"
	case "X-Acs-Security-Token":
		return "x-acs-security-token"
	case "X-Acs-Signature-Method":
		return "x-acs-signature-method"
	case "X-Acs-Signature-Version":
		return "x-acs-signature-version"
	case "X-Acs-Credentials-Provider":
		return "x-acs-credentials-provider"
	case "Content-Type":
		return "content-type"
	case "Content-Md5":
		return "content-md5"
	case "Accept":
		return "accept"
	case "Date":
		return "date"
	case "Host":
		return "host"
	}
	return strings.ToLower(k)
}

// isACS reports whether a header key, in any case, starts with "x-acs-".
func isACS(k string) bool {
	return len(k) > 6 && strings.EqualFold(k[:6], "x-acs-")
}

// collectV3 appends the headers V3 signs by default (content-type and
// x-acs-*, any key case) plus host, then sorts and merges them. A "Host" key
// in h is ignored: the host is what goes on the wire (req.Host or
// req.URL.Host), passed as host, a one-element slice or nil (the caller owns
// the slice so that Sign can keep it off the heap).
func collectV3(dst []header, h http.Header, host []string) []header {
	dst = appendV3Headers(dst, h, false)
	if len(host) == 1 && host[0] != "" {
		dst = append(dst, header{"host", host})
	}
	return sortHeaders(dst)
}

// appendV3Headers appends h's content-type and x-acs-* entries, unsorted.
//
// With signing set, h belongs to Sign, which has just stored its own
// headers under canonical keys and adds those to dst itself, pre-sorted:
// they are skipped here, and any other spelling of one of them (say a
// hand-set "x-acs-date") is deleted from h, since it would otherwise be sent
// as a second value that the server rejects.
func appendV3Headers(dst []header, h http.Header, signing bool) []header {
	for k, vs := range h {
		if signing {
			switch k {
			case hAction, hVersion, hACSDate, hNonce, hContentSHA256, hToken:
				continue
			}
		}
		if isACS(k) || strings.EqualFold(k, "content-type") {
			name := lowerName(k)
			if signing && ownV3(name) {
				delete(h, k)
				continue
			}
			dst = append(dst, header{name, vs})
		}
	}
	return dst
}

// ownV3 reports the lower-case names of the headers Sign sets for V3.
func ownV3(name string) bool {
	switch name {
	case "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
		"x-acs-content-sha256", "x-acs-security-token":
		return true
	}
	return false
}

// sortHeaders sorts by name and merges entries whose keys differed only in
// case (possible in a hand-built http.Header, never in a received one).
func sortHeaders(hs []header) []header {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].name < hs[j-1].name; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	out := hs[:0]
	for i, x := range hs {
		if i > 0 && out[len(out)-1].name == x.name {
			last := &out[len(out)-1]
			last.vals = append(slices.Clip(last.vals), x.vals...) // copies: never write into h
			continue
		}
		out = append(out, x)
	}
	return out
}

// appendHeaderValue writes the values trimmed; several values are sorted
// and joined by ',' as openapi-util does.
func appendHeaderValue(dst []byte, vals []string) []byte {
	switch len(vals) {
	case 0:
		return dst
	case 1:
		return append(dst, strings.TrimSpace(vals[0])...)
	}
	t := make([]string, len(vals))
	for i, v := range vals {
		t[i] = strings.TrimSpace(v)
	}
	slices.Sort(t)
	for i, v := range t {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, v...)
	}
	return dst
}

// appendHeaderLines writes "name:value\n" for each sorted header.
func appendHeaderLines(dst []byte, hs []header) []byte {
	for _, x := range hs {
		dst = append(dst, x.name...)
		dst = append(dst, ':')
		dst = appendHeaderValue(dst, x.vals)
		dst = append(dst, '\n')
	}
	return dst
}

// appendSignedHeaders writes the header names joined by ';'.
func appendSignedHeaders(dst []byte, hs []header) []byte {
	for i, x := range hs {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, x.name...)
	}
	return dst
}

// requestHost is the host a request is (or was) sent to.
func requestHost(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	if req.URL != nil {
		return req.URL.Host
	}
	return ""
}

// requestMethod maps Go's "" (meaning GET) to what goes on the wire.
func requestMethod(req *http.Request) string {
	if req.Method == "" {
		return http.MethodGet
	}
	return req.Method
}
