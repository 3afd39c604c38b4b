package contract

import (
	"net/http"
	"testing"

	"github.com/es-openapi/interrupt/signing"
)

// The request an Alibaba signer sees is the one sent: the published ACS3-HMAC-SHA256 vector of
// the "V3 request structure and signature" page, built as an http.Request, signs to the page's
// signature through teaRequest and openapi-util.
func TestAuthorizationV3PublishedVector(t *testing.T) {
	r, err := http.NewRequest(http.MethodPost, "https://ecs.cn-shanghai.aliyuncs.com/?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("x-acs-action", "RunInstances")
	r.Header.Set("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	r.Header.Set("x-acs-date", "2023-10-26T10:22:32Z")
	r.Header.Set("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d")
	r.Header.Set("x-acs-version", "2014-05-26")
	r.Header.Set("Accept", "application/json") // not signed by V3
	creds := signing.Credentials{AccessKeyID: "YourAccessKeyId", AccessKeySecret: "YourAccessKeySecret"}
	got := authorizationV3(r, creds, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	want := "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
	if got != want {
		t.Fatalf("Authorization\n got %s\nwant %s", got, want)
	}
}

// The published ROA vector: with AK accessKeyId / secret accessKeySecret, the documented string to
// sign gives the documented Authorization.
func TestAuthorizationROAPublishedVector(t *testing.T) {
	r, err := http.NewRequest(http.MethodGet, "http://example.invalid/users/:user", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"Accept": "application/json", "Content-MD5": emptyBodyMD5, "Content-Type": "application/octet-stream",
		"Date": "mock date", "x-acs-credentials-provider": "static_ak", "x-acs-signature-method": "HMAC-SHA1",
		"x-acs-signature-version": "1.0", "x-acs-version": "",
	} {
		r.Header.Set(k, v)
	}
	got := authorizationROA(r, signing.Credentials{AccessKeyID: "accessKeyId", AccessKeySecret: "accessKeySecret"})
	if want := "acs accessKeyId:PPPSwv0LPoLvg6rGxp7dd4uPESo="; got != want {
		t.Fatalf("Authorization %s, want %s", got, want)
	}
}
