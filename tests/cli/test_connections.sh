#!/usr/bin/env bash
# `raquet scan --connections [--kill]` with real processes on loopback: a
# client connected to an address of an IOC list is reported with its pid,
# executable and the executable's MD5/SHA-256 (JSON), exit 1; a decoy
# connected elsewhere is not; --kill stops the client and only it; with no
# match the exit status is 0.
. "$(dirname "$0")/lib.sh"

printf '%s\n' 'indicator,description' '127.0.0.2,Test C2 server' '127.0.0.4/31' > iocs.txt
cat > server.py <<'PY'
import socket, sys, time
socks = []
for host in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0)); s.listen(8); socks.append(s)
    print(host, s.getsockname()[1], flush=True)
conns = []
for s in socks:
    s.settimeout(30)
while True:
    for s in socks:
        try:
            s.settimeout(0.05); c, _ = s.accept(); conns.append(c)
        except OSError:
            pass
    time.sleep(0.05)
PY
cat > client.py <<'PY'
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print("connected", flush=True)
time.sleep(120)
PY
python3 server.py 127.0.0.2 127.0.0.3 127.0.0.5 > ports &
server=$!
trap 'kill $server $bad $decoy $net 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do [ "$(wc -l < ports)" -ge 3 ] && break; sleep 0.1; done
port2=$(awk '$1 == "127.0.0.2" {print $2}' ports)
port3=$(awk '$1 == "127.0.0.3" {print $2}' ports)
port5=$(awk '$1 == "127.0.0.5" {print $2}' ports)
python3 client.py 127.0.0.2 "$port2" > bad.out &
bad=$!
python3 client.py 127.0.0.3 "$port3" > decoy.out &
decoy=$!
python3 client.py 127.0.0.5 "$port5" > net.out &
net=$!
for _ in $(seq 50); do grep -q connected bad.out && grep -q connected decoy.out && grep -q connected net.out && break; sleep 0.1; done

expect_exit 1 "$RAQUET" scan --connections -d iocs.txt
expect_grep "^connection tcp 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.2:$port2 \(ESTABLISHED\) pid $bad \(python3\) .*: IOC\.Test_C2_server FOUND$" out
expect_grep "-> 127\.0\.0\.5:$port5 \(ESTABLISHED\) pid $net .*: IOC\.ip\.127\.0\.0\.4_31 FOUND$" out
expect_no_grep "127\.0\.0\.3:$port3" out
expect_grep '^Malicious connections: [0-9]+$' out

expect_exit 1 "$RAQUET" scan --connections --json -d iocs.txt
exe=$(readlink -f "/proc/$bad/exe")
python3 - out "$bad" "$(md5sum < "$exe" | cut -d' ' -f1)" "$(sha256sum < "$exe" | cut -d' ' -f1)" <<'PY' || fail "JSON connection record"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
mine = [l for l in lines if l.get("process", {}).get("pid") == int(sys.argv[2])]
assert mine, lines
r = mine[0]
assert r["status"] == "malicious" and r["detection"] == "IOC.Test_C2_server", r
assert r["process"]["md5"] == sys.argv[3] and r["process"]["sha256"] == sys.argv[4], r
assert r["connection"]["state"] == "ESTABLISHED" and r["connection"]["protocol"] == "tcp", r
assert any("connection_summary" in l for l in lines)
PY

# --kill: the two clients talking to listed addresses die, the decoy lives
expect_exit 1 "$RAQUET" scan --connections --kill -d iocs.txt
expect_grep "^process $bad: killed$" out
for _ in $(seq 50); do kill -0 "$bad" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$bad" 2>/dev/null || fail "client to the C2 address still alive"
! kill -0 "$net" 2>/dev/null || fail "client to the listed network still alive"
kill -0 "$decoy" 2>/dev/null || fail "decoy client was killed"

# nothing listed: exit 0
printf '192.0.2.1\n' > other.txt
expect_exit 0 "$RAQUET" scan --connections -d other.txt
expect_grep '^Malicious connections: 0$' out
expect_exit 2 "$RAQUET" scan --kill -d other.txt
expect_grep 'kill needs --processes, --connections or --quick' err
finish
