package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/internal/xmlbody"
)

// acceptXML is the Accept header of FormatXML. The service and the reference server respond to it
// with XML labelled text/xml;charset=utf-8 (the document's text/xml); the request keeps the
// media type it has always sent, so signatures over Accept (ROA v1) stay as they were.
const acceptXML = "application/xml"

// mediaKind classifies a Content-Type.
type mediaKind int

const (
	mediaOther mediaKind = iota
	mediaJSON
	mediaXML
)

// kindOf reads the media type of a Content-Type header: application/json, or any XML media type
// (text/xml;charset=utf-8 as the service labels it, application/xml, +xml; xmlbody.IsMediaType).
// Parameters such as charset are ignored.
func kindOf(contentType string) mediaKind {
	mt, _, _ := strings.Cut(contentType, ";")
	switch {
	case strings.EqualFold(strings.TrimSpace(mt), mediaTypeJSON):
		return mediaJSON
	case xmlbody.IsMediaType(contentType):
		return mediaXML
	}
	return mediaOther
}

// decode reads body into v by kind; XML may come with or without a root element.
func decode(kind mediaKind, body []byte, v any) error {
	if kind == mediaXML {
		return xmlbody.Unmarshal(body, v)
	}
	return json.Unmarshal(body, v)
}

// parse turns a response into a result or a typed error, decoding a success into out. The
// body was capped by cappedDoer.
func (c *Client) parse(resp *http.Response, red redactor, out *models.InterruptElasticsearchTaskResult) (*InterruptResult, error) {
	body, err := readBody(resp)
	if err != nil {
		return nil, bodyError(resp.StatusCode, red, err)
	}
	// Everything below that comes from the server is redacted: headers, text and decoding
	// errors (which may quote the body).
	r := response{
		status:   resp.StatusCode,
		body:     body,
		header:   red.header(resp.Header),
		headerID: resp.Header.Get("X-Acs-Request-Id"),
		red:      red,
	}
	success := r.status >= 200 && r.status < 300
	if !success && (r.status < 400 || r.status > 599) {
		return nil, r.unexpected(ErrUnexpectedStatus, nil)
	}
	if r.kind = kindOf(r.header.Get("Content-Type")); r.kind == mediaOther {
		return nil, r.unexpected(ErrUndocumentedContentType, nil)
	}
	if success {
		return r.result(out)
	}
	return nil, r.apiError()
}

// bodyError is the error of a body that could not be read in full: too large, or cut short.
func bodyError(status int, red redactor, err error) error {
	var big *BodyTooLargeError
	if errors.As(err, &big) {
		return &BodyTooLargeError{Limit: big.Limit, HTTPStatus: status}
	}
	// The response was cut short: a network failure like one before the response. Retrying is
	// safe because every attempt carries the same clientToken, so a success whose body was lost
	// is replayed rather than applied twice.
	return &networkError{err: red.wrap(fmt.Errorf("read the response body (HTTP %d): %w", status, err))}
}

// response is a response read in full, with the secrets of its attempt to redact.
type response struct {
	status   int
	body     []byte
	header   http.Header // redacted
	headerID string      // the x-acs-request-id header as sent
	kind     mediaKind
	red      redactor
}

// unexpected reports the response as an *UnexpectedResponseError for reason, caused by cause.
func (r *response) unexpected(reason, cause error) error {
	return &UnexpectedResponseError{
		HTTPStatus:  r.status,
		ContentType: r.header.Get("Content-Type"),
		RequestID:   r.red.redact(r.headerID),
		Excerpt:     r.red.excerpt(r.body),
		Reason:      reason,
		Err:         r.red.wrap(cause),
	}
}

// result decodes a 2xx response into out and returns it as an InterruptResult.
func (r *response) result(out *models.InterruptElasticsearchTaskResult) (*InterruptResult, error) {
	*out = models.InterruptElasticsearchTaskResult{}
	if err := decode(r.kind, r.body, out); err != nil {
		return nil, r.unexpected(ErrMalformedBody, err)
	}
	if err := r.checkResult(); err != nil {
		return nil, err
	}
	if out.RequestId == "" {
		out.RequestId = r.headerID
	}
	res := &InterruptResult{
		Result:     out.Result,
		RequestID:  r.red.redact(out.RequestId),
		HTTPStatus: r.status,
		Header:     r.header,
	}
	if out.Code != nil {
		res.Code = r.red.redactCode(*out.Code)
	}
	if out.Message != nil {
		res.Message = r.red.redact(*out.Message)
	}
	return res, nil
}

// checkResult refuses a 2xx body without the Result and RequestId the document requires (the
// x-acs-request-id header may stand in for the RequestId, as on the error path): otherwise any
// 2xx page a proxy sends (an empty object, HTML read as XML) would pass for a failed interrupt.
func (r *response) checkResult() error {
	var probe struct {
		RequestID string `json:"RequestId" xml:"RequestId"`
		Result    *bool  `json:"Result" xml:"Result"`
	}
	if err := decode(r.kind, r.body, &probe); err != nil {
		return r.unexpected(ErrMalformedBody, err)
	}
	if probe.RequestID == "" && r.headerID == "" {
		return r.unexpected(ErrMalformedBody, errNoRequestID)
	}
	if probe.Result == nil {
		return r.unexpected(ErrMalformedBody, errNoResult)
	}
	return nil
}

// apiError decodes an error response (400 to 599) into an *APIError, or reports a body that
// is not one.
func (r *response) apiError() error {
	var e models.Error
	if err := decode(r.kind, r.body, &e); err != nil {
		return r.unexpected(ErrMalformedBody, err)
	}
	apiErr := &APIError{
		HTTPStatus: r.status,
		Code:       r.red.redactCode(e.Code),
		Message:    r.red.redact(e.Message),
		RequestID:  r.red.redact(e.RequestId),
		HostID:     r.red.redact(e.HostId),
		Header:     r.header,
	}
	if e.Recommend != nil {
		apiErr.Recommend = r.red.redact(*e.Recommend)
	}
	if apiErr.RequestID == "" {
		apiErr.RequestID = r.red.redact(r.headerID)
	}
	return apiErr
}

var (
	errNoRequestID = errors.New("neither the body nor the x-acs-request-id header has a RequestId")
	errNoResult    = errors.New("the body has no Result")
)

// readBody reads a whole (capped) body and closes it. With a known length it reads into one
// buffer of that size instead of growing one.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n >= 0 && n <= MaxResponseBodyBytes {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(resp.Body)
}
