#!/usr/bin/env bash
# Audit log benchmarks (docs/audit-benchmarks.md): appends/s with concurrent
# writers on SQLite and PostgreSQL (group commit), inclusion-proof latency in
# a 1M-entry log, and the time to verify a 1M-entry bundle offline. Starts a
# throwaway PostgreSQL on a loopback port through internal/testenv and stops
# it afterwards.
#
# Bounded: BENCH_TIME (default 3s) per benchmark, about a minute and a half
# in all. The first run also builds the 1M-entry log and bundle (about 50 s,
# ~900 MB under ${TMPDIR:-/tmp}/warden-audit-bench-v1-1000000, reused by
# later runs; delete the directory to rebuild it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
benchtime=${BENCH_TIME:-3s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "Running the audit benchmarks (-benchtime $benchtime; $(nproc) CPUs)..."
go run ./internal/testenv -- go test -run '^$' -count 1 -timeout 15m -benchtime "$benchtime" \
	-bench '^Benchmark(AppendSQLite|AppendPostgres|InclusionProof|VerifyBundle1M)$' ./audit/ | tee "$out"

# metric NAME-PREFIX UNIT: the value printed before UNIT on the benchmark's line.
metric() {
	awk -v name="$1" -v unit="$2" 'index($1, name) == 1 { for (i = 3; i <= NF; i++) if ($i == unit) { print $(i-1); exit } }' "$out"
}
sqlite64=$(metric BenchmarkAppendSQLite/writers=64- appends/s)
sqlite1024=$(metric BenchmarkAppendSQLite/writers=1024- appends/s)
pg64=$(metric BenchmarkAppendPostgres/writers=64- appends/s)
pg1024=$(metric BenchmarkAppendPostgres/writers=1024- appends/s)
proof_ns=$(metric BenchmarkInclusionProof- ns/op)
proof_p50=$(metric BenchmarkInclusionProof- p50-µs)
proof_p99=$(metric BenchmarkInclusionProof- p99-µs)
verify_s=$(metric BenchmarkVerifyBundle1M- s/verify)
for v in sqlite64 sqlite1024 pg64 pg1024 proof_ns proof_p50 proof_p99 verify_s; do
	if [ -z "${!v}" ]; then
		echo "bench/audit.sh: no figure for $v in the benchmark output" >&2
		exit 1
	fi
done

verdict() { # verdict OK-CONDITION
	if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi
}
echo
echo "Audit log figures ($(nproc) CPUs, $(go env GOVERSION)):"
row() { printf '  %-64s %s\n' "$1" "$2"; }
row "appends/s, SQLite (WAL, synchronous=FULL), 64 writers:" "$(printf '%.0f' "$sqlite64")   (target >= 50000: $(verdict "$sqlite64 >= 50000"))"
row "appends/s, SQLite (WAL, synchronous=FULL), 1024 writers:" "$(printf '%.0f' "$sqlite1024")   (target >= 50000: $(verdict "$sqlite1024 >= 50000"))"
row "appends/s, PostgreSQL (test cluster, fsync=off), 64 writers:" "$(printf '%.0f' "$pg64")"
row "appends/s, PostgreSQL (test cluster, fsync=off), 1024 writers:" "$(printf '%.0f' "$pg1024")"
row "inclusion proof, 1M-entry SQLite log:" "$(awk "BEGIN { printf \"mean %.0f µs, p50 %.0f µs, p99 %.0f µs\", $proof_ns / 1000, $proof_p50, $proof_p99 }")"
row "verify a 1M-entry bundle:" "$(printf '%.2f s' "$verify_s")   (target < 10 s: $(verdict "$verify_s < 10"))"
