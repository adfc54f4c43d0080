#!/usr/bin/env bash
# Screening quality (docs/screening-quality.md): runs the labelled evaluation
# set (screening/evaldata: variants of real list names and common names on no
# list) through the matcher over the bundled lists and prints recall, the
# false-positive rate and precision at the chosen threshold, a threshold sweep,
# recall per kind of variant, false positives per region, every miss and every
# false positive, and per-query latency. It first checks that the committed set
# is what its generator (go run ./screening/evaldata/gen, fixed seed) writes.
#
# Exits non-zero when the targets (recall >= 0.98, false-positive rate <= 0.01)
# are missed: TestEvalQuality fails. About 30 s with the build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "Regenerating the evaluation set into a temporary directory (fixed seed)..."
go run ./screening/evaldata/gen -out "$tmp" | sed 's/^/  /'
same=yes
for f in positives.jsonl negatives.jsonl negatives_excluded.jsonl; do
	if ! cmp -s "$tmp/$f" "screening/evaldata/$f"; then
		same=no
		echo "  WARNING: screening/evaldata/$f differs from the generator's output; regenerate with: go run ./screening/evaldata/gen"
	fi
done
[ "$same" = yes ] && echo "  the committed set is the generator's output"

echo
echo "Running the set through the matcher (go test -run 'TestEvalQuality|TestEvalReport' -v ./screening/)..."
status=0
go test -count=1 -run '^(TestEvalQuality|TestEvalReport)$' -v ./screening/ >"$tmp/report.txt" 2>&1 || status=$?
# Print the report without the test framework's prefixes.
sed -n '/evaluation set:/,/latency over/p' "$tmp/report.txt" | sed -E 's/^ {8}//'
grep -E '^(--- (PASS|FAIL)|\s+eval_test.go:[0-9]+: (recall|false-positive))' "$tmp/report.txt" | sed 's/^/  /' || true

echo
echo "Per-query latency over the set's queries (BenchmarkSearchEvalSet, 2 s):"
go test -count=1 -run '^$' -bench '^BenchmarkSearchEvalSet$' -benchtime 2s ./screening/ |
	awk '/^BenchmarkSearchEvalSet/ { printf "  %.1f µs/op mean, p50 %.1f µs, p99 %.1f µs\n", $3/1000, $5/1000, $7/1000 }'

echo
if [ "$status" -eq 0 ]; then
	echo "Targets met: recall >= 0.98 on the variants and false-positive rate <= 0.01 on the common names."
else
	echo "TARGETS MISSED (TestEvalQuality failed):"
	grep -E 'eval_test.go:[0-9]+: (recall|false-positive)' "$tmp/report.txt" | sed 's/^ */  /'
fi
exit "$status"
