#!/usr/bin/env bash
# Runs one data-driven end-to-end case (a folder in tests/cases):
#   cmd       the raquet arguments, one line; run from a scratch copy of the case
#             folder, so paths in it and in the output are relative
#   setup     optional: a bash script run first in the scratch copy (makes
#             binary inputs, archives, odd file names)
#   expected  stdout the command must print (lines compared after sorting,
#             since workers finish in any order; "Time:"-like summary lines
#             that vary are dropped from both sides)
#   exit      expected exit status (default 0)
#   stderr    optional: a grep -E pattern that stderr must match
# Usage: run_case.sh RAQUET_BINARY CASE_DIR
set -euo pipefail
raquet=$1
case_dir=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/rqcase.XXXXXX")
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -a "$case_dir/." "$work/"
cd "$work"
if [ -f setup ]; then
	bash ./setup
fi
read -r cmdline < cmd
want_exit=0
[ -f exit ] && want_exit=$(tr -d '[:space:]' < exit)
set +e
eval "\"$raquet\" $cmdline" > actual.out 2> actual.err < /dev/null
got_exit=$?
set -e
normalise() {
	grep -v -E '^(Time|Start Date|End Date|Engine version|Data read|Data scanned):' "$1" | LC_ALL=C sort
}
status=0
if [ "$got_exit" != "$want_exit" ]; then
	echo "exit status: want $want_exit, got $got_exit"
	status=1
fi
if [ -f expected ] && ! diff -u <(normalise expected) <(normalise actual.out); then
	echo "stdout differs (above: - expected, + actual)"
	status=1
fi
if [ -f stderr ] && ! grep -q -E -f stderr actual.err; then
	echo "stderr does not match $(cat stderr)"
	status=1
fi
if [ $status -ne 0 ]; then
	echo "--- stdout ---"; cat actual.out
	echo "--- stderr ---"; cat actual.err
fi
exit $status
