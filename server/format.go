package server

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/es-openapi/interrupt/spec"
)

// format is the body format of an answer.
type format uint8

const (
	formatJSON format = iota // the default, and the answer to any Accept that does not prefer XML
	formatXML
)

// contentType is the exact Content-Type of each format. text/xml requests are answered as
// application/xml: the document defines no other XML media type.
func (f format) contentType() string {
	if f == formatXML {
		return spec.MediaTypeXML
	}
	return spec.MediaTypeJSON
}

// contentTypeHeader is contentType as a header value list, built once per format: net/http
// only reads header values, so every answer can share them instead of allocating its own.
var contentTypeHeader = [...][]string{
	formatJSON: {spec.MediaTypeJSON},
	formatXML:  {spec.MediaTypeXML},
}

// negotiate picks the answer format from the Accept header values. XML is chosen only when the
// client prefers it: an XML media range (application/xml or text/xml) must carry a higher
// quality than JSON gets from its most specific matching range (application/json, then
// application/*, then */*). On a tie XML wins only when JSON was reached through a wildcard, so
// "application/xml, */*" is XML while "*/*" alone stays JSON. Anything malformed or unknown is
// JSON, the service's default; the service never answers 406.
func negotiate(accept []string) format {
	qXML := -1.0
	qJSON, jsonSpecificity := -1.0, -1 // 2 application/json, 1 application/*, 0 */*
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			mediaRange, q, ok := parseMediaRange(part)
			if !ok {
				continue
			}
			specificity := -1
			switch mediaRange {
			case "application/xml", "text/xml":
				qXML = max(qXML, q)
				continue
			case "application/json":
				specificity = 2
			case "application/*":
				specificity = 1
			case "*/*":
				specificity = 0
			default:
				continue
			}
			switch {
			case specificity > jsonSpecificity:
				jsonSpecificity, qJSON = specificity, q
			case specificity == jsonSpecificity:
				qJSON = max(qJSON, q)
			}
		}
	}
	if qXML > 0 && (qXML > qJSON || (qXML == qJSON && jsonSpecificity < 2)) {
		return formatXML
	}
	return formatJSON
}

// parseMediaRange returns the lower-cased type/subtype of one Accept element and its quality
// (1 when absent). ok is false for an element that is not a media range or whose q is not a
// number from 0 to 1.
func parseMediaRange(s string) (mediaRange string, q float64, ok bool) {
	params := strings.Split(s, ";")
	mediaRange = strings.ToLower(strings.TrimSpace(params[0]))
	if slash := strings.IndexByte(mediaRange, '/'); slash <= 0 || slash == len(mediaRange)-1 {
		return "", 0, false
	}
	q = 1
	for _, p := range params[1:] {
		name, value, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < 0 || v > 1 {
			return "", 0, false
		}
		q = v
	}
	return mediaRange, q, true
}

// xmlRoots are the root element names of the XML bodies, read from the document's schemas
// (their xml.name) so the writer and the document cannot disagree.
type xmlRoots struct {
	success string // InterruptElasticsearchTaskResponse: Alibaba Cloud's <Action>Response convention
	error   string // Error
}

// xmlRootsOf reads the root names from the operation's 200 and 400 XML schemas.
func xmlRootsOf(op *openapi3.Operation) (xmlRoots, error) {
	name := func(status int) (string, error) {
		resp := op.Responses.Status(status)
		if resp == nil || resp.Value == nil {
			return "", errors.New("server: the operation has no " + strconv.Itoa(status) + " response")
		}
		mt := resp.Value.Content.Get(spec.MediaTypeXML)
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || mt.Schema.Value.XML == nil || mt.Schema.Value.XML.Name == "" {
			return "", errors.New("server: the " + strconv.Itoa(status) + " XML schema has no xml.name")
		}
		return mt.Schema.Value.XML.Name, nil
	}
	var r xmlRoots
	var err error
	if r.success, err = name(http.StatusOK); err != nil {
		return r, err
	}
	if r.error, err = name(http.StatusBadRequest); err != nil {
		return r, err
	}
	return r, nil
}

// encodeJSON writes v as compact JSON without HTML escaping (the Recommend URL keeps its '&')
// and without the encoder's trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encodeXML writes v under the root element root, with the XML declaration and the two-space
// indentation of the document's wire examples. encoding/xml replaces characters XML cannot carry,
// so any message stays well-formed.
func encodeXML(root string, v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: root}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
