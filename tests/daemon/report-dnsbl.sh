#!/bin/sh
# DNSBL status in the live report: a daemon with [dnsbl] pointing at a
# local dnsmasq serving bl.test, asked for a listed and a clean address,
# a zone nobody serves, --no-dnsbl, and a server that went away. Nothing
# leaves 127.0.0.1.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
dnsmasq=$(command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null)
[ -n "$dnsmasq" ] || { echo "dnsmasq is not installed"; exit 77; }
. "$TOP/tests/daemon/report-common.subr"

dns=""
dns_stop() {
	[ -n "$dns" ] && kill "$dns" 2>/dev/null && wait "$dns" 2>/dev/null
	dns=""
}
rep_extra_cleanup=dns_stop

try=0
while [ $try -lt 5 ]; do
	port=$((20000 + ($$ + try * 7919) % 40000))
	"$dnsmasq" --keep-in-foreground --no-resolv --no-hosts \
	    --pid-file= --user="$(id -un)" --group="$(id -gn)" \
	    --listen-address=127.0.0.1 --bind-interfaces --port=$port \
	    --local=/bl.test/ --log-queries \
	    --host-record=7.113.0.203.bl.test,127.0.0.2 \
	    --log-facility="$T/dnsmasq.log" 2>"$T/dnsmasq.err" &
	dns=$!
	sleep 1
	kill -0 "$dns" 2>/dev/null && break
	dns=""
	try=$((try + 1))
done
[ -n "$dns" ] || { cat "$T/dnsmasq.err"; fail "dnsmasq would not start"; }

rep_setup
write_conf "[dnsbl]
zones = bl.test other.test
server = 127.0.0.1:$port
timeout = 500"
rep_start
seed 203.0.113.7
scan 203.0.113.8 12
wait_for 203.0.113.8 top
wait_for 203.0.113.7/32 list

expect 0 report 203.0.113.7
has "bl.test: listed (127.0.0.2)"
has "other.test: no answer"
expect 0 report 203.0.113.7 --format json
python3 - "$T/out" <<'EOP' || fail "listed address"
import json, sys
d = json.load(open(sys.argv[1]))["dnsbl"]
assert d == [{"zone": "bl.test", "status": "listed", "answer": "127.0.0.2"},
    {"zone": "other.test", "status": "no_answer", "answer": None}], d
EOP
expect 0 report 203.0.113.8 --format json
python3 - "$T/out" <<'EOP' || fail "clean address"
import json, sys
d = json.load(open(sys.argv[1]))["dnsbl"]
assert [(x["zone"], x["status"]) for x in d] == [("bl.test", "clean"),
    ("other.test", "no_answer")], d
EOP
expect 0 report 203.0.113.8 --format html
has "clean"
expect 0 report 203.0.113.7 --format json --no-dnsbl
python3 -c 'import json, sys
assert json.load(open(sys.argv[1]))["dnsbl"] is None
' "$T/out" || fail "--no-dnsbl still asked"
grep -q "7.113.0.203.bl.test" "$T/dnsmasq.log" ||
    fail "dnsmasq saw no query"

# The server is gone: each zone times out once, then no answer.
dns_stop
expect 0 report 203.0.113.7
has "bl.test: no answer"
C ping >/dev/null || fail "daemon gone after the timeouts"

kill "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" = 0 ] || fail "daemon exit status $rc"
echo "report-dnsbl: ok"
exit 0
