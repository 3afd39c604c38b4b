package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// The catalogue codes the server responds with. Only the names live here: status and message
// are read from the document's catalogue (spec.LoadCatalogue), and New refuses to build a
// server when one of these is missing from it.
const (
	codeInstanceNotFound     = "InstanceNotFound"
	codeIdempotentMismatch   = "IdempotentParameterMismatch"
	codeInvalidParameter     = "InvalidParameter"
	codeMissingParameter     = "MissingParameter"
	codeIncompleteSignature  = signing.CodeIncompleteSignature
	codeSignatureMismatch    = signing.CodeSignatureDoesNotMatch
	codeNonceUsed            = "SignatureNonceUsed"
	codeTimeStampExpired     = signing.CodeTimeStampExpired
	codeAccessKeyNotFound    = signing.CodeAccessKeyNotFound
	codeSecurityTokenInvalid = signing.CodeSecurityTokenMismatch
	codeSecurityTokenMissing = "MissingSecurityToken"
	codeActionNotFound       = "InvalidAction.NotFound"
	codeThrottlingUser       = "Throttling.User"
	// codeInternalError answers only a defect of the server itself (a response that cannot be
	// written); no input leads to it.
	codeInternalError = "InternalError"
)

// usedCodes lists every code above, for New's check against the catalogue.
var usedCodes = [...]string{
	codeInstanceNotFound, codeIdempotentMismatch,
	codeInvalidParameter, codeMissingParameter, codeIncompleteSignature, codeSignatureMismatch,
	codeNonceUsed, codeTimeStampExpired, codeAccessKeyNotFound, codeSecurityTokenInvalid, codeSecurityTokenMissing,
	codeActionNotFound, codeThrottlingUser, codeInternalError,
}

// recommendURL is the troubleshooting link of a response, in the form the service's bodies carry
// (rule recommend of the document): the code, the product and the request id.
func recommendURL(code, requestID string) string {
	return "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) + "&product=elasticsearch&requestId=" + url.QueryEscape(requestID)
}

// response is one response of the operation, complete before anything is written: status, request
// id, and either the result (code "") or the error body. A response is immutable once built, so a
// remembered one can be replayed by many requests at once.
type response struct {
	status    int
	code      string // the error code, "" for a success
	requestID string
	result    models.InterruptElasticsearchTaskResult
	errBody   models.Error
	header    http.Header // extra headers (the rate-limit state), nil for most responses

	// The body as first rendered, so a replay in the same format sends the same bytes.
	format format
	body   []byte
}

// retryable reports whether the catalogue says the same request may succeed later; such responses
// are not remembered under a clientToken, or a retry with the token could never succeed.
func (s *Server) retryable(code string) bool {
	if code == "" {
		return false
	}
	return s.codes[code].Retryable
}

// successResponse builds the 200 response for requestID, rendered in f.
func (s *Server) successResponse(requestID string, f format) (*response, error) {
	a := &response{
		status:    http.StatusOK,
		requestID: requestID,
		result:    models.InterruptElasticsearchTaskResult{Result: true, RequestId: requestID},
	}
	return a, s.renderFirst(a, f)
}

// errorResponse builds the response for a catalogue code, rendered in f. detail, when not empty, is
// appended to the catalogue message (the string to sign of SignatureDoesNotMatch).
func (s *Server) errorResponse(code, requestID, detail string, f format) (*response, error) {
	e, ok := s.codes[code]
	if !ok {
		// Unreachable: New checked every code. Respond honestly rather than with status 0.
		code, e = codeInternalError, s.codes[codeInternalError]
	}
	recommend := recommendURL(code, requestID)
	a := &response{
		status:    e.Status,
		code:      code,
		requestID: requestID,
		errBody: models.Error{
			RequestId: requestID,
			Code:      code,
			Message:   e.Message + detail,
			Recommend: &recommend,
		},
	}
	// Gateway errors (signature, keys, routing, flow control) carry HostId; the service's own
	// errors leave it out, as the operation page shows them (rule host-id).
	if e.CarriesHostID() {
		a.errBody.HostId = s.hostID
	}
	return a, s.renderFirst(a, f)
}

func (s *Server) renderFirst(a *response, f format) error {
	body, err := s.render(a, f)
	if err != nil {
		return err
	}
	a.format, a.body = f, body
	return nil
}

// render encodes a's body in f.
func (s *Server) render(a *response, f format) ([]byte, error) {
	var v any = &a.result
	root := s.roots.success
	if a.code != "" {
		v, root = &a.errBody, s.roots.error
	}
	if f == formatXML {
		return encodeXML(root, v)
	}
	return encodeJSON(v)
}

// bodyIn returns a's body in f: the first rendering when f is its format, else a fresh one from
// the same values (so every field, the RequestId included, is the same in the other format).
func (s *Server) bodyIn(a *response, f format) ([]byte, error) {
	if f == a.format {
		return a.body, nil
	}
	return s.render(a, f)
}

// writeResponse sends a in f: status, exact Content-Type, Content-Length, the x-acs-request-id
// header equal to the body's RequestId, and the extra headers a carries.
func (s *Server) writeResponse(w http.ResponseWriter, a *response, f format) error {
	body, err := s.bodyIn(a, f)
	if err != nil {
		return fmt.Errorf("server: render %s response: %w", a.code, err)
	}
	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	h["Content-Type"] = contentTypeHeader[f]
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Acs-Request-Id", a.requestID)
	w.WriteHeader(a.status)
	_, err = w.Write(body)
	return err
}

// newRequestID returns a fresh RequestId, a random upper-case UUID as the service sends.
func newRequestID() string { return ids.UUID() }

// catalogueCodes indexes the whole catalogue by code and checks that every code the server
// responds with is in it, so a lookup at request time cannot miss.
func catalogueCodes(c *spec.Catalogue) (map[string]spec.ErrorCode, error) {
	codes := make(map[string]spec.ErrorCode, c.Len())
	for _, e := range c.Codes() {
		codes[e.Code] = e
	}
	for _, code := range usedCodes {
		if _, ok := codes[code]; !ok {
			return nil, fmt.Errorf("server: the catalogue has no error code %q", code)
		}
	}
	return codes, nil
}
