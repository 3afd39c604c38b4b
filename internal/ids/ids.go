// Package ids makes the random identifiers the project sends and responds with: clientTokens,
// RequestIds and signature nonces (UUID), throwaway keys and instance ids (Hex).
package ids

import (
	"crypto/rand"
	"encoding/hex"
)

// UUID returns a random version 4 UUID in upper case, the form of the service's RequestIds and
// of the document's samples.
func UUID() string {
	var b [16]byte
	// crypto/rand.Read never fails: the runtime aborts the process if the system's randomness
	// source is unusable.
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return FormatUUID(b)
}

// FormatUUID writes 16 bytes in the UUID form UUID uses: upper-case hex, 8-4-4-4-12.
func FormatUUID(b [16]byte) string {
	const digits = "0123456789ABCDEF"
	var out [36]byte
	j := 0
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = digits[v>>4], digits[v&0x0f]
		j += 2
	}
	return string(out[:])
}

// Hex returns n random bytes in lower-case hex (2n digits).
func Hex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, as in UUID
	return hex.EncodeToString(b)
}
