package wire

import (
	"testing"
	"time"
)

func TestRateLimitFormat(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for _, c := range []struct {
		in   RateLimit
		want string
	}{
		{RateLimit{Limit: 1, TimeLeft: 2 * time.Second, Reset: now.Add(2 * time.Second)}, "Limit:1,Remain:0,TimeLeft:2000,Reset:1700000002"},
		{RateLimit{Limit: 3, Remain: 1, TimeLeft: 1500*time.Microsecond + 1, Reset: now.Add(1500 * time.Microsecond)}, "Limit:3,Remain:1,TimeLeft:2,Reset:1700000001"},
		{RateLimit{Limit: 1, Reset: time.Unix(-5, 0)}, "Limit:1,Remain:0,TimeLeft:0,Reset:0"},
	} {
		if got := c.in.Format(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want RateLimit
		ok   bool
	}{
		{"Limit:1,Remain:0,TimeLeft:2000,Reset:1234", RateLimit{Limit: 1, TimeLeft: 2 * time.Second, Reset: time.Unix(1234, 0)}, true},
		{"Limit:5, Remain:2, TimeLeft: 30, Reset:1", RateLimit{Limit: 5, Remain: 2, TimeLeft: 30 * time.Millisecond, Reset: time.Unix(1, 0)}, true},
		{"timeleft:7", RateLimit{TimeLeft: 7 * time.Millisecond}, true},
		{"Limit:x,TimeLeft:7", RateLimit{TimeLeft: 7 * time.Millisecond}, true},
		{"TimeLeft:7,TimeLeft:9", RateLimit{TimeLeft: 7 * time.Millisecond}, true},
		{"Limit:1,Remain:0,Reset:1", RateLimit{}, false},
		{"TimeLeft:-5", RateLimit{}, false},
		{"TimeLeft:abc", RateLimit{}, false},
		{"TimeLeft:86400001", RateLimit{}, false},
		{"", RateLimit{}, false},
	} {
		got, ok := ParseRateLimit(c.in)
		if ok != c.ok || got.Limit != c.want.Limit || got.Remain != c.want.Remain || got.TimeLeft != c.want.TimeLeft || !got.Reset.Equal(c.want.Reset) {
			t.Errorf("ParseRateLimit(%q) = %+v, %v; want %+v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestRateLimitRoundTrip(t *testing.T) {
	in := RateLimit{Limit: 7, Remain: 0, TimeLeft: 1234 * time.Millisecond, Reset: time.Unix(1700000123, 0)}
	got, ok := ParseRateLimit(in.Format())
	if !ok || got != in {
		t.Errorf("round trip of %+v gave %+v, %v", in, got, ok)
	}
}
