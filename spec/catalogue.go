package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// ErrorCodesExtension is the operation extension that holds the error-code catalogue.
const ErrorCodesExtension = "x-error-codes"

// Trigger says how a contract suite drives an error code out of a server.
type Trigger string

// The triggers the catalogue uses. TriggerNone marks a code no request can provoke from the
// reference server; its ErrorCode.Untriggerable says why.
const (
	TriggerNone              Trigger = "none"
	TriggerUnknownInstance   Trigger = "unknown-instance"    // interrupt an id the server does not know
	TriggerInstanceStatus    Trigger = "instance-status"     // interrupt an active, inactive or invalid instance
	TriggerRepeatInterrupt   Trigger = "repeat-interrupt"    // interrupt a suspended instance with a new token
	TriggerTokenReuse        Trigger = "token-reuse"         // reuse a clientToken for another instance
	TriggerInvalidParameter  Trigger = "invalid-parameter"   // a malformed id, token or request shape
	TriggerMissingInstanceID Trigger = "missing-instance-id" // an empty InstanceId segment
	TriggerMissingSignature  Trigger = "missing-signature"   // no Authorization or a required signing header
	TriggerBadSignature      Trigger = "bad-signature"       // a signature that does not match
	TriggerNonceReplay       Trigger = "nonce-replay"        // a signature nonce sent twice
	TriggerStaleDate         Trigger = "stale-date"          // a date outside the 15-minute window
	TriggerUnknownAccessKey  Trigger = "unknown-access-key"  // an AccessKeyId the server does not know
	TriggerSTSMismatch       Trigger = "sts-mismatch"        // a security token that is not the key's
	TriggerSTSMissingToken   Trigger = "sts-missing-token"   // a temporary STS. key with no security token
	TriggerUnknownRoute      Trigger = "unknown-route"       // a path or method no operation has
	TriggerThrottle          Trigger = "throttle"            // more requests than the per-key rate limit
)

var knownTriggers = map[Trigger]bool{
	TriggerNone: true, TriggerUnknownInstance: true, TriggerInstanceStatus: true,
	TriggerRepeatInterrupt: true, TriggerTokenReuse: true, TriggerInvalidParameter: true,
	TriggerMissingInstanceID: true, TriggerMissingSignature: true, TriggerBadSignature: true,
	TriggerNonceReplay: true, TriggerStaleDate: true, TriggerUnknownAccessKey: true,
	TriggerSTSMismatch: true, TriggerSTSMissingToken: true, TriggerUnknownRoute: true, TriggerThrottle: true,
}

// ErrorCode is one entry of the catalogue: an error the operation can respond with.
type ErrorCode struct {
	// Code is the error code as it appears in the body's Code, such as "InstanceNotFound".
	Code string `json:"code"`
	// Status is the HTTP status the code comes with.
	Status int `json:"status"`
	// Message is the message the service sends with the code.
	Message string `json:"message"`
	// Meaning explains the code in this project's words.
	Meaning string `json:"meaning"`
	// Retryable says whether repeating the same request (same clientToken) may succeed.
	Retryable bool `json:"retryable"`
	// Origin says who answers the code: OriginGateway (its body carries HostId) or OriginService
	// (no HostId).
	Origin Origin `json:"origin"`
	// Source names the public material the entry comes from; empty when nothing public names the
	// code, and then Inferred and Reason say so.
	Source string `json:"source,omitempty"`
	// Inferred lists the fields ("code", "status", "message", "retryable") no public source
	// states: this project's choices.
	Inferred []string `json:"inferred,omitempty"`
	// Reason explains the inferred fields, with the evidence on both sides.
	Reason string `json:"reason,omitempty"`
	// OtherStatuses lists statuses other public sources give the code besides Status; a
	// provider answering with any of them follows the record too.
	OtherStatuses []int `json:"otherStatuses,omitempty"`
	// Trigger says how to provoke the code from a server.
	Trigger Trigger `json:"trigger"`
	// Untriggerable is the reason a code with TriggerNone cannot be provoked.
	Untriggerable string `json:"untriggerable,omitempty"`
	// Example names the component example with the code's JSON body; the XML one is
	// Example+"Xml".
	Example string `json:"example"`
}

// Origin is who answers an error code.
type Origin string

// The origins: the API gateway (signature, keys, routing, flow control, gateway failures) sends
// HostId; the elasticsearch service behind it does not.
const (
	OriginGateway Origin = "gateway"
	OriginService Origin = "service"
)

// CarriesHostID reports whether the code's body carries HostId (rule host-id of the document).
func (e ErrorCode) CarriesHostID() bool { return e.Origin == OriginGateway }

// inferableFields are the fields an entry may list in inferred.
var inferableFields = map[string]bool{"code": true, "status": true, "message": true, "retryable": true}

// IsInferred reports whether field ("code", "status", "message" or "retryable") is this
// project's inference rather than a published fact.
func (e ErrorCode) IsInferred(field string) bool {
	for _, f := range e.Inferred {
		if f == field {
			return true
		}
	}
	return false
}

// AllowsStatus reports whether status is one the document allows for the code: Status, or one
// of OtherStatuses.
func (e ErrorCode) AllowsStatus(status int) bool {
	return status == e.Status || slices.Contains(e.OtherStatuses, status)
}

// Catalogue is the operation's error-code catalogue, in document order.
type Catalogue struct {
	codes  []ErrorCode
	byCode map[string]int
}

// Codes returns the entries in document order. The slice is a copy.
func (c *Catalogue) Codes() []ErrorCode {
	out := make([]ErrorCode, len(c.codes))
	copy(out, c.codes)
	return out
}

// Lookup returns the entry for code.
func (c *Catalogue) Lookup(code string) (ErrorCode, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return ErrorCode{}, false
	}
	return c.codes[i], true
}

// Alternatives returns the codes a provider may respond with in the same situation as code: code
// itself, then every other code with the same trigger, in document order. Codes with trigger
// none share no situation, so a code with trigger none, or one the catalogue lacks, has only
// itself. (For example an unknown route may be answered InvalidAction.NotFound or
// InvalidApi.NotFound.)
func (c *Catalogue) Alternatives(code string) []string {
	out := []string{code}
	e, ok := c.Lookup(code)
	if !ok || e.Trigger == TriggerNone {
		return out
	}
	for _, other := range c.codes {
		if other.Code != code && other.Trigger == e.Trigger {
			out = append(out, other.Code)
		}
	}
	return out
}

// Len returns the number of entries.
func (c *Catalogue) Len() int { return len(c.codes) }

var loadedCatalogue = loadOnce(CatalogueOf)

// LoadCatalogue returns the catalogue of the embedded document, read once and shared.
func LoadCatalogue() (*Catalogue, error) {
	return loadedCatalogue()
}

// CatalogueOf reads and checks the catalogue of doc: every entry complete, codes unique,
// statuses from 400 to 599, triggers known, and each named example present in the components.
func CatalogueOf(doc *openapi3.T) (*Catalogue, error) {
	var codes []ErrorCode
	if err := decodeExtension(doc, ErrorCodesExtension, &codes); err != nil {
		return nil, err
	}
	c := &Catalogue{codes: codes, byCode: make(map[string]int, len(codes))}
	var errs []error
	for i, e := range codes {
		if err := checkEntry(doc, e); err != nil {
			errs = append(errs, fmt.Errorf("spec: %s[%d] %q: %w", ErrorCodesExtension, i, e.Code, err))
		}
		if _, dup := c.byCode[e.Code]; dup {
			errs = append(errs, fmt.Errorf("spec: %s: code %q appears twice", ErrorCodesExtension, e.Code))
		}
		c.byCode[e.Code] = i
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func checkEntry(doc *openapi3.T, e ErrorCode) error {
	switch {
	case e.Code == "" || e.Message == "" || e.Meaning == "" || e.Example == "":
		return errors.New("code, message, meaning and example are all required")
	case e.Source == "" && len(e.Inferred) == 0:
		return errors.New("an entry without source must list what it infers")
	case (len(e.Inferred) > 0) != (e.Reason != ""):
		return errors.New("reason is required with inferred, and only then")
	case e.Origin != OriginGateway && e.Origin != OriginService:
		return fmt.Errorf("origin %q is neither gateway nor service", e.Origin)
	case e.Status < 400 || e.Status > 599:
		return fmt.Errorf("status %d is not an error status", e.Status)
	case slices.ContainsFunc(e.OtherStatuses, func(s int) bool { return s < 400 || s > 599 || s == e.Status }):
		return fmt.Errorf("otherStatuses %v: each must be an error status other than %d", e.OtherStatuses, e.Status)
	case !knownTriggers[e.Trigger]:
		return fmt.Errorf("unknown trigger %q", e.Trigger)
	case (e.Trigger == TriggerNone) != (e.Untriggerable != ""):
		return errors.New("untriggerable is required with trigger none, and only then")
	}
	for _, f := range e.Inferred {
		if !inferableFields[f] {
			return fmt.Errorf("inferred field %q is not one of code, status, message, retryable", f)
		}
	}
	for _, name := range []string{e.Example, e.Example + "Xml"} {
		if doc.Components == nil || doc.Components.Examples[name] == nil {
			return fmt.Errorf("example %q is not in components/examples", name)
		}
	}
	return nil
}

// loadOnce returns a function that reads a value from the embedded document with of, once per
// process; the value is shared and immutable afterwards.
func loadOnce[T any](of func(*openapi3.T) (T, error)) func() (T, error) {
	return sync.OnceValues(func() (T, error) {
		doc, err := Load()
		if err != nil {
			var zero T
			return zero, err
		}
		return of(doc)
	})
}

// decodeExtension decodes the operation extension name of doc into v. The extension arrives as
// generic JSON values; a strict JSON round trip gives typed values and rejects misspelt fields.
func decodeExtension(doc *openapi3.T, name string, v any) error {
	op, err := Operation(doc)
	if err != nil {
		return err
	}
	raw, ok := op.Extensions[name]
	if !ok {
		return fmt.Errorf("spec: the operation has no %s", name)
	}
	buf, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("spec: %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("spec: %s: %w", name, err)
	}
	return nil
}
