#!/bin/sh
# make demo: abusemomd against real traffic in private network
# namespaces. A server namespace runs nginx (192.0.2.1, 2001:db8:0:ff::1)
# and abusemomd on its access log with the nftables backend; a client
# namespace runs gobuster (IPv4) and ffuf (IPv6) over a small wordlist,
# a visitor browsing, and a curl flood with rotating User-Agents from
# three addresses of 198.51.100.0/24. The bans are shown as the daemon
# logs them, then the kernel table, then that the banned clients get no
# answer while the visitor still does. Everything is removed at the end.
# As a normal user it re-runs itself under `unshare -r -n`.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
. tests/demo/common.subr
am_reexec tests/demo.sh "$@"
am_need ip nft curl nginx gobuster ffuf ping nsenter
[ -x "$BUILD/abusemomd" ] || am_skip "$BUILD/abusemomd not built"

tmp=$(mktemp -d /tmp/abusemom-demo.XXXXXX) || exit 1
chmod 755 "$tmp"
follow=
cleanup() {
	[ -n "$follow" ] && kill $follow 2>/dev/null
	am_net_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' HUP INT PIPE TERM

say() { printf '\n==> %s\n' "$*"; }
ind() { sed 's/^/    /'; }
bad=0
check() {	# check WHAT CMD...: run CMD, print ok/FAILED.
	w=$1
	shift
	if "$@"; then
		printf '    %-58s ok\n' "$w"
	else
		printf '    %-58s FAILED\n' "$w"
		bad=$((bad + 1))
	fi
}
t0=$(date +%s)

say "namespaces: server 192.0.2.1 2001:db8:0:ff::1, client 192.0.2.2" \
    "2001:db8::2 198.51.100.3-6 203.0.113.7"
am_net_up 198.51.100.3 198.51.100.4 198.51.100.5 198.51.100.6 \
    203.0.113.7 || exit 1
log=$tmp/access.log
: >"$log"
am_conf "$tmp/etc" "$log" "[firewall]
backend = nftables"
am_nginx "$tmp" "$TOP/tests/demo/site" "$log" ||
    { cat "$tmp/nginx/error.log"; echo "demo: nginx did not start"; exit 1; }
echo "    nginx serves tests/demo/site, logging to $log"
dlog=$tmp/etc/daemon.log
: >"$dlog"
{ tail -n 0 -f "$dlog" & echo $! >"$tmp/tail.pid"; wait; } |
    grep --line-buffered -E 'ban addr=|warn|fatal' |
    sed -u 's/^/    abusemomd | /' &
sleep 0.1
follow=$(cat "$tmp/tail.pid")
am_start "$tmp/etc" ||
    { cat "$dlog"; echo "demo: abusemomd did not start"; exit 1; }
echo "    abusemomd follows it: jails dirscan, flood, uarotation;" \
    "threshold 100"

say "a visitor from 203.0.113.7 reads five pages"
ua="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
for p in / /about.html /style.css /contact.html /blog/; do
	code=$(cx curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
	    --interface 203.0.113.7 -A "$ua" "http://192.0.2.1$p")
	echo "    GET $p -> $code"
	sleep 0.3
done

say "gobuster dir from 192.0.2.2 with tests/demo/wordlist.txt"
cxe gobuster dir -u http://192.0.2.1/ -w tests/demo/wordlist.txt -t 2 \
    --delay 100ms --timeout 2s -q -z --no-error >"$tmp/gobuster.out" 2>&1 &
scan=$!
AM_EXTRA=$scan
am_wait_log "$dlog" 'ban addr=192\.0\.2\.2/32' 150
sleep 0.5
kill $scan 2>/dev/null
wait $scan 2>/dev/null
echo "    gobuster sent $(grep -c '^192\.0\.2\.2 ' "$log") requests before" \
    "it was cut off; it found:"
tr -d '\033' <"$tmp/gobuster.out" | sed 's/\[2K//' | grep Status | ind | ind

say "ffuf over IPv6 from 2001:db8::2"
cxe ffuf -u 'http://[2001:db8:0:ff::1]/FUZZ' -w tests/demo/wordlist.txt -t 2 \
    -p 0.1 -timeout 2 -s >"$tmp/ffuf.out" 2>&1 &
scan=$!
AM_EXTRA=$scan
am_wait_log "$dlog" 'ban addr=2001:db8::/64' 150
sleep 0.5
kill $scan 2>/dev/null
wait $scan 2>/dev/null
echo "    ffuf sent $(grep -c '^2001:db8::2 ' "$log") requests before" \
    "it was cut off; it found:"
grep -v -e '^ *$' -e 'Caught keyboard' "$tmp/ffuf.out" | ind | ind
AM_EXTRA=

say "curl flood with a new User-Agent on every request," \
    "from 198.51.100.3, .4, .5"
i=0
for a in 3 4 5; do
	ok=0
	for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
		i=$((i + 1))
		cx curl -s -o /dev/null --max-time 1 --interface 198.51.100.$a \
		    -A "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/1$i.0" \
		    "http://192.0.2.1/?page=$n" || break
		ok=$((ok + 1))
	done
	echo "    198.51.100.$a: $ok requests answered, then none"
done
am_wait_log "$dlog" 'subnet-ban addr=198\.51\.100\.0/24' 30

say "the kernel: nft list table inet abusemom"
sx nft list table inet abusemom | ind

ctl="$TOP/$BUILD/abusemom-ctl -s $tmp/etc/run/abusemom.sock"
if sx $ctl ping >/dev/null 2>&1; then
	say "the daemon: abusemom-ctl list"
	sx $ctl list | ind
	say "the threat report of 192.0.2.2 (abusemom-ctl report, first lines)"
	sx $ctl report 192.0.2.2 --no-dnsbl 2>&1 | head -n 30 | ind
elif command -v sqlite3 >/dev/null 2>&1; then
	say "the store: active bans in $tmp/etc/abusemom.db"
	sqlite3 -column -header "$tmp/etc/abusemom.db" "SELECT name AS ban,
	    jail, score, verdict, signatures FROM ban ORDER BY since_ms" | ind
fi

say "who gets an answer now (curl --max-time 2)"
probe() {	# probe ADDR: "answered" or "no answer" into $tmp/probe.ADDR
	if cx curl -gs -o /dev/null --max-time 2 --interface "$1" \
	    "$(am_url "$1")"; then
		echo answered
	else
		echo "no answer"
	fi >"$tmp/probe.$1"
}
pids=
for a in 192.0.2.2 2001:db8::2 198.51.100.3 198.51.100.6 203.0.113.7; do
	probe $a &
	pids="$pids $!"
done
wait $pids
for a in 192.0.2.2 2001:db8::2 198.51.100.3 198.51.100.6; do
	check "$a $(cat "$tmp/probe.$a") (want: no answer)" \
	    grep -qx "no answer" "$tmp/probe.$a"
done
check "203.0.113.7 $(cat "$tmp/probe.203.0.113.7") (want: answered)" \
    grep -qx answered "$tmp/probe.203.0.113.7"

say "what the demo expected"
check "gobuster's 192.0.2.2 banned" grep -q 'ban addr=192.0.2.2/32' "$dlog"
check "ffuf's 2001:db8::2 banned as 2001:db8::/64" \
    grep -q 'ban addr=2001:db8::/64' "$dlog"
for a in 3 4 5; do
	check "flooder 198.51.100.$a banned" \
	    grep -q "ban addr=198.51.100.$a/32" "$dlog"
done
check "198.51.100.0/24 banned after three neighbours" \
    grep -q 'subnet-ban addr=198.51.100.0/24' "$dlog"
check "the visitor 203.0.113.7 never banned" \
    sh -c "! grep -q 'addr=203.0.113.7' '$dlog'"

kill $follow 2>/dev/null
follow=
am_stop
say "done in $(($(date +%s) - t0)) s; namespaces removed"
if [ $bad -ne 0 ]; then
	echo "demo: $bad checks failed; the daemon log was:"
	ind <"$dlog"
	exit 1
fi
exit 0
