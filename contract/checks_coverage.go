package contract

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/es-openapi/interrupt/spec"
)

func coverageCheck() Check {
	return Check{
		ID:        "coverage/statuses",
		Title:     "every documented status was produced, and nothing undocumented",
		Labels:    []string{LabelCoverage},
		Statement: "responses: the documented statuses (200, and errors from 400 to 599) are what the target answers",
		Run: func(_ context.Context, env *Env) error {
			op, err := spec.Operation(env.doc)
			if err != nil {
				return err
			}
			seen := env.Statuses()
			if len(seen) == 0 {
				return Skip("no check sent a request in this run")
			}
			for _, status := range sortedStatuses(seen) {
				if status != http.StatusOK && (status < 400 || status > 599) {
					return fmt.Errorf("the target answered %d, which the document does not have", status)
				}
			}
			var missing []string
			declared := true
			for key := range op.Responses.Map() {
				status, err := strconv.Atoi(key)
				if err != nil {
					continue // "default"
				}
				if seen[status] == 0 {
					missing = append(missing, fmt.Sprintf("%d (%s)", status, env.whyNotProduced(status)))
					declared = declared && env.untriggerable(status)
				}
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				if declared {
					return SkipDeclared("not produced: " + strings.Join(missing, "; "))
				}
				return Skip("not produced: " + strings.Join(missing, "; "))
			}
			return nil
		},
	}
}

// whyNotProduced names the catalogue codes of a status and why none was seen.
func (e *Env) whyNotProduced(status int) string {
	var codes []string
	for _, entry := range e.catalogue.Codes() {
		if entry.Status != status {
			continue
		}
		if entry.Trigger == spec.TriggerNone {
			codes = append(codes, entry.Code+" cannot be provoked")
		} else {
			codes = append(codes, entry.Code+" was not provoked")
		}
	}
	if len(codes) == 0 {
		return "no catalogued code"
	}
	return strings.Join(codes, ", ")
}
