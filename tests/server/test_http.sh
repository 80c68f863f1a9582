#!/usr/bin/env bash
# The HTTP core of raquet-server over real loopback connections: health,
# 404/405/413, JSON body errors, keep-alive, HTTPS from tls-init, SIGTERM,
# --check-config errors with file:line and plain HTTP refused off loopback.
SERVER=$(realpath "${1:?usage: $0 RAQUET_SERVER_BINARY}")
source "$(dirname "$0")/../cli/lib.sh" "$SERVER"
PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export RAQUET_SERVER_TEST_ROUTES=1

# start_server LOG ARGS...: run in the foreground on a free port; sets PID, PORT.
start_server() {
	local log=$1
	shift
	"$SERVER" --foreground --listen 127.0.0.1:0 --store "sqlite:$WORK/http.sqlite" "$@" 2> "$log" &
	PID=$!
	PORT=
	for _ in $(seq 100); do
		PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "server did not start: $(cat "$log")"
	return 1
}

# stop_server: SIGTERM, expect exit 0.
stop_server() {
	kill -TERM "$PID"
	wait "$PID"
	local st=$?
	[ "$st" = 0 ] || fail "exit $st after SIGTERM, want 0"
	PID=
}

# http METHOD URL [curl args...]: body -> body, status -> code
http() {
	local method=$1 url=$2
	shift 2
	curl -sS -o body -w '%{http_code}' -X "$method" "$@" "$url" > code 2> curl.err
}

expect_code() { # WANT
	[ "$(cat code)" = "$1" ] || fail "status $(cat code), want $1: $(head -c 500 body)"
}

# --- plain HTTP on loopback ---
if start_server plain.log --plain-http; then
	B=http://127.0.0.1:$PORT
	http GET "$B/api/v1/health"; expect_code 200
	expect_grep '^\{"status":"ok","version":"[0-9.]+"\}$' body
	http HEAD "$B/api/v1/health" -I; expect_code 200
	http GET "$B/api/v1/nowhere"; expect_code 404
	expect_grep '"error":"not_found"' body
	http GET "$B/api/v1/health/"; expect_code 404
	# a query value longer than handlers read is refused, not silently ignored
	http GET "$B/api/v1/health?q=$(head -c 3000 /dev/zero | tr '\0' a)"; expect_code 400
	expect_grep '"error":"too_long".*query parameter q' body
	http GET "$B/api/v1/health?q=$(head -c 2000 /dev/zero | tr '\0' a)"; expect_code 200
	http DELETE "$B/api/v1/health" -D headers; expect_code 405
	expect_grep '"error":"method_not_allowed"' body
	expect_grep '^Allow: GET, HEAD' headers

	# JSON bodies through the test echo route
	E=$B/api/v1/_test/echo/u-17
	http POST "$E?q=a%20b" -H 'Content-Type: application/json' -H 'Cookie: session=s3cr3t' \
		--data '{"name":"pc-1","count":3,"tags":["x"]}'
	expect_code 200
	expect_grep '"id":"u-17"' body
	expect_grep '"q":"a b"' body
	expect_grep '"cookie":"s3cr3t"' body
	expect_grep '"client":"127.0.0.1"' body
	expect_grep '"limit":50' body
	expect_grep '"body":\{"name":"pc-1","count":3,"tags":\["x"\]\}' body
	http POST "$E?limit=7" --data '{"name":"a"}'; expect_code 200
	expect_grep '"limit":7' body
	http POST "$E?limit=0" --data '{"name":"a"}'; expect_code 400
	expect_grep 'query parameter limit: expected a whole number from 1 to 100' body
	http POST "$E?limit=1x" --data '{"name":"a"}'; expect_code 400
	http POST "$E" --data '{"name":"pc-1",'; expect_code 400
	expect_grep '"error":"bad_json"' body
	http POST "$E" --data '{"name":5}'; expect_code 400
	expect_grep '"error":"wrong_type","reason":"name: expected a string"' body
	http POST "$E" --data '{"name":"a","admin":true}'; expect_code 400
	expect_grep '"error":"unknown_field","reason":"admin: unknown field"' body
	http POST "$E" --data '{"name":"a","tags":["ok",7]}'; expect_code 400
	expect_grep 'tags\[1\]: expected a string' body
	http POST "$E" --data '{"count":1}'; expect_code 400
	expect_grep '"error":"missing_field"' body
	http POST "$E" --data '{"name":"a","name":"b"}'; expect_code 400
	http POST "$E" --data '[1,2]'; expect_code 400
	http POST "$E"; expect_code 400
	expect_grep 'body: empty' body
	# SQL metacharacters are just bytes
	http POST "$E" --data "{\"name\":\"x'; DROP TABLE units;--\"}"; expect_code 200
	expect_grep "DROP TABLE" body

	# oversize: Content-Length over the limit (4M default) and a chunked body
	head -c 5000000 /dev/zero > big
	http POST "$E" --data-binary @big; expect_code 413
	expect_grep '"error":"too_large"' body
	http POST "$E" --data-binary @big -H 'Transfer-Encoding: chunked'; expect_code 413
	expect_grep '"error":"too_large"' body

	# keep-alive: several requests on one connection
	curl -sS -v "$B/api/v1/health" "$B/api/v1/health" "$B/api/v1/nowhere" > ka.out 2> ka.err
	expect_grep 'Re-using existing connection' ka.err
	[ "$(grep -c 'Connected to' ka.err)" = 1 ] || fail "keep-alive: more than one connection"

	# a second server on the same port fails loudly, also when detaching
	# (with a store of its own: never the machine's default one)
	expect_exit 1 "$SERVER" --plain-http --listen "127.0.0.1:$PORT" --store "sqlite:$WORK/second.sqlite"
	expect_grep "cannot start the HTTP server on 127.0.0.1:$PORT: Address already in use" err

	# one log line per request; never cookie or body values
	stop_server
	expect_grep 'info: GET /api/v1/health 200 [0-9.]+ms 127\.0\.0\.1' plain.log
	expect_grep 'info: POST /api/v1/_test/echo/u-17 413 ' plain.log
	expect_no_grep 's3cr3t|pc-1|DROP TABLE|q=a' plain.log
	expect_grep 'stopped' plain.log
fi

# --- request timeout and a graceful stop with a request in flight ---
printf '[server]\nrequest_timeout = 1\n' > slow.conf
if start_server slow.log --plain-http --config slow.conf; then
	REQ='POST /api/v1/_test/echo/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 12\r\n\r\n'
	# a body trickling past request_timeout: the connection is closed, no answer
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf "$REQ"'{"name"' >&3
	sleep 1.5
	printf ':"a"}' >&3 2>/dev/null
	timeout 5 cat <&3 > slow.out 2>/dev/null
	exec 3<&-
	expect_no_grep 'HTTP/1.1' slow.out
	stop_server
	expect_grep 'POST /api/v1/_test/echo/slow 408 .*connection closed' slow.log
fi
# SIGTERM while a request is half sent: it still completes, new ones are refused
# (a server with the default request timeout: the steps below take their time on
# a loaded machine)
if start_server stop.log --plain-http; then
	REQ='POST /api/v1/_test/echo/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 12\r\n\r\n'
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf "$REQ"'{"name"' >&3
	sleep 0.3
	kill -TERM "$PID"
	sleep 0.3
	http GET "http://127.0.0.1:$PORT/api/v1/health" --max-time 3
	[ "$(cat code)" = 000 ] || fail "a new request was served while stopping"
	printf ':"a"}' >&3
	timeout 5 cat <&3 > inflight.out
	exec 3<&-
	expect_grep '^HTTP/1.1 200' inflight.out
	expect_grep '"id":"slow"' inflight.out
	expect_grep '^Connection: close' inflight.out
	wait "$PID"
	st=$?
	[ "$st" = 0 ] || fail "exit $st after SIGTERM with a request in flight"
	PID=
fi

# --- HTTPS with the files of tls-init ---
expect_exit 0 "$SERVER" tls-init --dir tls --host 127.0.0.1 --host localhost
expect_grep 'pin the CA certificate: tls/ca.crt' out
[ "$(stat -c %a tls/server.key)" = 600 ] || fail "server.key mode $(stat -c %a tls/server.key)"
[ "$(stat -c %a tls/ca.key)" = 600 ] || fail "ca.key mode $(stat -c %a tls/ca.key)"
expect_exit 1 "$SERVER" tls-init --dir tls
expect_grep 'already holds server.crt' err
expect_exit 0 "$SERVER" tls-init --dir tls --host 127.0.0.1 --force
expect_grep 'existing CA' out
expect_exit 0 "$SERVER" --check-config --listen 0.0.0.0:8443 --tls-cert tls/server.crt \
	--tls-key tls/server.key
expect_exit 0 "$SERVER" tls-init --dir other
expect_exit 1 "$SERVER" --check-config --tls-cert tls/server.crt --tls-key other/server.key
expect_grep "tls_key: 'other/server.key' is not the key of the certificate" err
openssl verify -CAfile tls/ca.crt tls/server.crt > verify.out 2>&1 || fail "openssl verify: $(cat verify.out)"
openssl x509 -in tls/server.crt -noout -ext subjectAltName > san.out 2>&1
expect_grep 'IP Address:127.0.0.1' san.out
openssl x509 -in other/server.crt -noout -ext subjectAltName > san.out 2>&1
expect_grep 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1' san.out
if start_server tls.log --tls-cert tls/server.crt --tls-key tls/server.key; then
	http GET "https://127.0.0.1:$PORT/api/v1/health" --cacert tls/ca.crt; expect_code 200
	expect_grep '"status":"ok"' body
	# unpinned: refused by curl
	http GET "https://127.0.0.1:$PORT/api/v1/health"
	[ "$(cat code)" = 000 ] || fail "HTTPS accepted without the CA"
	# plain HTTP to the TLS port gets nothing useful
	http GET "http://127.0.0.1:$PORT/api/v1/health" --max-time 5
	[ "$(cat code)" != 200 ] || fail "plain HTTP answered on the TLS port"
	stop_server
fi

# --- configuration errors ---
cat > bad.conf <<'EOF'
# comment
[server]
threads = 2
body_limit = lots
EOF
expect_exit 1 "$SERVER" --config bad.conf --check-config
expect_grep '^raquet-server: bad.conf:4: \[server\] body_limit: ' err
printf '[server]\nplain_http = yes\n\n[stroe]\nurl = x\n' > sect.conf
expect_exit 1 "$SERVER" --config sect.conf --check-config
expect_grep 'sect.conf:4: unknown section \[stroe\]' err
printf '[log]\nlevel = info\ncolour = yes\n' > key.conf
expect_exit 1 "$SERVER" --config key.conf --check-config
expect_grep 'key.conf:3: unknown key .colour. in \[log\]' err
printf '[server]\nlisten = 0.0.0.0:8443\nplain_http = yes\n' > open.conf
expect_exit 1 "$SERVER" --config open.conf --check-config
expect_grep 'open.conf:3: plain_http: plain HTTP is allowed only on a loopback' err
printf '[server]\nlisten = 127.0.0.1:8443\nplain_http = yes\n[store]\nurl = sqlite:%s/db\n' \
	"$WORK" > good.conf
expect_exit 0 "$SERVER" --config good.conf --check-config
expect_grep 'configuration OK' out
# flags override the file
expect_exit 1 "$SERVER" --config good.conf --listen 192.0.2.1:8443 --check-config
expect_grep 'plain HTTP is allowed only on a loopback' err
expect_exit 1 "$SERVER" --config good.conf --store mysql://x --check-config
expect_grep '--store: expected sqlite:PATH' err
expect_exit 1 "$SERVER" --config missing.conf --check-config
expect_grep 'missing.conf' err
expect_exit 1 "$SERVER" --bogus --check-config
expect_grep '--bogus: unknown option' err
# TLS needed off loopback: the default certificate path does not exist here
expect_exit 1 "$SERVER" --listen 0.0.0.0:0 --tls-cert nope.crt --tls-key nope.key --check-config
expect_grep "--tls-cert: tls_cert: cannot read 'nope.crt'" err

# --- plain HTTP refused on a non-loopback address (the real start, not just the check) ---
expect_exit 1 "$SERVER" --foreground --listen 0.0.0.0:0 --plain-http
expect_grep 'plain HTTP is allowed only on a loopback address' err
expect_exit 1 "$SERVER" --foreground --listen '[::]:0' --plain-http
expect_grep 'plain HTTP is allowed only on a loopback address' err

# --- help lists every key documented in docs/server.md ---
expect_exit 0 "$SERVER" --help
if [ -n "${RQ_SOURCE_DIR:-}" ]; then
	for key in $(sed -n 's/^  \[\([a-z]*\)\] \([a-z_]*\) = .*/\1.\2/p' out); do
		grep -q "\`${key#*.}\`" "$RQ_SOURCE_DIR/docs/server.md" ||
			fail "key $key of --help missing from docs/server.md"
	done
	for flag in $(grep -o -- '^  --[a-z-]*' out); do
		grep -q -- "$flag" "$RQ_SOURCE_DIR/docs/server.md" ||
			fail "option $flag of --help missing from docs/server.md"
	done
fi

finish
