#!/bin/sh
# DNSBL lookups against a local dnsmasq serving a made-up zone, bl.test:
# a listed address (IPv4 and IPv6), a clean one, a zone nobody serves
# and a server that does not answer. Nothing leaves 127.0.0.1.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
bin=$TOP/$BUILD/tests/test_report
dnsmasq=$(command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null)
if [ -z "$dnsmasq" ]; then
	echo "dnsmasq is not installed"
	exit 77
fi
if [ ! -x "$bin" ]; then
	echo "$bin is not built"
	exit 77
fi
dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

v6name=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test
try=0
while [ $try -lt 5 ]; do
	port=$((20000 + ($$ + try * 7919) % 40000))
	"$dnsmasq" --keep-in-foreground --no-resolv --no-hosts \
	    --pid-file= --user="$(id -un)" --group="$(id -gn)" \
	    --listen-address=127.0.0.1 --bind-interfaces --port=$port \
	    --local=/bl.test/ \
	    --host-record=7.113.0.203.bl.test,127.0.0.2 \
	    --host-record=9.113.0.203.bl.test,127.255.255.254 \
	    --host-record=$v6name,127.0.0.4 \
	    --log-facility="$dir/dnsmasq.log" 2>"$dir/err" &
	pid=$!
	sleep 1
	kill -0 "$pid" 2>/dev/null && break
	pid=
	try=$((try + 1))
done
if [ -z "$pid" ]; then
	cat "$dir/err"
	echo "dnsmasq would not start"
	exit 1
fi

fail=0
check() {
	want=$1
	shift
	got=$("$bin" --dnsbl "$@")
	if [ "$got" != "$want" ]; then
		echo "dnsbl $*: got '$got', want '$want'"
		fail=1
	fi
}
check "203.0.113.7 listed 127.0.0.2" 127.0.0.1:$port bl.test 203.0.113.7
check "203.0.113.8 clean" 127.0.0.1:$port bl.test 203.0.113.8
check "2001:db8::1 listed 127.0.0.4" 127.0.0.1:$port bl.test 2001:db8::1
check "2001:db8::2 clean" 127.0.0.1:$port bl.test. 2001:db8::2
# 127.255.255.x is a list's error code, not a listing.
check "203.0.113.9 noanswer" 127.0.0.1:$port bl.test 203.0.113.9
# A zone this server does not serve is refused: no answer.
check "203.0.113.7 noanswer" 127.0.0.1:$port other.test 203.0.113.7
kill "$pid"
wait "$pid" 2>/dev/null
pid=
# Nobody listens any more: the query times out.
check "203.0.113.7 noanswer" 127.0.0.1:$port bl.test 203.0.113.7
if "$bin" --dnsbl 127.0.0.1:notaport bl.test 203.0.113.7 >/dev/null 2>&1
then
	echo "a malformed server was accepted"
	fail=1
fi
[ "$fail" = 0 ] || exit 1
echo "dnsbl: ok"
