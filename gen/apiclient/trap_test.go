package apiclient_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/gen/apiclient"
	"github.com/es-openapi/interrupt/spec"
)

// The page's XML sample has no root element; encoding/xml reads it as Result false with no
// error, so a successful interrupt would read as a failure. The generated client must not decode
// XML at all (the overlay in cfg.yaml removes the XML media types before generation): its
// response for an XML answer carries the raw body and no decoded value.
func TestGeneratedClientDecodesNoXML(t *testing.T) {
	const sample = "<Result>true</Result>\n<RequestId>E9908D15-13F4-4428-B08F-A3EE8E39****</RequestId>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", spec.MediaTypeXMLWire)
		_, _ = w.Write([]byte(sample))
	}))
	defer srv.Close()
	c, err := apiclient.NewClientWithResponses(srv.URL, apiclient.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.InterruptElasticsearchTaskWithResponse(context.Background(), "es-cn-1", nil)
	if err != nil {
		t.Fatalf("an XML answer is an error of the generated client: %v", err)
	}
	if string(resp.Body) != sample {
		t.Fatalf("the raw body is not kept: %q", resp.Body)
	}
	v := reflect.ValueOf(*resp)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if name == "Body" || name == "HTTPResponse" || strings.HasPrefix(name, "Headers") {
			continue
		}
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			t.Errorf("the generated client decoded the XML body into %s: %+v", name, f.Elem().Interface())
		}
	}
}

// No Go file of the module outside package spec decodes XML with encoding/xml: every reader
// goes through spec.UnmarshalXML or spec.XMLBodyDecoder.
func TestOneXMLDecoder(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || hasGoMod(path)) {
				return filepath.SkipDir // hidden directories and other modules
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if filepath.ToSlash(rel) == "spec/xml.go" {
			return nil
		}
		for _, call := range []string{"xml.Unmarshal(", "xml.NewDecoder("} {
			if strings.Contains(string(src), call) {
				t.Errorf("%s calls %s: decode XML through spec.UnmarshalXML", rel, call)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func hasGoMod(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}
