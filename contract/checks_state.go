package contract

import (
	"context"
	"fmt"
)

// transition is one row of the operation's state table.
type transition struct {
	from  Status
	code  string // "" for a success
	after Status
}

// stateTable is the documented state machine: interrupt is valid only from activating, which it
// leaves suspended; every other status answers an error and stays as it was.
var stateTable = []transition{
	{from: StatusActivating, after: StatusSuspended},
	{from: StatusSuspended, code: "AlreadyReceivedInterruptSignal", after: StatusSuspended},
	{from: StatusActive, code: "InstanceStatusNotSupportCurrentAction", after: StatusActive},
	{from: StatusInactive, code: "InstanceStatusNotSupportCurrentAction", after: StatusInactive},
	{from: StatusInvalid, code: "InstanceStatusNotSupportCurrentAction", after: StatusInvalid},
}

func stateChecks() []Check {
	var out []Check
	for _, row := range stateTable {
		row := row
		want := "200 Result true"
		if row.code != "" {
			want = row.code
		}
		out = append(out, Check{
			ID:     "state/" + string(row.from),
			Title:  fmt.Sprintf("interrupting an instance that is %s answers %s and leaves it %s", row.from, want, row.after),
			Labels: []string{LabelState},
			Run: func(ctx context.Context, env *Env) error {
				id, err := env.instance(ctx, row.from)
				if err != nil {
					return err
				}
				a, err := env.interrupt(ctx, id, newUUID())
				if err != nil {
					return err
				}
				if row.code == "" {
					err = expectSuccess(a)
				} else {
					err = env.expectError(a, row.code)
				}
				if err != nil {
					return err
				}
				st, ok, err := env.statusOf(ctx, id)
				if err != nil {
					return err
				}
				if ok && st != row.after {
					return fmt.Errorf("afterwards the instance is %s, want %s", st, row.after)
				}
				if row.after == StatusSuspended {
					// Judged by answers too: a suspended instance refuses a further interrupt.
					return env.expectOneTransition(ctx, id)
				}
				return nil
			},
		})
	}
	return out
}
