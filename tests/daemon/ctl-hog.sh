#!/bin/sh
# Connections held open cannot lock the operators out: with every
# client slot taken by idle peers, abusemom-ctl ping is answered at once.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
T=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
mkdir "$T/jails.d"
printf '[daemon]\nsocket = %s/sock\ndatabase = %s/db\n[firewall]\nbackend = none\n' \
    "$T" "$T" > "$T/abusemom.conf"
"$TOP/$BUILD/abusemomd" -c "$T" > "$T/log" 2>&1 &
pid=$!
n=0
until "$TOP/$BUILD/abusemom-ctl" -s "$T/sock" ping >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -gt 100 ] && { cat "$T/log"; exit 1; }
	sleep 0.1
done
python3 - "$T/sock" "$TOP/$BUILD/abusemom-ctl" <<'EOT'
import socket, subprocess, sys, time
conns = []
for i in range(700):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    conns.append(s)
time.sleep(1.5)
r = subprocess.run([sys.argv[2], "-s", sys.argv[1], "ping"],
                   capture_output=True, timeout=30)
assert r.returncode == 0 and b"pong" in r.stdout, r
# An evicted idle peer was told why.
told = 0
for s in conns:
    s.setblocking(False)
    try:
        told += b"idle: dropped" in s.recv(256)
    except BlockingIOError:
        pass
assert told >= 1, told
print("ping answered with every slot held; %d idle peers dropped" % told)
EOT
