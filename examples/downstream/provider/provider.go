// Package provider is a small, in-memory implementation of InterruptElasticsearchTask built on the
// types and server interface this repository generates (package api). Its test suite proves it
// keeps the contract by running github.com/es-openapi/interrupt/contract against it.
package provider

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/es-openapi/interrupt/spec"

	"example.com/downstream/api"
)

// operationPath matches the operation's escaped path and captures the escaped InstanceId.
var operationPath = regexp.MustCompile(`^/openapi/instances/([^/]*)/actions/interrupt$`)

// Service keeps instances and clientTokens in memory.
type Service struct {
	route  *routers.Route
	codes  *spec.Catalogue
	states *spec.StateTable

	mu        sync.Mutex
	instances map[string]string
	tokens    map[string]remembered
}

// remembered is the first answer given to a clientToken.
type remembered struct {
	instanceID string
	status     int
	body       any
}

var _ api.ServerInterface = (*Service)(nil)

// New returns the service's HTTP handler, seeded with instances (id to status).
func New(instances map[string]string) (http.Handler, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	route, err := spec.OperationRoute(doc)
	if err != nil {
		return nil, err
	}
	codes, err := spec.LoadCatalogue()
	if err != nil {
		return nil, err
	}
	states, err := spec.LoadStateTable()
	if err != nil {
		return nil, err
	}
	s := &Service{
		route:     route,
		codes:     codes,
		states:    states,
		instances: map[string]string{},
		tokens:    map[string]remembered{},
	}
	for id, st := range instances {
		s.instances[id] = st
	}
	generated := api.HandlerWithOptions(s, api.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, _ error) { s.fail(w, r, "InvalidParameter") },
	})
	return s.guard(generated), nil
}

// guard answers what the generated ServeMux would get wrong (it redirects, and writes text/plain
// for unknown paths and methods) and validates the request against the document.
func (s *Service) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := operationPath.FindStringSubmatch(r.URL.EscapedPath())
		switch {
		case m == nil || r.Method != http.MethodPost:
			s.fail(w, r, "InvalidAction.NotFound")
			return
		case m[1] == "":
			s.fail(w, r, "MissingParameter")
			return
		}
		id, err := url.PathUnescape(m[1])
		if err != nil {
			s.fail(w, r, "InvalidParameter")
			return
		}
		input := &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: map[string]string{"InstanceId": id},
			Route:      s.route,
			Options: &openapi3filter.Options{
				AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc,
				RejectWhenRequestBodyNotSpecified: true,
			},
		}
		if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil || hasBody(r) || !onlyClientToken(r.URL.RawQuery) {
			s.fail(w, r, "InvalidParameter")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hasBody reports a request body, of declared or unknown (chunked) length: the operation takes none.
func hasBody(r *http.Request) bool {
	if r.ContentLength > 0 {
		return true
	}
	if r.ContentLength < 0 && r.Body != nil {
		var one [1]byte
		n, _ := r.Body.Read(one[:])
		return n > 0
	}
	return false
}

// onlyClientToken reports a well-formed query that carries no parameter but clientToken (rule
// input-strictness).
func onlyClientToken(rawQuery string) bool {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return false
	}
	for name := range q {
		if name != "clientToken" {
			return false
		}
	}
	return true
}

// InterruptElasticsearchTask applies the document's state table: only an activating instance
// can be interrupted, and it becomes suspended.
func (s *Service) InterruptElasticsearchTask(w http.ResponseWriter, r *http.Request, instanceID string, params api.InterruptElasticsearchTaskParams) {
	s.mu.Lock()
	defer s.mu.Unlock()
	token := ""
	if params.ClientToken != nil {
		token = *params.ClientToken
	}
	if first, ok := s.tokens[token]; ok && token != "" {
		if first.instanceID != instanceID {
			s.fail(w, r, "IdempotentParameterMismatch")
			return
		}
		write(w, r, first.status, first.body)
		return
	}
	var status int
	var body any
	row, known := s.states.Interrupt(spec.InstanceStatus(s.instances[instanceID]))
	switch {
	case !known:
		status, body = s.errorBody("InstanceNotFound")
	case row.Succeeds():
		s.instances[instanceID] = string(row.To)
		status, body = http.StatusOK, api.InterruptElasticsearchTaskResult{Result: true, RequestId: newRequestID()}
	default:
		status, body = s.errorBody(row.Code)
	}
	if token != "" {
		s.tokens[token] = remembered{instanceID: instanceID, status: status, body: body}
	}
	write(w, r, status, body)
}

// errorBody builds the Error answer of a catalogue code, with its documented status and message.
func (s *Service) errorBody(code string) (int, api.Error) {
	entry, _ := s.codes.Lookup(code)
	return entry.Status, api.Error{RequestId: newRequestID(), HostId: "elasticsearch.downstream.local", Code: code, Message: entry.Message}
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, code string) {
	status, body := s.errorBody(code)
	write(w, r, status, body)
}

// write responds in XML, labelled as the service labels it, unless the request's Accept prefers
// JSON (the document's rule default-format).
func write(w http.ResponseWriter, r *http.Request, status int, body any) {
	var out bytes.Buffer
	if spec.RespondsInXML(r.Header.Values("Accept")) {
		root := "Error"
		if _, ok := body.(api.InterruptElasticsearchTaskResult); ok {
			root = "InterruptElasticsearchTaskResponse"
		}
		out.WriteString(xml.Header)
		if err := xml.NewEncoder(&out).EncodeElement(body, xml.StartElement{Name: xml.Name{Local: root}}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", spec.MediaTypeXMLWire)
	} else {
		if err := json.NewEncoder(&out).Encode(body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
