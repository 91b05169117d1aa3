#!/bin/sh
# The systemd unit: "systemd-analyze security --offline=true" rates
# packaging/abusemom.service at an exposure of 2.0 or less, and
# "systemd-analyze verify" finds nothing wrong with it as "make install"
# lays it out (in a root dir holding the host's units and the binaries).
. "$(dirname "$0")/pkglib"
need systemd-analyze
unit="$TOP/packaging/abusemom.service"

systemd-analyze security --offline=true "$unit" > "$T/sec" 2>&1
cat "$T/sec"
exp=$(sed -n \
    's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p' \
    "$T/sec")
[ -n "$exp" ] || fail "no exposure level in the output"
awk -v e="$exp" 'BEGIN { exit !(e <= 2.0) }' ||
    fail "exposure $exp is above 2.0"

# What the issue asks of the unit, setting by setting.
for kv in Type=notify User=abusemom Group=abusemom \
    SupplementaryGroups=adm \
    AmbientCapabilities=CAP_NET_ADMIN CapabilityBoundingSet=CAP_NET_ADMIN \
    StateDirectory=abusemom RuntimeDirectory=abusemom \
    ProtectSystem=strict Restart=on-failure \
    "RestrictAddressFamilies=AF_UNIX AF_NETLINK" \
    SystemCallFilter=@system-service NoNewPrivileges=yes \
    PartOf=nftables.service ReloadPropagatedFrom=nftables.service \
    "ExecStart=/usr/sbin/abusemomd -c /etc/abusemom"; do
	grep -qx "$kv" "$unit" || fail "unit lacks $kv"
done
grep -q '^After=.*nftables.service' "$unit" || fail "not After=nftables"
grep -q '^ExecReload=/usr/bin/abusemom-ctl .*reload$' "$unit" ||
    fail "ExecReload is not abusemom-ctl reload"
for k in PrivateNetwork PrivateUsers; do
	grep -q "^$k=" "$unit" && fail "$k hides the host's ruleset"
done

# verify: needs the binaries at the unit's paths and the units it
# names (sysinit.target, nftables.service, ...): the host's units.
[ -x "$TOP/$BUILD/abusemomd" ] || make -C "$TOP" -s all >/dev/null ||
    fail "make all"
root="$T/root"
make -C "$TOP" -s install DESTDIR="$root" PREFIX=/usr \
    UNITDIR=/lib/systemd/system >"$T/install.log" 2>&1 ||
    { cat "$T/install.log"; fail "make install"; }
cp -an /lib/systemd/system/. "$root/lib/systemd/system/" 2>/dev/null
# man pages are looked up on the host; the deb test checks them.
systemd-analyze verify --man=no --root="$root" \
    "$root/lib/systemd/system/abusemom.service" > "$T/verify" 2>&1
rc=$?
cat "$T/verify"
[ "$rc" = 0 ] || fail "systemd-analyze verify: exit $rc"
[ -s "$T/verify" ] && fail "systemd-analyze verify printed warnings"
echo "unit: exposure $exp, verify clean"
