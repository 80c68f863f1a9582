#!/usr/bin/env bash
# `raquet scan --disable-persistence` on a fake root: every kind of entry
# starting a detected file is disabled (lines commented out with a backup in
# the vault; whole files -- units, timers, cron.daily scripts, at jobs,
# .desktop -- quarantined, systemd enablement links removed), decoys starting
# clean files are never touched, each action is a text line and a JSON
# object, and `raquet quarantine restore` of every item gives back the
# original tree byte for byte with owners, modes and links. Also: restore
# rules for backup items, a crash at each step of a rewrite, and --quick.
. "$(dirname "$0")/lib.sh"

S() { "$RAQUET" scan --no-progress "$@"; }
Q() { "$RAQUET" quarantine --vault "$WORK/vault" "$@"; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }
# a listing of a tree: names, types, link texts, modes, owners and contents
snapshot() {
	(cd "$1" && find . -printf '%p %y %l %m %U:%G\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}
ids() { Q list --json | python3 -c 'import json,sys; [print(i["id"]) for i in json.load(sys.stdin)["items"]]'; }

build_root() { # $1: folder
	local r=$1
	rm -rf "$r"
	mkdir -p "$r/opt" "$r/usr/bin" "$r/etc/cron.d" "$r/etc/cron.daily" \
		"$r/etc/systemd/system/multi-user.target.wants" "$r/etc/systemd/system/timers.target.wants" \
		"$r/var/spool/cron/atjobs" "$r/var/spool/cron/crontabs" "$r/home/bob/.config/autostart" \
		"$r/etc/profile.d"
	make_eicar "$r/opt/evil"
	echo 'clean' > "$r/opt/decoy"
	echo 'clean' > "$r/usr/bin/clean"
	printf 'PATH=/usr/bin\n*/5 * * * * root /usr/bin/clean\n*/5 * * * * root /opt/evil --x\n@reboot root /opt/decoy\n' \
		> "$r/etc/cron.d/job"
	printf '* * * * * /opt/decoy\n' > "$r/etc/cron.d/decoy"
	printf '17 * * * * root cd / && run-parts /etc/cron.hourly\n' > "$r/etc/crontab"
	printf '#!/bin/sh -e\nif true; then\n  /opt/evil &\nfi\n/opt/decoy\nexit 0\n' > "$r/etc/rc.local"
	chmod 0755 "$r/etc/rc.local"
	printf '/opt/evil\n/usr/lib/libok.so\n' > "$r/etc/ld.so.preload"
	printf 'export A=1\n' > "$r/etc/profile.d/ok.sh"
	printf '[Service]\nExecStart=/opt/evil --daemon\n[Install]\nWantedBy=multi-user.target\n' \
		> "$r/etc/systemd/system/x.service"
	printf '[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n' > "$r/etc/systemd/system/x.timer"
	printf '[Service]\nExecStart=/opt/decoy\n' > "$r/etc/systemd/system/decoy.service"
	ln -s /etc/systemd/system/x.service "$r/etc/systemd/system/multi-user.target.wants/x.service"
	ln -s /etc/systemd/system/decoy.service "$r/etc/systemd/system/multi-user.target.wants/decoy.service"
	ln -s /etc/systemd/system/x.timer "$r/etc/systemd/system/timers.target.wants/x.timer"
	make_eicar "$r/etc/cron.daily/evil-script"
	chmod 0755 "$r/etc/cron.daily/evil-script"
	printf '#!/bin/sh\n/opt/evil\n' > "$r/etc/cron.daily/runner"
	printf '#!/bin/sh\n/opt/decoy\n' > "$r/etc/cron.daily/decoy"
	printf '#!/bin/sh\n# atrun uid=0 gid=0\ncd /root || exit 1\n/opt/evil\n' > "$r/var/spool/cron/atjobs/a0000101"
	printf '* * * * * /opt/evil\n' > "$r/var/spool/cron/crontabs/bob"
	chmod 0600 "$r/var/spool/cron/crontabs/bob"
	printf '[Desktop Entry]\nExec=/opt/evil %%u\n' > "$r/home/bob/.config/autostart/e.desktop"
	printf 'alias x=1\n/opt/evil\n' > "$r/home/bob/.bashrc"
	chmod 0640 "$r/home/bob/.bashrc"
	if [ "$(id -u)" = 0 ]; then
		chown nobody "$r/home/bob/.bashrc" "$r/var/spool/cron/crontabs/bob"
	fi
}

root=$WORK/root
build_root "$root"
snapshot "$root" > before.txt
decoys="etc/cron.d/decoy etc/crontab etc/cron.daily/decoy etc/systemd/system/decoy.service etc/profile.d/ok.sh opt/decoy"
for f in $decoys; do sha "$root/$f"; done > decoys.txt

# --- report only: nothing changes ---
expect_exit 1 S --persistence --persistence-root="$root" --vault "$WORK/vault"
expect_no_grep 'disabled' out
snapshot "$root" > now.txt
cmp -s before.txt now.txt || fail "--persistence alone changed the tree"

# --- disable ---
expect_exit 1 S --disable-persistence --persistence-root="$root" --vault "$WORK/vault"
line_re='disabled \(line commented out\), backup quarantined as [0-9a-f]{24}\.$'
file_re='disabled, file quarantined as [0-9a-f]{24}'
expect_grep "^persistence CRON /etc/cron.d/job:3 -> /opt/evil: Eicar-Test-Signature FOUND$" out
expect_grep "^persistence CRON /etc/cron.d/job:3: $line_re" out
expect_grep "^persistence RCLOCAL /etc/rc.local:3: $line_re" out
expect_grep "^persistence PRELOAD /etc/ld.so.preload:1: $line_re" out
expect_grep "^persistence CRON /var/spool/cron/crontabs/bob:1: $line_re" out
expect_grep "^persistence SHELL /home/bob/.bashrc:2: $line_re" out
expect_grep "^persistence SYSTEMD /etc/systemd/system/x.service:2: $file_re \(1 enablement link removed\)\.$" out
expect_grep "^persistence TIMER /etc/systemd/system/x.timer:1: $file_re \(1 enablement link removed\)\.$" out
expect_grep "^persistence CRONDIR /etc/cron.daily/evil-script:1: $file_re\.$" out
expect_grep "^persistence CRONDIR /etc/cron.daily/runner:2: $file_re\.$" out
expect_grep "^persistence AT /var/spool/cron/atjobs/a0000101:4: $file_re\.$" out
expect_grep "^persistence AUTOSTART /home/bob/.config/autostart/e.desktop:2: $file_re\.$" out
expect_grep '^Disabled persistence entries: 11$' out
expect_no_grep 'decoy' out
expect_no_grep 'ERROR' out
cp out disable.txt

# the files now
job_id=$(sed -n -E 's|^persistence CRON /etc/cron.d/job:3: .* as ([0-9a-f]{24})\.$|\1|p' out)
[ "$(sed -n 3p "$root/etc/cron.d/job")" = "# raquet: disabled (quarantine ID $job_id): */5 * * * * root /opt/evil --x" ] ||
	fail "cron.d line 3: $(sed -n 3p "$root/etc/cron.d/job")"
[ "$(sed -n 2p "$root/etc/cron.d/job")" = "*/5 * * * * root /usr/bin/clean" ] || fail "cron.d line 2 changed"
expect_grep '^  : # raquet: disabled \(quarantine ID [0-9a-f]{24}\): /opt/evil &$' "$root/etc/rc.local"
sh -n "$root/etc/rc.local" || fail "rc.local is no longer valid shell: $(cat "$root/etc/rc.local")"
[ "$(stat -c %a "$root/etc/rc.local")" = 755 ] || fail "rc.local lost its mode"
[ "$(stat -c %a "$root/home/bob/.bashrc")" = 640 ] || fail ".bashrc lost its mode"
if [ "$(id -u)" = 0 ]; then
	[ "$(stat -c %U "$root/home/bob/.bashrc")" = nobody ] || fail ".bashrc lost its owner"
	[ "$(stat -c %U "$root/var/spool/cron/crontabs/bob")" = nobody ] || fail "crontab lost its owner"
fi
expect_grep '^/usr/lib/libok.so$' "$root/etc/ld.so.preload"
for f in etc/systemd/system/x.service etc/systemd/system/x.timer etc/cron.daily/evil-script \
	etc/cron.daily/runner var/spool/cron/atjobs/a0000101 home/bob/.config/autostart/e.desktop \
	etc/systemd/system/multi-user.target.wants/x.service etc/systemd/system/timers.target.wants/x.timer; do
	[ ! -e "$root/$f" ] && [ ! -L "$root/$f" ] || fail "$f still there"
done
[ -L "$root/etc/systemd/system/multi-user.target.wants/decoy.service" ] || fail "decoy link removed"
for f in $decoys; do sha "$root/$f"; done > decoys2.txt
cmp -s decoys.txt decoys2.txt || fail "a decoy changed"
[ -z "$(find "$root" -name '.raquet-*')" ] || fail "temporary files left: $(find "$root" -name '.raquet-*')"
[ "$(ids | wc -l)" = 11 ] || fail "vault should hold 11 items: $(Q list)"
expect_exit 0 Q show "$job_id"
expect_grep '^Kind: +backup' out
expect_exit 0 Q list
expect_grep "^$job_id .*\[backup\] $root/etc/cron.d/job$" out

# a second run finds nothing left to disable
expect_exit 0 S --disable-persistence --persistence-root="$root" --vault "$WORK/vault"
expect_grep '^Disabled persistence entries: 0$' out

# --- restore everything: the tree is back as it was, links included ---
for id in $(ids); do
	expect_exit 0 Q restore "$id"
done
snapshot "$root" > now.txt
diff before.txt now.txt > diff.txt || fail "restored tree differs: $(cat diff.txt)"
[ -z "$(ids)" ] || fail "items left after restoring all"

# --- JSON ---
expect_exit 1 S --json --disable-persistence --persistence-root="$root" --vault "$WORK/vault"
python3 - out <<'PY' || fail "--json disable: $(cat out)"
import json, re, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
ents = [o for o in objs if 'persistence' in o]
assert len(ents) == 11, ents
for o in ents:
    a = o['action']
    assert a['kind'] == 'disable' and a['ok'] is True and re.fullmatch('[0-9a-f]{24}', a['id']), o
    whole = o['persistence']['kind'] in ('SYSTEMD', 'TIMER', 'CRONDIR', 'AT', 'AUTOSTART')
    assert a['how'] == ('quarantined' if whole else 'commented'), o
s = [o for o in objs if 'persistence_summary' in o][0]['persistence_summary']
assert s['disabled'] == 11 and s['infected'] == 11, s
PY

# --- backup restore rules: a file changed since is kept unless --force ---
for id in $(ids); do Q restore "$id" > /dev/null 2>&1; done
diff before.txt <(snapshot "$root") > /dev/null || fail "second restore differs"
expect_exit 1 S --disable-persistence --persistence-root="$root" --vault "$WORK/vault" "$root/etc/cron.d/job"
id=$(sed -n -E 's|^persistence CRON /etc/cron.d/job:3: .* as ([0-9a-f]{24})\.$|\1|p' out)
echo '# edited by the officer' >> "$root/etc/cron.d/job"
expect_exit 1 Q restore "$id"
expect_grep 'was changed after raquet disabled its entries; use --force' err
expect_grep '^# edited by the officer$' "$root/etc/cron.d/job"
expect_exit 0 Q restore "$id" --force
[ "$(sha "$root/etc/cron.d/job")" = "$(sha <(printf 'PATH=/usr/bin\n*/5 * * * * root /usr/bin/clean\n*/5 * * * * root /opt/evil --x\n@reboot root /opt/decoy\n'))" ] ||
	fail "--force did not put the backup back"
# a backup whose file was deleted since is simply put back
for id in $(ids); do Q restore "$id" > /dev/null 2>&1; done
build_root "$root"
expect_exit 1 S --disable-persistence --persistence-root="$root" --vault "$WORK/vault"
id=$(sed -n -E 's|^persistence CRON /etc/cron.d/job:3: .* as ([0-9a-f]{24})\.$|\1|p' out)
rm "$root/etc/cron.d/job"
expect_exit 0 Q restore "$id"
expect_grep '^\*/5 \* \* \* \* root /opt/evil --x$' "$root/etc/cron.d/job"
for id in $(ids); do Q restore "$id" > /dev/null 2>&1; done

# --- a crash after the backup (1) and after the new file is written (2) ---
for step in 1 2; do
	build_root "$root"
	rm -rf "$WORK/vault"
	RQ_PERSIST_CRASH_AT=$step S --disable-persistence --persistence-root="$root" --vault "$WORK/vault" > out 2>&1
	[ $? = 137 ] || fail "step $step: no crash"
	n=$(ids | wc -l) # opening the vault runs the recovery
	diff before.txt <(snapshot "$root") > /dev/null || fail "step $step: the tree changed"
	[ "$n" = 1 ] || fail "step $step: want the one backup item, got $n"
	expect_exit 0 Q restore "$(ids)" # the file was never changed: restore is a no-op
	diff before.txt <(snapshot "$root") > /dev/null || fail "step $step: restore changed the tree"
	expect_exit 1 S --disable-persistence --persistence-root="$root" --vault "$WORK/vault"
	expect_grep '^Disabled persistence entries: 11$' out
done

# --- an unusable vault: every entry says so, nothing is changed ---
build_root "$root"
touch "$WORK/notavault"
expect_exit 1 S --disable-persistence --persistence-root="$root" --vault "$WORK/notavault"
expect_grep '^persistence CRON /etc/cron.d/job:3: cannot disable: .* ERROR$' out
expect_grep '^Disabled persistence entries: 0$' out
expect_grep '^Total errors: 11$' out
diff before.txt <(snapshot "$root") > /dev/null || fail "a failed vault open changed the tree"

# --- a symlinked holding file is never edited ---
build_root "$root"
rm -rf "$WORK/vault"
mv "$root/etc/cron.d/job" "$root/opt/job"
ln -s "$root/opt/job" "$root/etc/cron.d/job"
jsum=$(sha "$root/opt/job")
expect_exit 1 S --disable-persistence --persistence-root="$root" --vault "$WORK/vault"
expect_grep '^persistence CRON /etc/cron.d/job:3: cannot disable: is a symbolic link; not changed ERROR$' out
[ "$(sha "$root/opt/job")" = "$jsum" ] || fail "a symlinked crontab was edited"

# --- --quick reads the persistence places too: report only, unless asked ---
build_root "$root"
rm -rf "$WORK/vault"
expect_exit 1 S --quick -i --max-filesize=1M --persistence-root="$root" --vault "$WORK/vault"
expect_grep '^persistence CRON /etc/cron.d/job:3 -> /opt/evil: Eicar-Test-Signature FOUND$' out
expect_grep '^persistence TIMER /etc/systemd/system/x.timer:1 -> /opt/evil: Eicar-Test-Signature FOUND$' out
expect_no_grep '^persistence .*: disabled' out
diff before.txt <(snapshot "$root") > /dev/null || fail "--quick alone changed the tree"
expect_exit 1 S --quick --disable-persistence -i --max-filesize=1M --persistence-root="$root" --vault "$WORK/vault"
expect_grep "^persistence CRON /etc/cron.d/job:3: $line_re" out
[ ! -e "$root/etc/systemd/system/x.timer" ] || fail "--quick --disable-persistence left the timer"

finish
