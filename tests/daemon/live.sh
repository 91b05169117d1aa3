#!/bin/sh
# The daemon on files as they are written: a CRLF log, a file that
# appears after start (read from its beginning), garbage lines counted
# and skipped, a partial line held until its newline.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
T=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$T/log"; exit 1; }
mkdir -p "$T/conf/jails.d" "$T/logs"
ln -s "$TOP/filters.d" "$T/conf/filters.d"
cat > "$T/conf/abusemom.conf" <<EOT
[daemon]
socket = $T/sock
database = $T/abusemom.db
[firewall]
backend = none
[ignore]
ignore_self = no
EOT
cat > "$T/conf/jails.d/web.conf" <<EOT
[web]
enabled    = yes
logpath    = $T/logs/*.log
filter     = nginx-access
signatures = ratio404 danger
EOT
printf 'old line before start\n' > "$T/logs/a.log"
"$TOP/$BUILD/abusemomd" -c "$T/conf" > "$T/log" 2>&1 &
pid=$!
n=0
until "$TOP/$BUILD/abusemom-ctl" -s "$T/sock" ping >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -gt 100 ] && fail "daemon did not start"
	sleep 0.1
done
now=$(date -u +%d/%b/%Y:%H:%M:%S)
line() { printf '%s - - [%s +0000] "GET %s HTTP/1.1" 404 1 "-" "x"%s\n' \
    "$1" "$now" "$2" "$3"; }
# CRLF lines in the file that was there at start.
for p in /.env /.git/config /.aws/credentials; do
	line 198.51.100.21 "$p" "$(printf '\r')"
done >> "$T/logs/a.log"
printf 'garbage\r\n\001\002\n' >> "$T/logs/a.log"
# A new file, written before the daemon saw it, and a partial line.
for p in /.env /.git/config; do line 198.51.100.22 "$p" ""; done \
    > "$T/logs/b.log"
printf '%s' "$(line 198.51.100.22 /.ssh/id_rsa '')" >> "$T/logs/b.log"
q() { sqlite3 "$T/abusemom.db" "$1"; }
n=0
until [ "$(q "select score from offender where name = '198.51.100.21'")" = 90 ]
do
	n=$((n + 1)); [ $n -gt 50 ] && fail "CRLF lines not scored"
	sleep 0.1
done
n=0
until [ "$(q "select score from offender where name = '198.51.100.22'")" = 60 ]
do
	n=$((n + 1)); [ $n -gt 50 ] && fail "new file not read from its start"
	sleep 0.1
done
sleep 0.3
[ "$(q "select score from offender where name = '198.51.100.22'")" = 60 ] ||
    fail "a partial line was scored"
printf '\n' >> "$T/logs/b.log"
n=0
until [ "$(q "select score from offender where name = '198.51.100.22'")" = 90 ]
do
	n=$((n + 1)); [ $n -gt 50 ] && fail "completed line not scored"
	sleep 0.1
done
# A line stamped an hour ahead counts at its arrival, and is counted.
later=$(date -u -d '+1 hour' +%d/%b/%Y:%H:%M:%S)
printf '198.51.100.23 - - [%s +0000] "GET /.env HTTP/1.1" 404 1 "-" "x"\n' \
    "$later" >> "$T/logs/b.log"
n=0
until "$TOP/$BUILD/abusemom-ctl" -s "$T/sock" stats |
    grep -q '^abusemom_lines_future_total 1$'; do
	n=$((n + 1)); [ $n -gt 50 ] && fail "future line not counted"
	sleep 0.1
done
last=$(q "select last_ms from offender where name = '198.51.100.23'")
[ $((last / 1000)) -le $(($(date +%s) + 5)) ] ||
    fail "future line scored at its own time $last"
"$TOP/$BUILD/abusemom-ctl" -s "$T/sock" --json status > "$T/status" ||
    fail "status"
python3 - "$T/status" <<'EOT' || fail "counters"
import json, sys
j = json.load(open(sys.argv[1]))["jails"][0]
# a.log: 3 lines + 2 garbage (the old line is before the start point);
# b.log: 3 lines and the future one.
assert j["lines"] == 9, j
assert j["unparsed"] == 2, j
EOT
"$TOP/$BUILD/abusemom-ctl" -s "$T/sock" --json status web > "$T/status" ||
    fail "status web"
python3 - "$T/status" "$T/logs" <<'EOT' || fail "per-file counters"
import json, sys
files = {f["path"]: f for f in json.load(open(sys.argv[1]))["jail"]["files"]}
a, b = files[sys.argv[2] + "/a.log"], files[sys.argv[2] + "/b.log"]
assert a["unparsed"] == 2 and b["unparsed"] == 0, files
EOT
"$TOP/$BUILD/abusemom-ctl" -s "$T/sock" stats --prometheus |
    grep -q "^abusemom_file_unparsed_total{file=\"$T/logs/a.log\"} 2$" ||
    fail "prometheus per-file unparsed"
echo "live: ok"
