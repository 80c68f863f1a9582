#!/usr/bin/env bash
# The threat-intelligence routes over real HTTP, on SQLite and PostgreSQL:
# imports (an IOC list, a MISP event, YARA rules, a MISP feed folder) by an
# administrator only, bad files refused whole with their lines or JSON path
# named and nothing imported, bodies over the limit refused, the paged and
# filtered list, sources, the allow-list and its removal, deletion, the
# audit log, the publish status, the import's expiry (expires_days,
# expires_at, expired in the list), and `raquet-server intel import` from a
# folder (the USB-key case) and from a local HTTPS server.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"

mkdir -p "$WORK/t" && cd "$WORK/t" || exit 1
# j EXPR...: the values of several python expressions on the last body, space-separated
j() { python3 -c "import json,sys; b = json.load(open('body')); print(*[eval(e, {'b': b}) for e in sys.argv[1:]])" "$@"; }
SHA=275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f
# upload AS QUERY FILE: POST /api/v1/intel/imports?QUERY with FILE as the body
upload() {
	curl -sS -o body -w '%{http_code}' -X POST -b "$WORK/$1.jar" -H "X-CSRF-Token: $(cat "$WORK/$1.csrf")" \
		-H 'Content-Type: application/octet-stream' --data-binary "@$3" "$BASE/api/v1/intel/imports?$2" > code
}

run() {
	printf '[server]\nbody_limit = 64K\n' > "$WORK/server.conf"
	start_server --config "$WORK/server.conf"
	unit_add "Sở A" A > /dev/null
	make_user root admin
	make_user officer officer A
	login_as root
	login_as officer

	api - GET /api/v1/intel/indicators
	expect_code 401 "anonymous list: "
	printf '%s;Emotet dropper\n203.0.113.7 C2\n# comment\nevil[.]example[.]com\n' "$SHA" > list.txt
	upload officer 'kind=ioc-list&name=list.txt' list.txt
	expect_code 403 "officer import: "
	upload root 'kind=ioc-list&name=list.txt&source=bulletin%2017' list.txt
	expect_code 201 "import: "
	[ "$(j "b['indicators']" "b['created']")" = "3 3" ] || fail "import result: $(cat body)"
	upload root 'kind=ioc-list&name=list.txt&source=bulletin%2017' list.txt
	[ "$(j "b['created']" "b['updated']")" = "0 3" ] || fail "re-import: $(cat body)"

	printf '44d88612fea8a8f36de82e1278abb02f\nnot-a-hash!\n10.0.0.1\n300.0.0.1\n' > bad.txt
	upload root 'kind=ioc-list&name=bad.txt' bad.txt
	expect_code 400 "bad list: "
	j "b['reason']" | grep -q 'bad.txt:2: .*2 bad lines: 2, 4' || fail "bad lines not numbered: $(cat body)"
	upload root 'kind=nope' list.txt
	expect_code 400 "unknown kind: "
	upload root 'kind=ioc-list&confidence=101' list.txt
	expect_code 400 "confidence 101: "
	head -c 70000 /dev/zero | tr '\0' 'a' > big.txt
	upload root 'kind=ioc-list&name=big.txt' big.txt
	[ "$(cat code)" = 413 ] || fail "a body over body_limit: $(cat code)"

	cat > event.json <<'JSON'
{"Event": {"uuid": "5c1b6a4e-3333-4000-8000-000000000001", "info": "Chiến dịch phishing", "threat_level_id": "2",
 "Attribute": [{"type": "sha256", "value": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "to_ids": true},
  {"type": "hostname", "value": "c2.example.org", "to_ids": true}, {"type": "md5", "value": "zz", "to_ids": false}]}}
JSON
	upload root 'kind=misp-event&name=event.json&expires_days=7' event.json
	expect_code 201 "misp event: "
	[ "$(j "b['indicators']" "b['created']")" = "2 1" ] || fail "misp import: $(cat body)"
	api root GET '/api/v1/intel/indicators?q=c2.example.org'
	[ "$(j "abs(b['items'][0]['expires_at'] - $(date +%s) - 7 * 86400) < 60" "b['items'][0]['expired']")" = "True False" ] ||
		fail "expires_days=7: $(cat body)"
	# expiry: bad values refused, nothing imported; an expiry that passes shows as expired
	for q in 'expires_days=0' 'expires_days=3651' "expires_at=$(($(date +%s) - 10))" "expires_at=$(($(date +%s) + 100))&expires_days=1"; do
		upload root "kind=ioc-list&name=list.txt&$q" list.txt
		expect_code 400 "$q: "
	done
	upload root "kind=ioc-list&name=list.txt&source=bulletin%2017&expires_at=$(($(date +%s) + 2))" list.txt
	expect_code 201 "import expiring in 2 s: "
	sleep 3
	api root GET '/api/v1/intel/indicators?expired=true'
	[ "$(j "b['total']" "all(i['expired'] for i in b['items'])")" = "3 True" ] || fail "expired=true: $(cat body)"
	api root GET '/api/v1/intel/indicators?expired=false'
	[ "$(j "b['total']")" = 1 ] || fail "expired=false: $(cat body)"
	upload root 'kind=ioc-list&name=list.txt&source=bulletin%2017' list.txt
	expect_code 201 "re-import without expiry: "
	api root GET '/api/v1/intel/indicators?expired=true'
	[ "$(j "b['total']")" = 0 ] || fail "a re-import without expiry did not revive the list: $(cat body)"
	sed 's/"to_ids": false/"to_ids": true/' event.json > bad-event.json
	upload root 'kind=misp-event&name=bad-event.json' bad-event.json
	expect_code 400 "bad misp event: "
	j "b['reason']" | grep -q 'Event.Attribute\[2\].value' || fail "JSON path not named: $(cat body)"

	printf 'rule Dept_Rule { strings: $a = "dept marker" condition: $a }\n' > dept.yar
	upload root 'kind=yara&name=dept.yar' dept.yar
	expect_code 201 "yara: "
	printf 'rule Broken { condition: $nothing }\n' > broken.yar
	upload root 'kind=yara&name=broken.yar' broken.yar
	expect_code 400 "broken yara: "

	api officer GET '/api/v1/intel/indicators?limit=2'
	expect_code 200 "officer list: "
	[ "$(j "b['total']" "len(b['items'])")" = "5 2" ] || fail "list page: $(cat body)"
	api root GET '/api/v1/intel/indicators?type=sha256'
	[ "$(j "b['total']" "','.join(b['items'][0]['sources'])")" = "1 bulletin 17,event.json" ] || fail "by type: $(cat body)"
	api root GET '/api/v1/intel/indicators?source=bulletin%2017&q=EMOTET'
	[ "$(json "['total']")" = 1 ] || fail "by source and q: $(cat body)"
	api root GET '/api/v1/intel/indicators?type=url'
	expect_code 400 "bad type: "
	api root GET /api/v1/intel/sources
	expect_code 200
	j "[i['name'] for i in b['items']]" | grep -q "bulletin 17" || fail "sources: $(cat body)"

	api officer POST /api/v1/intel/allowlist "{\"sha256\":\"$SHA\"}"
	expect_code 403 "officer allow-list: "
	api root POST /api/v1/intel/allowlist '{"sha256":"abc"}'
	expect_code 400 "bad hash: "
	api root POST /api/v1/intel/allowlist "{\"sha256\":\"$SHA\",\"md5\":\"44d88612fea8a8f36de82e1278abb02f\"}"
	expect_code 400 "two hashes: "
	api root POST /api/v1/intel/allowlist "{\"sha256\":\"${SHA^^}\",\"name\":\"phần mềm kế toán\"}"
	expect_code 201 "allow-list: "
	AID=$(json "['id']")
	api root GET '/api/v1/intel/indicators?allowlisted=true'
	[ "$(j "b['total']" "b['items'][0]['value']")" = "1 $SHA" ] || fail "allow-listed: $(cat body)"
	api root DELETE "/api/v1/intel/allowlist/$AID"
	expect_code 204 "un-allow-list: "
	api root DELETE "/api/v1/intel/allowlist/$AID"
	expect_code 404 "un-allow-list twice: "
	api officer DELETE "/api/v1/intel/indicators/$AID"
	expect_code 403 "officer delete: "
	api root DELETE "/api/v1/intel/indicators/$AID"
	expect_code 204 "delete: "
	api root DELETE "/api/v1/intel/indicators/$AID"
	expect_code 404 "delete twice: "

	api root GET /api/v1/intel/status
	[ "$(j "b['publishing']" "b['pending']" "b['generation'] > 0")" = "False True True" ] || fail "status: $(cat body)"
	api root GET '/api/v1/audit?limit=100'
	for a in intel.import intel.allowlist intel.unallowlist intel.delete; do
		grep -q "\"$a\"" body || fail "no audit entry $a"
	done

	# the USB-key case: a feed folder, imported from the command line, twice
	mkdir -p usb/feed
	cp event.json usb/feed/5c1b6a4e-3333-4000-8000-000000000001.json
	printf '{"5c1b6a4e-3333-4000-8000-000000000001": {"timestamp": "1700000000"}}' > usb/feed/manifest.json
	"$SERVER" intel import --store "$STORE" --kind misp-feed --path "$PWD/usb/feed" > cli.out 2>&1 ||
		fail "cli feed import: $(cat cli.out)"
	grep -q '1 events read, 0 unchanged' cli.out || fail "cli feed: $(cat cli.out)"
	"$SERVER" intel import --store "$STORE" --kind misp-feed --path "$PWD/usb/feed" > cli.out 2>&1
	grep -q '0 events read, 1 unchanged and skipped' cli.out || fail "cli feed again: $(cat cli.out)"
	"$SERVER" intel import --store "$STORE" --kind ioc-list --path "$PWD/bad.txt" > cli.out 2>&1 &&
		fail "cli bad list accepted"
	grep -q 'bad.txt:2:' cli.out || fail "cli bad list: $(cat cli.out)"
	"$SERVER" intel import --store "$STORE" --kind ioc-list > cli.out 2>&1
	[ $? = 2 ] || fail "cli without --path: not a usage error"
	"$SERVER" intel import --store "$STORE" --kind ioc-list --path "$PWD/list.txt" --expires-days 0 > cli.out 2>&1
	[ $? = 2 ] || fail "cli --expires-days 0: not a usage error: $(cat cli.out)"
	"$SERVER" intel import --store "$STORE" --kind ioc-list --path "$PWD/list.txt" --source "bulletin 17" \
		--expires-days 2 > cli.out 2>&1 || fail "cli --expires-days 2: $(cat cli.out)"
	api root GET '/api/v1/intel/indicators?q=203.0.113.7'
	[ "$(j "abs(b['items'][0]['expires_at'] - $(date +%s) - 2 * 86400) < 60")" = True ] || fail "cli --expires-days 2: $(cat body)"

	# the same feed over HTTPS, verified against a private CA; a second event added
	rm -rf tls && "$SERVER" tls-init --dir "$PWD/tls" --host 127.0.0.1 > /dev/null 2>&1 || fail "tls-init"
	sed 's/5c1b6a4e-3333-4000-8000-000000000001/5c1b6a4e-3333-4000-8000-000000000002/; s/c2.example.org/c3.example.org/' \
		event.json > usb/feed/5c1b6a4e-3333-4000-8000-000000000002.json
	printf '{"5c1b6a4e-3333-4000-8000-000000000001": {"timestamp": "1700000000"}, "5c1b6a4e-3333-4000-8000-000000000002": {}}' \
		> usb/feed/manifest.json
	cat > https.py <<'PY'
import http.server, ssl, sys, os
srv = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
os.chdir(sys.argv[1])
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
	python3 https.py "$PWD/usb" tls/server.crt tls/server.key > https.port 2> https.log &
	local hpid=$! hport=
	for _ in $(seq 100); do hport=$(cat https.port); [ -n "$hport" ] && break; sleep 0.05; done
	"$SERVER" intel import --store "$STORE" --kind misp-feed --path "https://127.0.0.1:$hport/feed/" \
		--source "$PWD/usb/feed" --ca-file tls/ca.crt > cli.out 2>&1 || fail "https feed: $(cat cli.out)"
	grep -q '1 events read, 1 unchanged' cli.out || fail "https feed incremental: $(cat cli.out)"
	"$SERVER" intel import --store "$STORE" --kind misp-feed --path "https://127.0.0.1:$hport/feed/" \
		--source other > cli.out 2>&1 && fail "an https feed of an unknown CA accepted"
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
}

for_each_store run
finish
