#!/usr/bin/env bash
# `raquet scan` actions on files reported as FOUND: --action=quarantine (a
# file and an archive, restored byte-identical), --remove, --move and --copy
# with name collisions, refusals (stdin, conflicting options, a missing
# folder), heuristic alerts, and the "action" objects of --json. The inode
# check against swapped paths is covered by tests/cli/test_scan_actions_fd.c.
. "$(dirname "$0")/lib.sh"

S() { "$RAQUET" scan --no-progress "$@"; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }

make_tree() { # a fresh tree: two infected files, an infected zip, a clean file
	rm -rf tree
	mkdir -p tree/sub
	make_eicar tree/e1.com
	make_eicar tree/sub/e2.com
	echo "clean content" > tree/clean.txt
	python3 - <<'PY' || fail "cannot build the zip"
import zipfile
with zipfile.ZipFile('tree/sub/pack.zip', 'w') as z:
    z.writestr('readme.txt', 'nothing here\n')
    z.writestr('inner/eicar.com', open('tree/e1.com', 'rb').read())
PY
}

# --- quarantine: the archive file itself goes to the vault ---
make_tree
eicar_sum=$(sha tree/e1.com)
zip_sum=$(sha tree/sub/pack.zip)
clean_sum=$(sha tree/clean.txt)
expect_exit 1 S -r --action=quarantine --vault "$WORK/vault" tree
expect_grep '^tree/e1.com: Eicar-Test-Signature FOUND$' out
expect_grep '^tree/e1.com: quarantined as [0-9a-f]{24}\.$' out
expect_grep '^tree/sub/pack.zip//inner/eicar.com: Eicar-Test-Signature FOUND$' out
expect_grep '^tree/sub/pack.zip: quarantined as [0-9a-f]{24}\.$' out
expect_grep '^Quarantined: 3$' out
expect_no_grep 'Total errors' out
[ ! -e tree/e1.com ] && [ ! -e tree/sub/e2.com ] && [ ! -e tree/sub/pack.zip ] ||
	fail "quarantined files still in place: $(ls -R tree)"
[ "$(sha tree/clean.txt)" = "$clean_sum" ] || fail "clean file changed"
zip_id=$(sed -n -E 's/^tree\/sub\/pack.zip: quarantined as ([0-9a-f]{24})\.$/\1/p' out)
expect_exit 0 "$RAQUET" quarantine list --vault "$WORK/vault"
expect_grep "^$zip_id .*Eicar-Test-Signature  $WORK/tree/sub/pack.zip$" out
[ "$(grep -c -E '^[0-9a-f]{24} ' out)" = 3 ] || fail "vault should hold 3 items: $(cat out)"
expect_exit 0 "$RAQUET" quarantine restore "$zip_id" --vault "$WORK/vault"
[ "$(sha tree/sub/pack.zip)" = "$zip_sum" ] || fail "restored archive differs"

# $RAQUET_VAULT is used without --vault, as by `raquet quarantine`
make_tree
RAQUET_VAULT="$WORK/vault2" expect_exit 1 S --action quarantine tree/e1.com
expect_grep '^tree/e1.com: quarantined as [0-9a-f]{24}\.$' out
id=$(sed -n -E 's/^.*quarantined as ([0-9a-f]{24})\.$/\1/p' out)
RAQUET_VAULT="$WORK/vault2" expect_exit 0 "$RAQUET" quarantine restore "$id"
[ "$(sha tree/e1.com)" = "$eicar_sum" ] || fail "restored file differs"

# --- remove: only infected files go ---
make_tree
expect_exit 1 S -r --remove tree
expect_grep '^tree/e1.com: Removed\.$' out
expect_grep '^tree/sub/e2.com: Removed\.$' out
expect_grep '^tree/sub/pack.zip: Removed\.$' out
expect_grep '^tree/clean.txt: OK$' out
expect_grep '^Removed: 3$' out
[ "$(cd tree && find . -type f | sort | tr '\n' ' ')" = "./clean.txt " ] ||
	fail "remove left or took the wrong files: $(find tree -type f)"
[ "$(sha tree/clean.txt)" = "$clean_sum" ] || fail "clean file changed by --remove"
make_tree
expect_exit 1 S --action=remove --remove=no tree/e1.com # =no cancels it
[ -e tree/e1.com ] || fail "--remove=no removed a file"
expect_exit 1 S --action=remove -i tree/e1.com tree/clean.txt
[ ! -e tree/e1.com ] && [ -e tree/clean.txt ] || fail "--action=remove"

# --- heuristic alerts are acted on when they are reported as FOUND ---
head -c 1000 /dev/zero > big.bin
expect_exit 0 S --max-filesize=100 --remove big.bin
[ -e big.bin ] || fail "a LIMIT notice was acted on"
expect_exit 1 S --max-filesize=100 --alert-exceeds-max --remove big.bin
expect_grep '^big.bin: Removed\.$' out
[ ! -e big.bin ] || fail "an alerted limit was not acted on"

# --- move and copy: identical bytes, NAME.1, NAME.2 when taken ---
make_tree
zip_sum=$(sha tree/sub/pack.zip) # the zip holds its build time
mkdir moved copied
make_eicar copied/e1.com.keep
echo "someone else's file" > moved/e1.com
expect_exit 1 S --copy copied tree/e1.com
expect_exit 1 S --copy=copied tree/e1.com
expect_grep "^tree/e1.com: copied to 'copied/e1.com.1'\.$" out
expect_grep '^Copied: 1$' out
[ "$(sha copied/e1.com)" = "$eicar_sum" ] && [ "$(sha copied/e1.com.1)" = "$eicar_sum" ] ||
	fail "copies differ"
[ "$(sha tree/e1.com)" = "$eicar_sum" ] || fail "--copy changed the original"
touch -d '2023-01-02 03:04:05' tree/sub/e2.com
chmod 0640 tree/sub/e2.com
expect_exit 1 S -r --move moved tree
expect_grep "^tree/e1.com: moved to 'moved/e1.com.1'\.$" out
expect_grep "^tree/sub/e2.com: moved to 'moved/e2.com'\.$" out
expect_grep "^tree/sub/pack.zip: moved to 'moved/pack.zip'\.$" out
[ "$(cat moved/e1.com)" = "someone else's file" ] || fail "--move replaced an existing file"
[ "$(sha moved/e1.com.1)" = "$eicar_sum" ] && [ "$(sha moved/pack.zip)" = "$zip_sum" ] ||
	fail "moved content differs"
[ "$(stat -c '%a %Y' moved/e2.com)" = "640 $(date -d '2023-01-02 03:04:05' +%s)" ] ||
	fail "--move lost mode or mtime: $(stat -c '%a %Y' moved/e2.com)"
[ "$(cd tree && find . -type f | sort | tr '\n' ' ')" = "./clean.txt " ] ||
	fail "--move left infected files: $(find tree -type f)"
[ -z "$(ls -A moved | grep -v -E '^(e1.com|e1.com.1|e2.com|pack.zip)$')" ] ||
	fail "--move left temporary files: $(ls -A moved)"

# --- standard input cannot be acted on ---
make_eicar stdin.com
S --no-summary --remove - < stdin.com > out 2> err
[ $? = 1 ] || fail "stdin --remove: exit status"
expect_grep '^stdin: Eicar-Test-Signature FOUND$' out
expect_grep '^stdin: cannot remove: standard input is not a file to act on ERROR$' out
[ -e stdin.com ] || fail "stdin --remove removed the redirected file"
make_eicar stdin # a file that happens to be named like the result
S --no-summary --remove - < stdin > out 2> err
[ -e stdin ] || fail "stdin --remove removed ./stdin"
cat stdin.com | S --json --remove - > out 2> err
python3 - out <<'PY' || fail "stdin --json action"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
a = lines[0]['action']
assert a == {'kind': 'remove', 'ok': False, 'error': 'standard input is not a file to act on'}, a
assert lines[1]['summary']['errors'] == 1, lines[1]
PY

# --- refused options ---
expect_exit 2 S --remove --move=moved tree
expect_grep 'only one of --action, --remove, --move and --copy' err
expect_exit 2 S --action=delete tree
expect_exit 2 S --copy "$WORK/missing" tree
expect_grep 'missing: No such file or directory' err
expect_exit 2 S --move tree/clean.txt tree
expect_grep 'not a folder' err

# --- --json carries the action objects ---
make_tree
rm -rf moved && mkdir moved
expect_exit 1 S -r --json --move moved tree
python3 - out "$WORK" <<'PY' || fail "--json actions: $(cat out)"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
files = {o['path']: o for o in objs if 'path' in o}
for p, name in (('tree/e1.com', 'e1.com'), ('tree/sub/pack.zip', 'pack.zip')):
    a = files[p]['action']
    assert a == {'kind': 'move', 'ok': True, 'dest': 'moved/' + name}, a
assert 'action' not in files['tree/clean.txt'], files['tree/clean.txt']
s = objs[-1]['summary']
assert s['moved'] == 3 and s['errors'] == 0 and s['infected_files'] == 3, s
PY
make_tree
expect_exit 1 S --json --action=quarantine --vault "$WORK/vault3" tree/e1.com
python3 - out <<'PY' || fail "--json quarantine: $(cat out)"
import json, re, sys
o = json.loads(open(sys.argv[1]).readline())
a = o['action']
assert a['kind'] == 'quarantine' and a['ok'] is True and re.fullmatch('[0-9a-f]{24}', a['id']), a
PY
# a failed quarantine: a symlink given as the path is not the scanned inode
make_tree
ln -s e1.com tree/link.com
expect_exit 1 S --action=quarantine --vault "$WORK/vault3" tree/link.com
expect_grep '^tree/link.com: cannot quarantine: removed or replaced since it was opened; nothing done ERROR$' out
expect_grep '^Total errors: 1$' out
[ -L tree/link.com ] && [ "$(sha tree/e1.com)" = "$eicar_sum" ] || fail "refused quarantine touched files"
# the vault cannot be opened (a file, not a folder) cannot be opened (a file, not a folder)
make_tree
touch notavault
expect_exit 2 S --action=quarantine --vault "$WORK/notavault" tree/e1.com
[ -e tree/e1.com ] || fail "a failed vault open removed the file"

finish
