package spec

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// WireBodyExtension is the example extension that holds an example's exact bytes on the wire.
const WireBodyExtension = "x-wire-body"

// Media types the operation answers in: the document's content keys. The service labels XML
// text/xml;charset=utf-8 (MediaTypeXMLWire), which the text/xml key matches.
const (
	MediaTypeJSON = "application/json"
	MediaTypeXML  = "text/xml"
	// MediaTypeXMLWire is the exact Content-Type of the service's XML answers, which the
	// reference server writes too: darabonba-openapi reads an error body as XML only under this
	// label. Readers accept any XML media type (IsXMLMediaType).
	MediaTypeXMLWire = "text/xml;charset=utf-8"
)

// Example is one response example of the operation.
type Example struct {
	// Status is the response key the example stands under: "200", "400", ... or "default".
	Status string
	// MediaType is the content type, MediaTypeJSON or MediaTypeXML.
	MediaType string
	// Name is the example's key under the media type.
	Name string
	// Component is the name under components/examples the example refers to, or "" when inline.
	Component string
	// Summary is the example's one-line summary.
	Summary string
	// Value is the example as a structured value (maps, strings, booleans, float64 numbers).
	Value any
	// WireBody is the x-wire-body text, nil when the example has none.
	WireBody []byte
}

// StatusCode returns Status as a number, or 0 for "default".
func (e Example) StatusCode() int {
	n, err := strconv.Atoi(e.Status)
	if err != nil {
		return 0
	}
	return n
}

// Code returns the example's error code (the value's Code field), or "" when it has none.
func (e Example) Code() string {
	m, ok := e.Value.(map[string]any)
	if !ok {
		return ""
	}
	code, _ := m["Code"].(string)
	return code
}

// Body returns the example as a response body: the wire text when there is one, otherwise the
// JSON encoding of Value. An XML example must carry its wire text.
func (e Example) Body() ([]byte, error) {
	if e.WireBody != nil {
		return e.WireBody, nil
	}
	if e.MediaType == MediaTypeJSON {
		return json.Marshal(e.Value)
	}
	return nil, fmt.Errorf("spec: %s example %q (%s) has no %s", e.Status, e.Name, e.MediaType, WireBodyExtension)
}

var loadedExamples = loadOnce(ExamplesOf)

// LoadExamples returns the response examples of the embedded document, read once. The slice is
// shared: callers must not modify it.
func LoadExamples() ([]Example, error) {
	return loadedExamples()
}

// ExamplesOf returns every response example of the operation in doc, ordered by status, media
// type and name.
func ExamplesOf(doc *openapi3.T) ([]Example, error) {
	op, err := Operation(doc)
	if err != nil {
		return nil, err
	}
	var out []Example
	for status, resp := range op.Responses.Map() {
		if resp.Value == nil {
			return nil, fmt.Errorf("spec: response %s is unresolved", status)
		}
		for mediaType, content := range resp.Value.Content {
			for name, ref := range content.Examples {
				if ref.Value == nil {
					return nil, fmt.Errorf("spec: %s %s example %q is unresolved", status, mediaType, name)
				}
				ex := Example{
					Status:    status,
					MediaType: mediaType,
					Name:      name,
					Component: strings.TrimPrefix(ref.Ref, "#/components/examples/"),
					Summary:   ref.Value.Summary,
					Value:     ref.Value.Value,
				}
				if raw, ok := ref.Value.Extensions[WireBodyExtension]; ok {
					text, ok := raw.(string)
					if !ok {
						return nil, fmt.Errorf("spec: %s %s example %q: %s is not a string", status, mediaType, name, WireBodyExtension)
					}
					ex.WireBody = []byte(text)
				}
				out = append(out, ex)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		if a.MediaType != b.MediaType {
			return a.MediaType < b.MediaType
		}
		return a.Name < b.Name
	})
	return out, nil
}
