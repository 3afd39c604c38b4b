package signing

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestCanonicalURI(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/":                    "/",
		"/a/b":                 "/a/b",
		"/a+b":                 "/a%20b",
		"/a*b":                 "/a%2Ab",
		"/a%7Eb":               "/a~b",
		"/a%7eb":               "/a%7eb", // the SDKs replace the upper-case form only
		"/a~b":                 "/a~b",
		"/a%20b%2A%2F":         "/a%20b%2A%2F",
		"+*%7E":                "%20%2A~",
		"%":                    "%",
		"%7":                   "%7",
		"/x%7E":                "/x~",
		"/openapi/instances/x": "/openapi/instances/x",
	} {
		if got := CanonicalURI(in); got != want {
			t.Errorf("CanonicalURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// sdkCanonicalQuery is openapi-util's algorithm for a single-valued query.
func sdkCanonicalQuery(q map[string]string) string {
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for _, k := range keys {
		s += "&" + k + "=" + url.QueryEscape(q[k])
	}
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	s = strings.ReplaceAll(s, "%7E", "~")
	return strings.TrimLeft(s, "&")
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		q    url.Values
		want string
	}{
		{nil, ""},
		{url.Values{}, ""},
		{url.Values{"k": {}}, ""},
		{url.Values{"b": {"2"}, "a": {"1"}}, "a=1&b=2"},
		{url.Values{"empty": {""}, "test": {"ok"}}, "empty=&test=ok"},
		{url.Values{"t": {"a b*c~d+e/f=g&h%i"}}, "t=a%20b%2Ac~d%2Be%2Ff%3Dg%26h%25i"},
		{url.Values{"t": {"实"}}, "t=%E5%AE%9E"},
		{url.Values{"a": {"2", "1", ""}}, "a=&a=1&a=2"},
		{url.Values{"B": {"x"}, "a": {"x"}, "_": {"x"}}, "B=x&_=x&a=x"}, // bytewise
	}
	for _, c := range cases {
		if got := CanonicalQuery(c.q); got != c.want {
			t.Errorf("CanonicalQuery(%v) = %q, want %q", c.q, got, c.want)
		}
	}
	// Equal to the SDK's QueryEscape-and-replace for every byte value.
	var b strings.Builder
	for c := range 256 {
		b.WriteByte(byte(c))
	}
	all := map[string]string{"all": b.String(), "x": "~!'()*-._ +%7E"}
	if got, want := CanonicalQuery(url.Values{"all": {all["all"]}, "x": {all["x"]}}), sdkCanonicalQuery(all); got != want {
		t.Errorf("CanonicalQuery differs from the SDK:\n%s\n%s", got, want)
	}
}

// TestParseQueryMatchesURL: our allocation-free parser decodes exactly as
// url.ParseQuery does whenever that accepts the input.
func TestParseQueryMatchesURL(t *testing.T) {
	for _, raw := range []string{
		"", "a=1", "a=1&b=2", "a", "a=", "=v", "&&a=1&&", "a=1&a=2", "a+b=c+d", "a%20b=c%2Bd",
		"clientToken=tok%2Aen+x", "k=%E5%AE%9E", "a=b=c", "%41=%42",
	} {
		want, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		ps, err := parseQuery(nil, raw)
		if err != nil {
			t.Errorf("%q: %v", raw, err)
			continue
		}
		got := url.Values{}
		for _, p := range ps {
			got[p.k] = append(got[p.k], p.v)
		}
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", raw, got, want)
		}
	}
	for _, raw := range []string{"a=%zz", "%zz=1", "a=1;b=2", "a=%"} {
		if _, err := parseQuery(nil, raw); err == nil {
			t.Errorf("%q: no error", raw)
		}
	}
}

func TestCanonicalHeadersV3(t *testing.T) {
	h := http.Header{
		"X-Acs-B":        {"  two  "},
		"X-Acs-A":        {"z", " y"},
		"x-acs-a":        {"x"},
		"Content-Type":   {"application/json"},
		"Host":           {"ignored.example.com"},
		"Accept":         {"application/json"},
		"User-Agent":     {"go"},
		"X-Acs-Empty":    {""},
		"X-Acsnotreally": {"no"},
	}
	canon, signed := CanonicalHeadersV3(h, "es.example.com")
	wantCanon := "content-type:application/json\nhost:es.example.com\nx-acs-a:x,y,z\nx-acs-b:two\nx-acs-empty:\n"
	if canon != wantCanon || signed != "content-type;host;x-acs-a;x-acs-b;x-acs-empty" {
		t.Errorf("got\n%q %q", canon, signed)
	}
	if h["X-Acs-A"][0] != "z" || len(h["X-Acs-A"]) != 2 {
		t.Error("canonicalization modified the caller's header slice")
	}
	if canon, signed := CanonicalHeadersV3(nil, ""); canon != "" || signed != "" {
		t.Errorf("empty: %q %q", canon, signed)
	}
}

func TestStringToSignROAQuery(t *testing.T) {
	got := StringToSignROA("POST", nil, "/p", url.Values{"b": {"x y"}, "a": {""}, "c": {"2", "1"}})
	if want := "POST\n\n\n\n\n/p?a&b=x y&c=1&c=2"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	// Standard headers match in any key case; repeated values are joined.
	h := http.Header{"accept": {"a"}, "CONTENT-MD5": {"m"}, "content-type": {"t"}, "date": {"d"}, "X-ACS-Z": {"z"}}
	if got, want := StringToSignROA("GET", h, "/", nil), "GET\na\nm\nt\nd\nx-acs-z:z\n/"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestParseAuthorization(t *testing.T) {
	v3 := authorization{scheme: SchemeV3, accessKeyID: "AK", signedHeaders: "host;x-acs-date", signature: "abc"}
	roa := authorization{scheme: SchemeROA, accessKeyID: "AK", signature: "c2ln+/=="}
	cases := []struct {
		in   string
		want authorization
		ok   bool
	}{
		{"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc", v3, true},
		{"ACS3-HMAC-SHA256 Signature=abc,Credential=AK,SignedHeaders=host;x-acs-date", v3, true},
		{"ACS3-HMAC-SHA256   Credential=AK, SignedHeaders=host;x-acs-date,  Signature=abc  ", v3, true},
		{"ACS3-HMAC-SHA256\tCredential=AK,SignedHeaders=host;x-acs-date,Signature=abc", v3, true},
		{"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date", authorization{}, false},
		{"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc,", authorization{}, false},
		{"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc,Signature=abc", authorization{}, false},
		{"ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abc", authorization{}, false},
		{"ACS3-HMAC-SHA256 Credential=A K,SignedHeaders=host,Signature=abc", authorization{}, false},
		{"ACS3-HMAC-SHA256 credential=AK,SignedHeaders=host,Signature=abc", authorization{}, false},
		{"ACS3-HMAC-SHA256Credential=AK,SignedHeaders=host,Signature=abc", authorization{}, false},
		{"ACS3-HMAC-SHA256", authorization{}, false},
		{"ACS3-HMAC-SHA256 ", authorization{}, false},
		{"acs AK:c2ln+/==", roa, true},
		{"acs   AK:c2ln+/==  ", roa, true},
		{"acs AK:", authorization{}, false},
		{"acs :sig", authorization{}, false},
		{"acs AK sig", authorization{}, false},
		{"ACS AK:sig", authorization{}, false},
		{"acsAK:sig", authorization{}, false},
		{"", authorization{}, false},
		{"Bearer x", authorization{}, false},
	}
	for _, c := range cases {
		got, ok := parseAuthorization(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%q: got %+v %v, want %+v %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestHMAC checks the signatures against crypto/hmac used directly, across the
// key-length boundaries (block size 64) and message lengths.
func TestHMAC(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return b
	}
	for _, kl := range []int{0, 1, 20, 63, 64, 65, 128, 200} {
		for _, ml := range []int{0, 1, 55, 56, 64, 81, 119, 120, 500} {
			key, msg := string(randBytes(kl)), randBytes(ml)
			m := hmac.New(sha256.New, []byte(key))
			m.Write(msg)
			if got := macV3(key, msg); string(got[:]) != hex.EncodeToString(m.Sum(nil)) {
				t.Errorf("sha256 key %d msg %d", kl, ml)
			}
			m = hmac.New(sha1.New, []byte(key))
			m.Write(msg)
			if got := macROA(key, msg); string(got[:]) != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
				t.Errorf("sha1 key %d msg %d", kl, ml)
			}
			m = hmac.New(sha256.New, []byte(key))
			m.Write(msg)
			if SignatureV3(key, string(msg)) != hex.EncodeToString(m.Sum(nil)) {
				t.Errorf("SignatureV3 key %d msg %d", kl, ml)
			}
			m = hmac.New(sha1.New, []byte(key))
			m.Write(msg)
			if SignatureROA(key, string(msg)) != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
				t.Errorf("SignatureROA key %d msg %d", kl, ml)
			}
		}
	}
}

// TestSignAllocs pins the allocation budget so a regression is noticed. crypto/hmac accounts
// for 8 of the 10: its two digests, pads and state, the key copy and the sum.
func TestSignAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	for _, scheme := range bothScheme {
		const max = 10
		req := newClientRequest(t, "https://"+testHost, testID, "tok")
		n := testing.AllocsPerRun(100, func() {
			if err := Sign(req, scheme, testCreds, testNow, testNonce); err != nil {
				t.Fatal(err)
			}
		})
		if n > max {
			t.Errorf("%v: %v allocs, want <= %v", scheme, n, max)
		}
	}
}

func TestCanonicalQueryMany(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	q, m := url.Values{}, map[string]string{}
	for i := range 40 {
		k := string(rune('a'+r.IntN(26))) + strings.Repeat("x", i%3) + string(rune('A'+i))
		v := string(rune(' '+r.IntN(90))) + "~*+"
		q.Set(k, v)
		m[k] = v
	}
	if got, want := CanonicalQuery(q), sdkCanonicalQuery(m); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	multi := url.Values{"k": {"9", "3", "7", "1", "5", "8", "2", "6", "4", "0", "b", "a", "c"}}
	if got := CanonicalQuery(multi); got != "k=0&k=1&k=2&k=3&k=4&k=5&k=6&k=7&k=8&k=9&k=a&k=b&k=c" {
		t.Errorf("multi: %s", got)
	}
}
