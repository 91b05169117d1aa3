#!/bin/sh
# The HTML report written by abusemom-ctl from a live daemon, opened in
# headless Chromium: a screenshot, the laid-out text (score, verdict,
# GeoIP, every section in order), a hostile User-Agent that stays text,
# and the index page of report --all sorted by score.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
chromium=$(command -v chromium || command -v chromium-browser)
[ -n "$chromium" ] || { echo "chromium is not installed"; exit 77; }
. "$TOP/tests/daemon/report-common.subr"

rep_setup
write_conf "[geoip]
city_db = $TOP/tests/data/geoip/GeoIP2-City-Test.mmdb
asn_db = $TOP/tests/data/geoip/GeoLite2-ASN-Test.mmdb"
rep_start
seed 89.160.20.112
scan 89.160.20.120 12 '<script>alert("x")</script>'
wait_for 89.160.20.120 top
wait_for 89.160.20.112/32 list
expect 0 ban 89.160.20.120 --reason "test"

mkdir "$T/www"
C report 89.160.20.112 --format html >"$T/www/report.html" ||
    fail "report --format html"
C report 89.160.20.120 --format html >"$T/www/hostile.html" ||
    fail "report --format html of the hostile User-Agent"
expect 0 report --all --out "$T/www/all"

browse() {
	page=$1
	shift
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" "$@" "file://$T/www/$page" \
	    2>>"$T/chromium.log"
}
# The text as Chromium laid it out, tags dropped.
text() {
	sed 's/<[^>]*>/ /g' "$1" | tr -s ' \n' ' '
}
lacks() {
	grep -qF -- "$1" "$T/text" && return 1
	echo "page text lacks: $1"
	return 0
}

bad=0
browse report.html --screenshot="$T/shot.png" --window-size=1280,900 \
    >/dev/null
[ -s "$T/shot.png" ] || { tail -n 5 "$T/chromium.log"; fail "no screenshot"; }
[ -n "${SHOTS:-}" ] && cp "$T/shot.png" "$SHOTS/report-live.png"
browse report.html --dump-dom >"$T/dom.html"
text "$T/dom.html" >"$T/text"
for want in "89.160.20.112" "165" "/100" "BLOCK" "critical" "Sweden" \
    "Linköping" "AS29518" "Bredband2 AB" "Verdict" "Identity" \
    "Signatures" "Observed activity" "Timeline" "Network" \
    "Recommendations" "DNSBL" "www.example.com" "/wp-login.php" \
    "89.160.20.120" "abusemom-ctl ban 89.160.20.0/24"; do
	lacks "$want" && bad=1
done
order=$(grep -o '<section id="[a-z]*"' "$T/dom.html" |
    sed 's/.*id="\([a-z]*\)"/\1/' | tr '\n' ' ')
[ "$order" = "verdict identity signatures activity timeline network \
recommendations dnsbl " ] || { echo "sections out of order: $order"; bad=1; }

browse hostile.html --dump-dom >"$T/dom2.html"
grep -qi '<script' "$T/dom2.html" &&
    { echo "a script element reached the DOM"; bad=1; }
grep -qF '&lt;script&gt;alert("x")&lt;/script&gt;' "$T/dom2.html" ||
    { echo "the hostile User-Agent is not shown as text"; bad=1; }

browse all/index.html --dump-dom >"$T/dom3.html"
got=$(grep -o 'href="./[^"]*\.html"' "$T/dom3.html" | tr '\n' ' ')
[ "$got" = 'href="./89.160.20.112.html" href="./89.160.20.120.html" ' ] ||
    { echo "index order: $got"; bad=1; }
text "$T/dom3.html" >"$T/text"
lacks "2 addresses by score" && bad=1
[ "$bad" = 0 ] || { tail -n 5 "$T/chromium.log"; fail "page checks"; }

kill "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" = 0 ] || fail "daemon exit status $rc"
echo "report-html: ok"
exit 0
