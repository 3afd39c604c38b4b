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
	var (
		top   []*Node
		stack []*Node
		count int
	)
	for {
		start := dec.InputOffset()
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
			if count > maxElements {
				return nil, fmt.Errorf("xml: more than %d elements", maxElements)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("xml: elements nested deeper than %d", maxDepth)
			}
			n := &Node{Name: t.Name.Local}
			if len(stack) == 0 {
				top = append(top, n)
			} else {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if !xmlSpace(t) {
					return nil, errTextOutside
				}
				continue
			}
			n := stack[len(stack)-1]
			n.Text = append(n.Text, t...)
		case xml.Directive:
			return nil, errDirective
		case xml.ProcInst:
			if t.Target == "xml" && start != 0 {
				return nil, errLateDeclaration
			}
		}
	}
	if len(top) == 0 {
		return nil, errNoElement
	}
	return top, nil
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

// shape tells a fragment from a rooted document by scanning the markup, without decoding it
// and without allocating: the typed path (Unmarshal) then decodes once. It applies the same
// rule and the same limits as Parse (a test checks that the two agree), but not well-
// formedness, which encoding/xml checks while decoding.
func shape(body []byte) (fragment bool, err error) {
	depth, tops, elements := 0, 0, 0
	firstHasChild := false
	for i := 0; i < len(body); {
		if body[i] != '<' {
			next := bytes.IndexByte(body[i:], '<')
			if next < 0 {
				next = len(body) - i
			}
			if depth == 0 && !xmlSpace(body[i:i+next]) {
				return false, errTextOutside
			}
			i += next
			continue
		}
		rest := body[i:]
		var skip int
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest[len("<?"):], []byte("?>"))
			if end < 0 {
				return false, errMalformed
			}
			pi := rest[:len("<?")+end+len("?>")]
			if isDeclaration(pi) {
				if i != 0 {
					// XML 1.0, 2.8: the declaration comes first or not at all.
					return false, errLateDeclaration
				}
				if err := checkDeclaration(pi[len("<?xml") : len(pi)-len("?>")]); err != nil {
					return false, err
				}
			}
			skip = len(pi)
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[len("<!--"):], []byte("-->"))
			if end < 0 {
				return false, errMalformed
			}
			skip = len("<!--") + end + len("-->")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			if depth == 0 {
				return false, errTextOutside
			}
			end := bytes.Index(rest, []byte("]]>"))
			if end < 0 {
				return false, errMalformed
			}
			skip = end + len("]]>")
		case bytes.HasPrefix(rest, []byte("<!")):
			return false, errDirective
		case bytes.HasPrefix(rest, []byte("</")):
			end := bytes.IndexByte(rest, '>')
			if end < 0 {
				return false, errMalformed
			}
			skip = end + 1
			if depth--; depth < 0 {
				return false, errMalformed
			}
		default:
			end := tagEnd(rest)
			if end < 0 {
				return false, errMalformed
			}
			skip = end + 1
			if elements++; elements > maxElements {
				return false, fmt.Errorf("xml: more than %d elements", maxElements)
			}
			if depth >= maxDepth {
				return false, fmt.Errorf("xml: elements nested deeper than %d", maxDepth)
			}
			switch depth {
			case 0:
				tops++
			case 1:
				firstHasChild = firstHasChild || tops == 1
			}
			if rest[end-1] != '/' {
				depth++
			}
		}
		i += skip
	}
	switch {
	case depth != 0:
		return false, errMalformed
	case tops == 0:
		return false, errNoElement
	}
	return !(tops == 1 && firstHasChild), nil
}

// isDeclaration reports whether the processing instruction pi (from "<?" to "?>") has the
// target xml, the one encoding/xml checks.
func isDeclaration(pi []byte) bool {
	target := pi[len("<?") : len(pi)-len("?>")]
	if end := bytes.IndexAny(target, " \t\r\n"); end >= 0 {
		target = target[:end]
	}
	return string(target) == "xml"
}

// checkDeclaration refuses what encoding/xml refuses in an XML declaration: a version other
// than 1.0 and an encoding other than UTF-8 (no charset reader is configured).
func checkDeclaration(content []byte) error {
	if v := declAttr(content, "version"); v != "" && v != "1.0" {
		return fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", v)
	}
	if enc := declAttr(content, "encoding"); enc != "" && !strings.EqualFold(enc, "utf-8") {
		return fmt.Errorf("xml: encoding %q declared but Decoder.CharsetReader is nil", enc)
	}
	return nil
}

// declAttr returns the value of a pseudo-attribute of an XML declaration exactly as
// encoding/xml reads it (name=, then a quoted value; anything else reads as absent).
func declAttr(content []byte, name string) string {
	param := []byte(name + "=")
	var sep byte
	i := 0
	for i < len(content) {
		sub := content[i:]
		k := bytes.Index(sub, param)
		if k < 0 || len(param)+k >= len(sub) {
			return ""
		}
		i += len(param) + k + 1
		if c := sub[len(param)+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := bytes.IndexByte(content[i:], sep)
	if j < 0 {
		return ""
	}
	return string(content[i : i+j])
}

// tagEnd returns the index of the '>' closing the start tag at the beginning of b, skipping
// quoted attribute values, or -1.
func tagEnd(b []byte) int {
	var quote byte
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
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
	if !fragment {
		return xml.Unmarshal(body, v)
	}
	// A fragment gets a synthetic root so encoding/xml sees the fields as children. The XML
	// declaration, if any, must go first, so it is dropped before wrapping.
	inner := bytes.TrimSpace(body)
	if bytes.HasPrefix(inner, []byte("<?")) {
		if end := bytes.Index(inner, []byte("?>")); end >= 0 && isDeclaration(inner[:end+len("?>")]) {
			inner = inner[end+len("?>"):]
		}
	}
	wrapped := make([]byte, 0, len(inner)+len("<fragment></fragment>"))
	wrapped = append(wrapped, "<fragment>"...)
	wrapped = append(wrapped, inner...)
	wrapped = append(wrapped, "</fragment>"...)
	return xml.Unmarshal(wrapped, v)
}

// SkipBOM returns r without a leading UTF-8 byte order mark.
func SkipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	return br
}
