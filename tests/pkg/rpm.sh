#!/bin/sh
# make rpm: the spec builds, rpmlint finds no error, and the package
# holds every path of the layout, with /etc as %config(noreplace).
. "$(dirname "$0")/pkglib"
need rpmbuild rpmlint rpm flock
pkg_lock

make -C "$TOP" -s rpm PKGOUT="$T" >"$T/build.log" 2>&1 ||
    { tail -n 30 "$T/build.log"; fail "make rpm"; }
rpmf=$(ls "$T"/abusemom-*.rpm | grep -v debug | head -n 1)
[ -f "$rpmf" ] || fail "no .rpm in $T"

rpm -qlp "$rpmf" > "$T/list"
pkg_check_list "$T/list" /usr/lib/systemd/system || fail "rpm contents"

# Files under /etc: config noreplace ("cn") each.
rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags} %{FILEMODES:perms}\n]' \
    "$rpmf" > "$T/flags"
n=$(awk '$1 ~ /^\/etc\// && $NF !~ /^d/' "$T/flags" | wc -l)
[ "$n" -ge 3 ] || fail "only $n files under /etc"
bad=$(awk '$1 ~ /^\/etc\// && $NF !~ /^d/ && $2 != "cn"' "$T/flags")
[ -z "$bad" ] || fail "not %config(noreplace): $bad"

# The user is created before the files land.
rpm -qp --scripts "$rpmf" | grep -q 'useradd -r -g abusemom' ||
    fail "no useradd in %pre"

rpmlint -r "$TOP/packaging/abusemom.rpmlintrc" "$rpmf" \
    "$TOP/packaging/abusemom.spec" > "$T/rpmlint" 2>&1
cat "$T/rpmlint"
grep -q ' 0 errors' "$T/rpmlint" || fail "rpmlint errors"
echo "rpm: $(basename "$rpmf") ok"
