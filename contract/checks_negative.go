package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// The codes the document gives bad requests: a request for no operation, and a request whose
// parameters or body the document refuses.
const (
	codeNoRoute      = "InvalidAction.NotFound"
	codeBadParameter = "InvalidParameter"
)

// badInput is a request no server may accept, and the codes it may be answered with.
type badInput struct {
	name  string
	call  call
	codes []string
}

// badInputs are the negative inputs, aimed at instance id where they need a well-formed one:
// malformed ids and tokens, wrong methods, unknown and tricky paths, and a body the operation
// does not take. An escaped slash or dot segment in the id may be read as part of the id (a bad
// parameter) or as a path that names no operation; either answer is right.
func badInputs(id string) []badInput {
	const op = "/actions/interrupt"
	base := "/openapi/instances/" + url.PathEscape(id)
	param := []string{codeBadParameter}
	route := []string{codeNoRoute}
	either := []string{codeBadParameter, codeNoRoute}
	return []badInput{
		{"id with a slash", call{id: "es-cn/x"}, either},
		{"id with an encoded slash", call{rawPath: "/openapi/instances/es-cn%2Fx" + op}, either},
		{"id that climbs with %2e%2e%2f", call{rawPath: "/openapi/instances/%2e%2e%2f" + op}, either},
		{"id of two dots", call{rawPath: "/openapi/instances/.." + op}, either},
		{"id with a space", call{id: "es cn"}, param},
		{"id with a control character", call{id: "es-cn\x01x"}, param},
		{"id of 1000 characters", call{id: strings.Repeat("a", 1000)}, param},
		{"id with non-ASCII", call{id: "es-cn-ü"}, param},
		{"token of 65 characters", call{id: id, token: strings.Repeat("t", 65)}, param},
		{"token with non-ASCII", call{id: id, token: "tökén"}, param},
		{"token with a control character", call{id: id, token: "tok\x01en"}, param},
		{"empty token", call{id: id, rawQuery: "clientToken="}, param},
		{"GET", call{method: http.MethodGet, id: id}, route},
		{"PUT", call{method: http.MethodPut, id: id}, route},
		{"DELETE", call{method: http.MethodDelete, id: id}, route},
		{"PATCH", call{method: http.MethodPatch, id: id}, route},
		{"unknown path", call{rawPath: base + "/actions/explode"}, route},
		{"root path", call{rawPath: "/"}, route},
		{"double slash", call{rawPath: "/" + base + op}, route},
		{"trailing segment", call{rawPath: base + op + "/more"}, route},
		{"a request body", call{id: id, body: []byte(`{"InstanceId":"` + id + `"}`)}, param},
	}
}

func negativeChecks() []Check {
	var out []Check
	for i, in := range badInputs("es-cn-x") {
		out = append(out, Check{
			ID:        "negative/" + slug(in.name),
			Title:     fmt.Sprintf("%s gets a 4xx Error body (%s), in JSON and XML, and changes nothing", in.name, strings.Join(in.codes, " or ")),
			Labels:    []string{LabelNegative},
			Statement: negativeStatement(in),
			Needs:     Needs{SharedInstances: map[Status]int{StatusActivating: 1}, StatusObservation: true},
			Run: func(ctx context.Context, env *Env) error {
				id, observable, err := env.negativeInstance(ctx)
				if err != nil {
					return err
				}
				in := badInputs(id)[i]
				for _, asXML := range []bool{false, true} {
					c := in.call
					c.xml = asXML
					a, err := env.do(ctx, c)
					if err != nil {
						return err
					}
					if err := env.expectOneOf(a, in.codes); err != nil {
						return fmt.Errorf("xml=%v: %w", asXML, err)
					}
				}
				if observable {
					st, _, err := env.statusOf(ctx, id)
					if err != nil {
						return err
					}
					if st != env.interruptible.From {
						return fmt.Errorf("the refused request changed the instance to %s", st)
					}
				}
				return nil
			},
		})
	}
	return out
}

// negativeState is the instance the negative checks aim at, got once per run.
type negativeState struct {
	once       sync.Once
	id         string
	observable bool
	err        error
}

// negativeInstance returns an instance that can be interrupted, shared by the negative checks,
// and whether its status can be read to see that a refused request left it alone. Without
// fixtures it is an id the target does not know.
func (e *Env) negativeInstance(ctx context.Context) (string, bool, error) {
	e.negative.once.Do(func() {
		if e.target.Fixtures == nil {
			e.negative.id = unknownID()
			return
		}
		id, err := e.instance(ctx, e.interruptible.From)
		if err != nil {
			var skip *SkipError
			if errors.As(err, &skip) {
				e.negative.id = unknownID()
				return
			}
			e.negative.err = err
			return
		}
		_, observable, err := e.statusOf(ctx, id)
		e.negative.id, e.negative.observable, e.negative.err = id, observable, err
	})
	return e.negative.id, e.negative.observable, e.negative.err
}

// expectOneOf asserts that a is a conforming error answer with one of codes, at the catalogue's
// status.
func (e *Env) expectOneOf(a *answer, codes []string) error {
	var last error
	for _, code := range codes {
		if last = e.expectError(a, code); last == nil {
			return nil
		}
	}
	if len(codes) > 1 && a.apiErr != nil && a.invalid == nil {
		return fmt.Errorf("want one of %s, got %s (%s)", strings.Join(codes, ", "), a.apiErr.Code, a.apiErr.Message)
	}
	return last
}
