#!/bin/sh
# Subnet escalation with real packets: log lines drive 198.51.100.3, .4
# and .5 over the threshold; the third ban bans 198.51.100.0/24 (net4),
# so 198.51.100.6, never seen in a log, gets no answer either, while
# 203.0.113.7 and 192.0.2.2 do. The server's own /24 is never banned:
# three of its neighbours banned leave 192.0.2.0/24 out of net4.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
. tests/demo/common.subr
am_reexec tests/netns/daemon-subnet.sh
am_need ip nft curl nginx ping nsenter
[ -x "$BUILD/abusemomd" ] || am_skip "$BUILD/abusemomd not built"

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
trap 'am_net_down; rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT PIPE TERM
am_net_up 198.51.100.3 198.51.100.4 198.51.100.5 198.51.100.6 \
    203.0.113.7 || exit 1
log=$tmp/access.log
am_conf "$tmp/etc" "$log"
am_nginx "$tmp" "$TOP/tests/demo/site" "$log" || { echo "no nginx"; exit 1; }
dlog=$tmp/etc/daemon.log
am_start "$tmp/etc" || { cat "$dlog"; exit 1; }

am_ok "198.51.100.6 answered before" am_reach 198.51.100.6
for a in 3 4; do
	am_scan 198.51.100.$a >>"$log"
	am_ok "198.51.100.$a in ban4" am_wait_elem ban4 198.51.100.$a 50
done
am_ok "two neighbours: no subnet ban yet" \
    sh -c "! grep -q subnet-ban '$dlog'"
am_ok "198.51.100.6 still answered" am_reach 198.51.100.6
am_scan 198.51.100.5 >>"$log"
am_ok "198.51.100.5 in ban4" am_wait_elem ban4 198.51.100.5 50
am_ok "198.51.100.0/24 in net4" am_wait_elem net4 198.51.100.0/24 50
am_ok "subnet ban logged" \
    am_wait_log "$dlog" 'subnet-ban addr=198\.51\.100\.0/24' 10
if am_has ban4 198.51.100.6; then
	am_fail "198.51.100.6 is in ban4 itself"
fi
if am_has ban4 198.51.100.6; then
	am_fail "198.51.100.6 is in ban4 itself"
fi
am_ok "198.51.100.6 gets no ping and no curl answer" am_silent 198.51.100.6
am_ok "203.0.113.7 answered" am_reach 203.0.113.7
am_ok "192.0.2.2 answered" am_reach 192.0.2.2
am_ok "the store holds the subnet ban" sh -c "sqlite3 \
    '$tmp/etc/abusemom.db' 'SELECT name FROM ban WHERE subnet = 1' |
    grep -qx 198.51.100.0/24"

# The server's /24: three neighbours banned, no subnet ban over itself.
for a in 10 11 12; do
	am_scan 192.0.2.$a >>"$log"
	am_ok "192.0.2.$a in ban4" am_wait_elem ban4 192.0.2.$a 50
done
sleep 0.3
if am_has net4 192.0.2.0/24; then
	am_fail "192.0.2.0/24, the server's own, is in net4"
else
	am_pass "192.0.2.0/24 (the server's own) not in net4"
fi
am_ok "192.0.2.2 still answered" am_reach 192.0.2.2
am_end "$dlog"
