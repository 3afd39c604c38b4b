package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/credentials/aliyun"
	"github.com/es-openapi/interrupt/signing"
)

// credentialsHelp is the credentials section of the help of every command that takes them.
const credentialsHelp = `credentials, the same for every command, from the first source that holds a key:
  1. the environment: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and, for STS,
     ALIBABA_CLOUD_SECURITY_TOKEN;
  2. a profile of the aliyun CLI's configuration file (ALIBABA_CLOUD_CONFIG_FILE or
     ~/.aliyun/config.json): the one --profile names (which skips the environment), else
     ALIBABA_CLOUD_PROFILE's, else the file's current one (ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
     skips the file);
  3. --credentials-file FILE (lines ALIBABA_CLOUD_ACCESS_KEY_ID=..., blank lines and # comments
     skipped), else --access-key-id, --access-key-secret and --security-token, with a warning: a
     flag is visible to every user of the machine (ps).
  Giving 3 while 1 or 2 holds a key, or --profile with 3, is a usage error rather than a silent
  choice. A key with white space or a control character in it is refused before anything is sent.
`

// credentialOptions are the credential flags every command that signs or checks signatures takes.
type credentialOptions struct {
	profile, file                   string
	keyID, keySecret, securityToken string
}

// addCredentialFlags registers the credential flags on fs.
func addCredentialFlags(fs *pflag.FlagSet, o *credentialOptions) {
	fs.StringVar(&o.profile, "profile", "", "use this `NAME`d profile of the aliyun CLI's configuration file")
	fs.StringVar(&o.file, "credentials-file", "", "read the AccessKey from `FILE` (lines ALIBABA_CLOUD_ACCESS_KEY_ID=..., ...)")
	fs.StringVar(&o.keyID, "access-key-id", "", "fallback, prefer the environment: the AccessKey `ID`")
	fs.StringVar(&o.keySecret, "access-key-secret", "", "fallback, visible in ps: the AccessKey `SECRET` of --access-key-id")
	fs.StringVar(&o.securityToken, "security-token", "", "fallback, visible in ps: the STS security `TOKEN` that goes with the key")
}

// explicit reports whether any credential flag was given.
func (o *credentialOptions) explicit() bool {
	return o.profile != "" || o.file != "" || o.flagsGiven()
}

func (o *credentialOptions) flagsGiven() bool {
	return o.keyID != "" || o.keySecret != "" || o.securityToken != ""
}

// foundCredentials is a key and where it came from.
type foundCredentials struct {
	creds   client.StaticCredentials
	from    string // such as "the environment", for messages; never a value
	warning string // set when the secret came from a flag
}

// signingCredentials converts to the signing package's form.
func (f *foundCredentials) signingCredentials() signing.Credentials {
	return signing.Credentials{AccessKeyID: f.creds.AccessKeyID, AccessKeySecret: f.creds.AccessKeySecret, SecurityToken: f.creds.SecurityToken}
}

// flagWarning is the warning of a secret given as a flag.
const flagWarning = "the AccessKeySecret was given as a flag, which every user of the machine can read (ps); " +
	"set " + client.EnvAccessKeySecret + " or use --credentials-file instead"

// errNoSource is the reason no source held a key; resolveCredentials wraps it with the details.
var errNoSource = errors.New("no credentials")

// resolveCredentials finds the key in the order of credentialsHelp. It returns nil and an error
// matching errNoSource when no source holds one; any other error is a usage error. Errors never
// quote a value.
func resolveCredentials(ctx context.Context, o *credentialOptions, getenv func(string) string) (*foundCredentials, error) {
	fallback := o.file != "" || o.flagsGiven()
	if o.file != "" && o.flagsGiven() {
		return nil, errors.New("give the AccessKey one way: --credentials-file or the key flags, not both")
	}
	if o.profile != "" {
		if fallback {
			return nil, errors.New("give the AccessKey one way: --profile, --credentials-file or the key flags")
		}
		return checked(fromProfile(ctx, cliConfigFile(getenv), o.profile))
	}
	if found, ok, err := fromEnvironment(getenv, fallback); ok {
		return found, err
	}
	found, noFile, ok, err := fromCLIConfig(ctx, getenv, fallback)
	if ok {
		return found, err
	}
	return fromCredentialFlags(o, noFile)
}

// fromEnvironment is the key in ALIBABA_CLOUD_ACCESS_KEY_*; ok is false when neither is set.
func fromEnvironment(getenv func(string) string, fallback bool) (found *foundCredentials, ok bool, err error) {
	env := client.StaticCredentials{AccessKeyID: getenv(client.EnvAccessKeyID), AccessKeySecret: getenv(client.EnvAccessKeySecret), SecurityToken: getenv(client.EnvSecurityToken)}
	if env.AccessKeyID == "" && env.AccessKeySecret == "" {
		return nil, false, nil
	}
	if fallback {
		return nil, true, errors.New("give the AccessKey one way: the environment (" + client.EnvAccessKeyID + ") already holds one, so --credentials-file and the key flags would be ignored")
	}
	if env.AccessKeyID == "" || env.AccessKeySecret == "" {
		return nil, true, errors.New("the AccessKeyId and the AccessKeySecret go together: set both " + client.EnvAccessKeyID + " and " + client.EnvAccessKeySecret)
	}
	found, err = checked(&foundCredentials{creds: env, from: "the environment"}, nil)
	return found, true, err
}

// fromCLIConfig is the key of the aliyun CLI's configuration file; ok is false when there is no
// file to read, and noFile then says why.
func fromCLIConfig(ctx context.Context, getenv func(string) string, fallback bool) (found *foundCredentials, noFile string, ok bool, err error) {
	if getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED") == "true" {
		return nil, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true", false, nil
	}
	file := cliConfigFile(getenv)
	if file == "" {
		return nil, "there is no home directory to find the aliyun CLI's configuration in", false, nil
	}
	if _, err := os.Stat(file); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", true, fmt.Errorf("the aliyun CLI configuration file: %v", err)
		}
		return nil, "there is no aliyun CLI configuration file " + file, false, nil
	}
	if fallback {
		return nil, "", true, fmt.Errorf("give the AccessKey one way: the aliyun CLI configuration file %s already gives one, so --credentials-file and the key flags would be ignored (drop them to use the file, or set ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true to use them)", file)
	}
	found, err = checked(fromProfile(ctx, file, getenv("ALIBABA_CLOUD_PROFILE")))
	return found, "", true, err
}

// fromCredentialFlags is the key of --credentials-file or the key flags, or an error matching
// errNoSource that says what was looked for (noFile: why no CLI configuration was read).
func fromCredentialFlags(o *credentialOptions, noFile string) (*foundCredentials, error) {
	switch {
	case o.file != "":
		c, err := readCredentialsFile(o.file)
		if err != nil {
			return nil, err
		}
		return checked(&foundCredentials{creds: c, from: "--credentials-file"}, nil)
	case o.flagsGiven():
		c := client.StaticCredentials{AccessKeyID: o.keyID, AccessKeySecret: o.keySecret, SecurityToken: o.securityToken}
		return checked(&foundCredentials{creds: c, from: "the flags", warning: flagWarning}, nil)
	}
	return nil, fmt.Errorf("%w: %s is not set, and %s", errNoSource, client.EnvAccessKeyID, noFile)
}

// cliConfigFile is the aliyun CLI's configuration file: ALIBABA_CLOUD_CONFIG_FILE, else
// ~/.aliyun/config.json; "" without a home directory. It is looked up with getenv rather than
// by credentials-go in the process environment, so tests and callers control it.
func cliConfigFile(getenv func(string) string) string {
	if file := getenv("ALIBABA_CLOUD_CONFIG_FILE"); file != "" {
		return file
	}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".aliyun", "config.json")
}

// fromProfile reads one profile of the aliyun CLI's configuration file (an empty name: its
// current one).
func fromProfile(ctx context.Context, file, name string) (*foundCredentials, error) {
	if file == "" {
		return nil, errors.New("--profile: there is no home directory to find ~/.aliyun/config.json in (set ALIBABA_CLOUD_CONFIG_FILE)")
	}
	p, err := aliyun.CLIProfile(file, name)
	if err != nil {
		return nil, err
	}
	c, err := p.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	from := "the aliyun CLI profile"
	if name != "" {
		from += " " + name
	}
	return &foundCredentials{creds: c, from: from + " (" + file + ")"}, nil
}

// checked refuses a key that cannot be what its owner meant: incomplete, or with white space or a
// control character (a trailing newline from a file or a paste), which would be signed and sent
// only to be refused.
func checked(f *foundCredentials, err error) (*foundCredentials, error) {
	if err != nil {
		return nil, err
	}
	c := f.creds
	switch {
	case c.AccessKeyID == "" && c.AccessKeySecret == "":
		return nil, fmt.Errorf("%s gives no AccessKey: want both the AccessKeyId and the AccessKeySecret", f.from)
	case c.AccessKeyID == "" || c.AccessKeySecret == "":
		return nil, fmt.Errorf("the AccessKeyId and the AccessKeySecret go together, and only one came from %s", f.from)
	}
	for _, v := range []struct{ name, value string }{
		{"AccessKeyId", c.AccessKeyID}, {"AccessKeySecret", c.AccessKeySecret}, {"SecurityToken", c.SecurityToken},
	} {
		if reason := keyProblem(v.value); reason != "" {
			return nil, fmt.Errorf("the %s from %s %s", v.name, f.from, reason)
		}
	}
	return f, nil
}

// keyProblem says what makes s unusable as a key part, or "" when nothing does. Keys are
// visible ASCII (the signing package signs nothing else), so no value is quoted.
func keyProblem(s string) string {
	if strings.TrimSpace(s) != s {
		return "begins or ends with white space (a space or a newline)"
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return "holds a space, a control character or a non-ASCII character"
		}
	}
	return ""
}

// The variables a --credentials-file sets, the ones the client reads.
var credentialVars = [...]string{client.EnvAccessKeyID, client.EnvAccessKeySecret, client.EnvSecurityToken}

// readCredentialsFile reads NAME=VALUE lines with the names of credentialVars. Unknown names and
// malformed lines are errors naming the line number only, never its text (it may be a secret).
func readCredentialsFile(path string) (client.StaticCredentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return client.StaticCredentials{}, fmt.Errorf("--credentials-file: %w", err)
	}
	var c client.StaticCredentials
	fields := map[string]*string{
		credentialVars[0]: &c.AccessKeyID,
		credentialVars[1]: &c.AccessKeySecret,
		credentialVars[2]: &c.SecurityToken,
	}
	for i, line := range strings.Split(string(data), "\n") {
		if trimmed := strings.TrimSpace(line); trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		// Spaces around '=' are layout; the rest of the value is kept as written (a trailing
		// space or CR included), so that checked refuses it as it refuses the same key from the
		// environment or a profile, instead of signing with a key its owner did not write.
		name, value, ok := strings.Cut(line, "=")
		field, known := fields[strings.TrimSpace(name)]
		if !ok || !known {
			return client.StaticCredentials{}, fmt.Errorf("--credentials-file %s: line %d is not NAME=VALUE with NAME one of %s", path, i+1, strings.Join(credentialVars[:], ", "))
		}
		*field = strings.TrimLeft(value, " \t")
	}
	return c, nil
}
