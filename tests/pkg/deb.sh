#!/bin/sh
# make deb: the package builds, lintian finds no error, and it holds
# every path of the layout, with /etc/abusemom as conffiles.
. "$(dirname "$0")/pkglib"
need dpkg-buildpackage dh lintian fakeroot flock
pkg_lock

make -C "$TOP" -s deb PKGOUT="$T" >"$T/build.log" 2>&1 ||
    { tail -n 30 "$T/build.log"; fail "make deb"; }
deb=$(ls "$T"/abusemom_*.deb) || fail "no .deb in $T"

# debian/changelog follows src/version.h.
v=$(sed -n 's/^#define ABUSEMOM_VERSION[^"]*"\(.*\)"/\1/p' \
    "$TOP/src/version.h")
dv=$(dpkg-deb -f "$deb" Version)
[ "$dv" = "$v" ] || [ "${dv%-*}" = "$v" ] ||
    fail "package version $dv, src/version.h $v: add a changelog entry"

# Contents: "./usr/sbin/abusemomd" -> "/usr/sbin/abusemomd".
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\.||; s|/$||' \
    > "$T/list"
pkg_check_list "$T/list" /lib/systemd/system || fail "deb contents"

# Every file under /etc is a conffile, and only those.
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles | sort \
    > "$T/conffiles"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\.||' |
    grep '^/etc/' | sort > "$T/etcfiles"
cmp -s "$T/conffiles" "$T/etcfiles" ||
    { diff "$T/etcfiles" "$T/conffiles"; fail "conffiles differ"; }
grep -qx /etc/abusemom/abusemom.conf "$T/conffiles" ||
    fail "abusemom.conf is no conffile"

# The user comes from sysusers, before the unit starts.
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst > "$T/postinst"
grep -q 'systemd-sysusers.* abusemom.conf' "$T/postinst" ||
    fail "postinst does not run systemd-sysusers"
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postrm > "$T/postrm"
grep -q 'rm -rf /var/lib/abusemom' "$T/postrm" ||
    fail "postrm purge leaves /var/lib/abusemom"

# lintian: no error (E:) tags.
lintian "$T"/abusemom_*.changes > "$T/lintian" 2>&1
cat "$T/lintian"
if grep -q '^E:' "$T/lintian"; then
	fail "lintian errors"
fi
echo "deb: $(basename "$deb") ok"
