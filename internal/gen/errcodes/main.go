// Command errcodes writes the client package's error-code sentinels and its copy of the
// catalogue (status, message, retryable per code) from the error-code catalogue of the OpenAPI
// document (the operation's x-error-codes extension, read through spec.LoadCatalogue).
//
// The client reads the catalogue from the generated table rather than from the document at run
// time, so it carries no OpenAPI or YAML package; the document stays the single source, and a
// test fails when the committed file is not what this command makes from it.
//
// Usage, from the client package (see its generate.go):
//
//	go run ../internal/gen/errcodes -o errors_gen.go
package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"io"
	"strings"
	"unicode"

	"github.com/es-openapi/interrupt/internal/gen/genfile"
	"github.com/es-openapi/interrupt/spec"
)

func main() { command().Main() }

// run runs errcodes on args with the given streams.
func run(args []string, stdout, stderr io.Writer) error { return command().Run(args, stdout, stderr) }

// command is errcodes: genfile's command line around Generate fed from the document's catalogue.
func command() genfile.Command {
	return genfile.Command{Name: "errcodes", Package: "client", Generate: fromDocument}
}

// fromDocument generates the sentinel file for package pkg from the document's catalogue.
func fromDocument(pkg string) ([]byte, error) {
	cat, err := spec.LoadCatalogue()
	if err != nil {
		return nil, err
	}
	return Generate(pkg, cat.Codes())
}

// Generate returns the gofmt'd source of the sentinel file for codes, in catalogue order.
func Generate(pkg string, codes []spec.ErrorCode) ([]byte, error) {
	names, err := sentinelNames(codes)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	genfile.Header(&b, "internal/gen/errcodes", "the error-code catalogue of spec/openapi.yaml", pkg)
	writeSentinels(&b, codes, names)
	writeTable(&b, codes, names)
	return genfile.Format(b.Bytes())
}

// sentinelNames returns the sentinel name of each code, in catalogue order. An empty catalogue
// and two codes with one name are errors: the client would have nothing to match, or one
// sentinel for two codes.
func sentinelNames(codes []spec.ErrorCode) ([]string, error) {
	if len(codes) == 0 {
		return nil, errors.New("the catalogue is empty")
	}
	names := make([]string, len(codes))
	seen := make(map[string]string, len(codes)) // name to code
	for i, c := range codes {
		name, err := SentinelName(c.Code)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("codes %q and %q both map to the name %s", prev, c.Code, name)
		}
		seen[name] = c.Code
		names[i] = name
	}
	return names, nil
}

// writeSentinels writes the constant block of the sentinels, each with its code's meaning as
// its doc comment; names[i] is the name of codes[i].
func writeSentinels(b *bytes.Buffer, codes []spec.ErrorCode, names []string) {
	b.WriteString("// The error-code sentinels, one per entry of the operation's catalogue (the x-error-codes\n")
	b.WriteString("// extension of the OpenAPI document), in catalogue order. errors.Is(err, ErrInstanceNotFound)\n")
	b.WriteString("// matches an *APIError carrying that code. Status, message and retryability are in the\n")
	b.WriteString("// catalogue table below; see the methods of Code.\n")
	b.WriteString("const (\n")
	for i, c := range codes {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, line := range wrap(fmt.Sprintf("%s matches an *APIError with code %s. %s", names[i], c.Code, c.Meaning), 96) {
			fmt.Fprintf(b, "\t// %s\n", line)
		}
		fmt.Fprintf(b, "\t%s Code = %q\n", names[i], c.Code)
	}
	b.WriteString(")\n\n")
}

// writeTable writes the catalogue table the client looks codes up in: per code its status,
// whether it is retryable and its message, in catalogue order; names[i] is the name of codes[i].
func writeTable(b *bytes.Buffer, codes []spec.ErrorCode, names []string) {
	b.WriteString("// catalogue is the operation's error-code catalogue as the client uses it, in catalogue order.\n")
	b.WriteString("var catalogue = [...]catalogueEntry{\n")
	for i, c := range codes {
		fmt.Fprintf(b, "\t{code: %s, status: %d, retryable: %t, message: %q},\n", names[i], c.Status, c.Retryable, c.Message)
	}
	b.WriteString("}\n")
}

// initialisms are the words Go spells in capitals (the list golint used, plus STS), so a code
// word "Id" becomes "ID" and "Api" becomes "API".
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true,
	"GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true,
	"LHS": true, "QPS": true, "RAM": true, "RHS": true, "RPC": true, "SLA": true, "SMTP": true,
	"SQL": true, "SSH": true, "STS": true, "TCP": true, "TLS": true, "TTL": true, "UDP": true,
	"UI": true, "UID": true, "UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true,
	"XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// SentinelName returns the Go name of a code's sentinel: "Err", then the code's dot-separated
// parts with their camel-case words kept and Go initialisms in capitals, so
// "InvalidAccessKeyId.NotFound" gives ErrInvalidAccessKeyIDNotFound.
func SentinelName(code string) (string, error) {
	if code == "" {
		return "", errors.New("empty error code")
	}
	var b strings.Builder
	b.WriteString("Err")
	for _, part := range strings.Split(code, ".") {
		if part == "" {
			return "", fmt.Errorf("error code %q has an empty dot-separated part", code)
		}
		for _, w := range words(part) {
			if initialisms[strings.ToUpper(w)] {
				w = strings.ToUpper(w)
			} else {
				r := []rune(w)
				r[0] = unicode.ToUpper(r[0])
				w = string(r)
			}
			b.WriteString(w)
		}
	}
	name := b.String()
	if !token.IsIdentifier(name) || !token.IsExported(name) {
		return "", fmt.Errorf("error code %q does not give a Go identifier (got %q)", code, name)
	}
	return name, nil
}

// words splits a camel-case string into words: a new word starts at an upper-case letter that
// follows a lower-case letter or digit, or that precedes a lower-case letter after a run of
// capitals ("HTTPServer" is "HTTP", "Server").
func words(s string) []string {
	r := []rune(s)
	var out []string
	start := 0
	for i := 1; i < len(r); i++ {
		if !unicode.IsUpper(r[i]) {
			continue
		}
		prev := r[i-1]
		nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
		if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
			out = append(out, string(r[start:i]))
			start = i
		}
	}
	return append(out, string(r[start:]))
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) > width:
			lines = append(lines, line)
			line = w
		default:
			line += " " + w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
