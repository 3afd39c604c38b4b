#!/bin/sh
# Mutation score of the provider contract (issue 10, point 5): gremlins (GREMLINS, pinned at
# v0.6.0 in the Makefile) mutates server/*.go, then signing/verify.go and signing/canonical.go,
# then internal/wire/accept.go and internal/wire/ratelimit.go (the server's Accept negotiation and
# rate-limit header), and judges each mutant by one test only: contract.RunProvider against a
# reference server built from the mutated code (provider_test.go.tmpl). The package's own tests
# are moved aside in a temporary copy of the module, so the repository is never touched.
#
# Usage: run.sh [server|signing|wire]...   (default: all three). Results go to OUT (default
# ./mutation-out): one gremlins JSON report and one log per target. REV=<commit> measures that
# commit instead of the work tree (with this directory's test template), for a before/after
# comparison.
# ONLY="file.go ..." mutates only those files of each target (a re-run after new checks); its
# reports are named <target>.only.json, and mutation/score counts them over the full run's.
set -eu

GREMLINS=${GREMLINS:-gremlins}
WORKERS=${WORKERS:-1}
TIMEOUT_COEFFICIENT=${TIMEOUT_COEFFICIENT:-10}
# The mutants gremlins v0.6.0 can make beyond its defaults. It has no statement removal and no
# true/false swap (see equivalent.md); INVERT_LOGICAL and INVERT_LOOPCTRL are the nearest.
EXTRA=${EXTRA:---invert-logical --invert-loopctrl --invert-assignments --invert-bitwise --invert-bwassign --remove-self-assignments}

repo=$(git rev-parse --show-toplevel)
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${OUT:-mutation-out}" && cd "${OUT:-mutation-out}" && pwd)
targets=${*:-server signing wire}

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The module as it is in the work tree (tracked and untracked files, not ignored ones) or at REV,
# without the separate modules under bench/ and examples/.
if [ -n "${REV:-}" ]; then
	git -C "$repo" archive "$REV" | tar -xf - -C "$tmp"
	rm -rf "$tmp/bench" "$tmp/examples"
else
	(cd "$repo" && git ls-files -co --exclude-standard -z) |
		tr '\0' '\n' | grep -v -e '^bench/' -e '^examples/' -e '^mutation-out/' | tr '\n' '\0' |
		(cd "$repo" && tar --null -T - -cf -) | tar -xf - -C "$tmp"
fi

for target in $targets; do
	case $target in
	server) pkg=server exclude='' ;;
	signing) pkg=signing exclude='--exclude-files=^(body|credentials|date|doc|errors|mac|roa|sign|v3)\.go$' ;;
	# The server's Accept negotiation and rate-limit header, moved out of server/ so the client and
	# the document share them (see equivalent.md).
	wire) pkg=internal/wire exclude='--exclude-files=^(doc|generate|path|path_gen|throttling)\.go$' ;;
	*) echo "run.sh: unknown target $target (server, signing or wire)" >&2; exit 2 ;;
	esac
	name=$(basename "$pkg")
	report=$target
	if [ -n "${ONLY:-}" ]; then
		others=$(cd "$tmp/$pkg" && ls *.go | grep -v '_test\.go$' | grep -vxF "$(echo $ONLY | tr ' ' '\n')" | sed 's/\./\\./' | paste -sd'|' -)
		exclude="--exclude-files=^($others)\$"
		report=$target.only
	fi
	rm -f "$tmp/$pkg"/*_test.go
	rm -rf "$tmp/$pkg/testdata"
	sed "s/^package PACKAGE_test/package ${name}_test/" "$here/provider_test.go.tmpl" > "$tmp/$pkg/provider_contract_test.go"
	echo "== gremlins: $target (workers $WORKERS)"
	# shellcheck disable=SC2086 # EXTRA and exclude are lists of flags
	(cd "$tmp" && "$GREMLINS" unleash --workers "$WORKERS" --timeout-coefficient "$TIMEOUT_COEFFICIENT" \
		$EXTRA $exclude --output "$out/$report.json" "$tmp/$pkg") 2>&1 | tee "$out/$report.log"
done

# The score over the mutants that are not listed as equivalent in equivalent.md.
reports=
for t in $targets; do
	for f in "$out/$t.json" "$out/$t.only.json"; do
		if [ -f "$f" ]; then reports="$reports $f"; fi
	done
done
# shellcheck disable=SC2086 # reports is a list of paths without spaces
(cd "$repo" && go run ./mutation/score -equivalent "$here/equivalent.md" $reports)
