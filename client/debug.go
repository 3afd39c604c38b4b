package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/es-openapi/interrupt/signing"
)

// debugKey is the context key of WithDebug's writer.
type debugKey struct{}

// WithDebug returns a copy of ctx under which InterruptElasticsearchTask writes every attempt to w
// (request, canonical request, string to sign, response or error), to find out why a signature
// does not match. The secret and the token are redacted, the Authorization signature is not; each
// request and response is one Write, so a w shared by concurrent calls must be safe for that.
func WithDebug(ctx context.Context, w io.Writer) context.Context {
	return context.WithValue(ctx, debugKey{}, w)
}

// debugWriter returns WithDebug's writer, or nil.
func debugWriter(ctx context.Context) io.Writer {
	w, _ := ctx.Value(debugKey{}).(io.Writer)
	return w
}

// debugSecrets is r without the Authorization value (newRedactor's last secret): the dump shows
// the signature, which is not a secret, and keeps replacing the AccessKeySecret and the token.
func debugSecrets(r redactor) redactor {
	r.secrets[2] = ""
	return r
}

// debugRequest writes a signed request, its canonical request and its string to sign.
func debugRequest(ctx context.Context, req *http.Request, r redactor) {
	w := debugWriter(ctx)
	if w == nil {
		return
	}
	var b strings.Builder
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	fmt.Fprintf(&b, "> %s %s\n> Host: %s\n", req.Method, req.URL.String(), host)
	dumpHeaders(&b, "> ", req.Header)
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(body)
			_ = body.Close()
			dumpBody(&b, "> ", data)
		}
	}
	dumpSigned(&b, req, host)
	_, _ = io.WriteString(w, debugSecrets(r).redact(b.String()))
}

// dumpSigned writes what the request's Authorization was computed from, as package signing
// computes it; the scheme is read from the Authorization header.
func dumpSigned(b *strings.Builder, req *http.Request, host string) {
	auth := req.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, "ACS3-HMAC-SHA256 "):
		cr := signing.CanonicalRequestV3(req.Method, req.URL.EscapedPath(), req.URL.Query(),
			req.Header, host, req.Header.Get("X-Acs-Content-Sha256"))
		dumpBlock(b, "canonical request (ACS3-HMAC-SHA256)", cr)
		dumpBlock(b, "string to sign", signing.StringToSignV3(cr))
	case strings.HasPrefix(auth, "acs "):
		// ROA v1 signs its canonical form directly: there is no separate canonical request.
		dumpBlock(b, "string to sign (ROA v1, HMAC-SHA1; it is the canonical request)",
			signing.StringToSignROA(req.Method, req.Header, req.URL.EscapedPath(), req.URL.Query()))
	}
}

// debugResponse writes an attempt's response, or the error that stopped it once it was signed.
// It reads the body and puts an identical one back, the read error included.
func debugResponse(ctx context.Context, resp *http.Response, err error, st *operationCall) {
	w := debugWriter(ctx)
	if w == nil || st.editErr != nil { // nothing was sent: debugRequest wrote nothing either
		return
	}
	r := debugSecrets(st.redactor)
	if err != nil || resp == nil {
		_, _ = io.WriteString(w, r.redact(fmt.Sprintf("< no response: %v\n\n", err)))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "< %s %s\n", resp.Proto, resp.Status)
	dumpHeaders(&b, "< ", resp.Header)
	if resp.Body != nil {
		data, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), replayErr{rerr}))
		dumpBody(&b, "< ", data)
		if rerr != nil {
			fmt.Fprintf(&b, "< (body cut short: %v)\n", rerr)
		}
	}
	b.WriteString("\n")
	_, _ = io.WriteString(w, r.redact(b.String()))
}

// replayErr returns err (io.EOF for nil) on every read, ending a replayed body as the original
// ended.
type replayErr struct{ err error }

func (e replayErr) Read([]byte) (int, error) {
	if e.err == nil {
		return 0, io.EOF
	}
	return 0, e.err
}

// dumpHeaders writes h one "Name: value" line per value, sorted by name.
func dumpHeaders(b *strings.Builder, prefix string, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range h[k] {
			b.WriteString(prefix + k + ": " + v + "\n")
		}
	}
}

// dumpBody writes a body after an empty line; a body that is not UTF-8 is quoted.
func dumpBody(b *strings.Builder, prefix string, data []byte) {
	b.WriteString(strings.TrimSpace(prefix) + "\n")
	if len(data) == 0 {
		return
	}
	text := string(data)
	if !utf8.Valid(data) {
		text = strconv.Quote(text)
	}
	b.WriteString(text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\n")
	}
}

// dumpBlock writes a titled multi-line text, indented.
func dumpBlock(b *strings.Builder, title, text string) {
	b.WriteString(title + ":\n")
	for line := range strings.SplitSeq(text, "\n") {
		b.WriteString("  " + line + "\n")
	}
}
