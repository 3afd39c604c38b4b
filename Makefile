# Every target needs only Go (and, for the OpenAPI linter, Node.js's npx; for the race detector, a
# C compiler); tools come pinned through go.mod's tool directives (go tool) or by exact version below.

GO          ?= go
REDOCLY     ?= npx --yes @redocly/cli@2.77.0
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
GINKGO      ?= $(GO) tool ginkgo
OASDIFF     ?= $(GO) run github.com/oasdiff/oasdiff@v1.38.0
FUZZTIME    ?= 10s
BENCHCOUNT  ?= 5
SUBMODULES  := $(patsubst %/go.mod,%,$(wildcard examples/*/go.mod))
# The race detector needs cgo, and cgo a C compiler (gcc or clang); go turns cgo off
# (CGO_ENABLED=0) where it finds none. RACE is -race when cgo is on and empty otherwise; CI sets
# RACE=-race so that there a missing compiler fails the run rather than skipping the detector.
RACE        ?= $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race)

.PHONY: all generate check-generated lint test race-note contract bench load soak fuzz cover breaking baseline attack mutation mutation-consumer gremlins

all: lint test

## generate: regenerate the Go code that comes from spec/openapi.yaml
generate:
	$(GO) generate ./...
	@for m in $(SUBMODULES); do (cd $$m && $(GO) generate ./...) || exit 1; done

## check-generated: regenerate and fail if that changed any file (generated code is committed).
## It compares checksums of every tracked and untracked file, so it also works on a dirty tree.
check-generated:
	@git ls-files -co --exclude-standard -z | xargs -0 sha256sum > .generated.before
	@$(MAKE) --no-print-directory generate
	@git ls-files -co --exclude-standard -z | xargs -0 sha256sum | grep -v ' .generated.before$$' > .generated.after
	@grep -v ' .generated.before$$' .generated.before > .generated.before.tmp; mv .generated.before.tmp .generated.before
	@if ! diff -u .generated.before .generated.after; then \
		rm -f .generated.before .generated.after; \
		echo "generated code is out of date: run 'make generate' and commit the result"; exit 1; \
	fi
	@rm -f .generated.before .generated.after
	@echo "generated code is up to date"

## lint: gofmt, go vet, staticcheck (default checks) and the OpenAPI linter (rules in redocly.yaml)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@for m in $(SUBMODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done
	$(STATICCHECK) ./...
	@for m in $(SUBMODULES); do (cd $$m && $(STATICCHECK) ./...) || exit 1; done
	$(REDOCLY) lint --format=stylish spec/openapi.yaml

## test: every test of the module and of the example modules, under the race detector when there
## is a C compiler
test: race-note
	$(GO) test $(RACE) ./...
	@for m in $(SUBMODULES); do (cd $$m && $(GO) test $(RACE) ./...) || exit 1; done

race-note:
	@if [ -z "$(RACE)" ]; then echo "note: cgo is off (no C compiler found), so the tests run without the race detector; install gcc or clang to turn it on"; fi

## breaking: fail if DOCUMENT breaks what the last release's document (spec/baseline/openapi.yaml)
## promised, unless the module's major version (the /vN suffix of the module path in go.mod) has
## changed since that release. oasdiff reads local files only (no external $refs).
DOCUMENT    ?= spec/openapi.yaml
BASELINE    := spec/baseline
breaking:
	@base=$$(sed -n 's/^module //p' $(BASELINE)/release); \
	current=$$(sed -n 's/^module //p' go.mod); \
	major() { case "$$1" in *[!/]/v[2-9]|*[!/]/v[1-9][0-9]*) echo "$${1##*/}";; *) echo "v0/v1";; esac; }; \
	if [ -z "$$base" ] || [ -z "$$current" ]; then echo "breaking: no module path in $(BASELINE)/release or go.mod"; exit 2; fi; \
	echo "$(DOCUMENT) against $(BASELINE)/openapi.yaml, released as $$(sed -n 's/^version //p' $(BASELINE)/release) of $$base"; \
	if [ "$$(major "$$base")" != "$$(major "$$current")" ]; then \
		echo "the major version changed ($$(major "$$base") to $$(major "$$current")): breaking changes are allowed and only listed"; \
		$(OASDIFF) breaking --allow-external-refs=false --color never $(BASELINE)/openapi.yaml $(DOCUMENT); \
	else \
		$(OASDIFF) breaking --allow-external-refs=false --color never --fail-on ERR $(BASELINE)/openapi.yaml $(DOCUMENT) || { \
			echo "breaking: the document breaks users of $$base; keep it compatible, or release a new major version (module path /vN)"; exit 1; }; \
	fi

## baseline: make the document the release baseline that `make breaking` compares against; run it
## when releasing, with RELEASE set to the release's tag (default: keep the recorded version)
RELEASE     ?= $(shell sed -n 's/^version //p' $(BASELINE)/release 2>/dev/null)
baseline:
	@if [ -z "$(RELEASE)" ]; then echo "baseline: set RELEASE, such as make baseline RELEASE=v0.1.0"; exit 2; fi
	cp spec/openapi.yaml $(BASELINE)/openapi.yaml
	@printf 'module %s\nversion %s\n' "$$(sed -n 's/^module //p' go.mod)" "$(RELEASE)" > $(BASELINE)/release
	@cat $(BASELINE)/release
	@echo "record the document's changes under $(RELEASE) in CHANGELOG.md"

## contract: the contract suites through the Ginkgo CLI, with a JUnit report in junit-contract.xml
contract:
	$(GINKGO) -r $(if $(RACE),--race) --junit-report=junit-contract.xml --output-dir=. ./contract

## bench: the benchmarks of the module and of bench/ (against the official SDKs), BENCHCOUNT runs
## each, then one table of medians with ratios and the performance goals (bench/cmd/benchtable)
bench:
	@out=$$(mktemp); trap 'rm -f "$$out"' EXIT; \
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./... 2>&1 | tee "$$out"; \
	(cd bench && $(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./...) 2>&1 | tee -a "$$out"; \
	if grep -q '^FAIL' "$$out"; then echo "benchmarks failed"; exit 1; fi; \
	echo; (cd bench && $(GO) run ./cmd/benchtable) < "$$out"


## load: requests/s and p50/p99 of `esinterrupt serve` (signatures and validation on) beside a bare
## handler, at concurrency 1, 16 and 64; loopback only, each level bounded in requests and time
load:
	cd bench && $(GO) run ./cmd/load -c 1,16,64 -requests 50000 -duration 4s -timeout 2m

## soak: SOAKCALLS client calls against the reference server with random faults injected
SOAKCALLS ?= 100000
soak:
	$(GO) test $(RACE) ./internal/soak -run '^TestSoak$$' -count=1 -v -timeout 15m -soak.calls=$(SOAKCALLS)

## attack: the attack tests under the race detector: replay and idempotency floods, idle-connection
## floods, malformed HTTP and slow bodies against the server (Ginkgo label "attack"), redirects,
## echoed secrets, huge headers and throttled waits against the client (TestAttack*); go test
## runs them too
attack:
	$(GO) test -race -count=1 -v ./server -run '^TestServer$$' -args -ginkgo.label-filter=attack -ginkgo.v
	$(GO) test -race -count=1 -run '^TestAttack' ./client

## fuzz: every fuzz target for FUZZTIME each (go test runs their seed corpora on every test run)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

## cover: test coverage per function and in total (coverage.out)
cover:
	$(GO) test -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -n 1

## mutation: the provider contract's mutation score (issue 10): gremlins v0.6.0 mutates server/*.go,
## then signing/verify.go and signing/canonical.go, then internal/wire/accept.go and ratelimit.go
## (the server's Accept negotiation and rate-limit header), with contract.RunProvider against a
## reference server built from each mutant as the only test (mutation/run.sh, in a temporary copy;
## survivors that cannot be killed are listed in mutation/equivalent.md). MUTATION_WORKERS parallel
## mutants; REV=<commit> measures a commit instead of the work tree. Reports in mutation-out/.
MUTATION_WORKERS ?= 1
mutation: gremlins
	GREMLINS=$(GREMLINS) WORKERS=$(MUTATION_WORKERS) REV=$(REV) ./mutation/run.sh

## mutation-consumer: gremlins v0.6.0 mutating client/*.go with the consumer contract as the only test
## of client/, in a temporary copy of the module (the repository is left as it is); one worker.
## Survivors and the score: mutation/consumer-equivalent.md. GREMLINS_ARGS go to `gremlins unleash`.
GREMLINS_ARGS ?=
mutation-consumer: gremlins
	GREMLINS=$(GREMLINS) sh mutation/consumer-mutation.sh $(GREMLINS_ARGS)

## gremlins: the mutation tester both mutation targets run, pinned, installed into ./bin
GREMLINS ?= $(CURDIR)/bin/gremlins
gremlins:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
