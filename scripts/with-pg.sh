#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster up (scripts/pg-test.sh)
# and RQ_TEST_PG_URL set, so the store's tests also run against
# PostgreSQL; the cluster is stopped afterwards whatever happens. Without
# a PostgreSQL server installed the command runs alone (SQLite only); an
# installed server that fails to start is an error.
#   scripts/with-pg.sh ctest --output-on-failure
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
env_lines=$("$here/pg-test.sh" start)
case $? in
0)
	eval "$env_lines"
	trap '"$here/pg-test.sh" stop "$RQ_TEST_PG_DIR"' EXIT
	trap 'exit 130' INT TERM
	;;
3) echo "with-pg: no PostgreSQL installed: the store tests run against SQLite only" >&2 ;;
*)
	echo "with-pg: the PostgreSQL test cluster did not start" >&2
	exit 1
	;;
esac
"$@"
