#!/usr/bin/env bash
# `raquet db keygen|build|info|verify|list` and scanning with a .rqdb:
# detections equal to the text sources, header and counts shown, a tampered
# or unsigned database refused with the reason (exit 2 for scan), an
# unsigned one accepted only when named with --allow-unsigned, a malformed
# source line named by file and line at build time.
. "$(dirname "$0")/lib.sh"

mkdir keys src files
expect_exit 0 "$RAQUET" db keygen --out keys/pub1
expect_grep '^key id: +[0-9a-f]{16}$' out
[ "$(stat -c %a keys/pub1.key)" = 600 ] || fail "private key not 0600"
mkdir trusted && cp keys/pub1.pub trusted/

printf '%s\n' 'b1946ac92492d2347c6235b4d2611184:6:Cli.Md5.Hello' > src/a.hdb
printf '%s\n' 'Cli.Body.Malware:0:*:6d616c77617265' 'Cli.Body.Bad:0:*:6d61zz' > src/b.ndb
printf '%s\n' 'rule Cli_Yara { strings: $a = "evil-thing" condition: $a }' > src/c.yar
printf 'hello\n' > files/one
printf 'some malware here' > files/two
printf 'an evil-thing inside' > files/three
printf 'nothing' > files/four

expect_exit 0 "$RAQUET" db build --name main --version 12 --key keys/pub1.key -o main.rqdb src
expect_grep 'src/b.ndb:2: ' err
expect_grep '^main.rqdb: main version 12: 1 hash, 0 allow-list, 1 body, 1 YARA' out
# --strict makes the malformed line fatal, naming it
expect_exit 1 "$RAQUET" db build --strict --name main --version 12 --key keys/pub1.key -o strict.rqdb src
expect_grep 'b.ndb:2' err
[ ! -e strict.rqdb ] || fail "strict build left a file"

expect_exit 0 "$RAQUET" db info main.rqdb --trusted-keys trusted
expect_grep '^Name: +main$' out
expect_grep '^Version: +12$' out
expect_grep '^Built: +[0-3][0-9]/[01][0-9]/20[0-9]{2} ' out
expect_grep '^Signature: +trusted$' out
expect_exit 0 "$RAQUET" db info main.rqdb --json --trusted-keys trusted
python3 - out <<'PY' || fail "info --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["trusted"] is True and d["header"]["name"] == "main" and d["header"]["version"] == 12, d
assert d["header"]["counts"]["md5"] == 1 and len(d["header"]["sources"]) == 3, d
PY
expect_exit 0 "$RAQUET" db verify main.rqdb --pubkey keys/pub1.pub
expect_grep '^main.rqdb: trusted \(key [0-9a-f]{16}\)$' out
expect_exit 0 "$RAQUET" db list main.rqdb --trusted-keys trusted
expect_grep '^md5 +Cli.Md5.Hello  b1946ac92492d2347c6235b4d2611184 6$' out
expect_grep '^body +Cli.Body.Malware' out
expect_grep '^yara +Cli_Yara  native$' out

# scanning: the same detections as the text sources
"$RAQUET" scan --no-summary -d src files 2>/dev/null | sort > text.out
expect_exit 1 "$RAQUET" scan --no-summary --trusted-keys trusted -d main.rqdb files
sort out > db.out
diff text.out db.out > /dev/null || fail "detections differ: $(diff text.out db.out)"
expect_grep 'files/two: Cli.Body.Malware FOUND' db.out

# another key: verify fails, scan refuses
expect_exit 0 "$RAQUET" db keygen --out keys/other
expect_exit 1 "$RAQUET" db verify main.rqdb --pubkey keys/other.pub
expect_grep 'unknown key' err
expect_exit 2 "$RAQUET" scan --trusted-keys keys/none -d main.rqdb files
expect_grep 'main.rqdb: refused' err

# one flipped byte in the middle: refused everywhere
cp main.rqdb bad.rqdb
size=$(stat -c %s bad.rqdb)
python3 - bad.rqdb $((size / 2)) <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read()); b[off] ^= 0x20; open(p, 'wb').write(b)
PY
expect_exit 1 "$RAQUET" db verify bad.rqdb --pubkey keys/pub1.pub
expect_grep 'does not match its signed digest' err
expect_exit 2 "$RAQUET" scan --trusted-keys trusted -d bad.rqdb files
expect_grep 'bad.rqdb: refused: chunk 0' err

# unsigned: only when named with --allow-unsigned
expect_exit 0 "$RAQUET" db build --name local --version 1 -o local.rqdb src/a.hdb
expect_grep 'unsigned' err
expect_exit 2 "$RAQUET" scan --trusted-keys trusted -d local.rqdb files/one
expect_grep 'not signed' err
expect_exit 1 "$RAQUET" scan --allow-unsigned --trusted-keys trusted -d local.rqdb files/one
expect_grep 'Cli.Md5.Hello FOUND' out
mkdir localdir && mv local.rqdb localdir/
expect_exit 2 "$RAQUET" scan --allow-unsigned --trusted-keys trusted -d localdir files/one

# a group-writable database is refused
cp main.rqdb shared.rqdb && chmod 0664 shared.rqdb
expect_exit 2 "$RAQUET" scan --trusted-keys trusted -d shared.rqdb files
expect_grep 'writable by its owner only' err

# usage errors
expect_exit 2 "$RAQUET" db build --name main -o x.rqdb src
expect_exit 2 "$RAQUET" db frobnicate
expect_exit 1 "$RAQUET" db build --name 'bad name' --version 1 -o x.rqdb src
expect_grep "database name 'bad name'" err
finish
