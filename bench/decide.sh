#!/usr/bin/env bash
# Transaction decisions over HTTP (issue #6): starts a local Warden (SQLite,
# a temporary data dir, loopback only, the built-in rule pack), then loads
# POST /v1/transactions from a second process (Debian's wrk with
# bench/bodies.lua when installed, else bench/httpload) with new
# transactions only (unique ids; 10,000 customers; mixed channels, directions,
# counterparties and agents) and prints throughput, latency percentiles and
# the server's memory. A second phase spreads transactions over
# BENCH_CUSTOMERS distinct customers (default 1,000,000) and samples the
# server's resident memory as they pass, to show it stays bounded
# (monitoring.window_keys and the profile caches evict).
#
# Bounded: BENCH_SECONDS (default 20, at most 300) per phase after a 3 s
# warm-up; BENCH_WORKERS (default 64) concurrent connections;
# BENCH_LOADGEN=httpload uses bench/httpload even where wrk is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
seconds=${BENCH_SECONDS:-20}
workers=${BENCH_WORKERS:-64}
customers=${BENCH_CUSTOMERS:-1000000}
for v in "$seconds:1:300:BENCH_SECONDS" "$workers:1:4096:BENCH_WORKERS" "$customers:1:10000000:BENCH_CUSTOMERS"; do
	IFS=: read -r val lo hi name <<<"$v"
	if ! [[ $val =~ ^[0-9]+$ ]] || ((val < lo || val > hi)); then
		echo "bench/decide.sh: $name must be $lo to $hi" >&2
		exit 2
	fi
done

# shellcheck source=bench/server.sh
. bench/server.sh

# Bodies: one line per (customer, shape); {{SEQ}} makes every id new and
# {{NOW}} stamps the time. $1 customers, $2 lines.
write_bodies() {
	python3 - "$1" "$2" >"$3" <<'PY'
import json, sys, random
customers, lines = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(42)
channels = ["mobile_money", "mobile_money", "cash", "card", "wire"]
for i in range(lines):
    c = rnd.randrange(customers)
    tx = {"id": "tx-{{SEQ}}", "time": "{{NOW}}", "customer_id": f"cust-{c:07d}", "account_id": f"acct-{c:07d}",
          "amount": rnd.randrange(1000, 2000000), "currency": "KES", "direction": rnd.choice(["in", "out"]),
          "channel": rnd.choice(channels)}
    if i % 3 == 0:
        tx["counterparty"] = {"name": f"Merchant {i % 700}", "account": str(i % 700), "institution": "EQBLKENA", "country": "KE"}
    if i % 5 == 0:
        tx["agent"] = f"agent-{rnd.randrange(3000)}"
    print(json.dumps(tx, separators=(",", ":")))
PY
}
write_bodies 10000 50000 "$dir/hot.jsonl"
# Batches of 50 new transactions (POST /v1/transactions/batch).
python3 - >"$dir/batch.jsonl" <<'PY'
import json, random
rnd = random.Random(7)
for line in range(2000):
    txs = []
    for k in range(50):
        c = rnd.randrange(10000)
        txs.append({"id": "b{{SEQ}}-%d" % k, "time": "{{NOW}}", "customer_id": f"cust-{c:07d}", "account_id": f"acct-{c:07d}",
                    "amount": rnd.randrange(1000, 2000000), "currency": "KES", "direction": rnd.choice(["in", "out"]), "channel": "mobile_money"})
    print(json.dumps({"transactions": txs}, separators=(",", ":")))
PY
write_bodies "$customers" 200000 "$dir/wide.jsonl"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
key=$("$dir/warden" apikey create --data-dir "$dir/data" --role service --name bench --json |
	sed -n 's/.*"key": *"\(wdn_[^"]*\)".*/\1/p')
[ -n "$key" ] || { echo "bench/decide.sh: could not create a service key" >&2; exit 1; }

status_mb() { awk -v f="$1:" '$1 == f { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"; }
# The service role's rate limit is raised so that it is not what is measured.
WARDEN_LOG_LEVEL=warn WARDEN_RATE_LIMITS_SERVICE=1000000/s \
	"$dir/warden" serve --data-dir "$dir/data" --listen "127.0.0.1:$port" >"$dir/serve.out" 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 3000); do
	curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
	sleep 0.01
done

field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$2"; }

# The load generator: Debian's wrk when installed (with bench/bodies.lua;
# about half the CPU of bench/httpload at these rates, which matters when it
# shares two cores with the server), else bench/httpload;
# BENCH_LOADGEN=httpload forces the latter. Either prints httpload's JSON
# summary, cpu_seconds (its own CPU, warm-up included) too.
loadgen=httpload
if [ "${BENCH_LOADGEN:-}" != httpload ] && command -v wrk >/dev/null; then
	loadgen=wrk
fi
# load URL BODIES CONNECTIONS SECONDS WARMUP_SECONDS
load() {
	if [ "$loadgen" = httpload ]; then
		"$dir/httpload" -url "$1" -method POST -bodies "$2" -key "$key" -c "$3" -d "$4s" -warmup "$5s" -json
		return
	fi
	local out cpu
	out=$(mktemp -p "$dir")
	cpu=$( {
		TIMEFORMAT='%U %S'
		time {
			if [ "$5" -gt 0 ]; then
				BODIES=$2 KEY=$key wrk -t1 -c"$3" -d"$5s" -s bench/bodies.lua "$1" >/dev/null
			fi
			BODIES=$2 KEY=$key wrk -t1 -c"$3" -d"$4s" --timeout 10s -s bench/bodies.lua "$1" >"$out"
		}
	} 2>&1 | tail -1 | awk '{ print $1 + $2 }')
	tail -1 "$out" | sed "s/}\$/,\"cpu_seconds\":$cpu}/"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
echo "Phase 1: POST /v1/transactions, new transactions of 10,000 customers, $workers connections, ${seconds}s after a 3s warm-up..."
ticks0=$(cpu_ticks)
load "$base/v1/transactions" "$dir/hot.jsonl" "$workers" "$seconds" 3 >"$dir/hot.json"
ticks1=$(cpu_ticks)
decided1=$(curl -fsS "$base/metrics" | awk '/^warden_decisions_total/ { s += $2 } END { printf "%d", s }')
rss1=$(status_mb VmRSS)

echo "Phase 1b: POST /v1/transactions/batch, 50 new transactions a request, 16 connections, ${seconds}s..."
load "$base/v1/transactions/batch" "$dir/batch.jsonl" 16 "$seconds" 0 >"$dir/batch.json"

echo "Phase 2: the same over $customers distinct customers, sampling the server's memory..."
load "$base/v1/transactions" "$dir/wide.jsonl" "$workers" "$seconds" 0 >"$dir/wide.json" &
lp=$!
samples=""
while kill -0 "$lp" 2>/dev/null; do
	samples="$samples $(status_mb VmRSS)"
	sleep 2
done
wait "$lp"
rss2=$(status_mb VmRSS)
hwm=$(status_mb VmHWM)
# Resident memory counts the database pages SQLite's readers map
# (mmap_size), once for each connection mapping them: RssFile is that
# page cache, reclaimable; RssAnon is the heap and stacks.
anon2=$(status_mb RssAnon)
file2=$(status_mb RssFile)
decided=$(curl -fsS "$base/metrics" | awk '/^warden_decisions_total/ { s += $2 } END { printf "%d", s }')
stop_server

echo
echo "Transaction decisions over HTTP ($(nproc) CPUs, $(go env GOVERSION), SQLite, load generator $loadgen on the same machine):"
row() { printf '  %-44s %s\n' "$1" "$2"; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
rps=$(field rps "$dir/hot.json")
p99=$(field p99_ms "$dir/hot.json")
row "phase 1 decisions/s:" "$(printf '%.0f' "$rps")   (target >= 10000: $(verdict "$rps >= 10000"))"
row "phase 1 latency p50 / p95 / p99:" "$(field p50_ms "$dir/hot.json") / $(field p95_ms "$dir/hot.json") / $p99 ms   (p99 target < 25 ms: $(verdict "$p99 < 25"))"
brps=$(field rps "$dir/batch.json")
row "phase 1b decisions/s in batches of 50:" "$(printf '%.0f' "$(awk "BEGIN { print $brps * 50 }")")   (target >= 10000: $(verdict "$brps * 50 >= 10000")); p99 per batch $(field p99_ms "$dir/batch.json") ms"
hz=$(getconf CLK_TCK)
row "phase 1 CPU, server / load generator:" "$(awk -v t="$((ticks1 - ticks0))" -v hz="$hz" -v s="$seconds" -v c="$(field cpu_seconds "$dir/hot.json")" \
	'BEGIN { printf "%.0f%% / %.0f%% of one core (warm-up included)", 100 * t / hz / (s + 3), 100 * c / (s + 3) }')"
row "phase 1 server CPU a decision:" "$(awk -v t="$((ticks1 - ticks0))" -v hz="$hz" -v n="$decided1" \
	'BEGIN { if (n > 0) printf "%.0f µs", 1e6 * t / hz / n; else print "n/a" }')"
row "phase 1 errors; status codes:" "$(field errors "$dir/hot.json"); $(sed -n 's/.*"codes":\({[^}]*}\).*/\1/p' "$dir/hot.json")"
row "phase 2 decisions/s ($customers customers):" "$(printf '%.0f' "$(field rps "$dir/wide.json")"); p99 $(field p99_ms "$dir/wide.json") ms"
row "resident memory after phase 1 / 2, peak:" "$rss1 / $rss2 / $hwm MB"
row "resident memory every 2 s in phase 2:" "$samples MB"
row "after phase 2, anonymous / mapped files:" "$anon2 / $file2 MB"
row "decisions made in all:" "$decided"
