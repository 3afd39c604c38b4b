package aliyun

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestMain makes the package's tests hermetic and keeps them off the network: no ALIBABA_CLOUD_*
// variable of the machine is seen, HOME is an empty directory (so no ~/.aliyun or
// ~/.alibabacloud file is read), and the ECS metadata service is switched off. The one test
// that asks a metadata service switches it back on for itself and points it at loopback.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "ALIBABA_CLOUD_") {
			_ = os.Unsetenv(name)
		}
	}
	home, err := os.MkdirTemp("", "aliyun-test-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(home)
	_ = os.Setenv("HOME", home)
	_ = os.Setenv("USERPROFILE", home)
	_ = os.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	// The stand-in for STS (oidc_test.go) presents a certificate for its host name; the process
	// trusts that certificate alone, so no TLS connection can succeed with anything else.
	if err := trustSTSStandIn(home); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
