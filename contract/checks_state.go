package contract

import (
	"context"
	"fmt"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/spec"
)

// stateChecks makes one check per row of the document's state table: interrupt is valid only
// from activating, which it leaves suspended; every other status answers an error and stays.
func stateChecks(table *spec.StateTable) []Check {
	var out []Check
	for _, row := range table.Rows() {
		want := "200 Result true"
		if !row.Succeeds() {
			want = row.Code
		}
		out = append(out, Check{
			ID:        "state/" + string(row.From),
			Title:     fmt.Sprintf("interrupting an instance that is %s answers %s and leaves it %s", row.From, want, row.To),
			Labels:    []string{LabelState},
			Statement: fmt.Sprintf("x-state-table row %s→%s (%s)", row.From, row.To, want),
			// A refused interrupt leaves the status unchanged, which only reading it shows; the
			// success is also judged by the response to a further interrupt.
			Needs: Needs{Instances: map[Status]int{row.From: 1}, StatusObservation: !row.Succeeds()},
			Run:   stateRowCheck(row),
		})
	}
	return out
}

// stateRowCheck interrupts an instance in row's status and expects row's response and status.
func stateRowCheck(row spec.Transition) func(context.Context, *Env) error {
	return func(ctx context.Context, env *Env) error {
		id, err := env.instance(ctx, row.From)
		if err != nil {
			return err
		}
		a, err := env.interrupt(ctx, id, ids.UUID())
		if err != nil {
			return err
		}
		if row.Succeeds() {
			err = expectSuccess(a)
		} else {
			err = env.expectError(a, row.Code)
		}
		if err != nil {
			return err
		}
		st, ok, err := env.statusOf(ctx, id)
		if err != nil {
			return err
		}
		if ok && st != row.To {
			return fmt.Errorf("afterwards the instance is %s, want %s", st, row.To)
		}
		if row.Succeeds() {
			// Judged by responses too: a suspended instance refuses a further interrupt.
			return env.expectOneTransition(ctx, id)
		}
		return nil
	}
}
