package contract

import (
	"context"
	"fmt"
	"reflect"

	"github.com/es-openapi/interrupt/internal/ids"
)

func formatChecks() []Check {
	return []Check{
		{
			ID:        "formats/success",
			Title:     "a success carries the same data in JSON and in XML",
			Labels:    []string{LabelFormats},
			Statement: "responses 200: application/json and application/xml carry the same InterruptElasticsearchTaskResult",
			Needs:     Needs{Instances: map[Status]int{StatusActivating: 2}},
			Run:       checkSuccessFormats,
		},
		{
			ID:        "formats/errors",
			Title:     "an error carries the same status, Code and Message in JSON and in XML",
			Labels:    []string{LabelFormats},
			Statement: "responses 400: application/json and application/xml carry the same Error (Code, Message)",
			Run:       checkErrorFormats,
		},
	}
}

// checkSuccessFormats interrupts two instances, one in JSON and one in XML, and compares the
// results but for their RequestIds.
func checkSuccessFormats(ctx context.Context, env *Env) error {
	var results [2]*observed
	for i, asXML := range []bool{false, true} {
		id, err := env.instance(ctx, env.interruptible.From)
		if err != nil {
			return err
		}
		a, err := env.do(ctx, requestSpec{id: id, token: ids.UUID(), xml: asXML})
		if err != nil {
			return err
		}
		if err := expectSuccess(a); err != nil {
			return fmt.Errorf("xml=%v: %w", asXML, err)
		}
		results[i] = a
	}
	j, x := *results[0].result, *results[1].result
	j.RequestId, x.RequestId = "", ""
	if !reflect.DeepEqual(j, x) {
		return fmt.Errorf("JSON says %s, XML says %s", results[0], results[1])
	}
	return nil
}

// checkErrorFormats interrupts an unknown instance in JSON and in XML and compares the errors.
func checkErrorFormats(ctx context.Context, env *Env) error {
	id := unknownID()
	var errs [2]*observed
	for i, asXML := range []bool{false, true} {
		a, err := env.do(ctx, requestSpec{id: id, xml: asXML})
		if err != nil {
			return err
		}
		if err := env.expectError(a, "InstanceNotFound"); err != nil {
			return fmt.Errorf("xml=%v: %w", asXML, err)
		}
		errs[i] = a
	}
	j, x := *errs[0].apiErr, *errs[1].apiErr
	if j.Code != x.Code || j.Message != x.Message {
		return fmt.Errorf("JSON says %s %q, XML says %s %q", j.Code, j.Message, x.Code, x.Message)
	}
	if errs[0].status != errs[1].status {
		return fmt.Errorf("JSON came with %d, XML with %d", errs[0].status, errs[1].status)
	}
	return nil
}
