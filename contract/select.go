package contract

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
)

// labelRegexp matches a Ginkgo label filter's regular expressions (/.../), which name no label.
var labelRegexp = regexp.MustCompile(`/[^/]*/`)

// ParseLabelFilter parses a Ginkgo label filter (such as "errors || state") and returns the
// selection it makes. Beyond Ginkgo's syntax it refuses a label no check carries, suggesting the
// nearest one (a typo such as "errrors" selects nothing rather than everything), and a filter
// that selects no check.
func ParseLabelFilter(expr string) (func(Check) bool, error) {
	filter, err := types.ParseLabelFilter(expr)
	var gerr types.GinkgoError
	if errors.As(err, &gerr) {
		// Ginkgo's error carries its terminal colour markup; the message is plain text here.
		plain := formatter.New(formatter.ColorModeNone)
		return nil, fmt.Errorf("%s: %s", plain.F(gerr.Heading), strings.Join(strings.Fields(plain.F(gerr.Message)), " "))
	}
	if err != nil {
		return nil, err
	}
	known, err := Labels()
	if err != nil {
		return nil, err
	}
	// Set operations ("key: containsAny {...}") are left to Ginkgo; plain words must be labels.
	if !strings.Contains(expr, ":") {
		words := strings.FieldsFunc(labelRegexp.ReplaceAllString(expr, " "), func(r rune) bool {
			return strings.ContainsRune("&|!,()", r)
		})
		for _, w := range words {
			if w = strings.TrimSpace(w); w != "" && !hasLabel(known, w) {
				return nil, fmt.Errorf("no check has the label %q%s (labels: %s)", w, suggest(known, w), strings.Join(known, ", "))
			}
		}
	}
	keep := func(c Check) bool { return filter(c.Labels) }
	selected, err := Select(keep)
	if err != nil {
		return nil, err
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("the label filter %q selects no check: %w", expr, ErrNoChecks)
	}
	return keep, nil
}

func hasLabel(known []string, w string) bool {
	for _, l := range known {
		if strings.EqualFold(l, w) {
			return true
		}
	}
	return false
}

// suggest names the known label nearest to w, if one is near.
func suggest(known []string, w string) string {
	best, bestDist := "", 3
	for _, l := range known {
		if d := editDistance(strings.ToLower(w), l); d < bestDist {
			best, bestDist = l, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
