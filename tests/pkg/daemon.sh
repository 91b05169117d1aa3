#!/bin/sh
# The installed package's daemon, as the package's user with only
# CAP_NET_ADMIN, in a network namespace of its own (never the host's
# ruleset): bans and unbans through nftables, survives a flushed
# ruleset, serves "status" to the socket's group and refuses others.
# Config, store and socket live in a temp dir.
. "$(dirname "$0")/pkglib"
need ip nft setpriv
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i, ip netns)"
pkg_deb_install
if /usr/bin/abusemom-ctl version 2>&1 | grep -q 'not built yet'; then
	pkg_deb_purge
	skip "abusemom-ctl in HEAD is a placeholder: no ping yet"
fi

ns="abusemom-pkg-$$"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	dpkg -P abusemom >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$ns" || skip "cannot create a network namespace"
ip netns exec "$ns" ip link set lo up

chmod 0755 "$T"
mkdir -p "$T/conf/jails.d" "$T/log" "$T/state" "$T/run"
chown abusemom:abusemom "$T/state" "$T/run"
chmod 0750 "$T/state"
cp -R /etc/abusemom/filters.d "$T/conf/"
cp /etc/abusemom/jails.d/dirscan.conf "$T/conf/jails.d/"
printf '[dirscan]\nlogpath = %s/log/access.log\n' "$T" \
    > "$T/conf/jails.d/dirscan.local"
: > "$T/log/access.log"
sock="$T/run/abusemom.sock"
cat > "$T/conf/abusemom.conf" <<EOC
[daemon]
socket     = $sock
socket_group = abusemom
database   = $T/state/abusemom.db
log_target = stderr
loglevel   = info
[firewall]
backend    = nftables
EOC
/usr/sbin/abusemomd -t -c "$T/conf" >"$T/t.out" 2>&1 ||
    { cat "$T/t.out"; fail "test config"; }

ctl() { /usr/bin/abusemom-ctl -s "$sock" "$@"; }
in_set() {
	ip netns exec "$ns" nft list set inet abusemom ban4 2>/dev/null |
	    grep -q "$1"
}
# wait_for CMD...: up to 20 s for CMD to succeed (a wait, not a timing).
wait_for() {
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -gt 80 ] && return 1
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.25
	done
}

ip netns exec "$ns" setpriv --reuid abusemom --regid abusemom \
    --init-groups --inh-caps -all,+net_admin --ambient-caps +net_admin \
    --bounding-set -all,+net_admin \
    /usr/sbin/abusemomd -c "$T/conf" > "$T/daemon.log" 2>&1 &
pid=$!
if ! wait_for ctl ping; then
	cat "$T/daemon.log"
	kill -0 "$pid" 2>/dev/null || { pid=; fail "abusemomd exited"; }
	fail "abusemom-ctl ping does not answer"
fi

# Who runs: the package's user, CAP_NET_ADMIN (bit 12) and nothing else.
st=/proc/$pid/status
[ "$(awk '/^Uid:/ { print $2 }' "$st")" = "$(id -u abusemom)" ] ||
    fail "daemon uid: $(grep ^Uid: "$st")"
for c in CapEff CapPrm CapBnd CapAmb; do
	v=$(awk -v k="$c:" '$1 == k { print $2 }' "$st")
	[ "$v" = 0000000000001000 ] || fail "$c is $v, not CAP_NET_ADMIN"
done
[ "$(stat -c '%a %U %G' "$sock")" = "660 abusemom abusemom" ] ||
    fail "socket: $(stat -c '%a %U %G' "$sock")"
[ "$(stat -c '%U' "$T/state/abusemom.db")" = abusemom ] ||
    fail "store not written by abusemom"

# Ban and unban, seen in the namespace's kernel set.
ctl ban 192.0.2.7 --time 1h || fail "ban: exit $?"
in_set 192.0.2.7 || fail "192.0.2.7 not in ban4 after ban"
ctl list > "$T/list" || fail "list: exit $?"
grep -q 192.0.2.7 "$T/list" || fail "list lacks 192.0.2.7"

# A flushed ruleset (what reloading nftables.service does): the daemon
# puts its table and the ban back by itself.
ip netns exec "$ns" nft flush ruleset
wait_for in_set 192.0.2.7 ||
    { cat "$T/daemon.log"; fail "table not rebuilt after a flush"; }

# The socket's group may read; nobody else may connect; the group may
# not change anything.
member() {
	setpriv --reuid nobody --regid nogroup --groups abusemom \
	    /usr/bin/abusemom-ctl -s "$sock" "$@"
}
member status > "$T/status" 2>&1
rc=$?
[ "$rc" = 0 ] || { cat "$T/status"; fail "status as a group member: exit $rc"; }
setpriv --reuid nobody --regid nogroup --clear-groups \
    /usr/bin/abusemom-ctl -s "$sock" status > "$T/nobody" 2>&1
rc=$?
[ "$rc" = 3 ] || { cat "$T/nobody"; fail "status as nobody: exit $rc, not 3"; }
member ban 192.0.2.8 > "$T/mban" 2>&1 && fail "a member could ban"
in_set 192.0.2.8 && fail "192.0.2.8 banned by a group member"

# ExecReload: abusemom-ctl reload as the service's own user.
setpriv --reuid abusemom --regid abusemom --init-groups \
    /usr/bin/abusemom-ctl -s "$sock" reload > "$T/reload" 2>&1
rc=$?
[ "$rc" = 0 ] || { cat "$T/reload"; fail "reload as abusemom: exit $rc"; }

ctl unban 192.0.2.7 || fail "unban: exit $?"
in_set 192.0.2.7 && fail "192.0.2.7 still in ban4 after unban"

kill "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || { cat "$T/daemon.log"; fail "abusemomd exit $rc on SIGTERM"; }
[ -e "$sock" ] && fail "socket left after exit"
ip netns del "$ns" || fail "ip netns del $ns"

pkg_deb_purge
echo "daemon: ok"
