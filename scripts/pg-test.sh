#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store's tests.
#   scripts/pg-test.sh            start one; prints the lines to eval:
#                                   export RQ_TEST_PG_URL=postgresql://...
#                                   export RQ_TEST_PG_DIR=/tmp/rq-pg.XXXX
#   scripts/pg-test.sh stop DIR   stop it and delete DIR
# Exit status 3 when no PostgreSQL server is installed.
# The cluster lives in a temp folder owned by the `postgres` user (initdb
# refuses to run as root, and CI runs as root: runuser), trusts local
# connections, listens on a socket in that folder and on 127.0.0.1 at a
# free port, and runs with fsync off (test data only).
set -euo pipefail

pg_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -z "$d" ] && command -v initdb >/dev/null; then d=$(dirname "$(command -v initdb)"); fi
	# exit status 3: not installed (scripts/with-pg.sh then runs without it)
	[ -n "$d" ] || { echo "pg-test: no PostgreSQL server found (install postgresql)" >&2; exit 3; }
	echo "$d"
}

# as_pg CMD...: run as the postgres user when we are root
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	echo "pg-test: no free port found" >&2
	exit 1
}

stop() {
	local dir=$1 bin
	[ -n "$dir" ] && [ -d "$dir" ] || { echo "pg-test: no cluster folder '$dir'" >&2; exit 1; }
	[ -f "$dir/data/PG_VERSION" ] || { echo "pg-test: $dir is not a test cluster" >&2; exit 1; }
	bin=$(pg_bindir)
	as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}

start() {
	local bin dir port
	bin=$(pg_bindir)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/rq-pg.XXXXXX")
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
	port=$(free_port)
	if ! as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		exit 1
	fi
	if ! as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
		start >/dev/null; then
		cat "$dir/server.log" >&2
		rm -rf "$dir"
		exit 1
	fi
	echo "export RQ_TEST_PG_URL=postgresql://postgres@127.0.0.1:$port/postgres"
	echo "export RQ_TEST_PG_DIR=$dir"
}

case "${1:-start}" in
start) start ;;
stop) stop "${2:-}" ;;
*) echo "usage: $0 [start] | stop DIR" >&2; exit 2 ;;
esac
