package contract

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
)

// signatureCase is one way of signing (or mis-signing) a request and the code it must get.
type signatureCase struct {
	name    string
	request func(env *Env) requestSpec
	// code is the error the target must respond with; "" means the signature is accepted, so an
	// unknown instance answers InstanceNotFound.
	code string
}

// signatureCases are the ways of signing checked one by one, in the order their checks run.
func signatureCases() []signatureCase {
	return slices.Concat(acceptedSignatureCases(), mismatchedSignatureCases(), expiredSignatureCases(), incompleteSignatureCases())
}

// asIs sends c whatever the target.
func asIs(c requestSpec) func(*Env) requestSpec { return func(*Env) requestSpec { return c } }

// acceptedSignatureCases: signatures both schemes and the older SDK make, which must pass.
func acceptedSignatureCases() []signatureCase {
	return []signatureCase{
		{name: "v3 accepted", request: asIs(requestSpec{scheme: signing.SchemeV3})},
		{name: "v3 with x-acs-credentials-provider accepted", request: asIs(requestSpec{scheme: signing.SchemeV3, signHeaders: http.Header{"X-Acs-Credentials-Provider": {"static_ak"}}})},
		{name: "roa with a nonce accepted", request: asIs(requestSpec{scheme: signing.SchemeROA})},
		{name: "roa as the older SDK sends it accepted", request: asIs(requestSpec{rawSign: signOlderSDK})},
	}
}

// mismatchedSignatureCases: a request changed after signing, or signed with a wrong secret.
func mismatchedSignatureCases() []signatureCase {
	return []signatureCase{
		{name: "v3 path changed", code: "SignatureDoesNotMatch", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.URL.Path, r.URL.RawPath = wire.OperationPath("es-cn-other"), ""
		}})},
		{name: "v3 query changed", code: "SignatureDoesNotMatch", request: asIs(requestSpec{scheme: signing.SchemeV3, token: "before", edit: func(r *http.Request) {
			r.URL.RawQuery = "clientToken=after"
		}})},
		{name: "v3 signed header changed", code: "SignatureDoesNotMatch", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Set("x-acs-version", "2017-06-14")
		}})},
		{name: "v3 body added", code: "SignatureDoesNotMatch", request: asIs(requestSpec{scheme: signing.SchemeV3, body: []byte{}, edit: func(r *http.Request) {
			setBody(r, []byte(`{"injected":true}`))
		}})},
		{name: "v3 wrong secret", code: "SignatureDoesNotMatch", request: func(env *Env) requestSpec {
			wrong := *env.target.Credentials
			wrong.AccessKeySecret += "x"
			return requestSpec{scheme: signing.SchemeV3, creds: &wrong}
		}},
		{name: "roa wrong secret", code: "SignatureDoesNotMatch", request: func(env *Env) requestSpec {
			wrong := *env.target.Credentials
			wrong.AccessKeySecret += "x"
			return requestSpec{scheme: signing.SchemeROA, creds: &wrong}
		}},
		{name: "roa path changed", code: "SignatureDoesNotMatch", request: asIs(requestSpec{scheme: signing.SchemeROA, edit: func(r *http.Request) {
			r.URL.Path, r.URL.RawPath = wire.OperationPath("es-cn-other"), ""
		}})},
	}
}

// expiredSignatureCases: dates outside the window.
func expiredSignatureCases() []signatureCase {
	return []signatureCase{
		{name: "v3 date an hour old", code: "InvalidTimeStamp.Expired", request: asIs(requestSpec{scheme: signing.SchemeV3, date: time.Now().Add(-time.Hour)})},
		{name: "roa date an hour ahead", code: "InvalidTimeStamp.Expired", request: asIs(requestSpec{scheme: signing.SchemeROA, date: time.Now().Add(time.Hour)})},
	}
}

// incompleteSignatureCases: signing headers or Authorization parts missing, and an unknown key.
func incompleteSignatureCases() []signatureCase {
	return []signatureCase{
		{name: "v3 no Authorization", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Del("Authorization")
		}})},
		{name: "v3 no x-acs-date", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Del("x-acs-date")
		}})},
		{name: "v3 no nonce", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Del("x-acs-signature-nonce")
		}})},
		{name: "malformed Authorization", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256 garbage")
		}})},
		{name: "v3 Authorization with the algorithm only", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256")
		}})},
		{name: "v3 Authorization without Signature", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Set("Authorization", withoutPart(r.Header.Get("Authorization"), "Signature"))
		}})},
		{name: "v3 Authorization without Credential", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeV3, edit: func(r *http.Request) {
			r.Header.Set("Authorization", withoutPart(r.Header.Get("Authorization"), "Credential"))
		}})},
		{name: "roa Authorization without a colon", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeROA, edit: func(r *http.Request) {
			ak, _, _ := strings.Cut(r.Header.Get("Authorization"), ":")
			r.Header.Set("Authorization", ak)
		}})},
		{name: "roa Authorization with an empty signature", code: "IncompleteSignature", request: asIs(requestSpec{scheme: signing.SchemeROA, edit: func(r *http.Request) {
			ak, _, _ := strings.Cut(r.Header.Get("Authorization"), ":")
			r.Header.Set("Authorization", ak+":")
		}})},
		{name: "unknown access key", code: "InvalidAccessKeyId.NotFound", request: func(*Env) requestSpec {
			return requestSpec{creds: &signing.Credentials{AccessKeyID: "LTAIcontract" + ids.Hex(8), AccessKeySecret: "s"}}
		}},
	}
}

// withoutPart removes the part named name from a V3 Authorization's comma-separated list.
func withoutPart(auth, name string) string {
	algorithm, rest, _ := strings.Cut(auth, " ")
	var kept []string
	for _, part := range strings.Split(rest, ",") {
		if !strings.HasPrefix(strings.TrimSpace(part), name+"=") {
			kept = append(kept, part)
		}
	}
	return algorithm + " " + strings.Join(kept, ",")
}

func signatureChecks() []Check {
	var out []Check
	for _, sc := range signatureCases() {
		title := sc.name
		if sc.code != "" {
			title = fmt.Sprintf("%s: rejected with %s", sc.name, sc.code)
		}
		out = append(out, Check{
			ID:        "signature/" + slug(sc.name),
			Title:     title,
			Labels:    []string{LabelSignature},
			Statement: signatureStatement(sc),
			Needs:     Needs{Credentials: true},
			Run:       sc.run,
		})
	}
	return append(out, Check{
		ID:        "signature/nonce-replay",
		Title:     "a signature nonce sent twice is rejected with SignatureNonceUsed",
		Labels:    []string{LabelSignature},
		Statement: "x-error-codes: SignatureNonceUsed refuses a request whose x-acs-signature-nonce was already used",
		Needs:     Needs{Credentials: true},
		Run:       checkNonceReplay,
	})
}

// run sends sc's request to an unknown instance (unless it names a path) and expects sc.code, or
// InstanceNotFound when the signature is accepted.
func (sc signatureCase) run(ctx context.Context, env *Env) error {
	if err := needCredentials(env); err != nil {
		return err
	}
	c := sc.request(env)
	if c.id == "" && c.rawPath == "" {
		c.id = unknownID()
	}
	a, err := env.do(ctx, c)
	if err != nil {
		return err
	}
	if sc.code == "" {
		// Accepted: the request reached the lifecycle, which knows no such instance.
		return env.expectError(a, "InstanceNotFound")
	}
	return env.expectError(a, sc.code)
}

// checkNonceReplay sends one nonce on two requests and expects the second refused.
func checkNonceReplay(ctx context.Context, env *Env) error {
	if err := needCredentials(env); err != nil {
		return err
	}
	nonce := ids.UUID()
	first, err := env.do(ctx, requestSpec{id: unknownID(), nonce: nonce})
	if err != nil {
		return err
	}
	if err := env.expectError(first, "InstanceNotFound"); err != nil {
		return fmt.Errorf("first use: %w", err)
	}
	// The nonce the accepted request carried (a throttled attempt is sent again with a fresh one).
	again, err := env.do(ctx, requestSpec{id: unknownID(), nonce: first.nonce, throttleFinal: true})
	if err != nil {
		return err
	}
	return env.expectError(again, "SignatureNonceUsed")
}
