package contract

import (
	"slices"
	"strings"

	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/spec"
)

// Statements name the part of the document a check holds the target to (Check.Statement). The
// error-code and state checks name their catalogue entry or table row where they are built; these
// name the rest.

// negativeStatement names what the document says that refuses in.
func negativeStatement(in badInput) string {
	switch {
	case in.request.body != nil:
		return "requestBody: the operation takes no body; a refused request is a documented 4xx Error and changes nothing"
	case in.request.method != "":
		return "paths: the operation is POST only; any other method is InvalidAction.NotFound"
	case in.request.token != "" || in.request.rawQuery != "":
		return "parameters: clientToken (query) and its schema; a refused request is a documented 4xx Error and changes nothing"
	case slices.Equal(in.situations, []spec.Trigger{spec.TriggerUnknownRoute}):
		return "paths: " + wire.Path + " is the only path; any other is InvalidAction.NotFound (or an alternative of the catalogue)"
	}
	return "parameters: InstanceId (path) and its schema; a refused request is a documented 4xx Error and changes nothing"
}

// signatureStatement names the security scheme or catalogue entry a signature case relies on.
func signatureStatement(sc signatureCase) string {
	scheme := "securitySchemes acs3HmacSha256 (V3)"
	if strings.HasPrefix(sc.name, "roa") {
		scheme = "securitySchemes roaV1HmacSha1 (ROA)"
	}
	if sc.code == "" {
		return scheme + ": a request signed this way is accepted (the unknown instance then answers InstanceNotFound)"
	}
	return scheme + " and x-error-codes: " + sc.code + " refuses this request"
}
