#!/bin/sh
# `nft flush ruleset` and `nft delete table inet abusemom` under the
# running daemon: the table, its chain and every ban (ban4, ban6, net4)
# are back within 5 s (polled every 0.2 s), and the banned clients get
# no answer again. A foreign table added meanwhile is left alone.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
. tests/demo/common.subr
am_reexec tests/netns/daemon-flush.sh
am_need ip nft curl nginx ping nsenter
[ -x "$BUILD/abusemomd" ] || am_skip "$BUILD/abusemomd not built"

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
trap 'am_net_down; rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT PIPE TERM
am_net_up 198.51.100.3 198.51.100.4 198.51.100.5 198.51.100.6 || exit 1
log=$tmp/access.log
am_conf "$tmp/etc" "$log"
am_nginx "$tmp" "$TOP/tests/demo/site" "$log" || { echo "no nginx"; exit 1; }
dlog=$tmp/etc/daemon.log
am_start "$tmp/etc" || { cat "$dlog"; exit 1; }

for a in 192.0.2.2 2001:db8::2 198.51.100.3 198.51.100.4 198.51.100.5; do
	am_scan $a >>"$log"
done
am_ok "bans in place" am_wait_elem net4 198.51.100.0/24 50
want() {	# want: every ban of the test is in the kernel
	am_has ban4 192.0.2.2 && am_has ban4 198.51.100.5 &&
	    am_has ban6 2001:db8::/64 && am_has net4 198.51.100.0/24
}
# back: poll every 0.2 s up to 5 s; prints the time it took.
back() {
	i=0
	until want; do
		i=$((i + 1))
		[ $i -gt 25 ] && return 1
		sleep 0.2
	done
	echo "    (back within $((i * 200 + 200)) ms)"
}
am_ok "all bans in the kernel" want
for how in "flush ruleset" "delete table inet abusemom"; do
	n=$(grep -c rebuilding "$dlog")
	sx nft $how
	am_ok "nft $how: the daemon saw it and rebuilt" \
	    am_wait_log "$dlog" rebuilding 50 $((n + 1))
	am_ok "after nft $how: table and bans back within 5 s" back
	am_ok "after nft $how: 192.0.2.2 gets no answer" am_silent 192.0.2.2
	am_ok "after nft $how: 198.51.100.6 (net4) gets no answer" \
	    am_silent 198.51.100.6
	am_ok "after nft $how: 2001:db8::2 gets no answer" \
	    am_silent 2001:db8::2
done
sx nft add table inet foreign
sx nft add set inet foreign keep '{ type ipv4_addr; }'
sx nft add element inet foreign keep '{ 203.0.113.99 }'
sx nft delete table inet abusemom
am_ok "rebuilt once more" back
if sx nft list set inet foreign keep | grep -q 203.0.113.99; then
	am_pass "the foreign table and its element are left alone"
else
	am_fail "the foreign table was touched"
fi
am_end "$dlog"
