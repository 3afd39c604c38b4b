package signing

import (
	"net/http"
	"net/url"
	"testing"
)

// The published test vectors (Alibaba Cloud's V3 signature page and the openapi-util and
// darabonba-openapi unit tests), byte for byte.

func TestVectorV3Official(t *testing.T) {
	h := http.Header{}
	h.Set("x-acs-action", "RunInstances")
	h.Set("x-acs-content-sha256", EmptyPayloadHash)
	h.Set("x-acs-date", "2023-10-26T10:22:32Z")
	h.Set("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d")
	h.Set("x-acs-version", "2014-05-26")
	q, err := url.ParseQuery("ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cr := CanonicalRequestV3("POST", "/", q, h, "ecs.cn-shanghai.aliyuncs.com", EmptyPayloadHash)
	wantCR := "POST\n/\n" +
		"ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n" +
		"host:ecs.cn-shanghai.aliyuncs.com\n" +
		"x-acs-action:RunInstances\n" +
		"x-acs-content-sha256:" + EmptyPayloadHash + "\n" +
		"x-acs-date:2023-10-26T10:22:32Z\n" +
		"x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n" +
		"x-acs-version:2014-05-26\n" +
		"\n" +
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n" +
		EmptyPayloadHash
	if cr != wantCR {
		t.Fatalf("canonical request:\n%q\nwant\n%q", cr, wantCR)
	}
	sts := StringToSignV3(cr)
	if want := "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"; sts != want {
		t.Fatalf("string to sign %q, want %q", sts, want)
	}
	if got, want := SignatureV3("YourAccessKeySecret", sts), "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

func TestVectorV3OpenAPIUtil(t *testing.T) {
	// Two keys differing in case, as in openapi-util's map-based test.
	h := http.Header{"x-acs-test": {"http"}, "x-acs-TEST": {"https"}}
	q := url.Values{"test": {"ok"}, "empty": {""}}
	const payload = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
	cr := CanonicalRequestV3("", "", q, h, "", payload)
	if want := "\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n" + payload; cr != want {
		t.Fatalf("canonical request %q, want %q", cr, want)
	}
	canon, signed := CanonicalHeadersV3(h, "")
	if canon != "x-acs-test:http,https\n" || signed != "x-acs-test" {
		t.Fatalf("headers %q %q", canon, signed)
	}
	got := AuthorizationV3("acesskey", signed, SignatureV3("secret", StringToSignV3(cr)))
	if want := "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=4ab59fffe3c5738ff8a2729f90cc04fe18b02a4b15b2102cbaf92f9ff3df2ea3"; got != want {
		t.Fatalf("authorization\n%s\nwant\n%s", got, want)
	}
}

func TestVectorROAPlain(t *testing.T) {
	sts := StringToSignROA("GET", http.Header{}, "", nil)
	if sts != "GET\n\n\n\n\n" {
		t.Fatalf("string to sign %q", sts)
	}
	if got := SignatureROA("secret", sts); got != "XGXDWA78AEvx/wmfxKoVCq/afWw=" {
		t.Fatalf("signature %s", got)
	}
}

func TestVectorROAFull(t *testing.T) {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("Content-MD5", EmptyContentMD5)
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Date", "mock date")
	h.Set("x-acs-credentials-provider", "static_ak")
	h.Set("x-acs-signature-method", "HMAC-SHA1")
	h.Set("x-acs-signature-version", "1.0")
	h.Set("x-acs-version", "")
	const want = "GET\napplication/json\n1B2M2Y8AsgTpgAmY7PhCfg==\napplication/octet-stream\nmock date\n" +
		"x-acs-credentials-provider:static_ak\nx-acs-signature-method:HMAC-SHA1\nx-acs-signature-version:1.0\nx-acs-version:\n/users/:user"
	sts := StringToSignROA("GET", h, "/users/:user", nil)
	if sts != want {
		t.Fatalf("string to sign\n%q\nwant\n%q", sts, want)
	}
	if got := AuthorizationROA("accessKeyId", SignatureROA("accessKeySecret", sts)); got != "acs accessKeyId:PPPSwv0LPoLvg6rGxp7dd4uPESo=" {
		t.Fatalf("authorization %s", got)
	}
}
