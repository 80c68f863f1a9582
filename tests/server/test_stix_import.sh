#!/usr/bin/env bash
# STIX 2.1 bundle import over real HTTP and from the command line, on
# SQLite and PostgreSQL: a bundle of good, unsupported and malformed
# indicators imports the good ones (hashes, addresses, domain; OR patterns
# as several indicators; malware names through `indicates`; valid_from,
# valid_until, confidence) and counts the rest as skipped with reasons; a
# malformed bundle is refused with its JSON path and nothing imported;
# only administrators import; the import is audited.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"

mkdir -p "$WORK/t" && cd "$WORK/t" || exit 1
j() { python3 -c "import json,sys; b = json.load(open('body')); print(*[eval(e, {'b': b}) for e in sys.argv[1:]])" "$@"; }
upload() {
	curl -sS -o body -w '%{http_code}' -X POST -b "$WORK/$1.jar" -H "X-CSRF-Token: $(cat "$WORK/$1.csrf")" \
		-H 'Content-Type: application/json' --data-binary "@$3" "$BASE/api/v1/intel/imports?$2" > code
}
BUNDLE=$HERE/data/stix_bundle.json

run() {
	start_server
	unit_add "Sở A" A > /dev/null
	make_user root admin
	make_user officer officer A
	login_as root
	login_as officer

	upload officer 'kind=stix-bundle&name=b.json' "$BUNDLE"
	expect_code 403 "officer import: "
	# malformed bundles: refused whole, the JSON path named, nothing imported
	python3 -c "import json; b = json.load(open('$BUNDLE')); del b['objects'][3]['id']; json.dump(b, open('noid.json', 'w'))"
	upload root 'kind=stix-bundle&name=noid.json' noid.json
	expect_code 400 "object without id: "
	j "b['reason']" | grep -q 'noid.json: objects\[3\].id: missing' || fail "JSON path not named: $(cat body)"
	printf '{"type": "bundle", "objects": {}}' > notarray.json
	upload root 'kind=stix-bundle&name=notarray.json' notarray.json
	expect_code 400 "objects not an array: "
	j "b['reason']" | grep -q 'notarray.json: objects: missing or not an array' || fail "not-array: $(cat body)"
	printf '{"type": "report", "objects": []}' > notbundle.json
	upload root 'kind=stix-bundle&name=notbundle.json' notbundle.json
	expect_code 400 "not a bundle: "
	printf '{"type": "bundle", "objects": [' > cut.json
	upload root 'kind=stix-bundle&name=cut.json' cut.json
	expect_code 400 "cut JSON: "
	api root GET /api/v1/intel/indicators
	[ "$(j "b['total']")" = 0 ] || fail "a refused bundle imported something: $(cat body)"

	upload root 'kind=stix-bundle&name=b.json' "$BUNDLE"
	expect_code 201 "bundle import: "
	[ "$(j "b['indicators']" "b['created']" "b['objects']" "b['stix_indicators']" "b['skipped']")" = "5 5 12 8 6" ] ||
		fail "bundle result: $(cat body)"
	python3 - <<'PY' || fail "skip reasons: $(cat body)"
import json
b = json.load(open('body'))
r = {x['id'][-2:]: x['reason'] for x in b['skipped_reasons']}
want = {'04': "pattern_type 'sigma'", '05': "object type 'url'", '06': 'AND of comparisons',
        '07': "bad md5", '08': 'network range', '09': "ends before ']'"}
for k, w in want.items():
    assert w in r.get(k, ''), (k, r.get(k))
assert len(r) == 6, r
PY
	api root GET '/api/v1/intel/indicators?limit=50'
	python3 - <<'PY' || fail "indicators: $(cat body)"
import json
b = json.load(open('body'))
got = {(i['type'], i['value']): i for i in b['items']}
h = got[('sha256', '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f')]
assert h['name'] == 'Emotet' and h['confidence'] == 85, h      # the malware's name, the STIX confidence
assert h['expires_at'] == 1827619200 and h['first_seen'] == 1796083200, h
assert h['sources'] == ['CERT Đối tác'], h                      # the producing identity
assert got[('md5', '44d88612fea8a8f36de82e1278abb02f')]['name'] == 'Emotet'
for k in [('ipv4', '203.0.113.7'), ('ipv6', '2001:db8::1'), ('domain', 'evil.example.com')]:
    assert got[k]['name'] == 'C2' and got[k]['confidence'] == 50 and got[k]['expires_at'] is None, got[k]
assert len(got) == 5, got
PY
	api root GET /api/v1/intel/sources
	[ "$(j "[s['kind'] for s in b['items']]")" = "['stix']" ] || fail "source kind: $(cat body)"
	# again: updates, never duplicates
	upload root 'kind=stix-bundle&name=b.json&source=Partner' "$BUNDLE"
	[ "$(j "b['created']" "b['updated']")" = "0 5" ] || fail "re-import: $(cat body)"
	api root GET '/api/v1/audit?limit=100'
	grep -q '"stix-bundle"' body || fail "no audit entry of the stix import"

	"$SERVER" intel import --store "$STORE" --kind stix-bundle --path "$BUNDLE" --source CLI > cli.out 2>&1 ||
		fail "cli stix import: $(cat cli.out)"
	grep -q '12 objects read, 6 of 8 indicator objects skipped' cli.out || fail "cli stix: $(cat cli.out)"
	grep -q "skipped indicator--.*05: object type 'url'" cli.out || fail "cli reasons: $(cat cli.out)"
	"$SERVER" intel import --store "$STORE" --kind stix-bundle --path "$PWD/noid.json" > cli.out 2>&1 &&
		fail "cli malformed bundle accepted"
	grep -q 'objects\[3\].id' cli.out || fail "cli malformed: $(cat cli.out)"
}

for_each_store run
finish
