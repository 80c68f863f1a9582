#!/usr/bin/env bash
# STIX 2.1 bundle import over real HTTP and from the command line, on
# SQLite and PostgreSQL: a bundle of good, unsupported and malformed
# indicators imports the good ones (hashes, addresses, domain; OR patterns
# as several indicators; malware names through `indicates`; valid_from,
# valid_until, confidence) and counts the rest as skipped with reasons; a
# malformed bundle is refused with its JSON path and nothing imported;
# only administrators import; the import is audited. TAXII 2.1: an
# administrator's token POSTs an envelope to the collection (202, a status
# with successes and failures and their reasons, kept for GET status/);
# a viewer's token gets can_write false and 403; a wrong media type 415;
# a malformed envelope 400 with nothing imported.
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
TAXII_MEDIA='application/taxii+json;version=2.1'
# taxii TOKEN PATH [CURL ARGS...]: a TAXII request with Basic credentials -> code, body
taxii() {
	local tok=$1 path=$2
	shift 2
	curl -sS -o body -w '%{http_code}' -u "partner:$tok" -H "Accept: $TAXII_MEDIA" "$@" "$BASE$path" > code
}
token_of() {
	api "$1" POST /api/v1/api-tokens '{"name":"taxii"}'
	expect_code 201 "$1 makes an API token: "
	json '["token"]'
}

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

	# TAXII: the same objects POSTed to the collection
	make_user watcher viewer
	login_as watcher
	local adm view coll status
	adm=$(token_of root)
	view=$(token_of watcher)
	taxii "$view" /taxii2/raquet/collections/
	expect_code 200 "viewer collections: "
	coll=$(json '["collections"][0]["id"]')
	[ "$(j "b['collections'][0]['can_write']")" = False ] || fail "viewer can_write: $(cat body)"
	taxii "$adm" "/taxii2/raquet/collections/$coll/"
	[ "$(j "b['can_write']")" = True ] || fail "admin can_write: $(cat body)"
	python3 -c "import json; b = json.load(open('$BUNDLE')); json.dump({'objects': b['objects']}, open('env.json', 'w'))"
	python3 -c "import json; b = json.load(open('noid.json')); json.dump({'objects': b['objects']}, open('badenv.json', 'w'))"
	taxii "$view" "/taxii2/raquet/collections/$coll/objects/" -X POST -H "Content-Type: $TAXII_MEDIA" --data-binary @env.json
	expect_code 403 "viewer POST: "
	taxii "$adm" "/taxii2/raquet/collections/$coll/objects/" -X POST -H "Content-Type: application/json" --data-binary @env.json
	expect_code 415 "POST as application/json: "
	taxii "$adm" "/taxii2/raquet/collections/$coll/objects/" -X POST -H "Content-Type: $TAXII_MEDIA" --data-binary @badenv.json
	expect_code 400 "malformed envelope: "
	grep -q 'objects\[3\].id' body || fail "malformed envelope, no JSON path: $(cat body)"
	api root GET '/api/v1/intel/indicators?type=ipv6'
	local v6
	v6=$(j "b['items'][0]['id']")
	api root DELETE "/api/v1/intel/indicators/$v6"
	expect_code 204 "delete the ipv6 indicator: "
	taxii "$adm" "/taxii2/raquet/collections/$coll/objects/" -X POST -H "Content-Type: $TAXII_MEDIA" --data-binary @env.json
	expect_code 202 "POST objects: "
	cp body status.json
	status=$(j "b['id']")
	python3 - <<'PY' || fail "status: $(cat status.json)"
import json
b = json.load(open('status.json'))
assert b['status'] == 'complete' and b['pending_count'] == 0, b
assert (b['total_count'], b['success_count'], b['failure_count']) == (12, 5, 7), b
ok = {x['id'][-2:] for x in b['successes']}
assert ok == {'aa', '02', '03', '0a', '0b'}, ok
bad = {x['id'][-2:]: x['message'] for x in b['failures']}
assert "pattern_type 'sigma'" in bad['04'] and "object type 'attack-pattern'" in bad['0c'], bad
PY
	taxii "$view" "/taxii2/raquet/status/$status/"
	expect_code 200 "GET status: "
	cmp -s <(python3 -m json.tool --sort-keys body) <(python3 -m json.tool --sort-keys status.json) ||
		fail "the kept status differs: $(cat body)"
	taxii "$view" "/taxii2/raquet/status/00000000-0000-4000-8000-000000000000/"
	expect_code 404 "unknown status: "
	api root GET '/api/v1/intel/indicators?type=ipv6'
	[ "$(j "b['total']" "b['items'][0]['sources']")" = "1 ['CERT Đối tác']" ] || fail "TAXII import: $(cat body)"

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
