package signing

import (
	"bytes"
	"hash"
	"io"
	"net/http"
)

// MaxVerifyBody is the most body Verify reads to check x-acs-content-sha256
// or Content-MD5; a larger body is rejected rather than buffered.
const MaxVerifyBody = 1 << 20

// noLimit is the body limit for Sign: the client's own body, no DoS concern.
const noLimit = 1<<63 - 2

// replayBody puts back what was read ahead of the unread rest, keeping the
// original Close.
type replayBody struct {
	io.Reader
	io.Closer
}

// hashBody writes the request body into h without consuming it and returns
// its length. GetBody is preferred because it yields a fresh copy; otherwise
// up to limit+1 bytes of Body are read and put back in front of the rest.
// When setGetBody is true (client side) and the whole body was buffered,
// GetBody is installed so the transport can replay it on redirects/retries.
func hashBody(req *http.Request, h hash.Hash, limit int64, setGetBody bool) (int64, error) {
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return 0, err
		}
		defer rc.Close()
		n, err := io.Copy(h, io.LimitReader(rc, limit+1))
		if err != nil {
			return n, err
		}
		if n > limit {
			return n, errBodyTooBig
		}
		return n, nil
	}
	if req.Body == nil || req.Body == http.NoBody {
		return 0, nil
	}
	orig := req.Body
	buf, err := io.ReadAll(io.LimitReader(orig, limit+1))
	req.Body = replayBody{io.MultiReader(bytes.NewReader(buf), orig), orig}
	if err != nil {
		return int64(len(buf)), err
	}
	if int64(len(buf)) > limit {
		return int64(len(buf)), errBodyTooBig
	}
	if setGetBody {
		req.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(buf)), nil
		}
	}
	h.Write(buf)
	return int64(len(buf)), nil
}

// mayHaveBody is a cheap test that avoids allocating a hash for the common
// body-less request.
func mayHaveBody(req *http.Request) bool {
	return req.GetBody != nil || (req.Body != nil && req.Body != http.NoBody)
}
