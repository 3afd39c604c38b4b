// Command clientdoc writes what the client package needs from the OpenAPI document besides the
// error codes (those are errcodes' errors_gen.go): the operationId, the JSON media type of its
// responses and the ClientToken schema's maxLength and pattern. With -wire it writes instead the
// operation's path around its InstanceId parameter, for package internal/wire, the path's one home.
//
// The client reads these generated constants rather than the document at run time, so it carries
// no OpenAPI or YAML package; a test fails when the committed file is not what this command makes
// from the document.
//
// Usage, from the client package (see its generate.go):
//
//	go run ../internal/gen/clientdoc -o document_gen.go
//
// and from internal/wire:
//
//	go run ../gen/clientdoc -wire -package wire -o path_gen.go
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/es-openapi/interrupt/internal/gen/genfile"
	"github.com/es-openapi/interrupt/spec"
)

func main() { command().Main() }

// run runs clientdoc on args with the given streams.
func run(args []string, stdout, stderr io.Writer) error { return command().Run(args, stdout, stderr) }

// command is clientdoc: genfile's command line plus -wire, which picks GenerateWire over
// Generate, both fed the facts read from the document.
func command() genfile.Command {
	wire := false
	return genfile.Command{
		Name:    "clientdoc",
		Package: "client",
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&wire, "wire", false, "write the operation's path for package internal/wire instead")
		},
		Generate: func(pkg string) ([]byte, error) {
			generate := Generate
			if wire {
				generate = GenerateWire
			}
			return fromDocument(pkg, generate)
		},
	}
}

// fromDocument reads the facts from the document and generates the file for package pkg.
func fromDocument(pkg string, generate func(string, Facts) ([]byte, error)) ([]byte, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	facts, err := Read(doc)
	if err != nil {
		return nil, err
	}
	return generate(pkg, facts)
}

// Facts are the document's facts the client needs.
type Facts struct {
	OperationID            string
	PathPrefix, PathSuffix string // the operation's path before and after {InstanceId}
	MediaTypeJSON          string // the JSON media type of the success response
	TokenMaxLength         uint64 // the ClientToken schema's maxLength
	TokenPattern           string // the ClientToken schema's pattern, a Go regexp
}

// Read finds the facts in doc: the POST operation whose operationId is spec.OperationID, its
// success response's JSON media type and the ClientToken schema.
func Read(doc *openapi3.T) (Facts, error) {
	f := Facts{OperationID: spec.OperationID}
	op, path, err := operation(doc)
	if err != nil {
		return Facts{}, err
	}
	var ok bool
	if f.PathPrefix, f.PathSuffix, ok = strings.Cut(path, "{InstanceId}"); !ok || strings.ContainsAny(f.PathSuffix, "{}") {
		return Facts{}, fmt.Errorf("path %s: want exactly one parameter, {InstanceId}", path)
	}
	if f.MediaTypeJSON, err = jsonMediaType(op); err != nil {
		return Facts{}, err
	}
	ref := doc.Components.Schemas["ClientToken"]
	if ref == nil || ref.Value == nil || ref.Value.MaxLength == nil || ref.Value.Pattern == "" {
		return Facts{}, errors.New("the ClientToken schema lacks maxLength or pattern")
	}
	if _, err := regexp.Compile(ref.Value.Pattern); err != nil {
		return Facts{}, fmt.Errorf("the ClientToken pattern is not a Go regexp: %w", err)
	}
	f.TokenMaxLength, f.TokenPattern = *ref.Value.MaxLength, ref.Value.Pattern
	return f, nil
}

// operation returns the POST operation with spec.OperationID and its path.
func operation(doc *openapi3.T) (*openapi3.Operation, string, error) {
	for path, item := range doc.Paths.Map() {
		if item.Post != nil && item.Post.OperationID == spec.OperationID {
			return item.Post, path, nil
		}
	}
	return nil, "", fmt.Errorf("no POST operation %s", spec.OperationID)
}

// jsonMediaType returns the one JSON media type (application/json or a +json type) of the
// operation's 200 response.
func jsonMediaType(op *openapi3.Operation) (string, error) {
	resp := op.Responses.Status(http.StatusOK)
	if resp == nil || resp.Value == nil {
		return "", errors.New("the operation has no 200 response")
	}
	var found []string
	for mt := range resp.Value.Content {
		base, _, err := mime.ParseMediaType(mt)
		if err == nil && (base == "application/json" || strings.HasSuffix(base, "+json")) {
			found = append(found, mt)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("the 200 response has %d JSON media types, want 1", len(found))
	}
	return found[0], nil
}

// Generate returns the gofmt'd source of the file for f.
func Generate(pkg string, f Facts) ([]byte, error) {
	var b bytes.Buffer
	genfile.Header(&b, "internal/gen/clientdoc", "spec/openapi.yaml", pkg)
	b.WriteString("// The OpenAPI document's facts the client needs (the error codes are in errors_gen.go).\n")
	b.WriteString("const (\n")
	b.WriteString("\t// operationID is the operation's operationId.\n")
	fmt.Fprintf(&b, "\toperationID = %s\n", strconv.Quote(f.OperationID))
	b.WriteString("\t// mediaTypeJSON is the JSON media type of the operation's responses.\n")
	fmt.Fprintf(&b, "\tmediaTypeJSON = %s\n", strconv.Quote(f.MediaTypeJSON))
	b.WriteString("\t// clientTokenMaxLength and clientTokenPattern are the ClientToken schema's maxLength and pattern.\n")
	fmt.Fprintf(&b, "\tclientTokenMaxLength = %d\n", f.TokenMaxLength)
	fmt.Fprintf(&b, "\tclientTokenPattern = %s\n", quote(f.TokenPattern))
	b.WriteString(")\n")
	return genfile.Format(b.Bytes())
}

// GenerateWire returns the gofmt'd source of the operation's path for package pkg.
func GenerateWire(pkg string, f Facts) ([]byte, error) {
	var b bytes.Buffer
	genfile.Header(&b, "internal/gen/clientdoc", "spec/openapi.yaml", pkg)
	b.WriteString("// The operation's path, as the OpenAPI document writes it.\n")
	b.WriteString("const (\n")
	b.WriteString("\t// Path is the operation's path template.\n")
	fmt.Fprintf(&b, "\tPath = %s\n", strconv.Quote(f.PathPrefix+"{InstanceId}"+f.PathSuffix))
	b.WriteString("\t// PathPrefix and PathSuffix are the path around its one parameter, InstanceId.\n")
	fmt.Fprintf(&b, "\tPathPrefix = %s\n", strconv.Quote(f.PathPrefix))
	fmt.Fprintf(&b, "\tPathSuffix = %s\n", strconv.Quote(f.PathSuffix))
	b.WriteString(")\n")
	return genfile.Format(b.Bytes())
}

// quote writes s as a raw string literal when it can be one (a pattern reads best without
// doubled backslashes), else as an interpreted one.
func quote(s string) string {
	if strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
