#!/usr/bin/env bash
# Start-up benchmark of compiled databases: time from process start to a
# finished scan of two small probe files, and peak resident memory, for
#   clamscan -d db.hdb -d db.hsb -d db.ndb probes      (text signatures)
#   raquet scan -d db.rqdb probes                      (the same + YARA rules, compiled)
# side by side, median of --runs; prints both ratios and the database size.
# Both tools must detect both probes (proof the signatures are loaded).
#
#   bench/db_startup.sh [--hashes N] [--bodies N] [--yara N] [--runs N]
#
# Defaults: 1,000,000 hashes, 10,000 body signatures, 1,000 YARA rules, 5 runs.
# Environment: RAQUET (default build/raquet), BENCH_OUT (default bench/out).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
hashes=1000000 bodies=10000 yara=1000 runs=5
while [ $# -gt 0 ]; do
	case "$1" in
	--hashes) hashes=$2; shift 2 ;;
	--bodies) bodies=$2; shift 2 ;;
	--yara) yara=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	-h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "db_startup.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case "$hashes$bodies$yara$runs" in
*[!0-9]*) echo "db_startup.sh: counts take whole numbers" >&2; exit 2 ;;
esac
raquet=${RAQUET:-$root/build/raquet}
out=${BENCH_OUT:-$here/out}/db-$hashes-$bodies-$yara
for tool in clamscan python3 /usr/bin/time "$raquet"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "db_startup.sh: missing $tool" >&2; exit 2; }
done

if [ ! -f "$out/probe-body" ]; then
	echo "generating $hashes hash, $bodies body, $yara YARA signatures in $out ..."
	python3 "$here/gen_dbsigs.py" "$out" --hashes "$hashes" --bodies "$bodies" --yara "$yara"
fi
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
mkdir "$keys/trusted"
"$raquet" db keygen --out "$keys/bench" >/dev/null
cp "$keys/bench.pub" "$keys/trusted/"
if ! /usr/bin/time -f '%e' -o "$keys/build.time" "$raquet" db build --name bench --version 1 \
	--key "$keys/bench.key" -o "$out/db.rqdb" "$out/db.hdb" "$out/db.hsb" "$out/db.ndb" \
	"$out/db.yar" >/dev/null 2>"$keys/build.err"; then
	echo "db_startup.sh: raquet db build failed:" >&2; cat "$keys/build.err" >&2; exit 1
fi
build_s=$(tail -1 "$keys/build.time")
probes=("$out/probe-hash" "$out/probe-body")

# run TOOL...: prints "seconds max_rss_kb" of one run (wall time to the
# millisecond; GNU time only gives centiseconds); checks both probes were found
run() {
	local log=$keys/run.log t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$keys/time" "$@" >"$log" 2>&1 || true
	t1=$(date +%s%N)
	[ "$(grep -c 'FOUND$' "$log")" = 2 ] || { echo "db_startup.sh: $1 did not find both probes:" >&2; cat "$log" >&2; exit 1; }
	# (GNU time puts "Command exited with non-zero status" first)
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $(tail -1 "$keys/time")"
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

measure() { # NAME TOOL...: sets t_NAME, m_NAME (median seconds, median KB)
	local name=$1; shift
	: > "$keys/$name"
	for _ in $(seq "$runs"); do run "$@" >> "$keys/$name"; done
	eval "t_$name=$(cut -d' ' -f1 "$keys/$name" | median)"
	eval "m_$name=$(cut -d' ' -f2 "$keys/$name" | median)"
}

measure clam clamscan --no-summary -d "$out/db.hdb" -d "$out/db.hsb" -d "$out/db.ndb" "${probes[@]}"
measure rq "$raquet" scan --no-summary --trusted-keys "$keys/trusted" -d "$out/db.rqdb" "${probes[@]}"

size=$(stat -c %s "$out/db.rqdb")
printf '\nDatabase start-up: %s hashes + %s body signatures (+ %s YARA rules for raquet), median of %s runs\n' \
	"$hashes" "$bodies" "$yara" "$runs"
printf '%-36s %10s %12s\n' tool 'ready (s)' 'RSS (MB)'
printf '%-36s %10s %12.1f\n' "clamscan (text signatures)" "$t_clam" "$(awk -v k="$m_clam" 'BEGIN{print k/1024}')"
printf '%-36s %10s %12.1f\n' "raquet scan (.rqdb)" "$t_rq" "$(awk -v k="$m_rq" 'BEGIN{print k/1024}')"
awk -v tc="$t_clam" -v tr="$t_rq" -v mc="$m_clam" -v mr="$m_rq" 'BEGIN {
	if (tr == 0) tr = 0.005
	printf "ratio: raquet is %.1fx faster to start (target >= 20x); uses %.2f of clamscan'"'"'s memory (target <= 0.50)\n", tc / tr, mr / mc }'
printf 'database: %s bytes (%.1f MB), built in %s s\n' "$size" "$(awk -v b="$size" 'BEGIN{print b/1048576}')" "$build_s"
