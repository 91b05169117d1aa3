/*
 * The threat report: a model derived once from struct report (verdict,
 * kind maxima, timeline, recommendations), then written as text, JSON
 * (json-c, so escaping is right) or one self-contained HTML page.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <errno.h>
#include <json.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "report.h"
#include "util.h"

#define REP_TIME_LEN	32
#define REP_REC_MAX	10
#define REP_DAY_MS	(86400LL * 1000)

/* One line of the timeline. */
struct rep_tl {
	int64_t		 time_ms;
	const char	*key;		/* first_request, signature, ... */
	char		 what[64];
	char		 detail[192];
	size_t		 order;
};

/* One recommendation: a key for JSON, a title and a paragraph. */
struct rep_rec {
	const char	*key;
	const char	*title;
	char		 text[640];
};

/* What every format shows, derived once. */
struct rep_model {
	const struct report	*r;
	int			 redact;
	char			 addr[ADDR_STRLEN];
	const char		*verdict;
	int			 block;
	int			 threshold;
	long long		 days;
	char			 per_day[32];
	long long		 sum;
	struct report_kind	*kinds;
	size_t			 nkinds;
	char			 subnet[PREFIX_STRLEN];
	int			 suggest_subnet;
	size_t			 nbad_neighbours;
	const char		*network;	/* ISP, organization or AS */
	char			 asn[160];	/* "AS29518 Bredband2 AB" */
	char			 summary[512];
	struct rep_tl		*tl;
	size_t			 ntl;
	struct rep_rec		 recs[REP_REC_MAX];
	size_t			 nrecs;
};

static const struct {
	const char	*kind;
	const char	*label;
} rep_kinds[] = {
	{ "ratio404", "404 ratio" },
	{ "burst", "Request burst" },
	{ "danger", "Dangerous paths" },
	{ "referer", "Foreign referer" },
	{ "probe302", "302 then 404 probe" },
	{ "uachange", "User-Agent rotation" },
	{ "badua", "Scanner User-Agent" },
	{ "authfail", "Authentication failures" },
};

void
report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	geoip_unknown(&r->geo);
}

void
report_free(struct report *r)
{
	free(r->events);
	free(r->kinds);
	free(r->samples);
	free(r->earlier);
	free(r->neighbours);
	free(r->top_country);
	free(r->top_asn);
	free(r->dnsbl);
	memset(r, 0, sizeof(*r));
}

/* Grows *v by one zeroed element of size bytes; returns it or NULL. */
static void *
rep_grow(void **v, size_t *n, size_t size)
{
	char	*p;

	if ((p = reallocarray(*v, *n + 1, size)) == NULL)
		return NULL;
	*v = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

#define REP_ADD(r, f, n) rep_grow((void **)&(r)->f, &(r)->n, sizeof(*(r)->f))

struct report_event *
report_add_event(struct report *r)
{
	return REP_ADD(r, events, nevents);
}

struct report_kind *
report_add_kind(struct report *r)
{
	return REP_ADD(r, kinds, nkinds);
}

struct report_sample *
report_add_sample(struct report *r)
{
	return REP_ADD(r, samples, nsamples);
}

struct report_ban *
report_add_earlier(struct report *r)
{
	return REP_ADD(r, earlier, nearlier);
}

struct report_peer *
report_add_neighbour(struct report *r)
{
	return REP_ADD(r, neighbours, nneighbours);
}

struct report_peer *
report_add_top_country(struct report *r)
{
	return REP_ADD(r, top_country, ntop_country);
}

struct report_peer *
report_add_top_asn(struct report *r)
{
	return REP_ADD(r, top_asn, ntop_asn);
}

struct report_dnsbl *
report_add_dnsbl(struct report *r)
{
	return REP_ADD(r, dnsbl, ndnsbl);
}

static int
rep_threshold(int threshold)
{
	return threshold > 0 ? threshold : 100;
}

const char *
report_verdict(int score, int threshold)
{
	long long	 t = rep_threshold(threshold);

	if (2LL * score < t)
		return "low";
	if (score < t)
		return "watch";
	if (2LL * score < 3 * t)
		return "block";
	return "critical";
}

long long
report_event_sum(const struct report *r)
{
	long long	 sum = 0;
	size_t		 i;

	for (i = 0; i < r->nevents; i++)
		sum += r->events[i].points;
	return sum;
}

static const char *
rep_kind_label(const char *kind)
{
	size_t	 i;

	for (i = 0; i < UTIL_NELEM(rep_kinds); i++)
		if (strcmp(rep_kinds[i].kind, kind) == 0)
			return rep_kinds[i].label;
	return kind;
}

static const char *
rep_severity(const struct report_event *e)
{
	if (e->severity[0] != '\0')
		return e->severity;
	if (e->points >= 50)
		return "high";
	return e->points >= 20 ? "medium" : "low";
}

/* Formats wall time as "2026-05-30 06:11:15 UTC", or "unknown". */
static const char *
rep_time(int64_t ms, char *buf, size_t len)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		util_strlcpy(buf, "unknown", len);
	return buf;
}

/* Formats wall time for JSON; returns NULL when unknown. */
static json_object *
rep_json_time(int64_t ms)
{
	char	 buf[REP_TIME_LEN];

	if (ms <= 0)
		return NULL;
	util_format_time(ms, buf, sizeof(buf));
	return json_object_new_string(buf);
}

/*
 * Decodes one UTF-8 character at s (n bytes left). Returns its length
 * and the code point in *cp, or 0 when the bytes are not valid UTF-8.
 */
static size_t
rep_utf8(const unsigned char *s, size_t n, unsigned *cp)
{
	static const unsigned	 min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t			 len, i;
	unsigned		 c;

	if (s[0] < 0x80)
		len = 1, c = s[0];
	else if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Control characters, and the ones that reorder text on screen. */
static int
rep_unsafe(unsigned c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) ||
	    (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

/*
 * Copies logged text into dst as valid UTF-8 without control or
 * reordering characters (each such byte or character becomes U+FFFD),
 * cut at a character boundary. Returns dst.
 */
static char *
rep_clean(char *dst, size_t dstlen, const char *src)
{
	static const char	 repl[] = "\xef\xbf\xbd";
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 n = strlen(src), o = 0, k;
	unsigned		 cp;

	while (n > 0) {
		k = rep_utf8(s, n, &cp);
		if (k == 0 || rep_unsafe(cp)) {
			if (o + 3 >= dstlen)
				break;
			memcpy(dst + o, repl, 3);
			o += 3;
			k = k == 0 ? 1 : k;
		} else {
			if (o + k >= dstlen)
				break;
			memcpy(dst + o, s, k);
			o += k;
		}
		s += k;
		n -= k;
	}
	dst[o] = '\0';
	return dst;
}

/* Writes text HTML-escaped (after rep_clean). */
static void
rep_html_puts(FILE *out, const char *s)
{
	char	 buf[1024];
	char	*p;

	rep_clean(buf, sizeof(buf), s);
	for (p = buf; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

/* A JSON string of logged text, cleaned so that it is valid UTF-8. */
static json_object *
rep_json_str(const char *s)
{
	char	 buf[1024];

	return json_object_new_string(rep_clean(buf, sizeof(buf), s));
}

static int
rep_known(const char *s)
{
	return s[0] != '\0' && strcmp(s, GEOIP_UNKNOWN) != 0;
}

/* The per-kind maxima: the report's own, or taken from its events. */
static int
rep_model_kinds(struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct report_event *e;
	size_t			 i, j;

	m->kinds = calloc(r->nkinds + r->nevents + 1, sizeof(*m->kinds));
	if (m->kinds == NULL)
		return -1;
	if (r->nkinds > 0) {
		memcpy(m->kinds, r->kinds, r->nkinds * sizeof(*r->kinds));
		m->nkinds = r->nkinds;
		return 0;
	}
	for (i = 0; i < r->nevents; i++) {
		e = &r->events[i];
		for (j = 0; j < m->nkinds; j++)
			if (strcmp(m->kinds[j].kind, e->kind) == 0)
				break;
		if (j == m->nkinds) {
			util_strlcpy(m->kinds[j].kind, e->kind,
			    sizeof(m->kinds[j].kind));
			m->kinds[j].points = e->points;
			m->nkinds++;
		} else if (e->points > m->kinds[j].points)
			m->kinds[j].points = e->points;
	}
	return 0;
}

static int
rep_has_kind(const struct rep_model *m, const char *kind)
{
	size_t	 i;

	for (i = 0; i < m->nkinds; i++)
		if (strcmp(m->kinds[i].kind, kind) == 0)
			return 1;
	return 0;
}

static void
rep_model_network(struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct geo	*g = &r->geo;
	struct prefix		 p = r->subnet;
	size_t			 i;

	if (p.len == 0)
		prefix_from_addr(&p, &r->addr,
		    r->addr.family == AF_INET ? 24 : 48);
	prefix_format(&p, m->subnet, sizeof(m->subnet));
	for (i = 0; i < r->nneighbours; i++)
		if (r->neighbours[i].banned)
			m->nbad_neighbours++;
	m->suggest_subnet = !r->subnet_banned && m->nbad_neighbours > 0;
	if (rep_known(g->isp))
		m->network = g->isp;
	else if (rep_known(g->org))
		m->network = g->org;
	else if (rep_known(g->asn_org))
		m->network = g->asn_org;
	else
		m->network = GEOIP_UNKNOWN;
	if (g->asn == 0)
		util_strlcpy(m->asn, GEOIP_UNKNOWN, sizeof(m->asn));
	else if (rep_known(g->asn_org))
		snprintf(m->asn, sizeof(m->asn), "AS%u %s", g->asn,
		    g->asn_org);
	else
		snprintf(m->asn, sizeof(m->asn), "AS%u", g->asn);
}

static void
rep_model_summary(struct rep_model *m)
{
	const struct report	*r = m->r;
	char			 t[REP_TIME_LEN], ban[256];

	if (!r->banned)
		util_strlcpy(ban, "it is not banned", sizeof(ban));
	else if (r->ban.by[0] != '\0')
		snprintf(ban, sizeof(ban), "it was banned by hand (%s) "
		    "until %s", r->ban.by, rep_time(r->ban.expires_ms, t,
		    sizeof(t)));
	else
		snprintf(ban, sizeof(ban), "it is banned in jail %s until %s",
		    r->ban.jail[0] ? r->ban.jail : "unknown",
		    rep_time(r->ban.expires_ms, t, sizeof(t)));
	snprintf(m->summary, sizeof(m->summary), "%s reached a score of %d "
	    "(threshold %d) from %zu signature kind%s over %llu logged "
	    "hit%s; %s.", m->addr, r->score, m->threshold, m->nkinds,
	    m->nkinds == 1 ? "" : "s", r->hits, r->hits == 1 ? "" : "s",
	    ban);
}

static struct rep_tl *
rep_tl_add(struct rep_model *m, int64_t ms, const char *key,
    const char *what)
{
	struct rep_tl	*l = &m->tl[m->ntl];

	l->time_ms = ms;
	l->key = key;
	l->order = m->ntl++;
	util_strlcpy(l->what, what, sizeof(l->what));
	l->detail[0] = '\0';
	return l;
}

static int
rep_tl_cmp(const void *a, const void *b)
{
	const struct rep_tl	*x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* The first event of each kind, as it first triggered. */
static void
rep_tl_signatures(struct rep_model *m, int64_t unknown_ms)
{
	const struct report	*r = m->r;
	const struct report_event *e, *first;
	struct rep_tl		*l;
	char			 what[64];
	size_t			 k, i;

	for (k = 0; k < m->nkinds; k++) {
		first = NULL;
		for (i = 0; i < r->nevents; i++) {
			e = &r->events[i];
			if (strcmp(e->kind, m->kinds[k].kind) != 0)
				continue;
			if (first == NULL || (e->time_ms > 0 &&
			    (first->time_ms <= 0 ||
			    e->time_ms < first->time_ms)))
				first = e;
		}
		if (first == NULL)
			continue;
		snprintf(what, sizeof(what), "%s triggered",
		    rep_kind_label(first->kind));
		l = rep_tl_add(m, first->time_ms > 0 ? first->time_ms :
		    unknown_ms, "signature", what);
		snprintf(l->detail, sizeof(l->detail), "%s (+%d)%s%s",
		    first->desc, first->points, first->jail[0] ?
		    ", jail " : "", first->jail);
	}
}

static void
rep_tl_bans(struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct report_ban	*b;
	struct rep_tl		*l;
	char			 t[REP_TIME_LEN];
	size_t			 i;

	for (i = 0; i < r->nearlier; i++) {
		b = &r->earlier[i];
		l = rep_tl_add(m, b->since_ms, "earlier_ban", "Earlier ban");
		snprintf(l->detail, sizeof(l->detail), "jail %s, score %d, "
		    "until %s%s%s", b->jail[0] ? b->jail : "unknown", b->score,
		    rep_time(b->expires_ms, t, sizeof(t)),
		    b->by[0] ? ", by hand by " : "", b->by);
	}
	if (!r->banned)
		return;
	b = &r->ban;
	l = rep_tl_add(m, b->since_ms, "ban", "Banned");
	snprintf(l->detail, sizeof(l->detail), "jail %s, score %d%s%s; "
	    "packets dropped by the firewall", b->jail[0] ? b->jail :
	    "unknown", b->score, b->by[0] ? ", by hand by " : "", b->by);
	if (b->expires_ms > 0) {
		l = rep_tl_add(m, b->expires_ms, "ban_expires",
		    "Ban expires");
		snprintf(l->detail, sizeof(l->detail), "unless it scores "
		    "again; ban number %u of this address",
		    r->times_banned + 1);
	}
}

static int
rep_model_timeline(struct rep_model *m)
{
	const struct report	*r = m->r;
	struct rep_tl		*l;

	m->tl = calloc(m->nkinds + r->nearlier + 4, sizeof(*m->tl));
	if (m->tl == NULL)
		return -1;
	if (r->first_ms > 0) {
		l = rep_tl_add(m, r->first_ms, "first_request",
		    "First request");
		util_strlcpy(l->detail, "first line of this address in a "
		    "watched log", sizeof(l->detail));
	}
	rep_tl_signatures(m, r->first_ms);
	if (r->last_ms > 0) {
		l = rep_tl_add(m, r->last_ms, "last_request", "Last request");
		snprintf(l->detail, sizeof(l->detail), "score %d/%d",
		    r->score, m->threshold);
	}
	rep_tl_bans(m);
	qsort(m->tl, m->ntl, sizeof(*m->tl), rep_tl_cmp);
	return 0;
}

static struct rep_rec *
rep_rec_add(struct rep_model *m, const char *key, const char *title)
{
	struct rep_rec	*c = &m->recs[m->nrecs++];

	c->key = key;
	c->title = title;
	c->text[0] = '\0';
	return c;
}

static void
rep_rec_block(struct rep_model *m)
{
	const struct report	*r = m->r;
	struct rep_rec		*c;
	char			 t[REP_TIME_LEN];

	c = rep_rec_add(m, "firewall", "Firewall");
	if (r->banned)
		snprintf(c->text, sizeof(c->text), "%s is in abusemom's "
		    "nftables ban set until %s: the kernel drops its packets "
		    "before the web server sees them. Nothing more is needed "
		    "for this address; a repeat offence lengthens the next "
		    "ban.", m->addr, rep_time(r->ban.expires_ms, t,
		    sizeof(t)));
	else if (m->block)
		snprintf(c->text, sizeof(c->text), "%s scores over the "
		    "threshold but no ban is active. Check whether it is "
		    "covered by [ignore], whether the firewall backend is "
		    "'none', or ban it with: abusemom-ctl ban %s", m->addr,
		    m->addr);
	else
		snprintf(c->text, sizeof(c->text), "%s is below the "
		    "threshold and not blocked; abusemom keeps scoring it. "
		    "Ban it by hand if its activity is unwanted: "
		    "abusemom-ctl ban %s", m->addr, m->addr);
	if (m->suggest_subnet) {
		c = rep_rec_add(m, "subnet", "Subnet");
		snprintf(c->text, sizeof(c->text), "%zu other address%s of "
		    "%s %s banned as well. Escalation bans the range once "
		    "[subnet] neighbours is reached; to block it now: "
		    "abusemom-ctl ban %s", m->nbad_neighbours,
		    m->nbad_neighbours == 1 ? "" : "es", m->subnet,
		    m->nbad_neighbours == 1 ? "is" : "are", m->subnet);
	}
}

static void
rep_rec_kinds(struct rep_model *m)
{
	struct rep_rec	*c;

	if (rep_has_kind(m, "ratio404") || rep_has_kind(m, "danger") ||
	    rep_has_kind(m, "probe302")) {
		c = rep_rec_add(m, "dirscan", "Directory scanning");
		util_strlcpy(c->text, "It asks for paths that do not exist, "
		    "hoping for a forgotten admin page or secret. Keep .env, "
		    ".git, backups and database dumps out of the document "
		    "root, turn directory listings off, and answer every "
		    "unknown path with the same plain 404 so that probing "
		    "teaches nothing.", sizeof(c->text));
	}
	if (rep_has_kind(m, "burst")) {
		c = rep_rec_add(m, "flood", "Request floods");
		util_strlcpy(c->text, "It sends requests faster than a "
		    "browser does. Rate-limit per client address in the web "
		    "server (nginx limit_req, a similar Apache or HAProxy "
		    "rule) so that bursts are cut before the application "
		    "pays for them; the flood jail bans what still gets "
		    "through.", sizeof(c->text));
	}
	if (rep_has_kind(m, "uachange") || rep_has_kind(m, "badua")) {
		c = rep_rec_add(m, "useragent", "User-Agent rotation");
		util_strlcpy(c->text, "One address speaking as several "
		    "browsers, or as a known scanning tool, is a program, not "
		    "a visitor. Never trust the User-Agent for access "
		    "decisions; keep the uarotation jail and its badua list "
		    "enabled so that scanners are banned on sight.",
		    sizeof(c->text));
	}
	if (rep_has_kind(m, "authfail")) {
		c = rep_rec_add(m, "credentials", "Credential guessing");
		util_strlcpy(c->text, "It tries passwords. Use keys for SSH "
		    "and turn password logins off where you can, require a "
		    "second factor on web logins, and keep per-account "
		    "lockouts so that a spread-out attack gains nothing.",
		    sizeof(c->text));
	}
	if (rep_has_kind(m, "referer")) {
		c = rep_rec_add(m, "referer", "Foreign referers");
		util_strlcpy(c->text, "Its requests carry Referer headers of "
		    "unrelated sites, a sign of referer spam or replayed "
		    "crawls. Do not publish referer statistics, and list "
		    "your own domains in the jail's own_domains.",
		    sizeof(c->text));
	}
}

static void
rep_rec_abuse(struct rep_model *m)
{
	struct rep_rec	*c;

	if (m->r->geo.asn == 0)
		return;
	c = rep_rec_add(m, "abuse", "Abuse contact");
	snprintf(c->text, sizeof(c->text), "Tell the network's operator "
	    "(%s): whois %s names its abuse contact. The JSON form of this "
	    "report (abusemom-ctl report %s --format json) is evidence it "
	    "can act on.", m->asn, m->addr, m->addr);
}

static void
rep_model_free(struct rep_model *m)
{
	free(m->kinds);
	free(m->tl);
}

static int
rep_model_build(struct rep_model *m, const struct report *r, int redact)
{
	memset(m, 0, sizeof(*m));
	m->r = r;
	m->redact = redact;
	addr_format(&r->addr, m->addr, sizeof(m->addr));
	m->threshold = rep_threshold(r->threshold);
	m->verdict = report_verdict(r->score, m->threshold);
	m->block = r->score >= m->threshold;
	m->sum = report_event_sum(r);
	if (r->first_ms > 0 && r->last_ms >= r->first_ms) {
		m->days = (r->last_ms - r->first_ms) / REP_DAY_MS;
		if (m->days < 1)
			m->days = 1;
		snprintf(m->per_day, sizeof(m->per_day), "%.1f",
		    (double)r->hits / (double)m->days);
	} else
		util_strlcpy(m->per_day, "unknown", sizeof(m->per_day));
	if (rep_model_kinds(m) == -1 || rep_model_timeline(m) == -1) {
		rep_model_free(m);
		return -1;
	}
	rep_model_network(m);
	rep_model_summary(m);
	rep_rec_block(m);
	rep_rec_kinds(m);
	rep_rec_abuse(m);
	return 0;
}

/* Text output: logged text is cleaned, paragraphs wrapped at 76. */
static void
rep_txt(FILE *out, const char *s)
{
	char	 buf[1024];

	fputs(rep_clean(buf, sizeof(buf), s), out);
}

static void
rep_txt_wrap(FILE *out, const char *indent, const char *s)
{
	char	 buf[1024];
	size_t	 col = 0, w, ind = strlen(indent);

	s = rep_clean(buf, sizeof(buf), s);
	fputs(indent, out);
	while (*s != '\0') {
		s += strspn(s, " ");
		w = strcspn(s, " ");
		if (w == 0)
			break;
		if (col > 0 && ind + col + 1 + w > 76) {
			fprintf(out, "\n%s", indent);
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		fwrite(s, 1, w, out);
		col += w;
		s += w;
	}
	fputc('\n', out);
}

static void
rep_txt_head(FILE *out, int n, const char *title)
{
	fprintf(out, "\n%d. %s\n", n, title);
}

static void
rep_txt_field(FILE *out, const char *name, const char *value)
{
	fprintf(out, "   %-15s ", name);
	rep_txt(out, value);
	fputc('\n', out);
}

static void
rep_txt_identity(FILE *out, const struct rep_model *m)
{
	const struct report	*r = m->r;
	char			 t[REP_TIME_LEN], buf[160];

	rep_txt_head(out, 2, "Identity");
	rep_txt_field(out, "Address", m->addr);
	rep_txt_field(out, "First seen", rep_time(r->first_ms, t, sizeof(t)));
	rep_txt_field(out, "Last seen", rep_time(r->last_ms, t, sizeof(t)));
	snprintf(buf, sizeof(buf), "%llu", r->hits);
	rep_txt_field(out, "Hits", buf);
	if (m->days > 0)
		snprintf(buf, sizeof(buf), "%lld day%s, %s hits a day",
		    m->days, m->days == 1 ? "" : "s", m->per_day);
	else
		util_strlcpy(buf, "unknown", sizeof(buf));
	rep_txt_field(out, "Observed", buf);
	rep_txt_field(out, "Type", r->geo.type);
	if (rep_known(r->geo.country_code))
		snprintf(buf, sizeof(buf), "%s (%s)", r->geo.country,
		    r->geo.country_code);
	else
		util_strlcpy(buf, r->geo.country, sizeof(buf));
	rep_txt_field(out, "Country", buf);
	rep_txt_field(out, "City", r->geo.city);
	rep_txt_field(out, "ISP / org", m->network);
	rep_txt_field(out, "ASN", m->asn);
}

static void
rep_txt_signatures(FILE *out, const struct rep_model *m)
{
	const struct report_event *e;
	char			 desc[sizeof(e->desc) * 3];
	char			 sev[sizeof(e->severity) * 3];
	long long		 ksum = 0;
	size_t			 i;

	rep_txt_head(out, 3, "Signatures");
	fprintf(out, "   %-24s %-32s %6s  %s\n", "Signature", "Description",
	    "Points", "Severity");
	for (i = 0; i < m->r->nevents; i++) {
		e = &m->r->events[i];
		rep_clean(desc, sizeof(desc), e->desc);
		rep_clean(sev, sizeof(sev), rep_severity(e));
		fprintf(out, "   %-24s %-32s %+6d  %s\n",
		    rep_kind_label(e->kind), desc, e->points, sev);
	}
	fprintf(out, "   Sum of all events: \xce\xa3 = %lld\n", m->sum);
	fputs("   Score, the most points of each kind:", out);
	for (i = 0; i < m->nkinds; i++) {
		fprintf(out, "%s %s %d", i ? " +" : "", m->kinds[i].kind,
		    m->kinds[i].points);
		ksum += m->kinds[i].points;
	}
	fprintf(out, " = %lld\n", ksum);
	if (ksum != m->r->score)
		fprintf(out, "   Stored score: %d (kinds outside their "
		    "window no longer count)\n", m->r->score);
}

static void
rep_txt_activity(FILE *out, const struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct report_sample *s;
	char			 t[REP_TIME_LEN];
	size_t			 i;

	rep_txt_head(out, 4, "Observed activity");
	if (r->nsamples == 0)
		fputs("   No sample requests stored.\n", out);
	for (i = 0; i < r->nsamples; i++) {
		s = &r->samples[i];
		fprintf(out, "   %s  ", rep_time(s->time_ms, t, sizeof(t)));
		rep_txt(out, m->redact ? "[redacted]" : s->host[0] ?
		    s->host : "-");
		fputs("  ", out);
		rep_txt(out, s->method);
		fputc(' ', out);
		rep_txt(out, s->path);
		fprintf(out, "  %d\n      User-Agent: ", s->status);
		rep_txt(out, s->ua[0] ? s->ua : "-");
		fputc('\n', out);
	}
	fprintf(out, "   Requests: %llu, answered 404: %llu, danger paths: "
	    "%llu\n", r->nrequests, r->n404, r->ndanger);
}

static void
rep_txt_timeline(FILE *out, const struct rep_model *m)
{
	const struct rep_tl	*l;
	char			 t[REP_TIME_LEN];
	size_t			 i;

	rep_txt_head(out, 5, "Timeline");
	for (i = 0; i < m->ntl; i++) {
		l = &m->tl[i];
		fprintf(out, "   %-23s  ", rep_time(l->time_ms, t, sizeof(t)));
		rep_txt(out, l->what);
		if (l->detail[0] != '\0') {
			fputs(": ", out);
			rep_txt(out, l->detail);
		}
		fputc('\n', out);
	}
}

static void
rep_txt_peers(FILE *out, const char *title, const struct report_peer *v,
    size_t n)
{
	char	 a[ADDR_STRLEN];
	size_t	 i;

	fputs("   ", out);
	rep_txt(out, title);
	fputs(":", out);
	if (n == 0)
		fputs(" none recorded", out);
	for (i = 0; i < n; i++)
		fprintf(out, "%s %s (%d)", i ? "," : "",
		    addr_format(&v[i].addr, a, sizeof(a)), v[i].score);
	fputc('\n', out);
}

static void
rep_txt_network(FILE *out, const struct rep_model *m)
{
	const struct report	*r = m->r;
	char			 a[ADDR_STRLEN], title[256];
	size_t			 i;

	rep_txt_head(out, 6, "Network");
	fprintf(out, "   Subnet %s: %s\n", m->subnet, r->subnet_banned ?
	    "banned" : "not banned");
	if (r->nneighbours == 0)
		fputs("   No other address of it was scored.\n", out);
	for (i = 0; i < r->nneighbours; i++)
		fprintf(out, "   %-39s score %4d  %s\n",
		    addr_format(&r->neighbours[i].addr, a, sizeof(a)),
		    r->neighbours[i].score, r->neighbours[i].banned ?
		    "banned" : "not banned");
	if (m->suggest_subnet)
		fprintf(out, "   Suggestion: ban the subnet: abusemom-ctl ban "
		    "%s\n", m->subnet);
	snprintf(title, sizeof(title), "Top offenders from %s",
	    r->geo.country);
	rep_txt_peers(out, title, r->top_country, r->ntop_country);
	snprintf(title, sizeof(title), "Top offenders in %s", m->asn);
	rep_txt_peers(out, title, r->top_asn, r->ntop_asn);
}

static void
rep_txt_recs(FILE *out, const struct rep_model *m)
{
	size_t	 i;

	rep_txt_head(out, 7, "Recommendations");
	for (i = 0; i < m->nrecs; i++) {
		fprintf(out, "   %s\n", m->recs[i].title);
		rep_txt_wrap(out, "      ", m->recs[i].text);
	}
}

static const char *
rep_dnsbl_word(enum report_dnsbl_status s)
{
	switch (s) {
	case REPORT_DNSBL_LISTED:
		return "listed";
	case REPORT_DNSBL_CLEAN:
		return "clean";
	default:
		return "no answer";
	}
}

static void
rep_txt_dnsbl(FILE *out, const struct rep_model *m)
{
	const struct report_dnsbl *d;
	size_t			 i;

	rep_txt_head(out, 8, "DNSBL");
	if (m->r->dnsbl == NULL)
		fputs("   Not checked.\n", out);
	for (i = 0; m->r->dnsbl != NULL && i < m->r->ndnsbl; i++) {
		d = &m->r->dnsbl[i];
		fputs("   ", out);
		rep_txt(out, d->zone);
		fprintf(out, ": %s", rep_dnsbl_word(d->status));
		if (d->status == REPORT_DNSBL_LISTED)
			fprintf(out, " (%s)", d->answer);
		fputc('\n', out);
	}
}

static void
rep_write_text(FILE *out, const struct rep_model *m)
{
	char	 t[REP_TIME_LEN];

	fprintf(out, "abusemom threat report: %s\n", m->addr);
	fprintf(out, "Generated %s\n", rep_time(m->r->generated_ms, t,
	    sizeof(t)));
	rep_txt_head(out, 1, "Verdict");
	fprintf(out, "   %s%s, score %d/%d\n", m->block ? "BLOCK  " : "",
	    m->verdict, m->r->score, m->threshold);
	rep_txt_wrap(out, "   ", m->summary);
	rep_txt_identity(out, m);
	rep_txt_signatures(out, m);
	rep_txt_activity(out, m);
	rep_txt_timeline(out, m);
	rep_txt_network(out, m);
	rep_txt_recs(out, m);
	rep_txt_dnsbl(out, m);
}

/* JSON output, built with json-c; see docs/report-json.md. */
static void
rep_jset(json_object *o, const char *key, json_object *v)
{
	if (o == NULL)
		json_object_put(v);
	else
		json_object_object_add(o, key, v);
}

static json_object *
rep_json_peers(const struct report_peer *v, size_t n, int with_ban)
{
	json_object	*a, *o;
	char		 buf[ADDR_STRLEN];
	size_t		 i;

	a = json_object_new_array();
	for (i = 0; a != NULL && i < n; i++) {
		o = json_object_new_object();
		rep_jset(o, "address", json_object_new_string(
		    addr_format(&v[i].addr, buf, sizeof(buf))));
		rep_jset(o, "score", json_object_new_int(v[i].score));
		if (with_ban)
			rep_jset(o, "banned",
			    json_object_new_boolean(v[i].banned));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
rep_json_verdict(const struct rep_model *m)
{
	json_object	*o = json_object_new_object();

	rep_jset(o, "block", json_object_new_boolean(m->block));
	rep_jset(o, "verdict", json_object_new_string(m->verdict));
	rep_jset(o, "score", json_object_new_int(m->r->score));
	rep_jset(o, "threshold", json_object_new_int(m->threshold));
	rep_jset(o, "summary", rep_json_str(m->summary));
	return o;
}

static json_object *
rep_json_identity(const struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct geo	*g = &r->geo;
	json_object		*o = json_object_new_object();

	rep_jset(o, "address", json_object_new_string(m->addr));
	rep_jset(o, "first_seen", rep_json_time(r->first_ms));
	rep_jset(o, "last_seen", rep_json_time(r->last_ms));
	rep_jset(o, "hits", json_object_new_int64((int64_t)r->hits));
	rep_jset(o, "window_days", m->days > 0 ?
	    json_object_new_int64(m->days) : NULL);
	rep_jset(o, "hits_per_day", m->days > 0 ?
	    json_object_new_double_s((double)r->hits / (double)m->days,
	    m->per_day) : NULL);
	rep_jset(o, "type", rep_json_str(g->type));
	rep_jset(o, "country_code", rep_json_str(g->country_code));
	rep_jset(o, "country", rep_json_str(g->country));
	rep_jset(o, "city", rep_json_str(g->city));
	rep_jset(o, "isp", rep_json_str(g->isp));
	rep_jset(o, "organization", rep_json_str(g->org));
	rep_jset(o, "asn", g->asn ? json_object_new_int64(g->asn) : NULL);
	rep_jset(o, "asn_organization", rep_json_str(g->asn_org));
	return o;
}

static json_object *
rep_json_signatures(const struct rep_model *m)
{
	const struct report_event *e;
	json_object		*o, *a, *x;
	size_t			 i;

	o = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; a != NULL && i < m->r->nevents; i++) {
		e = &m->r->events[i];
		x = json_object_new_object();
		rep_jset(x, "kind", rep_json_str(e->kind));
		rep_jset(x, "description", rep_json_str(e->desc));
		rep_jset(x, "points", json_object_new_int(e->points));
		rep_jset(x, "severity", rep_json_str(rep_severity(e)));
		rep_jset(x, "time", rep_json_time(e->time_ms));
		rep_jset(x, "jail", e->jail[0] ? rep_json_str(e->jail) : NULL);
		json_object_array_add(a, x);
	}
	rep_jset(o, "events", a);
	rep_jset(o, "event_sum", json_object_new_int64(m->sum));
	a = json_object_new_array();
	for (i = 0; a != NULL && i < m->nkinds; i++) {
		x = json_object_new_object();
		rep_jset(x, "kind", rep_json_str(m->kinds[i].kind));
		rep_jset(x, "points", json_object_new_int(m->kinds[i].points));
		json_object_array_add(a, x);
	}
	rep_jset(o, "kinds", a);
	rep_jset(o, "score", json_object_new_int(m->r->score));
	return o;
}

static json_object *
rep_json_activity(const struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct report_sample *s;
	json_object		*o, *a, *x;
	size_t			 i;

	o = json_object_new_object();
	rep_jset(o, "redacted", json_object_new_boolean(m->redact));
	a = json_object_new_array();
	for (i = 0; a != NULL && i < r->nsamples; i++) {
		s = &r->samples[i];
		x = json_object_new_object();
		rep_jset(x, "time", rep_json_time(s->time_ms));
		rep_jset(x, "host", m->redact ? json_object_new_string(
		    "[redacted]") : s->host[0] ? rep_json_str(s->host) : NULL);
		rep_jset(x, "method", rep_json_str(s->method));
		rep_jset(x, "path", rep_json_str(s->path));
		rep_jset(x, "status", json_object_new_int(s->status));
		rep_jset(x, "user_agent", rep_json_str(s->ua));
		json_object_array_add(a, x);
	}
	rep_jset(o, "samples", a);
	rep_jset(o, "requests", json_object_new_int64((int64_t)r->nrequests));
	rep_jset(o, "status_404", json_object_new_int64((int64_t)r->n404));
	rep_jset(o, "danger", json_object_new_int64((int64_t)r->ndanger));
	return o;
}

static json_object *
rep_json_ban(const struct report_ban *b)
{
	json_object	*o = json_object_new_object();

	rep_jset(o, "since", rep_json_time(b->since_ms));
	rep_jset(o, "expires", rep_json_time(b->expires_ms));
	rep_jset(o, "jail", b->jail[0] ? rep_json_str(b->jail) : NULL);
	rep_jset(o, "score", json_object_new_int(b->score));
	rep_jset(o, "manual_by", b->by[0] ? rep_json_str(b->by) : NULL);
	return o;
}

static json_object *
rep_json_timeline(const struct rep_model *m)
{
	const struct report	*r = m->r;
	json_object		*o, *a, *x;
	size_t			 i;

	o = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; a != NULL && i < m->ntl; i++) {
		x = json_object_new_object();
		rep_jset(x, "time", rep_json_time(m->tl[i].time_ms));
		rep_jset(x, "event", json_object_new_string(m->tl[i].key));
		rep_jset(x, "what", rep_json_str(m->tl[i].what));
		rep_jset(x, "detail", rep_json_str(m->tl[i].detail));
		json_object_array_add(a, x);
	}
	rep_jset(o, "events", a);
	rep_jset(o, "banned", json_object_new_boolean(r->banned));
	rep_jset(o, "ban", r->banned ? rep_json_ban(&r->ban) : NULL);
	rep_jset(o, "times_banned_before",
	    json_object_new_int64(r->times_banned));
	a = json_object_new_array();
	for (i = 0; a != NULL && i < r->nearlier; i++)
		json_object_array_add(a, rep_json_ban(&r->earlier[i]));
	rep_jset(o, "earlier_bans", a);
	return o;
}

static json_object *
rep_json_network(const struct rep_model *m)
{
	const struct report	*r = m->r;
	json_object		*o, *x;

	o = json_object_new_object();
	rep_jset(o, "subnet", json_object_new_string(m->subnet));
	rep_jset(o, "subnet_banned", json_object_new_boolean(
	    r->subnet_banned));
	rep_jset(o, "suggest_subnet_ban", json_object_new_boolean(
	    m->suggest_subnet));
	rep_jset(o, "neighbours", rep_json_peers(r->neighbours,
	    r->nneighbours, 1));
	x = json_object_new_object();
	rep_jset(x, "country_code", rep_json_str(r->geo.country_code));
	rep_jset(x, "top", rep_json_peers(r->top_country, r->ntop_country,
	    0));
	rep_jset(o, "country", x);
	x = json_object_new_object();
	rep_jset(x, "asn", r->geo.asn ? json_object_new_int64(r->geo.asn) :
	    NULL);
	rep_jset(x, "top", rep_json_peers(r->top_asn, r->ntop_asn, 0));
	rep_jset(o, "asn", x);
	return o;
}

static json_object *
rep_json_recs(const struct rep_model *m)
{
	json_object	*a, *x;
	size_t		 i;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < m->nrecs; i++) {
		x = json_object_new_object();
		rep_jset(x, "topic", json_object_new_string(m->recs[i].key));
		rep_jset(x, "title", json_object_new_string(
		    m->recs[i].title));
		rep_jset(x, "text", rep_json_str(m->recs[i].text));
		json_object_array_add(a, x);
	}
	return a;
}

static json_object *
rep_json_dnsbl(const struct rep_model *m)
{
	static const char *const st[] = { "no_answer", "clean", "listed" };
	const struct report_dnsbl *d;
	json_object		*a, *x;
	size_t			 i;

	if (m->r->dnsbl == NULL || (a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < m->r->ndnsbl; i++) {
		d = &m->r->dnsbl[i];
		x = json_object_new_object();
		rep_jset(x, "zone", rep_json_str(d->zone));
		rep_jset(x, "status", json_object_new_string(
		    st[d->status <= REPORT_DNSBL_LISTED ? d->status : 0]));
		rep_jset(x, "answer", d->status == REPORT_DNSBL_LISTED ?
		    rep_json_str(d->answer) : NULL);
		json_object_array_add(a, x);
	}
	return a;
}

static int
rep_write_json(FILE *out, const struct rep_model *m)
{
	json_object	*o;
	const char	*s;
	int		 rc = -1;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	rep_jset(o, "format", json_object_new_string("abusemom-report"));
	rep_jset(o, "version", json_object_new_int(REPORT_JSON_VERSION));
	rep_jset(o, "generated", rep_json_time(m->r->generated_ms));
	rep_jset(o, "verdict", rep_json_verdict(m));
	rep_jset(o, "identity", rep_json_identity(m));
	rep_jset(o, "signatures", rep_json_signatures(m));
	rep_jset(o, "activity", rep_json_activity(m));
	rep_jset(o, "timeline", rep_json_timeline(m));
	rep_jset(o, "network", rep_json_network(m));
	rep_jset(o, "recommendations", rep_json_recs(m));
	rep_jset(o, "dnsbl", rep_json_dnsbl(m));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s != NULL && fputs(s, out) != EOF && fputc('\n', out) != EOF)
		rc = 0;
	json_object_put(o);
	return rc;
}

/* HTML output: one page, inline CSS, no scripts, nothing fetched. */
static const char rep_css[] =
    ":root{--bg:#f3f4f6;--card:#fff;--ink:#1d2330;--mut:#5d6676;"
    "--line:#e3e6eb;--vc:#b42318}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,"
    "sans-serif}\n"
    ".wrap{max-width:980px;margin:0 auto;padding:0 12px}\n"
    ".top{background:#111827;color:#fff;padding:10px 0}\n"
    ".top b{letter-spacing:.12em;text-transform:uppercase}\n"
    ".top span{color:#9ca3af;margin-left:8px}\n"
    ".card{background:var(--card);border:1px solid var(--line);"
    "border-radius:12px;padding:16px 18px;margin:14px 0}\n"
    "h2{font-size:1.08rem;margin:0 0 12px;display:flex;"
    "align-items:center;gap:9px}\n"
    "h2 i{font-style:normal;display:inline-grid;place-items:center;"
    "width:26px;height:26px;border-radius:50%;background:#111827;"
    "color:#fff;font-size:.78rem}\n"
    ".v-critical{--vc:#7a0f2a}.v-block{--vc:#c0262d}"
    ".v-watch{--vc:#b54708}.v-low{--vc:#067647}\n"
    "#verdict{display:flex;flex-wrap:wrap;gap:18px;align-items:center;"
    "border-top:6px solid var(--vc)}\n"
    ".score{flex:none;width:120px;height:120px;border-radius:50%;"
    "border:9px solid var(--vc);display:grid;place-content:center;"
    "text-align:center}\n"
    ".score b{font-size:2.3rem;line-height:1}"
    ".score span{color:var(--mut);font-size:.9rem}\n"
    ".vt{flex:1 1 260px;min-width:0}\n"
    ".pill{display:inline-block;background:var(--vc);color:#fff;"
    "font-weight:700;padding:2px 12px;border-radius:999px;"
    "letter-spacing:.08em;margin-right:8px}\n"
    ".word{font-weight:700;color:var(--vc);text-transform:uppercase;"
    "letter-spacing:.05em}\n"
    "h1{font-size:1.55rem;margin:6px 0 4px;overflow-wrap:anywhere}\n"
    ".vt p{margin:6px 0}\n"
    ".chips,.peers{list-style:none;padding:0;margin:8px 0 0;"
    "display:flex;flex-wrap:wrap;gap:6px}\n"
    ".chips li,.peers li{background:#eef1f5;border-radius:6px;"
    "padding:2px 8px;font-size:.85rem}\n"
    ".peers li{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
    ".kv{display:grid;grid-template-columns:repeat(auto-fill,"
    "minmax(160px,1fr));gap:12px 20px;margin:0}\n"
    ".kv dt{color:var(--mut);font-size:.75rem;text-transform:uppercase;"
    "letter-spacing:.05em}\n"
    ".kv dd{margin:0;font-weight:600;overflow-wrap:anywhere}\n"
    ".tw{overflow-x:auto}\n"
    "table{border-collapse:collapse;width:100%;font-size:.92rem}\n"
    "th,td{text-align:left;padding:7px 8px;vertical-align:top;"
    "border-bottom:1px solid var(--line)}\n"
    "th{color:var(--mut);font-size:.75rem;text-transform:uppercase;"
    "letter-spacing:.04em}\n"
    ".num{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}\n"
    "tfoot td{font-weight:700;border-bottom:0}\n"
    ".sev{border-radius:6px;padding:1px 7px;font-size:.78rem;"
    "font-weight:600;background:#eef1f5}\n"
    ".sev-high,.sev-critical{background:#fee4e2;color:#912018}"
    ".sev-medium{background:#fef0c7;color:#93370d}"
    ".sev-low{background:#e3f4ea;color:#05603a}\n"
    ".req{border:1px solid var(--line);border-radius:8px;"
    "padding:8px 10px;margin:0 0 8px}\n"
    ".req code{font-family:ui-monospace,Menlo,Consolas,monospace;"
    "font-size:.88rem;overflow-wrap:anywhere}\n"
    ".req .m{font-weight:700;margin-right:6px}\n"
    ".req .s{float:right;margin-left:8px;font-weight:700}\n"
    ".req .h,.req .ua{color:var(--mut);font-size:.82rem;"
    "overflow-wrap:anywhere}\n"
    ".tl{list-style:none;margin:0 0 0 6px;padding:0 0 0 16px;"
    "border-left:2px solid var(--line)}\n"
    ".tl li{position:relative;padding:0 0 12px}\n"
    ".tl li::before{content:'';position:absolute;left:-23px;top:5px;"
    "width:12px;height:12px;border-radius:50%;background:#175cd3}\n"
    ".tl li.ban::before{background:#c0262d}\n"
    ".tl time{display:block;color:var(--mut);font-size:.8rem}\n"
    ".muted{color:var(--mut)}.ok{color:#067647;font-weight:600}"
    ".bad{color:#c0262d;font-weight:600}\n"
    ".note{background:#fff6ed;border:1px solid #f9dbaf;"
    "border-radius:8px;padding:8px 10px;margin:10px 0}\n"
    ".rec{border-left:4px solid #175cd3;padding:2px 0 2px 12px;"
    "margin:0 0 12px}\n"
    "h3{margin:14px 0 4px;font-size:.98rem}\n"
    ".rec h3{margin:0 0 2px}.rec p{margin:0}\n"
    "#verdict h2{flex-basis:100%;margin:0 0 -6px}\n"
    "code.c{background:#eef1f5;border-radius:4px;padding:0 4px}\n"
    "footer{color:var(--mut);font-size:.8rem;text-align:center;"
    "padding:8px 0 24px}\n"
    "@media (min-width:800px){.kv{grid-template-columns:"
    "repeat(4,1fr)}}\n"
    "@media (max-width:560px){.card{padding:12px 13px}"
    ".score{width:96px;height:96px;border-width:7px}"
    ".score b{font-size:1.8rem}h1{font-size:1.3rem}}\n";

static void
rep_html_head(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>", out);
	rep_html_puts(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
	    "<header class=\"top\"><div class=\"wrap\"><b>abusemom</b>"
	    "<span>threat report</span></div></header>\n"
	    "<main class=\"wrap\">\n", rep_css);
}

static void
rep_html_tail(FILE *out, int64_t generated_ms)
{
	char	 t[REP_TIME_LEN];

	fprintf(out, "</main>\n<footer>Generated by abusemom, %s</footer>\n"
	    "</body>\n</html>\n", rep_time(generated_ms, t, sizeof(t)));
}

static void
rep_html_section(FILE *out, const char *id, int n, const char *title)
{
	fprintf(out, "<section id=\"%s\" class=\"card\">\n"
	    "<h2><i>%d</i>%s</h2>\n", id, n, title);
}

static void
rep_html_time(FILE *out, int64_t ms)
{
	char	 iso[REP_TIME_LEN], t[REP_TIME_LEN];

	if (ms <= 0) {
		fputs("<time>unknown</time>", out);
		return;
	}
	util_format_time(ms, iso, sizeof(iso));
	fprintf(out, "<time datetime=\"%s\">%s</time>", iso,
	    rep_time(ms, t, sizeof(t)));
}

static void
rep_html_verdict(FILE *out, const struct rep_model *m)
{
	size_t	 i;

	fprintf(out, "<section id=\"verdict\" class=\"card v-%s\">\n"
	    "<h2><i>1</i>Verdict</h2>\n"
	    "<div class=\"score\"><b>%d</b><span>/%d</span></div>\n"
	    "<div class=\"vt\">\n<div>",
	    m->verdict, m->r->score, m->threshold);
	if (m->block)
		fputs("<span class=\"pill\">BLOCK</span>", out);
	fprintf(out, "<span class=\"word\">%s</span></div>\n<h1>%s</h1>\n"
	    "<p>", m->verdict, m->addr);
	rep_html_puts(out, m->summary);
	fputs("</p>\n<ul class=\"chips\">", out);
	for (i = 0; i < m->nkinds; i++) {
		fputs("<li>", out);
		rep_html_puts(out, rep_kind_label(m->kinds[i].kind));
		fprintf(out, " +%d</li>", m->kinds[i].points);
	}
	fputs("</ul>\n<p class=\"muted\">Generated ", out);
	rep_html_time(out, m->r->generated_ms);
	fputs("</p>\n</div>\n</section>\n", out);
}

static void
rep_html_kv(FILE *out, const char *name, const char *value)
{
	fprintf(out, "<div><dt>%s</dt><dd>", name);
	rep_html_puts(out, value);
	fputs("</dd></div>\n", out);
}

static void
rep_html_identity(FILE *out, const struct rep_model *m)
{
	const struct report	*r = m->r;
	char			 t[REP_TIME_LEN], buf[160];

	rep_html_section(out, "identity", 2, "Identity");
	fputs("<dl class=\"kv\">\n", out);
	rep_html_kv(out, "Address", m->addr);
	rep_html_kv(out, "First seen", rep_time(r->first_ms, t, sizeof(t)));
	rep_html_kv(out, "Last seen", rep_time(r->last_ms, t, sizeof(t)));
	snprintf(buf, sizeof(buf), "%llu", r->hits);
	rep_html_kv(out, "Hits", buf);
	if (m->days > 0)
		snprintf(buf, sizeof(buf), "%lld day%s, %s a day", m->days,
		    m->days == 1 ? "" : "s", m->per_day);
	else
		util_strlcpy(buf, "unknown", sizeof(buf));
	rep_html_kv(out, "Observed", buf);
	rep_html_kv(out, "Type", r->geo.type);
	if (rep_known(r->geo.country_code))
		snprintf(buf, sizeof(buf), "%s (%s)", r->geo.country,
		    r->geo.country_code);
	else
		util_strlcpy(buf, r->geo.country, sizeof(buf));
	rep_html_kv(out, "Country", buf);
	rep_html_kv(out, "City", r->geo.city);
	rep_html_kv(out, "ISP / organization", m->network);
	rep_html_kv(out, "Autonomous system", m->asn);
	fputs("</dl>\n</section>\n", out);
}

static void
rep_html_signatures(FILE *out, const struct rep_model *m)
{
	const struct report_event *e;
	long long		 ksum = 0;
	size_t			 i;

	rep_html_section(out, "signatures", 3, "Signatures");
	fputs("<div class=\"tw\"><table>\n<thead><tr><th>Signature and "
	    "description</th><th class=\"num\">Points</th>"
	    "<th>Severity</th></tr></thead>\n<tbody>\n", out);
	for (i = 0; i < m->r->nevents; i++) {
		e = &m->r->events[i];
		fputs("<tr><td><b>", out);
		rep_html_puts(out, rep_kind_label(e->kind));
		fputs("</b><div class=\"muted\">", out);
		rep_html_puts(out, e->desc);
		fputs("</div>", out);
		fprintf(out, "</td><td class=\"num\">%+d</td><td>"
		    "<span class=\"sev sev-", e->points);
		rep_html_puts(out, rep_severity(e));
		fputs("\">", out);
		rep_html_puts(out, rep_severity(e));
		fputs("</span></td></tr>\n", out);
	}
	fprintf(out, "</tbody>\n<tfoot><tr><td>Sum of all "
	    "events</td><td class=\"num\">\xce\xa3 = %lld</td><td></td></tr>"
	    "\n", m->sum);
	fputs("<tr><td>Score: the most points of each kind"
	    "<div class=\"muted\">", out);
	for (i = 0; i < m->nkinds; i++) {
		fprintf(out, "%s", i ? " + " : "");
		rep_html_puts(out, m->kinds[i].kind);
		fprintf(out, " %d", m->kinds[i].points);
		ksum += m->kinds[i].points;
	}
	fprintf(out, " = %lld</div></td><td class=\"num\">%d</td><td></td>"
	    "</tr></tfoot>\n</table></div>\n</section>\n", ksum,
	    m->r->score);
}

static void
rep_html_activity(FILE *out, const struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct report_sample *s;
	size_t			 i;

	rep_html_section(out, "activity", 4, "Observed activity");
	if (r->nsamples == 0)
		fputs("<p class=\"muted\">No sample requests stored.</p>\n",
		    out);
	for (i = 0; i < r->nsamples; i++) {
		s = &r->samples[i];
		fprintf(out, "<div class=\"req\"><span class=\"s\">%d</span>"
		    "<code><span class=\"m\">", s->status);
		rep_html_puts(out, s->method);
		fputs("</span>", out);
		rep_html_puts(out, s->path);
		fputs("</code>\n<div class=\"h\">", out);
		rep_html_puts(out, m->redact ? "[redacted]" : s->host[0] ?
		    s->host : "-");
		fputs(" &middot; ", out);
		rep_html_time(out, s->time_ms);
		fputs("</div>\n<div class=\"ua\">User-Agent: ", out);
		rep_html_puts(out, s->ua[0] ? s->ua : "-");
		fputs("</div></div>\n", out);
	}
	fprintf(out, "<p>Requests: <b>%llu</b> &middot; answered 404: "
	    "<b>%llu</b> &middot; danger paths: <b>%llu</b></p>\n",
	    r->nrequests, r->n404, r->ndanger);
	if (m->redact)
		fputs("<p class=\"muted\">Target hosts are redacted.</p>\n",
		    out);
	fputs("</section>\n", out);
}

static void
rep_html_timeline(FILE *out, const struct rep_model *m)
{
	const struct rep_tl	*l;
	size_t			 i;

	rep_html_section(out, "timeline", 5, "Timeline");
	fputs("<ol class=\"tl\">\n", out);
	for (i = 0; i < m->ntl; i++) {
		l = &m->tl[i];
		fprintf(out, "<li%s>", strstr(l->key, "ban") != NULL ?
		    " class=\"ban\"" : "");
		rep_html_time(out, l->time_ms);
		fputs("<b>", out);
		rep_html_puts(out, l->what);
		fputs("</b><div class=\"muted\">", out);
		rep_html_puts(out, l->detail);
		fputs("</div></li>\n", out);
	}
	fputs("</ol>\n</section>\n", out);
}

static void
rep_html_peers(FILE *out, const char *title, const struct report_peer *v,
    size_t n)
{
	char	 a[ADDR_STRLEN];
	size_t	 i;

	fputs("<h3>", out);
	rep_html_puts(out, title);
	fputs("</h3>\n", out);
	if (n == 0) {
		fputs("<p class=\"muted\">None recorded.</p>\n", out);
		return;
	}
	fputs("<ul class=\"peers\">", out);
	for (i = 0; i < n; i++)
		fprintf(out, "<li>%s (%d)</li>", addr_format(&v[i].addr, a,
		    sizeof(a)), v[i].score);
	fputs("</ul>\n", out);
}

static void
rep_html_network(FILE *out, const struct rep_model *m)
{
	const struct report	*r = m->r;
	const struct report_peer *p;
	char			 a[ADDR_STRLEN], title[256];
	size_t			 i;

	rep_html_section(out, "network", 6, "Network");
	fprintf(out, "<p>Subnet <code class=\"c\">%s</code>: %s</p>\n",
	    m->subnet, r->subnet_banned ? "<span class=\"bad\">banned</span>"
	    : "<span class=\"ok\">not banned</span>");
	if (r->nneighbours == 0)
		fputs("<p class=\"muted\">No other address of it was "
		    "scored.</p>\n", out);
	else
		fputs("<div class=\"tw\"><table>\n<thead><tr><th>Address"
		    "</th><th class=\"num\">Score</th><th>State</th></tr>"
		    "</thead>\n<tbody>\n", out);
	for (i = 0; i < r->nneighbours; i++) {
		p = &r->neighbours[i];
		fprintf(out, "<tr><td><code>%s</code></td><td class=\"num\">"
		    "%d</td><td>%s</td></tr>\n", addr_format(&p->addr, a,
		    sizeof(a)), p->score, p->banned ?
		    "<span class=\"bad\">banned</span>" : "scored");
	}
	if (r->nneighbours > 0)
		fputs("</tbody></table></div>\n", out);
	if (m->suggest_subnet)
		fprintf(out, "<p class=\"note\">Suggestion: ban the whole "
		    "subnet with <code class=\"c\">abusemom-ctl ban %s</code>"
		    "</p>\n", m->subnet);
	snprintf(title, sizeof(title), "Top offenders from %s",
	    r->geo.country);
	rep_html_peers(out, title, r->top_country, r->ntop_country);
	snprintf(title, sizeof(title), "Top offenders in %s", m->asn);
	rep_html_peers(out, title, r->top_asn, r->ntop_asn);
	fputs("</section>\n", out);
}

static void
rep_html_recs(FILE *out, const struct rep_model *m)
{
	size_t	 i;

	rep_html_section(out, "recommendations", 7, "Recommendations");
	for (i = 0; i < m->nrecs; i++) {
		fprintf(out, "<div class=\"rec\"><h3>%s</h3><p>",
		    m->recs[i].title);
		rep_html_puts(out, m->recs[i].text);
		fputs("</p></div>\n", out);
	}
	fputs("</section>\n", out);
}

static void
rep_html_dnsbl(FILE *out, const struct rep_model *m)
{
	const struct report_dnsbl *d;
	size_t			 i;

	rep_html_section(out, "dnsbl", 8, "DNSBL");
	if (m->r->dnsbl == NULL) {
		fputs("<p class=\"muted\">Not checked.</p>\n</section>\n",
		    out);
		return;
	}
	fputs("<div class=\"tw\"><table>\n<thead><tr><th>Zone</th>"
	    "<th>Status</th></tr></thead>\n<tbody>\n", out);
	for (i = 0; i < m->r->ndnsbl; i++) {
		d = &m->r->dnsbl[i];
		fputs("<tr><td>", out);
		rep_html_puts(out, d->zone);
		fprintf(out, "</td><td><span class=\"%s\">%s",
		    d->status == REPORT_DNSBL_LISTED ? "bad" :
		    d->status == REPORT_DNSBL_CLEAN ? "ok" : "muted",
		    rep_dnsbl_word(d->status));
		if (d->status == REPORT_DNSBL_LISTED) {
			fputs(" (", out);
			rep_html_puts(out, d->answer);
			fputc(')', out);
		}
		fputs("</span></td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n</section>\n", out);
}

static void
rep_write_html(FILE *out, const struct rep_model *m)
{
	char	 title[128];

	snprintf(title, sizeof(title), "Threat report %s (%d/%d)", m->addr,
	    m->r->score, m->threshold);
	rep_html_head(out, title);
	rep_html_verdict(out, m);
	rep_html_identity(out, m);
	rep_html_signatures(out, m);
	rep_html_activity(out, m);
	rep_html_timeline(out, m);
	rep_html_network(out, m);
	rep_html_recs(out, m);
	rep_html_dnsbl(out, m);
	rep_html_tail(out, m->r->generated_ms);
}

int
report_write(const struct report *r, enum report_format fmt, int redact,
    FILE *out)
{
	struct rep_model	 m;
	int			 rc = 0;

	if (rep_model_build(&m, r, redact) == -1)
		return -1;
	switch (fmt) {
	case REPORT_TEXT:
		rep_write_text(out, &m);
		break;
	case REPORT_JSON:
		rc = rep_write_json(out, &m);
		break;
	case REPORT_HTML:
		rep_write_html(out, &m);
		break;
	default:
		errno = EINVAL;
		rc = -1;
	}
	rep_model_free(&m);
	if (fflush(out) == EOF || ferror(out))
		rc = -1;
	return rc;
}

void
report_index_from(struct report_index *x, const struct report *r)
{
	memset(x, 0, sizeof(*x));
	x->addr = r->addr;
	x->score = r->score;
	x->threshold = r->threshold;
	x->banned = r->banned;
	x->last_ms = r->last_ms;
	x->asn = r->geo.asn;
	util_strlcpy(x->country_code, r->geo.country_code,
	    sizeof(x->country_code));
	util_strlcpy(x->asn_org, r->geo.asn_org, sizeof(x->asn_org));
}

static int
rep_index_cmp(const void *a, const void *b)
{
	const struct report_index *const *x = a, *const *y = b;

	if ((*x)->score != (*y)->score)
		return (*x)->score > (*y)->score ? -1 : 1;
	if ((*x)->addr.family != (*y)->addr.family)
		return (*x)->addr.family < (*y)->addr.family ? -1 : 1;
	return memcmp((*x)->addr.bytes, (*y)->addr.bytes,
	    sizeof((*x)->addr.bytes));
}

static void
rep_index_row(FILE *out, size_t rank, const struct report_index *x)
{
	char	 a[ADDR_STRLEN];
	int	 t = rep_threshold(x->threshold);

	addr_format(&x->addr, a, sizeof(a));
	fprintf(out, "<tr><td class=\"num\">%zu</td><td><a href=\"./%s.html\">"
	    "<code>%s</code></a></td><td class=\"num\"><b>%d</b></td>"
	    "<td><span class=\"word v-%s\">%s</span></td><td>", rank, a, a,
	    x->score, report_verdict(x->score, t),
	    report_verdict(x->score, t));
	rep_html_puts(out, x->country_code);
	fputs("</td><td>", out);
	if (x->asn != 0)
		fprintf(out, "AS%u ", x->asn);
	rep_html_puts(out, x->asn != 0 || rep_known(x->asn_org) ?
	    x->asn_org : GEOIP_UNKNOWN);
	fputs("</td><td>", out);
	rep_html_time(out, x->last_ms);
	fprintf(out, "</td><td>%s</td></tr>\n", x->banned ?
	    "<span class=\"bad\">banned</span>" : "");
}

int
report_write_index(const struct report_index *v, size_t n,
    int64_t generated_ms, FILE *out)
{
	const struct report_index **order;
	size_t			 i;

	if ((order = calloc(n + 1, sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		order[i] = &v[i];
	qsort(order, n, sizeof(*order), rep_index_cmp);
	rep_html_head(out, "Threat reports");
	fprintf(out, "<section id=\"index\" class=\"card\">\n"
	    "<h2>Threat reports: %zu address%s by score</h2>\n"
	    "<div class=\"tw\"><table>\n<thead><tr><th class=\"num\">#</th>"
	    "<th>Address</th><th class=\"num\">Score</th><th>Verdict</th>"
	    "<th>Country</th><th>Network</th><th>Last seen</th><th>Ban</th>"
	    "</tr></thead>\n<tbody>\n", n, n == 1 ? "" : "es");
	for (i = 0; i < n; i++)
		rep_index_row(out, i + 1, order[i]);
	fputs("</tbody></table></div>\n</section>\n", out);
	rep_html_tail(out, generated_ms);
	free(order);
	if (fflush(out) == EOF || ferror(out))
		return -1;
	return 0;
}

/* DNSBL queries through the libc resolver with a state of our own. */
int
report_dnsbl_name(const struct addr *a, const char *zone, char *buf,
    size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 o = 0, zl = strlen(zone), i;
	int			 k;

	if (zl == 0 || strspn(zone, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != zl ||
	    zone[0] == '.' || strstr(zone, "..") != NULL)
		return -1;
	if (a->family == AF_INET) {
		k = snprintf(buf, len, "%u.%u.%u.%u.", a->bytes[3],
		    a->bytes[2], a->bytes[1], a->bytes[0]);
		if (k < 0 || (size_t)k >= len)
			return -1;
		o = (size_t)k;
	} else if (a->family == AF_INET6) {
		if (len < 64 + 1)
			return -1;
		for (i = 16; i-- > 0;) {
			buf[o++] = hex[a->bytes[i] & 0xf];
			buf[o++] = '.';
			buf[o++] = hex[a->bytes[i] >> 4];
			buf[o++] = '.';
		}
	} else
		return -1;
	k = snprintf(buf + o, len - o, "%s%s", zone,
	    zone[zl - 1] == '.' ? "" : ".");
	if (k < 0 || (size_t)k >= len - o)
		return -1;
	return 0;
}

/* Points the resolver at "A.B.C.D[:PORT]" alone. Returns 0, or -1. */
static int
rep_dnsbl_server(struct __res_state *res, const char *server)
{
	struct sockaddr_in	 sin;
	char			 host[ADDR_STRLEN];
	const char		*colon;
	long long		 port = 53;
	size_t			 hl, i;

	colon = strchr(server, ':');
	hl = colon != NULL ? (size_t)(colon - server) : strlen(server);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, server, hl);
	host[hl] = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -1;
	if (colon != NULL && util_parse_int(colon + 1, 1, 65535, &port) == -1)
		return -1;
	sin.sin_port = htons((uint16_t)port);
	/* IPv6 servers from resolv.conf sit beside the list; drop them. */
	for (i = 0; i < MAXNS; i++) {
		free(res->_u._ext.nsaddrs[i]);
		res->_u._ext.nsaddrs[i] = NULL;
	}
	res->nsaddr_list[0] = sin;
	res->nscount = 1;
	return 0;
}

static uint16_t
rep_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Finds the first A record of an answer. Returns 0, or -1. */
static int
rep_dnsbl_answer(const unsigned char *msg, int len, unsigned char ip[4])
{
	const unsigned char	*p = msg + 12, *end = msg + len;
	unsigned		 qd, an, type, cls, rdlen;
	int			 k;

	if (len < 12)
		return -1;
	qd = rep_get16(msg + 4);
	an = rep_get16(msg + 6);
	for (; qd > 0; qd--) {
		if ((k = dn_skipname(p, end)) < 0 || end - p < k + 4)
			return -1;
		p += k + 4;
	}
	for (; an > 0; an--) {
		if ((k = dn_skipname(p, end)) < 0 || end - p < k + 10)
			return -1;
		p += k;
		type = rep_get16(p);
		cls = rep_get16(p + 2);
		rdlen = rep_get16(p + 8);
		p += 10;
		if (end - p < (long)rdlen)
			return -1;
		if (type == ns_t_a && cls == ns_c_in && rdlen == 4) {
			memcpy(ip, p, 4);
			return 0;
		}
		p += rdlen;
	}
	return -1;
}

static void
rep_dnsbl_one(struct __res_state *res, const struct addr *a,
    const char *zone, struct report_dnsbl *out)
{
	unsigned char	 msg[1024], ip[4];
	char		 name[256];
	int		 n;

	memset(out, 0, sizeof(*out));
	util_strlcpy(out->zone, zone, sizeof(out->zone));
	out->status = REPORT_DNSBL_NOANSWER;
	if (report_dnsbl_name(a, zone, name, sizeof(name)) == -1) {
		log_warnx("report: dnsbl: bad zone %s", out->zone);
		return;
	}
	n = res_nquery(res, name, ns_c_in, ns_t_a, msg, sizeof(msg));
	if (n < 0) {
		if (res->res_h_errno == HOST_NOT_FOUND ||
		    res->res_h_errno == NO_DATA)
			out->status = REPORT_DNSBL_CLEAN;
		return;
	}
	if (rep_dnsbl_answer(msg, n, ip) == -1) {
		out->status = REPORT_DNSBL_CLEAN;
		return;
	}
	/* 127.255.255.x are the lists' error codes (refused, rate). */
	if (ip[0] != 127 || (ip[1] == 255 && ip[2] == 255))
		return;
	out->status = REPORT_DNSBL_LISTED;
	inet_ntop(AF_INET, ip, out->answer, sizeof(out->answer));
}

int
report_dnsbl(const struct addr *a, const char *const *zones, size_t n,
    int timeout_ms, const char *server, struct report_dnsbl *out)
{
	struct __res_state	 res;
	size_t			 i;
	int			 answered = 0;

	memset(&res, 0, sizeof(res));
	if (res_ninit(&res) == -1) {
		log_warnx("report: dnsbl: resolver setup failed");
		return -1;
	}
	if (server != NULL && rep_dnsbl_server(&res, server) == -1) {
		log_warnx("report: dnsbl: bad server %s", server);
		res_nclose(&res);
		return -1;
	}
	res.retrans = timeout_ms > 0 ? (timeout_ms + 999) / 1000 : 1;
	res.retry = 1;
	res.options &= ~(RES_DNSRCH | RES_DEFNAMES);
	for (i = 0; i < n; i++) {
		rep_dnsbl_one(&res, a, zones[i], &out[i]);
		if (out[i].status != REPORT_DNSBL_NOANSWER)
			answered++;
	}
	res_nclose(&res);
	return answered;
}
