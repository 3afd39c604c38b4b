package signing

import (
	"crypto/sha1"
	"crypto/sha256"
)

// HMAC (RFC 2104) over one-shot sums. crypto/hmac costs five heap
// allocations and two digest objects per call, about a third of a Sign; here
// the inner and outer hashes each run over one contiguous stack buffer. The
// caller lays the message out as buf[hmacBlock:] so that buf[:hmacBlock] can
// take the inner pad without copying the message. Tests check the result
// against crypto/hmac for short, block-sized and long keys.

// hmacBlock is the block size of SHA-1 and SHA-256.
const hmacBlock = 64

// hmacKey returns the key padded to a block, hashing longer keys first.
func hmacKey(secret string, long func(string) []byte) (k [hmacBlock]byte) {
	if len(secret) > hmacBlock {
		copy(k[:], long(secret))
	} else {
		copy(k[:], secret)
	}
	return k
}

func sha256Key(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
func sha1Key(s string) []byte   { h := sha1.Sum([]byte(s)); return h[:] }

// hmacSHA256 returns HMAC-SHA256(secret, buf[hmacBlock:]), overwriting
// buf[:hmacBlock].
func hmacSHA256(secret string, buf []byte) [sha256.Size]byte {
	k := hmacKey(secret, sha256Key)
	for i := range hmacBlock {
		buf[i] = k[i] ^ 0x36
	}
	inner := sha256.Sum256(buf)
	var outer [hmacBlock + sha256.Size]byte
	for i := range hmacBlock {
		outer[i] = k[i] ^ 0x5c
	}
	copy(outer[hmacBlock:], inner[:])
	return sha256.Sum256(outer[:])
}

// hmacSHA1 returns HMAC-SHA1(secret, buf[hmacBlock:]), overwriting
// buf[:hmacBlock].
func hmacSHA1(secret string, buf []byte) [sha1.Size]byte {
	k := hmacKey(secret, sha1Key)
	for i := range hmacBlock {
		buf[i] = k[i] ^ 0x36
	}
	inner := sha1.Sum(buf)
	var outer [hmacBlock + sha1.Size]byte
	for i := range hmacBlock {
		outer[i] = k[i] ^ 0x5c
	}
	copy(outer[hmacBlock:], inner[:])
	return sha1.Sum(outer[:])
}
