package wire

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The headers of a throttled response, per operation and per user; both carry a RateLimit in the
// same form (darabonba-openapi's GetThrottlingTimeLeft reads either).
const (
	HeaderRateLimitUserAPI = "x-ratelimit-user-api"
	HeaderRateLimitUser    = "x-ratelimit-user"
)

// RateLimitHeaders are the two rate-limit headers, in the order a reader should consult them.
var RateLimitHeaders = [...]string{HeaderRateLimitUserAPI, HeaderRateLimitUser}

// maxTimeLeft bounds the TimeLeft ParseRateLimit accepts: a larger wait is a broken header, not
// advice to follow.
const maxTimeLeft = 24 * time.Hour

// RateLimit is the state an x-ratelimit-* header carries, such as
// "Limit:1,Remain:0,TimeLeft:2000,Reset:1234".
type RateLimit struct {
	// Limit is the number of requests the window allows; Remain how many are left.
	Limit, Remain int64
	// TimeLeft is the wait until a request is allowed again, sent in whole milliseconds.
	TimeLeft time.Duration
	// Reset is when the window has room again, sent in whole Unix seconds.
	Reset time.Time
}

// Format returns the header value: TimeLeft rounded up to a millisecond and Reset up to a second
// (so it never says "retry now" too early), and Reset no earlier than the Unix epoch, since the
// form has no sign.
func (r RateLimit) Format() string {
	ms := int64(math.Ceil(float64(r.TimeLeft) / float64(time.Millisecond)))
	reset := r.Reset.Unix()
	if r.Reset.Nanosecond() > 0 {
		reset++
	}
	return "Limit:" + strconv.FormatInt(r.Limit, 10) +
		",Remain:" + strconv.FormatInt(r.Remain, 10) +
		",TimeLeft:" + strconv.FormatInt(ms, 10) +
		",Reset:" + strconv.FormatInt(max(reset, 0), 10)
}

// ParseRateLimit reads a header value in Format's form; field names are case-insensitive and
// spaces around fields and values are allowed. ok is false when the first TimeLeft field is
// missing, not a whole number of milliseconds or more than a day: TimeLeft is what a caller waits
// on; r is then zero. The other fields are zero when absent or malformed.
func ParseRateLimit(v string) (r RateLimit, ok bool) {
	seenTimeLeft := false
	for v != "" {
		var field string
		field, v, _ = strings.Cut(v, ",")
		name, val, found := strings.Cut(strings.TrimSpace(field), ":")
		if !found {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		switch {
		case strings.EqualFold(name, "TimeLeft"):
			if seenTimeLeft {
				continue
			}
			seenTimeLeft = true
			if err != nil || n < 0 || n > int64(maxTimeLeft/time.Millisecond) {
				return RateLimit{}, false
			}
			r.TimeLeft, ok = time.Duration(n)*time.Millisecond, true
		case err != nil:
		case strings.EqualFold(name, "Limit"):
			r.Limit = n
		case strings.EqualFold(name, "Remain"):
			r.Remain = n
		case strings.EqualFold(name, "Reset"):
			r.Reset = time.Unix(n, 0)
		}
	}
	if !ok {
		return RateLimit{}, false
	}
	return r, true
}
