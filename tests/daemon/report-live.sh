#!/bin/sh
# The threat report through the live path, black-box: a daemon (backend
# none) watching a log that gets seed-like traffic appended with times
# of now, queried with abusemom-ctl. Checks the three formats (JSON
# parsed back), GeoIP fields from the test databases and "unknown"
# without them (a reload reopens them), the network section, a hostile
# User-Agent, --redact, an unknown address, and report --all --out.
# The GeoIP test addresses (89.160.20.x, 81.2.69.160, 2001:218::7) are
# only written into the log file; no packet is sent anywhere.
TOP=${TOP:-$(pwd)}
BUILD=${BUILD:-build}
. "$TOP/tests/daemon/report-common.subr"

GEO="[geoip]
city_db = $TOP/tests/data/geoip/GeoIP2-City-Test.mmdb
asn_db = $TOP/tests/data/geoip/GeoLite2-ASN-Test.mmdb"
HOSTILE='<script>alert("x")</script> it'"'"'s'

rep_setup
write_conf "$GEO"
rep_start

seed 203.0.113.7
seed 89.160.20.112
scan 89.160.20.120 12 "$HOSTILE"
scan 81.2.69.160 12
scan 2001:218::7 12
scan 203.0.113.66 12
wait_for 203.0.113.66 top
wait_for "2001:218:: " top
wait_for 89.160.20.112/32 list
wait_for 203.0.113.7/32 list
expect 0 ban 203.0.113.66 --reason neighbour

# Text.
expect 0 report 203.0.113.7
has "abusemom threat report: 203.0.113.7"
has "BLOCK  critical, score 165/100"
has "from 6 signature kinds"
has "Country         unknown"
has "ASN             unknown"
has "www.example.com  GET /wp-admin/  404"
has "Subnet 203.0.113.0/24: not banned"
has "203.0.113.66"
has "Suggestion: ban the subnet: abusemom-ctl ban 203.0.113.0/24"
has "8. DNSBL"
has "Not checked."
for k in "404 ratio" "Request burst" "Dangerous paths" "Foreign referer" \
    "302 then 404 probe" "User-Agent rotation"; do
	has "$k"
done

# JSON, parsed back.
expect 0 report 203.0.113.7 --format json
python3 - "$T/out" <<'EOP' || fail "report 203.0.113.7 --format json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["format"] == "abusemom-report" and r["version"] == 1, r
v = r["verdict"]
assert v["score"] == 165 and v["verdict"] == "critical" and v["block"], v
kinds = {k["kind"]: k["points"] for k in r["signatures"]["kinds"]}
assert kinds == {"ratio404": 15, "burst": 35, "danger": 60, "referer": 10,
    "probe302": 20, "uachange": 25}, kinds
assert r["signatures"]["score"] == 165, r["signatures"]
assert r["signatures"]["event_sum"] == sum(
    e["points"] for e in r["signatures"]["events"]), r["signatures"]
i = r["identity"]
assert i["address"] == "203.0.113.7" and i["hits"] == 17, i
for k in ("country_code", "country", "city", "asn_organization", "type"):
    assert i[k] == "unknown", (k, i)
assert i["asn"] is None, i
a = r["activity"]
assert not a["redacted"], a
hosts = {s["host"] for s in a["samples"]}
assert hosts == {"www.example.com"}, hosts
assert "/wp-login.php" in {s["path"] for s in a["samples"]}, a
assert a["danger"] == 6, a
t = r["timeline"]
assert t["banned"] and t["ban"]["score"] >= 100, t
n = r["network"]
assert n["subnet"] == "203.0.113.0/24" and not n["subnet_banned"], n
assert n["suggest_subnet_ban"], n
nb = {x["address"]: x for x in n["neighbours"]}
assert nb["203.0.113.66"]["banned"] and nb["203.0.113.66"]["score"] == 35, nb
assert "203.0.113.7" not in nb, nb
assert n["country"]["top"] == [] and n["asn"]["top"] == [], n
topics = [x["topic"] for x in r["recommendations"]]
assert topics[0] == "firewall" and "subnet" in topics, topics
assert r["dnsbl"] is None, r["dnsbl"]
EOP

# GeoIP fields (tests/data/geoip/README.md) and peers of country / ASN.
expect 0 report 89.160.20.112 --format json
python3 - "$T/out" <<'EOP' || fail "report 89.160.20.112: geoip"
import json, sys
r = json.load(open(sys.argv[1]))
i = r["identity"]
assert r["verdict"]["score"] == 165, r["verdict"]
assert i["country_code"] == "SE" and i["country"] == "Sweden", i
assert i["city"] == "Link\u00f6ping", i
assert i["asn"] == 29518 and i["asn_organization"] == "Bredband2 AB", i
n = r["network"]
assert n["subnet"] == "89.160.20.0/24", n
assert n["country"]["country_code"] == "SE", n
assert [(x["address"], x["score"]) for x in n["country"]["top"]] == [
    ("89.160.20.120", 35)], n["country"]
assert n["asn"]["asn"] == 29518, n
assert [x["address"] for x in n["asn"]["top"]] == ["89.160.20.120"], n
assert [x["address"] for x in n["neighbours"]] == ["89.160.20.120"], n
assert not n["suggest_subnet_ban"], n
assert "abuse" in [x["topic"] for x in r["recommendations"]], r
EOP
expect 0 report 89.160.20.112
has "Country         Sweden (SE)"
has "Top offenders from Sweden: 89.160.20.120 (35)"
has "Top offenders in AS29518 Bredband2 AB: 89.160.20.120 (35)"
expect 0 report 81.2.69.160 --format json
python3 - "$T/out" <<'EOP' || fail "report 81.2.69.160: geoip"
import json, sys
i = json.load(open(sys.argv[1]))["identity"]
assert i["country_code"] == "GB" and i["city"] == "London", i
assert i["asn"] is None and i["asn_organization"] == "unknown", i
EOP
expect 0 report 2001:218::7 --format json
python3 - "$T/out" <<'EOP' || fail "report 2001:218::7: geoip"
import json, sys
r = json.load(open(sys.argv[1]))
i = r["identity"]
# An IPv6 client is scored, and reported, as its /64.
assert i["address"] == "2001:218::" and i["country_code"] == "JP", i
assert i["city"] == "unknown" and i["asn"] is None, i
assert r["network"]["subnet"] == "2001:218::/48", r["network"]
assert r["verdict"]["score"] == 35 and r["verdict"]["verdict"] == "low", r
EOP

# A hostile User-Agent stays text in HTML and a valid string in JSON.
expect 0 report 89.160.20.120 --format json
python3 - "$T/out" "$HOSTILE" <<'EOP' || fail "hostile User-Agent in JSON"
import json, sys
r = json.load(open(sys.argv[1]))
uas = {s["user_agent"] for s in r["activity"]["samples"]}
assert uas == {sys.argv[2]}, uas
EOP
expect 0 report 89.160.20.120 --format html
grep -qi '<script' "$T/out" && fail "a <script> tag in the HTML report"
has '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; it&#39;s'
has '<!DOCTYPE html>'
has 'Linköping'
expect 0 --json report 89.160.20.120 --format html
python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))
assert a["ok"] and a["format"] == "html" and "</html>" in a["report"], a
assert a["index"]["addr"] == "89.160.20.120" and a["index"]["score"] == 35
' "$T/out" || fail "--json report --format html"

# --redact hides the hosts in every format.
for f in text json html; do
	expect 0 report 203.0.113.7 --format $f --redact
	hasnt www.example.com
	has "[redacted]"
done
expect 0 report 203.0.113.7 --format json --redact
python3 - "$T/out" <<'EOP' || fail "report --redact --format json"
import json, sys
a = json.load(open(sys.argv[1]))["activity"]
assert a["redacted"] and a["samples"], a
assert {s["host"] for s in a["samples"]} == {"[redacted]"}, a
EOP

# An address never seen.
expect 1 report 198.51.100.250; has "no record"
expect 1 report 2001:db8::beef --format json; has "no record"
expect 2 report
expect 2 report 203.0.113.7 --format pdf

# report --all --out DIR: a page per banned address and an index.
expect 2 report --all
expect 2 report 203.0.113.7 --out "$T/x"
expect 2 report 203.0.113.7 --all --out "$T/x"
expect 2 report --all --out "$T/x" --format json
expect 0 report --all --out "$T/pages" --redact
has "wrote 3 reports and $T/pages/index.html"
for a in 203.0.113.7 89.160.20.112 203.0.113.66; do
	[ -s "$T/pages/$a.html" ] || fail "no page for $a"
	grep -q "abusemom threat report\|$a" "$T/pages/$a.html" ||
	    fail "page of $a does not name it"
done
[ -e "$T/pages/89.160.20.120.html" ] && fail "a page for an unbanned address"
grep -q www.example.com "$T"/pages/*.html && fail "--all --redact kept hosts"
python3 - "$T/pages/index.html" <<'EOP' || fail "index.html"
import re, sys
html = open(sys.argv[1]).read()
rows = re.findall(r'<a href="\./([^"]+)\.html"><code>[^<]*</code></a></td>'
                  r'<td class="num"><b>(\d+)</b>', html)
assert [a for a, _ in rows] == ["89.160.20.112", "203.0.113.7",
    "203.0.113.66"], rows
scores = [int(s) for _, s in rows]
assert scores == [165, 165, 35] and scores == sorted(scores, reverse=True)
assert "3 addresses by score" in html and ">SE<" in html, html
EOP

# Without databases every GeoIP field is unknown; a reload that names
# them again reopens them.
write_conf ""
expect 0 reload
expect 0 report 89.160.20.112 --format json
python3 - "$T/out" <<'EOP' || fail "report without databases"
import json, sys
r = json.load(open(sys.argv[1]))
i = r["identity"]
for k in ("country_code", "country", "city", "asn_organization"):
    assert i[k] == "unknown", (k, i)
assert i["asn"] is None, i
assert r["network"]["country"]["top"] == [], r["network"]
EOP
expect 0 report 89.160.20.112; has "Country         unknown"
write_conf "$GEO"
expect 0 reload
expect 0 report 89.160.20.112 --format json
python3 -c 'import json, sys
i = json.load(open(sys.argv[1]))["identity"]
assert i["country_code"] == "SE" and i["asn"] == 29518, i
' "$T/out" || fail "the databases were not reopened after a reload"

kill "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" = 0 ] || fail "daemon exit status $rc"
echo "report-live: ok"
exit 0
