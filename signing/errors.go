package signing

import "errors"

// Alibaba Cloud error codes returned by [Verify], spelled exactly as the
// gateway spells them.
const (
	// CodeIncompleteSignature: Authorization or a required header is
	// missing or malformed.
	CodeIncompleteSignature = "IncompleteSignature"
	// CodeSignatureDoesNotMatch: the signature or the body digest differs
	// from the server's calculation.
	CodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	// CodeAccessKeyNotFound: the AccessKeyID is unknown.
	CodeAccessKeyNotFound = "InvalidAccessKeyId.NotFound"
	// CodeTimeStampExpired: the signed date is outside the allowed skew.
	CodeTimeStampExpired = "InvalidTimeStamp.Expired"
	// CodeSecurityTokenMismatch: the STS token does not belong to the key.
	CodeSecurityTokenMismatch = "InvalidSecurityToken.MismatchWithAccessKey"
)

// Error is the typed verification failure, with the Code and Message an Alibaba Cloud gateway
// returns; it never holds a secret (the x-acs-security-token in a ROA StringToSign is redacted),
// so it is safe to log in any form.
type Error struct {
	// Code is the gateway's error code, one of the Code* constants, such as
	// CodeSignatureDoesNotMatch.
	Code string
	// Message is the gateway's message for Code, without the string to sign.
	Message string
	// StringToSign is the server's string to sign, set for
	// SignatureDoesNotMatch only; in a ROA one the x-acs-security-token value
	// is redacted.
	StringToSign string
}

// Error returns "signing: <Code>: <Message>".
func (e *Error) Error() string {
	return "signing: " + e.Code + ": " + e.Message
}

// StringToSignSeparator joins the message of a SignatureDoesNotMatch response
// and the server's string to sign, as the service's gateway writes them.
const StringToSignSeparator = " server string to sign is:"

// ResponseMessage is the Message an Alibaba-compatible server puts in the
// error body: for SignatureDoesNotMatch the gateway appends
// StringToSignSeparator and its string to sign.
func (e *Error) ResponseMessage() string {
	if e.StringToSign == "" {
		return e.Message
	}
	return e.Message + StringToSignSeparator + e.StringToSign
}

// Is makes errors.Is match any *Error with the same Code, e.g.
// errors.Is(err, &signing.Error{Code: signing.CodeTimeStampExpired}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the Code of a *Error in err's chain, or "" if there is none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// messages holds the gateway's fixed message for each code.
var messages = map[string]string{
	CodeIncompleteSignature:   "The request signature does not conform to Aliyun standards.",
	CodeSignatureDoesNotMatch: "Specified signature is not matched with our calculation.",
	CodeAccessKeyNotFound:     "Specified access key is not found.",
	CodeTimeStampExpired:      "Specified time stamp or date value is expired.",
	CodeSecurityTokenMismatch: "Specified security token mismatch with access key.",
}

func newError(code string) *Error {
	return &Error{Code: code, Message: messages[code]}
}

func mismatch(stringToSign string) *Error {
	e := newError(CodeSignatureDoesNotMatch)
	e.StringToSign = stringToSign
	return e
}

// Errors returned by Sign for unusable input; they are programming errors on
// the client side, not signature failures, so they are plain errors.
var (
	errNilRequest  = errors.New("signing: nil request or URL")
	errScheme      = errors.New("signing: unknown scheme")
	errCredentials = errors.New("signing: AccessKeyID and AccessKeySecret are required; the ID must not contain spaces, ',' or ':'")
	errNonce       = errors.New("signing: nonce must be non-empty and printable ASCII")
	errToken       = errors.New("signing: security token must be printable ASCII")
	errNoHost      = errors.New("signing: request has no host")
	errQuery       = errors.New("signing: malformed query string")
	errBodyTooBig  = errors.New("signing: request body too large")
)
