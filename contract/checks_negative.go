package contract

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// badInput is a request no server may accept.
type badInput struct {
	name string
	call call
}

// badInputs are the negative inputs: malformed ids and tokens, wrong methods, unknown and tricky
// paths, and a body the operation does not take.
func badInputs() []badInput {
	const op = "/actions/interrupt"
	return []badInput{
		{"id with a slash", call{id: "es-cn/x"}},
		{"id with an encoded slash", call{rawPath: "/openapi/instances/es-cn%2Fx" + op}},
		{"id that climbs with %2e%2e%2f", call{rawPath: "/openapi/instances/%2e%2e%2f" + op}},
		{"id of two dots", call{rawPath: "/openapi/instances/.." + op}},
		{"id with a space", call{id: "es cn"}},
		{"id with a control character", call{id: "es-cn\x01x"}},
		{"id of 1000 characters", call{id: strings.Repeat("a", 1000)}},
		{"id with non-ASCII", call{id: "es-cn-ü"}},
		{"token of 65 characters", call{id: "es-cn-x", token: strings.Repeat("t", 65)}},
		{"token with non-ASCII", call{id: "es-cn-x", token: "tökén"}},
		{"token with a control character", call{id: "es-cn-x", token: "tok\x01en"}},
		{"empty token", call{id: "es-cn-x", rawQuery: "clientToken="}},
		{"GET", call{method: http.MethodGet, id: "es-cn-x"}},
		{"PUT", call{method: http.MethodPut, id: "es-cn-x"}},
		{"DELETE", call{method: http.MethodDelete, id: "es-cn-x"}},
		{"PATCH", call{method: http.MethodPatch, id: "es-cn-x"}},
		{"unknown path", call{rawPath: "/openapi/instances/es-cn-x/actions/explode"}},
		{"root path", call{rawPath: "/"}},
		{"double slash", call{rawPath: "//openapi/instances/es-cn-x" + op}},
		{"trailing segment", call{rawPath: "/openapi/instances/es-cn-x" + op + "/more"}},
		{"a request body", call{id: "es-cn-x", body: []byte(`{"InstanceId":"es-cn-x"}`)}},
	}
}

func negativeChecks() []Check {
	var out []Check
	for _, in := range badInputs() {
		in := in
		out = append(out, Check{
			ID:     "negative/" + slug(in.name),
			Title:  fmt.Sprintf("%s gets a 4xx Error body with a catalogued code, in JSON and XML", in.name),
			Labels: []string{LabelNegative},
			Run: func(ctx context.Context, env *Env) error {
				for _, asXML := range []bool{false, true} {
					c := in.call
					c.xml = asXML
					a, err := env.do(ctx, c)
					if err != nil {
						return err
					}
					if err := env.expectCatalogued(a); err != nil {
						return fmt.Errorf("xml=%v: %w", asXML, err)
					}
				}
				return nil
			},
		})
	}
	return out
}
