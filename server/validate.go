package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/es-openapi/interrupt/spec"
)

// queryToken is the operation's one query parameter.
const queryToken = "clientToken"

// validator checks requests against the embedded document with openapi3filter. Everything it
// needs (the document, the route, the options) is built once by newValidator.
type validator struct {
	route    *routers.Route
	options  *openapi3filter.Options
	idSchema *openapi3.Schema
}

func newValidator() (*validator, error) {
	// A private copy of the document: servers are cleared as they are for a kin-openapi router,
	// so nothing depends on the Host a request was sent to (any host serves the operation).
	doc, err := spec.New()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	op, err := spec.Operation(doc)
	if err != nil {
		return nil, err
	}
	// Signatures are verified before validation by auth.go with the signing package (and not at
	// all when no credentials are configured); the document's security schemes only describe
	// them, so this copy drops the requirements rather than have openapi3filter re-check them.
	op.Security = &openapi3.SecurityRequirements{}
	doc.Security = nil
	var idSchema *openapi3.Schema
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInPath && p.Value.Name == "InstanceId" && p.Value.Schema != nil {
			idSchema = p.Value.Schema.Value
		}
	}
	if idSchema == nil {
		return nil, errors.New("server: the operation has no InstanceId path parameter schema")
	}
	route, err := spec.OperationRoute(doc)
	if err != nil {
		return nil, err
	}
	return &validator{
		route: route,
		options: &openapi3filter.Options{
			AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc,
			RejectWhenRequestBodyNotSpecified: true,
			SkipSettingDefaults:               true,
		},
		idSchema: idSchema,
	}, nil
}

// validationError is a request the document does not allow, with the code it is recorded with.
type validationError struct {
	code   string
	reason error
}

func (e *validationError) Error() string { return e.code + ": " + e.reason.Error() }
func (e *validationError) Unwrap() error { return e.reason }

func invalid(code string, format string, args ...any) *validationError {
	return &validationError{code: code, reason: fmt.Errorf(format, args...)}
}

// check validates one request of the operation. segment is the escaped instance id from the
// path, query the parsed query, bodyLen the length of the body that came with it. A failure is
// a *validationError carrying MissingParameter (an empty id) or InvalidParameter (anything
// else).
func (v *validator) check(ctx context.Context, r *http.Request, segment string, query url.Values, bodyLen int) (id string, err error) {
	if segment == "" {
		return "", invalid(codeMissingParameter, "the InstanceId path segment is empty")
	}
	id, err = url.PathUnescape(segment)
	if err != nil {
		return "", invalid(codeInvalidParameter, "InstanceId: %w", err)
	}
	if bodyLen > 0 {
		return "", invalid(codeInvalidParameter, "the operation takes no request body (got %d bytes)", bodyLen)
	}
	// The document has one query parameter; anything else is a request the service does not
	// define, and a repeated clientToken has no single meaning.
	for name, values := range query {
		if name != queryToken {
			return "", invalid(codeInvalidParameter, "unknown query parameter %q", name)
		}
		if len(values) != 1 {
			return "", invalid(codeInvalidParameter, "clientToken given %d times", len(values))
		}
	}
	input := &openapi3filter.RequestValidationInput{
		Request:     r,
		PathParams:  map[string]string{"InstanceId": id},
		QueryParams: query,
		Route:       v.route,
		Options:     v.options,
	}
	if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
		return "", &validationError{code: codeInvalidParameter, reason: err}
	}
	return id, nil
}

// checkID validates an instance id alone, against the same schema (for PutInstance and the
// admin API).
func (v *validator) checkID(id string) error {
	if err := v.idSchema.VisitJSON(id); err != nil {
		return fmt.Errorf("%w %q: %v", ErrInvalidInstanceID, id, err)
	}
	return nil
}
