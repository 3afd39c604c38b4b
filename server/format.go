package server

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/spec"
)

// format is the body format of a response.
type format uint8

const (
	formatJSON format = iota // the response to a request that prefers JSON
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
// only reads header values, so every response can share them instead of allocating its own.
var contentTypeHeader = [...][]string{
	formatJSON: {spec.MediaTypeJSON},
	formatXML:  {spec.MediaTypeXMLWire},
}

// negotiate picks the response format from the Accept header values (wire.RespondsInXML).
func negotiate(accept []string) format {
	if wire.RespondsInXML(accept) {
		return formatXML
	}
	return formatJSON
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
// HostId, Code, Message, Recommend (the record's gateway responses). encoding/xml writes struct
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
