package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/spec"
)

// badInput is a request no server may accept. situations are the catalogue triggers it is an
// instance of: it must be answered with a code of those triggers (any of them, since codes that
// share a trigger are alternatives). None means the document does not say which refusal it gets,
// so any documented 4xx error passes.
type badInput struct {
	name       string
	request    requestSpec
	situations []spec.Trigger
}

// badInputs are the negative inputs, aimed at instance id where they need a well-formed one:
// malformed ids and tokens, wrong methods, unknown and tricky paths, and a body the operation
// does not take. An escaped slash or dot segment in the id may be read as part of the id (a bad
// parameter) or as a path that names no operation, and a proxy may normalise it: the document
// does not say which, so any documented refusal is right.
func badInputs(id string) []badInput {
	const op = wire.PathSuffix
	base := wire.PathPrefix + wire.EscapeSegment(id)
	param := []spec.Trigger{spec.TriggerInvalidParameter}
	route := []spec.Trigger{spec.TriggerUnknownRoute}
	var open []spec.Trigger
	return []badInput{
		{"id with a slash", requestSpec{id: "es-cn/x"}, open},
		{"id with an encoded slash", requestSpec{rawPath: wire.PathPrefix + "es-cn%2Fx" + op}, open},
		{"id that climbs with %2e%2e%2f", requestSpec{rawPath: wire.PathPrefix + "%2e%2e%2f" + op}, open},
		{"id of two dots", requestSpec{rawPath: wire.PathPrefix + ".." + op}, open},
		{"id with a space", requestSpec{id: "es cn"}, param},
		{"id with a control character", requestSpec{id: "es-cn\x01x"}, param},
		{"id of 1000 characters", requestSpec{id: strings.Repeat("a", 1000)}, param},
		{"id with non-ASCII", requestSpec{id: "es-cn-ü"}, param},
		{"token of 65 characters", requestSpec{id: id, token: strings.Repeat("t", 65)}, param},
		{"token with non-ASCII", requestSpec{id: id, token: "tökén"}, param},
		{"token with a control character", requestSpec{id: id, token: "tok\x01en"}, param},
		{"empty token", requestSpec{id: id, rawQuery: "clientToken="}, param},
		{"GET", requestSpec{method: http.MethodGet, id: id}, route},
		{"PUT", requestSpec{method: http.MethodPut, id: id}, route},
		{"DELETE", requestSpec{method: http.MethodDelete, id: id}, route},
		{"PATCH", requestSpec{method: http.MethodPatch, id: id}, route},
		{"unknown path", requestSpec{rawPath: base + "/actions/explode"}, route},
		{"root path", requestSpec{rawPath: "/"}, route},
		{"double slash", requestSpec{rawPath: "/" + base + op}, route},
		{"trailing segment", requestSpec{rawPath: base + op + "/more"}, route},
		{"a request body", requestSpec{id: id, body: []byte(`{"InstanceId":"` + id + `"}`)}, param},
		{"a body over 64 KiB", requestSpec{id: id, body: bytes.Repeat([]byte("x"), 64<<10+1)}, param},
		{"a body over 64 KiB of unknown length", requestSpec{id: id, body: bytes.Repeat([]byte("x"), 64<<10+1), edit: unknownLength}, param},
		{"an unknown query parameter", requestSpec{id: id, rawQuery: "clientToken=" + url.QueryEscape(ids.UUID()) + "&Extra=1"}, param},
		{"clientToken twice", requestSpec{id: id, rawQuery: "clientToken=a&clientToken=b"}, open},
		{"malformed percent-encoding in the query", requestSpec{id: id, rawQuery: "clientToken=%zz"}, open},
		{"a semicolon in the query", requestSpec{id: id, rawQuery: "clientToken=a;b"}, open},
	}
}

// unknownLength sends r's body without a Content-Length, as a chunked upload does.
func unknownLength(r *http.Request) {
	r.ContentLength = -1
	r.Header.Del("Content-Length")
}

// situationNames renders triggers for a check's title.
func situationNames(ts []spec.Trigger) string {
	if len(ts) == 0 {
		return "any documented refusal"
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = string(t)
	}
	return strings.Join(names, " or ")
}

// codesOf lists the catalogue codes of the given triggers.
func (e *Env) codesOf(ts []spec.Trigger) []string {
	var codes []string
	for _, entry := range e.catalogue.Codes() {
		if slices.Contains(ts, entry.Trigger) {
			codes = append(codes, entry.Code)
		}
	}
	return codes
}

func negativeChecks() []Check {
	var out []Check
	for i, in := range badInputs("es-cn-x") {
		out = append(out, Check{
			ID:        "negative/" + slug(in.name),
			Title:     fmt.Sprintf("%s gets a documented 4xx Error (%s), in JSON and XML, and changes nothing", in.name, situationNames(in.situations)),
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
					c := in.request
					c.xml = asXML
					a, err := env.do(ctx, c)
					if err != nil {
						return err
					}
					verdict := env.expectRefusal(a)
					if len(in.situations) > 0 {
						verdict = env.expectOneOf(a, env.codesOf(in.situations))
					}
					if err := verdict; err != nil {
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
