package spec_test

import (
	"testing"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/spec"
)

// Every reader accepts any XML media type, with parameters and in any case (issue point 1).
func TestIsXMLMediaType(t *testing.T) {
	for ct, want := range map[string]bool{
		spec.MediaTypeXMLWire:               true,
		"text/xml":                          true,
		"text/xml; charset=UTF-8":           true,
		"TEXT/XML;Charset=utf-8":            true,
		"application/xml":                   true,
		"application/xml;charset=utf-8":     true,
		"application/problem+xml":           true,
		"application/vnd.aliyun+xml; q=1":   true,
		" text/xml ":                        true,
		"application/json":                  false,
		"application/json;charset=utf-8":    false,
		"text/html":                         false,
		"text/plain":                        false,
		"application/+xml":                  false,
		"xml":                               false,
		"":                                  false,
		"/xml":                              false,
		"application/xml-dtd":               false,
		"application/x-www-form-urlencoded": false,
	} {
		if got := spec.IsXMLMediaType(ct); got != want {
			t.Errorf("IsXMLMediaType(%q) = %v, want %v", ct, got, want)
		}
	}
}

// The one decoder reads every shape a provider may send (issue point 2): a BOM before the
// prolog, comments and processing instructions wherever XML allows them, CDATA (a live gateway
// wraps Recommend in it), rooted and root-less bodies, error bodies without HostId.
func TestUnmarshalXMLShapes(t *testing.T) {
	const bom = "\uFEFF"
	success := models.InterruptElasticsearchTaskResult{Result: true, RequestId: "R-1"}
	for name, body := range map[string]string{
		"page fragment":            "<Result>true</Result>\n<RequestId>R-1</RequestId>",
		"BOM fragment":             bom + "<Result>true</Result><RequestId>R-1</RequestId>",
		"BOM declaration fragment": bom + `<?xml version="1.0" encoding="utf-8"?>` + "\n<Result>true</Result><RequestId>R-1</RequestId>",
		"BOM declaration rooted":   bom + `<?xml version="1.0" encoding="UTF-8"?><InterruptElasticsearchTaskResponse><Result>true</Result><RequestId>R-1</RequestId></InterruptElasticsearchTaskResponse>`,
		"comments and PIs":         `<?xml version="1.0"?><!-- a --><?pi x?><R><!-- b --><Result><!-- c -->true</Result><?pi y?><RequestId>R-1</RequestId></R><!-- d -->`,
		"fragment with comments":   "<!-- head -->\n<Result>true</Result>\n<!-- mid --><RequestId>R-1</RequestId>\n<?pi tail?>",
		"stylesheet PI first":      `<?xml-stylesheet href="s"?><Result>true</Result><RequestId>R-1</RequestId>`,
		"CDATA values":             `<R><Result><![CDATA[true]]></Result><RequestId><![CDATA[R-1]]></RequestId></R>`,
		"whitespace everywhere":    " \r\n\t<R>\n  <Result>true</Result>\n  <RequestId>R-1</RequestId>\n</R>\n\n",
	} {
		var got models.InterruptElasticsearchTaskResult
		if err := spec.UnmarshalXML([]byte(body), &got); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got != success {
			t.Errorf("%s: got %+v, want %+v", name, got, success)
		}
	}

	gateway := "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n<RequestId>R-2</RequestId>\n<HostId>elasticsearch.cn-hangzhou.aliyuncs.com</HostId>\n<Code>SignatureDoesNotMatch</Code>\n<Message>m</Message>\n<Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=elasticsearch&requestId=R-2]]></Recommend>\n</Error>"
	var e models.Error
	if err := spec.UnmarshalXML([]byte(gateway), &e); err != nil {
		t.Fatal(err)
	}
	if e.Recommend == nil || *e.Recommend != "https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=elasticsearch&requestId=R-2" || e.Code != "SignatureDoesNotMatch" {
		t.Errorf("CDATA Recommend: got %+v", e)
	}

	business := `<Error><RequestId>R-3</RequestId><Code>InstanceNotFound</Code><Message>The instanceId provided does not exist.</Message></Error>`
	var b models.Error
	if err := spec.UnmarshalXML([]byte(business), &b); err != nil {
		t.Fatal(err)
	}
	if b.Code != "InstanceNotFound" || b.RequestId != "R-3" || hostID(b) != "" {
		t.Errorf("business error without HostId: got %+v", b)
	}

	for name, body := range map[string]string{
		"BOM twice":          "\uFEFF\uFEFF<Result>true</Result>",
		"BOM after prolog":   `<?xml version="1.0"?>` + "\uFEFF<Result>true</Result>",
		"text outside":       "junk<Result>true</Result>",
		"DOCTYPE":            `<!DOCTYPE R><R><Result>true</Result></R>`,
		"unclosed":           "<R><Result>true</Result>",
		"declaration late":   `<Result>true</Result><?xml version="1.0"?>`,
		"mismatched closing": "<R><Result>true</Results></R>",
	} {
		var got models.InterruptElasticsearchTaskResult
		if err := spec.UnmarshalXML([]byte(body), &got); err == nil {
			t.Errorf("%s: accepted %q as %+v", name, body, got)
		}
	}
}

func TestAllowsStatus(t *testing.T) {
	e := spec.ErrorCode{Code: "X", Status: 404, OtherStatuses: []int{400}}
	for status, want := range map[int]bool{404: true, 400: true, 403: false, 200: false} {
		if got := e.AllowsStatus(status); got != want {
			t.Errorf("AllowsStatus(%d) = %v, want %v", status, got, want)
		}
	}
	if (spec.ErrorCode{Status: 400}).AllowsStatus(404) {
		t.Error("an entry without otherStatuses allows only its status")
	}
}

// hostID reads the optional HostId whatever its generated Go type (string or *string).
func hostID(e models.Error) string {
	switch v := any(e.HostId).(type) {
	case string:
		return v
	case *string:
		if v != nil {
			return *v
		}
	}
	return ""
}

// Alternatives groups codes by trigger: a code, then every other code a provider may respond with in
// the same situation; trigger none groups nothing.
func TestAlternatives(t *testing.T) {
	doc, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	op, err := spec.Operation(doc)
	if err != nil {
		t.Fatal(err)
	}
	entries := op.Extensions[spec.ErrorCodesExtension].([]any)
	twin := map[string]any{}
	for _, raw := range entries {
		if e := raw.(map[string]any); e["code"] == "InvalidAction.NotFound" {
			for k, v := range e {
				twin[k] = v
			}
		}
	}
	twin["code"] = "Twin.NotFound"
	op.Extensions[spec.ErrorCodesExtension] = append(entries, twin)
	c, err := spec.CatalogueOf(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Alternatives("Twin.NotFound")
	if len(got) < 2 || got[0] != "Twin.NotFound" || !contains(got, "InvalidAction.NotFound") {
		t.Errorf("Alternatives(Twin.NotFound) = %v", got)
	}
	for _, e := range c.Codes() {
		alts := c.Alternatives(e.Code)
		if alts[0] != e.Code {
			t.Errorf("Alternatives(%s) = %v: the code itself comes first", e.Code, alts)
		}
		for _, a := range alts[1:] {
			other, _ := c.Lookup(a)
			if e.Trigger == spec.TriggerNone || other.Trigger != e.Trigger {
				t.Errorf("Alternatives(%s) = %v: %s does not share trigger %q", e.Code, alts, a, e.Trigger)
			}
		}
	}
	if got := c.Alternatives("NoSuchCode"); len(got) != 1 || got[0] != "NoSuchCode" {
		t.Errorf("Alternatives of an unknown code = %v", got)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
