#!/bin/sh
# Mutation testing of client/*.go with the consumer contract as the only test of package client
# (make mutation-consumer). It works in a temporary copy of the module, so the repository is
# never changed: client's own tests are left out of the copy and consumer-contract_test.go.in
# is put in their place. Extra arguments go to `gremlins unleash`, such as --dry-run or
# --output FILE. Survivors and their reasons: mutation/consumer-equivalent.md.
set -eu
GREMLINS=${GREMLINS:-gremlins}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$root"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$tmp"
rm -f "$tmp"/client/*_test.go
cp mutation/consumer-contract_test.go.in "$tmp/client/consumer_contract_test.go"
cd "$tmp"
# One worker and one CPU per test run: the checks measure waits, and the machine is shared.
"$GREMLINS" unleash --workers 1 --test-cpu 1 "$@" ./client
