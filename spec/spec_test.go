package spec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/spec"
)

// The product page's samples, copied from the page: the document must carry them byte for byte.
const (
	pageJSONSample = "{\n    \"Result\": true,\n    \"RequestId\": \"E9908D15-13F4-4428-B08F-A3EE8E39****\"\n}"
	pageXMLSample  = "<Result>true</Result>\n<RequestId>E9908D15-13F4-4428-B08F-A3EE8E39****</RequestId>"
)

// validateResponse runs openapi3filter.ValidateResponse for one response of the operation.
func validateResponse(doc *openapi3.T, status int, mediaType string, body []byte) error {
	route, err := spec.OperationRoute(doc)
	Expect(err).NotTo(HaveOccurred())
	req, err := http.NewRequest(http.MethodPost, "/openapi/instances/es-cn-n6w1o1x0w001c****/actions/interrupt", nil)
	Expect(err).NotTo(HaveOccurred())
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: map[string]string{"InstanceId": "es-cn-n6w1o1x0w001c****"},
			Route:      route,
		},
		Status: status,
		Header: http.Header{"Content-Type": {mediaType}},
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	return openapi3filter.ValidateResponse(context.Background(), input)
}

// statusOf is the status an example is sent with ("default" examples stand for any error).
func statusOf(ex spec.Example) int {
	if n := ex.StatusCode(); n != 0 {
		return n
	}
	return 599
}

// newBody returns a pointer to the generated type a response with this status decodes into.
func newBody(status int) any {
	if status == http.StatusOK {
		return &models.InterruptElasticsearchTaskResult{}
	}
	return &models.Error{}
}

var _ = BeforeSuite(func() {
	spec.RegisterXMLBodyDecoder()
})

var _ = Describe("the document", func() {
	It("parses and validates in kin-openapi with example validation on", func() {
		doc, err := spec.New()
		Expect(err).NotTo(HaveOccurred())
		Expect(doc.OpenAPI).To(Equal("3.0.3"))
		Expect(doc.Validate(context.Background(), openapi3.EnableExamplesValidation())).To(Succeed())
	})

	It("is loaded once and shared safely between goroutines", func() {
		first, err := spec.Load()
		Expect(err).NotTo(HaveOccurred())
		var wg sync.WaitGroup
		got := make([]*openapi3.T, 16)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], _ = spec.Load()
			}()
		}
		wg.Wait()
		for _, d := range got {
			Expect(d).To(BeIdenticalTo(first))
		}
		fresh, err := spec.New()
		Expect(err).NotTo(HaveOccurred())
		Expect(fresh).NotTo(BeIdenticalTo(first))
	})

	It("hands out copies of its bytes", func() {
		b := spec.Bytes()
		Expect(b).To(ContainSubstring("operationId: InterruptElasticsearchTask"))
		b[0] = 'X'
		Expect(spec.Bytes()[0]).NotTo(Equal(byte('X')))
	})

	It("declares the operation, its servers, parameters and security as documented", func() {
		doc, err := spec.Load()
		Expect(err).NotTo(HaveOccurred())
		Expect(doc.Servers[0].URL).To(Equal("https://elasticsearch.{regionId}.aliyuncs.com"))
		Expect(doc.Servers[0].Variables).To(HaveKey("regionId"))
		op, err := spec.Operation(doc)
		Expect(err).NotTo(HaveOccurred())
		Expect(op.Parameters.GetByInAndName("path", "InstanceId").Required).To(BeTrue())
		token := op.Parameters.GetByInAndName("query", "clientToken")
		Expect(token.Required).To(BeFalse())
		Expect(*token.Schema.Value.MaxLength).To(BeEquivalentTo(64))
		Expect(*op.Security).To(HaveLen(2))
		Expect(doc.Components.SecuritySchemes).To(HaveKey("acs3HmacSha256"))
		Expect(doc.Components.SecuritySchemes).To(HaveKey("roaV1HmacSha1"))
		for _, status := range []int{200, 400, 403, 404, 500, 503} {
			Expect(op.Responses.Status(status)).NotTo(BeNil(), "status %d", status)
		}
		Expect(op.Responses.Default()).NotTo(BeNil())
	})

	DescribeTable("InstanceId constraints",
		func(id string, valid bool) {
			doc, err := spec.Load()
			Expect(err).NotTo(HaveOccurred())
			err = doc.Components.Schemas["InstanceId"].Value.VisitJSON(id)
			if valid {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(HaveOccurred())
			}
		},
		Entry("the page's sample", "es-cn-n6w1o1x0w001c****", true),
		Entry("an unmasked id", "es-cn-n6w1o1x0w001cabcd", true),
		Entry("an international id", "es-sg-2r42gvd9w000x1i23", true),
		Entry("empty", "", false),
		Entry("a slash", "es-cn/../x", false),
		Entry("a space", "es cn", false),
		Entry("a tab", "es-cn\tx", false),
		Entry("a newline", "es-cn\nx", false),
		Entry("a NUL", "es-cn\x00x", false),
		Entry("percent-encoding", "es-cn%2F", false),
		Entry("a dot-dot segment", "..", false),
		Entry("129 characters", strings.Repeat("a", 129), false),
		Entry("128 characters", strings.Repeat("a", 128), true),
	)

	DescribeTable("clientToken constraints",
		func(token string, valid bool) {
			doc, err := spec.Load()
			Expect(err).NotTo(HaveOccurred())
			err = doc.Components.Schemas["ClientToken"].Value.VisitJSON(token)
			if valid {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(HaveOccurred())
			}
		},
		Entry("the page's sample", "5A2CFF0E-5718-45B5-9D4D-70B3FF****", true),
		Entry("awkward ASCII", "a b*c~d+e/f=g&h", true),
		Entry("64 characters", strings.Repeat("t", 64), true),
		Entry("65 characters", strings.Repeat("t", 65), false),
		Entry("non-ASCII", "tökén", false),
		Entry("a control character", "tok\x01en", false),
		Entry("empty", "", false),
	)
})

var _ = Describe("the examples", func() {
	var examples []spec.Example
	BeforeEach(func() {
		var err error
		examples, err = spec.LoadExamples()
		Expect(err).NotTo(HaveOccurred())
		Expect(examples).NotTo(BeEmpty())
	})

	It("carry the page's JSON and XML samples verbatim", func() {
		bodies := map[string]string{}
		for _, ex := range examples {
			if ex.Status == "200" && ex.Name == "PageSample" {
				bodies[ex.MediaType] = string(ex.WireBody)
			}
		}
		Expect(bodies).To(HaveKeyWithValue(spec.MediaTypeJSON, pageJSONSample))
		Expect(bodies).To(HaveKeyWithValue(spec.MediaTypeXML, pageXMLSample))
	})

	It("give every XML example its wire text", func() {
		for _, ex := range examples {
			if ex.MediaType == spec.MediaTypeXML {
				Expect(ex.WireBody).NotTo(BeEmpty(), "%s %s", ex.Status, ex.Name)
			}
		}
	})

	It("each validate against their response schema through openapi3filter.ValidateResponse", func() {
		doc, err := spec.Load()
		Expect(err).NotTo(HaveOccurred())
		for _, ex := range examples {
			body, err := ex.Body()
			Expect(err).NotTo(HaveOccurred())
			Expect(validateResponse(doc, statusOf(ex), ex.MediaType, body)).To(Succeed(), "%s %s %s", ex.Status, ex.MediaType, ex.Name)
		}
	})

	It("say in their wire text exactly what their structured value says", func() {
		for _, ex := range examples {
			if ex.WireBody == nil {
				continue
			}
			fromWire, fromValue := newBody(statusOf(ex)), newBody(statusOf(ex))
			if ex.MediaType == spec.MediaTypeXML {
				Expect(spec.UnmarshalXML(ex.WireBody, fromWire)).To(Succeed(), ex.Name)
			} else {
				Expect(json.Unmarshal(ex.WireBody, fromWire)).To(Succeed(), ex.Name)
			}
			raw, err := json.Marshal(ex.Value)
			Expect(err).NotTo(HaveOccurred())
			Expect(json.Unmarshal(raw, fromValue)).To(Succeed())
			Expect(fromWire).To(Equal(fromValue), "%s %s %s", ex.Status, ex.MediaType, ex.Name)
		}
	})

	It("round-trip through the generated types in JSON and XML with the wire names intact", func() {
		doc, err := spec.Load()
		Expect(err).NotTo(HaveOccurred())
		for _, ex := range examples {
			status := statusOf(ex)
			typed := newBody(status)
			raw, err := json.Marshal(ex.Value)
			Expect(err).NotTo(HaveOccurred())
			Expect(json.Unmarshal(raw, typed)).To(Succeed())

			// JSON: the same object comes back, field names and all.
			again, err := json.Marshal(typed)
			Expect(err).NotTo(HaveOccurred())
			Expect(again).To(MatchJSON(raw), ex.Name)
			Expect(string(again)).To(ContainSubstring(`"RequestId"`))
			Expect(string(again)).NotTo(ContainSubstring(`"RequestID"`))

			// XML: encoded under the schema's root name, it validates and decodes to the same value.
			schemaName := "Error"
			if status == http.StatusOK {
				schemaName = "InterruptElasticsearchTaskResult"
			}
			root := doc.Components.Schemas[schemaName].Value.XML.Name
			var buf bytes.Buffer
			Expect(xml.NewEncoder(&buf).EncodeElement(typed, xml.StartElement{Name: xml.Name{Local: root}})).To(Succeed())
			Expect(buf.String()).To(HavePrefix("<" + root + ">"))
			Expect(buf.String()).To(ContainSubstring("<RequestId>"))
			Expect(buf.String()).NotTo(ContainSubstring("RequestID"))
			Expect(validateResponse(doc, status, spec.MediaTypeXML, buf.Bytes())).To(Succeed(), ex.Name)
			back := newBody(status)
			Expect(spec.UnmarshalXML(buf.Bytes(), back)).To(Succeed())
			Expect(back).To(Equal(typed), ex.Name)
		}
	})
})

var _ = Describe("the error-code catalogue", func() {
	var (
		catalogue *spec.Catalogue
		op        *openapi3.Operation
		examples  []spec.Example
	)
	BeforeEach(func() {
		var err error
		catalogue, err = spec.LoadCatalogue()
		Expect(err).NotTo(HaveOccurred())
		doc, err := spec.Load()
		Expect(err).NotTo(HaveOccurred())
		op, err = spec.Operation(doc)
		Expect(err).NotTo(HaveOccurred())
		examples, err = spec.LoadExamples()
		Expect(err).NotTo(HaveOccurred())
	})

	It("holds every code of the reference table", func() {
		for _, code := range []string{
			"InstanceNotFound", "InstanceActivating", "InstanceStatusNotSupportCurrentAction",
			"AlreadyReceivedInterruptSignal", "TokenPreviousRequestProcessError",
			"ConcurrencyUpdateInstanceConflict", "SignatureDoesNotMatch", "IncompleteSignature",
			"InvalidAccessKeyId.NotFound", "Throttling", "Throttling.User", "Throttling.Api",
			"InternalError", "ServiceUnavailable",
		} {
			_, ok := catalogue.Lookup(code)
			Expect(ok).To(BeTrue(), code)
		}
	})

	It("states the published facts and marks the inferred ones", func() {
		notFound, _ := catalogue.Lookup("InstanceNotFound")
		Expect(notFound.Status).To(Equal(400))
		Expect(notFound.Message).To(Equal("The instanceId provided does not exist."))
		Expect(notFound.Inferred).To(BeEmpty())
		notSupported, _ := catalogue.Lookup("InstanceStatusNotSupportCurrentAction")
		Expect(notSupported.IsInferred("status")).To(BeTrue())
		Expect(notSupported.IsInferred("message")).To(BeFalse())
		Expect(notSupported.Retryable).To(BeFalse())
		throttled, _ := catalogue.Lookup("Throttling.User")
		Expect(throttled.Retryable).To(BeTrue())
		key, _ := catalogue.Lookup("InvalidAccessKeyId.NotFound")
		Expect(key.Status).To(Equal(404))
	})

	It("gives every code a documented status and a JSON and an XML example under it", func() {
		Expect(catalogue.Len()).To(BeNumerically(">=", 14))
		for _, e := range catalogue.Codes() {
			Expect(op.Responses.Status(e.Status)).NotTo(BeNil(), "%s: status %d is not documented", e.Code, e.Status)
			for _, mediaType := range []string{spec.MediaTypeJSON, spec.MediaTypeXML} {
				var found *spec.Example
				for i := range examples {
					ex := examples[i]
					if ex.Status == strconv.Itoa(e.Status) && ex.MediaType == mediaType && ex.Code() == e.Code {
						found = &ex
					}
				}
				Expect(found).NotTo(BeNil(), "%s: no %s example under %d", e.Code, mediaType, e.Status)
				Expect(found.Value.(map[string]any)["Message"]).To(HavePrefix(e.Message), e.Code)
			}
		}
	})

	It("rejects a catalogue with a duplicate code or an unknown trigger", func() {
		for _, mutate := range []func(entries []any){
			func(entries []any) { entries[1].(map[string]any)["code"] = entries[0].(map[string]any)["code"] },
			func(entries []any) { entries[0].(map[string]any)["trigger"] = "by-magic" },
			func(entries []any) { entries[0].(map[string]any)["status"] = 200 },
			func(entries []any) { entries[0].(map[string]any)["example"] = "NoSuchExample" },
			func(entries []any) { entries[0].(map[string]any)["colour"] = "red" },
		} {
			doc, err := spec.New()
			Expect(err).NotTo(HaveOccurred())
			docOp, err := spec.Operation(doc)
			Expect(err).NotTo(HaveOccurred())
			mutate(docOp.Extensions[spec.ErrorCodesExtension].([]any))
			_, err = spec.CatalogueOf(doc)
			Expect(err).To(HaveOccurred())
		}
	})
})

var _ = Describe("XML bodies", func() {
	var doc *openapi3.T
	BeforeEach(func() {
		var err error
		doc, err = spec.Load()
		Expect(err).NotTo(HaveOccurred())
	})

	It("tell the page's root-less fragment from a rooted document on purpose", func() {
		fragment, err := spec.IsXMLFragment([]byte(pageXMLSample))
		Expect(err).NotTo(HaveOccurred())
		Expect(fragment).To(BeTrue())
		rooted := `<?xml version="1.0"?><InterruptElasticsearchTaskResponse><Result>true</Result><RequestId>R</RequestId></InterruptElasticsearchTaskResponse>`
		fragment, err = spec.IsXMLFragment([]byte(rooted))
		Expect(err).NotTo(HaveOccurred())
		Expect(fragment).To(BeFalse())

		var a, b models.InterruptElasticsearchTaskResult
		Expect(spec.UnmarshalXML([]byte(pageXMLSample), &a)).To(Succeed())
		Expect(spec.UnmarshalXML([]byte(`<?xml version="1.0"?>`+"\n"+pageXMLSample), &b)).To(Succeed())
		Expect(a).To(Equal(models.InterruptElasticsearchTaskResult{Result: true, RequestId: "E9908D15-13F4-4428-B08F-A3EE8E39****"}))
		Expect(b).To(Equal(a))
	})

	DescribeTable("are checked against the schema's types and names",
		func(status int, body string, valid bool) {
			err := validateResponse(doc, status, spec.MediaTypeXML, []byte(body))
			if valid {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(HaveOccurred())
			}
		},
		Entry("a boolean written true", 200, `<Result>true</Result><RequestId>R</RequestId>`, true),
		Entry("a boolean written false", 200, `<Result>false</Result><RequestId>R</RequestId>`, true),
		Entry("a boolean written yes", 200, `<Result>yes</Result><RequestId>R</RequestId>`, false),
		Entry("a boolean written 1", 200, `<Result>1</Result><RequestId>R</RequestId>`, false),
		Entry("a missing RequestId", 200, `<Result>true</Result>`, false),
		Entry("RequestID instead of RequestId", 200, `<Result>true</Result><RequestID>R</RequestID>`, false),
		Entry("a duplicated field", 200, `<Result>true</Result><Result>false</Result><RequestId>R</RequestId>`, false),
		Entry("the wrong root element", 200, `<Response><Result>true</Result><RequestId>R</RequestId></Response>`, false),
		Entry("the success root", 200, `<InterruptElasticsearchTaskResponse><Result>true</Result><RequestId>R</RequestId></InterruptElasticsearchTaskResponse>`, true),
		Entry("an error body", 400, `<Error><RequestId>R</RequestId><HostId>h</HostId><Code>C</Code><Message>m</Message></Error>`, true),
		Entry("an error body without HostId (service errors leave it out)", 400, `<Error><RequestId>R</RequestId><Code>C</Code><Message>m</Message></Error>`, true),
		Entry("an error body without Code", 400, `<Error><RequestId>R</RequestId><HostId>h</HostId><Message>m</Message></Error>`, false),
		Entry("an error body with a CDATA Recommend", 400, `<Error><RequestId>R</RequestId><Code>C</Code><Message>m</Message><Recommend><![CDATA[https://x/?a=1&requestId=R]]></Recommend></Error>`, true),
		Entry("a body after a byte order mark", 200, "\uFEFF<?xml version=\"1.0\"?><Result>true</Result><RequestId>R</RequestId>", true),
		Entry("a DOCTYPE", 200, `<!DOCTYPE x [<!ENTITY a "b">]><Result>true</Result><RequestId>R</RequestId>`, false),
		Entry("text outside elements", 200, `junk<Result>true</Result><RequestId>R</RequestId>`, false),
		Entry("no element at all", 200, ``, false),
		Entry("unclosed elements", 200, `<Result>true`, false),
		Entry("nesting past the limit", 200, strings.Repeat("<a>", 40)+strings.Repeat("</a>", 40), false),
	)

	It("and JSON bodies are checked the same way", func() {
		Expect(validateResponse(doc, 200, spec.MediaTypeJSON, []byte(`{"Result":"yes","RequestId":"R"}`))).NotTo(Succeed())
		Expect(validateResponse(doc, 200, spec.MediaTypeJSON, []byte(`{"Result":true}`))).NotTo(Succeed())
		Expect(validateResponse(doc, 200, spec.MediaTypeJSON, []byte(`{"Result":true,"RequestId":"R"}`))).To(Succeed())
	})
})

var _ = Describe("the state table", func() {
	It("says interrupt is valid only from activating, which it leaves suspended", func() {
		table, err := spec.LoadStateTable()
		Expect(err).NotTo(HaveOccurred())
		Expect(table.Statuses()).To(ConsistOf(spec.StatusActivating, spec.StatusSuspended, spec.StatusActive, spec.StatusInactive, spec.StatusInvalid, spec.StatusUnknown))
		for _, row := range table.Rows() {
			if row.From == spec.StatusActivating {
				Expect(row.Succeeds()).To(BeTrue())
				Expect(row.To).To(Equal(spec.StatusSuspended))
				continue
			}
			Expect(row.Succeeds()).To(BeFalse(), string(row.From))
			Expect(row.To).To(Equal(row.From))
		}
		suspended, _ := table.Interrupt(spec.StatusSuspended)
		Expect(suspended.Code).To(Equal("AlreadyReceivedInterruptSignal"))
		active, _ := table.Interrupt(spec.StatusActive)
		Expect(active.Code).To(Equal("InstanceStatusNotSupportCurrentAction"))
		_, ok := table.Interrupt("frozen")
		Expect(ok).To(BeFalse())
		_, err = table.ParseStatus("frozen")
		Expect(err).To(HaveOccurred())
		_, err = spec.ParseStatus("frozen")
		Expect(err).To(MatchError(spec.ErrUnknownStatus))
		for _, want := range table.Statuses() {
			st, err := spec.ParseStatus(string(want))
			Expect(err).NotTo(HaveOccurred())
			Expect(st).To(Equal(want))
		}
		for _, s := range []string{"", "Active", "initializing", "suspended "} {
			_, err := spec.ParseStatus(s)
			Expect(err).To(MatchError(spec.ErrUnknownStatus), s)
		}
	})

	It("rejects a table with a duplicate status, an unknown code, two successes or a refused row that moves", func() {
		for _, mutate := range []func(rows []any){
			func(rows []any) { rows[1].(map[string]any)["from"] = "activating" },
			func(rows []any) { rows[1].(map[string]any)["code"] = "NoSuchCode" },
			func(rows []any) { delete(rows[1].(map[string]any), "code") },
			func(rows []any) { rows[2].(map[string]any)["to"] = "suspended" },
			func(rows []any) { rows[0].(map[string]any)["to"] = "nowhere" },
			func(rows []any) { rows[0].(map[string]any)["when"] = "always" },
		} {
			doc, err := spec.New()
			Expect(err).NotTo(HaveOccurred())
			op, err := spec.Operation(doc)
			Expect(err).NotTo(HaveOccurred())
			mutate(op.Extensions[spec.StateTableExtension].([]any))
			_, err = spec.StateTableOf(doc)
			Expect(err).To(HaveOccurred())
		}
	})
})
