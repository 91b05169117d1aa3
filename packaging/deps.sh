#!/bin/sh
# Install the Debian packages abusemom needs to build and test.
# Does nothing when all are present.
set -e
pkgs="build-essential pkg-config libnftnl-dev libmnl-dev libinotifytools0-dev
libiniparser-dev libmaxminddb-dev libsqlite3-dev sqlite3 libpcre2-dev
libjson-c-dev libcmocka-dev libsystemd-dev nftables iproute2 iputils-ping
nginx-light gobuster ffuf curl fail2ban mandoc python3 procps
chromium dnsmasq systemd systemd-journal-remote time sqlite3 util-linux
debhelper dpkg-dev lintian fakeroot rpm rpmlint"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: all present"; exit 0; }
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing (run as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Keep installed services (nginx, fail2ban) from starting on their own.
made=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	made=1
fi
apt-get install -y -qq --no-install-recommends $missing
[ -n "$made" ] && rm -f /usr/sbin/policy-rc.d
exit 0
