package spec_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/spec"
)

// xmlSchemas returns the document's two XML body schemas and their root names.
func xmlSchemas(tb testing.TB) map[string]*openapi3.SchemaRef {
	tb.Helper()
	doc, err := spec.Load()
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]*openapi3.SchemaRef{}
	for _, name := range []string{"InterruptElasticsearchTaskResult", "Error"} {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil || ref.Value.XML == nil || ref.Value.XML.Name == "" {
			tb.Fatalf("schema %s has no xml name", name)
		}
		out[name] = ref
	}
	return out
}

// addXMLSeeds adds the document's XML examples and hostile shapes.
func addXMLSeeds(f *testing.F) {
	exs, err := spec.LoadExamples()
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range exs {
		if e.MediaType != spec.MediaTypeXML {
			continue
		}
		body, err := e.Body()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	for _, s := range []string{
		`<Result>true</Result><RequestId>R</RequestId>`,
		`<Result>true</Result>`,
		`<?xml version="1.0" encoding="UTF-8"?><RequestId>R</RequestId><Result>false</Result>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><Result>true</Result>`,
		`<InterruptElasticsearchTaskResponse><Result>yes</Result></InterruptElasticsearchTaskResponse>`,
		`<Other><Result>true</Result></Other>`,
		`<Error><Code>C</Code><Code>D</Code></Error>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><Result>&a;</Result>`,
		`text<Result>true</Result>`,
		`<a><b><c><d><e><f><g><h><i><j><k><l><m><n><o><p><q>x</q></p></o></n></m></l></k></j></i></h></g></f></e></d></c></b></a>`,
		`<Result>true</Result><!-- c --><?pi x?><RequestId><![CDATA[R]]></RequestId>`,
		`<x:Result xmlns:x="urn:x">true</x:Result>`,
		`<Result>true</Result><Result>false</Result>`,
		``,
		`<`,
		"\uFEFF<?xml version=\"1.0\"?><Result>true</Result><RequestId>R</RequestId>",
		`<?xml-stylesheet href="s"?><Result>true</Result>`,
		`<Error><Recommend><![CDATA[https://x/?a=1&requestId=R]]></Recommend></Error>`,
		`<Result>true</Result><?xml version="1.0"?>`,
	} {
		f.Add([]byte(s))
	}
}

// wrap puts a fragment's fields under root, dropping an XML declaration as UnmarshalXML does.
func wrap(body []byte, root string) []byte {
	inner := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\uFEFF")))
	if bytes.HasPrefix(inner, []byte("<?xml")) && len(inner) > len("<?xml") && strings.IndexByte(" \t\r\n?", inner[len("<?xml")]) >= 0 {
		if end := bytes.Index(inner, []byte("?>")); end >= 0 {
			inner = inner[end+2:]
		}
	}
	return []byte("<" + root + ">" + string(inner) + "</" + root + ">")
}

// isLimitError reports an error of the decoders' size limits, which wrapping (one more element,
// one more level) can reach when the fragment did not.
func isLimitError(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "deeper than") || strings.Contains(err.Error(), "more than"))
}

// FuzzUnmarshalXML decodes fuzzed bodies into both generated types. It must never panic, and the
// fragment/rooted decision must be consistent: a body IsXMLFragment cannot parse is refused by
// UnmarshalXML too, and a fragment decodes exactly as the same fields under a root element do,
// which IsXMLFragment then calls rooted.
func FuzzUnmarshalXML(f *testing.F) {
	addXMLSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fragment, shapeErr := spec.IsXMLFragment(body)
		var res models.InterruptElasticsearchTaskResult
		resErr := spec.UnmarshalXML(body, &res)
		var e models.Error
		errErr := spec.UnmarshalXML(body, &e)
		if shapeErr != nil {
			if resErr == nil || errErr == nil {
				t.Fatalf("IsXMLFragment refuses the body (%v) but UnmarshalXML accepts it", shapeErr)
			}
			return
		}
		if !fragment {
			return
		}
		wrapped := wrap(body, "InterruptElasticsearchTaskResponse")
		wrappedFragment, err := spec.IsXMLFragment(wrapped)
		if isLimitError(err) {
			return
		}
		if err != nil {
			t.Fatalf("the fragment parses but its wrapped form does not: %v\nwrapped: %q", err, wrapped)
		}
		if wrappedFragment {
			t.Fatalf("a fragment under a root element is still called a fragment: %q", wrapped)
		}
		var res2 models.InterruptElasticsearchTaskResult
		resErr2 := spec.UnmarshalXML(wrapped, &res2)
		var e2 models.Error
		errErr2 := spec.UnmarshalXML(wrapped, &e2)
		if (resErr == nil) != (resErr2 == nil) || (errErr == nil) != (errErr2 == nil) {
			t.Fatalf("fragment and rooted forms decode differently: %v/%v, %v/%v", resErr, resErr2, errErr, errErr2)
		}
		if resErr == nil && !reflect.DeepEqual(res, res2) {
			t.Fatalf("result: fragment %+v, rooted %+v", res, res2)
		}
		if errErr == nil && !reflect.DeepEqual(e, e2) {
			t.Fatalf("error: fragment %+v, rooted %+v", e, e2)
		}
	})
}

// FuzzXMLBodyDecoder runs the openapi3filter decoder on fuzzed bodies with both schemas. It must
// never panic; a body that does not parse is refused; a fragment decodes to the same value as
// its fields under the schema's root element; a rooted body under another root is refused.
func FuzzXMLBodyDecoder(f *testing.F) {
	addXMLSeeds(f)
	schemas := xmlSchemas(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fragment, shapeErr := spec.IsXMLFragment(body)
		for name, schema := range schemas {
			v, err := spec.XMLBodyDecoder(bytes.NewReader(body), http.Header{}, schema, nil)
			if shapeErr != nil {
				if err == nil {
					t.Fatalf("%s: IsXMLFragment refuses the body (%v), the decoder gives %v", name, shapeErr, v)
				}
				continue
			}
			root := schema.Value.XML.Name
			if !fragment {
				// A rooted body with a root of another name is refused; with the right one, it
				// decodes or fails on its fields.
				if err == nil && firstElement(body) != root {
					t.Fatalf("%s: a rooted body without a <%s> root was accepted: %v", name, root, v)
				}
				continue
			}
			if err == nil {
				if _, ok := v.(map[string]any); !ok {
					t.Fatalf("%s: decoded to %T, not an object", name, v)
				}
			}
			wrapped := wrap(body, root)
			v2, err2 := spec.XMLBodyDecoder(bytes.NewReader(wrapped), http.Header{}, schema, nil)
			if isLimitError(err2) {
				continue
			}
			if (err == nil) != (err2 == nil) {
				t.Fatalf("%s: fragment %v, rooted %v", name, err, err2)
			}
			if err == nil && !reflect.DeepEqual(v, v2) {
				t.Fatalf("%s: fragment %#v, rooted %#v", name, v, v2)
			}
		}
	})
}

// firstElement returns the local name of a body's first element, or "".
func firstElement(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// TestWrapHelper keeps the fuzz targets' wrapping honest: a declaration is dropped, the fields
// end up under the root.
func TestWrapHelper(t *testing.T) {
	got := string(wrap([]byte(" <?xml version=\"1.0\"?>\n<Result>true</Result> "), "R"))
	if got != "<R>\n<Result>true</Result></R>" {
		t.Errorf("wrap = %q", got)
	}
	if !isLimitError(errors.New("xml: elements nested deeper than 16")) || isLimitError(errors.New("xml: syntax")) {
		t.Error("isLimitError")
	}
	if got := firstElement([]byte(`<?xml version="1.0"?><!-- c --><a:Error xmlns:a="u"><b/></a:Error>`)); got != "Error" {
		t.Errorf("firstElement = %q", got)
	}
}
