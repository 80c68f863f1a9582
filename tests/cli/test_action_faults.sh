#!/usr/bin/env bash
# Faults around `raquet scan` actions (issue 4, section 4): a crash (kill -9
# stand-in: RQ_ACTION_CRASH_AT / RQ_VAULT_CRASH_AT, _exit at each step) during
# --move, --copy and --action=quarantine, and a full disk (1 MiB tmpfs, root
# only) never lose the file: the original stays intact or the copy is
# complete. Two scans quarantining the same files at once act on each file
# exactly once. Files owned by another user keep their owner through
# quarantine, restore and --move. Restoring into a folder that was moved or
# deleted is refused with a clear message, and --to puts the file there.
. "$(dirname "$0")/lib.sh"

S() { "$RAQUET" scan --no-progress "$@"; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }
ids() { "$RAQUET" quarantine list --json --vault "$1" |
	python3 -c 'import json,sys; [print(i["id"]) for i in json.load(sys.stdin)["items"]]'; }

marker='RQ-cli-faults-marker-73310'
hex=$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')
echo "Test.Cli.Faults:0:*:$hex" > sigs.ndb
# make_detected FILE [KiB]: a detected file of about KiB kibibytes
make_detected() {
	{ printf '%s' "$marker"; head -c "$((${2:-1} * 1024))" /dev/urandom; } > "$1"
}

# --- a crash at every step of --move and --copy ---
for mode in move copy; do
	for step in 1 2 3 4; do
		rm -rf src dst && mkdir src dst
		make_detected src/f.bin 300
		want=$(sha src/f.bin)
		RQ_ACTION_CRASH_AT=$step S -d sigs.ndb --$mode dst src/f.bin > out 2>&1
		rc=$?
		[ $rc = 137 ] || fail "$mode step $step: no crash (exit $rc)"
		ok=
		[ -f src/f.bin ] && [ "$(sha src/f.bin)" = "$want" ] && ok=original
		[ -f dst/f.bin ] && [ "$(sha dst/f.bin)" = "$want" ] && ok="$ok copy"
		[ -n "$ok" ] || fail "$mode step $step: the file is lost ($(ls -A src dst))"
		if [ -e src/f.bin ] && [ "$(sha src/f.bin)" != "$want" ]; then
			fail "$mode step $step: the original changed"
		fi
		# a temporary copy may be left (hidden name); it is never the only copy
		if [ "$step" -ge 2 ]; then
			[ -f dst/f.bin ] || fail "$mode step $step: the copy was not named"
		fi
		[ "$mode" = copy ] && { [ -f src/f.bin ] || fail "copy step $step removed the original"; }
	done
done

# --- a crash at every step of --action=quarantine from a scan ---
for step in 1 2 3 4 5; do
	rm -rf src vault && mkdir src
	make_detected src/q.bin 200
	want=$(sha src/q.bin)
	RQ_VAULT_CRASH_AT=$step S -d sigs.ndb --action=quarantine --vault "$WORK/vault" src/q.bin > out 2>&1
	[ $? = 137 ] || fail "quarantine step $step: no crash"
	n=$(ids "$WORK/vault" | wc -l) # opening the vault runs the recovery
	if [ -e src/q.bin ]; then
		[ "$n" = 0 ] || fail "quarantine step $step: original and a vault item both kept"
		[ "$(sha src/q.bin)" = "$want" ] || fail "quarantine step $step: original changed"
	else
		[ "$n" = 1 ] || fail "quarantine step $step: original gone and no vault item"
		"$RAQUET" quarantine restore "$(ids "$WORK/vault")" --vault "$WORK/vault" > /dev/null ||
			fail "quarantine step $step: restore failed"
		[ "$(sha src/q.bin)" = "$want" ] || fail "quarantine step $step: restored content differs"
	fi
done

# --- a full disk: nothing lost, a clear error, no partial file left ---
if [ "$(id -u)" = 0 ] && mkdir small && mount -t tmpfs -o size=1m tmpfs small 2> /dev/null; then
	trap 'umount "$WORK/small" 2> /dev/null; rm -rf "$WORK"' EXIT
	rm -rf src && mkdir src
	make_detected src/big.bin 2048
	want=$(sha src/big.bin)
	for mode in move copy; do
		expect_exit 1 S -d sigs.ndb --$mode small src/big.bin
		expect_grep "^src/big.bin: cannot $mode: write failed: No space left on device ERROR$" out
		[ "$(sha src/big.bin)" = "$want" ] || fail "--$mode on a full disk changed the original"
		[ -z "$(ls -A small)" ] || fail "--$mode on a full disk left $(ls -A small)"
	done
	expect_exit 1 S -d sigs.ndb --action=quarantine --vault "$WORK/small/vault" src/big.bin
	expect_grep '^src/big.bin: cannot quarantine: .*No space left on device ERROR$' out
	[ "$(sha src/big.bin)" = "$want" ] || fail "quarantine on a full disk changed the original"
	[ -z "$(ids "$WORK/small/vault")" ] || fail "quarantine on a full disk left an item"
	[ -z "$(ls "$WORK/small/vault" | grep -v -x -e vault.key)" ] ||
		fail "quarantine on a full disk left files: $(ls -A "$WORK/small/vault")"
	umount small
else
	echo "SKIP: full-disk tests need root and tmpfs"
fi

# --- two scans quarantining the same files at once ---
rm -rf tree vault && mkdir -p tree/a tree/b
for i in $(seq 1 30); do make_detected "tree/a/f$i.bin" 8; make_detected "tree/b/g$i.bin" 8; done
(cd tree && find . -type f -exec sha256sum {} + | sort) > sums.txt
S -d sigs.ndb -r -j2 --action=quarantine --vault "$WORK/vault" tree > one.txt 2>&1 &
p1=$!
S -d sigs.ndb -r -j2 --action=quarantine --vault "$WORK/vault" tree > two.txt 2>&1 &
p2=$!
wait $p1; wait $p2
cat one.txt two.txt | sed -n -E 's/^(tree\/.*): quarantined as [0-9a-f]{24}\.$/\1/p' | sort > acted.txt
[ "$(wc -l < acted.txt)" = 60 ] || fail "want 60 quarantine actions in all, got $(wc -l < acted.txt)"
[ -z "$(uniq -d acted.txt)" ] || fail "files quarantined twice: $(uniq -d acted.txt)"
[ -z "$(find tree -type f)" ] || fail "files left: $(find tree -type f)"
[ "$(ids "$WORK/vault" | wc -l)" = 60 ] || fail "vault should hold 60 items"
for id in $(ids "$WORK/vault"); do
	"$RAQUET" quarantine restore "$id" --vault "$WORK/vault" > /dev/null || fail "restore $id"
done
(cd tree && find . -type f -exec sha256sum {} + | sort) > sums2.txt
cmp -s sums.txt sums2.txt || fail "concurrent quarantine lost or changed files"

# --- files owned by another user ---
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	grp=$(id -gn nobody)
	rm -rf own vault moved && mkdir own moved
	make_detected own/theirs.bin 4
	chown nobody:"$grp" own/theirs.bin
	chmod 0640 own/theirs.bin
	want=$(sha own/theirs.bin)
	expect_exit 1 S -d sigs.ndb --action=quarantine --vault "$WORK/vault" own/theirs.bin
	expect_grep '^own/theirs.bin: quarantined as [0-9a-f]{24}\.$' out
	expect_exit 0 "$RAQUET" quarantine show "$(ids "$WORK/vault")" --vault "$WORK/vault"
	expect_grep "^Owner: +nobody \\(uid $(id -u nobody)\\), group $grp " out
	expect_exit 0 "$RAQUET" quarantine restore "$(ids "$WORK/vault")" --vault "$WORK/vault"
	[ "$(stat -c '%U:%G %a' own/theirs.bin)" = "nobody:$grp 640" ] ||
		fail "restored owner/mode: $(stat -c '%U:%G %a' own/theirs.bin)"
	[ "$(sha own/theirs.bin)" = "$want" ] || fail "restored content differs"
	expect_exit 1 S -d sigs.ndb --move moved own/theirs.bin
	[ "$(stat -c '%U:%G %a' moved/theirs.bin)" = "nobody:$grp 640" ] ||
		fail "--move lost the owner: $(stat -c '%U:%G %a' moved/theirs.bin)"
else
	echo "SKIP: other-owner tests need root and the user nobody"
fi

# --- restoring into a folder that was moved, or deleted ---
rm -rf proj proj2 vault
mkdir -p proj/src
make_detected proj/src/m.bin 4
want=$(sha proj/src/m.bin)
expect_exit 1 S -d sigs.ndb --action=quarantine --vault "$WORK/vault" proj/src/m.bin
id=$(ids "$WORK/vault")
mv proj proj2
expect_exit 1 "$RAQUET" quarantine restore "$id" --vault "$WORK/vault"
expect_grep "folder $WORK/proj/src no longer exists \\(restore with --to PATH\\)" err
[ ! -e proj ] || fail "a refused restore re-created the folder"
expect_exit 0 "$RAQUET" quarantine restore "$id" --vault "$WORK/vault" --to proj2/src
[ "$(sha proj2/src/m.bin)" = "$want" ] || fail "--to the moved folder"
expect_exit 1 S -d sigs.ndb --action=quarantine --vault "$WORK/vault" proj2/src/m.bin
id=$(ids "$WORK/vault")
rm -r proj2
expect_exit 1 "$RAQUET" quarantine restore "$id" --vault "$WORK/vault"
expect_grep 'no longer exists \(restore with --to PATH\)' err
mkdir elsewhere
expect_exit 0 "$RAQUET" quarantine restore "$id" --vault "$WORK/vault" --to elsewhere/renamed.bin
[ "$(sha elsewhere/renamed.bin)" = "$want" ] || fail "--to a new name after the folder was deleted"

finish
