package client

import (
	"net/url"
	"strconv"
	"strings"
)

// Network selects the endpoint family a RegionID resolves to.
type Network string

// The networks of a region.
const (
	// NetworkPublic (the zero value) is the Internet endpoint,
	// https://elasticsearch.<region>.aliyuncs.com.
	NetworkPublic Network = ""
	// NetworkVPC is the endpoint reachable from inside Alibaba Cloud only,
	// https://elasticsearch-vpc.<region>.aliyuncs.com.
	NetworkVPC Network = "vpc"
)

// maxRegionIDLen bounds a region id; real ones are under 30 characters.
const maxRegionIDLen = 64

// regionEndpoint returns the base URL of a region's endpoint. An unlisted region follows the
// same rule, as the service's own endpoints do.
func regionEndpoint(regionID string, network Network) string {
	if network == NetworkVPC {
		return "https://elasticsearch-vpc." + regionID + ".aliyuncs.com"
	}
	return "https://elasticsearch." + regionID + ".aliyuncs.com"
}

// checkRegionID reports why s cannot be a region id (lower-case letters, digits and single
// hyphens, starting with a letter, such as "cn-hangzhou" or "ap-southeast-1"), or "" when it
// can. The id becomes part of a host name, so anything else would change which host is called.
func checkRegionID(s string) string {
	if len(s) > maxRegionIDLen {
		return "is longer than " + strconv.Itoa(maxRegionIDLen) + " characters"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		case c == '-' && i > 0 && i < len(s)-1 && s[i-1] != '-':
		default:
			return "must be lower-case letters, digits and single hyphens, starting with a letter (such as cn-hangzhou)"
		}
	}
	return ""
}

// parseEndpoint turns Config.Endpoint into a base URL: "host[:port]" means HTTPS, a URL keeps its
// scheme (https or http, so plain HTTP is used only when asked for). Anything beyond a scheme,
// host and port is refused, because the operation's path is appended to it and a path, query or
// user information would change what is signed and sent. The reasons never repeat the value,
// which may hold a password in its user information.
func parseEndpoint(ep string) (string, string) {
	raw := ep
	if !strings.Contains(ep, "://") {
		raw = "https://" + ep
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", "is neither host[:port] nor a URL"
	case u.Scheme != "https" && u.Scheme != "http":
		return "", "must use https or http"
	case u.User != nil || strings.Contains(u.Host, "@"):
		return "", "must not contain user information"
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "", "has no host"
	case strings.HasSuffix(u.Host, ":"):
		return "", "has an empty port"
	case u.Path != "" && u.Path != "/":
		return "", "must not have a path (the operation's path is added by the client)"
	case u.RawQuery != "" || u.ForceQuery:
		return "", "must not have a query"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", "must not have a fragment"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "has a port outside 1 to 65535"
		}
	}
	return u.Scheme + "://" + u.Host, ""
}
