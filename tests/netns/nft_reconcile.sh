#!/bin/sh
# Reconciles 100,000 elements into an empty table in a fresh network
# namespace, checks that all are there, that strays go and that
# elements deleted behind the writer's back come back. Prints the time
# the restore took; asserts none.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1

skip() { echo "$1"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
for c in ip nft cc; do
	command -v $c >/dev/null 2>&1 || skip "$c not installed"
done
[ -f "$BUILD/libabusemom.a" ] || skip "$BUILD/libabusemom.a not built"

N=amrec$$
tmp=$(mktemp -d)
cleanup() {
	ip netns del $N 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
ip netns add $N 2>/dev/null || skip "cannot create network namespaces"

case $BUILD in
*san*)	san="-fsanitize=address,undefined" ;;
*)	san= ;;
esac
cc -std=gnu11 -D_GNU_SOURCE -O2 -Isrc -Wall -Wextra -Werror $san \
    -o "$tmp/nftdrv" tests/netns/nftdrv.c "$BUILD/libabusemom.a" \
    $(pkg-config --libs libnftnl libmnl) || exit 1
drv() { ip netns exec $N "$tmp/nftdrv" -s 131072 "$@"; }

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

out=$(drv gen 100000 3600 reconcile count stats) || fail "reconcile failed"
echo "$out"
echo "$out" | grep -q '^count 100000$' || fail "not all 100000 present"
echo "$out" | grep -q 'errors 0 ' || fail "errors while restoring"

# Elements lost behind our back come back; strays go.
ip netns exec $N nft delete element inet abusemom ban4 '{ 192.0.2.5 }'
ip netns exec $N nft delete element inet abusemom ban6 \
    '{ 2001:db8:0:304::/64 }'
ip netns exec $N nft add element inet abusemom net6 \
    '{ 2001:db8:4444::/48 timeout 1h }'
out=$(drv gen 100000 3600 reconcile count stats) || fail "second reconcile"
echo "$out"
echo "$out" | grep -q '^count 100000$' || fail "not restored to 100000"
ip netns exec $N nft list set inet abusemom ban4 | grep -q '192.0.2.5[ ,]' ||
    fail "192.0.2.5 not restored"
ip netns exec $N nft list set inet abusemom ban6 |
    grep -q '2001:db8:0:304::/64' || fail "2001:db8:0:304::/64 not restored"
ip netns exec $N nft list set inet abusemom net6 |
    grep -q '2001:db8:4444::/48' && fail "stray 2001:db8:4444::/48 stays"

out=$(drv gen 99000 3600 reconcile count) || fail "third reconcile"
echo "$out"
echo "$out" | grep -q '^count 99000$' || fail "strays not removed"

echo "$fails failures"
[ "$fails" = 0 ]
