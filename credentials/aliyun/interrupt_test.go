package aliyun

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// TestInterruptSignedWithCLIProfile signs InterruptElasticsearchTask with the credentials of an
// aliyun CLI profile (a HOME with .aliyun/config.json) and sends it to the reference server,
// which checks the signature, the STS token included.
func TestInterruptSignedWithCLIProfile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeFile(t, home, ".aliyun/config.json", cliConfig)

	const instance = "es-cn-profile-test"
	srv, err := server.New(server.Config{
		Instances: map[string]server.Status{instance: server.StatusActivating},
		Credentials: []signing.Credentials{
			{AccessKeyID: keyID, AccessKeySecret: secret},
			{AccessKeyID: keyID2, AccessKeySecret: secret2, SecurityToken: token2},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	for _, tc := range []struct {
		profile   string
		signature client.SignatureVersion
	}{
		{"", client.SignatureV3},     // the file's current profile, an AccessKey
		{"sts", client.SignatureROA}, // an STS profile, whose token must be sent and checked
	} {
		t.Run("profile "+tc.profile+" "+string(tc.signature), func(t *testing.T) {
			if err := srv.PutInstance(instance, server.StatusActivating); err != nil {
				t.Fatal(err)
			}
			creds, err := CLIProfile("", tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			c, err := client.New(client.Config{Endpoint: ts.URL, Credentials: creds, Signature: tc.signature})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.InterruptElasticsearchTask(context.Background(), instance, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Result {
				t.Errorf("Result = false, want true")
			}
		})
	}

	t.Run("a profile the server does not know", func(t *testing.T) {
		other := writeFile(t, t.TempDir(), "config.json", `{"current": "x", "profiles": [
			{"name": "x", "mode": "AK", "access_key_id": "LTAI5tUnknown", "access_key_secret": "wrong"}]}`)
		if err := srv.PutInstance(instance, server.StatusActivating); err != nil {
			t.Fatal(err)
		}
		creds, err := CLIProfile(other, "")
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.New(client.Config{Endpoint: ts.URL, Credentials: creds})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.InterruptElasticsearchTask(context.Background(), instance, &client.InterruptOptions{})
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "InvalidAccessKeyId.NotFound" {
			t.Fatalf("got %v, want InvalidAccessKeyId.NotFound", err)
		}
	})
}
