package xmlbody

import (
	"bytes"
	"testing"
)

// FuzzXMLShape checks that the scanner the typed path uses (shape) agrees with the parser the
// validator uses (Parse): whenever the parser accepts a body, the scanner accepts it with the
// same fragment-or-rooted decision. (The scanner may accept what is not well-formed; encoding/xml
// refuses that afterwards.)
func FuzzXMLShape(f *testing.F) {
	for _, seed := range []string{
		"<Result>true</Result>\n<RequestId>R</RequestId>",
		`<?xml version="1.0" encoding="UTF-8"?><Error><Code>C</Code></Error>`,
		`<a b=">"><c/></a>`,
		"<a><!-- <b> --><![CDATA[<c>]]></a>",
		"<a/><b/>",
		`<?xml-stylesheet href="x"?><a><b/></a>`,
		`<?xml version="1.1"?><a/>`,
		"<a>\u00a0</a>\u00a0",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		top, perr := Parse(bytes.NewReader(body))
		fragment, serr := shape(body)
		if perr != nil {
			return
		}
		if serr != nil {
			t.Fatalf("the parser accepts %q, the scanner refuses it: %v", body, serr)
		}
		_, root := Fields(top)
		if fragment != (root == nil) {
			t.Fatalf("%q: the parser says fragment=%v, the scanner %v", body, root == nil, fragment)
		}
	})
}

// The scanner refuses unterminated markup, which the typed path would otherwise pass on to
// encoding/xml as trailing content after a root element, where it is never read.
func TestXMLShapeRefusesUnterminatedMarkup(t *testing.T) {
	for _, body := range []string{
		"<R><a/></R><!-- open",
		"<R><a/><![CDATA[ open</R>",
		"<R><a/></R",
		"<R><a/></R><?pi",
		`<R><a b="open></a></R>`,
		"<R><a/></R></x>",
		"<R><a/>",
		"<!DOCTYPE R><R><a/></R>",
		"",
		"   ",
	} {
		if _, err := shape([]byte(body)); err == nil {
			t.Errorf("%q: accepted", body)
		}
	}
}
