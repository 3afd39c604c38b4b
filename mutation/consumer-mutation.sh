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
# One worker: the machine is shared. No --test-cpu: gremlins v0.6.0 passes it to go test as one
# argument ("-cpu 1"), which go test refuses, so every mutant would be reported KILLED. A wider
# timeout than the default 3x the coverage run, so a busy machine does not time mutants out.
"$GREMLINS" unleash --workers 1 --timeout-coefficient 6 "$@" ./client
