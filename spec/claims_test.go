package spec_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/spec"
)

// The claims of spec/CLAIMS.md that the document itself carries. Each test reads the document, so
// a drift of the document from the settled point fails here.

func loadAll(t *testing.T) (*openapi3.T, *spec.Catalogue, *spec.StateTable, []spec.Rule, []spec.Example) {
	t.Helper()
	doc, err := spec.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	states, err := spec.LoadStateTable()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := spec.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	examples, err := spec.LoadExamples()
	if err != nil {
		t.Fatal(err)
	}
	return doc, cat, states, rules, examples
}

func lookup(t *testing.T, cat *spec.Catalogue, code string) spec.ErrorCode {
	t.Helper()
	e, ok := cat.Lookup(code)
	if !ok {
		t.Fatalf("%s is not in the catalogue", code)
	}
	return e
}

// Every entry, row and rule carries its source or says what it infers and why (issue point 1).
func TestEveryClaimHasProvenance(t *testing.T) {
	_, cat, states, rules, _ := loadAll(t)
	for _, e := range cat.Codes() {
		if e.Source == "" && len(e.Inferred) == 0 {
			t.Errorf("%s: no source and nothing inferred", e.Code)
		}
		if len(e.Inferred) > 0 && e.Reason == "" {
			t.Errorf("%s: inferred %v without a reason", e.Code, e.Inferred)
		}
	}
	for _, r := range states.Rows() {
		if r.Source == "" && !(r.Inferred && r.Reason != "") {
			t.Errorf("state row %s: no source and no inferred reason", r.From)
		}
	}
	for _, r := range rules {
		if r.Source == "" && !(r.Inferred && r.Reason != "") {
			t.Errorf("rule %s: no source and no inferred reason", r.ID)
		}
	}
	want := []string{"xml-media-type", "default-format", "xml-shapes", "host-id", "recommend", "alternatives",
		"idempotency-replay", "idempotency-token-reuse", "input-strictness", "sts-missing-token", "endpoints"}
	for _, id := range want {
		if !slices.ContainsFunc(rules, func(r spec.Rule) bool { return r.ID == id }) {
			t.Errorf("rule %s is missing", id)
		}
	}
}

// The loaders refuse an entry, row or rule without provenance.
func TestProvenanceIsEnforced(t *testing.T) {
	mutations := map[string]struct {
		ext    string
		mutate func(entries []any)
		check  func(*openapi3.T) error
	}{
		"entry without source or inferred": {spec.ErrorCodesExtension, func(es []any) {
			delete(es[0].(map[string]any), "source")
		}, func(d *openapi3.T) error { _, err := spec.CatalogueOf(d); return err }},
		"entry inferred without reason": {spec.ErrorCodesExtension, func(es []any) {
			delete(es[2].(map[string]any), "reason")
		}, func(d *openapi3.T) error { _, err := spec.CatalogueOf(d); return err }},
		"entry with an unknown origin": {spec.ErrorCodesExtension, func(es []any) {
			es[0].(map[string]any)["origin"] = "proxy"
		}, func(d *openapi3.T) error { _, err := spec.CatalogueOf(d); return err }},
		"entry whose otherStatuses repeat its status": {spec.ErrorCodesExtension, func(es []any) {
			es[0].(map[string]any)["otherStatuses"] = []any{400}
		}, func(d *openapi3.T) error { _, err := spec.CatalogueOf(d); return err }},
		"entry inferring an unknown field": {spec.ErrorCodesExtension, func(es []any) {
			es[2].(map[string]any)["inferred"] = []any{"colour"}
		}, func(d *openapi3.T) error { _, err := spec.CatalogueOf(d); return err }},
		"state row without source or reason": {spec.StateTableExtension, func(rs []any) {
			delete(rs[0].(map[string]any), "source")
		}, func(d *openapi3.T) error { _, err := spec.StateTableOf(d); return err }},
		"state row inferred without reason": {spec.StateTableExtension, func(rs []any) {
			delete(rs[1].(map[string]any), "reason")
		}, func(d *openapi3.T) error { _, err := spec.StateTableOf(d); return err }},
		"rule without source or reason": {spec.RulesExtension, func(rs []any) {
			delete(rs[0].(map[string]any), "source")
		}, func(d *openapi3.T) error { _, err := spec.RulesOf(d); return err }},
		"rule id twice": {spec.RulesExtension, func(rs []any) {
			rs[1].(map[string]any)["id"] = rs[0].(map[string]any)["id"]
		}, func(d *openapi3.T) error { _, err := spec.RulesOf(d); return err }},
	}
	for name, m := range mutations {
		doc, err := spec.New()
		if err != nil {
			t.Fatal(err)
		}
		op, err := spec.Operation(doc)
		if err != nil {
			t.Fatal(err)
		}
		m.mutate(op.Extensions[m.ext].([]any))
		if m.check(doc) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Points 5-10: the catalogue states what the record shows and marks the rest.
func TestCatalogueFollowsTheRecord(t *testing.T) {
	_, cat, _, _, _ := loadAll(t)
	for _, code := range []string{"SignatureNonceUsed", "InvalidTimeStamp.Expired"} {
		e := lookup(t, cat, code)
		if e.Status != 400 || e.IsInferred("status") {
			t.Errorf("%s: status %d inferred %v, the record confirms 400", code, e.Status, e.Inferred)
		}
	}
	key := lookup(t, cat, "InvalidAccessKeyId.NotFound")
	if key.Status != 404 || !key.AllowsStatus(400) || !key.AllowsStatus(404) || key.AllowsStatus(403) {
		t.Errorf("InvalidAccessKeyId.NotFound: status %d otherStatuses %v, want 404 and 400", key.Status, key.OtherStatuses)
	}
	sts := lookup(t, cat, "MissingSecurityToken")
	if sts.Status != 400 || sts.Message != "SecurityToken is mandatory for this action." || sts.Trigger != spec.TriggerSTSMissingToken || len(sts.Inferred) != 0 || !sts.CarriesHostID() {
		t.Errorf("MissingSecurityToken: %+v", sts)
	}
	if mismatch := lookup(t, cat, "InvalidSecurityToken.MismatchWithAccessKey"); mismatch.Status != 403 || !mismatch.IsInferred("status") {
		t.Errorf("InvalidSecurityToken.MismatchWithAccessKey keeps 403, marked inferred: %+v", mismatch)
	}
	api := lookup(t, cat, "InvalidApi.NotFound")
	if api.Status != 404 || !slices.Contains(cat.Alternatives("InvalidAction.NotFound"), "InvalidApi.NotFound") ||
		!slices.Contains(cat.Alternatives("InvalidApi.NotFound"), "InvalidAction.NotFound") {
		t.Errorf("InvalidApi.NotFound: status %d, alternatives %v", api.Status, cat.Alternatives("InvalidApi.NotFound"))
	}
	ise := lookup(t, cat, "InternalServerError")
	if ise.Status < 500 || !ise.Retryable || ise.Trigger != spec.TriggerNone || !ise.IsInferred("status") || !strings.Contains(ise.Source, "terraform") {
		t.Errorf("InternalServerError: %+v", ise)
	}
	notSupported := lookup(t, cat, "InstanceStatusNotSupportCurrentAction")
	if notSupported.Retryable || !notSupported.IsInferred("retryable") || !notSupported.IsInferred("status") || !strings.Contains(notSupported.Reason, "Terraform") {
		t.Errorf("InstanceStatusNotSupportCurrentAction: the project's choice with both sides: %+v", notSupported)
	}
	activating := lookup(t, cat, "InstanceActivating")
	if strings.Contains(activating.Meaning, "being created") || !strings.Contains(activating.Meaning, "activating") || activating.Trigger != spec.TriggerNone {
		t.Errorf("InstanceActivating means the instance is activating: %+v", activating)
	}
	for _, code := range []string{"AlreadyReceivedInterruptSignal", "IdempotentParameterMismatch"} {
		if e := lookup(t, cat, code); e.Source != "" || !e.IsInferred("code") {
			t.Errorf("%s has no public trace and must say so: %+v", code, e)
		}
	}
	for _, code := range []string{"TokenPreviousRequestProcessError", "ConcurrencyUpdateInstanceConflict"} {
		if e := lookup(t, cat, code); !e.IsInferred("status") || !e.Retryable {
			t.Errorf("%s: status inferred, retryable per Terraform: %+v", code, e)
		}
	}
	for _, code := range []string{"InvalidParameter", "MissingParameter"} {
		if e := lookup(t, cat, code); !e.IsInferred("status") || e.Reason == "" {
			t.Errorf("%s: the project's strictness must be marked: %+v", code, e)
		}
	}
	gateway := []string{"IncompleteSignature", "SignatureDoesNotMatch", "SignatureNonceUsed", "InvalidTimeStamp.Expired",
		"InvalidAccessKeyId.NotFound", "InvalidSecurityToken.MismatchWithAccessKey", "MissingSecurityToken",
		"InvalidAction.NotFound", "InvalidApi.NotFound", "Throttling", "Throttling.User", "Throttling.Api"}
	for _, e := range cat.Codes() {
		if want := slices.Contains(gateway, e.Code); want != e.CarriesHostID() && e.Status < 500 {
			t.Errorf("%s: origin %s, want gateway=%v", e.Code, e.Origin, want)
		}
	}
}

// Point 9: the state table knows unknown and refuses an interrupt there, marked inferred.
func TestStateTableUnknown(t *testing.T) {
	_, _, states, _, _ := loadAll(t)
	row, ok := states.Interrupt(spec.StatusUnknown)
	if !ok || row.Succeeds() || row.To != spec.StatusUnknown || !row.Inferred || row.Reason == "" {
		t.Errorf("unknown row: %+v", row)
	}
	activating, _ := states.Interrupt(spec.StatusActivating)
	if activating.Inferred || activating.Source == "" {
		t.Errorf("the activating row is confirmed: %+v", activating)
	}
}

// Points 1-4: media types, HostId and Recommend in the document.
func TestDocumentWireShapes(t *testing.T) {
	doc, cat, _, _, examples := loadAll(t)
	op, err := spec.Operation(doc)
	if err != nil {
		t.Fatal(err)
	}
	for status, resp := range op.Responses.Map() {
		for key := range resp.Value.Content {
			if key != spec.MediaTypeJSON && key != spec.MediaTypeXML {
				t.Errorf("response %s declares %q; XML is declared as %s", status, key, spec.MediaTypeXML)
			}
		}
		if resp.Value.Content.Get(spec.MediaTypeXMLWire) == nil {
			t.Errorf("response %s: the service's label %q matches no content key", status, spec.MediaTypeXMLWire)
		}
	}
	errSchema := doc.Components.Schemas["Error"].Value
	if slices.Contains(errSchema.Required, "HostId") || !slices.Contains(errSchema.Required, "Code") {
		t.Errorf("Error requires %v; HostId is optional", errSchema.Required)
	}
	for _, ex := range examples {
		code := ex.Code()
		if code == "" {
			continue
		}
		e := lookup(t, cat, code)
		v := ex.Value.(map[string]any)
		if _, has := v["HostId"]; has != e.CarriesHostID() {
			t.Errorf("%s %s: HostId present=%v, origin %s", ex.MediaType, ex.Name, has, e.Origin)
		}
		want := "https://api.aliyun.com/troubleshoot?q=" + code + "&product=elasticsearch&requestId=" + v["RequestId"].(string)
		if v["Recommend"] != want {
			t.Errorf("%s %s: Recommend %v, want %s", ex.MediaType, ex.Name, v["Recommend"], want)
		}
		if ex.MediaType == spec.MediaTypeXML {
			var e models.Error
			if err := spec.UnmarshalXML(ex.WireBody, &e); err != nil {
				t.Fatal(err)
			}
			body := string(ex.WireBody)
			order := []string{"<RequestId>", "<HostId>", "<Code>", "<Message>", "<Recommend>"}
			last := -1
			for _, tag := range order {
				i := strings.Index(body, tag)
				if i < 0 {
					continue
				}
				if i < last {
					t.Errorf("%s: %s out of the record's order", ex.Name, tag)
				}
				last = i
			}
			if e.HostId != "" && !strings.Contains(body, "<Recommend><![CDATA[") {
				t.Errorf("%s: a gateway XML example shows Recommend in CDATA, as a live gateway sends it", ex.Name)
			}
		}
	}
}
