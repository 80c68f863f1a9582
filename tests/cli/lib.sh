# Shared helpers for the shell tests of the raquet command (sourced).
# Each test script gets the raquet binary as $1 and runs in a scratch folder.
set -u
RAQUET=${1:?usage: $0 RAQUET_BINARY}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rqcli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
FAILS=0

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

# expect_exit WANT CMD...: run CMD (stdout -> out, stderr -> err), check the status.
expect_exit() {
	local want=$1
	shift
	"$@" > out 2> err < /dev/null
	local got=$?
	if [ "$got" != "$want" ]; then
		fail "exit $got, want $want: $*"
		echo "--- stdout"; cat out; echo "--- stderr"; cat err
	fi
}

expect_grep() { # PATTERN FILE
	grep -q -E -- "$1" "$2" || fail "'$1' not in $2: $(head -c 2000 "$2")"
}

expect_no_grep() { # PATTERN FILE
	! grep -q -E -- "$1" "$2" || fail "'$1' unexpectedly in $2"
}

make_eicar() { # FILE
	printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$1"
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
