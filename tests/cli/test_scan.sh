#!/usr/bin/env bash
# `raquet scan` text mode: exit codes, the summary block, -i, --quiet,
# --file-list / --file-list0 / stdin, option errors, --version and help.
. "$(dirname "$0")/lib.sh"

mkdir -p tree/sub
make_eicar tree/sub/eicar.com
echo clean > tree/clean.txt
echo clean > clean.txt

# exit codes
expect_exit 0 "$RAQUET" scan clean.txt
expect_exit 1 "$RAQUET" scan -r tree
expect_exit 2 "$RAQUET" scan missing-file
expect_exit 1 "$RAQUET" scan -r tree missing-file
expect_exit 0 "$RAQUET" scan tree          # not recursive: sub/ not entered
expect_grep '^Scanned directories: 1$' out
expect_grep '^Scanned files: 1$' out

# the summary block, in clamscan's order and format
expect_exit 1 "$RAQUET" scan -r tree clean.txt missing-file
expect_grep '^tree/sub/eicar.com: Eicar-Test-Signature FOUND$' out
expect_grep '^tree/clean.txt: OK$' out
expect_grep '^missing-file: No such file or directory ERROR$' out
summary=$(sed -n '/^----------- SCAN SUMMARY -----------$/,$p' out | cut -d: -f1 | tr '\n' '|')
want='----------- SCAN SUMMARY -----------|Known viruses|Engine version|Scanned directories|Scanned files|Infected files|Total errors|Data scanned|Data read|Time|Start Date|End Date|'
[ "$summary" = "$want" ] || fail "summary lines: $summary"
expect_grep '^Scanned directories: 2$' out
expect_grep '^Scanned files: 3$' out
expect_grep '^Infected files: 1$' out
expect_grep '^Total errors: 1$' out
expect_grep '^Data read: [0-9]+\.[0-9]{2} MB \(ratio [0-9]+\.[0-9]{2}:1\)$' out
expect_grep '^Time: [0-9]+\.[0-9]{3} sec \([0-9]+ m [0-9]+ s\)$' out
expect_grep '^Start Date: [0-9]{4}:[0-9]{2}:[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' out
expect_grep '^End Date:   [0-9]{4}:[0-9]{2}:[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' out
grep -q '^$' out || fail "no empty line before the summary"

# no "Total errors" line without errors; --no-summary drops the block
expect_exit 0 "$RAQUET" scan clean.txt
expect_no_grep '^Total errors' out
expect_exit 0 "$RAQUET" scan --no-summary clean.txt
[ "$(cat out)" = "clean.txt: OK" ] || fail "--no-summary output: $(cat out)"

# -i / -o: only the detection; --quiet: nothing at all, still exit 1
expect_exit 1 "$RAQUET" scan -r -i --no-summary tree clean.txt
[ "$(cat out)" = "tree/sub/eicar.com: Eicar-Test-Signature FOUND" ] || fail "-i output: $(cat out)"
expect_exit 1 "$RAQUET" scan -ro --no-summary tree
[ "$(wc -l < out)" = 1 ] || fail "-ro output: $(cat out)"
expect_exit 1 "$RAQUET" scan --quiet -r tree
[ ! -s out ] || fail "--quiet printed: $(cat out)"

# file lists: newline, NUL, stdin
printf 'tree/sub/eicar.com\nclean.txt\n' > list
expect_exit 1 "$RAQUET" scan --no-summary -f list
[ "$(wc -l < out)" = 2 ] || fail "-f list: $(cat out)"
printf 'clean.txt\0tree/clean.txt\0' > list0
expect_exit 0 "$RAQUET" scan --no-summary --file-list0=list0
[ "$(wc -l < out)" = 2 ] || fail "--file-list0: $(cat out)"
printf 'clean.txt\n' | "$RAQUET" scan --no-summary --file-list=- > out 2> err
[ "$(cat out)" = "clean.txt: OK" ] || fail "--file-list=-: $(cat out)"
expect_exit 2 "$RAQUET" scan -f no-such-list
expect_grep 'no-such-list' err

# no path: the current folder, by its full path
mkdir here && echo x > here/f
(cd here && "$RAQUET" scan --no-summary > ../out 2> ../err)
expect_grep "^$WORK/here/f: OK\$" out

# option errors name the option and exit 2
expect_exit 2 "$RAQUET" scan --no-such-option clean.txt
expect_grep "unknown option '--no-such-option'" err
expect_exit 2 "$RAQUET" scan -Q clean.txt
expect_grep "unknown option '-Q'" err
expect_exit 2 "$RAQUET" scan --database
expect_grep "option '--database' needs a value" err
expect_exit 2 "$RAQUET" scan --no-summary=yes clean.txt
expect_grep "takes no value" err
expect_exit 2 "$RAQUET" scan --threads=lots clean.txt
expect_exit 2 "$RAQUET" scan --follow-dir-symlinks=3 clean.txt
expect_exit 2 "$RAQUET" frobnicate
expect_grep "unknown command 'frobnicate'" err

# accepted spellings: --opt value, -dVALUE, grouped flags, sizes, "--"
echo "$(md5sum < clean.txt | cut -d' ' -f1):$(stat -c %s clean.txt):Test.Clean.Hdb" > sigs.hdb
expect_exit 1 "$RAQUET" scan --database sigs.hdb --no-summary clean.txt
expect_exit 1 "$RAQUET" scan -dsigs.hdb --no-summary clean.txt
expect_exit 1 "$RAQUET" scan -zid sigs.hdb --no-summary clean.txt
expect_exit 0 "$RAQUET" scan --max-filesize=2K --max-scansize 1M --max-recursion=3 --max-files=5 --max-ratio=9 -j 2 --no-summary clean.txt
echo clean > ./-dash
expect_exit 0 "$RAQUET" scan --no-summary -- -dash
expect_grep '^-dash: OK$' out
expect_exit 0 "$RAQUET" scan --stdout --recursive=no --cross-fs=yes --no-summary clean.txt

# signature problems: warning (go on) or, with --strict, exit 2
printf 'zz:1:Broken\n' > bad.hdb
expect_exit 0 "$RAQUET" scan -d bad.hdb --no-summary clean.txt
expect_grep '^LibRaquet warning: bad.hdb:1: ' err
expect_exit 2 "$RAQUET" scan --strict -d bad.hdb --no-summary clean.txt
expect_grep 'bad.hdb:1' err
expect_exit 2 "$RAQUET" scan -d no-such.hdb clean.txt
RAQUET_DB=sigs.hdb expect_exit 1 "$RAQUET" scan --no-summary clean.txt

# version and help
expect_exit 0 "$RAQUET" --version
expect_grep '^raquet [0-9]+\.[0-9]+\.[0-9]+$' out
expect_exit 0 "$RAQUET" scan --version
expect_grep '^raquet [0-9]+\.[0-9]+\.[0-9]+$' out
expect_exit 0 "$RAQUET" scan --help
expect_grep '^Usage: raquet scan' out
expect_grep '--max-filesize=SIZE' out
expect_exit 0 "$RAQUET" help scan
expect_grep '^Usage: raquet scan' out
expect_exit 0 "$RAQUET" help
expect_grep '^Usage: raquet COMMAND' out
expect_exit 2 "$RAQUET"

finish
