#!/usr/bin/env bash
# What `make run` does after the build, on one machine as root: make the
# server's TLS certificate on first use, start raquet-server with its
# defaults (SQLite store in /var/lib/raquet-server; on its first start it
# creates the administrator and prints the password once), then sweep this
# machine with the engine's embedded defaults.
#   scripts/run-local.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
tls=/etc/raquet-server/tls
port=8443

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

echo "raquet: sweeping this machine (/, one file system) with the embedded defaults"
"$build/raquet" scan -r -i --one-file-system /
status=$?
[ "$status" -le 1 ] || exit "$status"
exit 0
