/* The detection pipeline from a line to a decision. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "filter.h"
#include "log.h"
#include "util.h"

#define ENGINE_FUTURE_MS	60000

/* The last line each filter parsed, so jails sharing it parse once. */
struct fcache {
	char		*line;
	size_t		 len, cap;
	int		 valid;
	enum filter_result res;
	struct event	 ev;
	struct sig_info	 info;
	unsigned	 mask;		/* kinds its jails use */
	uint32_t	 gen;		/* the engine_feed call it parsed in */
	int		 skip;		/* ignored, or a proxy without client */
	struct addr	 client;	/* who is scored */
	int64_t		 t;		/* the time it counts at */
	struct offender	*o;		/* client's record, this call only */
};

struct engine {
	struct conf		*conf;
	struct engine_sink	 sink;
	struct score_table	*scores;
	struct bantable		*bans;
	struct fcache		*fc;
	size_t			 nfc;
	struct engine_stats	 st;
	struct engine_jstats	*jst;
	int64_t			 last_ms;
	uint32_t		 gen;
};

static int
engine_prepare(struct engine *e, struct conf *c)
{
	size_t	 i;

	e->fc = calloc(c->nfilters + 1, sizeof(*e->fc));
	e->jst = calloc(c->njails + 1, sizeof(*e->jst));
	if (e->fc == NULL || e->jst == NULL)
		return -1;
	e->nfc = c->nfilters;
	for (i = 0; i < c->njails; i++) {
		struct jail_conf	*jc = &c->jails[i];

		sig_layout(&jc->sig);
		if (jc->enabled)
			e->fc[jc->filter_idx].mask |= jc->sig.mask;
	}
	e->conf = c;
	return 0;
}

static void
engine_release(struct engine *e)
{
	size_t	 i;

	for (i = 0; e->fc != NULL && i < e->nfc; i++)
		free(e->fc[i].line);
	free(e->fc);
	free(e->jst);
	e->fc = NULL;
	e->jst = NULL;
}

struct engine *
engine_new(struct conf *c, const struct engine_sink *sink)
{
	struct engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->sink = *sink;
	e->scores = score_new((size_t)c->max_tracked);
	e->bans = ban_new();
	if (e->scores == NULL || e->bans == NULL ||
	    engine_prepare(e, c) == -1) {
		engine_free(e);
		return NULL;
	}
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	engine_release(e);
	score_free(e->scores);
	ban_free(e->bans);
	free(e);
}

void
engine_set_conf(struct engine *e, struct conf *c)
{
	struct engine_jstats	*old = e->jst;
	struct conf		*oc = e->conf;
	size_t			 i;

	/* Keep the counters of jails that survive, matched by name. */
	e->jst = NULL;
	engine_release(e);
	if (engine_prepare(e, c) == -1)
		fatalx("engine: out of memory");
	for (i = 0; i < c->njails && old != NULL; i++) {
		struct jail_conf	*o = conf_jail(oc, c->jails[i].name);

		if (o != NULL)
			e->jst[i] = old[o - oc->jails];
	}
	free(old);
	score_set_max(e->scores, (size_t)c->max_tracked);
	score_drop_jstates(e->scores);
}

void
engine_unit(const struct engine *e, const struct addr *a, struct prefix *p)
{
	prefix_from_addr(p, a, a->family == AF_INET ? 32 :
	    (int)e->conf->ipv6_prefix);
}

void
engine_subnet(const struct engine *e, const struct addr *a,
    struct prefix *p)
{
	prefix_from_addr(p, a, a->family == AF_INET ?
	    (int)e->conf->prefix4 : (int)e->conf->prefix6);
}

/* Parses line with filter fi unless it parsed these very bytes last. */
static struct fcache *
engine_parse(struct engine *e, size_t fi, const char *line, size_t len)
{
	struct fcache		*c = &e->fc[fi];
	struct filter_entry	*fe = &e->conf->filters[fi];

	if (c->valid && c->gen == e->gen)
		return c;	/* Another jail of this call parsed it. */
	if (c->valid && c->len == len && memcmp(c->line, line, len) == 0) {
		c->gen = e->gen;
		c->o = NULL;	/* Other lines may have evicted it since. */
		return c;	/* Another owner of this file did. */
	}
	if (len + 1 > c->cap) {
		size_t	 cap = len + 1 < 512 ? 512 : len + 1;
		char	*p = realloc(c->line, cap);

		if (p == NULL)
			return NULL;
		c->line = p;
		c->cap = cap;
	}
	memcpy(c->line, line, len);
	c->line[len] = '\0';
	c->len = len;
	c->valid = 1;
	c->gen = e->gen;
	c->skip = -1;		/* Not routed yet. */
	/* Parse the copy: event spans then outlive the caller's buffer. */
	c->res = filter_parse(fe->filter, c->line, len, &c->ev);
	if (c->res == FILTER_OK)
		sig_info_fill(fe->match, c->mask, &c->ev, &c->info);
	return c;
}

/*
 * A trusted proxy is never scored: the client is the rightmost hop of
 * X-Forwarded-For that is not itself trusted. Returns 0, or -1 when no
 * such hop exists.
 */
static int
engine_unproxy(struct engine *e, struct event *ev)
{
	const char	*p = ev->xff.p;
	size_t		 end = ev->xff.len;

	while (end > 0) {
		size_t		 start = end;
		struct addr	 a;

		while (start > 0 && p[start - 1] != ',')
			start--;
		{
			size_t	 s = start, t = end;

			while (s < t && (p[s] == ' ' || p[s] == '\t'))
				s++;
			while (t > s && (p[t - 1] == ' ' || p[t - 1] == '\t'))
				t--;
			if (addr_parse_host(&a, p + s, t - s) == -1)
				return -1;
		}
		if (!addrlist_match(&e->conf->trusted, &a)) {
			ev->addr = a;
			return 0;
		}
		end = start > 0 ? start - 1 : 0;
	}
	return -1;
}

static int64_t
engine_bantime(const struct engine *e, const struct jail_conf *jc,
    unsigned earlier)
{
	int64_t		 t = jc->bantime;
	unsigned	 i;

	for (i = 0; i < earlier && t < e->conf->bantime_max; i++)
		t *= e->conf->bantime_factor;
	return t > e->conf->bantime_max ? e->conf->bantime_max : t;
}

static void
engine_decide(struct engine *e, struct decision *d, const char *by,
    const char *reason)
{
	d->by = by;
	d->reason = reason;
	d->verdict = score_verdict(d->score, (uint32_t)e->conf->threshold);
	if (d->subnet)
		e->st.subnet_bans++;
	else
		e->st.bans++;
	if (e->sink.ban != NULL)
		e->sink.ban(e->sink.arg, d);
}

/* Bans the subnet of a when enough neighbours were banned in it. */
static void
engine_escalate(struct engine *e, const struct addr *a,
    const struct prefix *unit, int64_t t, uint32_t score,
    const uint16_t *kinds)
{
	struct conf	*c = e->conf;
	struct prefix	 net;
	struct ban	*b;
	struct decision	 d;
	size_t		 n;

	if (!c->subnet_enabled)
		return;
	engine_subnet(e, a, &net);
	if (net.len >= unit->len)
		return;		/* The subnet is no wider than one ban. */
	n = ban_note_neighbour(e->bans, &net, unit, t,
	    c->subnet_window * 1000, (size_t)c->neighbours);
	if (n < (size_t)c->neighbours)
		return;
	if ((b = ban_find(e->bans, &net)) != NULL && b->until_ms > t)
		return;
	if (addrlist_inside(&c->ignore, &net)) {
		log_info("engine: subnet of %d neighbours not banned: it "
		    "holds an ignored address", (int)n);
		return;
	}
	b = ban_put(e->bans, &net, 1, "subnet", score, t,
	    t + c->subnet_bantime * 1000, b != NULL ? b->count + 1 : 1);
	if (b == NULL)
		return;
	memset(&d, 0, sizeof(d));
	d.subnet = 1;
	d.prefix = net;
	d.addr = *a;
	d.jail = "subnet";
	d.score = score;
	memcpy(d.kinds, kinds, sizeof(d.kinds));
	d.time_ms = t;
	d.bantime = c->subnet_bantime;
	d.count = b->count;
	engine_decide(e, &d, "auto", "neighbours");
}

static void
engine_ban(struct engine *e, struct offender *o, size_t ji, int64_t t,
    const uint16_t *kinds)
{
	struct jail_conf	*jc = &e->conf->jails[ji];
	struct prefix		 unit;
	struct decision		 d;
	struct ban		*b;

	if (ban_covering(e->bans, &o->addr, t, (int)e->conf->ipv6_prefix,
	    (int)e->conf->prefix4, (int)e->conf->prefix6) != NULL)
		return;
	engine_unit(e, &o->addr, &unit);
	memset(&d, 0, sizeof(d));
	d.bantime = engine_bantime(e, jc, o->bans);
	b = ban_put(e->bans, &unit, 0, jc->name, o->score, t,
	    t + d.bantime * 1000, (uint16_t)(o->bans + 1));
	if (b == NULL)
		return;
	o->bans++;
	o->ban_until_ms = t + d.bantime * 1000;
	e->jst[ji].bans++;
	d.prefix = unit;
	d.addr = o->addr;
	d.jail = jc->name;
	d.score = o->score;
	memcpy(d.kinds, kinds, sizeof(d.kinds));
	d.time_ms = t;
	d.count = o->bans;
	engine_decide(e, &d, "auto", "score");
	engine_escalate(e, &o->addr, &unit, t, o->score, kinds);
}

/* Sends a line as a sample once, whatever the number of its jails. */
static void
engine_sample(struct engine *e, struct offender *o, const struct event *ev,
    const char *jail)
{
	if (e->sink.sample == NULL || o->sgen == e->gen)
		return;
	o->sgen = e->gen;
	o->samples++;
	e->sink.sample(e->sink.arg, o, ev, jail);
}

static void
engine_hits(struct engine *e, struct offender *o, size_t ji,
    const struct event *ev, const struct sig_hit *hits, size_t nh,
    int64_t t)
{
	struct jail_conf	*jc = &e->conf->jails[ji];
	size_t			 i;

	for (i = 0; i < nh; i++) {
		char	 desc[96];

		e->st.hits[hits[i].kind]++;
		e->jst[ji].hits++;
		if (!score_add(o, hits[i].kind, hits[i].points, t,
		    jc->sig.window_ms))
			continue;
		if (e->sink.sigevent == NULL)
			continue;
		sig_describe(&jc->sig, &hits[i], desc, sizeof(desc));
		e->sink.sigevent(e->sink.arg, o, &hits[i], desc, jc->name, t);
		if (o->samples < 2 * ENGINE_SAMPLES)
			/* The request that raised a signature is a sample. */
			engine_sample(e, o, ev, jc->name);
	}
}

static void
engine_score(struct engine *e, struct offender *o, size_t ji,
    const struct event *ev, int64_t t)
{
	uint16_t	 kinds[SIG_NKINDS];
	uint32_t	 score = score_compute(o, t, kinds);

	o->score = (uint16_t)(score > UINT16_MAX ? UINT16_MAX : score);
	if (o->score > o->peak) {
		o->peak = o->score;
		o->peak_ms = t;
		memcpy(o->peak_kind, kinds, sizeof(kinds));
	}
	if (o->score > 0 && o->samples < ENGINE_SAMPLES)
		engine_sample(e, o, ev, e->conf->jails[ji].name);
	if (o->score >= e->conf->threshold)
		engine_ban(e, o, ji, t, kinds);
}

/* Forgets what an address earned: its window maxima and detectors. */
static void
engine_forgive(struct offender *o)
{
	struct jstate	*j;

	memset(o->km, 0, sizeof(o->km));
	o->score = 0;
	for (j = o->js; j != NULL; j = j->next)
		memset(j->data, 0, j->size);
}

static void
engine_forgive_in(void *arg, struct offender *o)
{
	if (prefix_contains(arg, &o->addr))
		engine_forgive(o);
}

/* Runs one jail over a parsed event. */
static void
engine_jail(struct engine *e, size_t ji, struct fcache *c, int64_t t)
{
	struct jail_conf	*jc = &e->conf->jails[ji];
	struct sig_hit		 hits[SIG_NKINDS];
	struct offender		*o;
	void			*state;
	size_t			 nh;

	/* Looked up once per line; a later lookup may evict others only. */
	if ((o = c->o) == NULL &&
	    (o = c->o = score_get(e->scores, &c->client, 1)) == NULL)
		return;
	/*
	 * What an address did before a ban that has run out was paid for:
	 * it starts again from zero, so the points left in the window do
	 * not ban it again on its next harmless request.
	 */
	if (o->ban_until_ms != 0 && t >= o->ban_until_ms) {
		engine_forgive(o);
		o->ban_until_ms = 0;
	}
	if (o->gen != e->gen || o->hits == 0) {
		o->gen = e->gen;
		o->hits++;
		if (o->first_ms == 0 || t < o->first_ms)
			o->first_ms = t;
		if (t > o->last_ms)
			o->last_ms = t;
	}
	if ((state = score_jstate(o, (uint32_t)ji, jc->sig.size)) == NULL)
		return;
	c->info.t = t;
	nh = sig_observe(&jc->sig, state, &c->ev, &c->info, hits);
	if (nh > 0)
		engine_hits(e, o, ji, &c->ev, hits, nh, t);
	if (nh > 0 || o->score > 0)
		engine_score(e, o, ji, &c->ev, t);
	if (o->score > 0 || o->bans > 0)
		score_mark(e->scores, o);
}

/* The time a line counts at: its own, unless absent or in the future. */
static int64_t
engine_time(struct engine *e, const struct event *ev, int64_t now_ms)
{
	int64_t	 t = ev->time_ms;

	if (t <= 0)
		t = now_ms > 0 ? now_ms : e->last_ms;
	else if (now_ms > 0 && t > now_ms + ENGINE_FUTURE_MS) {
		e->st.future++;
		t = now_ms;
	}
	if (t > e->last_ms)
		e->last_ms = t;
	return t;
}

/* 0.0.0.0/8 and :: are nobody's address. */
static int
engine_unspecified(const struct addr *a)
{
	static const uint8_t	 zero[16];

	if (a->family == AF_INET)
		return a->bytes[0] == 0;
	return memcmp(a->bytes, zero, 16) == 0;
}

/*
 * Decides once per parsed line who is scored: the logged client, or
 * the client behind a trusted proxy; nobody when ignored.
 */
static void
engine_route(struct engine *e, struct fcache *c, int64_t now_ms)
{
	struct event	 ev = c->ev;

	c->skip = 1;
	if (e->conf->trusted.n > 0 &&
	    addrlist_match(&e->conf->trusted, &ev.addr)) {
		if (engine_unproxy(e, &ev) == -1)
			return;
		e->st.proxied++;
	}
	/*
	 * An IPv6 client is scored as its /64, the unit it is banned as:
	 * a scanner that takes a new address of its /64 for every request
	 * is still one offender. A unit holding an ignored address (the
	 * host's own, ::1) is not scored, since it could never be banned.
	 */
	if (ev.addr.family == AF_INET6) {
		struct prefix	 unit;

		engine_unit(e, &ev.addr, &unit);
		if (addrlist_inside(&e->conf->ignore, &unit)) {
			e->st.ignored++;
			return;
		}
		ev.addr = unit.addr;
	} else if (addrlist_match(&e->conf->ignore, &ev.addr)) {
		e->st.ignored++;
		return;
	}
	if (engine_unspecified(&ev.addr)) {
		e->st.ignored++;
		return;
	}
	c->client = ev.addr;
	c->t = engine_time(e, &c->ev, now_ms);
	c->o = NULL;
	c->skip = 0;
}

int
engine_feed(struct engine *e, const size_t *jails, size_t n,
    const char *line, size_t len, int64_t now_ms)
{
	size_t	 i;
	int	 parsed = 0;

	e->st.lines++;
	e->gen++;
	for (i = 0; i < n; i++) {
		size_t		 ji = jails[i];
		struct fcache	*c;

		if (ji >= e->conf->njails || !e->conf->jails[ji].enabled)
			continue;
		e->jst[ji].lines++;
		c = engine_parse(e, e->conf->jails[ji].filter_idx, line, len);
		if (c == NULL || c->res == FILTER_BAD) {
			e->jst[ji].unparsed++;
			continue;
		}
		e->jst[ji].parsed++;
		parsed = 1;
		if (c->res != FILTER_OK || c->ev.addr.family == 0)
			continue;
		if (c->skip == -1)
			engine_route(e, c, now_ms);
		if (!c->skip)
			engine_jail(e, ji, c, c->t);
	}
	if (parsed)
		e->st.parsed++;
	else
		e->st.unparsed++;
	return parsed;
}

int
engine_ban_manual(struct engine *e, const struct prefix *p,
    const char *jail, int64_t bantime, int64_t now_ms, const char *by,
    const char *reason)
{
	struct decision	 d;
	struct ban	*b;
	struct offender	*o;
	int		 subnet = p->len < addr_bits(&p->addr) &&
			    !(p->addr.family == AF_INET6 &&
			    p->len == e->conf->ipv6_prefix);

	b = ban_find(e->bans, p);
	b = ban_put(e->bans, p, subnet, jail, 0, now_ms,
	    now_ms + bantime * 1000, b != NULL ? b->count + 1 : 1);
	if (b == NULL)
		return -1;
	memset(&d, 0, sizeof(d));
	if ((o = score_get(e->scores, &p->addr, 0)) != NULL) {
		d.score = o->score;
		o->bans++;
	}
	d.subnet = subnet;
	d.prefix = *p;
	d.addr = p->addr;
	d.jail = jail;
	d.time_ms = now_ms;
	d.bantime = bantime;
	d.count = b->count;
	engine_decide(e, &d, by, reason);
	return 0;
}

int
engine_unban(struct engine *e, const struct prefix *p)
{
	struct prefix	 unit;
	struct offender	*o;

	if (ban_remove(e->bans, p) == -1)
		return -1;
	/* A unit is one offender (an IPv6 client is scored as its /64). */
	engine_unit(e, &p->addr, &unit);
	if (unit.len == p->len) {
		if ((o = score_get(e->scores, &unit.addr, 0)) != NULL)
			engine_forgive(o);
	} else
		score_foreach(e->scores, engine_forgive_in, (void *)p);
	return 0;
}

void
engine_restore_ban(struct engine *e, const struct prefix *p, int subnet,
    const char *jail, uint32_t score, int64_t since_ms, int64_t until_ms,
    uint16_t count)
{
	ban_put(e->bans, p, subnet, jail, score, since_ms, until_ms, count);
}

struct score_table *
engine_scores(struct engine *e)
{
	return e->scores;
}

struct bantable *
engine_bans(struct engine *e)
{
	return e->bans;
}

const struct engine_stats *
engine_stats(const struct engine *e)
{
	return &e->st;
}

const struct engine_jstats *
engine_jstats(const struct engine *e, size_t jail)
{
	return jail < e->conf->njails ? &e->jst[jail] : NULL;
}

const struct conf *
engine_conf(const struct engine *e)
{
	return e->conf;
}
