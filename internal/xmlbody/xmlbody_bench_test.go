package xmlbody

import (
	"bytes"
	"testing"
)

// benchBodies are the two shapes of the operation's XML bodies: the reference server's rooted
// error document and the product page's fragment.
var benchBodies = []struct {
	name string
	body []byte
}{
	{"Rooted", []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Error><RequestId>5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D14F</RequestId><HostId>elasticsearch.aliyuncs.com</HostId><Code>InstanceNotFound</Code><Message>The instanceId provided does not exist.</Message></Error>`)},
	{"Fragment", []byte("<Result>true</Result>\n<RequestId>5FFD9ED4-C2EC-4E89-B22B-1ACB6FE1D14F</RequestId>")},
}

// BenchmarkIsFragment measures the scanner the typed path runs before decoding.
func BenchmarkIsFragment(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := IsFragment(bb.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse measures the tree parser the validator uses.
func BenchmarkParse(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bytes.NewReader(bb.body)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnmarshal measures the typed path: the scan, then encoding/xml.
func BenchmarkUnmarshal(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var v struct {
					RequestId string
				}
				if err := Unmarshal(bb.body, &v); err != nil || v.RequestId == "" {
					b.Fatal(err, v)
				}
			}
		})
	}
}
