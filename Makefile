# Every target needs only Go (and, for the OpenAPI linter, Node.js's npx); tools come pinned through
# go.mod (tools.go) or by exact version below.

GO          ?= go
REDOCLY     ?= npx --yes @redocly/cli@2.77.0
GINKGO      ?= $(GO) run github.com/onsi/ginkgo/v2/ginkgo
FUZZTIME    ?= 10s
BENCHCOUNT  ?= 5
SUBMODULES  := $(patsubst %/go.mod,%,$(wildcard examples/*/go.mod))

.PHONY: all generate check-generated lint test contract bench fuzz cover

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

## bench: the benchmarks of the module
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./...

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
