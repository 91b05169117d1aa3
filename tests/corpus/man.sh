#!/bin/sh
# The manual pages: mandoc -Tlint finds nothing at warning level, every
# key of the key tables of src/conf.c is documented in abusemom.conf(5),
# and every command of the protocol table in abusemom-ctl(8).
TOP=${TOP:-$(pwd)}
cd "$TOP" || exit 1

if ! command -v mandoc >/dev/null 2>&1; then
	echo "skipped: mandoc is not installed"
	exit 77
fi

fail=0
pages="man/abusemomd.8 man/abusemom-ctl.8 man/abusemom.conf.5"

for p in $pages; do
	if [ ! -f "$p" ]; then
		echo "FAIL: $p is missing"
		fail=1
		continue
	fi
	out=$(mandoc -Tlint -W warning "$p" 2>&1)
	if [ -n "$out" ]; then
		echo "FAIL: mandoc -Tlint $p:"
		echo "$out"
		fail=1
	fi
done

# The keys of one table: the second string of each row, a row being
# '{ "section", "key", ...' or '{ NULL, "key", ...'.
table_keys() {
	awk -v t="$1" '
	    $0 ~ "^static const struct conf_key " t "\\[\\]" { on = 1; next }
	    on && /^};/ { on = 0 }
	    on && /^[ \t]*\{ *(NULL|"[^"]*") *, *"/ {
		s = $0
		sub(/^[ \t]*\{ *(NULL|"[^"]*") *, *"/, "", s)
		sub(/".*/, "", s)
		print s
	    }' src/conf.c
}

# A documented key is the argument of a .It Cm line, alone or in a list
# ".It Cm a , b , c Pq ...".
doc_keys() {
	awk '/^\.It Cm / {
		s = $0
		sub(/^\.It Cm /, "", s)
		sub(/ Pq .*/, "", s)
		gsub(/ *, */, " ", s)
		n = split(s, w, " ")
		for (i = 1; i <= n; i++)
			print w[i]
	    }' "$1"
}

doc=$(mktemp) || exit 1
doc_keys man/abusemom.conf.5 | sort -u >"$doc"
nkeys=0
for t in main_keys jail_keys filter_keys; do
	keys=$(table_keys $t)
	if [ -z "$keys" ]; then
		echo "FAIL: no keys found in table $t of src/conf.c"
		fail=1
	fi
	for k in $keys; do
		nkeys=$((nkeys + 1))
		if ! grep -qxF "$k" "$doc"; then
			echo "FAIL: key $k ($t) is not documented in" \
			    "abusemom.conf.5"
			fail=1
		fi
	done
done
rm -f "$doc"

# The commands of the protocol table: '{ "name", "usage", ...' rows of
# proto_table in src/proto.c; each must be the head of an .It Cm line.
cmds=$(awk '
    /^static const struct proto_cmd proto_table\[\]/ { on = 1; next }
    on && /^};/ { on = 0 }
    on && /^\t\{ "[a-z]+", "/ {
	s = $0
	sub(/^\t\{ "/, "", s)
	sub(/".*/, "", s)
	print s
    }' src/proto.c)
if [ -z "$cmds" ]; then
	echo "FAIL: no commands found in proto_table of src/proto.c"
	fail=1
fi
# The client's own table must name the same commands.
ctlcmds=$(awk '
    /^static struct ctl_cmd ctl_cmds\[\]/ { on = 1; next }
    on && /^};/ { on = 0 }
    on && /^\t\{ "/ { s = $0; sub(/^\t\{ "/, "", s); sub(/".*/, "", s);
	print s }' abusemom-ctl/ctl.c)
ncmds=0
for c in $(printf '%s\n' $cmds $ctlcmds | sort -u); do
	ncmds=$((ncmds + 1))
	if ! grep -q "^\.It Cm $c\( \|$\)" man/abusemom-ctl.8 2>/dev/null
	then
		echo "FAIL: command $c is not documented in abusemom-ctl.8"
		fail=1
	fi
done

[ $fail -eq 0 ] && echo "ok: 3 pages lint clean, $nkeys keys and" \
    "$ncmds commands documented"
exit $fail
