#!/bin/sh
# Renders the seed-like threat report as HTML, opens it in headless
# Chromium at phone and desktop sizes, takes screenshots and checks the
# rendered page's text for the score, the verdict and every section.
# Needs chromium (Debian's package) and build/tests/test_report.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
bin=$TOP/$BUILD/tests/test_report
chromium=$(command -v chromium || command -v chromium-browser)
if [ -z "$chromium" ]; then
	echo "chromium is not installed"
	exit 77
fi
if [ ! -x "$bin" ]; then
	echo "$bin is not built"
	exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" --render html "$dir/report.html" || { echo "render failed"; exit 1; }

browse() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$dir/profile" "$@" "file://$dir/report.html" \
	    2>>"$dir/chromium.log"
}

fail=0
for size in 412,915 1280,900; do
	browse --screenshot="$dir/shot-$size.png" --window-size=$size \
	    >/dev/null
	if [ ! -s "$dir/shot-$size.png" ]; then
		echo "no screenshot at $size"
		fail=1
	fi
	# Keep the screenshots for a look when SHOTS names a directory.
	[ -n "${SHOTS:-}" ] && cp "$dir/shot-$size.png" "$SHOTS/"
done
browse --dump-dom >"$dir/dom.html"
# The text as Chromium laid it out, tags dropped.
sed 's/<[^>]*>/ /g' "$dir/dom.html" | tr -s ' \n' ' ' >"$dir/text"
for want in "165" "/100" "BLOCK" "critical" "203.0.113.7" \
    "Verdict" "Identity" "Signatures" "Observed activity" "Timeline" \
    "Network" "Recommendations" "DNSBL" "Σ = 500" \
    "96 days, 9.9 a day" "Directory scanning" "[redacted]" \
    "abusemom-ctl ban 203.0.113.0/24" "listed (127.0.0.2)"; do
	if ! grep -qF -- "$want" "$dir/text"; then
		echo "page text lacks: $want"
		fail=1
	fi
done
# Sections in order.
order=$(grep -o '<section id="[a-z]*"' "$dir/dom.html" |
    sed 's/.*id="\([a-z]*\)"/\1/' | tr '\n' ' ')
if [ "$order" != "verdict identity signatures activity timeline network \
recommendations dnsbl " ]; then
	echo "sections out of order: $order"
	fail=1
fi
# The logged <script> stays text: Chromium built no script element.
if grep -qi '<script' "$dir/dom.html"; then
	echo "a script element reached the DOM"
	fail=1
fi
if ! grep -qF '&lt;script&gt;alert("x")&lt;/script&gt;' "$dir/dom.html"
then
	echo "the hostile User-Agent is not shown as text"
	fail=1
fi
[ "$fail" = 0 ] || { tail -n 5 "$dir/chromium.log"; exit 1; }
echo "html-chromium: ok"
