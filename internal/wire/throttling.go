package wire

import "strings"

// IsThrottling reports a flow-control error code: Throttling and its dotted variants. The
// document's catalogue lists Throttling, Throttling.User and Throttling.Api, the three codes
// darabonba-openapi turns into a ThrottlingError; other dotted variants (Alibaba Cloud services
// return e.g. Throttling.CloudBox) are flow control too and carry the same x-ratelimit-* headers.
// A code that merely starts with the word, such as "ThrottlingX", is another code.
func IsThrottling(code string) bool {
	return code == "Throttling" || strings.HasPrefix(code, "Throttling.")
}
