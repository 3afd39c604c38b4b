package wire

import (
	"net/url"
	"strings"
)

// OperationPath returns the operation's escaped path for an InstanceId, the id escaped as one
// segment (EscapeSegment).
func OperationPath(instanceID string) string {
	return PathPrefix + EscapeSegment(instanceID) + PathSuffix
}

// EscapeSegment percent-encodes an InstanceId the way the official SDKs do (url.QueryEscape, then
// space as %20): only RFC 3986 unreserved characters stay as they are, so '/', '?', '#', '%',
// '+', '&' and '=' can never change the path or its meaning.
func EscapeSegment(id string) string {
	return strings.ReplaceAll(url.QueryEscape(id), "+", "%20")
}

// MatchPath reports whether escapedPath (as it came off the wire, neither cleaned nor decoded) is
// the operation's path and returns its escaped InstanceId segment, possibly empty. A raw '/' in
// the segment makes it another path, and so no match.
func MatchPath(escapedPath string) (segment string, ok bool) {
	rest, ok := strings.CutPrefix(escapedPath, PathPrefix)
	if !ok {
		return "", false
	}
	segment, ok = strings.CutSuffix(rest, PathSuffix)
	if !ok || strings.Contains(segment, "/") {
		return "", false
	}
	return segment, true
}
