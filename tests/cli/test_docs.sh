#!/usr/bin/env bash
# The option table is the source of truth: every long option printed by
# `raquet scan --help` must be documented in docs/cli.md and in the man page
# docs/man/raquet-scan.1, and the docs must not name options that do not exist.
. "$(dirname "$0")/lib.sh"

src=${RQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
md=$src/docs/cli.md
man=$src/docs/man/raquet-scan.1
[ -f "$md" ] || fail "missing $md"
[ -f "$man" ] || fail "missing $man"
sed 's/\\-/-/g' "$man" > man.txt

"$RAQUET" scan --help > help.txt || fail "--help failed"
grep -o -E '^ +(-[a-zA-Z], )?--[a-z0-9-]+' help.txt | sed -E 's/.*(--[a-z0-9-]+)$/\1/' | sort -u > options.txt
[ "$(wc -l < options.txt)" -ge 30 ] || fail "too few options parsed from --help: $(cat options.txt)"
while read -r opt; do
	grep -q -E -- "${opt}([^a-z0-9-]|\$)" "$md" || fail "$opt is not documented in docs/cli.md"
	grep -q -E -- "${opt}([^a-z0-9-]|\$)" man.txt || fail "$opt is not documented in raquet-scan.1"
done < options.txt

# short letters: "-d, --database" in --help must match the docs' pairing
grep -o -E '^ +-[a-zA-Z], --[a-z0-9-]+' help.txt | sed -E 's/^ +//' > pairs.txt
while read -r short long; do
	short=${short%,}
	grep -q -E -- "\`${short}\`, \`${long}" "$md" || fail "docs/cli.md lacks '$short, $long'"
	grep -q -E -- "^\.BR ${short} \", \" ${long}" man.txt || fail "raquet-scan.1 lacks '$short, $long'"
done < pairs.txt

# options named in the docs' option tables exist (the scan part: up to the next
# top-level heading)
awk 'NR > 1 && /^# / { exit } { print }' "$md" > scan_md.txt
table_options() { # MARKDOWN -> the options named in its tables
	grep -o -E '^\| `--[a-z0-9-]+' "$1" | sed 's/^| `//'
	grep -o -E '^\| `-[a-zA-Z]`, `--[a-z0-9-]+' "$1" | sed -E 's/.*`(--[a-z0-9-]+)$/\1/'
}
table_options scan_md.txt | sort -u > documented.txt
while read -r opt; do
	grep -q -x -- "$opt" options.txt || fail "docs/cli.md documents $opt, which --help does not know"
done < documented.txt

# `raquet update` and `raquet mirror publish`: their section of docs/cli.md and
# raquet-update.1 list every option of their --help, and name no other
uman=$src/docs/man/raquet-update.1
[ -f "$uman" ] || fail "missing $uman"
sed 's/\\-/-/g' "$uman" > uman.txt
awk '/^# `raquet update`/ { on = 1; print; next } on && /^# / { exit } on { print }' "$md" > update_md.txt
[ -s update_md.txt ] || fail "docs/cli.md has no '# \`raquet update\`' section"
: > uoptions.txt
for cmd in update mirror; do
	"$RAQUET" "$cmd" --help > "help-$cmd.txt" || fail "$cmd --help failed"
	grep -o -E '^ +(-[a-zA-Z], )?--[a-z0-9-]+' "help-$cmd.txt" | sed -E 's/.*(--[a-z0-9-]+)$/\1/' >> uoptions.txt
done
sort -u -o uoptions.txt uoptions.txt
[ "$(wc -l < uoptions.txt)" -ge 10 ] || fail "too few update/mirror options: $(cat uoptions.txt)"
while read -r opt; do
	grep -q -E -- "${opt}([^a-z0-9-]|\$)" update_md.txt || fail "$opt (update/mirror) is not documented in docs/cli.md"
	grep -q -E -- "${opt}([^a-z0-9-]|\$)" uman.txt || fail "$opt is not documented in raquet-update.1"
done < uoptions.txt
table_options update_md.txt | sort -u > udocumented.txt
while read -r opt; do
	grep -q -x -- "$opt" uoptions.txt || fail "docs/cli.md documents $opt, which update/mirror --help do not know"
done < udocumented.txt

finish
