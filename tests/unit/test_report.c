/*
 * The threat report rendered from a seed-like offender in text, JSON
 * and HTML. Also a helper for the shell tests: "test_report --render
 * html FILE" writes the seed-like page, "test_report --dnsbl SERVER
 * ZONE ADDR..." queries a DNSBL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json.h>

#include "addr.h"
#include "report.h"
#include "util.h"

#define UA_EVIL	"<script>alert(\"x\")</script> 'q' & \"dq\""

static int64_t
t(int y, int mo, int d, int h, int mi, int s)
{
	return util_timegm(y, mo, d, h, mi, s) * 1000;
}

static void
set_addr(struct addr *a, const char *s)
{
	assert_int_equal(addr_parse(a, s, strlen(s)), 0);
}

static void
add_event(struct report *r, const char *kind, const char *desc, int points,
    const char *sev, int64_t ms)
{
	struct report_event	*e;

	assert_non_null(e = report_add_event(r));
	util_strlcpy(e->kind, kind, sizeof(e->kind));
	util_strlcpy(e->desc, desc, sizeof(e->desc));
	util_strlcpy(e->severity, sev, sizeof(e->severity));
	util_strlcpy(e->jail, "dirscan", sizeof(e->jail));
	e->points = points;
	e->time_ms = ms;
}

static void
add_sample(struct report *r, const char *method, const char *path,
    int status, const char *ua, int64_t ms)
{
	struct report_sample	*s;

	assert_non_null(s = report_add_sample(r));
	util_strlcpy(s->method, method, sizeof(s->method));
	util_strlcpy(s->host, "shop.example.com", sizeof(s->host));
	util_strlcpy(s->path, path, sizeof(s->path));
	util_strlcpy(s->ua, ua, sizeof(s->ua));
	s->status = status;
	s->time_ms = ms;
}

static void
add_peer(struct report_peer *p, const char *a, int score, int banned)
{
	assert_non_null(p);
	set_addr(&p->addr, a);
	p->score = score;
	p->banned = banned;
}

static void
seed_geo(struct geo *g)
{
	util_strlcpy(g->country_code, "VN", sizeof(g->country_code));
	util_strlcpy(g->country, "Vietnam", sizeof(g->country));
	util_strlcpy(g->city, "Hanoi", sizeof(g->city));
	util_strlcpy(g->isp, "Example Hosting", sizeof(g->isp));
	util_strlcpy(g->org, "Example Hosting Ltd", sizeof(g->org));
	util_strlcpy(g->asn_org, "EXAMPLE-AS", sizeof(g->asn_org));
	util_strlcpy(g->type, "hosting", sizeof(g->type));
	g->asn = 64500;
}

/* Six kinds, 14 events: Σ 500, score 165, as in the seed report. */
static void
seed_events(struct report *r)
{
	int64_t	 d = t(2026, 5, 30, 5, 0, 0);

	add_event(r, "ratio404", "404 ratio 40-60%", 15, "medium", d + 1000);
	add_event(r, "burst", "Burst 5 req / 2s", 35, "high", d + 2000);
	add_event(r, "burst", "Burst 5 req / 2s", 35, "high", d + 9000);
	add_event(r, "danger", "Danger medium hits: 4", 40, "medium", d + 3000);
	add_event(r, "danger", "Danger medium hits: 5", 50, "medium", d + 4000);
	add_event(r, "danger", "Danger medium hits: 6", 60, "medium", d + 5000);
	add_event(r, "danger", "Danger medium hits: 8", 60, "medium", d + 6000);
	add_event(r, "danger", "Danger medium hits: 10", 60, "medium",
	    d + 7000);
	add_event(r, "danger", "Danger medium hits: 15", 60, "medium",
	    d + 8000);
	add_event(r, "referer", "Foreign referer", 10, "low", d - 5000);
	add_event(r, "referer", "Foreign referer", 10, "low", d + 10000);
	add_event(r, "probe302", "Probe 302 then 404, same path", 20, "medium",
	    d + 11000);
	add_event(r, "probe302", "Probe 302 then 404, same path", 20, "medium",
	    d + 12000);
	add_event(r, "uachange", "3 User-Agents", 25, "medium", d + 13000);
}

static void
seed_report(struct report *r)
{
	struct report_ban	*b;
	struct report_dnsbl	*d;

	report_init(r);
	set_addr(&r->addr, "203.0.113.7");
	r->score = 165;
	r->threshold = 100;
	r->generated_ms = t(2026, 5, 30, 6, 11, 15);
	r->first_ms = t(2026, 2, 22, 7, 0, 5);
	r->last_ms = t(2026, 5, 30, 6, 5, 27);
	r->hits = 951;
	seed_geo(&r->geo);
	seed_events(r);
	add_sample(r, "GET", "/.env?a=1&b=<2>", 404, "Mozilla/5.0 (X11)",
	    t(2026, 5, 30, 6, 1, 0));
	add_sample(r, "POST", "/wp-login.php", 302, UA_EVIL,
	    t(2026, 5, 30, 6, 2, 0));
	r->nrequests = 951;
	r->n404 = 412;
	r->ndanger = 48;
	r->banned = 1;
	r->ban.since_ms = t(2026, 5, 30, 6, 5, 28);
	r->ban.expires_ms = t(2026, 5, 30, 8, 5, 28);
	r->ban.score = 165;
	util_strlcpy(r->ban.jail, "dirscan", sizeof(r->ban.jail));
	r->times_banned = 1;
	assert_non_null(b = report_add_earlier(r));
	b->since_ms = t(2026, 3, 10, 12, 0, 0);
	b->expires_ms = t(2026, 3, 10, 13, 0, 0);
	b->score = 110;
	util_strlcpy(b->jail, "flood", sizeof(b->jail));
	add_peer(report_add_neighbour(r), "203.0.113.9", 140, 1);
	add_peer(report_add_neighbour(r), "203.0.113.20", 60, 0);
	add_peer(report_add_top_country(r), "198.51.100.66", 273, 1);
	add_peer(report_add_top_country(r), "198.51.100.189", 235, 1);
	add_peer(report_add_top_asn(r), "203.0.113.43", 165, 1);
	assert_non_null(d = report_add_dnsbl(r));
	util_strlcpy(d->zone, "bl.test", sizeof(d->zone));
	d->status = REPORT_DNSBL_LISTED;
	util_strlcpy(d->answer, "127.0.0.2", sizeof(d->answer));
	assert_non_null(d = report_add_dnsbl(r));
	util_strlcpy(d->zone, "clean.test", sizeof(d->zone));
	d->status = REPORT_DNSBL_CLEAN;
}

/* Renders into a malloc'd string; the caller frees it. */
static char *
render(const struct report *r, enum report_format fmt, int redact)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(report_write(r, fmt, redact, f), 0);
	fclose(f);
	assert_non_null(buf);
	return buf;
}

/* Asserts that each needle occurs, in this order. */
static void
assert_in_order(const char *hay, const char *const *needles, size_t n)
{
	const char	*p = hay, *q;
	size_t		 i;

	for (i = 0; i < n; i++) {
		q = strstr(p, needles[i]);
		if (q == NULL)
			fail_msg("missing or out of order: %s", needles[i]);
		p = q + strlen(needles[i]);
	}
}

static void
test_verdict(void **state)
{
	(void)state;
	assert_string_equal(report_verdict(0, 100), "low");
	assert_string_equal(report_verdict(49, 100), "low");
	assert_string_equal(report_verdict(50, 100), "watch");
	assert_string_equal(report_verdict(99, 100), "watch");
	assert_string_equal(report_verdict(100, 100), "block");
	assert_string_equal(report_verdict(149, 100), "block");
	assert_string_equal(report_verdict(150, 100), "critical");
	assert_string_equal(report_verdict(165, 0), "critical");
	assert_string_equal(report_verdict(79, 80), "watch");
	assert_string_equal(report_verdict(80, 80), "block");
}

static void
test_text(void **state)
{
	static const char *const order[] = {
		"threat report: 203.0.113.7",
		"1. Verdict", "BLOCK  critical, score 165/100",
		"from 6 signature kinds", "over 951 logged hits",
		"2. Identity", "203.0.113.7", "First seen      2026-02-22 "
		"07:00:05 UTC", "Last seen       2026-05-30 06:05:27 UTC",
		"Hits            951", "96 days, 9.9 hits a day", "hosting",
		"Vietnam (VN)", "Hanoi", "Example Hosting",
		"AS64500 EXAMPLE-AS",
		"3. Signatures", "404 ratio 40-60%", "+15", "medium",
		"Danger medium hits: 4", "+40", "Danger medium hits: 15", "+60",
		"\xce\xa3 = 500",
		"ratio404 15 + burst 35 + danger 60 + referer 10 + probe302 "
		"20 + uachange 25 = 165",
		"4. Observed activity", "[redacted]  GET /.env?a=1&b=<2>  404",
		"User-Agent: Mozilla/5.0 (X11)", "POST /wp-login.php  302",
		"Requests: 951, answered 404: 412, danger paths: 48",
		"5. Timeline", "2026-02-22 07:00:05 UTC  First request",
		"2026-03-10 12:00:00 UTC  Earlier ban: jail flood, score 110",
		"Foreign referer triggered", "404 ratio triggered",
		"Request burst triggered", "Dangerous paths triggered",
		"302 then 404 probe triggered", "User-Agent rotation triggered",
		"2026-05-30 06:05:27 UTC  Last request: score 165/100",
		"2026-05-30 06:05:28 UTC  Banned: jail dirscan, score 165",
		"2026-05-30 08:05:28 UTC  Ban expires",
		"6. Network", "Subnet 203.0.113.0/24: not banned",
		"203.0.113.9", "banned", "203.0.113.20", "not banned",
		"abusemom-ctl ban 203.0.113.0/24",
		"Top offenders from Vietnam: 198.51.100.66 (273), "
		"198.51.100.189 (235)",
		"Top offenders in AS64500 EXAMPLE-AS: 203.0.113.43 (165)",
		"7. Recommendations", "Firewall", "Subnet",
		"Directory scanning", "Request floods", "User-Agent rotation",
		"Foreign referers", "Abuse contact",
		"8. DNSBL", "bl.test: listed (127.0.0.2)", "clean.test: clean",
	};
	struct report	 r;
	char		*s;

	(void)state;
	seed_report(&r);
	s = render(&r, REPORT_TEXT, 1);
	assert_in_order(s, order, sizeof(order) / sizeof(order[0]));
	assert_null(strstr(s, "shop.example.com"));
	assert_null(strstr(s, "Credential guessing"));
	free(s);
	s = render(&r, REPORT_TEXT, 0);
	assert_non_null(strstr(s, "shop.example.com  GET /.env"));
	assert_null(strstr(s, "[redacted]"));
	free(s);
	report_free(&r);
}

static json_object *
jget(json_object *o, const char *path)
{
	char		 buf[128], *p, *k;
	json_object	*v = o;

	util_strlcpy(buf, path, sizeof(buf));
	for (p = buf; (k = strsep(&p, ".")) != NULL;) {
		if (json_object_is_type(v, json_type_array)) {
			long long	 i;

			assert_int_equal(util_parse_int(k, 0, 1000, &i), 0);
			v = json_object_array_get_idx(v, (size_t)i);
		} else if (!json_object_object_get_ex(v, k, &v))
			fail_msg("no key %s in %s", k, path);
		assert_non_null(v);
	}
	return v;
}

static const char *
jstr(json_object *o, const char *path)
{
	return json_object_get_string(jget(o, path));
}

static int64_t
jint(json_object *o, const char *path)
{
	return json_object_get_int64(jget(o, path));
}

/* Parses strictly, UTF-8 checked. */
static json_object *
parse_json(const char *s)
{
	struct json_tokener	*tok;
	json_object		*o;

	assert_non_null(tok = json_tokener_new());
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)strlen(s));
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	json_tokener_free(tok);
	assert_non_null(o);
	return o;
}

/* Sections 5 to 8 of the seed-like report's JSON. */
static void
check_json_later(json_object *o)
{
	json_object	*tl;
	size_t		 i, n;

	tl = jget(o, "timeline.events");
	n = json_object_array_length(tl);
	assert_int_equal(n, 11);
	assert_string_equal(jstr(tl, "0.event"), "first_request");
	assert_string_equal(jstr(tl, "10.event"), "ban_expires");
	for (i = 1; i < n; i++) {
		char	 a[32], b[32];

		snprintf(a, sizeof(a), "%zu.time", i - 1);
		snprintf(b, sizeof(b), "%zu.time", i);
		assert_true(strcmp(jstr(tl, a), jstr(tl, b)) <= 0);
	}
	assert_string_equal(jstr(o, "timeline.ban.jail"), "dirscan");
	assert_string_equal(jstr(o, "timeline.ban.expires"),
	    "2026-05-30T08:05:28Z");
	assert_int_equal(jint(o, "timeline.times_banned_before"), 1);
	assert_string_equal(jstr(o, "timeline.earlier_bans.0.jail"), "flood");
	assert_string_equal(jstr(o, "network.subnet"), "203.0.113.0/24");
	assert_true(json_object_get_boolean(jget(o,
	    "network.suggest_subnet_ban")));
	assert_true(json_object_get_boolean(jget(o,
	    "network.neighbours.0.banned")));
	assert_int_equal(jint(o, "network.country.top.0.score"), 273);
	assert_string_equal(jstr(o, "network.asn.top.0.address"),
	    "203.0.113.43");
	assert_string_equal(jstr(o, "recommendations.2.topic"), "dirscan");
	assert_string_equal(jstr(o, "dnsbl.0.status"), "listed");
	assert_string_equal(jstr(o, "dnsbl.0.answer"), "127.0.0.2");
	assert_string_equal(jstr(o, "dnsbl.1.status"), "clean");
}

static void
test_json(void **state)
{
	static const char *const keys[] = { "format", "version", "generated",
	    "verdict", "identity", "signatures", "activity", "timeline",
	    "network", "recommendations", "dnsbl" };
	struct report	 r;
	json_object	*o;
	char		*s;
	size_t		 i = 0;

	(void)state;
	seed_report(&r);
	s = render(&r, REPORT_JSON, 1);
	o = parse_json(s);
	json_object_object_foreach(o, key, val) {
		(void)val;
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i++]);
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	assert_string_equal(jstr(o, "format"), "abusemom-report");
	assert_int_equal(jint(o, "version"), 1);
	assert_string_equal(jstr(o, "generated"), "2026-05-30T06:11:15Z");
	assert_true(json_object_get_boolean(jget(o, "verdict.block")));
	assert_string_equal(jstr(o, "verdict.verdict"), "critical");
	assert_int_equal(jint(o, "verdict.score"), 165);
	assert_int_equal(jint(o, "verdict.threshold"), 100);
	assert_string_equal(jstr(o, "identity.address"), "203.0.113.7");
	assert_string_equal(jstr(o, "identity.first_seen"),
	    "2026-02-22T07:00:05Z");
	assert_int_equal(jint(o, "identity.hits"), 951);
	assert_int_equal(jint(o, "identity.window_days"), 96);
	assert_float_equal(json_object_get_double(jget(o,
	    "identity.hits_per_day")), 9.9, 0.001);
	assert_string_equal(jstr(o, "identity.country_code"), "VN");
	assert_int_equal(jint(o, "identity.asn"), 64500);
	assert_string_equal(jstr(o, "identity.type"), "hosting");
	assert_int_equal(json_object_array_length(jget(o,
	    "signatures.events")), 14);
	assert_string_equal(jstr(o, "signatures.events.3.description"),
	    "Danger medium hits: 4");
	assert_int_equal(jint(o, "signatures.events.3.points"), 40);
	assert_int_equal(jint(o, "signatures.event_sum"), 500);
	assert_int_equal(json_object_array_length(jget(o,
	    "signatures.kinds")), 6);
	assert_string_equal(jstr(o, "signatures.kinds.2.kind"), "danger");
	assert_int_equal(jint(o, "signatures.kinds.2.points"), 60);
	assert_int_equal(jint(o, "signatures.score"), 165);
	assert_string_equal(jstr(o, "activity.samples.1.user_agent"),
	    UA_EVIL);
	assert_string_equal(jstr(o, "activity.samples.0.path"),
	    "/.env?a=1&b=<2>");
	assert_string_equal(jstr(o, "activity.samples.0.host"),
	    "[redacted]");
	assert_int_equal(jint(o, "activity.status_404"), 412);
	check_json_later(o);
	json_object_put(o);
	free(s);

	s = render(&r, REPORT_JSON, 0);
	o = parse_json(s);
	assert_string_equal(jstr(o, "activity.samples.0.host"),
	    "shop.example.com");
	json_object_put(o);
	free(s);
	report_free(&r);
}

static void
test_html(void **state)
{
	static const char *const order[] = {
		"<!DOCTYPE html>", "name=\"viewport\"",
		"<section id=\"verdict\" class=\"card v-critical\">",
		"<b>165</b><span>/100</span>", ">BLOCK<", ">critical<",
		"<section id=\"identity\"", "Hanoi", "AS64500 EXAMPLE-AS",
		"<section id=\"signatures\"", "404 ratio 40-60%",
		"\xce\xa3 = 500", ">165</td>",
		"<section id=\"activity\"", "/.env?a=1&amp;b=&lt;2&gt;",
		"[redacted]",
		"User-Agent: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
		" &#39;q&#39; &amp; &quot;dq&quot;",
		"<section id=\"timeline\"", "First request", "Ban expires",
		"<section id=\"network\"", "203.0.113.0/24",
		"abusemom-ctl ban 203.0.113.0/24", "198.51.100.66 (273)",
		"<section id=\"recommendations\"", "Directory scanning",
		"<section id=\"dnsbl\"", "bl.test", "listed (127.0.0.2)",
		"</html>",
	};
	struct report	 r;
	char		*s;

	(void)state;
	seed_report(&r);
	s = render(&r, REPORT_HTML, 1);
	assert_in_order(s, order, sizeof(order) / sizeof(order[0]));
	/* Inert: no markup from the log, no scripts, nothing fetched. */
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "alert(\"x\")"));
	assert_null(strstr(s, "http://"));
	assert_null(strstr(s, "https://"));
	assert_null(strstr(s, "src="));
	assert_null(strstr(s, "<link"));
	assert_null(strstr(s, "url("));
	assert_null(strstr(s, "@import"));
	assert_null(strstr(s, "shop.example.com"));
	free(s);
	s = render(&r, REPORT_HTML, 0);
	assert_non_null(strstr(s, "shop.example.com"));
	assert_null(strstr(s, "[redacted]"));
	free(s);
	report_free(&r);
}

/* Control bytes, broken UTF-8 and bidi overrides never come through. */
static void
test_hostile_text(void **state)
{
	struct report	 r;
	json_object	*o;
	char		*s;

	(void)state;
	seed_report(&r);
	util_strlcpy(r.samples[0].ua, "a\x1b[2Jb\xff\xc3(c\xe2\x80\xae"
	    "d\r\ne L\xc3\xb6", sizeof(r.samples[0].ua));
	s = render(&r, REPORT_TEXT, 0);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\r'));
	assert_null(strstr(s, "\xe2\x80\xae"));
	assert_non_null(strstr(s, "L\xc3\xb6"));
	free(s);
	s = render(&r, REPORT_JSON, 0);
	o = parse_json(s);
	assert_string_equal(jstr(o, "activity.samples.0.user_agent"),
	    "a\xef\xbf\xbd[2Jb\xef\xbf\xbd\xef\xbf\xbd(c\xef\xbf\xbd"
	    "d\xef\xbf\xbd\xef\xbf\xbd" "e L\xc3\xb6");
	json_object_put(o);
	free(s);
	s = render(&r, REPORT_HTML, 0);
	assert_null(strchr(s, '\x1b'));
	free(s);
	report_free(&r);
}

/* Nothing known: every format still renders, with unknowns. */
static void
test_empty(void **state)
{
	struct report	 r;
	json_object	*o;
	char		*s;

	(void)state;
	report_init(&r);
	set_addr(&r.addr, "2001:db8:1:2::5");
	r.score = 30;
	s = render(&r, REPORT_TEXT, 0);
	assert_non_null(strstr(s, "   low, score 30/100"));
	assert_null(strstr(s, "BLOCK"));
	assert_non_null(strstr(s, "Subnet 2001:db8:1::/48: not banned"));
	assert_non_null(strstr(s, "City            unknown"));
	assert_non_null(strstr(s, "8. DNSBL\n   Not checked."));
	free(s);
	s = render(&r, REPORT_JSON, 0);
	o = parse_json(s);
	assert_false(json_object_get_boolean(jget(o, "verdict.block")));
	assert_string_equal(jstr(o, "identity.city"), "unknown");
	assert_true(json_object_is_type(json_object_object_get(jget(o,
	    "identity"), "asn"), json_type_null));
	assert_true(json_object_is_type(json_object_object_get(o, "dnsbl"),
	    json_type_null));
	assert_int_equal(jint(o, "signatures.event_sum"), 0);
	json_object_put(o);
	free(s);
	s = render(&r, REPORT_HTML, 0);
	assert_non_null(strstr(s, "v-low"));
	assert_null(strstr(s, ">BLOCK<"));
	free(s);
	report_free(&r);
}

/* Stored per-kind maxima win over the events' (windows expire). */
static void
test_stored_kinds(void **state)
{
	struct report		 r;
	struct report_kind	*k;
	char			*s;

	(void)state;
	seed_report(&r);
	r.score = 60;
	assert_non_null(k = report_add_kind(&r));
	util_strlcpy(k->kind, "danger", sizeof(k->kind));
	k->points = 60;
	s = render(&r, REPORT_TEXT, 0);
	assert_non_null(strstr(s, "kind: danger 60 = 60\n"));
	assert_non_null(strstr(s, "\xce\xa3 = 500"));
	assert_null(strstr(s, "Stored score"));
	free(s);
	r.score = 50;
	s = render(&r, REPORT_TEXT, 0);
	assert_non_null(strstr(s, "Stored score: 50"));
	free(s);
	report_free(&r);
}

static void
test_index(void **state)
{
	static const char *const order[] = {
		"3 addresses by score",
		"<a href=\"./2001:db8::9.html\"><code>2001:db8::9</code></a>",
		"<b>210</b>", "critical", "banned",
		"<a href=\"./203.0.113.7.html\">", "<b>165</b>",
		"<a href=\"./198.51.100.3.html\">", "<b>20</b>", "low",
		"</html>",
	};
	struct report_index	 v[3];
	struct report		 r;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;

	(void)state;
	memset(v, 0, sizeof(v));
	seed_report(&r);
	report_index_from(&v[0], &r);
	report_free(&r);
	assert_string_equal(v[0].country_code, "VN");
	assert_int_equal(v[0].score, 165);
	set_addr(&v[1].addr, "198.51.100.3");
	v[1].score = 20;
	util_strlcpy(v[1].country_code, "unknown", sizeof(v[1].country_code));
	set_addr(&v[2].addr, "2001:db8::9");
	v[2].score = 210;
	v[2].banned = 1;
	util_strlcpy(v[2].asn_org, "<b>x</b>", sizeof(v[2].asn_org));
	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(report_write_index(v, 3, t(2026, 5, 30, 6, 0, 0), f),
	    0);
	fclose(f);
	assert_in_order(buf, order, sizeof(order) / sizeof(order[0]));
	assert_null(strstr(buf, "<b>x</b>"));
	assert_non_null(strstr(buf, "&lt;b&gt;x&lt;/b&gt;"));
	/* The array itself keeps its order. */
	assert_int_equal(v[0].score, 165);
	free(buf);
}

static void
test_dnsbl_name(void **state)
{
	struct addr	 a;
	char		 buf[256];

	(void)state;
	set_addr(&a, "203.0.113.7");
	assert_int_equal(report_dnsbl_name(&a, "bl.test", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "7.113.0.203.bl.test.");
	assert_int_equal(report_dnsbl_name(&a, "bl.test.", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "7.113.0.203.bl.test.");
	set_addr(&a, "::ffff:192.0.2.1");
	assert_int_equal(report_dnsbl_name(&a, "x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1.2.0.192.x.");
	set_addr(&a, "2001:db8::567:89ab");
	assert_int_equal(report_dnsbl_name(&a, "bl.test", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.8.b.d.0.1.0.0.2.bl.test.");
	assert_int_equal(report_dnsbl_name(&a, "", buf, sizeof(buf)), -1);
	assert_int_equal(report_dnsbl_name(&a, "a..b", buf, sizeof(buf)), -1);
	assert_int_equal(report_dnsbl_name(&a, "a b", buf, sizeof(buf)), -1);
	assert_int_equal(report_dnsbl_name(&a, "bl.test", buf, 40), -1);
}

/*
 * "--render text|json|html FILE": the seed-like report, redacted, for
 * tests/report/html-chromium.sh and for looking at it.
 */
static int
mode_render(const char *format, const char *path)
{
	struct report		 r;
	enum report_format	 fmt;
	FILE			*f;
	int			 rc;

	if (strcmp(format, "text") == 0)
		fmt = REPORT_TEXT;
	else if (strcmp(format, "json") == 0)
		fmt = REPORT_JSON;
	else if (strcmp(format, "html") == 0)
		fmt = REPORT_HTML;
	else
		return 2;
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	seed_report(&r);
	rc = report_write(&r, fmt, 1, f);
	rc |= fclose(f);
	report_free(&r);
	return rc == 0 ? 0 : 1;
}

/* "--dnsbl SERVER ZONE ADDR...": prints "ADDR status" a line. */
static int
mode_dnsbl(int argc, char **argv)
{
	const char		*zones[1];
	struct report_dnsbl	 d;
	struct addr		 a;
	int			 i;

	zones[0] = argv[3];
	for (i = 4; i < argc; i++) {
		if (addr_parse(&a, argv[i], strlen(argv[i])) == -1 ||
		    report_dnsbl(&a, zones, 1, 1000, argv[2], &d) == -1)
			return 1;
		printf("%s %s%s%s\n", argv[i], d.status == REPORT_DNSBL_LISTED ?
		    "listed" : d.status == REPORT_DNSBL_CLEAN ? "clean" :
		    "noanswer", d.answer[0] ? " " : "", d.answer);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_stored_kinds),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_dnsbl_name),
	};

	if (argc == 4 && strcmp(argv[1], "--render") == 0)
		return mode_render(argv[2], argv[3]);
	if (argc >= 5 && strcmp(argv[1], "--dnsbl") == 0)
		return mode_dnsbl(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
