package signing

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// The three request shapes the official clients send (darabonba V3, darabonba ROA v1 with a
// nonce, and the older SDK's ROA v1 with Content-MD5 and no nonce),
// rebuilt by hand the way each SDK builds them (independently of this
// package's code), sent over a real connection and verified.

// sdkEncodeParam mirrors openapiutil.GetEncodeParam (darabonba SDKs).
func sdkEncodeParam(s string) string {
	s = url.QueryEscape(s)
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	return strings.ReplaceAll(s, "%7E", "~")
}

// darabonbaV3Authorization mirrors openapi-util GetAuthorization.
func darabonbaV3Authorization(method, pathname string, query, headers map[string]string, ak, secret string) string {
	uri := pathname
	if uri == "" {
		uri = "/"
	}
	uri = strings.ReplaceAll(uri, "+", "%20")
	uri = strings.ReplaceAll(uri, "*", "%2A")
	uri = strings.ReplaceAll(uri, "%7E", "~")

	var qk []string
	for k := range query {
		qk = append(qk, k)
	}
	sort.Strings(qk)
	cq := ""
	for _, k := range qk {
		if query[k] != "" {
			cq += "&" + k + "=" + url.QueryEscape(query[k])
		} else {
			cq += "&" + k + "="
		}
	}
	cq = strings.ReplaceAll(cq, "+", "%20")
	cq = strings.ReplaceAll(cq, "*", "%2A")
	cq = strings.ReplaceAll(cq, "%7E", "~")
	cq = strings.TrimLeft(cq, "&")

	tmp := map[string][]string{}
	for k, v := range headers {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-acs-") || lk == "host" || lk == "content-type" {
			tmp[lk] = append(tmp[lk], strings.TrimSpace(v))
		}
	}
	var hk []string
	for k := range tmp {
		hk = append(hk, k)
	}
	sort.Strings(hk)
	ch := ""
	for _, k := range hk {
		vs := tmp[k]
		sort.Strings(vs)
		ch += k + ":" + strings.Join(vs, ",") + "\n"
	}
	signed := strings.Join(hk, ";")
	cr := method + "\n" + uri + "\n" + cq + "\n" + ch + "\n" + signed + "\n" + headers["x-acs-content-sha256"]
	sum := sha256.Sum256([]byte(cr))
	sts := "ACS3-HMAC-SHA256\n" + hex.EncodeToString(sum[:])
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(sts))
	return "ACS3-HMAC-SHA256 Credential=" + ak + ",SignedHeaders=" + signed + ",Signature=" + hex.EncodeToString(m.Sum(nil))
}

// darabonbaROAStringToSign mirrors openapi-util getStringToSign (ROA).
func darabonbaROAStringToSign(method, pathname string, query, headers map[string]string) string {
	resource := pathname
	var qk []string
	for k := range query {
		qk = append(qk, k)
	}
	sort.Strings(qk)
	tmp := ""
	for _, k := range qk {
		if v := query[k]; v != "" {
			tmp += "&" + k + "=" + v
		} else {
			tmp += "&" + k
		}
	}
	if tmp != "" {
		resource += "?" + strings.TrimLeft(tmp, "&")
	}
	acs := map[string]string{}
	for k, v := range headers {
		if strings.HasPrefix(strings.ToLower(k), "x-acs-") {
			acs[strings.ToLower(k)] = v
		}
	}
	var ak []string
	for k := range acs {
		ak = append(ak, k)
	}
	sort.Strings(ak)
	ch := ""
	for _, k := range ak {
		ch += k + ":" + acs[k] + "\n"
	}
	return method + "\n" + headers["accept"] + "\n" + headers["content-md5"] + "\n" + headers["content-type"] + "\n" + headers["date"] + "\n" + ch + resource
}

// oldSDKROAStringToSign mirrors aliyun/alibaba-cloud-sdk-go
// buildRoaStringToSign with RoaRequest.BuildQueries: raw path, raw values.
func oldSDKROAStringToSign(method, path string, query, headers map[string]string) string {
	b := method + "\n"
	for _, k := range []string{"Accept", "Content-MD5", "Content-Type", "Date"} {
		b += headers[k] + "\n"
	}
	var acs []string
	for k := range headers {
		if strings.HasPrefix(k, "x-acs-") {
			acs = append(acs, k)
		}
	}
	sort.Strings(acs)
	for _, k := range acs {
		b += k + ":" + headers[k] + "\n"
	}
	var qk []string
	for k := range query {
		qk = append(qk, k)
	}
	sort.Strings(qk)
	b += path
	if len(qk) > 0 {
		b += "?"
	}
	for i, k := range qk {
		b += k
		if v := query[k]; v != "" {
			b += "=" + v
		}
		if i < len(qk)-1 {
			b += "&"
		}
	}
	return b
}

func sdkROASignature(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// teaRequest builds the *http.Request the way tea.DoRequest does: path as
// given, query form-encoded by url.Values, headers set verbatim (lower-case).
func teaRequest(t *testing.T, base, pathname string, query, headers map[string]string) *http.Request {
	t.Helper()
	q := url.Values{}
	for k, v := range query {
		q.Add(k, v)
	}
	u := base + pathname
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	req, err := http.NewRequest(http.MethodPost, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "host" { // tea routes "host" to req.Host
			req.Host = v
			continue
		}
		req.Header[k] = []string{v}
	}
	return req
}

var officialIDs = []struct{ id, token string }{
	{testID, ""},
	{testID, "5f0c6a9e-4b0a-4a1e-9f7e-2d3c4b5a6978"},
	{"es cn*1~x+y", "tok en*~+/=&"},
}

// (1) alibabacloud-go/elasticsearch-20170613 v4.1+: V3, signs
// x-acs-credentials-provider, no Content-Type.
func TestOfficialDarabonbaV3(t *testing.T) {
	for _, sts := range []bool{false, true} {
		creds := testCreds
		if sts {
			creds = stsCreds
		}
		srv := newVerifyServer(t, lookupOf(creds), testOpts)
		host := strings.TrimPrefix(srv.URL, "http://")
		for _, c := range officialIDs {
			pathname := "/openapi/instances/" + sdkEncodeParam(c.id) + "/actions/interrupt"
			query := map[string]string{}
			if c.token != "" {
				query["clientToken"] = c.token
			}
			headers := map[string]string{
				"host":                       host,
				"x-acs-version":              Version,
				"x-acs-action":               Action,
				"user-agent":                 "AlibabaCloud (linux; amd64) Go/go1.22 Core/1.0.1 TeaDSL/1",
				"x-acs-date":                 testNow.Format("2006-01-02T15:04:05Z"),
				"x-acs-signature-nonce":      testNonce,
				"accept":                     "application/json",
				"x-acs-content-sha256":       EmptyPayloadHash,
				"x-acs-credentials-provider": "static_ak",
			}
			if sts {
				headers["x-acs-security-token"] = testToken
			}
			headers["Authorization"] = darabonbaV3Authorization("POST", pathname, query, headers, creds.AccessKeyID, creds.AccessKeySecret)

			req := teaRequest(t, srv.URL, pathname, query, headers)
			res := send(t, req)
			if !res.OK || res.Scheme != SchemeV3 || res.Nonce != testNonce || res.AccessKeyID != testAK {
				t.Errorf("sts=%v id=%q token=%q: %+v", sts, c.id, c.token, res)
			}
			if res.Path != "/openapi/instances/"+c.id+"/actions/interrupt" {
				t.Errorf("server decoded path %q", res.Path)
			}
			// The same request verified in process, without the wire.
			req = teaRequest(t, "http://"+host, pathname, query, headers)
			if _, err := Verify(req, lookupOf(creds), testOpts); err != nil {
				t.Errorf("in-process sts=%v id=%q: %v", sts, c.id, err)
			}
		}
	}
}

// (2) elasticsearch-20170613 v1.1-v4.0 (e.g. /v3 v3.0.10): ROA v1 with a
// nonce and no Content-MD5.
func TestOfficialDarabonbaROA(t *testing.T) {
	for _, sts := range []bool{false, true} {
		creds := testCreds
		if sts {
			creds = stsCreds
		}
		srv := newVerifyServer(t, lookupOf(creds), testOpts)
		host := strings.TrimPrefix(srv.URL, "http://")
		for _, c := range officialIDs {
			pathname := "/openapi/instances/" + sdkEncodeParam(c.id) + "/actions/interrupt"
			query := map[string]string{}
			if c.token != "" {
				query["clientToken"] = c.token
			}
			headers := map[string]string{
				"date":                    testNow.Format(http.TimeFormat),
				"host":                    host,
				"accept":                  "application/json",
				"x-acs-signature-nonce":   testNonce,
				"x-acs-signature-method":  "HMAC-SHA1",
				"x-acs-signature-version": "1.0",
				"x-acs-version":           Version,
				"x-acs-action":            Action,
				"user-agent":              "AlibabaCloud (linux; amd64) Go/go1.22 Core/0.0.1 TeaDSL/1",
			}
			if sts {
				headers["x-acs-accesskey-id"] = creds.AccessKeyID
				headers["x-acs-security-token"] = testToken
			}
			sig := sdkROASignature(creds.AccessKeySecret, darabonbaROAStringToSign("POST", pathname, query, headers))
			headers["authorization"] = "acs " + creds.AccessKeyID + ":" + sig

			res := send(t, teaRequest(t, srv.URL, pathname, query, headers))
			if !res.OK || res.Scheme != SchemeROA || res.Nonce != testNonce {
				t.Errorf("sts=%v id=%q token=%q: %+v", sts, c.id, c.token, res)
			}
		}
	}
}

// (3) aliyun/alibaba-cloud-sdk-go: ROA v1, Content-MD5 of the empty body and
// Content-Type application/octet-stream, no nonce, InstanceId substituted
// raw into the signed path.
func TestOfficialOldSDKROA(t *testing.T) {
	for _, sts := range []bool{false, true} {
		creds := testCreds
		if sts {
			creds = stsCreds
		}
		srv := newVerifyServer(t, lookupOf(creds), testOpts)
		for _, c := range officialIDs {
			path := "/openapi/instances/" + c.id + "/actions/interrupt" // buildPath: raw
			query := map[string]string{}
			if c.token != "" {
				query["clientToken"] = c.token
			}
			headers := map[string]string{
				"x-acs-version":           Version,
				"x-acs-action":            Action,
				"x-sdk-client":            "golang/1.0.0",
				"x-sdk-invoke-type":       "normal",
				"Accept-Encoding":         "identity",
				"Date":                    testNow.Format(http.TimeFormat),
				"x-acs-signature-method":  "HMAC-SHA1",
				"x-acs-signature-version": "1.0",
				"Content-MD5":             EmptyContentMD5,
				"Content-Type":            "application/octet-stream",
				"Accept":                  "application/json",
			}
			if sts {
				headers["x-acs-security-token"] = testToken
			}
			sig := sdkROASignature(creds.AccessKeySecret, oldSDKROAStringToSign("POST", path, query, headers))
			headers["Authorization"] = "acs " + creds.AccessKeyID + ":" + sig

			// BuildUrl: raw path, url.Values-encoded query; net/http escapes
			// the path on the wire.
			q := url.Values{}
			for k, v := range query {
				q.Add(k, v)
			}
			u := srv.URL + path
			if enc := q.Encode(); enc != "" {
				u += "?" + enc
			}
			req, err := http.NewRequest(http.MethodPost, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range headers {
				req.Header[k] = []string{v}
			}
			res := send(t, req)
			if !res.OK || res.Scheme != SchemeROA || res.Nonce != "" {
				t.Errorf("sts=%v id=%q token=%q: %+v", sts, c.id, c.token, res)
			}
			if !strings.Contains(res.StringToSign, "\n"+path) {
				t.Errorf("matched string to sign should hold the raw path %q: %q", path, res.StringToSign)
			}
		}
	}
}
