package client

import (
	"context"
	"net/http"
	"regexp"
	"runtime"
	"testing"
)

func TestUserAgentOnEveryAttempt(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 0 { // the first attempt fails and is retried
			writeBody(w, http.StatusServiceUnavailable, "application/json", []byte(`{"Code":"ServiceUnavailable","Message":"m","RequestId":"R0"}`))
			return
		}
		writeBody(w, http.StatusOK, "application/json", successJSON("R1"))
	})
	c, _ := newTestClient(t, srv, Config{})
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	// "devel": go test builds this module without a version.
	want := "es-openapi-interrupt/devel (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	for i, r := range reqs {
		if got := r.Header.Values("User-Agent"); len(got) != 1 || got[0] != want {
			t.Errorf("attempt %d: User-Agent %q, want %q", i+1, got, want)
		}
	}
	srv.requireSigned(t)
}

func TestUserAgentShape(t *testing.T) {
	// RFC 9110 product/version followed by a comment.
	shape := regexp.MustCompile(`^es-openapi-interrupt/v1\.2\.0 \(go[^;()]+; [a-z0-9]+/[a-z0-9]+\)$`)
	if got := userAgent("v1.2.0"); !shape.MatchString(got) {
		t.Errorf("userAgent = %q", got)
	}
}
