#!/usr/bin/env bash
# The dashboard's files as raquet-server serves them from its binary
# (server/http/static.c): GET / and /assets/..., their media types, the
# strong ETag (the file's SHA-256) and 304 on If-None-Match, the security
# headers (CSP, nosniff, no referrer), no-cache on the page, 404 for any
# other name; and the sources keep to the CSP: no inline script or style,
# no markup built from strings, nothing loaded from another origin.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
HERE=$(realpath "$(dirname "$0")")
WEB=$HERE/../../web
source "$HERE/../cli/lib.sh" "$SERVER"
source "$HERE/admin_lib.sh"
start_server

get() { # PATH [CURL_ARGS...] -> status in code, headers in hdr, body in body
	local path=$1
	shift
	rm -f body hdr
	curl -sS --path-as-is -D hdr -o body -w '%{http_code}' "$@" "$BASE$path" > code 2> curl.err
}
header() { tr -d '\r' < hdr | sed -n "s/^$1: //Ip" | head -1; }
CSP="default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"

get /
expect_code 200 "GET /: "
cmp -s body "$WEB/index.html" || fail "GET /: not web/index.html"
[ "$(header Content-Type)" = "text/html; charset=utf-8" ] || fail "GET /: type $(header Content-Type)"
[ "$(header Content-Security-Policy)" = "$CSP" ] || fail "GET /: CSP $(header Content-Security-Policy)"
[ "$(header X-Content-Type-Options)" = nosniff ] || fail "GET /: no nosniff"
[ "$(header Referrer-Policy)" = no-referrer ] || fail "GET /: Referrer-Policy $(header Referrer-Policy)"
[ "$(header Cache-Control)" = no-cache ] || fail "GET /: Cache-Control $(tr -d '\r' < hdr | grep -i cache-control)"
[ "$(tr -d '\r' < hdr | grep -ci '^X-Content-Type-Options:')" = 1 ] || fail "GET /: nosniff sent twice"
etag=$(header ETag)
[ "$etag" = "\"$(sha256sum < "$WEB/index.html" | cut -c1-32)\"" ] || fail "GET /: ETag $etag is not the file's hash"
get / -H "If-None-Match: $etag"
expect_code 304 "GET / If-None-Match: "
[ ! -s body ] || fail "304 with a body: $(od -c body | head -3)"
get / -H 'If-None-Match: "0000"'
expect_code 200 "GET / with another ETag: "

check_asset() { # PATH TYPE
	get "$1"
	expect_code 200 "GET $1: "
	cmp -s body "$WEB${1}" || fail "GET $1: not the file of web/"
	[ "$(header Content-Type)" = "$2" ] || fail "GET $1: type $(header Content-Type)"
	[ "$(header Content-Security-Policy)" = "$CSP" ] || fail "GET $1: no CSP"
	[ -n "$(header ETag)" ] || fail "GET $1: no ETag"
}
check_asset /assets/app.js "text/javascript; charset=utf-8"
check_asset /assets/app.css "text/css; charset=utf-8"
check_asset /assets/favicon.svg "image/svg+xml"
check_asset /assets/i18n/vi.js "text/javascript; charset=utf-8"
check_asset /assets/pages/overview.js "text/javascript; charset=utf-8"
for p in /assets/nope.js /assets/i18n/nope.js /assets/index.html /assets/../index.html /index.html /assets/pages/../app.js; do
	get "$p"
	expect_code 404 "GET $p: "
done
get /assets/app.js -X POST
[ "$(cat code)" = 405 ] || [ "$(cat code)" = 404 ] || fail "POST /assets/app.js: $(cat code)"

# every file the page loads is embedded (the module imports resolve)
python3 - "$WEB" > imports.out <<'PY' || fail "imports: $(cat imports.out)"
import os, re, sys
web = sys.argv[1]
bad = []
for root, _, files in os.walk(web):
    for f in files:
        if not f.endswith(".js"):
            continue
        src = open(os.path.join(root, f), encoding="utf-8").read()
        for m in re.finditer(r"^import .* from '([^']+)';", src, re.M):
            if not os.path.exists(os.path.normpath(os.path.join(root, m.group(1)))):
                bad.append(f"{f}: {m.group(1)}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
# the sources keep to the CSP and build no markup from strings
grep -rnE 'style=|<script>|<style|\son[a-z]+="' "$WEB" > inline.out && fail "inline script or style: $(cat inline.out)"
grep -rnE 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function' "$WEB" > html.out &&
	fail "markup built from strings: $(cat html.out)"
grep -rnE "(src|href)=\"?'?https?://|import .* from '(https?:)?//" "$WEB" > remote.out && fail "loads from elsewhere: $(cat remote.out)"
finish
