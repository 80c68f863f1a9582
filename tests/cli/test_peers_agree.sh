#!/usr/bin/env bash
# raquet finds exactly what the real clamscan and yara find: the benchmark's
# corpus generator and runner on a small corpus (40 MiB, ~200 files with
# planted hash, body and YARA matches, some inside nested archives). The
# runner exits non-zero when any detection set differs.
set -euo pipefail
raquet=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
for tool in clamscan yara python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh --test)"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RAQUET=$raquet BENCH_CORPUS=$work/corpus BENCH_OUT=$work/out \
	bash "$here/bench/run.sh" --size-mb 40 > "$work/table.md"
grep -q '| yes |' "$work/table.md"
cat "$work/table.md"
echo "1 passed, 0 failed"
