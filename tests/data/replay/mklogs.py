#!/usr/bin/env python3
"""Writes the replay corpora: seed.log (the example report's offender)
and benign.log (ordinary traffic that must ban no one). Deterministic:
run it again and the files come out byte-identical."""
import datetime as dt
import random

UA1 = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
       "(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36")
UA2 = ("Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 "
       "Firefox/123.0")
UA3 = "Mozilla/5.0 (compatible; Konqueror/4.5; Linux)"
BROWSERS = [
    UA1, UA2, UA3,
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Mobile/15E148 "
    "Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/122.0.6261.90 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 "
    "Firefox/115.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.0.0",
]
START = dt.datetime(2026, 5, 30, 6, 0, 0, tzinfo=dt.timezone.utc)


def line(ip, t, req, status, size, ref, ua):
    d = START + dt.timedelta(seconds=int(t))
    stamp = d.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return '%s - - [%s] "%s" %d %d "%s" "%s"\n' % (
        ip, stamp, req, status, size, ref or "-", ua)


def seed():
    """The example report's signature set for one address: 404 ratio
    40-60%, a 5-in-2-s burst, six medium danger hits, a foreign referer,
    one path answered 302 then 404, three User-Agents. Expected score
    15 + 35 + 60 + 10 + 20 + 25 = 165."""
    ip = "203.0.113.7"
    out = []
    a = out.append
    a(line(ip, 0, "GET / HTTP/1.1", 200, 5120, None, UA1))
    a(line(ip, 5, "GET /page HTTP/1.1", 200, 4096, None, UA1))
    a(line(ip, 10, "GET /about HTTP/1.1", 200, 3000,
           "https://spam.example.net/offer", UA1))
    for i, t in enumerate((20.0, 20.3, 20.6, 21.0, 21.4)):
        a(line(ip, t, "GET /search?q=%c HTTP/1.1" % "abcde"[i], 200, 900,
               None, UA1))
    a(line(ip, 40, "GET /login HTTP/1.1", 302, 154, None, UA2))
    a(line(ip, 41, "GET /login HTTP/1.1", 404, 153, None, UA2))
    for i, p in enumerate(("/wp-admin/", "/wp-login.php", "/phpmyadmin/",
                           "/admin", "/xmlrpc.php", "/administrator/")):
        a(line(ip, 60 + 10 * i, "GET %s HTTP/1.1" % p, 404, 153, None, UA3))
    a(line(ip, 120, "GET /contact HTTP/1.1", 200, 2048, None, UA1))
    return out


ASSETS = ["/static/css/site.css", "/static/js/app.js", "/static/img/logo.svg",
          "/static/fonts/inter.woff2", "/favicon.ico"]
PAGES = ["/", "/about", "/pricing", "/docs/", "/docs/install", "/blog/",
         "/blog/2026/05/release", "/contact", "/products/1042",
         "/search?q=nginx+cache"]
SEARCH = ["https://www.google.com/", "https://www.bing.com/",
          "https://duckduckgo.com/"]
SITE = "https://www.example.com"


def visit(rng, ip, t, ua, ref, pages):
    """A browser session: pages with their assets and an own referer."""
    out = []
    for n in range(pages):
        page = rng.choice(PAGES)
        out.append((t, line(ip, t, "GET %s HTTP/2.0" % page, 200,
                            rng.randint(4000, 40000), ref, ua)))
        ta = t
        for asset in rng.sample(ASSETS, rng.randint(2, 5)):
            ta += rng.uniform(0.02, 0.2)
            out.append((ta, line(ip, ta, "GET %s HTTP/2.0" % asset, 200,
                                 rng.randint(500, 90000), SITE + page, ua)))
        ref = SITE + page
        t += rng.uniform(8, 90)
    return out


def benign():
    rng = random.Random(7)
    ev = []
    # Visitors from search engines and direct visitors.
    for i in range(40):
        ip = "198.51.100.%d" % (100 + i)
        ref = rng.choice(SEARCH) if i % 2 else None
        ev += visit(rng, ip, rng.uniform(0, 3000), rng.choice(BROWSERS),
                    ref, rng.randint(1, 8))
    # An office: eight browsers behind one address, all morning.
    for ua in BROWSERS:
        t = rng.uniform(0, 600)
        for _ in range(4):
            ev += visit(rng, "203.0.113.50", t, ua, rng.choice(SEARCH), 3)
            t += rng.uniform(300, 900)
    # A polite crawler: one request every few seconds, a few 404s.
    crawler = ("Mozilla/5.0 (compatible; Googlebot/2.1; "
               "+http://www.google.com/bot.html)")
    t = 100.0
    for i in range(300):
        if i % 25 == 7:
            req, st = "GET /blog/2019/03/removed-post HTTP/1.1", 404
        elif i % 50 == 0:
            req, st = "GET /robots.txt HTTP/1.1", 200
        else:
            req, st = "GET %s HTTP/1.1" % rng.choice(PAGES), 200
        ev.append((t, line("198.51.100.20", t, req, st, 8000, None,
                           crawler)))
        t += rng.uniform(3, 9)
    # A feed reader every fifteen minutes.
    for i in range(12):
        t = 60 + 900 * i
        ev.append((t, line("198.51.100.30", t, "GET /feed.xml HTTP/1.1",
                           304 if i else 200, 0 if i else 24000, None,
                           "Miniflux/2.1.0 (+https://miniflux.app)")))
    # A health check every ten seconds.
    for i in range(1080):
        t = 10 * i
        ev.append((t, line("192.0.2.10", t, "GET /healthz HTTP/1.1", 200, 2,
                           None, "kube-probe/1.29")))
    ev.sort(key=lambda x: x[0])
    return [x[1] for x in ev]


with open("seed.log", "w") as f:
    f.writelines(seed())
with open("benign.log", "w") as f:
    f.writelines(benign())
