package contract

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
)

// The document statements the wire-level signature checks judge by.
const (
	statementV3  = "components.securitySchemes.acs3HmacSha256: the signature covers the canonical request (method, canonical URI, canonical query, canonical headers: host, content-type and every x-acs-* header, signed header names, payload hash)"
	statementROA = "components.securitySchemes.roaV1HmacSha1: the signature covers method, accept, content-md5, content-type, date, every x-acs-* header, the path and the sorted, unencoded query"
	statementTS  = "x-error-codes InvalidTimeStamp.Expired: a date more than 15 minutes away from the server's clock"
	statementSTS = "x-error-codes InvalidSecurityToken.MismatchWithAccessKey, and acs3HmacSha256: with STS credentials the client sets x-acs-security-token"
)

// LabelSignatureWire selects the wire-level signature checks.
const LabelSignatureWire = "signature-wire"

// signatureRefusals are the catalogue's codes of a refused signature (preflight's
// signatureTriggers).
func (e *Env) signatureRefusals() []string {
	var codes []string
	for _, entry := range e.catalogue.Codes() {
		if signatureTriggers[entry.Trigger] {
			codes = append(codes, entry.Code)
		}
	}
	return codes
}

// wireVerdict is what a wire-level signature case must get.
type wireVerdict uint8

const (
	// accepted: the signature is valid, so the request reaches the operation, which does not
	// know the instance (or refuses what else is wrong with the request, but not the signature).
	accepted wireVerdict = iota
	// refused: one of the catalogue's signature refusals.
	refused
	// refusedAny: any documented refusal. The request breaks the document in two ways (here: a
	// body the operation does not take, with a Content-MD5 that the ROA description signs but
	// does not say is checked against the body), so the document does not say which is reported.
	refusedAny
)

// wireCase is a request signed the way a real client does, or the way an attacker tries.
type wireCase struct {
	name      string
	statement string
	verdict   wireVerdict
	call      func(env *Env) requestSpec
}

// signedThen signs a request as darabonba does with scheme, then lets change alter it.
func signedThen(scheme signing.Scheme, change func(r *http.Request, creds signing.Credentials)) func(*http.Request, signing.Credentials) error {
	return func(r *http.Request, creds signing.Credentials) error {
		nonce := ids.UUID()
		if err := signAlibaba(r, scheme, creds, time.Now(), nonce); err != nil {
			return err
		}
		change(r, creds)
		return nil
	}
}

// withSignedHeaders rewrites the SignedHeaders list of a V3 Authorization.
func withSignedHeaders(edit func(names []string) string) func(*http.Request, signing.Credentials) {
	return func(r *http.Request, _ signing.Credentials) {
		auth := r.Header.Get("Authorization")
		start := strings.Index(auth, "SignedHeaders=")
		if start < 0 {
			return
		}
		start += len("SignedHeaders=")
		end := start + strings.IndexByte(auth[start:], ',')
		names := strings.Split(auth[start:end], ";")
		r.Header.Set("Authorization", auth[:start]+edit(names)+auth[end:])
	}
}

// repeat sends header name twice with the value it was signed with.
func repeat(name string) func(*http.Request, signing.Credentials) {
	return func(r *http.Request, _ signing.Credentials) {
		r.Header.Add(name, r.Header.Get(name))
	}
}

// wireCases are the signature's wire details, in the order their checks run.
func wireCases() []wireCase {
	return slices.Concat(v3WireCases(), timestampWireCases(), roaWireCases(), stsWireCases())
}

// v3Signed is a request signed with V3 and then changed by change.
func v3Signed(change func(*http.Request, signing.Credentials)) func(*Env) requestSpec {
	return func(*Env) requestSpec {
		return requestSpec{id: unknownID(), rawSign: signedThen(signing.SchemeV3, change)}
	}
}

// roaSigned is a request signed with ROA and then changed by change.
func roaSigned(change func(*http.Request, signing.Credentials)) func(*Env) requestSpec {
	return func(*Env) requestSpec {
		return requestSpec{id: unknownID(), rawSign: signedThen(signing.SchemeROA, change)}
	}
}

// withRawQuery is a V3 request with query sent as is.
func withRawQuery(query string) func(*Env) requestSpec {
	return func(*Env) requestSpec { return requestSpec{id: unknownID(), rawQuery: query} }
}

// v3WireCases: SignedHeaders, repeated headers, and ids, tokens and paths as the page prints them.
func v3WireCases() []wireCase {
	return []wireCase{
		{"v3 SignedHeaders in reverse order", statementV3, accepted, v3Signed(withSignedHeaders(func(n []string) string {
			slices.Reverse(n)
			return strings.Join(n, ";")
		}))},
		{"v3 SignedHeaders with a name twice", statementV3, refused, v3Signed(withSignedHeaders(func(n []string) string {
			return strings.Join(append(n, n[0]), ";")
		}))},
		{"v3 empty SignedHeaders", statementV3, refused, v3Signed(withSignedHeaders(func([]string) string { return "" }))},
		{"v3 SignedHeaders with an empty name", statementV3, refused, v3Signed(withSignedHeaders(func(n []string) string {
			return strings.Join(n, ";;")
		}))},
		{"v3 SignedHeaders without host", statementV3, refused, v3Signed(func(r *http.Request, creds signing.Credentials) {
			req := teaRequest(r)
			delete(req.Headers, "host")
			r.Header.Set("Authorization", authorizationV3Of(req, creds, r.Header.Get("x-acs-content-sha256")))
		})},
		{"v3 an unsigned x-acs header", statementV3, refused, v3Signed(func(r *http.Request, _ signing.Credentials) {
			r.Header.Set("x-acs-unsigned", "injected")
		})},
		{"v3 x-acs-date twice", statementV3, refused, v3Signed(repeat("x-acs-date"))},
		{"v3 nonce twice", statementV3, refused, v3Signed(repeat("x-acs-signature-nonce"))},
		{"v3 x-acs-content-sha256 twice", statementV3, refused, v3Signed(repeat("x-acs-content-sha256"))},
		{"v3 Authorization twice", statementV3, refused, v3Signed(repeat("Authorization"))},
		{"v3 signed over another payload hash", statementV3, refused, v3Signed(func(r *http.Request, creds signing.Credentials) {
			r.Header.Set("x-acs-content-sha256", strings.Repeat("0", 64))
			r.Header.Set("Authorization", authorizationV3(r, creds, strings.Repeat("0", 64)))
		})},
		{"v3 id masked with * as the page prints it", statementV3, accepted, func(*Env) requestSpec {
			return requestSpec{id: "es-cn-n6w1o1x0w001c" + ids.Hex(4) + "****"}
		}},
		{"v3 token with a space sent as +", statementV3, accepted, withRawQuery("clientToken=a+b" + ids.Hex(4))},
		{"v3 token with * ~ and %", statementV3, accepted, withRawQuery("clientToken=a*b~c%25" + ids.Hex(4))},
		{"v3 token with reserved characters", statementV3, accepted, withRawQuery("clientToken=" + "%21%27%28%29%2B%2C%2F%3A%3D%40" + ids.Hex(4))},
		{"v3 token with the edges of the unreserved set", statementV3, accepted, withRawQuery("clientToken=AZaz09-_.~" + ids.Hex(4))},
		{"v3 path with a raw * as the page masks ids", statementV3, accepted, func(*Env) requestSpec {
			return requestSpec{rawPath: wire.PathPrefix + "es-cn-n6w1o1x0w001c" + ids.Hex(4) + "****" + wire.PathSuffix}
		}},
		{"v3 path with an escaped space before a raw *", statementV3, accepted, func(*Env) requestSpec {
			return requestSpec{rawPath: wire.PathPrefix + "es-cn-a%20b" + ids.Hex(4) + "*" + wire.PathSuffix}
		}},
		{"v3 path with an escaped letter", statementV3, accepted, func(*Env) requestSpec {
			return requestSpec{rawPath: wire.PathPrefix + "es-cn-%4E" + ids.Hex(4) + wire.PathSuffix}
		}},
		{"v3 path with %7E", statementV3, accepted, func(*Env) requestSpec {
			return requestSpec{rawPath: wire.PathPrefix + "es-cn-a%7E" + ids.Hex(4) + wire.PathSuffix}
		}},
		{"v3 path with a raw +", statementV3, accepted, func(*Env) requestSpec {
			return requestSpec{rawPath: wire.PathPrefix + "es-cn-a+" + ids.Hex(4) + wire.PathSuffix}
		}},
	}
}

// timestampWireCases: the dates either side of the 15-minute window.
func timestampWireCases() []wireCase {
	return []wireCase{
		{"v3 date five minutes ahead", statementTS, accepted, func(*Env) requestSpec {
			return requestSpec{id: unknownID(), date: time.Now().Add(5 * time.Minute)}
		}},
		{"v3 date fourteen minutes old", statementTS, accepted, func(*Env) requestSpec {
			return requestSpec{id: unknownID(), date: time.Now().Add(-14 * time.Minute)}
		}},
		{"v3 date sixteen minutes ahead", statementTS, refused, func(*Env) requestSpec {
			return requestSpec{id: unknownID(), date: time.Now().Add(16 * time.Minute)}
		}},
		{"roa date five minutes ahead", statementTS, accepted, func(*Env) requestSpec {
			return requestSpec{id: unknownID(), scheme: signing.SchemeROA, date: time.Now().Add(5 * time.Minute)}
		}},
	}
}

// roaWireCases: ROA's repeated and missing headers, bodies and the older SDK's escaping.
func roaWireCases() []wireCase {
	return []wireCase{
		{"roa Date twice", statementROA, refused, roaSigned(repeat("Date"))},
		{"roa nonce twice", statementROA, refused, roaSigned(repeat("x-acs-signature-nonce"))},
		{"roa without Date", statementROA, refused, roaSigned(func(r *http.Request, _ signing.Credentials) { r.Header.Del("Date") })},
		{"roa Content-MD5 twice", statementROA, refused, func(*Env) requestSpec {
			return requestSpec{id: unknownID(), rawSign: func(r *http.Request, creds signing.Credentials) error {
				if err := signOlderSDK(r, creds); err != nil {
					return err
				}
				repeat("Content-MD5")(r, creds)
				return nil
			}}
		}},
		{"roa another signature method", statementROA, refused, roaSigned(func(r *http.Request, creds signing.Credentials) {
			r.Header.Set("x-acs-signature-method", "HMAC-SHA256")
			r.Header.Set("Authorization", authorizationROA(r, creds))
		})},
		{"roa with a body and its Content-MD5", statementROA, accepted, func(*Env) requestSpec {
			return requestSpec{id: unknownID(), scheme: signing.SchemeROA, body: []byte(`{"a":1}`)}
		}},
		{"roa with a body and a Content-MD5 of another body", statementROA, refusedAny, roaSigned(func(r *http.Request, creds signing.Credentials) {
			setBody(r, []byte(`{"a":2}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
			r.Header.Set("Authorization", authorizationROA(r, creds))
		})},
		{"roa with a body and no Content-MD5", statementROA, refusedAny, roaSigned(func(r *http.Request, creds signing.Credentials) {
			setBody(r, []byte(`{"a":3}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", authorizationROA(r, creds))
		})},
		{"roa as the older SDK signs an id with a space", statementROA, accepted, func(*Env) requestSpec {
			return requestSpec{id: "es-cn-a b", rawSign: func(r *http.Request, creds signing.Credentials) error {
				// The older SDK signs the decoded path while its transport escapes it.
				if err := signOlderSDK(r, creds); err != nil {
					return err
				}
				req := teaRequest(r)
				req.Pathname = tea.String(r.URL.Path)
				r.Header.Set("Authorization", authorizationROAOf(req, creds))
				return nil
			}}
		}},
		{"roa with an empty body of unknown length", statementROA, accepted, roaSigned(func(r *http.Request, creds signing.Credentials) {
			setBody(r, []byte{})
			unknownLength(r)
		})},
		{"roa token with a space sent as +", statementROA, accepted, func(*Env) requestSpec {
			return requestSpec{id: unknownID(), scheme: signing.SchemeROA, rawQuery: "clientToken=r+" + ids.Hex(4)}
		}},
	}
}

// stsWireCases: a security token the key does not have, or a missing one.
func stsWireCases() []wireCase {
	return []wireCase{
		{"security token omitted, or sent for a key without one", statementSTS, refused, func(env *Env) requestSpec {
			creds := *env.target.Credentials
			if creds.SecurityToken != "" {
				creds.SecurityToken = ""
			} else {
				creds.SecurityToken = "unexpected-" + ids.Hex(8)
			}
			return requestSpec{id: unknownID(), creds: &creds}
		}},
	}
}

func signatureWireChecks() []Check {
	var out []Check
	for _, wc := range wireCases() {
		verdict := "accepted (the response is the operation's, not a signature refusal)"
		switch wc.verdict {
		case refused:
			verdict = "refused with a signature code"
		case refusedAny:
			verdict = "refused with a documented 4xx error"
		}
		out = append(out, Check{
			ID:        "signature-wire/" + slug(wc.name),
			Title:     fmt.Sprintf("%s: %s", wc.name, verdict),
			Statement: wc.statement,
			Labels:    []string{LabelSignatureWire, LabelSignature},
			Needs:     Needs{Credentials: true},
			Run: func(ctx context.Context, env *Env) error {
				if err := needCredentials(env); err != nil {
					return err
				}
				a, err := env.do(ctx, wc.call(env))
				if err != nil {
					return err
				}
				switch wc.verdict {
				case refused:
					return env.expectOneOf(a, env.signatureRefusals())
				case refusedAny:
					return env.expectRefusal(a)
				}
				return env.expectSignatureAccepted(a)
			},
		})
	}
	return out
}

// expectSignatureAccepted asserts that a is the operation's response to a request whose signature
// passed: InstanceNotFound for the unknown instance, or a documented refusal of something else
// about the request, but no signature code.
func (e *Env) expectSignatureAccepted(a *observed) error {
	if a.apiErr != nil && slices.Contains(e.signatureRefusals(), a.apiErr.Code) {
		return fmt.Errorf("want the signature accepted, got %s", a.describe())
	}
	if a.apiErr != nil && a.apiErr.Code == "InstanceNotFound" {
		return e.expectError(a, "InstanceNotFound")
	}
	return e.expectRefusal(a)
}
