#!/bin/sh
# The signature corpora: each tests/data/signatures/*.log names, in
# '#=' lines, the points each address must reach (or none) and, in '#!'
# lines, whether it is banned; replay must agree exactly.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
D="$TOP/tests/data/signatures"
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
rc=0
for f in "$D"/*.log; do
	out=$("$TOP/$BUILD/abusemomd" -c "$D/conf" --replay "$f" --json) || {
		echo "$f: replay failed"; rc=1; continue; }
	printf '%s\n' "$out" | python3 -c '
import json, sys
f = sys.argv[1]
got, bans = {}, set()
for line in sys.stdin:
    o = json.loads(line)
    if o["action"] == "offender":
        got[o["addr"]] = o["signatures"]
    elif o["action"] == "ban":
        bans.add(o["addr"])
bad = 0
for line in open(f):
    w = line.split()
    if line.startswith("#= "):
        addr, want = w[1], {}
        if w[2] != "none":
            want = {k: int(v) for k, v in (x.split("=") for x in w[2:])}
        have = got.get(addr, {})
        if have != want:
            print("%s: %s: want %s, got %s" % (f, addr, want, have))
            bad = 1
    elif line.startswith("#! "):
        if (w[2] == "ban") != (w[1] in bans):
            print("%s: %s: want %s" % (f, w[1], w[2]))
            bad = 1
sys.exit(bad)
' "$f" || rc=1
	[ $rc = 0 ] && echo "ok $(basename "$f")"
done
exit $rc
