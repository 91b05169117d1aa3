#!/bin/sh
# The nft writer with a real kernel and real packets: a server and a
# client namespace joined by a veth pair; the driver bans and unbans
# client addresses in the server namespace, and ping and curl from the
# client must then fail or get through. Also: expiry, subnets, IPv6,
# a re-ban extending the timer, a full set, a flushed ruleset restored,
# a foreign table left alone. nft only ever runs in these namespaces.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1

skip() { echo "$1"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
for c in ip nft ping curl python3 cc; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
[ -f "$BUILD/libabusemom.a" ] || skip "$BUILD/libabusemom.a not built"

S=amsrv$$
C=amcli$$
tmp=$(mktemp -d)
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null
	ip netns del $S 2>/dev/null
	ip netns del $C 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
ip netns add $S 2>/dev/null || skip "cannot create network namespaces"
ip netns add $C || exit 1

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }

case $BUILD in
*san*)	san="-fsanitize=address,undefined" ;;
*)	san= ;;
esac
cc -std=gnu11 -D_GNU_SOURCE -O2 -Isrc -Wall -Wextra -Werror $san \
    -o "$tmp/nftdrv" tests/netns/nftdrv.c "$BUILD/libabusemom.a" \
    $(pkg-config --libs libnftnl libmnl) || exit 1

ip link add vs$$ netns $S type veth peer name vc$$ netns $C || exit 1
ip -n $S link set lo up
ip -n $C link set lo up
ip -n $S addr add 192.0.2.1/24 dev vs$$
ip -n $S addr add 2001:db8::1/64 dev vs$$ nodad
ip -n $C addr add 192.0.2.2/24 dev vc$$
for a in 10 11 12 13; do
	ip -n $C addr add 192.0.2.$a/24 dev vc$$
done
ip -n $C addr add 2001:db8::2/64 dev vc$$ nodad
ip -n $S link set vs$$ up
ip -n $C link set vc$$ up

mkdir "$tmp/www"
echo hello >"$tmp/www/index.html"
ip netns exec $S python3 -m http.server --bind :: --directory "$tmp/www" \
    8080 >/dev/null 2>&1 &
srv=$!

drv() { ip netns exec $S "$tmp/nftdrv" "$@"; }
snft() { ip netns exec $S nft "$@"; }

# reach SRC: ping and curl from SRC to the server; 0 when both answer.
reach() {
	case $1 in
	*:*)	dst=2001:db8::1; url="http://[2001:db8::1]:8080/" ;;
	*)	dst=192.0.2.1; url="http://192.0.2.1:8080/" ;;
	esac
	ip netns exec $C ping -c1 -W1 -I "$1" $dst >/dev/null 2>&1 || return 1
	ip netns exec $C curl -gs --max-time 2 --interface "$1" "$url" |
	    grep -q hello
}
# silent SRC: neither ping nor curl gets an answer.
silent() {
	case $1 in
	*:*)	dst=2001:db8::1; url="http://[2001:db8::1]:8080/" ;;
	*)	dst=192.0.2.1; url="http://192.0.2.1:8080/" ;;
	esac
	ip netns exec $C ping -c1 -W1 -I "$1" $dst >/dev/null 2>&1 && return 1
	ip netns exec $C curl -gs --max-time 2 --interface "$1" "$url" \
	    >/dev/null 2>&1 && return 1
	return 0
}
expect_reach() { if reach "$1"; then pass "$2"; else fail "$2"; fi; }
expect_silent() { if silent "$1"; then pass "$2"; else fail "$2"; fi; }

i=0
until reach 192.0.2.2 && reach 2001:db8::2; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "no server answer before any ban"; exit 1; }
	sleep 0.2
done

# A foreign table, and one with our name in the way, are left alone.
snft add table inet other
snft add chain inet other c '{ type filter hook input priority 0; }'
snft add table inet abtest
snft list table inet other >"$tmp/other.before"
if drv -t abtest setup 2>/dev/null; then
	fail "setup over a foreign table of our name"
else
	pass "setup refuses a foreign table of our name"
fi
[ "$(snft list table inet abtest | grep -c set)" = 0 ] ||
    fail "the foreign table abtest was changed"

drv setup || exit 1
snft list table inet abusemom >"$tmp/table"
grep -q 'ip saddr @ban4 drop' "$tmp/table" &&
    grep -q 'ip6 saddr @net6 drop' "$tmp/table" &&
    grep -q 'type filter hook input priority filter - 10' "$tmp/table" ||
    fail "table as set up: $(cat "$tmp/table")"
expect_reach 192.0.2.2 "reach before the ban"

drv add 192.0.2.2 0 0 commit
expect_silent 192.0.2.2 "ban4 192.0.2.2 drops it"
expect_reach 192.0.2.10 "ban4 192.0.2.2 leaves 192.0.2.10"
drv del 192.0.2.2 0 commit
expect_reach 192.0.2.2 "unban 192.0.2.2"

# The check itself takes up to 3 s (ping 1 s, curl 2 s).
drv add 192.0.2.2 0 4 commit
expect_silent 192.0.2.2 "ban with a timeout of 4 s"
sleep 3
expect_reach 192.0.2.2 "ban expired after 4 s"

drv add 192.0.2.0/24 1 60 commit
expect_silent 192.0.2.11 "net4 192.0.2.0/24 drops 192.0.2.11"
drv list | grep -q '^192.0.2.0/24 1 ' || fail "net4 not listed"
drv del 192.0.2.0/24 1 commit
expect_reach 192.0.2.11 "unban 192.0.2.0/24"

drv add 2001:db8::/64 0 60 commit
expect_silent 2001:db8::2 "ban6 2001:db8::/64 drops 2001:db8::2"
expect_reach 192.0.2.2 "ban6 leaves IPv4 alone"
drv del 2001:db8::/64 0 commit
expect_reach 2001:db8::2 "unban 2001:db8::/64"

# A re-ban resets the kernel's timer.
drv add 192.0.2.13 0 3 commit
sleep 2
drv add 192.0.2.13 0 60 commit
sleep 2
expect_silent 192.0.2.13 "a re-ban outlives the first timeout"
left=$(drv list | sed -n 's|^192.0.2.13/32 0 ||p')
[ -n "$left" ] && [ "$left" -gt 50 ] || fail "re-ban time left: $left"

# A full set gives up the element that expires first.
out=$(drv -s 4 setup add 192.0.2.20 0 10 add 192.0.2.21 0 20 \
    add 192.0.2.22 0 30 add 192.0.2.23 0 40 commit \
    add 192.0.2.24 0 50 commit list stats 2>&1)
echo "$out" | grep -q '^192.0.2.24/32 0 ' &&
    ! echo "$out" | grep -q '^192.0.2.20/32' &&
    echo "$out" | grep -q '^192.0.2.21/32' &&
    echo "$out" | grep -q 'evicted 1$' &&
    pass "full set evicts the soonest-expiring element" ||
    fail "full set: $out"

# Options change the table: reject and a forward chain.
drv -r -f setup
snft list table inet abusemom >"$tmp/table"
grep -q 'chain forward' "$tmp/table" && grep -q reject "$tmp/table" &&
    grep -q 'size 65536' "$tmp/table" && pass "table replaced for options" ||
    fail "table with -r -f: $(cat "$tmp/table")"
drv -r -f add 192.0.2.2 0 60 commit
expect_silent 192.0.2.2 "reject action blocks too"
drv setup
grep -q 'chain forward' "$tmp/table" &&
    ! snft list table inet abusemom | grep -q 'chain forward' &&
    pass "forward chain removed again" || fail "forward chain stays"

snft list table inet other | cmp -s - "$tmp/other.before" &&
    pass "foreign table untouched" || fail "foreign table changed"

# A flushed ruleset is noticed, set up again and reconciled.
drv monitor ready "$tmp/ready" wait 10 setup want 192.0.2.12 0 60 \
    want 2001:db8::/64 0 60 reconcile >"$tmp/mon" 2>&1 &
mon=$!
i=0
while [ ! -f "$tmp/ready" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
snft flush ruleset
wait $mon
grep -q '^changed' "$tmp/mon" && pass "monitor reports the flush" ||
    fail "monitor: $(cat "$tmp/mon")"
grep -q '^reconciled 2 ' "$tmp/mon" || fail "reconcile: $(cat "$tmp/mon")"
snft list table inet abusemom >"$tmp/table"
grep -q '192.0.2.12 timeout' "$tmp/table" &&
    grep -q '2001:db8::/64 timeout' "$tmp/table" &&
    pass "table restored after the flush" ||
    fail "after the flush: $(cat "$tmp/table")"
expect_silent 192.0.2.12 "restored ban drops 192.0.2.12"
expect_reach 192.0.2.2 "192.0.2.2 is not in the restored set"
out=$(drv monitor wait 1)
[ "$out" = quiet ] && pass "monitor quiet without changes" ||
    fail "monitor without changes: $out"

snft add table inet other
snft list table inet other >"$tmp/other.before"
drv teardown
[ "$(drv present)" = 0 ] && pass "teardown" || fail "table after teardown"
snft list table inet other | cmp -s - "$tmp/other.before" ||
    fail "teardown touched the foreign table"
expect_reach 2001:db8::2 "reach after teardown"

echo "$fails failures"
[ "$fails" = 0 ]
