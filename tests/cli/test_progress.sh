#!/usr/bin/env bash
# The progress line: drawn on stderr when it is a terminal (a pseudo-TTY
# from `script`), never otherwise unless --progress, never with
# --no-progress; stdout keeps only result lines.
. "$(dirname "$0")/lib.sh"

command -v script > /dev/null || { echo "SKIP: script(1) from util-linux is missing"; exit 0; }
mkdir tree
for i in $(seq 1 20); do head -c 100000 /dev/zero > "tree/f$i"; done
make_eicar tree/eicar.com

# tty_run FILE ARGS...: run raquet with stdin/stdout/stderr on a pseudo-TTY.
tty_run() {
	local file=$1
	shift
	local cmd="$RAQUET"
	for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
	script -qfec "$cmd" /dev/null > "$file" 2>&1 < /dev/null
}

PROGRESS=$'\r\033\[Kraquet: [0-9]+(/[0-9]+)? files'

tty_run tty.out scan -r --no-summary tree
grep -q -a -E "$PROGRESS" tty.out || fail "no progress line on a terminal: $(cat -v tty.out | head -c 500)"
grep -q -a 'tree/eicar.com: Eicar-Test-Signature FOUND' tty.out || fail "result missing on a terminal"
# every result line starts clean: the progress line was erased before it
# (each "\r ESC[K" starts a fresh screen line)
if sed 's/\r\x1b\[K/\n/g' tty.out | grep -a -E 'files, [0-9]+ found.*tree/' > /dev/null; then
	fail "a result was printed on the same line as the progress"
fi

tty_run tty.out scan --no-progress -r --no-summary tree
! grep -q -a -E "$PROGRESS" tty.out || fail "--no-progress still drew the progress line"

# not a terminal: nothing on stderr
expect_exit 1 "$RAQUET" scan -r tree
[ ! -s err ] || fail "stderr not empty without a terminal: $(cat -v err)"
expect_exit 1 "$RAQUET" scan -r --progress tree
grep -q -a -E "$PROGRESS" err || fail "--progress did not force the line: $(cat -v err)"
! grep -q -a $'\033' out || fail "escape codes on stdout"

finish
