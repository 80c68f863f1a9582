#!/usr/bin/env bash
# Sharing what the province saw (docs/sharing.md), on SQLite and
# PostgreSQL: machines of two units report detections and connections
# through the real agent API; the STIX 2.1 bundle download is validated
# with ajv against tests/sharing/stix21.schema.json and checked against
# what was reported (indicators, malware, sightings with counts, nothing
# private: no host name, path, our own addresses, false positives); two
# exports give the same ids; the MISP event has its required fields; the
# TAXII 2.1 server answers discovery, API root, collections, objects paged
# one by one to the end (each object exactly once), added_after,
# match[type], the manifest (date_added stable across requests and kept
# when new objects arrive), one object, 406 on a wrong Accept, 401 with
# WWW-Authenticate without credentials, 403 to an officer's token and to a
# POST, 404 for an unknown status or collection. With [sharing]
# unit_identities and file_names on, sightings are per unit and MISP has
# filename|sha256. Skipped (77) without node (scripts/install-deps.sh --test).
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$HERE/../sharing
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
source "$HERE/fleet_lib.sh"
mkdir -p "$WORK/run" && cd "$WORK/run"
command -v node > /dev/null || { echo "SKIP: node is not installed (scripts/install-deps.sh --test)"; exit 77; }
if [ ! -d "$TOOLS/node_modules/ajv" ]; then
	(cd "$TOOLS" && npm ci --no-audit --no-fund > "$WORK/npm.log" 2>&1) ||
		{ echo "SKIP: npm ci in tests/sharing failed: $(tail -3 "$WORK/npm.log")"; exit 77; }
fi
AGENCY="Sở Thông tin và Truyền thông tỉnh Thử"
SHA_X=$(printf 'x%.0s' {1..64} | sha256sum | cut -d' ' -f1)
MD5_X=$(printf 'x' | md5sum | cut -d' ' -f1)
SHA_Y=$(printf 'y' | sha256sum | cut -d' ' -f1)
SHA_Z=$(printf 'z' | sha256sum | cut -d' ' -f1)
SHA_W=$(printf 'w' | sha256sum | cut -d' ' -f1)

validate() { # bundle|objects FILE
	node "$TOOLS/validate.mjs" "$1" "$2" > validate.out 2>&1 || fail "STIX validation of $2: $(head -c 3000 validate.out)"
}

# taxii AS PATH [--accept TYPE] [CURL ARGS...]: GET with Accept TAXII 2.1 (or TYPE) -> code, body, headers
taxii() {
	local as=$1 path=$2 accept='application/taxii+json;version=2.1'
	shift 2
	[ "${1:-}" = --accept ] && { accept=$2; shift 2; }
	local auth=()
	case $as in
	-) ;;
	basic:*) auth=(-u "partner:${as#basic:}") ;;
	bearer:*) auth=(-H "Authorization: Bearer ${as#bearer:}") ;;
	esac
	curl -sS -o body -D headers -w '%{http_code}' "${auth[@]}" -H "Accept: $accept" \
		"$@" "$BASE$path" > code 2> curl.err
}

header() { sed -n "s/^$1: *\\(.*\\)\\r\$/\\1/Ip" headers | head -1; }

event() { # UUID_N KIND TIME PAYLOAD
	printf '{"uuid":"00000000-0000-4000-8000-%012d","kind":"%s","time":%s,"payload":%s}' "$1" "$2" "$3" "$4"
}

# the data: alpha (unit A) and bravo (unit B) saw file X; alpha file Y too and
# a false positive Z (ignored); connections to a public address, a domain
# and a private address
report_data() {
	local now=$1
	enroll "$TOK_A" alpha
	ALPHA=$EP_CRED
	enroll "$TOK_B" bravo
	BRAVO=$EP_CRED
	agent_post "$ALPHA" /events "{\"events\":[$(event 1 detection $((now - 7200)) "{\"path\":\"/home/nguyen/Downloads/invoice.exe\",\"sha256\":\"$SHA_X\",\"md5\":\"$MD5_X\",\"name\":\"Win.Trojan.Agent-1\",\"type\":\"sha256\",\"state\":\"quarantined\"}"),$(event 2 detection $((now - 3600)) "{\"path\":\"/home/nguyen/y.com\",\"sha256\":\"$SHA_Y\",\"name\":\"Eicar-Test-Signature\",\"type\":\"body\",\"state\":\"active\"}"),$(event 3 detection $((now - 3600)) "{\"path\":\"/home/nguyen/z.dll\",\"sha256\":\"$SHA_Z\",\"name\":\"Win.Ransomware.Fake-2\",\"type\":\"sha256\",\"state\":\"ignored\"}"),$(event 4 connection $((now - 600)) '{"remote":"203.0.113.9","remote_port":443,"remote_host":"c2.evil-example.net","exe":"/usr/bin/evil","pid":7,"indicator":"203.0.113.9","action":"reported"}'),$(event 5 connection $((now - 500)) '{"remote":"10.20.30.40","remote_port":80,"exe":"/usr/bin/evil","pid":7,"indicator":"10.20.30.40","action":"reported"}')]}"
	expect_code 200 "alpha's events: "
	agent_post "$BRAVO" /events "{\"events\":[$(event 6 detection $((now - 1800)) "{\"path\":\"C:\\\\Users\\\\tran\\\\invoice.exe\",\"sha256\":\"$SHA_X\",\"md5\":\"$MD5_X\",\"name\":\"Win.Trojan.Agent-1\",\"type\":\"sha256\",\"state\":\"removed\"}"),$(event 7 connection $((now - 300)) '{"remote":"203.0.113.9","remote_port":443,"exe":"C:\\evil.exe","pid":9,"indicator":"203.0.113.9","action":"blocked"}')]}"
	expect_code 200 "bravo's events: "
}

# a logged-in user's own API token
token_of() {
	api "$1" POST /api/v1/api-tokens '{"name":"taxii partner"}'
	expect_code 201 "$1 makes an API token: "
	json '["token"]'
}

check_bundle() { # FILE: the content against what was reported
	python3 - "$1" "$SHA_X" "$MD5_X" "$SHA_Y" "$SHA_Z" "$AGENCY" > check.out 2>&1 <<'PY' || fail "bundle content: $(cat check.out)"
import json, sys
path, sx, mx, sy, sz, agency = sys.argv[1:]
text = open(path, encoding="utf-8").read()
b = json.loads(text)
objs = b["objects"]
by = {}
for o in objs:
    by.setdefault(o["type"], []).append(o)
errors = []
def want(what, got, exp):
    if got != exp:
        errors.append(f"{what}: {got!r}, want {exp!r}")
ids = {o["id"]: o for o in objs}
want("identities", [i["name"] for i in by.get("identity", [])], [agency])
patterns = sorted(i["pattern"] for i in by["indicator"])
want("patterns", patterns, sorted([
    f"[file:hashes.'SHA-256' = '{sx}' OR file:hashes.MD5 = '{mx}']",
    f"[file:hashes.'SHA-256' = '{sy}']",
    "[ipv4-addr:value = '203.0.113.9']",
    "[domain-name:value = 'c2.evil-example.net']"]))
want("malware", sorted((m["name"], m["malware_types"][0], m["is_family"]) for m in by["malware"]),
     [("Eicar-Test-Signature", "unknown", False), ("Win.Trojan.Agent-1", "trojan", False)])
rels = sorted((ids[r["source_ref"]]["pattern"][:30], ids[r["target_ref"]]["name"]) for r in by["relationship"])
want("relationships", rels, sorted([(f"[file:hashes.'SHA-256' = '{sx}'"[:30], "Win.Trojan.Agent-1"),
                                    (f"[file:hashes.'SHA-256' = '{sy}'"[:30], "Eicar-Test-Signature")]))
counts = {}
for s in by["sighting"]:
    counts[ids[s["sighting_of_ref"]]["pattern"]] = s["count"]
    want("where sighted", [ids[w]["type"] for w in s["where_sighted_refs"]], ["identity"])
    if not s["first_seen"] <= s["last_seen"]:
        errors.append(f"sighting {s['id']}: first_seen after last_seen")
want("sighting counts", sorted(counts.values()), [1, 1, 2, 2])
want("count of X", counts[f"[file:hashes.'SHA-256' = '{sx}' OR file:hashes.MD5 = '{mx}']"], 2)
want("count of the address", counts["[ipv4-addr:value = '203.0.113.9']"], 2)
for o in objs:
    if o["id"] != by["identity"][0]["id"] and o.get("created_by_ref") != by["identity"][0]["id"]:
        errors.append(f"{o['id']}: not created by the province")
for secret in ("alpha", "bravo", "nguyen", "tran", "invoice", "10.20.30.40", sz, "/usr/bin", "evil.exe"):
    if secret in text:
        errors.append(f"the bundle names {secret!r}")
if errors:
    print("\n".join(errors)); sys.exit(1)
PY
}

run_default() {
	printf '[report]\nagency = %s\n' "$AGENCY" > sharing.conf
	"$SERVER" unit add --store "$STORE" --name "Tỉnh" --code P > /dev/null || fail "unit P"
	"$SERVER" unit add --store "$STORE" --name "Sở Y tế" --code A --parent P > /dev/null || fail "unit A"
	"$SERVER" unit add --store "$STORE" --name "Huyện B" --code B --parent P > /dev/null || fail "unit B"
	TOK_A=$("$SERVER" token create --store "$STORE" --unit A --uses 5 --days 1 2> /dev/null)
	TOK_B=$("$SERVER" token create --store "$STORE" --unit B --uses 5 --days 1 2> /dev/null)
	make_user root admin
	make_user watcher viewer
	make_user off_a officer A
	start_server --config sharing.conf
	for u in root watcher off_a; do login_as "$u"; done
	local now
	now=$(date +%s)
	report_data "$now"
	VIEW=$(token_of watcher)
	OFFICER=$(token_of off_a)

	# --- the STIX bundle download ---
	api - GET "/api/v1/sharing/stix?from=$((now - 86400))&to=$((now + 60))"
	expect_code 401 "stix without credentials: "
	api "token:$OFFICER" GET "/api/v1/sharing/stix?from=$((now - 86400))&to=$((now + 60))"
	expect_code 403 "an officer's stix: "
	api "token:$VIEW" GET "/api/v1/sharing/stix?from=$((now + 60))&to=0"
	expect_code 400 "from after to: "
	api "token:$VIEW" GET "/api/v1/sharing/stix?from=x"
	expect_code 400 "a malformed from: "
	api "token:$VIEW" GET "/api/v1/sharing/stix?from=$((now - 86400))&to=$((now + 60))"
	expect_code 200 "a viewer's stix: "
	cp body bundle1.json
	validate bundle bundle1.json
	check_bundle bundle1.json
	api root GET "/api/v1/sharing/stix?from=$((now - 86400))&to=$((now + 60))"
	expect_code 200 "the admin's stix: "
	cmp -s body bundle1.json || fail "two exports of the same period differ: $(diff <(python3 -m json.tool bundle1.json) <(python3 -m json.tool body) | head -20)"
	# a period before everything: the identity alone
	api root GET "/api/v1/sharing/stix?from=1000&to=2000"
	expect_code 200 "an empty period: "
	[ "$(json '[o["type"] for o in body["objects"]]' 2>/dev/null || python3 -c "import json;print([o['type'] for o in json.load(open('body'))['objects']])")" = "['identity']" ] ||
		fail "an empty period's bundle: $(head -c 500 body)"
	# a period holding only Y's detection and the connections: X's sighting counts only bravo's
	api root GET "/api/v1/sharing/stix?from=$((now - 1900))&to=$((now + 60))"
	expect_code 200 "a recent period: "
	python3 - "$SHA_X" > period.out 2>&1 <<'PY' || fail "the recent period: $(cat period.out)"
import json, sys
b = json.load(open("body"))
ids = {o["id"]: o for o in b["objects"]}
counts = [s["count"] for s in b["objects"] if s["type"] == "sighting" and sys.argv[1] in ids[s["sighting_of_ref"]]["pattern"]]
assert counts == [1], counts
PY

	# --- the MISP event ---
	api "token:$OFFICER" GET "/api/v1/sharing/misp?from=$((now - 86400))&to=$((now + 60))"
	expect_code 403 "an officer's misp: "
	api "token:$VIEW" GET "/api/v1/sharing/misp?from=$((now - 86400))&to=$((now + 60))"
	expect_code 200 "misp: "
	python3 - "$SHA_X" "$MD5_X" "$SHA_Y" "$AGENCY" > misp.out 2>&1 <<'PY' || fail "the MISP event: $(cat misp.out)"
import json, re, sys
sx, mx, sy, agency = sys.argv[1:]
text = open("body", encoding="utf-8").read()
e = json.loads(text)["Event"]
for k in ("uuid", "info", "date", "threat_level_id", "analysis", "distribution", "Attribute", "Orgc"):
    assert k in e, f"no {k}"
assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", e["uuid"]), e["uuid"]
assert re.fullmatch(r"\d{4}-\d\d-\d\d", e["date"]), e["date"]
assert e["threat_level_id"] in ("1", "2", "3", "4") and e["analysis"] in ("0", "1", "2") and e["distribution"] in ("0", "1", "2", "3", "4")
assert e["Orgc"]["name"] == agency
got = sorted((a["type"], a["value"], a["category"], a["to_ids"]) for a in e["Attribute"])
want = sorted([("sha256", sx, "Payload delivery", True), ("md5", mx, "Payload delivery", True),
               ("sha256", sy, "Payload delivery", True), ("ip-dst", "203.0.113.9", "Network activity", True),
               ("domain", "c2.evil-example.net", "Network activity", True)])
assert got == want, got
assert len({a["uuid"] for a in e["Attribute"]}) == len(e["Attribute"])
for secret in ("alpha", "nguyen", "invoice", "10.20.30.40", "filename"):
    assert secret not in text, secret
PY

	# --- TAXII 2.1 ---
	taxii - /taxii2/
	expect_code 401 "TAXII discovery without credentials: "
	[ -n "$(header WWW-Authenticate)" ] || fail "a 401 without WWW-Authenticate: $(cat headers)"
	grep -q '"http_status"' body || fail "the 401 is not a TAXII error: $(cat body)"
	taxii basic:rqt_not-a-real-token /taxii2/
	expect_code 401 "a wrong token: "
	taxii "basic:$OFFICER" /taxii2/
	expect_code 403 "an officer's token: "
	taxii "basic:$VIEW" /taxii2/ --accept application/json
	expect_code 406 "Accept application/json: "
	taxii "basic:$VIEW" /taxii2/ --accept 'application/taxii+json;version=2.0'
	expect_code 406 "Accept TAXII 2.0: "
	taxii "basic:$VIEW" /taxii2/
	expect_code 200 "discovery: "
	case "$(header Content-Type)" in "application/taxii+json;version=2.1") ;; *) fail "discovery's media type: $(header Content-Type)" ;; esac
	local root
	root=$(json '["api_roots"][0]')
	[ "$root" = "$BASE/taxii2/raquet/" ] || fail "api root $root"
	taxii "bearer:$VIEW" /taxii2/raquet/
	expect_code 200 "the API root (Bearer): "
	[ "$(json '["versions"]')" = "['application/taxii+json;version=2.1']" ] || fail "versions: $(cat body)"
	taxii "basic:$VIEW" /taxii2/nope/
	expect_code 404 "an unknown API root: "
	taxii "basic:$VIEW" /taxii2/raquet/collections/
	expect_code 200 "collections: "
	local coll
	coll=$(json '["collections"][0]["id"]')
	[ "$(json '["collections"][0]["can_read"], body["collections"][0]["can_write"]' 2>/dev/null || python3 -c "import json;c=json.load(open('body'))['collections'][0];print(c['can_read'],c['can_write'])")" = "True False" ] ||
		fail "collection flags: $(cat body)"
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/"
	expect_code 200 "the collection: "
	taxii "basic:$VIEW" "/taxii2/raquet/collections/00000000-0000-4000-8000-000000000000/objects/"
	expect_code 404 "an unknown collection: "
	taxii "basic:$VIEW" "/taxii2/raquet/status/00000000-0000-4000-8000-000000000000/"
	expect_code 404 "an unknown status: "
	grep -q '"http_status": *"404"' body || fail "the 404 is not a TAXII error: $(cat body)"
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/" -X POST -H 'Content-Type: application/taxii+json;version=2.1' --data-binary '{"objects":[]}'
	expect_code 403 "POST objects: "

	# all objects at once, then one by one following next
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/"
	expect_code 200 "objects: "
	cp body all.json
	python3 -c "import json; json.dump(json.load(open('all.json'))['objects'], open('all-objects.json', 'w'))"
	validate objects all-objects.json
	local total pages=0 next="" url
	total=$(python3 -c "import json; print(len(json.load(open('all.json'))['objects']))")
	[ "$total" -ge 10 ] || fail "only $total objects in the collection"
	: > paged.ids
	while :; do
		url="/taxii2/raquet/collections/$coll/objects/?limit=1${next:+&next=$next}"
		taxii "basic:$VIEW" "$url"
		expect_code 200 "page $pages: "
		[ -n "$(header X-TAXII-Date-Added-First)" ] && [ -n "$(header X-TAXII-Date-Added-Last)" ] ||
			fail "page $pages without X-TAXII-Date-Added headers"
		python3 -c "import json; b=json.load(open('body')); assert len(b['objects']) == 1; print(b['objects'][0]['id'])" >> paged.ids ||
			{ fail "page $pages: $(head -c 300 body)"; break; }
		pages=$((pages + 1))
		[ "$pages" -le $((total + 2)) ] || { fail "paging does not end"; break; }
		[ "$(json '["more"]')" = True ] || break
		next=$(python3 -c "import json,urllib.parse; print(urllib.parse.quote(json.load(open('body'))['next']))")
	done
	[ "$pages" = "$total" ] || fail "$pages pages of one object, want $total"
	[ "$(sort paged.ids | uniq -d | wc -l)" = 0 ] || fail "objects paged twice: $(sort paged.ids | uniq -d)"
	[ "$(python3 -c "import json; print('\n'.join(sorted(o['id'] for o in json.load(open('all.json'))['objects'])))")" = "$(sort paged.ids)" ] ||
		fail "the pages do not hold the collection"
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/?limit=0"
	expect_code 400 "limit 0: "
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/?next=garbage"
	expect_code 400 "a forged next: "
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/?match%5Btype%5D=indicator,malware"
	expect_code 200 "match[type]: "
	[ "$(json '[sorted({o["type"] for o in body["objects"]})]' 2>/dev/null || python3 -c "import json;print(sorted({o['type'] for o in json.load(open('body'))['objects']}))")" = "['indicator', 'malware']" ] ||
		fail "match[type]: $(head -c 300 body)"
	local one
	one=$(python3 -c "import json; print([o['id'] for o in json.load(open('all.json'))['objects'] if o['type'] == 'sighting'][0])")
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/$one/"
	expect_code 200 "one object: "
	[ "$(python3 -c "import json; print([o['id'] for o in json.load(open('body'))['objects']])")" = "['$one']" ] || fail "one object: $(head -c 300 body)"
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/$one/versions/"
	expect_code 200 "its versions: "
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/indicator--00000000-0000-4000-8000-000000000000/"
	expect_code 404 "an unknown object: "

	# the manifest: date_added stable from one request to the next
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/manifest/"
	expect_code 200 "manifest: "
	cp body manifest1.json
	sleep 1.1
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/manifest/"
	cmp -s body manifest1.json || fail "the manifest changed without new data: $(diff manifest1.json body | head)"
	local last_added
	last_added=$(python3 -c "import json; print(max(o['date_added'] for o in json.load(open('manifest1.json'))['objects']))")
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/?added_after=$last_added"
	expect_code 200 "added_after the last: "
	[ "$(json '.get("objects", [])')" = "[]" ] || fail "objects added after the last one: $(head -c 300 body)"
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/?added_after=yesterday"
	expect_code 400 "a malformed added_after: "

	# new data: only the new and changed objects come after it; the others keep their date_added
	agent_post "$BRAVO" /events "{\"events\":[$(event 8 detection "$now" "{\"path\":\"/tmp/w\",\"sha256\":\"$SHA_W\",\"name\":\"Unix.Worm.Test-3\",\"type\":\"sha256\",\"state\":\"active\"}")]}"
	expect_code 200 "a new detection: "
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/objects/?added_after=$last_added"
	expect_code 200 "added_after, with news: "
	python3 - "$SHA_W" > news.out 2>&1 <<'PY' || fail "the news: $(cat news.out)"
import json, sys
objs = json.load(open("body"))["objects"]
kinds = sorted(o["type"] for o in objs)
assert kinds == ["indicator", "malware", "relationship", "sighting"], kinds
assert sys.argv[1] in [o for o in objs if o["type"] == "indicator"][0]["pattern"]
PY
	taxii "basic:$VIEW" "/taxii2/raquet/collections/$coll/manifest/"
	python3 - > manifest.out 2>&1 <<'PY' || fail "date_added moved: $(cat manifest.out)"
import json
old = {o["id"]: o["date_added"] for o in json.load(open("manifest1.json"))["objects"]}
new = {o["id"]: o["date_added"] for o in json.load(open("body"))["objects"]}
moved = [i for i in old if new.get(i) != old[i]]
assert not moved, moved
assert len(new) == len(old) + 4, (len(new), len(old))
PY
}

# [sharing] unit_identities and file_names on: per-unit sightings, file names in MISP
run_private() {
	printf '[report]\nagency = %s\n[sharing]\nunit_identities = yes\nfile_names = yes\n' "$AGENCY" > private.conf
	"$SERVER" unit add --store "$STORE" --name "Sở Y tế" --code A > /dev/null || fail "unit A"
	"$SERVER" unit add --store "$STORE" --name "Huyện B" --code B > /dev/null || fail "unit B"
	TOK_A=$("$SERVER" token create --store "$STORE" --unit A --uses 5 --days 1 2> /dev/null)
	TOK_B=$("$SERVER" token create --store "$STORE" --unit B --uses 5 --days 1 2> /dev/null)
	make_user root admin
	start_server --config private.conf
	login_as root
	local now
	now=$(date +%s)
	report_data "$now"
	api root GET "/api/v1/sharing/stix?from=$((now - 86400))&to=$((now + 60))"
	expect_code 200 "stix per unit: "
	cp body units.json
	validate bundle units.json
	python3 - "$SHA_X" > units.out 2>&1 <<'PY' || fail "per-unit sightings: $(cat units.out)"
import json, sys
b = json.load(open("units.json"))
ids = {o["id"]: o for o in b["objects"]}
names = sorted(o["name"] for o in b["objects"] if o["type"] == "identity")
assert names == ["Huyện B", "Sở Thông tin và Truyền thông tỉnh Thử", "Sở Y tế"], names
x = [s for s in b["objects"] if s["type"] == "sighting" and sys.argv[1] in ids[s["sighting_of_ref"]]["pattern"]]
assert sorted((ids[s["where_sighted_refs"][0]]["name"], s["count"]) for s in x) == [("Huyện B", 1), ("Sở Y tế", 1)], x
PY
	api root GET "/api/v1/sharing/misp?from=$((now - 86400))&to=$((now + 60))"
	expect_code 200 "misp with file names: "
	python3 - "$SHA_X" > names.out 2>&1 <<'PY' || fail "file names: $(cat names.out)"
import json, sys
text = open("body", encoding="utf-8").read()
attrs = json.loads(text)["Event"]["Attribute"]
pairs = sorted(a["value"] for a in attrs if a["type"] == "filename|sha256")
assert f"invoice.exe|{sys.argv[1]}" in pairs, pairs
assert "nguyen" not in text and "Users" not in text, "a folder is shared"
PY
}

for_each_store run_default
for_each_store run_private
finish
