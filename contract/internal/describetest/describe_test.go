// Package describetest runs contract.DescribeProvider in suites of its own, as child processes,
// to assert the verdict a whole Ginkgo suite ends with: a suite cannot observe its own exit.
package describetest_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
)

// modeEnv selects the target of the child suite; empty means this is the parent.
const modeEnv = "DESCRIBETEST_MODE"

func TestDescribeProvider(t *testing.T) {
	if os.Getenv(modeEnv) != "" {
		RegisterFailHandler(Fail)
		RunSpecs(t, "describe provider "+os.Getenv(modeEnv))
		return
	}
	for _, tc := range []struct {
		mode   string
		pass   bool
		wants  []string
		absent []string
	}{
		// Setup skips fail their specs, and the summary names what to provide.
		{"setup-skips", false, []string{"verdict: fail: ", "checks could not run against this target's setup", "credentials the target accepts", "not run, the target's setup: ", "FAIL! -- "}, []string{"| 0 Failed"}},
		// Allowed, the same run passes and says it was partial.
		{"partial", true, []string{"verdict: partial: ", "SUCCESS!"}, []string{"verdict: fail", "[FAIL]"}},
		// An unreachable target fails once, in the BeforeAll, and no check runs.
		{"unreachable", false, []string{"the target cannot be reached", "[BeforeAll]", "1 Failed"}, []string{"verdict:"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestDescribeProvider$", "-ginkgo.v", "-ginkgo.no-color")
			cmd.Env = append(os.Environ(), modeEnv+"="+tc.mode)
			raw, err := cmd.CombinedOutput()
			out := string(raw)
			if (err == nil) != tc.pass {
				t.Fatalf("suite error %v, want pass=%v:\n%s", err, tc.pass, out)
			}
			for _, want := range tc.wants {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for _, not := range tc.absent {
				if strings.Contains(out, not) {
					t.Errorf("output has %q:\n%s", not, out)
				}
			}
		})
	}
}

var _ = contract.DescribeProvider(func() contract.Target {
	switch mode := os.Getenv(modeEnv); mode {
	case "setup-skips", "partial":
		// No signatures, static fixtures (no status observation), no rate limit.
		statuses, err := contract.Statuses()
		Expect(err).NotTo(HaveOccurred())
		seed := map[string]server.Status{}
		ids := map[contract.Status][]string{}
		for _, st := range statuses {
			for i := range 8 {
				id := fmt.Sprintf("es-cn-describe-%s-%d", st, i)
				seed[id] = st
				ids[st] = append(ids[st], id)
			}
		}
		srv, err := server.New(server.Config{Instances: seed})
		Expect(err).NotTo(HaveOccurred())
		return contract.Target{Handler: srv, Fixtures: contract.NewStaticFixtures(ids), ThrottleProbe: -1, AllowPartial: mode == "partial"}
	default:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		addr := l.Addr().String()
		Expect(l.Close()).To(Succeed())
		return contract.Target{BaseURL: "http://" + addr}
	}
})
