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

# options named in the docs' option tables exist
grep -o -E '^\| `--[a-z0-9-]+' "$md" | sed 's/^| `//' | sort -u > documented.txt
grep -o -E '^\| `-[a-zA-Z]`, `--[a-z0-9-]+' "$md" | sed -E 's/.*`(--[a-z0-9-]+)$/\1/' >> documented.txt
while read -r opt; do
	grep -q -x -- "$opt" options.txt || fail "docs/cli.md documents $opt, which --help does not know"
done < documented.txt

finish
