#!/usr/bin/env bash
# What `make run` does after the build, on one machine as root: make the
# server's TLS certificate on first use, start raquet-server with its
# defaults (SQLite store in /var/lib/raquet-server; on its first start it
# creates the administrator and prints the password once), enroll this
# machine's agent into a unit of its own and start raquetd (protected,
# updated and reporting from then on), then sweep this machine with the
# engine's embedded defaults.
#   scripts/run-local.sh BUILD_DIR
set -uo pipefail
build=$(realpath "${1:-build}")
tls=/etc/raquet-server/tls
port=8443
state=/var/lib/raquet
log=/var/log/raquet

# already serving (a second `make run`)? then leave it be
if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	if [ ! -f "$tls/server.crt" ]; then
		mkdir -p "$(dirname "$tls")" &&
			"$build/raquet-server" tls-init --dir "$tls" --host localhost --host "$(hostname)" || exit 1
	fi
	# detaches once listening; exits non-zero if it could not start
	"$build/raquet-server" || exit 1
fi
echo "raquet-server: https://$(hostname):$port/ (CA certificate for browsers and agents: $tls/ca.crt)"

# this machine's agent, enrolled once into the unit "LOCAL"
if [ ! -f "$state/agent.json" ]; then
	"$build/raquet-server" unit add --name "Máy chủ raquet (máy này)" --code LOCAL > /dev/null 2>&1 # exists: fine
	token=$("$build/raquet-server" token create --unit LOCAL --uses 1 --days 1 --label "make run") || exit 1
	"$build/raquet" agent enroll --server "https://localhost:$port" --token "$token" --ca "$tls/ca.crt" || exit 1
fi
if ! "$build/raquet" agent status --json 2> /dev/null | grep -q '"daemon_running": *true'; then
	mkdir -p "$log"
	setsid "$build/raquetd" >> "$log/raquetd.log" 2>&1 < /dev/null &
	for _ in $(seq 100); do # its first heartbeat
		"$build/raquet" agent status 2> /dev/null | grep -q '^last contact: *ok' && break
		sleep 0.1
	done
fi
"$build/raquet" agent status
echo "raquetd: running (log $log/raquetd.log; stop it with: pkill raquetd)"

echo "raquet: sweeping this machine (/, one file system) with the embedded defaults"
"$build/raquet" scan -r -i --one-file-system /
status=$?
[ "$status" -le 1 ] || exit "$status"
exit 0
