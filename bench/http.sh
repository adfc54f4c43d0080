#!/usr/bin/env bash
# Loads a local Warden (SQLite, default configuration) from a second process
# and prints throughput and latency for an authenticated request. Bounded:
# 10 seconds per run by default (BENCH_SECONDS), loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/warden" ./cmd/warden
go build -o "$dir/httpload" ./bench/httpload
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
key=$("$dir/warden" apikey create --data-dir "$dir/data" --role service --name bench --json | sed -n 's/.*"key": "\(wdn_[^"]*\)".*/\1/p')
WARDEN_LOG_LEVEL=warn "$dir/warden" serve --data-dir "$dir/data" --listen "127.0.0.1:$port" >/dev/null 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "GET /v1/whoami (authentication, role check, rate limiter, metrics, access log):"
"$dir/httpload" -url "http://127.0.0.1:$port/v1/whoami" -key "$key" -c "${BENCH_WORKERS:-32}" -d "${BENCH_SECONDS:-10}s"
