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

// acceptXML is the Accept header of FormatXML. The service and the reference server answer it
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
		var big *BodyTooLargeError
		if errors.As(err, &big) {
			return nil, &BodyTooLargeError{Limit: big.Limit, HTTPStatus: resp.StatusCode}
		}
		// The answer was cut short: a network failure like one before the response. Retrying
		// is safe because every attempt carries the same clientToken, so a success whose body
		// was lost is replayed rather than applied twice.
		return nil, &networkError{err: red.wrap(fmt.Errorf("read the response body (HTTP %d): %w", resp.StatusCode, err))}
	}
	// Everything below that comes from the server is redacted: headers, text and decoding
	// errors (which may quote the body).
	header := red.header(resp.Header)
	contentType := header.Get("Content-Type")
	headerID := resp.Header.Get("X-Acs-Request-Id")
	unexpected := func(reason, cause error) error {
		return &UnexpectedResponseError{
			HTTPStatus:  resp.StatusCode,
			ContentType: contentType,
			RequestID:   red.redactID(headerID),
			Excerpt:     red.excerpt(body),
			Reason:      reason,
			Err:         red.wrap(cause),
		}
	}
	success := resp.StatusCode >= 200 && resp.StatusCode < 300
	if !success && (resp.StatusCode < 400 || resp.StatusCode > 599) {
		return nil, unexpected(ErrUnexpectedStatus, nil)
	}
	kind := kindOf(contentType)
	if kind == mediaOther {
		return nil, unexpected(ErrUndocumentedContentType, nil)
	}
	if success {
		*out = models.InterruptElasticsearchTaskResult{}
		if err := decode(kind, body, out); err != nil {
			return nil, unexpected(ErrMalformedBody, err)
		}
		if out.RequestId == "" {
			// As on the error path, the x-acs-request-id header stands in for a body without a
			// RequestId, but only for a body that does answer: one that holds a Result. Without
			// that check any 2xx page a proxy sends (an empty object, HTML read as XML) would
			// pass for a failed interrupt.
			if headerID == "" {
				return nil, unexpected(ErrMalformedBody, errNoRequestID)
			}
			var probe struct {
				Result *bool `json:"Result" xml:"Result"`
			}
			if err := decode(kind, body, &probe); err != nil || probe.Result == nil {
				return nil, unexpected(ErrMalformedBody, errNoResult)
			}
			out.RequestId = headerID
		}
		res := &InterruptResult{
			Result:     out.Result,
			RequestID:  red.redactID(out.RequestId),
			HTTPStatus: resp.StatusCode,
			Header:     header,
		}
		if out.Code != nil {
			res.Code = red.redactID(*out.Code)
		}
		if out.Message != nil {
			res.Message = red.redact(*out.Message)
		}
		return res, nil
	}
	var e models.Error
	if err := decode(kind, body, &e); err != nil {
		return nil, unexpected(ErrMalformedBody, err)
	}
	// Code and RequestID are identifiers, never edited (see redactor); the free text is.
	apiErr := &APIError{
		HTTPStatus: resp.StatusCode,
		Code:       red.redactID(e.Code),
		Message:    red.redact(e.Message),
		RequestID:  red.redactID(e.RequestId),
		HostID:     red.redact(e.HostId),
		Header:     header,
	}
	if e.Recommend != nil {
		apiErr.Recommend = red.redact(*e.Recommend)
	}
	if apiErr.RequestID == "" {
		apiErr.RequestID = red.redactID(headerID)
	}
	return nil, apiErr
}

var (
	errNoRequestID = errors.New("neither the body nor the x-acs-request-id header has a RequestId")
	errNoResult    = errors.New("the body has neither a RequestId nor a Result")
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
