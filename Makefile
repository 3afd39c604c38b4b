# Every target needs only Go (and, for the OpenAPI linter, Node.js's npx); tools come pinned through
# go.mod (tools.go) or by exact version below.

GO          ?= go
REDOCLY     ?= npx --yes @redocly/cli@2.77.0
GINKGO      ?= $(GO) run github.com/onsi/ginkgo/v2/ginkgo
FUZZTIME    ?= 10s
BENCHCOUNT  ?= 5
SUBMODULES  := $(patsubst %/go.mod,%,$(wildcard examples/*/go.mod))

.PHONY: all generate check-generated lint test contract bench load soak fuzz cover mutation

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

## lint: gofmt, go vet and the OpenAPI linter (rules in redocly.yaml)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@for m in $(SUBMODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done
	$(REDOCLY) lint --format=stylish spec/openapi.yaml

## test: every test of the module and of the example modules, under the race detector
test:
	$(GO) test -race ./...
	@for m in $(SUBMODULES); do (cd $$m && $(GO) test -race ./...) || exit 1; done

## contract: the contract suites through the Ginkgo CLI, with a JUnit report in junit-contract.xml
contract:
	$(GINKGO) -r --race --junit-report=junit-contract.xml --output-dir=. ./contract

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
	$(GO) test -race ./internal/soak -run '^TestSoak$$' -count=1 -v -timeout 15m -soak.calls=$(SOAKCALLS)

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
## then signing/verify.go and signing/canonical.go, with contract.RunProvider against a reference
## server built from each mutant as the only test (mutation/run.sh, in a temporary copy; survivors
## that cannot be killed are listed in mutation/equivalent.md). MUTATION_WORKERS parallel mutants;
## REV=<commit> measures a commit instead of the work tree. Reports in mutation-out/.
MUTATION_WORKERS ?= 1
mutation:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
	GREMLINS=$(CURDIR)/bin/gremlins WORKERS=$(MUTATION_WORKERS) REV=$(REV) ./mutation/run.sh
