#!/usr/bin/env bash
# Enrollment over HTTPS with the files of `raquet-server tls-init`: without
# a CA the token never leaves; a wrong CA fails verification (token not
# used); the right CA enrolls and pins the server key (the pin openssl
# computes); heartbeats then go through; a new server key under the same
# CA is refused by the pin; a wrong --pin-sha256 is refused at enrollment.
source "$(dirname "$0")/lib.sh"

expect_exit 0 "$SERVER" unit add --store "$STORE" --name "Công an tỉnh" --code CAT
expect_exit 0 "$SERVER" tls-init --dir tls --host 127.0.0.1
expect_exit 0 "$SERVER" tls-init --dir other --host 127.0.0.1

start_tls() { start_server --tls-cert tls/server.crt --tls-key tls/server.key; }
pin_of() { # CERT -> sha256//BASE64 of its public key
	echo "sha256//$(openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)"
}

start_tls
TOKEN=$(new_token CAT 1)
expect_exit 1 "$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --state-dir "$ST"
expect_grep "https needs the server's CA certificate" err
expect_exit 1 "$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --ca other/ca.crt --state-dir "$ST"
expect_grep "certificate did not verify" err
expect_exit 1 "$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --ca tls/ca.crt --state-dir "$ST" \
	--pin-sha256 "$(pin_of other/server.crt)"
expect_grep "certificate did not verify" err
[ "$(sql "SELECT COUNT(*) FROM endpoints")" = 0 ] || fail "a refused server got an enrollment"

# the right CA (and the right pin on top): enrolled, the key pinned
expect_exit 0 "$RAQUET" agent enroll --server "$URL" --token "$TOKEN" --ca tls/ca.crt --state-dir "$ST" \
	--pin-sha256 "$(pin_of tls/server.crt)"
grep -qxF "server key pinned: $(pin_of tls/server.crt)" out || fail "pin printed: $(cat out)"
python3 - "$ST/agent.json" "$(pin_of tls/server.crt)" "$ST/server-ca.pem" <<'PY' || fail "agent.json: $(cat "$ST/agent.json" | grep -v credential)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["pin"] == sys.argv[2], s["pin"]
assert s["ca_file"] == sys.argv[3], s["ca_file"]
PY
cmp -s tls/ca.crt "$ST/server-ca.pem" || fail "the CA was not copied into the state folder"
rm -rf other # the agent no longer needs the file given to --ca
expect_exit 0 "$RAQUETD" --once --state-dir "$ST"
expect_exit 0 "$RAQUET" agent status --state-dir "$ST"
expect_grep "^server key: +sha256//" out
expect_grep '^last contact: +ok' out

# a new server key signed by the same CA: the CA would accept it, the pin does not
stop_server
expect_exit 0 "$SERVER" tls-init --dir tls --host 127.0.0.1 --force
openssl verify -CAfile "$ST/server-ca.pem" tls/server.crt > verify.out 2>&1 ||
	fail "the new certificate should chain to the pinned CA: $(cat verify.out)"
start_tls
expect_exit 1 "$RAQUETD" --once --state-dir "$ST"
expect_grep "certificate did not verify" err
stop_server
finish
