#!/usr/bin/env bash
# Runs Warden's whole test suite on a fresh Debian machine with nothing set up
# by hand: installs the Debian packages the tests need (when missing), checks
# formatting and vet, starts a throwaway PostgreSQL cluster on a free loopback
# port, runs every Go test against it, runs the fuzzers briefly, and stops the
# cluster again.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null; then
	echo "test.sh: Go is required (https://go.dev/doc/install); go.mod names the version" >&2
	exit 1
fi

# Debian packages for the real servers the tests start.
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
	echo "test.sh: installing ${missing[*]}" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "test.sh: gofmt and go vet" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "test.sh: gofmt would change: $unformatted" >&2
	exit 1
fi
go vet ./...

echo "test.sh: go test" >&2
go run ./internal/testenv -- go test -count=1 -timeout 15m ./...

# Budgets are counts of inputs, not durations: when a duration runs out
# while a worker is busy (a loaded machine), Go's fuzzing coordinator can
# fail the run with a bare "context deadline exceeded" and no failing input
# (golang/go#75804); a count has no deadline to race.
echo "test.sh: fuzzing the request decoder, the Kafka record decoder and the audit bundle verifier" >&2
go test -run '^$' -fuzz '^FuzzDecodeRequest$' -fuzztime 30000x ./httpapi/
go test -run '^$' -fuzz '^FuzzDecodeRecord$' -fuzztime 30000x ./stream/
go run ./internal/testenv -- go test -run '^$' -fuzz '^FuzzVerify$' -fuzztime 20000x ./audit/
echo "test.sh: all tests passed" >&2
