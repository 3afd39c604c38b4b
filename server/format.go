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

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/spec"
)

// format is the body format of an answer.
type format uint8

const (
	formatJSON format = iota // the answer to a request that prefers JSON
	formatXML                // the service's default: no Accept, */* alone, or a preference for XML
)

// contentType is the exact Content-Type of each format. XML is labelled as the service labels
// it (text/xml;charset=utf-8, which darabonba-openapi requires to read an error body as XML),
// whatever XML media type the request asked for.
func (f format) contentType() string {
	if f == formatXML {
		return spec.MediaTypeXMLWire
	}
	return spec.MediaTypeJSON
}

// contentTypeHeader is contentType as a header value list, built once per format: net/http
// only reads header values, so every answer can share them instead of allocating its own.
var contentTypeHeader = [...][]string{
	formatJSON: {spec.MediaTypeJSON},
	formatXML:  {spec.MediaTypeXMLWire},
}

// preference is the quality an Accept header gives one format and how specifically: 2 for the
// format's own media type, 1 for a type wildcard (application/*, text/* for XML), 0 for */*,
// -1 when no range matches.
type preference struct {
	q           float64
	specificity int
}

// offer records a matching media range, the most specific one winning (the highest q among
// equally specific ranges).
func (p *preference) offer(q float64, specificity int) {
	switch {
	case specificity > p.specificity:
		p.q, p.specificity = q, specificity
	case specificity == p.specificity:
		p.q = max(p.q, q)
	}
}

// over reports whether p beats o: a higher quality, or the same quality from a more specific
// range.
func (p preference) over(o preference) bool {
	return p.q > o.q || (p.q == o.q && p.specificity > o.specificity)
}

// negotiate picks the answer format from the Accept header values. XML is the service's default
// (Alibaba Cloud's ROA notes; a live gateway answers a bare request in XML): a request without
// Accept, with */* alone, or with nothing this operation can answer gets XML. JSON is chosen
// only when the client prefers it: its most specific matching range (application/json, then
// application/*, then */*) has a higher quality than XML's (application/xml or text/xml, then
// application/* or text/*, then */*), or the same quality from a more specific range, or the
// client refuses XML with q=0. The service never answers 406.
func negotiate(accept []string) format {
	xmlPref := preference{q: -1, specificity: -1}
	jsonPref := preference{q: -1, specificity: -1}
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			mediaRange, q, ok := parseMediaRange(part)
			if !ok {
				continue
			}
			switch mediaRange {
			case "application/xml", "text/xml":
				xmlPref.offer(q, 2)
			case "application/json":
				jsonPref.offer(q, 2)
			case "application/*":
				xmlPref.offer(q, 1)
				jsonPref.offer(q, 1)
			case "text/*":
				xmlPref.offer(q, 1)
			case "*/*":
				xmlPref.offer(q, 0)
				jsonPref.offer(q, 0)
			}
		}
	}
	switch {
	case xmlPref.q == 0 && jsonPref.q != 0:
		return formatJSON // XML refused outright
	case jsonPref.q > 0 && jsonPref.over(xmlPref):
		return formatJSON
	}
	return formatXML
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

// xmlError is models.Error with its children in the order the service writes them: RequestId,
// HostId, Code, Message, Recommend (the record's gateway answers). encoding/xml writes struct
// fields in declaration order, and the generated type declares them alphabetically.
type xmlError struct {
	RequestId string  `xml:"RequestId"`
	HostId    string  `xml:"HostId,omitempty"`
	Code      string  `xml:"Code"`
	Message   string  `xml:"Message"`
	Recommend *string `xml:"Recommend,omitempty"`
}

// xmlResult is models.InterruptElasticsearchTaskResult in the page sample's order: Result, then
// RequestId (then the optional Code and Message).
type xmlResult struct {
	Result    bool    `xml:"Result"`
	RequestId string  `xml:"RequestId"`
	Code      *string `xml:"Code,omitempty"`
	Message   *string `xml:"Message,omitempty"`
}

// xmlOrdered returns the value encodeXML writes for a generated body: the same fields in the
// service's order.
func xmlOrdered(v any) any {
	switch b := v.(type) {
	case *models.Error:
		return xmlError{RequestId: b.RequestId, HostId: b.HostId, Code: b.Code, Message: b.Message, Recommend: b.Recommend}
	case *models.InterruptElasticsearchTaskResult:
		return xmlResult{Result: b.Result, RequestId: b.RequestId, Code: b.Code, Message: b.Message}
	}
	return v
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
	if err := enc.EncodeElement(xmlOrdered(v), xml.StartElement{Name: xml.Name{Local: root}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
