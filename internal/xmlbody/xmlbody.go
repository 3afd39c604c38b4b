// Package xmlbody reads the operation's XML bodies with the standard library alone, so that the
// client decodes XML without the OpenAPI toolchain; spec's schema-aware XML decoder for
// openapi3filter is built on its Parse.
package xmlbody

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
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
	maxDepth    = 16
	maxElements = 1024
)

// Node is one element of a parsed body.
type Node struct {
	Name     string
	Text     []byte
	Children []*Node
}

// Parse parses a body into its top-level elements. It rejects DOCTYPE and other directives,
// text outside elements, and bodies deeper or larger than the limits above.
func Parse(r io.Reader) ([]*Node, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	var t tree
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("xml: %w", err)
		}
		if err := t.add(tok, start); err != nil {
			return nil, err
		}
	}
	if len(t.top) == 0 {
		return nil, errNoElement
	}
	return t.top, nil
}

// tree is Parse's state: the top-level elements, the open elements and the element count.
type tree struct {
	top, open []*Node
	count     int
}

// add takes one token that began at byte offset start of the body; offset 0 is the one place
// an XML declaration may stand.
func (t *tree) add(tok xml.Token, start int64) error {
	switch tok := tok.(type) {
	case xml.StartElement:
		return t.startElement(tok.Name.Local)
	case xml.EndElement:
		t.open = t.open[:len(t.open)-1]
	case xml.CharData:
		return t.text(tok)
	case xml.Directive:
		return errDirective
	case xml.ProcInst:
		if tok.Target == "xml" && start != 0 {
			return errLateDeclaration
		}
	}
	return nil
}

// startElement adds an element named name under the innermost open one (or at the top) and
// opens it, within the limits.
func (t *tree) startElement(name string) error {
	t.count++
	if err := checkLimits(t.count, len(t.open)); err != nil {
		return err
	}
	n := &Node{Name: name}
	if len(t.open) == 0 {
		t.top = append(t.top, n)
	} else {
		parent := t.open[len(t.open)-1]
		parent.Children = append(parent.Children, n)
	}
	t.open = append(t.open, n)
	return nil
}

// text appends character data to the innermost open element; outside elements only white
// space is allowed. The decoder reuses data's memory, so it is copied.
func (t *tree) text(data xml.CharData) error {
	if len(t.open) == 0 {
		if !xmlSpace(data) {
			return errTextOutside
		}
		return nil
	}
	n := t.open[len(t.open)-1]
	n.Text = append(n.Text, data...)
	return nil
}

// checkLimits refuses the elements-th element of a body when it opens at nesting depth depth
// (0 at the top level) past the limits; Parse and shape share it so they refuse alike.
func checkLimits(elements, depth int) error {
	if elements > maxElements {
		return fmt.Errorf("xml: more than %d elements", maxElements)
	}
	if depth >= maxDepth {
		return fmt.Errorf("xml: elements nested deeper than %d", maxDepth)
	}
	return nil
}

var (
	errTextOutside = errors.New("xml: text outside any element")
	errDirective   = errors.New("xml: directives (DOCTYPE, ENTITY) are not accepted")
	errNoElement   = errors.New("xml: no element")
	errMalformed   = errors.New("xml: malformed markup")

	errLateDeclaration = errors.New("xml: an XML declaration after the start of the body")
)

// xmlSpace reports whether b is XML white space only (space, tab, CR, LF).
func xmlSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// Fields returns the elements that carry an object's fields and, for a rooted document, its root.
func Fields(top []*Node) (children []*Node, root *Node) {
	if len(top) == 1 && len(top[0].Children) > 0 {
		return top[0].Children, top[0]
	}
	return top, nil
}

// IsFragment reports whether body is a root-less fragment (the product page's shape) rather
// than a document with one root element. A UTF-8 byte order mark before the prolog is allowed.
func IsFragment(body []byte) (bool, error) {
	return shape(trimBOM(body))
}

// utf8BOM is the UTF-8 encoding of U+FEFF. XML allows it before the prolog (XML 1.0, 4.3.3);
// encoding/xml does not skip it, so every entry point strips it first.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// trimBOM returns body without a leading UTF-8 byte order mark.
func trimBOM(body []byte) []byte {
	return bytes.TrimPrefix(body, utf8BOM)
}

// IsMediaType reports whether contentType (a Content-Type value, parameters allowed, any
// case) names an XML media type: text/xml, application/xml or any type with the +xml suffix
// (RFC 7303). The service labels its XML text/xml;charset=utf-8; every reader accepts them all.
func IsMediaType(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || typ == "" || sub == "" || strings.ContainsAny(sub, "/ \t") {
		return false
	}
	return mt == "text/xml" || mt == "application/xml" || (len(sub) > len("+xml") && strings.HasSuffix(sub, "+xml"))
}

// Unmarshal decodes an XML body of either shape into v, a pointer to one of the generated
// types. It is the module's one XML decoder: the client and the contract read every XML response
// through it, whatever XML media type labels it. A UTF-8 byte order mark before the prolog,
// comments, processing instructions, CDATA and white space are accepted wherever XML allows them;
// a DOCTYPE, text outside elements or a late XML declaration is an error. The root element's name
// is not checked: a reader should be lenient about a name the service has never published.
func Unmarshal(body []byte, v any) error {
	body = trimBOM(body)
	fragment, err := shape(body)
	if err != nil {
		return err
	}
	if fragment {
		body = wrapFragment(body)
	}
	return xml.Unmarshal(body, v)
}

// wrapFragment gives a fragment a synthetic root so encoding/xml sees the fields as children.
// The XML declaration, if any, must go first, so it is dropped before wrapping.
func wrapFragment(body []byte) []byte {
	inner := bytes.TrimSpace(body)
	if bytes.HasPrefix(inner, []byte("<?")) {
		if end := bytes.Index(inner, []byte("?>")); end >= 0 && isDeclaration(inner[:end+len("?>")]) {
			inner = inner[end+len("?>"):]
		}
	}
	wrapped := make([]byte, 0, len(inner)+len("<fragment></fragment>"))
	wrapped = append(wrapped, "<fragment>"...)
	wrapped = append(wrapped, inner...)
	return append(wrapped, "</fragment>"...)
}

// SkipBOM returns r without a leading UTF-8 byte order mark.
func SkipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	return br
}
