#!/bin/sh
# The control socket, black-box: a daemon on a temporary configuration
# (backend none) with one jail on a temporary log, queried over its real
# socket with abusemom-ctl and raw python3 clients. Covers every command
# in text and JSON, permissions of a non-member, malformed and oversized
# requests, 200 clients at once, reloads, and the covering subnet ban.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
D="$TOP/$BUILD/abusemomd"
CTL="$TOP/$BUILD/abusemom-ctl"
[ -x "$D" ] && [ -x "$CTL" ] || { echo "abusemomd not built"; exit 77; }
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root for the peer checks"; exit 77; }
command -v setpriv >/dev/null || { echo "no setpriv"; exit 77; }
getent group nogroup >/dev/null || { echo "no group nogroup"; exit 77; }

T=$(mktemp -d /tmp/abusemom-ctl.XXXXXX) || exit 1
chmod 755 "$T"
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	[ -f "$T/daemon.log" ] && tail -n 30 "$T/daemon.log"
	exit 1
}

S="$T/ctl.sock"
C() { "$CTL" -s "$S" "$@"; }
# Runs abusemom-ctl, expects exit status $1; output in $T/out, $T/err.
expect() {
	want=$1
	shift
	"$CTL" -s "$S" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$want" ] || { cat "$T/out" "$T/err"
	    fail "abusemom-ctl $*: exit $rc, wanted $want"; }
}
has() {
	grep -qF -- "$1" "$T/out" "$T/err" || { cat "$T/out" "$T/err"
	    fail "no \"$1\" in the output of the last command"; }
}
hasnt() {
	! grep -qF -- "$1" "$T/out" || { cat "$T/out"
	    fail "\"$1\" in the output of the last command"; }
}
# Waits (up to 10 s) until the command's output holds the text.
wait_for() {
	text=$1
	shift
	i=0
	while [ $i -lt 100 ]; do
		C "$@" >"$T/out" 2>"$T/err" && grep -qF -- "$text" "$T/out" &&
		    return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$T/out" "$T/err"
	fail "timed out waiting for \"$text\" from $*"
}

write_conf() {
	cat >"$T/abusemom.conf" <<EOF
[daemon]
socket = $S
socket_group = nogroup
database = $T/db/abusemom.db
metrics_file = $T/metrics.prom
[firewall]
backend = none
[ignore]
addresses = $1
EOF
}

mkdir -p "$T/jails.d" "$T/db"
ln -s "$TOP/filters.d" "$T/filters.d"
write_conf 203.0.113.128/25
cat >"$T/jails.d/web.conf" <<EOF
[web]
enabled    = yes
logpath    = $T/access.log
filter     = nginx-access
signatures = ratio404 danger probe302 burst
window     = 10m
EOF
: >"$T/access.log"

"$D" -c "$T" >"$T/daemon.log" 2>&1 &
pid=$!
wait_for pong ping

# A second daemon on the same socket refuses to start.
"$D" -c "$T" >"$T/second.log" 2>&1 && fail "a second daemon started"
grep -q "another daemon" "$T/second.log" || { cat "$T/second.log"
    fail "second daemon: no clear message"; }
C ping >/dev/null || fail "the first daemon lost its socket"
[ "$(stat -c %a "$S")" = 660 ] || fail "socket mode $(stat -c %a "$S")"
[ "$(stat -c %G "$S")" = nogroup ] || fail "socket group $(stat -c %G "$S")"

# Traffic that bans 203.0.113.9 on its own.
now=$(date -u +%d/%b/%Y:%H:%M:%S)
i=0
while [ $i -lt 40 ]; do
	echo "203.0.113.9 - - [$now +0000] \"GET /wp-admin/x$i.php HTTP/1.1\"" \
	    "404 153 \"-\" \"curl/8.0\""
	i=$((i + 1))
done >>"$T/access.log"
echo "198.51.100.4 - - [$now +0000] \"GET /index.html HTTP/1.1\" 200 5" \
    "\"-\" \"Mozilla/5.0\"" >>"$T/access.log"
wait_for 203.0.113.9/32 list

# ping, version
expect 0 ping; has pong
expect 0 --json ping; has '"ok":true'; has '"pong":true'
expect 0 version; has "abusemomd 0.1"
expect 0 --json version; has '"version":"'

# status, status JAIL
expect 0 status; has "backend none"; has "web"; has "tracked addresses: 2"
expect 0 --json status
python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
j = a["jails"][0]
assert a["ok"] and a["backend"] == "none" and not a["table_ok"], a
assert a["sets"]["ban4"] == 1 and a["tracked"] == 2, a
assert j["name"] == "web" and j["nfiles"] == 1 and j["lines"] == 41, j
assert j["unparsed"] == 0 and j["banned"] == 1 and j["total_banned"] == 1, j
assert j["hits"] > 0, j
' "$T/out" || fail "status --json"
expect 0 status web
has "Status for the jail: web"; has "$T/access.log (41 lines, 0 unparsed)"
has "Currently banned:	1"; has "Banned IP list:	203.0.113.9/32"
expect 0 --json status web; has '"banned_list":["203.0.113.9/32"]'
expect 1 status nosuch; has "no jail named nosuch"

# list
expect 0 list; has "203.0.113.9/32"; has "ban4"; has "auto"
expect 0 list --jail nosuch; has "no active bans"
expect 0 --json list --jail web
python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["bans"]
assert len(b) == 1 and b[0]["prefix"] == "203.0.113.9/32", b
assert b[0]["set"] == "ban4" and b[0]["jail"] == "web", b
assert b[0]["score"] >= 100 and b[0]["count"] == 1, b
assert 3500 < b[0]["expires_in"] <= 3600, b
' "$T/out" || fail "list --json"

# top
expect 0 top; has 203.0.113.9; has "195"; has "critical"
expect 0 --json top -n 1 --by hits
python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["offenders"]
assert len(o) == 1 and o[0]["addr"] == "203.0.113.9" and o[0]["banned"], o
' "$T/out" || fail "top --json"
expect 2 top -n 0

# report
expect 0 report 203.0.113.9; has "203.0.113.9"; has "Signatures"
expect 0 report 203.0.113.9 --format json
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert "203.0.113.9" in json.dumps(r), r
' "$T/out" || fail "report --format json is not JSON"
expect 0 --json report 203.0.113.9 --format html; has '"format":"html"'
expect 1 report 203.0.113.250; has "not been seen"
expect 2 report 203.0.113.0/24

# ban: the rules, then a real one
expect 1 ban 10.0.0.0/8; has "wider than /16"
expect 1 ban 2001:db8::/24; has "wider than /32"
expect 1 ban 203.0.113.200; has "ignore list (203.0.113.128/25)"
expect 1 ban 127.0.0.1; has "own address 127.0.0.1"
expect 2 ban 198.51.100.77 --jail subnet; has "kept for subnet escalation"
expect 0 list; hasnt 10.0.0.0; hasnt 203.0.113.200
# A reason is one line: a newline in it becomes a space.
expect 0 ban 198.51.100.7 --reason "by
hand"; has "banned 198.51.100.7/32"
grep -q "ban addr=198.51.100.7/32 jail=manual by=uid:0 ttl=3600" \
    "$T/daemon.log" || fail "no notice line for the manual ban"
expect 0 --json list
python3 -c '
import json, sys
b = {x["prefix"]: x for x in json.load(open(sys.argv[1]))["bans"]}
m = b["198.51.100.7/32"]
assert m["by"] == "uid 0" and m["reason"] == "by hand", m
assert m["jail"] == "manual", m
' "$T/out" || fail "list: the manual ban"
expect 0 --json ban 2001:db8::5 --time 10m; has '"prefix":"2001:db8::/64"'
has '"ttl":600'
expect 0 ban 10.0.0.0/8 --force --time 1m
expect 0 unban 10.0.0.0/8
expect 2 ban 198.51.100.7 --time 5x
expect 2 ban not-an-address
expect 2 ban

# unban: a covering subnet ban is named
expect 0 ban 198.51.100.0/24 --jail manual
expect 1 unban 198.51.100.9; has "198.51.100.0/24"
expect 0 unban 198.51.100.7; has "unbanned 198.51.100.7/32"
has "still inside the ban of 198.51.100.0/24"
expect 1 unban 192.0.2.99; has "not banned"
expect 0 --json list; hasnt '"198.51.100.7/32"'; has '"198.51.100.0/24"'
expect 0 unban --all --jail manual; has "lifted 2 bans"
expect 0 list; hasnt 198.51.100.0/24; hasnt 2001:db8::; has 203.0.113.9
expect 2 unban
expect 2 unban 198.51.100.7 --all

# stats and the metrics file
expect 0 stats --prometheus
has "abusemom_file_lines_total{file=\"$T/access.log\"} 41"
has 'abusemom_bans_active{set="ban4"} 1'
has 'abusemom_bans_total{jail="web",reason="auto"} 1'
has 'abusemom_bans_total{jail="manual",reason="manual"} 4'
has 'abusemom_signature_hits_total{signature="danger"}'
has "abusemom_loop_latency_seconds"
has "# TYPE abusemom_bans_total counter"
expect 0 --json stats --prometheus; has '"format":"prometheus"'
expect 0 stats; has 'abusemom_bans_active{set="ban4"} 1'
grep -q '^#' "$T/out" && fail "plain stats carry comment lines"
expect 0 --json stats; has '"format":"plain"'
i=0
while [ ! -f "$T/metrics.prom" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q '^abusemom_uptime_seconds ' "$T/metrics.prom" ||
    fail "metrics file not written"

# A non-member: nobody in group nogroup may read, not change.
cp "$CTL" "$T/ctl"
chmod 755 "$T/ctl"
asnobody() {
	setpriv --reuid nobody --regid nogroup --clear-groups \
	    "$T/ctl" -s "$S" "$@" >"$T/out" 2>"$T/err"
}
asnobody ping || fail "nobody (group nogroup) cannot ping"
# The bans as prefix, jail and count: expires_in ticks on its own.
bans() {
	C --json list | python3 -c '
import json, sys
print(sorted((b["prefix"], b["jail"], b["count"])
    for b in json.load(sys.stdin)["bans"]))'
}
before=$(bans)
for cmd in "ban 198.51.100.77" "unban 203.0.113.9" "unban --all" reload; do
	# shellcheck disable=SC2086
	asnobody $cmd
	rc=$?
	[ "$rc" = 3 ] || fail "nobody: $cmd: exit $rc, wanted 3"
	has "permission denied"
done
[ "$(bans)" = "$before" ] || fail "a refused command changed bans"
setpriv --reuid nobody --regid daemon --clear-groups "$T/ctl" -s "$S" \
    ping >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 3 ] || fail "outside the socket group: exit $rc, wanted 3"
has "permission denied"

# Malformed, oversized and many clients, raw.
python3 - "$S" <<'EOF' || fail "raw clients"
import json, socket, sys

path = sys.argv[1]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(30)
    return s, s.makefile("rb")

def ask(s, f, raw):
    s.sendall(raw)
    return json.loads(f.readline())

a, af = conn()
b, bf = conn()
r = ask(a, af, b"this is not json\n")
assert not r["ok"] and r["code"] == "usage" and "malformed" in r["error"], r
r = ask(a, af, b'{"cmd":"explode"}\n')
assert not r["ok"] and "unknown command" in r["error"], r
r = ask(a, af, b'{"cmd":"ban","args":{"addr":"198.51.100.1","x":1}}\n')
assert not r["ok"] and "unknown argument" in r["error"], r
r = ask(a, af, b'{"cmd":"ping"}\n')
assert r["ok"], r
# Half a request on b, then an oversized one on a: b is still served.
b.sendall(b'{"cmd":')
a.sendall(b"x" * 70000)
r = json.loads(af.readline())
assert not r["ok"] and "longer than 65536" in r["error"], r
assert af.readline() == b"", "oversized client kept open"
r = ask(b, bf, b'"ping"}\n')
assert r["ok"] and r["pong"], r
# Two requests in one write get two answers in order.
b.sendall(b'{"cmd":"ping"}\n{"cmd":"version"}\n')
assert json.loads(bf.readline())["pong"]
assert json.loads(bf.readline())["version"]
# 200 clients at once.
many = [conn() for _ in range(200)]
for s, f in many:
    s.sendall(b'{"cmd":"status"}\n')
for s, f in many:
    r = json.loads(f.readline())
    assert r["ok"] and r["jails"][0]["name"] == "web", r
    s.close()
b.close()
EOF
C ping >/dev/null || fail "daemon gone after the raw clients"

# reload with a broken file keeps the old configuration
printf '[web2]\nenabled = yes\nlogpath = %s/access.log\nfilter = nope\n' \
    "$T" >"$T/jails.d/broken.conf"
expect 1 reload; has "reload refused"; has "broken.conf"
expect 0 status; has "web"; hasnt "web2"
expect 0 list; has 203.0.113.9
rm -f "$T/jails.d/broken.conf"

# reload that ignores 203.0.113.0/24 lifts the ban inside it
expect 0 ban 198.51.100.0/24 --jail manual
write_conf "203.0.113.0/24"
expect 0 reload; has "configuration reloaded: 1 jails"
expect 0 list; hasnt 203.0.113.9; has 198.51.100.0/24
expect 1 ban 203.0.113.9; has "ignore list (203.0.113.0/24)"

kill "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" = 0 ] || fail "daemon exit status $rc"
[ ! -e "$S" ] || fail "socket left behind"
echo "ctl-socket: ok"
exit 0
