package spec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// The operation's XML bodies come in two shapes, and both are handled on purpose:
//
//   - a document with one root element whose children are the fields, which is what the
//     reference server writes (<InterruptElasticsearchTaskResponse>, <Error>);
//   - a fragment with no root, the fields side by side, which is what the product page shows.
//
// The rule that tells them apart: a body whose only top-level element has child elements is a
// rooted document; anything else is a fragment whose top-level elements are the fields.

// Limits that keep a hostile body from costing more than a real one ever could.
const (
	maxXMLDepth    = 16
	maxXMLElements = 1024
)

// xmlNode is one element of a parsed body.
type xmlNode struct {
	name     string
	text     []byte
	children []*xmlNode
}

// parseXML parses a body into its top-level elements. It rejects DOCTYPE and other directives,
// text outside elements, and bodies deeper or larger than the limits above.
func parseXML(r io.Reader) ([]*xmlNode, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	var (
		top   []*xmlNode
		stack []*xmlNode
		count int
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxXMLElements {
				return nil, fmt.Errorf("xml: more than %d elements", maxXMLElements)
			}
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("xml: elements nested deeper than %d", maxXMLDepth)
			}
			n := &xmlNode{name: t.Name.Local}
			if len(stack) == 0 {
				top = append(top, n)
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, errors.New("xml: text outside any element")
				}
				continue
			}
			n := stack[len(stack)-1]
			n.text = append(n.text, t...)
		case xml.Directive:
			return nil, errors.New("xml: directives (DOCTYPE, ENTITY) are not accepted")
		}
	}
	if len(top) == 0 {
		return nil, errors.New("xml: no element")
	}
	return top, nil
}

// fields returns the elements that carry an object's fields and, for a rooted document, its root.
func fields(top []*xmlNode) (children []*xmlNode, root *xmlNode) {
	if len(top) == 1 && len(top[0].children) > 0 {
		return top[0].children, top[0]
	}
	return top, nil
}

// IsXMLFragment reports whether body is a root-less fragment (the product page's shape) rather
// than a document with one root element.
func IsXMLFragment(body []byte) (bool, error) {
	top, err := parseXML(bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	_, root := fields(top)
	return root == nil, nil
}

// UnmarshalXML decodes an XML body of either shape into v, a pointer to one of the generated
// types. The root element's name is not checked: a reader should be lenient about a name the
// service has never published.
func UnmarshalXML(body []byte, v any) error {
	top, err := parseXML(bytes.NewReader(body))
	if err != nil {
		return err
	}
	if _, root := fields(top); root != nil {
		return xml.Unmarshal(body, v)
	}
	// A fragment gets a synthetic root so encoding/xml sees the fields as children. The XML
	// declaration, if any, must go first, so it is dropped before wrapping.
	inner := bytes.TrimSpace(body)
	if bytes.HasPrefix(inner, []byte("<?xml")) {
		if end := bytes.Index(inner, []byte("?>")); end >= 0 {
			inner = inner[end+2:]
		}
	}
	wrapped := make([]byte, 0, len(inner)+len("<fragment></fragment>"))
	wrapped = append(wrapped, "<fragment>"...)
	wrapped = append(wrapped, inner...)
	wrapped = append(wrapped, "</fragment>"...)
	return xml.Unmarshal(wrapped, v)
}

// XMLBodyDecoder is an openapi3filter.BodyDecoder for XML bodies. It accepts both shapes,
// requires a rooted document's root to carry the schema's xml name, maps elements to properties
// by their xml names, and converts text by the property's type, so <Result>yes</Result> is an
// error where the schema says boolean. kin-openapi has no XML decoder of its own.
func XMLBodyDecoder(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	top, err := parseXML(body)
	if err != nil {
		return nil, err
	}
	var s *openapi3.Schema
	if schema != nil {
		s = schema.Value
	}
	children, root := fields(top)
	if root != nil && s != nil && s.XML != nil && s.XML.Name != "" && root.name != s.XML.Name {
		return nil, fmt.Errorf("xml: root element is <%s>, the schema names it <%s>", root.name, s.XML.Name)
	}
	return xmlObject(children, s, "")
}

var registerXML sync.Once

// RegisterXMLBodyDecoder registers XMLBodyDecoder with openapi3filter for application/xml and
// text/xml. openapi3filter keeps its decoders in one process-wide registry, so every package
// that validates XML calls this; only the first call has an effect.
func RegisterXMLBodyDecoder() {
	registerXML.Do(func() {
		openapi3filter.RegisterBodyDecoder(MediaTypeXML, XMLBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/xml", XMLBodyDecoder)
	})
}

func xmlObject(children []*xmlNode, s *openapi3.Schema, path string) (map[string]any, error) {
	out := make(map[string]any, len(children))
	for _, c := range children {
		prop, ps := property(s, c.name)
		at := path + "/" + prop
		if ps != nil && ps.Type.Is("array") {
			var items *openapi3.Schema
			if ps.Items != nil {
				items = ps.Items.Value
			}
			v, err := xmlValue(c, items, at)
			if err != nil {
				return nil, err
			}
			list, _ := out[prop].([]any)
			out[prop] = append(list, v)
			continue
		}
		if _, dup := out[prop]; dup {
			return nil, fmt.Errorf("xml: element <%s> at %s appears more than once", c.name, path+"/")
		}
		v, err := xmlValue(c, ps, at)
		if err != nil {
			return nil, err
		}
		out[prop] = v
	}
	return out, nil
}

// property finds the schema property an element stands for: the one whose xml name is the
// element's name, else the one named like the element. An unknown element keeps its own name
// and no schema, so additionalProperties rules still see it.
func property(s *openapi3.Schema, element string) (string, *openapi3.Schema) {
	if s == nil {
		return element, nil
	}
	for name, ref := range s.Properties {
		if ref.Value != nil && ref.Value.XML != nil && ref.Value.XML.Name == element {
			return name, ref.Value
		}
	}
	if ref, ok := s.Properties[element]; ok && ref.Value != nil {
		if ref.Value.XML == nil || ref.Value.XML.Name == "" {
			return element, ref.Value
		}
		// The property is renamed in XML: its Go/JSON name on the wire is a mistake.
		return "<" + element + ">", nil
	}
	return element, nil
}

func xmlValue(n *xmlNode, s *openapi3.Schema, path string) (any, error) {
	if len(n.children) > 0 || (s != nil && s.Type.Is("object")) {
		return xmlObject(n.children, s, path)
	}
	if s == nil {
		return string(n.text), nil
	}
	text := strings.TrimSpace(string(n.text))
	switch {
	case s.Type.Is("boolean"):
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("xml: %s: %q is not a boolean (true or false)", path, n.text)
	case s.Type.Is("integer"):
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("xml: %s: %q is not an integer", path, n.text)
		}
		return v, nil
	case s.Type.Is("number"):
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Errorf("xml: %s: %q is not a number", path, n.text)
		}
		return v, nil
	}
	return string(n.text), nil
}
