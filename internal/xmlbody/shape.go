package xmlbody

import (
	"bytes"
	"fmt"
)

// shape tells a fragment from a rooted document by scanning the markup, without decoding it
// and without allocating: the typed path (Unmarshal) then decodes once. It applies the same
// rule and the same limits as Parse (a test checks that the two agree), but not well-
// formedness, which encoding/xml checks while decoding.
func shape(body []byte) (fragment bool, err error) {
	var s scan
	for i := 0; i < len(body); {
		n, err := s.step(body[i:], i == 0)
		if err != nil {
			return false, err
		}
		i += n
	}
	return s.fragment()
}

// scan is shape's state: the nesting depth, the counts the rule and the limits need, and
// whether the first top-level element has a child element.
type scan struct {
	depth, tops, elements int
	firstHasChild         bool
}

// step reads the text or the markup at the start of rest and returns its length; first says
// whether rest is the whole body.
func (s *scan) step(rest []byte, first bool) (int, error) {
	switch {
	case rest[0] != '<':
		return s.text(rest)
	case bytes.HasPrefix(rest, []byte("<?")):
		return procInst(rest, first)
	case bytes.HasPrefix(rest, []byte("<!--")):
		return skipPast(rest, "<!--", "-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return s.cdata(rest)
	case bytes.HasPrefix(rest, []byte("<!")):
		return 0, errDirective
	case bytes.HasPrefix(rest, []byte("</")):
		return s.endTag(rest)
	default:
		return s.startTag(rest)
	}
}

// text returns the length of the character data up to the next '<'; outside elements it must
// be white space.
func (s *scan) text(rest []byte) (int, error) {
	n := bytes.IndexByte(rest, '<')
	if n < 0 {
		n = len(rest)
	}
	if s.depth == 0 && !xmlSpace(rest[:n]) {
		return 0, errTextOutside
	}
	return n, nil
}

// procInst returns the length of the processing instruction at the start of rest, refusing an
// XML declaration anywhere but first (XML 1.0, 2.8) or with content encoding/xml refuses.
func procInst(rest []byte, first bool) (int, error) {
	n, err := skipPast(rest, "<?", "?>")
	if err != nil || !isDeclaration(rest[:n]) {
		return n, err
	}
	if !first {
		return 0, errLateDeclaration
	}
	return n, checkDeclaration(rest[len("<?xml") : n-len("?>")])
}

// cdata returns the length of the CDATA section at the start of rest, which is text and so
// belongs inside an element.
func (s *scan) cdata(rest []byte) (int, error) {
	if s.depth == 0 {
		return 0, errTextOutside
	}
	return skipPast(rest, "<![CDATA[", "]]>")
}

// skipPast returns the length of the markup at the start of rest that opens with open and
// ends at the first close after it; unterminated markup is malformed.
func skipPast(rest []byte, open, close string) (int, error) {
	end := bytes.Index(rest[len(open):], []byte(close))
	if end < 0 {
		return 0, errMalformed
	}
	return len(open) + end + len(close), nil
}

// endTag returns the length of the end tag at the start of rest and closes an element.
func (s *scan) endTag(rest []byte) (int, error) {
	end := bytes.IndexByte(rest, '>')
	if end < 0 {
		return 0, errMalformed
	}
	if s.depth--; s.depth < 0 {
		return 0, errMalformed
	}
	return end + 1, nil
}

// startTag returns the length of the start tag (or empty-element tag) at the start of rest,
// counts it against the limits and records what the fragment rule needs.
func (s *scan) startTag(rest []byte) (int, error) {
	end := tagEnd(rest)
	if end < 0 {
		return 0, errMalformed
	}
	s.elements++
	if err := checkLimits(s.elements, s.depth); err != nil {
		return 0, err
	}
	switch s.depth {
	case 0:
		s.tops++
	case 1:
		s.firstHasChild = s.firstHasChild || s.tops == 1
	}
	if rest[end-1] != '/' {
		s.depth++
	}
	return end + 1, nil
}

// fragment applies the rule to a complete scan: a body whose only top-level element has child
// elements is rooted, anything else a fragment.
func (s *scan) fragment() (bool, error) {
	switch {
	case s.depth != 0:
		return false, errMalformed
	case s.tops == 0:
		return false, errNoElement
	}
	return !(s.tops == 1 && s.firstHasChild), nil
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
	if v := declAttr(content, "version"); len(v) > 0 && string(v) != "1.0" {
		return fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", v)
	}
	if enc := declAttr(content, "encoding"); len(enc) > 0 && !bytes.EqualFold(enc, []byte("utf-8")) {
		return fmt.Errorf("xml: encoding %q declared but Decoder.CharsetReader is nil", enc)
	}
	return nil
}

// declAttr returns the value of a pseudo-attribute of an XML declaration exactly as
// encoding/xml reads it (name=, then a quoted value; anything else reads as absent). It returns
// a slice of content, not a string, so that the scan allocates nothing.
func declAttr(content []byte, name string) []byte {
	param := []byte(name + "=")
	var sep byte
	i := 0
	for i < len(content) {
		sub := content[i:]
		k := bytes.Index(sub, param)
		if k < 0 || len(param)+k >= len(sub) {
			return nil
		}
		i += len(param) + k + 1
		if c := sub[len(param)+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return nil
	}
	j := bytes.IndexByte(content[i:], sep)
	if j < 0 {
		return nil
	}
	return content[i : i+j]
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
