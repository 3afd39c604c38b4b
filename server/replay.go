package server

import (
	"net/http"
	"time"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
)

// rateLimitHeaders returns the rate-limit headers of a refused request, in the form the official
// SDKs read: Limit:<limit>,Remain:0,TimeLeft:<ms>,Reset:<unix seconds when room is back>. Both
// the per-operation and the per-user header carry the same state. The throttle and the per-key
// windows (replay cache, token store) refuse with them.
func rateLimitHeaders(limit int64, now time.Time, wait time.Duration) http.Header {
	v := wire.RateLimit{Limit: limit, TimeLeft: wait, Reset: now.Add(wait)}.Format()
	h := make(http.Header, len(wire.RateLimitHeaders))
	for _, name := range wire.RateLimitHeaders {
		h.Set(name, v)
	}
	return h
}

// throttledResponse is Throttling.User for a request refused because its key's window (of replay
// keys or of clientTokens) holds limit entries: the headers say when the oldest expires.
func (s *Server) throttledResponse(x *exchange, limit int, now time.Time, wait time.Duration) (*response, error) {
	a, err := s.errorResponse(codeThrottlingUser, x.requestID, "", x.format)
	if err == nil {
		a.header = rateLimitHeaders(int64(limit), now, wait)
	}
	return a, err
}

// uuidDashes are the positions of the dashes in a UUID's 36 characters.
var uuidDashes = [...]int{8, 13, 18, 23}

// requestIDBytes packs a RequestId made by newRequestID (an upper-case UUID) into 16 bytes; ok
// is false for any other string.
func requestIDBytes(id string) (b [16]byte, ok bool) {
	if len(id) != 36 {
		return b, false
	}
	j := 0
	for i := 0; i < len(id); {
		if i == uuidDashes[0] || i == uuidDashes[1] || i == uuidDashes[2] || i == uuidDashes[3] {
			if id[i] != '-' {
				return b, false
			}
			i++
			continue
		}
		hi, ok1 := upperHex(id[i])
		lo, ok2 := upperHex(id[i+1])
		if !ok1 || !ok2 {
			return b, false
		}
		b[j] = hi<<4 | lo
		i, j = i+2, j+1
	}
	return b, true
}

// requestIDString is the inverse of requestIDBytes.
func requestIDString(b [16]byte) string { return ids.FormatUUID(b) }

func upperHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
