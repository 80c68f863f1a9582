#!/usr/bin/env bash
# A file over 4 GiB (sparse, so it costs no disk): offsets past 2^32 are
# matched, and by default the file is reported as over --max-filesize.
set -euo pipefail
raquet=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
truncate -s 4200M big.bin
printf 'NEEDLE-PAST-4GIB' | dd of=big.bin bs=1M seek=4196 conv=notrunc status=none
echo 'Test.Needle:0:*:4e4545444c452d504153542d34474942' > n.ndb
# offset of the needle: 4196 MiB, above 2^32
out=$("$raquet" scan --no-summary --max-filesize=0 --max-scansize=0 -d n.ndb big.bin) && rc=0 || rc=$?
[ "$rc" = 1 ] || { echo "exit $rc, want 1: $out"; exit 1; }
[ "$out" = "big.bin: Test.Needle FOUND" ] || { echo "unexpected: $out"; exit 1; }
out=$("$raquet" scan --no-summary -d n.ndb big.bin)
[ "$out" = "big.bin: Heuristics.Limits.Exceeded.MaxFileSize LIMIT
big.bin: OK" ] || { echo "unexpected: $out"; exit 1; }
echo "1 passed, 0 failed"
