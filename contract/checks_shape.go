package contract

import (
	"context"
	"fmt"

	"github.com/es-openapi/interrupt/internal/ids"
)

// LabelShape selects the request-shape checks.
const LabelShape = "shape"

// statementReplay is the document statement the replay checks judge by.
const statementReplay = "operation description: a repeated clientToken returns the first answer again (status, body and RequestId); info.description: the body is in JSON or XML as the request's Accept header asks"

// shapeChecks judge the shape of requests beyond one format: a clientToken replayed in the
// other format.
func shapeChecks() []Check {
	return []Check{
		{
			ID:        "shape/replay-success-in-the-other-format",
			Title:     "a success replayed for its clientToken with the other Accept comes in that format with the first status, Result and RequestId",
			Statement: statementReplay,
			Labels:    []string{LabelShape, LabelIdempotency, LabelFormats},
			Needs:     Needs{Instances: map[Status]int{StatusActivating: 2}},
			Run: func(ctx context.Context, env *Env) error {
				for _, firstXML := range []bool{false, true} {
					if err := checkSuccessReplayIn(ctx, env, firstXML); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			ID:        "shape/replay-error-in-the-other-format",
			Title:     "a refusal replayed for its clientToken with the other Accept comes in that format with the first status, Code, Message and RequestId",
			Statement: statementReplay,
			Labels:    []string{LabelShape, LabelIdempotency, LabelFormats},
			Needs:     Needs{Instances: map[Status]int{StatusSuspended: 1}},
			Run:       checkErrorReplayInJSON,
		},
	}
}

// checkSuccessReplayIn interrupts an instance in XML or JSON (firstXML) and replays the token in
// the other format.
func checkSuccessReplayIn(ctx context.Context, env *Env, firstXML bool) error {
	id, err := env.instance(ctx, env.interruptible.From)
	if err != nil {
		return err
	}
	token := ids.UUID()
	first, err := env.do(ctx, requestSpec{id: id, token: token, xml: firstXML})
	if err != nil {
		return err
	}
	if err := expectSuccess(first); err != nil {
		return err
	}
	again, err := env.do(ctx, requestSpec{id: id, token: token, xml: !firstXML})
	if err != nil {
		return err
	}
	if err := expectSuccess(again); err != nil {
		return fmt.Errorf("the replay with xml=%v: %w", !firstXML, err)
	}
	if *again.result != *first.result {
		return fmt.Errorf("the replay with xml=%v says %s, the first response said %s", !firstXML, again.describe(), first.describe())
	}
	return nil
}

// checkErrorReplayInJSON gets a refusal in XML and replays its token in JSON.
func checkErrorReplayInJSON(ctx context.Context, env *Env) error {
	refusal, code := env.refusingRow()
	if code == "" {
		return fmt.Errorf("the state table has no refusing row")
	}
	id, err := env.instance(ctx, refusal)
	if err != nil {
		return err
	}
	token := ids.UUID()
	first, err := env.do(ctx, requestSpec{id: id, token: token, xml: true})
	if err != nil {
		return err
	}
	if err := env.expectError(first, code); err != nil {
		return err
	}
	again, err := env.do(ctx, requestSpec{id: id, token: token})
	if err != nil {
		return err
	}
	if err := env.expectError(again, code); err != nil {
		return fmt.Errorf("the replay in JSON: %w", err)
	}
	f, g := first.apiErr, again.apiErr
	if first.status != again.status || f.Code != g.Code || f.Message != g.Message || f.RequestId != g.RequestId {
		return fmt.Errorf("the replay in JSON says %s, the first response in XML said %s", again.describe(), first.describe())
	}
	return nil
}

// refusingRow is a status the state table refuses with a code that is not retryable (so the
// response is kept for its clientToken), and that code.
func (e *Env) refusingRow() (Status, string) {
	for _, row := range e.states.Rows() {
		if row.Succeeds() {
			continue
		}
		if entry, ok := e.catalogue.Lookup(row.Code); ok && !entry.Retryable {
			return row.From, row.Code
		}
	}
	return "", ""
}
