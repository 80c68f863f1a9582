#!/usr/bin/env bash
# Idle footprint of the agent next to clamd's: resident memory (VmRSS, RssAnon,
# RssFile, and how much of it is the database mapping) and CPU used over an idle
# window, for raquetd without databases (built-in signature only), raquetd with
# the benchmark .rqdb, the same two with real-time protection on (when fanotify
# works here), and clamd with the same signatures as ClamAV files. Everything
# runs at once, measured over the same window; the issue's target is raquetd
# without the database under 30 MB. Method: docs/benchmarks.md.
#
#   bench/agent_idle.sh [--sigs N] [--idle-seconds S] [--install]
#
# --sigs N: N hash signatures, N/100 body signatures and N/1000 YARA rules, the
# proportions and the generated set (bench/gen_dbsigs.py) of bench/db_startup.sh
# (default 1000000, its default). --idle-seconds: the window (default 60).
# --install: apt-get install clamav-daemon when /usr/sbin/clamd is missing.
# Runs as root; a raquet-server on loopback. Environment: BUILD (default build),
# BENCH_OUT (default bench/out: the signature set, and agent-idle-DATE/ with
# the raw figures). Exit 0 when every process ran, 1 on a failure, 2 on usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
sigs=1000000 idle=60 settle=10 install=0
while [ $# -gt 0 ]; do
	case "$1" in
	--sigs) sigs=${2:?--sigs needs a number}; shift 2 ;;
	--idle-seconds) idle=${2:?--idle-seconds needs a number}; shift 2 ;;
	--install) install=1; shift ;;
	-h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "agent_idle.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case "$sigs$idle" in
*[!0-9]*) echo "agent_idle.sh: --sigs and --idle-seconds take whole numbers" >&2; exit 2 ;;
esac
[ "$sigs" -ge 1000 ] && [ "$idle" -ge 1 ] || { echo "agent_idle.sh: --sigs at least 1000, --idle-seconds at least 1" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "agent_idle.sh: run as root (raquetd's real-time protection, clamd)" >&2; exit 2; }
build=${BUILD:-$root/build}
clamd=/usr/sbin/clamd
if [ ! -x "$clamd" ] && [ "$install" = 1 ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clamav-daemon >/dev/null
fi
if [ ! -x "$clamd" ]; then
	echo "agent_idle.sh: missing $clamd: apt-get install -y --no-install-recommends clamav-daemon" \
		"(or run again with --install)" >&2
	exit 2
fi
for tool in python3 "$build/raquet" "$build/raquetd" "$build/raquet-server"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "agent_idle.sh: missing $tool (build: make)" >&2; exit 2; }
done

hashes=$sigs bodies=$((sigs / 100)) yara=$((sigs / 1000))
outdir=${BENCH_OUT:-$here/out}
set_dir=$outdir/db-$hashes-$bodies-$yara # shared with db_startup.sh
raw=$outdir/agent-idle-$(date +%Y%m%d-%H%M%S)
work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do # bounded: 5 s, then SIGKILL
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "agent_idle.sh: $*" >&2; exit 1; }

# wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 on timeout
wait_for() {
	local until=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$until" ] && return 1
		sleep 0.2
	done
}

# --- the signature set: db_startup.sh's generator and folder, one signed .rqdb
if [ ! -f "$set_dir/probe-body" ]; then
	echo "generating $hashes hash, $bodies body, $yara YARA signatures in $set_dir ..."
	python3 "$here/gen_dbsigs.py" "$set_dir" --hashes "$hashes" --bodies "$bodies" --yara "$yara"
fi
sources=("$set_dir/db.hdb" "$set_dir/db.hsb" "$set_dir/db.ndb" "$set_dir/db.yar")
mkdir -p "$raw" "$work/keys" "$work/db" "$work/nodb" "$work/clamdb" "$work/watched" "$work/tmp"
"$build/raquet" db keygen --out "$work/bench" >/dev/null
cp "$work/bench.pub" "$work/keys/"
"$build/raquet" db build --name bench --version 1 --key "$work/bench.key" -o "$work/db/bench.rqdb" \
	"${sources[@]}" >/dev/null 2>"$raw/build.err" || die "raquet db build failed: $(cat "$raw/build.err")"
cp "${sources[@]}" "$work/clamdb/" # the same signatures, as ClamAV reads them

# --- raquet-server on loopback, one unit, one token for every agent
store=sqlite:$work/store.sqlite
"$build/raquet-server" unit add --store "$store" --name "Idle bench" --code IDLE >/dev/null
token=$("$build/raquet-server" token create --store "$store" --unit IDLE --uses 8 2>/dev/null)
: >"$raw/server.log" # (before the poll below: the child opens it in its own time)
"$build/raquet-server" --foreground --plain-http --listen 127.0.0.1:0 --store "$store" \
	>"$work/server.out" 2>"$raw/server.log" & # (stdout: a first start's admin password)
pids+=($!)
server_port() { sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$raw/server.log" | tail -1; }
server_up() { [ -n "$(server_port)" ]; }
wait_for 15 server_up || die "raquet-server did not start: $(tail -3 "$raw/server.log")"
url=http://127.0.0.1:$(server_port)

# --- the agents: NAME DB_DIR REALTIME, each enrolled into a state folder of its own
declare -A pid_of
start_agent() {
	local name=$1 st=$work/$1
	"$build/raquet" agent enroll --server "$url" --token "$token" --state-dir "$st" --force \
		>"$raw/$name.enroll" 2>&1 || die "enroll $name: $(cat "$raw/$name.enroll")"
	# no scheduled scans (a missed noon scan would be caught up now): idle means no scan
	cat >"$raw/$name.conf" <<EOF
[agent]
db_dir = $2
scheduled_scans = no
[update]
trusted_keys = $work/keys
[realtime]
enabled = $3
paths = $work/watched
whole_mounts = no
EOF
	"$build/raquetd" --state-dir "$st" --config "$raw/$name.conf" 2>"$raw/$name.log" &
	pids+=($!)
	pid_of[$name]=$!
}
agent_status() { # NAME EXPR: a python expression over `raquet agent status --json` (s)
	"$build/raquet" agent status --json --state-dir "$work/$1" --config "$raw/$1.conf" 2>/dev/null |
		python3 -c "import json, sys; s = json.load(sys.stdin); print($2)"
}
alive() { kill -0 "${pid_of[$1]}" 2>/dev/null || die "$1 exited: $(tail -3 "$raw/$1.log")"; }
agent_up() { alive "$1" && grep -q 'raquetd .*: endpoint' "$raw/$1.log" && [ "$(agent_status "$1" "s['last_ok'] > 0")" = True ]; }

names=(rq-nodb rq-db)
start_agent rq-nodb "$work/nodb" no
start_agent rq-db "$work/db" no
start_agent rq-nodb-rt "$work/nodb" yes
start_agent rq-db-rt "$work/db" yes

# --- clamd in the foreground, its socket in the scratch folder, no freshclam
cat >"$raw/clamd.conf" <<EOF
DatabaseDirectory $work/clamdb
LocalSocket $work/clamd.sock
TemporaryDirectory $work/tmp
LogFile $raw/clamd.log
LogTime yes
Foreground yes
EOF
"$clamd" --config-file="$raw/clamd.conf" >>"$raw/clamd.log" 2>&1 &
pids+=($!)
pid_of[clamd]=$!
clamd_ping() {
	alive clamd
	python3 - "$work/clamd.sock" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
PY
}

for name in rq-nodb rq-db rq-nodb-rt rq-db-rt; do
	wait_for 60 agent_up "$name" || die "$name did not reach the server: $(tail -3 "$raw/$name.log")"
done
wait_for 300 clamd_ping || die "clamd did not answer: $(tail -3 "$raw/clamd.log")"
# proof the signatures are loaded
[ "$(agent_status rq-db "s['databases'].get('bench', {}).get('version')")" = 1 ] ||
	die "rq-db did not load bench.rqdb: $(cat "$raw/rq-db.log")"
! grep -q 'not loaded' "$raw/rq-db.log" "$raw/rq-db-rt.log" || die "raquetd: $(grep -h 'not loaded' "$raw"/rq-db*.log)"
loaded=$(sed -n 's/.*Loaded \([0-9]*\) signatures.*/\1/p' "$raw/clamd.log" | tail -1)
[ "${loaded:-0}" -ge $((hashes + bodies + yara)) ] || die "clamd loaded ${loaded:-no} signatures, expected $((hashes + bodies + yara))"
rt_note=
for name in rq-nodb-rt rq-db-rt; do
	state=$(agent_status "$name" "s['realtime']['state']")
	if [ "$state" = on ]; then
		names+=("$name")
	else
		rt_note="real-time protection did not start here ($state): rows left out"
	fi
done
names+=(clamd)

echo "settling ${settle} s, then an idle window of ${idle} s ..."
sleep "$settle"
cpu_ticks() { # PID: utime + stime of every thread, in clock ticks
	local s
	s=$(cat "/proc/$1/stat") || die "process $1 is gone"
	s=${s##*) }
	set -- $s
	echo $((${12} + ${13}))
}
declare -A t0
for name in "${names[@]}"; do t0[$name]=$(cpu_ticks "${pid_of[$name]}"); done
sleep "$idle"
hz=$(getconf CLK_TCK)

# --- figures: per process NAME rss anon file db_map peak cpu_s (MB = 2^20 bytes)
: >"$raw/figures"
for name in "${names[@]}"; do
	p=${pid_of[$name]}
	t1=$(cpu_ticks "$p")
	cp "/proc/$p/status" "$raw/$name.status"
	cp "/proc/$p/smaps" "$raw/$name.smaps"
	python3 - "$raw/$name.smaps" "$raw/$name.status" "$name" $((t1 - ${t0[$name]})) "$hz" \
		>>"$raw/figures" <<'PY'
import re, sys
smaps, status, name, ticks, hz = sys.argv[1:]
st = dict(re.findall(r"^(\w+):\s+(\d+) kB", open(status).read(), re.M))
by_map, path, db = {}, "", 0
for line in open(smaps):
    head = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$", line)
    if head:
        path = head.group(1) or "[anon]"
    elif line.startswith("Rss:"):
        kb = int(line.split()[1])
        by_map[path] = by_map.get(path, 0) + kb
        if path.endswith(".rqdb"):
            db += kb
mb = lambda kb: "%.1f" % (int(kb) / 1024)
print(name, mb(st["VmRSS"]), mb(st["RssAnon"]), mb(st["RssFile"]), mb(db), mb(st["VmHWM"]),
      "%.2f" % (int(ticks) / int(hz)))
with open(smaps + ".top", "w") as f:  # where the resident memory is, largest first
    for p, kb in sorted(by_map.items(), key=lambda x: -x[1]):
        f.write("%8d kB  %s\n" % (kb, p))
PY
done
priority="nice $(ps -o ni= -p "${pid_of[rq-db]}" | tr -d ' '), I/O $(ionice -p "${pid_of[rq-db]}" 2>&1 || true)"

# --- the table
label() {
	case "$1" in
	rq-nodb) echo "raquetd, no database" ;;
	rq-db) echo "raquetd, bench.rqdb" ;;
	rq-nodb-rt) echo "raquetd, no database, real-time on" ;;
	rq-db-rt) echo "raquetd, bench.rqdb, real-time on" ;;
	clamd) echo "clamd, same signatures" ;;
	esac
}
row() { printf '%-36s %7s %8s %8s %9s %8s %7s %8s\n' "$@"; }
{
	printf 'Agent idle footprint: %s hashes + %s body signatures + %s YARA rules; %s s idle window after %s s; %s cores; %s\n' \
		"$hashes" "$bodies" "$yara" "$idle" "$settle" "$(nproc)" "$(date '+%d %B %Y')"
	row process 'RSS MB' 'anon MB' 'file MB' '.rqdb MB' 'peak MB' 'CPU s' 'CPU %'
	while read -r name rss anon file db peak cpu; do
		row "$(label "$name")" "$rss" "$anon" "$file" "$db" "$peak" "$cpu" \
			"$(awk -v c="$cpu" -v w="$idle" 'BEGIN { printf "%.3f", 100 * c / w }')"
	done <"$raw/figures"
	awk -v tgt=30 -v tick="$(awk -v h="$hz" -v w="$idle" 'BEGIN { printf "%.3f", 100 / h / w }')" '
	{ rss[$1] = $2; anon[$1] = $3; db[$1] = $5; cpu[$1] = $7 }
	function ratio(a, b) { return sprintf("%.2f", a / b) }
	END {
		printf "ratio to clamd: RSS %s (no database) and %s (bench.rqdb); anon %s and %s\n",
			ratio(rss["rq-nodb"], rss["clamd"]), ratio(rss["rq-db"], rss["clamd"]),
			ratio(anon["rq-nodb"], anon["clamd"]), ratio(anon["rq-db"], anon["clamd"])
		if (cpu["clamd"] > 0)
			printf "idle CPU raquetd (bench.rqdb) / clamd: %s\n", ratio(cpu["rq-db"], cpu["clamd"])
		else
			printf "idle CPU: clamd used no clock tick in the window (under %s%% of a core): no ratio\n", tick
		printf "raquetd without the database: %.1f MB RSS (%.1f MB with bench.rqdb, of which %.1f MB is its mapping): %s 30 MB target\n",
			rss["rq-nodb"], rss["rq-db"], db["rq-db"], rss["rq-nodb"] < tgt ? "meets the <" : "MISSES the <"
	}' "$raw/figures"
	echo "raquetd runs at $priority (its scans at the same)"
	[ -z "$rt_note" ] || echo "$rt_note"
	echo "raw figures, smaps (*.smaps.top: resident memory by mapping), logs: $raw"
} | tee "$raw/table.txt"
