# Sourced by the HTTP benchmarks (decide.sh, screen.sh): a temporary
# directory $dir removed on exit, stop_server for the Warden started as $pid
# (TERM, then KILL after 10 s), and warden and bench/httpload built into $dir.
dir=$(mktemp -d)
pid=""
stop_server() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=""
	fi
}
trap 'stop_server; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

echo "Building warden and bench/httpload..."
go build -o "$dir/warden" ./cmd/warden
go build -o "$dir/httpload" ./bench/httpload
