#!/bin/sh
# The style check: 80 columns, banned functions, no bare TODO/FIXME.
rc=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || ls src/*.[ch] abusemom-ctl/*.[ch] tests/*/*.[ch])
for f in $files; do
	[ -f "$f" ] || continue
	expand "$f" | awk -v f="$f" 'length > 80 {
	    printf "%s:%d: longer than 80 columns\n", f, NR; bad = 1 }
	    END { exit bad }' || rc=1
	grep -nE '\<(strcpy|strcat|sprintf|vsprintf|strtok|gets|system|popen|select|atoi|atol)[[:space:]]*\(' "$f" |
	    grep -vE '^\s*[0-9]+:\s*(/\*|\*)' |
	    sed "s|^|$f:|; s|\$|  (banned function)|" | grep . && rc=1
	grep -nE '\<(TODO|FIXME)\>' "$f" | sed "s|^|$f:|; s|\$|  (bare mark)|" |
	    grep . && rc=1
done
[ "$rc" = 0 ] && echo "style: ok"
exit $rc
