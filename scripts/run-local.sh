#!/usr/bin/env bash
# What `make run` does after the build, on one machine as root: make the
# server's TLS certificate on first use, start raquet-server with its
# defaults (SQLite store in /var/lib/raquet-server; on its first start it
# creates the administrator and prints the password once), enroll this
# machine's agent into a unit of its own and start raquetd (protected,
# updated and reporting from then on), have the agent scan a folder holding
# the EICAR test file (so the dashboard's overview shows a scan and a
# detection), then sweep this machine with the engine's embedded defaults,
# and end with the dashboard's address and login.
#   scripts/run-local.sh BUILD_DIR
set -uo pipefail
build=$(realpath "${1:-build}")
tls=/etc/raquet-server/tls
port=8443
state=/var/lib/raquet
log=/var/log/raquet
demo=/var/tmp/raquet-eicar-test
password=

# already serving (a second `make run`)? then leave it be
if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	if [ ! -f "$tls/server.crt" ]; then
		mkdir -p "$(dirname "$tls")" &&
			"$build/raquet-server" tls-init --dir "$tls" --host localhost --host "$(hostname)" || exit 1
	fi
	# detaches once listening; exits non-zero if it could not start. On its
	# first start it prints the administrator's password, repeated at the end.
	first=$("$build/raquet-server") || exit 1
	[ -n "$first" ] && printf '%s\n' "$first"
	password=$(printf '%s\n' "$first" | sed -n 's/^ *password: *//p')
fi
echo "raquet-server: https://$(hostname):$port/ (CA certificate for browsers and agents: $tls/ca.crt)"

# this machine's agent, enrolled once into the unit "LOCAL"
if [ ! -f "$state/agent.json" ]; then
	"$build/raquet-server" unit add --name "Máy chủ raquet (máy này)" --code LOCAL > /dev/null 2>&1 # exists: fine
	token=$("$build/raquet-server" token create --unit LOCAL --uses 1 --days 1 --label "make run") || exit 1
	"$build/raquet" agent enroll --server "https://localhost:$port" --token "$token" --ca "$tls/ca.crt" || exit 1
fi
# The agent scans a folder with the EICAR test file (a harmless file every
# anti-malware product detects) and reports it, so the dashboard's overview
# shows a scan and a detection. The task is queued before raquetd starts:
# its first heartbeat fetches it, and tasks run before the scheduled scans
# it may start at once (a full scan missed since Friday, say). An agent
# already running is told by SIGUSR1 to fetch it now; its real-time
# protection quarantines the file as soon as it is written.
mkdir -p "$demo"
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$demo/eicar.com"
endpoint=$("$build/raquet" agent status --json 2> /dev/null | sed -n 's/.*"endpoint_id": *\([0-9]*\).*/\1/p' | head -1)
task=$("$build/raquet-server" task add --endpoint "${endpoint:-$(hostname)}" --kind scan_path --path "$demo" \
	2> /dev/null) || task=
if ! "$build/raquet" agent status --json 2> /dev/null | grep -q '"daemon_running": *true'; then
	mkdir -p "$log"
	setsid "$build/raquetd" >> "$log/raquetd.log" 2>&1 < /dev/null &
	for _ in $(seq 100); do # its first heartbeat
		"$build/raquet" agent status 2> /dev/null | grep -q '^last contact: *ok' && break
		sleep 0.1
	done
else
	pkill -USR1 -x raquetd
fi
"$build/raquet" agent status
echo "raquetd: running (log $log/raquetd.log; stop it with: pkill raquetd)"
echo "raquet: the agent scans $demo (the EICAR test file) and reports to the server"
if [ -z "$task" ]; then
	echo "  (the demo scan could not be queued)"
elif ! "$build/raquet-server" task wait --id "$task" --wait 300 | sed 's/^/  /'; then
	echo "  (the demo scan has not finished yet; the dashboard shows it when it has)"
fi

echo "raquet: sweeping this machine (/, one file system) with the embedded defaults"
"$build/raquet" scan -r -i --one-file-system /
status=$?

echo
echo "Dashboard: https://$(hostname):$port/ (CA certificate: $tls/ca.crt)"
if [ -n "$password" ]; then
	echo "Log in as: admin / $password (shown on this first start only; change it after logging in)"
else
	echo "Log in as: admin, with the password printed at the server's first start"
	echo "  (lost it? raquet-server user passwd --login admin)"
fi
[ "$status" -le 1 ] || exit "$status"
exit 0
