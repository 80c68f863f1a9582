#!/usr/bin/env bash
# `raquet scan --quick`: a detected running process, and planted files in
# /tmp, /dev/shm and the Downloads folder of the current user's home (taken
# from the password database) are all found without naming any path, and
# --quick --kill stops the process. Cleans up everything it planted.
. "$(dirname "$0")/lib.sh"

S() { "$RAQUET" scan --no-progress "$@"; }

marker='RQ-cli-quick-marker-55102'
hex=$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')
echo "Test.Cli.Quick:0:*:$hex" > quick.ndb
cp /bin/sleep quick-sleep
printf '%s' "$marker" >> quick-sleep
chmod 755 quick-sleep

tmpdir=$(mktemp -d /tmp/rqquick.XXXXXX)
shmdir=
[ -d /dev/shm ] && [ -w /dev/shm ] && shmdir=$(mktemp -d /dev/shm/rqquick.XXXXXX)
home=$(getent passwd "$(id -u)" | cut -d: -f6)
made_downloads=
dl_file=
if [ -n "$home" ] && [ "$home" != / ] && [ -d "$home" ] && [ -w "$home" ]; then
	if [ ! -e "$home/Downloads" ]; then
		mkdir "$home/Downloads" && made_downloads=1
	fi
	[ -d "$home/Downloads" ] && dl_file=$(mktemp "$home/Downloads/rqquick.XXXXXX")
fi
"$WORK/quick-sleep" 300 &
pid=$!
cleanup() {
	kill -9 "$pid" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$WORK" "$tmpdir"
	[ -n "$shmdir" ] && rm -rf "$shmdir"
	[ -n "$dl_file" ] && rm -f "$dl_file"
	[ -n "$made_downloads" ] && rmdir "$home/Downloads"
}
trap cleanup EXIT
for _ in $(seq 100); do
	[ "$(readlink /proc/$pid/exe)" = "$WORK/quick-sleep" ] && break
	sleep 0.05
done

printf '%s' "$marker" > "$tmpdir/dropped.bin"
mkdir -p "$tmpdir/deep/er"
printf '%s' "$marker" > "$tmpdir/deep/er/nested.bin"
[ -n "$shmdir" ] && printf '%s' "$marker" > "$shmdir/shm.bin"
[ -n "$dl_file" ] && printf '%s' "$marker" > "$dl_file"

expect_exit 1 S -d quick.ndb --quick --max-filesize=1M -i --no-summary
expect_grep "^$tmpdir/dropped.bin: Test.Cli.Quick FOUND\$" out
expect_grep "^$tmpdir/deep/er/nested.bin: Test.Cli.Quick FOUND\$" out
expect_grep "^process $pid \(quick-sleep\) $WORK/quick-sleep: Test.Cli.Quick FOUND\$" out
[ -n "$shmdir" ] && expect_grep "^$shmdir/shm.bin: Test.Cli.Quick FOUND\$" out
[ -n "$dl_file" ] && expect_grep "^$dl_file: Test.Cli.Quick FOUND\$" out

# --quick --kill stops the process as --processes --kill does
expect_exit 1 S -d quick.ndb --quick --kill --max-filesize=1M -i --no-summary
expect_grep "^process $pid \(quick-sleep\): killed\$" out
wait "$pid"
[ $? = 137 ] || fail "--quick --kill did not SIGKILL the process"

finish
