package contract

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/es-openapi/interrupt/internal/ids"
)

// LabelNegotiation selects the content-negotiation checks.
const LabelNegotiation = "negotiation"

// statementNegotiation is the document statement the negotiation checks judge by.
const statementNegotiation = `info.description: the body is "in JSON or XML as the request's Accept header asks"; x-rules default-format: "A request without Accept, or with only */*, is answered in XML; a request that prefers JSON gets JSON"`

// negotiationCase is one Accept header (one or several lines) a client may send.
type negotiationCase struct {
	name  string
	lines []string // nil: no Accept header at all
}

// negotiationCases are Accept headers real clients and proxies send: none, wildcards, quality
// values, several types, parameters in any case, several header lines, and types the operation
// does not have. RFC 9110 section 12.5.1 says how each one ranks JSON against XML; where it ranks
// them equal, or names neither, either format passes.
func negotiationCases() []negotiationCase {
	return []negotiationCase{
		{"no Accept", nil},
		{"any type", []string{"*/*"}},
		{"text/xml", []string{"text/xml"}},
		{"application/xml in capitals", []string{"APPLICATION/XML"}},
		{"xml preferred by quality", []string{"application/xml;q=0.9, application/json;q=0.5"}},
		{"json preferred by quality", []string{"application/json;q=0.9, text/xml;q=0.5"}},
		{"json listed first but xml preferred", []string{"application/json;q=0.4, text/xml;q=0.6"}},
		{"json and xml equally", []string{"application/json, application/xml"}},
		{"json and xml at the same quality", []string{"application/json;q=0.5, application/xml;q=0.5"}},
		{"an unknown type", []string{"text/html"}},
		{"xml excluded", []string{"application/xml;q=0, text/xml;q=0"}},
		{"json excluded", []string{"application/xml;q=0.001, application/json;q=0"}},
		{"application wildcard above xml", []string{"application/*;q=0.8, application/xml;q=0.1"}},
		{"any type below xml", []string{"*/*;q=0.1, application/xml"}},
		{"any type above xml", []string{"application/xml;q=0.5, */*;q=0.9"}},
		{"quality parameter in capitals", []string{"application/xml; Q=0.2, application/json; q=0.3"}},
		{"two Accept lines", []string{"application/json;q=0.2", "application/xml"}},
		{"any type above both xml types", []string{"*/*;q=0.5, application/xml;q=0.1, text/xml;q=0.1"}},
		{"json only, at a low quality", []string{"application/json;q=0.5"}},
		{"json below any type", []string{"application/json;q=0.5, */*"}},
		{"json at quality one", []string{"application/json;q=1"}},
		{"a parameter before the quality", []string{"application/xml;charset=utf-8;q=0.1, application/json;q=0.5"}},
		{"json with a charset parameter", []string{"application/json;charset=utf-8"}},
		{"two xml types at different qualities", []string{"text/xml;q=0.1, application/xml;q=0.7, application/json;q=0.5"}},
		// A range's quality does not depend on where it is listed, and a type given q=0 ranks
		// below one the header does not name (RFC 9110 section 12.5.1).
		{"two xml types with the higher quality first", []string{"application/xml;q=0.7, text/xml;q=0.1, application/json;q=0.5"}},
		{"json excluded and nothing else named", []string{"application/json;q=0"}},
	}
}

func negotiationChecks() []Check {
	var out []Check
	for _, nc := range negotiationCases() {
		accept := strings.Join(nc.lines, ", ")
		want := wantOf(requestSpec{accept: accept, noAccept: nc.lines == nil})
		shown := "no Accept"
		if nc.lines != nil {
			shown = "Accept: " + strings.Join(nc.lines, " | ")
		}
		out = append(out, Check{
			ID:        "negotiation/" + slug(nc.name),
			Title:     fmt.Sprintf("%s is answered in %s", shown, want),
			Statement: statementNegotiation,
			Labels:    []string{LabelNegotiation},
			Run: func(ctx context.Context, env *Env) error {
				c := requestSpec{id: unknownID(), token: ids.UUID(), accept: accept, noAccept: nc.lines == nil}
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
