#!/usr/bin/env bash
# Side-by-side benchmark of `raquet scan` against clamscan and `yara -p 2` on
# one generated corpus (bench/gen_corpus.py): wall time, MB/s, peak RSS and
# detections, which must agree with the peer's. Method: docs/benchmarks.md.
#
#   bench/run.sh [--size-mb N] [--quick] [--runs N] [--peers-only]
#
# Environment: RAQUET (default build/raquet), BENCH_OUT (default bench/out),
# BENCH_CORPUS (default
# bench/corpus). Exit 0 when every detection set agrees, 1 when raquet and a
# peer disagree (or a tool failed), 2 on usage or setup errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
size_mb=1536
size_given=0
quick=0
runs=1
peers_only=0

usage() {
	sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case "$1" in
	--size-mb) size_mb=${2:?--size-mb needs a number}; size_given=1; shift 2 ;;
	--size-mb=*) size_mb=${1#*=}; size_given=1; shift ;;
	--quick) quick=1; shift ;;
	--runs) runs=${2:?--runs needs a number}; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	--peers-only) peers_only=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
if [ "$quick" = 1 ] && [ "$size_given" = 0 ]; then
	size_mb=100
fi
case "$size_mb$runs" in
*[!0-9]*|'') echo "run.sh: --size-mb and --runs take whole numbers" >&2; exit 2 ;;
esac

raquet=${RAQUET:-$root/build/raquet}
corpus=${BENCH_CORPUS:-$here/corpus}
gnutime=/usr/bin/time

missing=()
for tool in clamscan yara python3; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -x "$gnutime" ] || missing+=("GNU time ($gnutime)")
if [ ${#missing[@]} -gt 0 ]; then
	echo "run.sh: missing: ${missing[*]} (scripts/install-deps.sh --test installs them)" >&2
	exit 2
fi
if [ "$peers_only" = 0 ] && [ ! -x "$raquet" ]; then
	echo "run.sh: $raquet not found: build it first (make), set RAQUET=path, or use --peers-only" >&2
	exit 2
fi
[ "$peers_only" = 1 ] || raquet=$(cd "$(dirname "$raquet")" && pwd)/$(basename "$raquet")

python3 "$here/gen_corpus.py" --out "$corpus" --size-mb "$size_mb"

stamp=$(date +%Y%m%d-%H%M%S)
outdir=${BENCH_OUT:-$here/out}
rundir=$outdir/run-$stamp
mkdir -p "$rundir/empty"

echo "run.sh: warming the page cache" >&2
find "$corpus/files" "$corpus/sigs" -type f -print0 | xargs -0 cat >/dev/null

# measure ID CMD...: run CMD in the corpus folder under GNU time, $runs times.
# Keeps stdout/stderr of the first run; one "wall_s peak_kib exit" line per run.
measure() {
	local id=$1 i rc
	shift
	echo "run.sh: $id: $*" >&2
	printf '%s\n' "$*" >"$rundir/$id.cmd"
	: >"$rundir/$id.time"
	for ((i = 1; i <= runs; i++)); do
		rc=0
		(cd "$corpus" && "$gnutime" -f '%e %M' -o "$rundir/$id.t" "$@" \
			>"$rundir/$id.out.$i" 2>"$rundir/$id.err.$i") || rc=$?
		# GNU time may write "Command exited with non-zero status" first.
		echo "$(tail -n 1 "$rundir/$id.t") $rc" >>"$rundir/$id.time"
		if [ "$i" = 1 ]; then
			mv "$rundir/$id.out.1" "$rundir/$id.out"
			mv "$rundir/$id.err.1" "$rundir/$id.err"
		else
			rm -f "$rundir/$id.out.$i" "$rundir/$id.err.$i"
		fi
	done
	rm -f "$rundir/$id.t"
}

# 1. The ClamAV-format set: 100k MD5 + 100k SHA-256 + 5k body signatures.
measure clam-clamscan clamscan -r --no-summary -i -d sigs/clamav files
[ "$peers_only" = 1 ] ||
	measure clam-raquet "$raquet" scan -r --no-summary -i -d sigs/clamav files
# 2. The YARA set: the same 5k byte patterns as rules; raw files, all matches.
measure yara-yara yara -r -p 2 sigs/yara/bench.yar files
[ "$peers_only" = 1 ] ||
	measure yara-raquet "$raquet" scan -r -i -z --no-archive -d sigs/yara files
# 3. Start-up: load (and compile) the signatures, scan an empty folder.
measure start-clamscan clamscan -r --no-summary -d sigs/clamav "$rundir/empty"
[ "$peers_only" = 1 ] ||
	measure start-raquet "$raquet" scan -r --no-summary -d sigs/clamav "$rundir/empty"
measure startyara-yara yara -r sigs/yara/bench.yar "$rundir/empty"
[ "$peers_only" = 1 ] ||
	measure startyara-raquet "$raquet" scan -r --no-summary -d sigs/yara "$rundir/empty"

# 4. The same signatures as signed, compiled databases (.rqdb): how agents load
#    them. Built once here with a throwaway key; detections must not change.
if [ "$peers_only" = 0 ]; then
	keys=$rundir/keys
	mkdir -p "$keys/trusted"
	"$raquet" db keygen --out "$keys/bench" >/dev/null
	cp "$keys/bench.pub" "$keys/trusted/"
	(cd "$corpus" &&
		"$raquet" db build --name bench --version 1 --key "$keys/bench.key" \
			-o "$rundir/clam.rqdb" sigs/clamav >/dev/null &&
		"$raquet" db build --name benchyara --version 1 --key "$keys/bench.key" \
			-o "$rundir/yara.rqdb" sigs/yara >/dev/null)
	measure clamdb-raquet "$raquet" scan -r --no-summary -i --trusted-keys "$keys/trusted" \
		-d "$rundir/clam.rqdb" files
	measure yaradb-raquet "$raquet" scan -r -i -z --no-archive --trusted-keys "$keys/trusted" \
		-d "$rundir/yara.rqdb" files
	measure startdb-raquet "$raquet" scan -r --no-summary --trusted-keys "$keys/trusted" \
		-d "$rundir/clam.rqdb" "$rundir/empty"
	measure startyaradb-raquet "$raquet" scan -r --no-summary --trusted-keys "$keys/trusted" \
		-d "$rundir/yara.rqdb" "$rundir/empty"
fi

versions() {
	echo "clamscan: $(clamscan --version 2>&1 | head -n 1)"
	echo "yara: $(yara --version 2>&1 | head -n 1)"
	if [ "$peers_only" = 0 ]; then
		echo "raquet: $("$raquet" --version 2>&1 | head -n 1 || true)" \
			"($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no commit'))"
	fi
	echo "cpu: $(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"
	echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel: $(uname -r)"
}
versions >"$rundir/versions.txt"

rc=0
python3 - "$corpus" "$rundir" "$outdir/results-$stamp.md" "$peers_only" "$runs" <<'PY' || rc=$?
import os, statistics, sys

corpus, rundir, results, peers_only, runs = sys.argv[1:6]
peers_only = peers_only == "1"
MIB = 1 << 20


def tree_bytes(top):
    total = count = 0
    for d, _, names in os.walk(top):
        for n in names:
            total += os.lstat(os.path.join(d, n)).st_size
            count += 1
    return total, count


def timing(run_id):
    """(median wall s, max peak RSS MiB, worst exit code) or None."""
    try:
        rows = [line.split() for line in open(os.path.join(rundir, run_id + ".time"))]
    except OSError:
        return None
    walls, rss, codes = [], [], []
    for row in rows:
        try:
            walls.append(float(row[0]))
            rss.append(int(row[1]) / 1024)
            codes.append(int(row[2]))
        except (IndexError, ValueError):
            codes.append(int(row[-1]) if row and row[-1].isdigit() else 127)
    if not walls:
        return (None, None, max(codes))
    return (statistics.median(walls), max(rss), max(codes))


def top_level(path):
    """Corpus-relative path of the file on disk (archive members are
    reported as archive//member; clamscan names only the archive)."""
    path = path.split("//", 1)[0]
    if os.path.isabs(path):
        path = os.path.relpath(path, corpus)
    while path.startswith("./"):
        path = path[2:]
    return path


def clean_name(name):
    for suffix in (".UNOFFICIAL",):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.startswith("YARA."):
        name = name[5:]
    return name


def found_lines(run_id):
    """[(top-level path, name)] from clamscan-style 'path: Name FOUND'."""
    out = []
    try:
        fh = open(os.path.join(rundir, run_id + ".out"), errors="surrogateescape")
    except OSError:
        return out
    for line in fh:
        line = line.rstrip("\n")
        if not line.endswith(" FOUND") or ": " not in line:
            continue
        path, name = line[: -len(" FOUND")].rsplit(": ", 1)
        out.append((top_level(path), clean_name(name)))
    return out


def yara_lines(run_id):
    out = []
    try:
        fh = open(os.path.join(rundir, run_id + ".out"), errors="surrogateescape")
    except OSError:
        return out
    for line in fh:
        line = line.rstrip("\n")
        if " " in line:
            rule, path = line.split(" ", 1)
            out.append((top_level(path), rule))
    return out


def by_path(pairs):
    m = {}
    for p, n in pairs:
        m.setdefault(p, set()).add(n)
    return m


def diff(a, b, name_a, name_b, limit=10):
    lines = []
    for k in sorted(set(a) | set(b), key=str):
        if a.get(k) != b.get(k):
            lines.append(f"  {k}: {name_a}={sorted(a.get(k, []))} "
                         f"{name_b}={sorted(b.get(k, []))}")
    return lines[:limit] + ([f"  ... {len(lines) - limit} more"]
                            if len(lines) > limit else [])


# The planted ground truth.
manifest_clam, manifest_yara = {}, set()
for line in open(os.path.join(corpus, "expected.tsv")):
    if line.startswith("#"):
        continue
    path, name, kind, member, raw = line.rstrip("\n").split("\t")
    manifest_clam.setdefault("files/" + path, set()).add(name)
    if raw == "yes":
        manifest_yara.add(("files/" + path, name.replace(".", "_")))
manifest_yara = by_path(manifest_yara)

corpus_bytes, corpus_files = tree_bytes(os.path.join(corpus, "files"))
notes, failed = [], False
rows = []


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def row(run, tool, run_id, detections, agree, peer_t=None, with_rate=True):
    global failed
    t = timing(run_id)
    wall, rss, code = t if t else (None, None, None)
    ok_codes = (0, 1)
    status = ""
    if t is None:
        status = " (not run)"
    elif code not in ok_codes:
        status = f" (exit {code})"
        failed = True
        notes.append(f"{tool} in run '{run}' exited with {code}; see "
                     f"{os.path.join(rundir, run_id)}.err")
    rate = corpus_bytes / MIB / wall if (with_rate and wall) else None
    speed = rss_ratio = "—"
    if peer_t and wall and peer_t[0]:
        speed = f"{peer_t[0] / wall:.2f}x"
    if peer_t and rss and peer_t[1]:
        rss_ratio = f"{rss / peer_t[1]:.2f}x"
    rows.append(f"| {run} | {tool}{status} | {fmt(wall, '.2f')} | "
                f"{fmt(rate, '.1f')} | {fmt(rss, '.1f')} | {detections} | "
                f"{agree} | {speed} | {rss_ratio} |")
    return t


# 1. ClamAV-format set.
clam_peer = by_path(found_lines("clam-clamscan"))
if clam_peer != manifest_clam:
    notes.append("WARNING: clamscan's detections differ from the planted "
                 "manifest (a corpus or peer problem):")
    notes += diff(clam_peer, manifest_clam, "clamscan", "manifest")
peer_t = row("ClamAV set", "clamscan", "clam-clamscan", len(clam_peer),
             "manifest: " + ("yes" if clam_peer == manifest_clam else "NO"))


def raquet_row(run, tool, run_id, peer, peer_name, size, peer_t):
    """One raquet row of a set: its detections compared with the peer's."""
    global failed
    mine = by_path(found_lines(run_id))
    agree = mine == peer
    if not agree:
        failed = True
        notes.append(f"{tool} and {peer_name} disagree on the {run}:")
        notes += diff(mine, peer, "raquet", peer_name)
    row(run, tool, run_id, size(mine), "yes" if agree else "NO", peer_t)


if not peers_only:
    raquet_row("ClamAV set", "raquet", "clam-raquet", clam_peer, "clamscan", len, peer_t)
    raquet_row("ClamAV set", "raquet (.rqdb)", "clamdb-raquet", clam_peer, "clamscan", len, peer_t)

# 2. YARA set: (path, rule) pairs on the raw files.
yara_peer = by_path(yara_lines("yara-yara"))
count = lambda m: sum(len(v) for v in m.values())
if yara_peer != manifest_yara:
    notes.append("WARNING: yara's matches differ from the planted manifest:")
    notes += diff(yara_peer, manifest_yara, "yara", "manifest")
peer_t = row("YARA set", "yara -p 2", "yara-yara", count(yara_peer),
             "manifest: " + ("yes" if yara_peer == manifest_yara else "NO"))
if not peers_only:
    raquet_row("YARA set", "raquet", "yara-raquet", yara_peer, "yara", count, peer_t)
    raquet_row("YARA set", "raquet (.rqdb)", "yaradb-raquet", yara_peer, "yara", count, peer_t)

# 3. Start-up (signature loading only).
peer_t = row("start-up, ClamAV set", "clamscan", "start-clamscan", "—", "—",
             with_rate=False)
if not peers_only:
    row("start-up, ClamAV set", "raquet", "start-raquet", "—", "—", peer_t,
        with_rate=False)
    row("start-up, ClamAV set", "raquet (.rqdb)", "startdb-raquet", "—", "—", peer_t,
        with_rate=False)
peer_t = row("start-up, YARA set", "yara", "startyara-yara", "—", "—",
             with_rate=False)
if not peers_only:
    row("start-up, YARA set", "raquet", "startyara-raquet", "—", "—", peer_t,
        with_rate=False)
    row("start-up, YARA set", "raquet (.rqdb)", "startyaradb-raquet", "—", "—", peer_t,
        with_rate=False)

# Scan-only rates: wall minus the start-up of the same tool and set.
scan_only = []
for label, pairs in (("ClamAV set", (("clamscan", "clam-clamscan", "start-clamscan"),
                                     ("raquet", "clam-raquet", "start-raquet"))),
                     ("YARA set", (("yara -p 2", "yara-yara", "startyara-yara"),
                                   ("raquet", "yara-raquet", "startyara-raquet")))):
    parts = []
    for tool, run_id, start_id in pairs:
        t, s = timing(run_id), timing(start_id)
        if t and s and t[0] and s[0] is not None and t[0] > s[0]:
            parts.append(f"{tool} {corpus_bytes / MIB / (t[0] - s[0]):.1f} MB/s")
    if parts:
        scan_only.append(f"{label}: " + ", ".join(parts))

planted = sum(len(v) for v in manifest_clam.values())
header = [
    f"# raquet benchmark, {os.path.basename(results)[8:-3]}",
    "",
    f"Corpus: {corpus_bytes / MIB:.0f} MiB in {corpus_files} files "
    f"({planted} planted matches); page cache warm; "
    f"{'median of ' + runs + ' runs' if runs != '1' else 'one run'} per row.",
    "",
    "```",
    open(os.path.join(rundir, "versions.txt")).read().rstrip(),
    "```",
    "",
    "| run | tool | wall s | MB/s | peak RSS MB | detections | agree? | "
    "speed raquet/peer | RSS raquet/peer |",
    "|---|---|---:|---:|---:|---:|---|---:|---:|",
]
footer = ["", "MB = 2^20 bytes; MB/s = corpus bytes / wall time. "
          "speed raquet/peer = peer wall / raquet wall (same as the MB/s "
          "ratio); RSS raquet/peer = raquet peak RSS / peer peak RSS. "
          "Targets: >= 10x clamscan and >= 2x yara on speed, RSS <= 1x "
          "clamscan's, identical detections.",
          "", "Scan only (wall time minus the same tool's start-up): "
          + "; ".join(scan_only) + ".",
          "", f"Raw outputs: {rundir}"]
if notes:
    footer += ["", "Notes:", ""] + ["    " + n for n in notes]
text = "\n".join(header + rows + footer) + "\n"
sys.stdout.write(text)
with open(results, "w") as fh:
    fh.write(text)
sys.exit(1 if failed else 0)
PY
echo "run.sh: results in $outdir/results-$stamp.md" >&2
exit "$rc"
