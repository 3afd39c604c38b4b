package client

import (
	"runtime"

	"github.com/es-openapi/interrupt/internal/version"
)

// userAgentHeader is the User-Agent of every request: this module, its version, the Go release
// and the platform, such as "es-openapi-interrupt/v1.2.0 (go1.26.8; linux/amd64)", so that the
// service's logs tell this client's requests apart. It is read-only.
var userAgentHeader = []string{userAgent(version.Module())}

// userAgent formats the User-Agent for a module version.
func userAgent(moduleVersion string) string {
	return "es-openapi-interrupt/" + moduleVersion + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}
