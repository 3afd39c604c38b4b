package contract

import (
	"testing"

	"github.com/es-openapi/interrupt/spec"
)

// TestEveryTriggerHasADriver keeps the trigger table and the document's catalogue in step.
func TestEveryTriggerHasADriver(t *testing.T) {
	catalogue, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range catalogue.Codes() {
		if triggerDrivers[entry.Trigger] == nil {
			t.Errorf("%s: trigger %q has no driver", entry.Code, entry.Trigger)
		}
	}
	if _, err := provoke(t.Context(), nil, spec.ErrorCode{Code: "X", Trigger: "no-such-trigger"}); err == nil {
		t.Error("an unknown trigger was driven")
	}
}
