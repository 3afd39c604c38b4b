package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// The client reads every XML shape a provider following the record may send, under any XML media
// type: the service's text/xml;charset=utf-8, application/xml, a +xml type, parameters and case;
// a UTF-8 byte order mark, comments, processing instructions, CDATA, rooted and root-less bodies.
func TestDecodesEveryXMLShape(t *testing.T) {
	mediaTypes := []string{"text/xml;charset=utf-8", "text/xml", "application/xml", "Application/XML; charset=UTF-8", "application/vnd.aliyun+xml"}
	successes := map[string]string{
		"page fragment":     "<Result>true</Result>\n<RequestId>R-1</RequestId>",
		"rooted":            `<?xml version="1.0" encoding="UTF-8"?><InterruptElasticsearchTaskResponse><Result>true</Result><RequestId>R-1</RequestId></InterruptElasticsearchTaskResponse>`,
		"BOM and prolog":    "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Result>true</Result><RequestId>R-1</RequestId>",
		"comments and PIs":  "<!-- a --><?pi b?><R><!-- c --><Result>true</Result><RequestId>R-1</RequestId></R>",
		"CDATA":             "<R><Result><![CDATA[true]]></Result><RequestId><![CDATA[R-1]]></RequestId></R>",
		"whitespace around": "\n\t <R>\n <Result> true </Result>\n <RequestId>R-1</RequestId>\n</R>\n",
	}
	for _, mt := range mediaTypes {
		for name, body := range successes {
			t.Run("success/"+name+"/"+mt, func(t *testing.T) {
				srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
					writeBody(w, http.StatusOK, mt, []byte(body))
				})
				c, _ := newTestClient(t, srv, Config{Format: FormatXML})
				res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Result || res.RequestID != "R-1" {
					t.Errorf("got Result %v RequestID %q, want true R-1", res.Result, res.RequestID)
				}
			})
		}
	}

	errorsByName := map[string]struct {
		body, hostID, recommend string
	}{
		"gateway error, CDATA Recommend, BOM": {
			"\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n<RequestId>R-2</RequestId>\n<HostId>elasticsearch.cn-hangzhou.aliyuncs.com</HostId>\n<Code>MissingSecurityToken</Code>\n<Message>SecurityToken is mandatory for this action.</Message>\n<Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=MissingSecurityToken&product=elasticsearch&requestId=R-2]]></Recommend>\n</Error>",
			"elasticsearch.cn-hangzhou.aliyuncs.com", "https://api.aliyun.com/troubleshoot?q=MissingSecurityToken&product=elasticsearch&requestId=R-2",
		},
		"service error without HostId": {
			"<Error><RequestId>R-2</RequestId><Code>MissingSecurityToken</Code><Message>SecurityToken is mandatory for this action.</Message></Error>",
			"", "",
		},
		"root-less error with a comment": {
			"<!-- gateway --><RequestId>R-2</RequestId><Code>MissingSecurityToken</Code><Message>SecurityToken is mandatory for this action.</Message>",
			"", "",
		},
	}
	for _, mt := range mediaTypes {
		for name, tc := range errorsByName {
			t.Run("error/"+name+"/"+mt, func(t *testing.T) {
				srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
					writeBody(w, http.StatusBadRequest, mt, []byte(tc.body))
				})
				c, _ := newTestClient(t, srv, Config{Format: FormatXML, Retry: RetryPolicy{MaxAttempts: 1}})
				_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v, want *APIError", err)
				}
				if !errors.Is(err, ErrMissingSecurityToken) || apiErr.RequestID != "R-2" ||
					apiErr.HostID != tc.hostID || apiErr.Recommend != tc.recommend ||
					apiErr.Message != "SecurityToken is mandatory for this action." {
					t.Errorf("got %+v", apiErr)
				}
			})
		}
	}
}

// A body labelled with a media type that is not XML or JSON stays unreadable, even if it holds XML.
func TestRefusesNonXMLMediaTypes(t *testing.T) {
	for _, mt := range []string{"text/html", "text/plain", "application/xml-dtd", "application/octet-stream"} {
		srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeBody(w, http.StatusOK, mt, []byte("<Result>true</Result><RequestId>R-1</RequestId>"))
		})
		c, _ := newTestClient(t, srv, Config{Format: FormatXML, Retry: RetryPolicy{MaxAttempts: 1}})
		_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
		if !errors.Is(err, ErrUndocumentedContentType) {
			t.Errorf("%s: err = %v, want ErrUndocumentedContentType", mt, err)
		}
	}
}
