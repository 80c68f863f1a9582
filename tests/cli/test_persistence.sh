#!/usr/bin/env bash
# `raquet scan --persistence` on a fake root (--persistence-root, the testing
# aid): a crontab job and a systemd unit starting a detected file are
# reported with their file and line, in text and JSON; entries starting a
# clean file are not; the exit status is 1 only when something is detected.
# A run on the real machine must at least work (exit 0, 1 or 2 is allowed).
. "$(dirname "$0")/lib.sh"

S() { "$RAQUET" scan --no-progress "$@"; }

root=$WORK/root
mkdir -p "$root/etc/systemd/system" "$root/etc/cron.d" "$root/usr/bin" "$root/opt"
make_eicar "$root/opt/evil"
echo 'clean' > "$root/usr/bin/clean"
printf '[Unit]\nDescription=x\n[Service]\nExecStartPre=/usr/bin/clean\nExecStart=-/opt/evil --daemon\n' \
	> "$root/etc/systemd/system/x.service"
printf 'PATH=/usr/bin\n# job\n*/5 * * * * root /usr/bin/clean && /opt/evil\n' > "$root/etc/cron.d/job"

expect_exit 1 S --persistence --persistence-root="$root"
expect_grep '^persistence SYSTEMD /etc/systemd/system/x\.service:5 -> /opt/evil: Eicar' out
expect_grep '^persistence CRON /etc/cron\.d/job:3 -> /opt/evil: Eicar.* FOUND$' out
expect_no_grep 'clean' out
expect_grep '^Persistence entries: 5 \(3 distinct targets\)' out
expect_grep '^Infected persistence entries: 2' out

expect_exit 1 S --json --persistence --persistence-root "$root"
expect_grep '^\{"persistence":\{"kind":"SYSTEMD","file":"/etc/systemd/system/x\.service","line":5,"target":"/opt/evil"\},"status":"infected","detections":\["Eicar' out
expect_grep '"persistence_summary":\{"entries":5,"targets":3,"infected":2\}' out

rm "$root/opt/evil"
expect_exit 0 S --persistence --persistence-root="$root"
expect_grep '^Infected persistence entries: 0' out

expect_exit 2 S --persistence-root=
S --persistence > out 2> err < /dev/null
rc=$?
[ "$rc" -le 2 ] || fail "real-machine --persistence exited $rc"
expect_grep '^Persistence entries: ' out

finish
