#!/bin/sh
# IPv6 bans are /64s: log lines drive 2001:db8::2 over the threshold;
# ban6 then holds 2001:db8::/64 and both 2001:db8::2 and 2001:db8::3
# (never in a log, same client, same /64) get no answer, while
# 2001:db8:0:1::5 of the next /64 and the client's IPv4 address do.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
. tests/demo/common.subr
am_reexec tests/netns/daemon-ipv6.sh
am_need ip nft curl nginx ping nsenter
[ -x "$BUILD/abusemomd" ] || am_skip "$BUILD/abusemomd not built"

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
trap 'am_net_down; rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT PIPE TERM
am_net_up 2001:db8::3 2001:db8:0:1::5 || exit 1
sx ip -6 route add 2001:db8:0:1::/64 dev vs$$
log=$tmp/access.log
am_conf "$tmp/etc" "$log"
am_nginx "$tmp" "$TOP/tests/demo/site" "$log" || { echo "no nginx"; exit 1; }
dlog=$tmp/etc/daemon.log
am_start "$tmp/etc" || { cat "$dlog"; exit 1; }

for a in 2001:db8::2 2001:db8::3 2001:db8:0:1::5; do
	am_ok "$a answered before" am_reach $a
done
am_scan 2001:db8::2 >>"$log"
am_ok "2001:db8::/64 in ban6" am_wait_elem ban6 2001:db8::/64 50
am_ok "ban logged as the /64" \
    am_wait_log "$dlog" 'ban addr=2001:db8::/64 ' 10
am_ok "the store holds 2001:db8::/64" sh -c "sqlite3 \
    '$tmp/etc/abusemom.db' 'SELECT name, plen FROM ban' |
    grep -qx '2001:db8::/64|64'"
am_ok "2001:db8::2 gets no ping and no curl answer" am_silent 2001:db8::2
am_ok "2001:db8::3 (same /64, never logged) gets no answer" \
    am_silent 2001:db8::3
am_ok "2001:db8:0:1::5 (next /64) answered" am_reach 2001:db8:0:1::5
am_ok "192.0.2.2 (same client, IPv4) answered" am_reach 192.0.2.2
am_end "$dlog"
