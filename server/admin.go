package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/es-openapi/interrupt/spec"
)

// The admin API seeds and inspects instances while the server runs, for test fixtures. It is
// served under AdminPrefix only when Config.Admin is set, is never signed or rate-limited, and
// answers in JSON whatever the Accept header says:
//
//	GET  /-/admin/instances       200 {"requestId":"...","instances":{"<id>":"<status>",...}}
//	GET  /-/admin/instances/{id}  200 {"requestId":"...","id":"<id>","status":"<status>"},
//	                              or 400 InstanceNotFound
//	PUT  /-/admin/instances/{id}  body {"status":"<status>"}: creates or updates the instance,
//	                              200 {"requestId":"...","id":"<id>","status":"<status>"}
//	DELETE /-/admin/instances/{id} removes the instance (so a contract run leaves none behind),
//	                              200 {"requestId":"...","id":"<id>","status":"<its last status>"},
//	                              or 400 InstanceNotFound
//	GET    /-/admin/faults        200 {"requestId":"...","faults":[{"id":1,"spec":"...","recorded":0,"remaining":2},...]}
//	POST   /-/admin/faults        body {"spec":"ServiceUnavailable,count=2"} (see Fault): adds it,
//	                              200 {"requestId":"...","id":1,"spec":"ServiceUnavailable,count=2"}
//	DELETE /-/admin/faults        removes every fault, 200 {"requestId":"...","cleared":<n>}
//
// Like every response, admin responses carry a fresh RequestId, also in x-acs-request-id.
// Errors are the document's Error body with catalogue codes: InvalidParameter for a bad id,
// status or body, InstanceNotFound, and InvalidAction.NotFound for any other path or method.

// adminInstance is the admin API's view of one instance.
type adminInstance struct {
	RequestID string `json:"requestId"`
	ID        string `json:"id"`
	Status    Status `json:"status"`
}

// adminList is the response to GET instances.
type adminList struct {
	RequestID string            `json:"requestId"`
	Instances map[string]Status `json:"instances"`
}

// adminPut is the body of PUT /-/admin/instances/{id}.
type adminPut struct {
	Status string `json:"status"`
}

// serveAdmin answers a request under AdminPrefix; rest is the escaped path after the prefix.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, x *exchange, rest string) {
	x.format = formatJSON
	switch rest {
	case "faults":
		s.serveAdminFaults(w, r, x)
	case "instances":
		if r.Method != http.MethodGet {
			s.fail(w, x, codeActionNotFound, "")
			return
		}
		s.adminJSON(w, x, adminList{RequestID: x.requestID, Instances: s.store.snapshot()})
	default:
		s.serveAdminInstance(w, r, x, rest)
	}
}

// serveAdminInstance answers /-/admin/instances/{id}: GET reads, PUT sets, DELETE removes.
func (s *Server) serveAdminInstance(w http.ResponseWriter, r *http.Request, x *exchange, rest string) {
	segment, ok := strings.CutPrefix(rest, "instances/")
	if !ok || segment == "" || strings.Contains(segment, "/") {
		s.fail(w, x, codeActionNotFound, "")
		return
	}
	id, err := url.PathUnescape(segment)
	if err != nil || s.validator.checkID(id) != nil {
		s.fail(w, x, codeInvalidParameter, "")
		return
	}
	var st Status
	found := true
	switch r.Method {
	case http.MethodGet:
		st, found = s.store.get(id)
	case http.MethodDelete:
		st, found = s.store.remove(id)
	case http.MethodPut:
		if st, ok = s.adminPutStatus(w, r, x, id); !ok {
			return
		}
	default:
		s.fail(w, x, codeActionNotFound, "")
		return
	}
	if !found {
		s.fail(w, x, codeInstanceNotFound, "")
		return
	}
	s.adminJSON(w, x, adminInstance{RequestID: x.requestID, ID: id, Status: st})
}

// adminPutStatus sets id's status from the body {"status": "..."}; when the body is not one,
// it writes InvalidParameter and reports false.
func (s *Server) adminPutStatus(w http.ResponseWriter, r *http.Request, x *exchange, id string) (Status, bool) {
	var in adminPut
	if err := readAdminJSON(w, r, &in); err != nil {
		s.fail(w, x, codeInvalidParameter, "")
		return "", false
	}
	st, err := spec.ParseStatus(in.Status)
	if err != nil {
		s.fail(w, x, codeInvalidParameter, "")
		return "", false
	}
	s.store.put(id, st)
	return st, true
}

// errAdminBody is readAdminJSON's error for a body that could not be read (over the cap).
var errAdminBody = errors.New("admin request body unreadable")

// readAdminJSON decodes an admin request's body into v strictly: no unknown field, one value, and
// nothing but white space after it (dec.More alone misses a stray "]" or "}").
func readAdminJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, ok := readBody(w, r.WithContext(r.Context())) // a copy: readBody replaces Body
	if !ok {
		return errAdminBody
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// adminJSON writes a 200 admin response. It carries x-acs-request-id like every other response.
func (s *Server) adminJSON(w http.ResponseWriter, x *exchange, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		s.responseErrorFallback(w, x, err)
		return
	}
	x.wrote, x.status, x.answerID = true, http.StatusOK, x.requestID
	h := w.Header()
	h.Set("Content-Type", formatJSON.contentType())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Acs-Request-Id", x.requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
