package spec

import (
	"errors"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// RulesExtension is the operation extension that holds the behaviour rules the catalogue and the
// state table do not carry (media types, default format, HostId, idempotency, ...).
const RulesExtension = "x-rules"

// Rule is one behaviour rule of the document with its provenance.
type Rule struct {
	// ID names the rule, such as "default-format".
	ID string `json:"id"`
	// Rule states the behaviour.
	Rule string `json:"rule"`
	// Source names the public material the rule comes from.
	Source string `json:"source,omitempty"`
	// Inferred marks the rule (or the part Source does not cover) as this project's inference;
	// Reason says why.
	Inferred bool   `json:"inferred,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

var loadedRules = loadOnce(RulesOf)

// LoadRules returns the rules of the embedded document, read once. The slice is shared: callers
// must not modify it.
func LoadRules() ([]Rule, error) {
	return loadedRules()
}

// RulesOf reads and checks the rules of doc: ids unique, each with a source or marked inferred
// with a reason.
func RulesOf(doc *openapi3.T) ([]Rule, error) {
	var rules []Rule
	if err := decodeExtension(doc, RulesExtension, &rules); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(rules))
	var errs []error
	for i, r := range rules {
		if r.ID == "" || r.Rule == "" {
			errs = append(errs, fmt.Errorf("spec: %s[%d]: id and rule are required", RulesExtension, i))
		}
		if seen[r.ID] {
			errs = append(errs, fmt.Errorf("spec: %s: id %q appears twice", RulesExtension, r.ID))
		}
		seen[r.ID] = true
		if err := checkProvenance(r.Source, r.Inferred, r.Reason); err != nil {
			errs = append(errs, fmt.Errorf("spec: %s[%d] %q: %w", RulesExtension, i, r.ID, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return rules, nil
}

// checkProvenance enforces the document's rule for a state row or a rule: a source, or the mark
// inferred with a reason (or both, when the source covers only part of it).
func checkProvenance(source string, inferred bool, reason string) error {
	switch {
	case source == "" && !inferred:
		return errors.New("source is required unless the entry is marked inferred")
	case inferred != (reason != ""):
		return errors.New("reason is required with inferred, and only then")
	}
	return nil
}
