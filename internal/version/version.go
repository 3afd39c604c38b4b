// Package version reports the version of this module in the running binary, for the client's
// User-Agent and the command's version output.
package version

import (
	"reflect"
	"runtime/debug"
	"strings"
)

// Devel is the version of a build that carries none: a build inside this repository (go build
// and go test report "(devel)") or against a directory named by a replace directive.
const Devel = "devel"

// ModulePath is this module's path, found from this package's import path so that it follows a
// new major version's /vN suffix without an edit.
var ModulePath = strings.TrimSuffix(reflect.TypeFor[marker]().PkgPath(), "/internal/version")

type marker struct{}

// Module returns this module's version in the running binary, such as "v1.2.0" or a
// pseudo-version, from runtime/debug.ReadBuildInfo; Devel when the build records none.
func Module() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Devel
	}
	return fromBuildInfo(bi)
}

// fromBuildInfo finds the module in bi: the main module when this module was built itself (go
// install .../cmd/esinterrupt@v1.2.0), else a dependency, following a replace directive.
func fromBuildInfo(bi *debug.BuildInfo) string {
	v := ""
	if bi.Main.Path == ModulePath {
		v = bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path != ModulePath {
			continue
		}
		v = d.Version
		if d.Replace != nil {
			v = d.Replace.Version
		}
	}
	if v == "" || v == "(devel)" {
		return Devel
	}
	return v
}
