#!/bin/sh
# The .deb on this machine (systemd is not PID 1 here): postinst makes
# the user, the installed configuration passes "abusemomd -t", a broken
# jail left as a .dpkg-dist file is not read, a changed conffile
# survives reinstalling, and remove then purge leave nothing behind.
. "$(dirname "$0")/pkglib"
pkg_deb_install

getent passwd abusemom > "$T/pw" || fail "no user abusemom"
cut -d: -f6,7 "$T/pw" | grep -qx '/var/lib/abusemom:/usr/sbin/nologin' ||
    fail "user abusemom: $(cat "$T/pw")"
getent group abusemom >/dev/null || fail "no group abusemom"

/usr/sbin/abusemomd -t -c /etc/abusemom > "$T/t.out" 2>&1 ||
    { cat "$T/t.out"; fail "abusemomd -t on the installed config"; }
tail -n 1 "$T/t.out" | grep -qx 'configuration ok' ||
    fail "no 'configuration ok'"

# The installed unit, man pages included once they are all packaged.
if command -v systemd-analyze >/dev/null; then
	man=--man=no
	[ -e /usr/share/man/man8/abusemomd.8.gz ] &&
	    [ -e /usr/share/man/man8/abusemom-ctl.8.gz ] &&
	    [ -e /usr/share/man/man5/abusemom.conf.5.gz ] && man=--man=yes
	systemd-analyze verify $man /lib/systemd/system/abusemom.service \
	    > "$T/verify" 2>&1 || { cat "$T/verify"; fail "verify ($man)"; }
	[ -s "$T/verify" ] && { cat "$T/verify"; fail "verify warnings"; }
fi

# A broken jail: refused as a .conf, ignored as a .dpkg-dist.
broken='[broken]
enabled    = yes
logpath    = /var/log/nginx/access.log
filter     = no-such-filter
signatures = no-such-signature
window     = forever'
printf '%s\n' "$broken" > /etc/abusemom/jails.d/broken.conf
if /usr/sbin/abusemomd -t -c /etc/abusemom > "$T/t.out" 2>&1; then
	rm -f /etc/abusemom/jails.d/broken.conf
	fail "a broken jail passes -t: the .dpkg-dist check proves nothing"
fi
mv /etc/abusemom/jails.d/broken.conf \
    /etc/abusemom/jails.d/broken.conf.dpkg-dist
/usr/sbin/abusemomd -t -c /etc/abusemom > "$T/t.out" 2>&1 ||
    { cat "$T/t.out"; fail "a .dpkg-dist file was read"; }
tail -n 1 "$T/t.out" | grep -qx 'configuration ok' ||
    fail "no 'configuration ok'"

# A conffile the admin changed is kept when the package is installed
# again; a new drop-in and a .local stay untouched.
echo '# changed by the admin' >> /etc/abusemom/jails.d/sshd.conf
printf '[sshd]\nenabled = no\n' > /etc/abusemom/jails.d/sshd.local
dpkg -i --force-confold "$deb" > "$T/dpkg.log" 2>&1 ||
    { cat "$T/dpkg.log"; fail "dpkg -i (again)"; }
grep -qx '# changed by the admin' /etc/abusemom/jails.d/sshd.conf ||
    fail "reinstalling overwrote a changed conffile"
[ -f /etc/abusemom/jails.d/sshd.local ] || fail "sshd.local gone"
/usr/sbin/abusemomd -t -c /etc/abusemom > "$T/t.out" 2>&1 ||
    { cat "$T/t.out"; fail "-t with sshd.local"; }

# State to purge: a store as the daemon leaves it.
install -d -o abusemom -g abusemom -m 0750 /var/lib/abusemom
echo state > /var/lib/abusemom/abusemom.db
chown abusemom:abusemom /var/lib/abusemom/abusemom.db

# The admin's own files go first; the .dpkg-dist is dpkg's kind.
rm -f /etc/abusemom/jails.d/sshd.local
pkg_deb_purge
echo "install: ok"
