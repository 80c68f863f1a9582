#!/usr/bin/env bash
# Every option of `raquet agent --help` is documented in the `raquet agent`
# section of docs/cli.md and in raquet-agent.1, and every option of
# `raquetd --help` in docs/man/raquetd.8; the docs name no option that
# does not exist.
source "$(dirname "$0")/lib.sh"
src=${RQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
md=$src/docs/cli.md

options_of() { # HELP_FILE -> the long options it lists
	grep -o -E '^ +(-[a-zA-Z], )?--[a-z0-9-]+' "$1" | sed -E 's/.*(--[a-z0-9-]+)$/\1/' | sort -u
}
check() { # HELP_FILE DOC_TEXT... : each option in each doc
	local help=$1 opt doc
	shift
	while read -r opt; do
		for doc in "$@"; do
			grep -q -E -- "${opt}([^a-z0-9-]|\$)" "$doc" || fail "$opt is not documented in $doc"
		done
	done < <(options_of "$help")
}

"$RAQUET" agent --help > help-agent.txt || fail "raquet agent --help failed"
"$RAQUETD" --help > help-raquetd.txt || fail "raquetd --help failed"
[ "$(options_of help-agent.txt | wc -l)" -ge 9 ] || fail "too few options: $(options_of help-agent.txt)"
awk '/^# `raquet agent`/ { on = 1; print; next } on && /^# / { exit } on { print }' "$md" > agent_md.txt
[ -s agent_md.txt ] || fail "docs/cli.md has no '# \`raquet agent\`' section"
sed 's/\\-/-/g' "$src/docs/man/raquet-agent.1" > agent_man.txt
sed 's/\\-/-/g' "$src/docs/man/raquetd.8" > raquetd_man.txt
check help-agent.txt agent_md.txt agent_man.txt
check help-raquetd.txt raquetd_man.txt
# the options table names only real options
grep -o -E '^\| `--[a-z0-9-]+' agent_md.txt | sed 's/^| `//' | sort -u > documented.txt
while read -r opt; do
	options_of help-agent.txt | grep -q -x -- "$opt" || fail "docs/cli.md documents $opt, which raquet agent --help does not know"
done < documented.txt
finish
