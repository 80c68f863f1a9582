#!/usr/bin/env bash
# `raquet scan --json`: every line is a JSON object; fields of results,
# errors and the summary; names that are not UTF-8 get "path_hex".
. "$(dirname "$0")/lib.sh"

mkdir tree
make_eicar tree/eicar.com
echo clean > tree/clean.txt
printf 'odd' > "tree/$(printf 'bad\377name\nline')"
printf 'ok' > "tree/$(printf 'caf\303\251 \"q\" \\ t')"
echo "$(md5sum < tree/clean.txt | cut -d' ' -f1):6:Test.Clean.Hdb" > sigs.hdb

expect_exit 1 "$RAQUET" scan --json -r tree missing
python3 - out <<'PY' || fail "JSON checks (see above)"
import json, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
assert lines[-1] == b'', 'output must end with a newline'
docs = [json.loads(l) for l in lines[:-1]]
summary = docs[-1]['summary']
results = {d['path']: d for d in docs[:-1]}
assert len(results) == 5, results.keys()
e = results['tree/eicar.com']
assert e['status'] == 'infected' and e['size'] == 68, e
assert e['sha256'] == '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f', e
assert e['detections'][0]['name'] == 'Eicar-Test-Signature', e
assert e['detections'][0]['type'] == 'builtin' and e['detections'][0]['source'] == 'builtin', e
assert e['notices'] == [] and 'error' not in e and 'path_hex' not in e, e
c = results['tree/clean.txt']
assert c['status'] == 'clean' and c['detections'] == [] and c['file_type'], c
odd = [d for p, d in results.items() if 'path_hex' in d]
assert len(odd) == 1, odd
assert bytes.fromhex(odd[0]['path_hex']) == b'tree/bad\xffname\nline', odd
assert odd[0]['path'] == 'tree/bad\ufffdname\nline', odd
assert 'tree/caf\u00e9 "q" \\ t' in results, results.keys()
m = results['missing']
assert m['status'] == 'error' and m['error'] == 'No such file or directory', m
assert summary['scanned_files'] == 4 and summary['infected_files'] == 1, summary
assert summary['errors'] == 1 and summary['scanned_directories'] == 1, summary
assert summary['engine_version'] and summary['known_signatures'] > 0, summary
for k in ('bytes_scanned', 'bytes_read', 'seconds', 'start_date', 'end_date', 'limits_exceeded'):
    assert k in summary, k
PY

# detections name their signature file; limits are notices unless alerted
expect_exit 1 "$RAQUET" scan --json --no-summary -d sigs.hdb tree/clean.txt
python3 -c '
import json, sys
d = json.loads(open("out").read())
det = d["detections"][0]
assert det == {"name": "Test.Clean.Hdb", "type": "md5", "source": "sigs.hdb"}, det
' || fail "hdb detection JSON: $(cat out)"
expect_exit 0 "$RAQUET" scan --json --no-summary --max-filesize=10 tree/eicar.com
python3 -c '
import json
d = json.loads(open("out").read())
assert d["status"] == "clean", d
assert d["notices"] == [{"name": "Heuristics.Limits.Exceeded.MaxFileSize", "kind": "limit"}], d
' || fail "limit notice JSON: $(cat out)"
expect_exit 1 "$RAQUET" scan --json --no-summary --max-filesize=10 --alert-exceeds-max tree/eicar.com
python3 -c '
import json
d = json.loads(open("out").read())
assert d["status"] == "infected" and d["detections"][0]["type"] == "heuristic", d
' || fail "alerted limit JSON: $(cat out)"

# --no-summary: no summary object; nothing but JSON on stdout
expect_exit 1 "$RAQUET" scan --json --no-summary -r tree
expect_no_grep '"summary"' out
python3 -c '
import json
for line in open("out", "rb"):
    assert isinstance(json.loads(line), dict)
' || fail "not JSON lines: $(cat out)"

finish
