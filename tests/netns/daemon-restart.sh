#!/bin/sh
# kill -9 mid-stream: lines are appended to the watched log while the
# daemon is killed and started again on the same config. Afterwards the
# bans are in the kernel and in the store, and the bans and per-address
# hit counts equal those of one uninterrupted run over the same lines
# (`abusemomd --replay` of the final log): no line read twice, none
# skipped, no hit lost.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
. tests/demo/common.subr
am_reexec tests/netns/daemon-restart.sh
am_need ip nft sqlite3 python3
[ -x "$BUILD/abusemomd" ] || am_skip "$BUILD/abusemomd not built"

tmp=$(mktemp -d) || exit 1
writer=
trap '[ -n "$writer" ] && kill $writer 2>/dev/null; am_net_down;
    rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT PIPE TERM
am_net_up || exit 1
log=$tmp/access.log
: >"$log"
am_conf "$tmp/etc" "$log"
db=$tmp/etc/abusemom.db
dlog=$tmp/etc/daemon.log

# 40 addresses in two /24s, twelve lines each, interleaved: every
# address has lines before and after the kill, and its last lines raise
# no signature any more.
ua="sqlmap/1.7.2#stable (https://sqlmap.org)"
for k in $(seq 1 12); do
	case $k in
	1) p=/.env ;; 2) p=/.git/config ;; 3) p=/wp-login.php ;;
	4) p=/.aws/credentials ;; *) p=/page-$k.html ;;
	esac
	for n in $(seq 10 29); do
		am_line 203.0.113.$n $p 404 "$ua"
		am_line 198.51.100.$n $p 404 "$ua"
	done
done >"$tmp/lines"
total=$(wc -l <"$tmp/lines")

am_start "$tmp/etc" || { cat "$dlog"; exit 1; }
# The writer: ten lines every 50 ms.
(
	i=1
	while [ $i -le "$total" ]; do
		sed -n "$i,$((i + 9))p" "$tmp/lines" >>"$log"
		i=$((i + 10))
		sleep 0.05
	done
) &
writer=$!
sleep 0.5
kill -9 "$AM_DPID"
wait "$AM_DPID" 2>/dev/null
AM_DPID=
before=$(wc -l <"$log")
echo "killed with $before of $total lines written"
am_ok "the kill came mid-stream" test "$before" -gt 0 -a "$before" -lt "$total"
am_ok "bans in the store before the restart" \
    test "$(sqlite3 "$db" 'SELECT count(*) FROM ban')" -gt 0
sleep 0.2
am_start "$tmp/etc" || { cat "$dlog"; exit 1; }
wait $writer
writer=
size=$(wc -c <"$log")
i=0
until [ "$(sqlite3 "$db" 'SELECT off FROM position' 2>/dev/null)" = "$size" ]
do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
am_ok "the restarted daemon read to the end" \
    test "$(sqlite3 "$db" 'SELECT off FROM position')" = "$size"
sleep 0.3

# The kernel against the store, while it runs.
{ am_elems ban4; am_elems net4; } | sort >"$tmp/kernel"
sqlite3 "$db" "SELECT replace(name, '/32', '') FROM ban" | sort >"$tmp/store"
am_ok "kernel sets equal the store's bans ($(wc -l <"$tmp/store"))" \
    cmp -s "$tmp/kernel" "$tmp/store"
# The running daemon's own counts, when the control socket answers.
sx "$TOP/$BUILD/abusemom-ctl" -s "$tmp/etc/run/abusemom.sock" --json \
    top -n 1000 >"$tmp/top" 2>/dev/null || : >"$tmp/top"
am_stop

# The reference: one uninterrupted run, on a copy of the config.
cp -R "$tmp/etc" "$tmp/ref"
sed -i "s|^database .*|database = $tmp/ref/ref.db|" "$tmp/ref/abusemom.conf"
"$TOP/$BUILD/abusemomd" -c "$tmp/ref" --replay "$log" --json >"$tmp/replay" ||
    { echo "replay failed"; exit 1; }
python3 - "$tmp/replay" >"$tmp/want" <<'EOP'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["action"] in ("ban", "subnet-ban", "subnet_ban"):
        print("ban %s/%d" % (r["addr"], r["prefix"]))
    elif r["action"] == "offender":
        print("hits %s %d" % (r["addr"], r["hits"]))
EOP
sqlite3 -separator ' ' "$db" "SELECT 'ban', name FROM ban;
    SELECT 'hits', name, hits FROM offender" >"$tmp/got"
sort -o "$tmp/want" "$tmp/want"
sort -o "$tmp/got" "$tmp/got"
am_ok "replay decided bans ($(grep -c ^ban "$tmp/want"))" \
    grep -q ^ban "$tmp/want"
am_ok "the store's bans equal the replay's" \
    cmp -s "$(grep ^ban "$tmp/want" >"$tmp/w1"; echo "$tmp/w1")" \
    "$(grep ^ban "$tmp/got" >"$tmp/g1"; echo "$tmp/g1")"
am_ok "the store's hit counts equal the replay's ($(grep -c ^hits \
    "$tmp/want") addresses)" cmp -s \
    "$(grep ^hits "$tmp/want" >"$tmp/w2"; echo "$tmp/w2")" \
    "$(grep ^hits "$tmp/got" >"$tmp/g2"; echo "$tmp/g2")"
if [ -s "$tmp/top" ]; then
	python3 - "$tmp/top" <<'EOP' | sort >"$tmp/g3"
import json, sys
for o in json.load(open(sys.argv[1]))["offenders"]:
    print("hits %s %d" % (o["addr"], o["hits"]))
EOP
	am_ok "abusemom-ctl top's hit counts equal the replay's" \
	    cmp -s "$tmp/w2" "$tmp/g3"
else
	echo "note: control socket does not answer; top not compared"
fi
if [ $AM_FAILS -ne 0 ]; then
	echo "replay (-) against the store (+):"
	diff "$tmp/want" "$tmp/got" | grep '^[<>]' | head -n 20
fi
am_end "$dlog"
