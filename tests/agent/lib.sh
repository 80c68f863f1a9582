# Shared helpers of the agent's shell tests (sourced): each test gets the
# raquet, raquetd and raquet-server binaries, the outbox helper and the
# wall-clock shifter (tests/agent/clock_shift.c), runs in a
# scratch folder with a real raquet-server on loopback (plain HTTP) and its
# SQLite store, which the checks read with python3's sqlite3.
RAQUETD=$(realpath "${2:?usage: $0 RAQUET RAQUETD RAQUET_SERVER OUTBOX_PUT}")
SERVER=$(realpath "${3:?usage: $0 RAQUET RAQUETD RAQUET_SERVER OUTBOX_PUT}")
OUTBOX_PUT=$(realpath "${4:?usage: $0 RAQUET RAQUETD RAQUET_SERVER OUTBOX_PUT [CLOCK_SHIFT_SO]}")
CLOCK_SHIFT=$(realpath "${5:-/nonexistent}" 2>/dev/null)
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh" "$(realpath "$1")"
SPID= APID=
trap '[ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null; [ -n "$APID" ] && kill -KILL "$APID" 2>/dev/null; rm -rf "$WORK"' EXIT
DB="$WORK/store.sqlite"
STORE="sqlite:$DB"
PORT=0
ST="$WORK/state"
# appended to a test's agent.conf: no scheduled scans, no real-time watch of the
# machine, no network watch (tests of delivery and enrollment; test_work.sh tests those)
NO_WATCH=$'[agent]\nscheduled_scans = no\n[realtime]\nenabled = no\n[netwatch]\ninterval = 0\n'

# start_server [SERVER_ARGS...]: plain http on $PORT (0 the first time: a free
# port, kept for restarts); with --tls-cert/--tls-key arguments, https
start_server() {
	local scheme=http plain=--plain-http
	case " $* " in *" --tls-cert "*) scheme=https plain= ;; esac
	"$SERVER" --foreground $plain --listen "127.0.0.1:$PORT" --store "$STORE" "$@" 2>> server.log &
	SPID=$!
	local p=
	for _ in $(seq 200); do
		p=$(sed -n "s/.*listening on $scheme:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p" server.log | tail -1)
		[ -n "$p" ] && { [ "$PORT" = 0 ] || [ "$p" = "$PORT" ]; } && break
		p=
		sleep 0.05
	done
	[ -n "$p" ] || { fail "server did not start: $(tail -5 server.log)"; finish; }
	PORT=$p
	URL=$scheme://127.0.0.1:$PORT
}

stop_server() { # [SIGNAL]
	kill -"${1:-TERM}" "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
	: > server.log # the next start's "listening" line is the only one
}

# new_token UNIT_CODE [USES]: an enrollment token -> stdout
new_token() {
	"$SERVER" token create --store "$STORE" --unit "$1" --uses "${2:-1}" 2> /dev/null
}

# sql QUERY: one result row per line, fields separated by '|'
sql() {
	python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
for row in db.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 on timeout
wait_for() {
	local until=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -ge "$until" ] && return 1
		sleep 0.1
	done
}

# status_json EXPR: python expression over the parsed `raquet agent status --json` (s)
status_json() {
	"$RAQUET" agent status --json --state-dir "$ST" > status.json 2> status.err
	python3 -c "import json; s = json.load(open('status.json')); print($1)"
}

# enroll_agent UNIT_CODE: a fresh enrollment into $ST
enroll_agent() {
	local token
	token=$(new_token "$1")
	"$RAQUET" agent enroll --server "$URL" --token "$token" --state-dir "$ST" --force > enroll.out 2>&1 ||
		{ fail "enroll: $(cat enroll.out)"; finish; }
	EP=$(sed -n 's/^enrolled: endpoint \([0-9]*\) .*/\1/p' enroll.out)
}
