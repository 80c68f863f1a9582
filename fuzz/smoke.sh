#!/usr/bin/env bash
# Runs every libFuzzer harness for a few seconds on its seed corpus
# (fuzz/corpus/NAME); any crash, leak or sanitizer report fails.
# Usage: fuzz/smoke.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bin in "$build"/fuzz/fuzz_*; do
	name=$(basename "$bin")
	name=${name#fuzz_}
	seeds="$here/corpus/$name"
	work=$(mktemp -d)
	[ -d "$seeds" ] && cp -r "$seeds/." "$work/"
	echo "fuzz: $name for ${seconds}s"
	if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=65536 \
		-print_final_stats=0 "$work" >"$work.log" 2>&1; then
		echo "fuzz: $name FAILED"; tail -50 "$work.log"; status=1
	fi
	rm -rf "$work" "$work.log"
done
exit $status
