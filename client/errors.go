package client

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/es-openapi/interrupt/internal/wire"
)

// Code is an error code of the operation, such as "InstanceNotFound". The package declares one
// Code constant per entry of the document's error-code catalogue (ErrInstanceNotFound,
// ErrThrottlingUser, ...; see errors_gen.go). A Code is an error only so that it can be a target
// of errors.Is: errors.Is(err, ErrInstanceNotFound) reports whether err holds an *APIError with
// that code.
type Code string

// Error returns a short description naming the code.
func (c Code) Error() string { return "elasticsearch error code " + string(c) }

// String returns the code itself.
func (c Code) String() string { return string(c) }

// Retryable reports whether the catalogue marks the code retryable: repeating the same request
// (same clientToken) may succeed. It is false for a code the catalogue does not list.
func (c Code) Retryable() bool {
	e, ok := lookupCode(string(c))
	return ok && e.retryable
}

// HTTPStatus returns the status the catalogue gives the code, or 0 for a code it does not list.
func (c Code) HTTPStatus() int {
	e, _ := lookupCode(string(c))
	return e.status
}

// Message returns the message the catalogue gives the code, or "" for a code it does not list.
func (c Code) Message() string {
	e, _ := lookupCode(string(c))
	return e.message
}

// Known reports whether the code is in the catalogue.
func (c Code) Known() bool {
	_, ok := lookupCode(string(c))
	return ok
}

// catalogueEntry is what the client knows of an error code: the fields of the document's
// catalogue entry it uses. The entries are generated (errors_gen.go).
type catalogueEntry struct {
	code      Code
	status    int
	retryable bool
	message   string
}

// lookupCode finds code in the generated catalogue; a linear scan of two dozen entries costs
// less than building a map at start-up.
func lookupCode(code string) (catalogueEntry, bool) {
	for i := range catalogue {
		if string(catalogue[i].code) == code {
			return catalogue[i], true
		}
	}
	return catalogueEntry{}, false
}

// APIError is an error response of the service: any status from 400 to 599 with a body the client
// could read. The fields are the body's, plus the status and headers of the response.
//
// errors.Is(err, ErrInstanceNotFound) and the other Code sentinels match on Code.
type APIError struct {
	// HTTPStatus is the response's status code.
	HTTPStatus int
	// Code is the body's Code, such as "InstanceNotFound"; like every field here it has the
	// attempt's secrets replaced, unless it is a code of the catalogue.
	Code string
	// Message is the body's Message.
	Message string
	// RequestID is the body's RequestId, or the x-acs-request-id header when the body has none.
	RequestID string
	// HostID is the body's HostId: set on gateway errors (signature, keys, routing, flow
	// control), empty on the service's own errors, which leave it out.
	HostID string
	// Recommend is the body's Recommend, a troubleshooting URL, when present.
	Recommend string
	// Header holds the response headers, such as the x-ratelimit-* flow-control state.
	Header http.Header
}

// Error returns "elasticsearch: <Code> (HTTP <status>): <Message> (RequestId: <id>)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("elasticsearch: ")
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		b.WriteString("error")
	}
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.HTTPStatus))
	b.WriteString(")")
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (RequestId: ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// ErrorCode returns Code.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns Message.
func (e *APIError) ErrorMessage() string { return e.Message }

// Retryable reports whether repeating the request with the same clientToken may succeed: for a
// code the catalogue lists, its retryable flag; for any other code, true for Throttling* codes
// and 5xx statuses.
func (e *APIError) Retryable() bool {
	if c, ok := lookupCode(e.Code); ok {
		return c.retryable
	}
	return wire.IsThrottling(e.Code) || e.HTTPStatus >= 500
}

// Is reports whether target is the Code sentinel of e's code, so that
// errors.Is(err, ErrInstanceNotFound) works.
func (e *APIError) Is(target error) bool {
	c, ok := target.(Code)
	return ok && e.Code != "" && string(c) == e.Code
}

// ValidationError reports a parameter refused before anything was sent.
type ValidationError struct {
	// Field is the parameter's name on the wire: "InstanceId" or "clientToken".
	Field string
	// Reason says what is wrong, without repeating the value.
	Reason string
}

// Error returns "client: invalid <Field>: <Reason>".
func (e *ValidationError) Error() string {
	return "client: invalid " + e.Field + ": " + e.Reason
}

// ConfigError reports a Config that New refuses.
type ConfigError struct {
	// Field is the Config field at fault, such as "Endpoint" or "RegionID".
	Field string
	// Reason says what is wrong. It never repeats a secret.
	Reason string
}

// Error returns "client: invalid Config.<Field>: <Reason>".
func (e *ConfigError) Error() string {
	return "client: invalid Config." + e.Field + ": " + e.Reason
}

// Reasons an UnexpectedResponseError gives; match them with errors.Is.
var (
	// ErrUndocumentedContentType: the response's Content-Type is neither JSON nor XML.
	ErrUndocumentedContentType = errors.New("undocumented content type")
	// ErrMalformedBody: the body could not be decoded, or lacks what every response carries.
	ErrMalformedBody = errors.New("malformed response body")
	// ErrUnexpectedStatus: the status is neither 2xx nor an error status (400 to 599).
	ErrUnexpectedStatus = errors.New("unexpected HTTP status")
)

// UnexpectedResponseError reports a response the client could not turn into a result or an
// *APIError: an undocumented content type, a malformed body or an unexpected status. It carries
// the status and the start of the body for diagnosis.
type UnexpectedResponseError struct {
	// HTTPStatus is the response's status code.
	HTTPStatus int
	// ContentType is the response's Content-Type header.
	ContentType string
	// RequestID is the x-acs-request-id header, if any.
	RequestID string
	// Excerpt is the start of the body (at most 128 bytes, quoted as a Go string).
	Excerpt string
	// Reason is ErrUndocumentedContentType, ErrMalformedBody or ErrUnexpectedStatus.
	Reason error
	// Err is the decoding error behind ErrMalformedBody, if any.
	Err error
}

// Error describes the response.
func (e *UnexpectedResponseError) Error() string {
	var b strings.Builder
	b.WriteString("client: ")
	if e.Reason != nil {
		b.WriteString(e.Reason.Error())
	} else {
		b.WriteString("unexpected response")
	}
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.HTTPStatus))
	if e.ContentType != "" {
		b.WriteString(", Content-Type ")
		b.WriteString(strconv.Quote(e.ContentType))
	}
	b.WriteString(")")
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.RequestID != "" {
		b.WriteString(" (RequestId: ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	b.WriteString("; body begins ")
	b.WriteString(e.Excerpt)
	return b.String()
}

// Unwrap returns Reason and Err, those that are set, so errors.Is matches either.
func (e *UnexpectedResponseError) Unwrap() []error {
	errs := make([]error, 0, 2)
	for _, err := range [...]error{e.Reason, e.Err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// BodyTooLargeError reports a response body longer than MaxResponseBodyBytes. The client stops
// reading at the limit, so a hostile or broken server cannot make it buffer more.
type BodyTooLargeError struct {
	// Limit is the cap in bytes.
	Limit int64
	// HTTPStatus is the response's status code, when known.
	HTTPStatus int
}

// Error returns "client: response body exceeds <Limit> bytes (HTTP <status>)".
func (e *BodyTooLargeError) Error() string {
	s := "client: response body exceeds " + strconv.FormatInt(e.Limit, 10) + " bytes"
	if e.HTTPStatus != 0 {
		s += " (HTTP " + strconv.Itoa(e.HTTPStatus) + ")"
	}
	return s
}

// CallError wraps every error of a call past the argument checks (all but *ValidationError), so
// that the clientToken its attempts carried is never lost: retry later with it. errors.As and
// errors.Is see through it to the last attempt's error, whose message it prints.
type CallError struct {
	// ClientToken is the token every attempt carried: the one given or the one the client made.
	ClientToken string
	// Attempts is how many attempts the call made, the last one included (an attempt stopped
	// before sending, such as by a credentials error, counts).
	Attempts int
	// Err is the error of the last attempt, or the context's error wrapping it when the
	// context ended during the wait before the next one.
	Err error
}

// Error returns the message of Err, unchanged.
func (e *CallError) Error() string {
	if e.Err == nil {
		return "client: call failed"
	}
	return e.Err.Error()
}

// Unwrap returns Err.
func (e *CallError) Unwrap() error { return e.Err }
