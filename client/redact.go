package client

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/es-openapi/interrupt/internal/redact"
)

// excerptLen is how much of an unexpected body an error quotes.
const excerptLen = 128

// redactor removes the credentials of one attempt from everything a server sent back that the
// client surfaces (body fields, headers, excerpts, errors): a server may echo them, as the ROA
// string to sign in a SignatureDoesNotMatch message holds the x-acs-security-token header.
type redactor struct {
	secrets [3]string
}

// newRedactor takes the attempt's credentials and its Authorization header value.
func newRedactor(c StaticCredentials, authorization string) redactor {
	return redactor{secrets: [3]string{c.SecurityToken, c.AccessKeySecret, authorization}}
}

// redact returns s with every secret replaced.
func (r redactor) redact(s string) string {
	for _, sec := range r.secrets {
		if sec != "" && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, redact.Placeholder)
		}
	}
	return s
}

// redactCode returns an error code with the secrets replaced, except a code of the catalogue,
// which is kept as sent so that errors.Is and Retryable still match it (a one-character
// secret inside "ServiceUnavailable" is no leak).
func (r redactor) redactCode(code string) string {
	if _, ok := lookupCode(code); ok {
		return code
	}
	return r.redact(code)
}

// excerpt quotes the start of body for an error message, secrets removed. The whole body is
// redacted before it is cut, so a secret straddling the cut cannot leak in part.
func (r redactor) excerpt(body []byte) string {
	text := r.redact(string(body))
	if len(text) > excerptLen {
		return strconv.Quote(text[:excerptLen]) + "..."
	}
	return strconv.Quote(text)
}

// wrap returns err, or, when its message holds a secret, an error that prints it redacted and
// unwraps to err (so errors.Is and errors.As still reach the transport's errors).
func (r redactor) wrap(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); r.redact(msg) != msg {
		return redactedError{err: err, r: r}
	}
	return err
}

// redactedError is an error whose message the server may have written, printed redacted.
type redactedError struct {
	err error
	r   redactor
}

func (e redactedError) Error() string { return e.r.redact(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// header returns h, or a copy with the secrets replaced in every name and value that holds
// one: a server (or a proxy) may echo the request's headers in its own.
func (r redactor) header(h http.Header) http.Header {
	var out http.Header
	for k, vs := range h {
		rk := r.redact(k)
		changed := rk != k
		for _, v := range vs {
			if r.redact(v) != v {
				changed = true
				break
			}
		}
		if !changed {
			continue
		}
		if out == nil {
			out = h.Clone()
		}
		delete(out, k)
		rvs := make([]string, len(vs))
		for i, v := range vs {
			rvs[i] = r.redact(v)
		}
		out[rk] = rvs
	}
	if out == nil {
		return h
	}
	return out
}
