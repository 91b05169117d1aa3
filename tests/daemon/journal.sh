#!/bin/sh
# The daemon reads a journal jail: sshd failures written to a journal
# directory after start get the address banned; a restart resumes at
# the stored cursor, so no entry is counted twice.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
REMOTE=/lib/systemd/systemd-journal-remote
[ -x "$REMOTE" ] || { echo "systemd-journal-remote missing"; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 77; }
T=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/conf/jails.d" "$T/journal" "$T/stage"
ln -s "$TOP/filters.d" "$T/conf/filters.d"
cat > "$T/conf/abusemom.conf" <<EOT
[daemon]
socket = $T/sock
database = $T/db/abusemom.db
journal_dir = $T/journal
[firewall]
backend = none
[ignore]
ignore_self = no
EOT
cat > "$T/conf/jails.d/sshd.conf" <<EOT
[sshd]
enabled      = yes
logpath      = journal
journalmatch = SYSLOG_IDENTIFIER=sshd SYSLOG_IDENTIFIER=sshd-session
filter       = sshd
signatures   = authfail
EOT
# export FILE ADDR COUNT: COUNT failed logins of ADDR, stamped now;
# each file's entries come after the last file's, as journald writes.
mono=5000000000
base=$(( $(date +%s) - 120 ))
export_entries() {
	base=$((base + 30))
	now=$base
	mono=$((mono + 1000000000))
	i=0
	: > "$1"
	while [ $i -lt "$3" ]; do
		us=$(( (now + i) * 1000000 ))
		cat >> "$1" <<EOT
__REALTIME_TIMESTAMP=$us
__MONOTONIC_TIMESTAMP=$(( mono + i ))
_BOOT_ID=5249600957e5465d88e372e66fe86f1c
_HOSTNAME=web01
SYSLOG_IDENTIFIER=sshd-session
_PID=$(( 4000 + i ))
MESSAGE=Failed password for root from $2 port $(( 40000 + i )) ssh2

EOT
		i=$((i + 1))
	done
}
journal() {
	"$REMOTE" -o "$T/stage/$1.journal" - < "$2" >/dev/null 2>&1 &&
	    mv "$T/stage/$1.journal" "$T/journal/$1.journal"
}
start() {
	"$TOP/$BUILD/abusemomd" -v -c "$T/conf" >>"$T/log" 2>&1 &
	pid=$!
	n=0
	while ! grep -q "abusemomd started" "$T/log" 2>/dev/null; do
		n=$((n + 1)); [ $n -gt 100 ] && { cat "$T/log"; exit 1; }
		sleep 0.1
	done
}
q() { sqlite3 "$T/db/abusemom.db" "$1"; }

export_entries "$T/old.export" 198.51.100.66 5
journal old "$T/old.export"
start
# Written before start and never seen: the reader starts at the tail.
export_entries "$T/new.export" 198.51.100.77 5
journal new "$T/new.export" || exit 1
n=0
until q "select name from ban where subnet = 0" | grep -q 198.51.100.77; do
	n=$((n + 1)); [ $n -gt 50 ] && { cat "$T/log"; echo "no ban"; exit 1; }
	sleep 0.1
done
q "select name from ban" | grep -q 198.51.100.66 &&
    { echo "old entries were read"; exit 1; }
hits=$(q "select hits from offender where name = '198.51.100.77'")
[ "$hits" = 5 ] || { echo "hits $hits, want 5"; exit 1; }
kill "$pid"; wait "$pid"; pid=""
start
export_entries "$T/more.export" 198.51.100.77 2
journal more "$T/more.export"
sleep 1
kill "$pid"; wait "$pid"; pid=""
hits=$(q "select hits from offender where name = '198.51.100.77'")
[ "$hits" = 7 ] || { cat "$T/log"; echo "hits $hits after restart, want 7"; exit 1; }
echo "journal jail: ban and cursor resume ok"
