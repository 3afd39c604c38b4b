package contract

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/es-openapi/interrupt/spec"
)

// The product page's samples, as the page prints them.
const (
	// PageJSONSample is the page's JSON success sample.
	PageJSONSample = "{\n    \"Result\": true,\n    \"RequestId\": \"E9908D15-13F4-4428-B08F-A3EE8E39****\"\n}"
	// PageXMLSample is the page's XML success sample: a fragment with no root element.
	PageXMLSample = "<Result>true</Result>\n<RequestId>E9908D15-13F4-4428-B08F-A3EE8E39****</RequestId>"
)

func documentChecks() []Check {
	return []Check{
		{
			ID:        "document/valid",
			Title:     "the document is valid OpenAPI 3.0 with every example valid (kin-openapi)",
			Labels:    []string{LabelDocument},
			Statement: "the document: OpenAPI 3.0.3, and every example valid against its schema",
			Run: func(context.Context, *Env) error {
				_, err := spec.New()
				return err
			},
		},
		{
			ID:        "document/page-samples",
			Title:     "the document carries the product page's JSON and XML samples verbatim",
			Labels:    []string{LabelDocument},
			Statement: "components/examples PageSample and PageSampleXml: the operation page's samples, verbatim",
			Run:       checkPageSamples,
		},
		{
			ID:        "document/examples",
			Title:     "every example, JSON and XML, validates against its response (openapi3filter.ValidateResponse)",
			Labels:    []string{LabelDocument},
			Statement: "components/examples: every example is a valid instance of its response (status, media type, schema)",
			Run:       checkExamples,
		},
	}
}

// checkPageSamples finds the page's samples verbatim among the document's 200 examples.
func checkPageSamples(context.Context, *Env) error {
	examples, err := spec.LoadExamples()
	if err != nil {
		return err
	}
	want := map[string]string{spec.MediaTypeJSON: PageJSONSample, spec.MediaTypeXML: PageXMLSample}
	for _, ex := range examples {
		if ex.Status == "200" && ex.Name == "PageSample" && want[ex.MediaType] == string(ex.WireBody) {
			delete(want, ex.MediaType)
		}
	}
	for mediaType := range want {
		return fmt.Errorf("the 200 %s example PageSample is not the page's sample verbatim", mediaType)
	}
	return nil
}

// checkExamples judges every example of the document as a response to the operation.
func checkExamples(ctx context.Context, env *Env) error {
	examples, err := spec.LoadExamples()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, spec.Path, nil)
	if err != nil {
		return err
	}
	for _, ex := range examples {
		body, err := ex.Body()
		if err != nil {
			return err
		}
		if err := env.conformExample(req, exampleResponse(ex, body)); err != nil {
			return fmt.Errorf("%s %s example %q: %w", ex.Status, ex.MediaType, ex.Name, err)
		}
	}
	return nil
}

// exampleResponse is ex as a received response with body.
func exampleResponse(ex spec.Example, body []byte) *observed {
	status := ex.StatusCode()
	if status == 0 {
		status = 599 // a "default" example stands for any error status
	}
	r := &observed{
		status: status,
		header: http.Header{"Content-Type": {ex.MediaType}},
		body:   bytes.Clone(body),
		want:   wantJSON,
	}
	if ex.MediaType != spec.MediaTypeJSON {
		r.want = wantXML
	}
	return r
}
