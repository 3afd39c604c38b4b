package contract

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/es-openapi/interrupt/internal/ids"
)

// negotiationOrderCases are Accept headers where the order of the ranges, or a format excluded
// with nothing else named, decides the answer under RFC 9110 section 12.5.1: a media type's
// quality does not depend on where its range is listed, and a type given q=0 is not acceptable,
// so it ranks below the one the header does not name (preferred).
func negotiationOrderCases() []negotiationCase {
	return []negotiationCase{
		{"two xml types with the higher quality first", []string{"application/xml;q=0.7, text/xml;q=0.1, application/json;q=0.5"}},
		{"json excluded and nothing else named", []string{"application/json;q=0"}},
	}
}

// negotiationOrderChecks judge negotiationOrderCases as negotiationChecks judge theirs: an
// unknown instance's InstanceNotFound, in the format the header prefers.
func negotiationOrderChecks() []Check {
	var out []Check
	for _, nc := range negotiationOrderCases() {
		accept := strings.Join(nc.lines, ", ")
		want := wantOf(call{accept: accept})
		out = append(out, Check{
			ID:        "negotiation/" + slug(nc.name),
			Title:     fmt.Sprintf("Accept: %s is answered in %s", strings.Join(nc.lines, " | "), want),
			Statement: statementNegotiation,
			Labels:    []string{LabelNegotiation},
			Run: func(ctx context.Context, env *Env) error {
				c := call{id: unknownID(), token: ids.UUID(), accept: accept}
				if len(nc.lines) > 1 {
					c.signHeaders = http.Header{"Accept": nc.lines}
				}
				a, err := env.do(ctx, c)
				if err != nil {
					return err
				}
				return env.expectError(a, "InstanceNotFound")
			},
		})
	}
	return out
}
