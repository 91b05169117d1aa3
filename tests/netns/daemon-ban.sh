#!/bin/sh
# abusemomd bans on real requests: nginx in a server namespace, its
# access log watched by the daemon; a client namespace scans it. After
# the ban neither ping nor curl from the client gets an answer, while a
# bystander does; after the ban's 3 s expire they do again. Then an
# automatic ban with a long bantime is lifted with `abusemom-ctl unban`
# (skipped with a note while the control socket does not answer).
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
. tests/demo/common.subr
am_reexec tests/netns/daemon-ban.sh
am_need ip nft curl nginx ping nsenter
[ -x "$BUILD/abusemomd" ] || am_skip "$BUILD/abusemomd not built"

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
trap 'am_net_down; rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT PIPE TERM
am_net_up 198.51.100.3 203.0.113.7 || exit 1
log=$tmp/access.log
am_conf "$tmp/etc" "$log" "[ban]
bantime = 3"
# Bans decided in uarotation last an hour, for the unban half.
echo "bantime = 1h" >>"$tmp/etc/jails.d/uarotation.conf"
am_nginx "$tmp" "$TOP/tests/demo/site" "$log" || { echo "no nginx"; exit 1; }
dlog=$tmp/etc/daemon.log
am_start "$tmp/etc" -v || { cat "$dlog"; exit 1; }

am_ok "192.0.2.2 answered before any ban" am_reach 192.0.2.2
am_ok "198.51.100.3 answered before any ban" am_reach 198.51.100.3

# Expiry: danger 60 and badua 50 in dirscan, bantime 3 s.
for p in /.env /.git/config; do
	cx curl -s -o /dev/null --max-time 2 --interface 192.0.2.2 \
	    -A "sqlmap/1.7.2#stable (https://sqlmap.org)" "http://192.0.2.1$p"
done
am_ok "ban of 192.0.2.2 logged" \
    am_wait_log "$dlog" 'ban addr=192\.0\.2\.2/32 jail=dirscan' 50
am_ok "192.0.2.2 in ban4" am_wait_elem ban4 192.0.2.2 50
am_ok "192.0.2.2 gets no ping and no curl answer" am_silent 192.0.2.2
am_ok "bystander 203.0.113.7 answered" am_reach 203.0.113.7
am_ok "192.0.2.2 left ban4 after its 3 s" am_wait_elem ban4 192.0.2.2 100 gone
am_ok "192.0.2.2 answered again after expiry" am_reach 192.0.2.2

# Unban: danger 90 in dirscan, then badua in uarotation (bantime 1h).
ua="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
for p in /.env /.git/config /.aws/credentials; do
	cx curl -s -o /dev/null --max-time 2 --interface 198.51.100.3 \
	    -A "$ua" "http://192.0.2.1$p"
	sleep 0.5	# no burst
done
cx curl -s -o /dev/null --max-time 2 --interface 198.51.100.3 \
    -A "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)" \
    "http://192.0.2.1/"
am_ok "ban of 198.51.100.3 in uarotation logged" \
    am_wait_log "$dlog" 'ban addr=198\.51\.100\.3/32 jail=uarotation' 50
am_ok "198.51.100.3 in ban4" am_wait_elem ban4 198.51.100.3 50
am_ok "198.51.100.3 gets no answer" am_silent 198.51.100.3
ctl="$TOP/$BUILD/abusemom-ctl -s $tmp/etc/run/abusemom.sock"
if sx $ctl ping >/dev/null 2>&1; then
	am_ok "abusemom-ctl unban 198.51.100.3" sx $ctl unban 198.51.100.3 >/dev/null
	am_ok "unban left the store's ban table" sh -c "! sqlite3 \
	    '$tmp/etc/abusemom.db' 'SELECT name FROM ban' | grep -q 198.51"
	am_ok "198.51.100.3 left ban4" am_wait_elem ban4 198.51.100.3 20 gone
	am_ok "198.51.100.3 answered after unban" am_reach 198.51.100.3
	# An unban that the next plain request undoes would be no unban.
	sleep 0.5
	am_ok "198.51.100.3 still answered on its next request" \
	    am_reach 198.51.100.3
	am_ok "no new ban of 198.51.100.3 after the unban" sh -c "! sed \
	    '1,/^unban addr=198.51.100.3/d' '$dlog' | grep -q 'ban addr=198.51'"
else
	echo "note: control socket does not answer; unban half skipped"
fi
am_end "$dlog"
