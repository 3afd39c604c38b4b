package version

import (
	"runtime/debug"
	"testing"
)

func TestModulePath(t *testing.T) {
	if ModulePath != "github.com/es-openapi/interrupt" {
		t.Errorf("ModulePath = %q", ModulePath)
	}
}

func TestFromBuildInfo(t *testing.T) {
	dep := func(v string, replace *debug.Module) *debug.Module {
		return &debug.Module{Path: ModulePath, Version: v, Replace: replace}
	}
	other := &debug.Module{Path: "example.com/other", Version: "v9.9.9"}
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"installed at a version", debug.BuildInfo{Main: debug.Module{Path: ModulePath, Version: "v1.2.0"}}, "v1.2.0"},
		{"built in the repository", debug.BuildInfo{Main: debug.Module{Path: ModulePath, Version: "(devel)"}}, Devel},
		{"a dependency", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"}, Deps: []*debug.Module{other, dep("v1.3.0-rc.1", nil)}}, "v1.3.0-rc.1"},
		{"replaced by a version", debug.BuildInfo{Deps: []*debug.Module{dep("v1.0.0", &debug.Module{Path: "example.com/fork", Version: "v1.0.1"})}}, "v1.0.1"},
		{"replaced by a directory", debug.BuildInfo{Deps: []*debug.Module{dep("v0.0.0", &debug.Module{Path: "../.."})}}, Devel},
		{"absent", debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: "v2.0.0"}, Deps: []*debug.Module{other}}, Devel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fromBuildInfo(&tc.bi); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestModuleInATestBinary(t *testing.T) {
	// go test builds this module as the main module without a version.
	if got := Module(); got != Devel {
		t.Errorf("Module() = %q, want %q", got, Devel)
	}
}
