package spec

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/es-openapi/interrupt/internal/xmlbody"
)

// IsXMLFragment reports whether body is a root-less fragment (the product page's shape) rather
// than a document with one root element; see xmlbody.IsFragment.
func IsXMLFragment(body []byte) (bool, error) { return xmlbody.IsFragment(body) }

// IsXMLMediaType reports whether contentType (a Content-Type value, parameters allowed, any
// case) names an XML media type: text/xml, application/xml or any type with the +xml suffix
// (RFC 7303); see xmlbody.IsMediaType.
func IsXMLMediaType(contentType string) bool { return xmlbody.IsMediaType(contentType) }

// UnmarshalXML decodes an XML body of either shape (a rooted document or the product page's
// root-less fragment) into v, a pointer to one of the generated types; see xmlbody.Unmarshal.
func UnmarshalXML(body []byte, v any) error { return xmlbody.Unmarshal(body, v) }

// XMLBodyDecoder is an openapi3filter.BodyDecoder for XML bodies. It accepts both shapes,
// requires a rooted document's root to carry the schema's xml name, maps elements to properties
// by their xml names, and converts text by the property's type, so <Result>yes</Result> is an
// error where the schema says boolean. kin-openapi has no XML decoder of its own.
func XMLBodyDecoder(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	top, err := xmlbody.Parse(xmlbody.SkipBOM(body))
	if err != nil {
		return nil, err
	}
	var s *openapi3.Schema
	if schema != nil {
		s = schema.Value
	}
	children, root := xmlbody.Fields(top)
	if root != nil && s != nil && s.XML != nil && s.XML.Name != "" && root.Name != s.XML.Name {
		return nil, fmt.Errorf("xml: root element is <%s>, the schema names it <%s>", root.Name, s.XML.Name)
	}
	return xmlObject(children, s, "")
}

var registerXML sync.Once

// RegisterXMLBodyDecoder registers XMLBodyDecoder with openapi3filter for text/xml and
// application/xml (openapi3filter looks decoders up by the exact media type, so a +xml type is
// decoded through XMLBodyDecoder only by a caller that registers it). openapi3filter keeps its
// decoders in one process-wide registry, so every package that validates XML calls this; only
// the first call has an effect.
func RegisterXMLBodyDecoder() {
	registerXML.Do(func() {
		openapi3filter.RegisterBodyDecoder("text/xml", XMLBodyDecoder)
		openapi3filter.RegisterBodyDecoder("application/xml", XMLBodyDecoder)
	})
}

func xmlObject(children []*xmlbody.Node, s *openapi3.Schema, path string) (map[string]any, error) {
	out := make(map[string]any, len(children))
	for _, c := range children {
		prop, ps := property(s, c.Name)
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
			return nil, fmt.Errorf("xml: element <%s> at %s appears more than once", c.Name, path+"/")
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

func xmlValue(n *xmlbody.Node, s *openapi3.Schema, path string) (any, error) {
	if len(n.Children) > 0 || (s != nil && s.Type.Is("object")) {
		return xmlObject(n.Children, s, path)
	}
	if s == nil {
		return string(n.Text), nil
	}
	text := strings.TrimSpace(string(n.Text))
	switch {
	case s.Type.Is("boolean"):
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("xml: %s: %q is not a boolean (true or false)", path, n.Text)
	case s.Type.Is("integer"):
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("xml: %s: %q is not an integer", path, n.Text)
		}
		return v, nil
	case s.Type.Is("number"):
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Errorf("xml: %s: %q is not a number", path, n.Text)
		}
		return v, nil
	}
	return string(n.Text), nil
}
