#!/usr/bin/env bash
# docs/openapi.json against the server itself: every route raquet-server
# serves (`raquet-server routes`) is documented with its method, and every
# documented operation is served; path parameters match; every $ref
# resolves; only the public operations (health, login, enrollment, mirror
# files) are documented without security -- and a real server on loopback
# answers every other documented operation 401 without credentials.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(realpath "$(dirname "$0")")
DOC=$HERE/../../docs/openapi.json
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"

expect_exit 0 "$SERVER" routes
cp out routes.txt
[ "$(wc -l < routes.txt)" -ge 6 ] || fail "too few routes: $(cat routes.txt)"

python3 - "$DOC" routes.txt secured.txt > check.out 2>&1 <<'PY' || fail "$(cat check.out)"
import json, re, sys
doc = json.load(open(sys.argv[1]))
errors = []
def err(m): errors.append(m)
if not str(doc.get("openapi", "")).startswith("3."):
    err("not an OpenAPI 3 document")
served = set()
for line in open(sys.argv[2]):
    m, p = line.split()
    served.add((m.lower(), p))
methods = {"get", "post", "put", "patch", "delete"}
documented = set()
secured = []
public = {("get", "/api/v1/health"), ("post", "/api/v1/auth/login"),
          ("post", "/api/v1/agent/enroll"), ("get", "/mirror/{file}"),
          ("get", "/"), ("get", "/assets/{file}"), ("get", "/assets/{dir}/{file}")}
def resolve(ref):
    node = doc
    for part in ref.lstrip("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
def walk_refs(node, where):
    if isinstance(node, dict):
        if "$ref" in node and resolve(node["$ref"]) is None:
            err(f"{where}: $ref {node['$ref']} does not resolve")
        for k, v in node.items():
            walk_refs(v, where)
    elif isinstance(node, list):
        for v in node:
            walk_refs(v, where)
for path, item in doc.get("paths", {}).items():
    want = set(re.findall(r"{([^}]+)}", path))
    for method, op in item.items():
        if method not in methods:
            continue
        documented.add((method, path))
        where = f"{method.upper()} {path}"
        for key in ("summary", "responses"):
            if key not in op:
                err(f"{where}: no {key}")
        if not any(c[0] in "23" for c in op.get("responses", {})):
            err(f"{where}: no success response")
        params = item.get("parameters", []) + op.get("parameters", [])
        params = [resolve(p["$ref"]) if "$ref" in p else p for p in params]
        got = {p["name"] for p in params if p and p.get("in") == "path"}
        if got != want:
            err(f"{where}: path parameters {sorted(got)} != {sorted(want)}")
        sec = op.get("security", doc.get("security"))
        if (method, path) in public:
            if sec != []:
                err(f"{where}: public operation documented with security")
        elif not sec:
            err(f"{where}: documented without security")
        else:
            secured.append(f"{method.upper()} {path}")
        walk_refs(op, where)
for m, p in sorted(served - documented):
    err(f"served but not documented: {m.upper()} {p}")
for m, p in sorted(documented - served):
    err(f"documented but not served: {m.upper()} {p}")
walk_refs(doc.get("components", {}), "components")
open(sys.argv[3], "w").write("".join(s + "\n" for s in secured))
if errors:
    print("\n".join(errors))
    sys.exit(1)
PY

# every secured operation refuses a caller without credentials
start_server > /dev/null
n=0
while read -r method path; do
	url=$(echo "$path" | sed 's/{[^}]*}/1/g')
	code=$(curl -sS -o body -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
		--data-binary '{}' "$BASE$url")
	[ "$code" = 401 ] || fail "$method $path without credentials: $code $(head -c 200 body)"
	n=$((n + 1))
done < secured.txt
[ "$n" -ge 3 ] || fail "only $n secured operations checked"
finish
