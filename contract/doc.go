// Package contract checks that a server or a client of InterruptElasticsearchTask does what this
// module's OpenAPI document (spec/openapi.yaml) states, and nothing it leaves open. A downstream
// team runs it in CI against its own implementation; its verdict is meant to gate a merge.
//
// # What it checks
//
// The provider checks (Checks) send requests to a server and judge its responses, each check naming
// the statement of the document it holds the server to (Check.Statement):
//
//   - document: the document itself and its examples are valid, and carry the page's samples;
//   - error-code: every code of the x-error-codes catalogue, provoked as its trigger says, comes
//     with its status and a conforming Error body; a code whose trigger is none cannot be
//     provoked, and the document says so;
//   - negative: malformed ids and tokens, other methods and paths, and a body are refused with a
//     documented 4xx Error and change nothing;
//   - idempotency: a repeated clientToken, in sequence and concurrently, returns the first answer
//     and makes one transition;
//   - signature: V3 and ROA signatures are accepted, and tampered, stale, replayed or unknown ones
//     refused with their codes;
//   - state: each row of the x-state-table, from each status;
//   - formats: JSON and XML carry the same data;
//   - coverage: the target answered every documented status and nothing else.
//
// Every check carries its group (the part of its ID before the slash) as its first label, so
// Ginkgo label filters and check IDs agree ("error-code", "state", ...). `esinterrupt verify
// --list` prints every check with its labels, needs and statement. The consumer checks
// (ConsumerChecks) run a client against a recording, validating reference server.
//
// # Two ways to run it
//
// From a plain go test, one subtest per check:
//
//	func TestProvider(t *testing.T) {
//		contract.RunProvider(t, contract.Target{BaseURL: url, Credentials: &creds, Fixtures: fixtures})
//	}
//
// or inside a Ginkgo v2 suite, one spec per check, carrying its labels:
//
//	var _ = contract.DescribeProvider(func() contract.Target { return target })
//
// RunConsumer and DescribeConsumer do the same for a client. Verify runs the provider checks
// without a testing framework, as esinterrupt verify does.
//
// # What a target provides
//
// A Target is a base URL (scheme://host[:port], http or https; the operation's path is absolute
// and signed, so no path prefix) or an in-process http.Handler, and:
//
//   - Credentials that the server accepts, for the signature and signature error-code checks;
//   - Fixtures that hand out instances in a given status, each used once because the checks change
//     it: how many of each status a selection needs is TotalNeeds of its checks (each check's share
//     is its Check.Needs; `esinterrupt verify --list` prints both).
//     NewStaticFixtures hands out ids the server already has; NewAdminFixtures creates instances
//     through the reference server's admin API, and a run removes them again (Remover);
//   - status observation: fixtures whose Status reads an instance's status (the admin API does;
//     static ids cannot), so the checks can see that a refused request changed nothing;
//   - throttling: a rate limit the throttle probe reaches within Target.ThrottleProbe requests
//     (DefaultThrottleProbe; negative: do not probe).
//
// # The verdict
//
// A run first reaches the target once (Preflight): a target that does not respond, or refuses the
// credentials, is one error (ErrUnreachable, ErrCredentialsRejected) and no check runs. A run then
// passes only if every selected check ran and passed. A check is skipped in one of two ways:
//
//   - declared: the document itself says no request can provoke it (a catalogue code with trigger
//     none; SkipDeclared). Such a check is not applicable and never fails a run;
//   - setup: the target lacks what the check needs (fixtures, credentials, status observation,
//     throttling; Skip). Such a check fails the run, and the run's one summary names exactly what
//     to provide, such as "7 more instances in status activating, 3 more in suspended;
//     credentials the target accepts". Target.AllowPartial (--allow-partial) accepts the run
//     instead; the summary and the JUnit report then say the verdict was partial.
//
// A selection that matches no check is an error (ErrNoChecks), as is a label filter naming a label
// no check has. A run counts and reports every request it sends, admin calls included, and removes
// the instances it created.
//
// # The command
//
// esinterrupt verify runs the provider checks against --target, or against the embedded
// reference server when none is given. It exits 0 when the run passed (or, with --allow-partial,
// passed what it could run); 1 when a check failed or checks could not run against the target's
// setup; 2 for bad arguments (a --target that is not an http(s) base URL, an unknown label or a
// filter selecting nothing), before anything is sent; 3 when the target cannot be reached
// (connection, DNS, TLS, timeout); and 4 when it refuses the credentials or needs some.
package contract
