#!/usr/bin/env bash
# Re-screening after a list update (issue #5): seeds a throwaway SQLite
# store with BENCH_CUSTOMERS customers (default 100000), each screened as at
# onboarding, applies a weekly-sized OFAC SDN update and times the
# re-screening of the customers the change can affect. Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
n=${BENCH_CUSTOMERS:-100000}
if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > 2000000)); then
	echo "bench/rescreen.sh: BENCH_CUSTOMERS must be 1 to 2000000" >&2
	exit 2
fi
go run ./bench/rescreen -customers "$n"
