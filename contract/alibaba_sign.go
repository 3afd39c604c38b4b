package contract

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	openapiutil "github.com/alibabacloud-go/openapi-util/service"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/es-openapi/interrupt/signing"
)

// The contract signs its requests the way Alibaba Cloud's own SDKs do, with Alibaba's
// openapi-util (the canonicalisation darabonba-openapi calls): GetAuthorization for
// ACS3-HMAC-SHA256, GetStringToSign and GetROASignature for ROA. It never signs with this
// project's signing package, which the reference server verifies with: a canonicalisation defect
// the two shared would otherwise pass unseen.

const (
	algorithmV3   = "ACS3-HMAC-SHA256"
	dateLayoutV3  = "2006-01-02T15:04:05Z"
	emptyBodyMD5  = "1B2M2Y8AsgTpgAmY7PhCfg=="
	roaSigMethod  = "HMAC-SHA1"
	roaSigVersion = "1.0"
)

// signAlibaba signs r with scheme at date with nonce ("" sends none, for ROA only), setting the
// headers darabonba-openapi sets for the scheme.
func signAlibaba(r *http.Request, scheme signing.Scheme, creds signing.Credentials, date time.Time, nonce string) error {
	body, err := bodyOf(r)
	if err != nil {
		return err
	}
	h := r.Header
	h.Set("x-acs-action", signing.Action)
	h.Set("x-acs-version", signing.Version)
	if nonce != "" {
		h.Set("x-acs-signature-nonce", nonce)
	}
	if creds.SecurityToken != "" {
		h.Set("x-acs-security-token", creds.SecurityToken)
	}
	if scheme == signing.SchemeROA {
		h.Set("Date", date.UTC().Format(http.TimeFormat))
		h.Set("x-acs-signature-method", roaSigMethod)
		h.Set("x-acs-signature-version", roaSigVersion)
		if len(body) > 0 {
			sum := md5.Sum(body)
			h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		}
		h.Set("Authorization", authorizationROA(r, creds))
		return nil
	}
	h.Set("x-acs-date", date.UTC().Format(dateLayoutV3))
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	h.Set("x-acs-content-sha256", payload)
	h.Set("Authorization", authorizationV3(r, creds, payload))
	return nil
}

// authorizationV3 is openapi-util's ACS3-HMAC-SHA256 Authorization of r as it stands.
func authorizationV3(r *http.Request, creds signing.Credentials, payload string) string {
	return authorizationV3Of(teaRequest(r), creds, payload)
}

// authorizationV3Of is openapi-util's ACS3-HMAC-SHA256 Authorization of req.
func authorizationV3Of(req *tea.Request, creds signing.Credentials, payload string) string {
	return tea.StringValue(openapiutil.GetAuthorization(req, tea.String(algorithmV3), tea.String(payload),
		tea.String(creds.AccessKeyID), tea.String(creds.AccessKeySecret)))
}

// authorizationROA is openapi-util's ROA Authorization of r as it stands.
func authorizationROA(r *http.Request, creds signing.Credentials) string {
	return authorizationROAOf(teaRequest(r), creds)
}

// authorizationROAOf is openapi-util's ROA Authorization of req.
func authorizationROAOf(req *tea.Request, creds signing.Credentials) string {
	sts := openapiutil.GetStringToSign(req)
	return "acs " + creds.AccessKeyID + ":" + tea.StringValue(openapiutil.GetROASignature(sts, tea.String(creds.AccessKeySecret)))
}

// teaRequest is r as darabonba holds a request: method, the escaped path, the decoded query
// (one value a key, as the SDK's map holds it), and lower-case headers with host.
func teaRequest(r *http.Request) *tea.Request {
	req := tea.NewRequest()
	req.Method = tea.String(r.Method)
	req.Pathname = tea.String(r.URL.EscapedPath())
	for k, vs := range r.URL.Query() {
		req.Query[k] = tea.String(vs[0])
	}
	for k, vs := range r.Header {
		req.Headers[strings.ToLower(k)] = tea.String(strings.Join(vs, ","))
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	req.Headers["host"] = tea.String(host)
	return req
}

// bodyOf reads r's body and puts it back.
func bodyOf(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read the request body to sign it: %w", err)
	}
	setBody(r, body)
	return body, nil
}

// signOlderSDK signs r the way the older official SDK (aliyun/alibaba-cloud-sdk-go) does: ROA v1
// with Content-MD5 and application/octet-stream on the empty body, and no nonce.
func signOlderSDK(r *http.Request, creds signing.Credentials) error {
	h := r.Header
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("Content-MD5", emptyBodyMD5)
	h.Set("Content-Type", "application/octet-stream")
	h.Set("x-acs-signature-method", roaSigMethod)
	h.Set("x-acs-signature-version", roaSigVersion)
	h.Set("x-acs-version", signing.Version)
	h.Set("x-acs-action", signing.Action)
	if creds.SecurityToken != "" {
		h.Set("x-acs-security-token", creds.SecurityToken)
	}
	h.Set("Authorization", authorizationROA(r, creds))
	return nil
}
