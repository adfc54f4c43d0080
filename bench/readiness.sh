#!/usr/bin/env bash
# Readiness scanner: a scan of 30 live targets on loopback (8 TLS endpoints
# with a certificate about to expire, 6 Redis, 6 Kafka (kfake), 10 nginx HTTP
# endpoints; every probe makes its real handshakes and requests) must finish
# in well under 10 s. Runs BenchmarkScan30Targets BENCH_COUNT times (default
# 5) and prints the time per scan. Needs redis-server and nginx (test.sh
# installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
count=${BENCH_COUNT:-5}
if ! [[ $count =~ ^[0-9]+$ ]] || ((count < 1 || count > 100)); then
	echo "bench/readiness.sh: BENCH_COUNT must be 1 to 100" >&2
	exit 2
fi
out=$(go test -run '^$' -bench '^BenchmarkScan30Targets$' -benchtime "${count}x" -count 1 ./readiness/)
echo "$out" | grep -E '^(goos|goarch|cpu|Benchmark)'
ns=$(echo "$out" | awk '/^BenchmarkScan30Targets/ {print $3}')
awk -v ns="$ns" 'BEGIN { s = ns / 1e9; printf "scan of 30 targets: %.3f s (goal: under 10 s) %s\n", s, (s < 10 ? "OK" : "TOO SLOW") }'
