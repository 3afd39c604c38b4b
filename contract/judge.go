package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/spec"
)

// This file judges responses. Every verdict follows the same order and stops at the first
// difference: the status, then the Code (for an error), then the shape the document gives the
// response. A failure says what was wanted and what came, in a few lines.

// maxReason bounds the summary of a shape error; kin-openapi's own messages print whole schemas.
const maxReason = 300

// formatWant is what the document allows as the format of a response to a request's Accept.
type formatWant uint8

const (
	wantJSON   formatWant = iota // the request prefers JSON
	wantXML                      // the request prefers XML
	wantEither                   // the request leaves it open: either format passes
)

func (w formatWant) String() string {
	switch w {
	case wantJSON:
		return spec.MediaTypeJSON
	case wantXML:
		return "an XML media type"
	}
	return "JSON or XML"
}

// allows reports whether a response labelled mediaType is in a format w allows.
func (w formatWant) allows(mediaType string) bool {
	switch {
	case mediaType == spec.MediaTypeJSON:
		return w != wantXML
	case isXMLMediaType(mediaType):
		return w != wantJSON
	}
	return false
}

// wantOf is the format the document allows for c's Accept header. The document says the body is
// JSON or XML "as the request's Accept header asks", and (x-rules default-format) XML when the
// request has no Accept or only */*: a request that prefers one of them (by quality, RFC 9110
// section 12.5.1) gets it; one that asks for neither, or both equally, may get either.
func wantOf(c requestSpec) formatWant {
	switch {
	case c.noAccept:
		return wantXML
	case c.accept != "":
		return preferred(c.accept)
	case c.xml:
		return wantXML
	}
	return wantJSON
}

// preferred reads an Accept header: the quality JSON and XML each get from their most specific
// matching media range. A format the header excludes (q=0) ranks below one it does not mention,
// since the service never answers 406 (RFC 9110: q=0 means "not acceptable"). It is not
// wire.RespondsInXML, which is one server's choice: where the document allows either format (equal
// or no preference), the contract accepts both.
func preferred(accept string) formatWant {
	if onlyAnyType(accept) {
		return wantXML
	}
	rank := func(q float64, matched bool) float64 {
		switch {
		case !matched:
			return -1
		case q == 0:
			return -2
		}
		return q
	}
	qJSON := rank(quality(accept, "application", "json"))
	qXML := max(rank(quality(accept, "application", "xml")), rank(quality(accept, "text", "xml")))
	switch {
	case qJSON > qXML:
		return wantJSON
	case qXML > qJSON:
		return wantXML
	}
	return wantEither
}

// onlyAnyType reports an Accept header that lists only */* (with any parameters).
func onlyAnyType(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mediaRange, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mediaRange != "*/*" {
			return false
		}
	}
	return true
}

// quality is the q the most specific range of accept that matches type/subtype gives it: an
// exact range over type/*, over */*; matched is false when none matches. Several Accept lines
// count as one list joined by commas; a malformed element is ignored.
func quality(accept, typ, subtype string) (q float64, matched bool) {
	best := -1
	for _, part := range strings.Split(accept, ",") {
		mediaRange, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		t, s, _ := strings.Cut(mediaRange, "/")
		specificity := -1
		switch {
		case t == typ && s == subtype:
			specificity = 2
		case t == typ && s == "*":
			specificity = 1
		case t == "*" && s == "*":
			specificity = 0
		}
		if specificity < 0 || specificity < best {
			continue
		}
		v := 1.0
		if raw, ok := params["q"]; ok {
			if _, err := fmt.Sscanf(raw, "%g", &v); err != nil || v < 0 || v > 1 {
				continue
			}
		}
		if specificity > best {
			best, q = specificity, v
		} else {
			q = max(q, v)
		}
	}
	return q, best >= 0
}

// isXMLMediaType reports an XML media type: text/xml, application/xml or any +xml suffix. The
// document's readers accept every one of them (public record: the service labels its XML
// text/xml;charset=utf-8).
func isXMLMediaType(mediaType string) bool { return spec.IsXMLMediaType(mediaType) }

// mediaTypeOf is a response's media type, lower-cased and without parameters, or "" when its
// Content-Type cannot be parsed.
func mediaTypeOf(h http.Header) string {
	mediaType, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mediaType
}

// decode reads a's body by its Content-Type into a.result (status 200) or a.apiErr (any other
// status), leniently: the Code is judged before the shape. An undecodable body leaves both nil.
func (a *observed) decode() {
	a.result, a.apiErr = nil, nil
	var target any
	result, apiErr := &models.InterruptElasticsearchTaskResult{}, &models.Error{}
	if a.status == http.StatusOK {
		target = result
	} else {
		target = apiErr
	}
	var err error
	switch mediaType := mediaTypeOf(a.header); {
	case mediaType == spec.MediaTypeJSON:
		err = json.Unmarshal(a.body, target)
	case isXMLMediaType(mediaType):
		err = spec.UnmarshalXML(a.body, target)
	default:
		return
	}
	if err != nil {
		return
	}
	if a.status == http.StatusOK {
		a.result = result
	} else {
		a.apiErr = apiErr
	}
}

// describe renders a in one line: status and Result or Code with the RequestId, or status,
// Content-Type and the start of a body that could not be read.
func (a *observed) describe() string {
	switch {
	case a.redirected():
		return fmt.Sprintf("%d: the target redirected to %s (not followed; the document has no 3xx response)", a.status, a.location())
	case a.result != nil:
		return fmt.Sprintf("%d Result=%v (RequestId %q)", a.status, a.result.Result, a.result.RequestId)
	case a.apiErr != nil:
		return fmt.Sprintf("%d %s %q (RequestId %q)", a.status, a.apiErr.Code, clip(a.apiErr.Message, 120), a.apiErr.RequestId)
	}
	return fmt.Sprintf("%d %q with body %q", a.status, a.header.Get("Content-Type"), clip(string(a.body), 120))
}

// redirected reports a 3xx response, which the contract never follows.
func (a *observed) redirected() bool { return a.status >= 300 && a.status <= 399 }

// location is a redirect's Location header, quoted, or says there is none.
func (a *observed) location() string {
	if loc := a.header.Get("Location"); loc != "" {
		return fmt.Sprintf("%q", clip(loc, 200))
	}
	return "no Location"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// conform checks a live response: everything conformExample checks, and the x-acs-request-id
// header, which the document declares on every response (not required) and equates with the
// body's RequestId: when it is there, it must be that one id.
func (e *Env) conform(req *http.Request, a *observed) error {
	if err := e.conformExample(req, a); err != nil {
		return err
	}
	id := a.requestID()
	h := a.header.Values("x-acs-request-id")
	switch {
	case len(h) == 0:
		return nil
	case len(h) > 1 || h[0] != id:
		return fmt.Errorf("x-acs-request-id header %q differs from the body's RequestId %q", strings.Join(h, ", "), id)
	}
	return nil
}

// conformExample decodes a and checks it against the document: a format the request allows, a
// documented status, and the body and headers of that status's response
// (openapi3filter.ValidateResponse), summarised to the failing fields.
func (e *Env) conformExample(req *http.Request, a *observed) error {
	a.decode()
	if a.redirected() {
		return errors.New(a.describe())
	}
	mediaType := mediaTypeOf(a.header)
	if !a.want.allows(mediaType) {
		return fmt.Errorf("Content-Type %q, want %s", a.header.Get("Content-Type"), a.want)
	}
	if a.status != http.StatusOK && (a.status < 400 || a.status > 599) {
		return fmt.Errorf("status %d is not documented (200, or an error from 400 to 599)", a.status)
	}
	// The document lists one media type per format; any XML media type is read as its XML.
	header := a.header
	if docType := e.documentedMediaType(a.status, isXMLMediaType(mediaType)); docType != "" && docType != mediaType {
		header = a.header.Clone()
		header.Set("Content-Type", docType)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: map[string]string{"InstanceId": "x"},
			Route:      e.route,
		},
		Status:  a.status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(a.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), input); err != nil {
		return errors.New(summarize(err))
	}
	if a.result == nil && a.apiErr == nil {
		return errors.New("the body could not be decoded")
	}
	return nil
}

// documentedMediaType is the media type the document lists for status's response in the given
// format, "" if none.
func (e *Env) documentedMediaType(status int, asXML bool) string {
	resp := e.route.Operation.Responses.Status(status)
	if resp == nil {
		resp = e.route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return ""
	}
	keys := make([]string, 0, len(resp.Value.Content))
	for k := range resp.Value.Content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if isXMLMediaType(k) == asXML {
			return k
		}
	}
	return ""
}

// summarize turns a kin-openapi validation error into its failing fields and reasons, at most a
// few, in at most maxReason bytes: its own message prints the whole schema.
func summarize(err error) string {
	var parts []string
	collectReasons(err, &parts)
	parts = slices.Compact(parts)
	if len(parts) > 3 {
		parts = append(parts[:3], fmt.Sprintf("and %d more", len(parts)-3))
	}
	return clip(strings.Join(parts, "; "), maxReason)
}

func collectReasons(err error, out *[]string) {
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		for _, e := range multi {
			collectReasons(e, out)
		}
		return
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		field := strings.Join(se.JSONPointer(), "/")
		if field == "" {
			field = "body"
		}
		*out = append(*out, field+": "+se.Reason)
		return
	}
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) {
		reason := re.Reason
		if re.Err != nil {
			reason += ": " + firstLine(re.Err.Error())
		}
		*out = append(*out, reason)
		return
	}
	*out = append(*out, firstLine(err.Error()))
}

// alternatives are the codes that respond to the same situation as code, code first
// (spec.Catalogue.Alternatives: codes that share a trigger).
func (e *Env) alternatives(code string) []string {
	return e.catalogue.Alternatives(code)
}

// statusAllowed reports whether the catalogue allows code at status (spec.ErrorCode.AllowsStatus:
// an entry may list other statuses).
func (e *Env) statusAllowed(code string, status int) bool {
	entry, ok := e.catalogue.Lookup(code)
	return ok && entry.AllowsStatus(status)
}

// wanted renders codes with their statuses, "400 InstanceNotFound or 404 ...".
func (e *Env) wanted(codes []string) string {
	parts := make([]string, len(codes))
	for i, code := range codes {
		parts[i] = code
		if entry, ok := e.catalogue.Lookup(code); ok {
			parts[i] = fmt.Sprintf("%d %s", entry.Status, code)
		}
	}
	return strings.Join(parts, " or ")
}

// expectError asserts that a answers code (or a code the catalogue gives the same situation) at
// a status the catalogue allows for it, with the catalogue's message where the document states
// it, in a conforming body.
func (e *Env) expectError(a *observed, code string) error {
	return e.expectOneOf(a, e.alternatives(code))
}

// expectOneOf asserts that a answers one of codes: status first, then Code, then message, then
// shape.
func (e *Env) expectOneOf(a *observed, codes []string) error {
	var all []string
	for _, code := range codes {
		for _, alt := range e.alternatives(code) {
			if !slices.Contains(all, alt) {
				all = append(all, alt)
			}
		}
	}
	statusOK := slices.ContainsFunc(all, func(code string) bool { return e.statusAllowed(code, a.status) })
	if !statusOK || a.apiErr == nil || !slices.Contains(all, a.apiErr.Code) {
		return fmt.Errorf("want %s, got %s", e.wanted(all), a.describe())
	}
	if !e.statusAllowed(a.apiErr.Code, a.status) {
		return fmt.Errorf("want %s, got %s", e.wanted([]string{a.apiErr.Code}), a.describe())
	}
	if err := e.expectMessage(a); err != nil {
		return err
	}
	return a.shape()
}

// expectRefusal asserts that a refuses the request with a documented 4xx error: a catalogued
// code at a status the catalogue allows for it, in a conforming body. It is the verdict for
// malformed input whose code the document leaves open.
func (e *Env) expectRefusal(a *observed) error {
	if a.status < 400 || a.status > 499 || a.apiErr == nil || !e.statusAllowed(a.apiErr.Code, a.status) {
		return fmt.Errorf("want a documented 4xx error, got %s", a.describe())
	}
	if err := e.expectMessage(a); err != nil {
		return err
	}
	return a.shape()
}

// expectMessage compares an error's Message with the catalogue's where the document states it
// (the entry does not mark the message inferred). SignatureDoesNotMatch's message is followed by
// the server's string to sign.
func (e *Env) expectMessage(a *observed) error {
	entry, ok := e.catalogue.Lookup(a.apiErr.Code)
	if !ok || entry.IsInferred("message") {
		return nil
	}
	got := a.apiErr.Message
	if entry.Trigger == spec.TriggerBadSignature {
		got = got[:min(len(got), len(entry.Message))]
	}
	if got != entry.Message {
		return fmt.Errorf("%s: Message %q, the catalogue says %q", a.apiErr.Code, clip(a.apiErr.Message, 200), entry.Message)
	}
	return nil
}

// shape reports how a's body or headers break the document, once status and Code are right.
func (a *observed) shape() error {
	if a.invalid != nil {
		return fmt.Errorf("%s breaks the document: %w", a.describe(), a.invalid)
	}
	return nil
}

// expectSuccess asserts that a is a 200 with Result true in a conforming body.
func expectSuccess(a *observed) error {
	if a.status != http.StatusOK || a.result == nil || !a.result.Result {
		return fmt.Errorf("want 200 Result=true, got %s", a.describe())
	}
	return a.shape()
}
