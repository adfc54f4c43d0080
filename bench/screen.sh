#!/usr/bin/env bash
# Screening over HTTP (docs/screening-performance.md): starts a local Warden
# (SQLite, a temporary data dir, loopback only) with every bundled list
# (the same files as ../shared/data/lists), reports how long start-up took and
# the resident memory, loads POST /v1/screen from a second process with the
# mixed query set of the screening benchmarks (real list names with and
# without typos, common unlisted names, companies, single tokens; 1-5 tokens)
# and prints throughput, latency percentiles, status codes and memory after
# the load. Then it loads the lists again from ../shared/data with the CLI
# (progress shown) and restarts the server, which restores them from the store.
#
# Bounded: BENCH_SECONDS (default 10, at most 300) of load after a 2 s
# warm-up, BENCH_WORKERS (default 32) concurrent connections; about 30 s in
# all plus the build. The server is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
seconds=${BENCH_SECONDS:-10}
workers=${BENCH_WORKERS:-32}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1 || seconds > 300)); then
	echo "bench/screen.sh: BENCH_SECONDS must be 1 to 300" >&2
	exit 2
fi
if ! [[ $workers =~ ^[0-9]+$ ]] || ((workers < 1 || workers > 1024)); then
	echo "bench/screen.sh: BENCH_WORKERS must be 1 to 1024" >&2
	exit 2
fi
shared=../shared/data/lists

# shellcheck source=bench/server.sh
. bench/server.sh
echo "Writing the mixed query set (screening/match_bench_test.go)..."
WARDEN_SCREEN_BODIES="$dir/bodies.jsonl" go test -count 1 -run '^TestWriteScreenBodies$' ./screening/ >/dev/null
nbodies=$(grep -c . "$dir/bodies.jsonl")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18081)
base="http://127.0.0.1:$port"
key=$("$dir/warden" apikey create --data-dir "$dir/data" --role service --name bench --json |
	sed -n 's/.*"key": *"\(wdn_[^"]*\)".*/\1/p')
if [ -z "$key" ]; then
	echo "bench/screen.sh: could not create a service key" >&2
	exit 1
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# status FIELD: a /proc/PID/status field of the server in MB.
status_mb() { awk -v f="$1:" '$1 == f { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"; }

# start_server: starts warden serve and waits for /readyz; sets ready_ms.
# The service role's rate limit is raised so that it is not what is measured
# (the default, 20000/s per key, is above what two cores serve anyway).
start_server() {
	local t0
	t0=$(now_ms)
	WARDEN_LOG_LEVEL=warn WARDEN_RATE_LIMITS_SERVICE=1000000/s \
		"$dir/warden" serve --data-dir "$dir/data" --listen "127.0.0.1:$port" >>"$dir/serve.out" 2>>"$dir/serve.log" &
	pid=$!
	for _ in $(seq 3000); do
		if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then
			ready_ms=$(($(now_ms) - t0))
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "bench/screen.sh: warden serve exited:" >&2
			cat "$dir/serve.log" >&2
			exit 1
		fi
		sleep 0.01
	done
	echo "bench/screen.sh: warden serve not ready after 30 s" >&2
	exit 1
}

echo "Starting warden serve on $base (empty store: the bundled lists are parsed, indexed, stored and audited)..."
start_server
first_ms=$ready_ms
rss_start=$(status_mb VmRSS)
curl -fsS -H "Authorization: Bearer $key" "$base/v1/lists" |
	sed 's/},{/}\n{/g' | sed -n 's/.*"source":"\([^"]*\)".*"entities":\([0-9]*\).*/  list in service: \1, \2 entries/p'
echo "  ready after ${first_ms} ms; resident memory ${rss_start} MB"

echo "Sanity check: one screening of \"Banco Nacionall de Cuba\"..."
curl -fsS -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
	-d '{"name":"Banco Nacionall de Cuba"}' "$base/v1/screen" | grep -o '"entry_name":"[^"]*","entry_type":"[^"]*","matched_alias":"[^"]*","score":[0-9.]*' | head -1

echo "POST /v1/screen, $nbodies mixed bodies in turn, $workers workers, ${seconds}s after a 2s warm-up:"
"$dir/httpload" -url "$base/v1/screen" -method POST -bodies "$dir/bodies.jsonl" -key "$key" \
	-c "$workers" -warmup 2s -d "${seconds}s" -json >"$dir/load.json"
rss_after=$(status_mb VmRSS)
hwm_after=$(status_mb VmHWM)
stop_server

field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$dir/load.json"; }
rps=$(field rps)
codes=$(sed -n 's/.*"codes":\({[^}]*}\).*/\1/p' "$dir/load.json")
printf '  %.0f req/s (%s requests in %.1f s); p50 %s ms, p95 %s ms, p99 %s ms, max %s ms; errors %s; status codes %s\n' \
	"$rps" "$(field requests)" "$(field seconds)" "$(field p50_ms)" "$(field p95_ms)" "$(field p99_ms)" "$(field max_ms)" "$(field errors)" "$codes"
echo "  resident memory after the load: ${rss_after} MB (peak ${hwm_after} MB)"

cli_ms=""
if [ -d "$shared" ]; then
	echo "warden lists load from $shared (CLI, progress on standard error):"
	t0=$(now_ms)
	"$dir/warden" lists load --data-dir "$dir/data" "$shared/ofac-sdn-2021" "$shared/ofac-cons" "$shared/un/un_consolidated.xml" 2>&1 |
		sed 's/^/  /'
	cli_ms=$(($(now_ms) - t0))
	echo "  took ${cli_ms} ms"
fi

echo "Restarting warden serve (lists restored from the store)..."
start_server
restart_ms=$ready_ms
rss_restart=$(status_mb VmRSS)
echo "  ready after ${restart_ms} ms; resident memory ${rss_restart} MB"
stop_server

verdict() { # verdict OK-CONDITION
	if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi
}
echo
echo "Screening over HTTP ($(nproc) CPUs, $(go env GOVERSION), load generator on the same machine):"
row() { printf '  %-52s %s\n' "$1" "$2"; }
row "POST /v1/screen, screenings/s:" "$(printf '%.0f' "$rps")   (target >= 5000: $(verdict "$rps >= 5000"))"
row "latency p50 / p95 / p99:" "$(field p50_ms) / $(field p95_ms) / $(field p99_ms) ms"
row "errors; status codes:" "$(field errors); $codes"
row "first start (parse, index, store lists) to /readyz:" "${first_ms} ms   (target < 2000: $(verdict "$first_ms < 2000"))"
row "restart (restore lists from the store) to /readyz:" "${restart_ms} ms   (target < 2000: $(verdict "$restart_ms < 2000"))"
[ -n "$cli_ms" ] && row "warden lists load (3 lists from ../shared/data):" "${cli_ms} ms"
row "resident memory: started / after load / peak:" "${rss_start} / ${rss_after} / ${hwm_after} MB"
row "resident memory after restart:" "${rss_restart} MB"
