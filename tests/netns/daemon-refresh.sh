#!/bin/sh
# A restart with our table still in the kernel writes every active ban
# of the store again: one deleted by hand while the daemon was down is
# back, with its remaining time, and the rest are kept.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "needs root for a network namespace"; exit 77; }
command -v nft >/dev/null || { echo "nft missing"; exit 77; }
NS=amrefresh$$
T=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$T/log"; exit 1; }
ip netns add $NS || exit 1
ip netns exec $NS ip link set lo up
mkdir "$T/jails.d"
printf '[daemon]\nsocket = %s/sock\ndatabase = %s/db\n' "$T" "$T" \
    > "$T/abusemom.conf"
start() {
	ip netns exec $NS "$TOP/$BUILD/abusemomd" -c "$T" >> "$T/log" 2>&1 &
	pid=$!
	n=0
	until "$TOP/$BUILD/abusemom-ctl" -s "$T/sock" ping >/dev/null 2>&1; do
		n=$((n + 1)); [ $n -gt 100 ] && fail "daemon did not start"
		sleep 0.1
	done
}
stop() { kill "$pid"; wait "$pid"; pid=""; }
elems() { ip netns exec $NS nft list set inet abusemom "$1"; }
start
C() { "$TOP/$BUILD/abusemom-ctl" -s "$T/sock" "$@" >/dev/null || fail "$*"; }
C ban 198.51.100.10 --time 1h
C ban 198.51.100.11 --time 1h
C ban 2001:db8:5::1 --time 1h
stop
ip netns exec $NS nft delete element inet abusemom ban4 '{ 198.51.100.10 }' ||
    fail "could not delete the element by hand"
elems ban4 | grep -q 198.51.100.10 && fail "element still there"
start
elems ban4 | grep -q '198.51.100.10 timeout' || fail "deleted ban not back"
elems ban4 | grep -q '198.51.100.11 timeout' || fail "kept ban lost"
elems ban6 | grep -q '2001:db8:5::/64 timeout' || fail "IPv6 ban lost"
grep -q "table kept, 3 bans written again" "$T/log" ||
    fail "the restart did not keep the table"
stop
echo "refresh: ok"
