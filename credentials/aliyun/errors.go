package aliyun

import (
	"errors"

	"github.com/es-openapi/interrupt/client"
)

// Error is a credentials-go provider's failure to give credentials. It matches
// client.ErrNoCredentials (errors.Is) and unwraps to the provider's error.
type Error struct {
	// Provider is the provider's name in credentials-go, such as "default", "cli_profile" or
	// "ecs_ram_role".
	Provider string
	// Err is the provider's error. Its text never holds a secret: a message that would print
	// the aliyun CLI configuration file is shortened to the file's name.
	Err error
}

func (e *Error) Error() string {
	return "credentials-go " + e.Provider + " provider: " + e.Err.Error()
}

// Unwrap returns client.ErrNoCredentials and the provider's error.
func (e *Error) Unwrap() []error { return []error{client.ErrNoCredentials, e.Err} }

// errIncomplete is a provider's answer without an AccessKeyId or AccessKeySecret.
var errIncomplete = errors.New("the answer has no AccessKeyId or no AccessKeySecret")

// scrubbedError is a provider's message with the secrets it carried cut out.
type scrubbedError string

func (e scrubbedError) Error() string { return string(e) }
