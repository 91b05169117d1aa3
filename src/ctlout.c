/*
 * The longer outputs of the control socket: the Prometheus text of the
 * daemon's counters (for stats --prometheus and the metrics file) and
 * the threat report of one address, filled from the store and the
 * engine and rendered by report_write.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ban.h"
#include "conf.h"
#include "ctlcmd.h"
#include "daemon.h"
#include "engine.h"
#include "geoip.h"
#include "log.h"
#include "nft.h"
#include "proto.h"
#include "report.h"
#include "score.h"
#include "store.h"
#include "tail.h"
#include "util.h"

/* Writes s as a Prometheus label value (\\, \" and \n escaped). */
static void
prom_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP abusemom_%s %s\n# TYPE abusemom_%s %s\n", name,
	    help, name, type);
}

static void
prom_l1(FILE *f, const char *name, const char *key, const char *val,
    unsigned long long n)
{
	fprintf(f, "abusemom_%s{%s=\"", name, key);
	prom_label(f, val);
	fprintf(f, "\"} %llu\n", n);
}

struct prom_files {
	FILE		*f;
	int		 what;	/* 0 lines, 1 bytes, 2 unparsed */
	struct daemon	*d;
};

static void
prom_file_one(void *arg, const char *path, const struct tail_fstats *fs)
{
	static const char *const names[] = { "file_lines_total",
				    "file_bytes_total", "file_unparsed_total" };
	struct prom_files	*pf = arg;
	unsigned long long	 v;

	v = pf->what == 0 ? fs->lines : pf->what == 1 ? fs->bytes :
	    daemon_file_unparsed(pf->d, path);
	prom_l1(pf->f, names[pf->what], "file", path, v);
}

static void
prom_files(struct daemon *d, FILE *f)
{
	static const char *const help[] = { "Lines read per file.",
				    "Bytes read per file.",
				    "Lines per file no filter could parse." };
	static const char *const names[] = { "file_lines_total",
				    "file_bytes_total", "file_unparsed_total" };
	struct prom_files	 pf = { f, 0, d };

	for (pf.what = 0; pf.what < 3; pf.what++) {
		prom_head(f, names[pf.what], "counter", help[pf.what]);
		if (d->tail != NULL)
			tail_file_stats(d->tail, prom_file_one, &pf);
	}
}

static void
prom_jails(struct daemon *d, FILE *f)
{
	const struct engine_jstats	*js;
	size_t				 i;
	static const char *const	 names[] = { "jail_lines_total",
	    "jail_unparsed_total", "jail_hits_total" };
	static const char *const	 helps[] = {
	    "Lines given to each jail's filter.",
	    "Lines each jail's filter could not parse.",
	    "Signature hits per jail." };
	int				 k;

	for (k = 0; k < 3; k++) {
		prom_head(f, names[k], "counter", helps[k]);
		for (i = 0; i < d->conf->njails; i++) {
			if ((js = engine_jstats(d->engine, i)) == NULL)
				continue;
			prom_l1(f, names[k], "jail", d->conf->jails[i].name,
			    k == 0 ? js->lines : k == 1 ? js->unparsed :
			    js->hits);
		}
	}
}

static void
prom_bans_active(struct daemon *d, FILE *f)
{
	size_t	 set[NFT_NSETS];
	int	 i;

	memset(set, 0, sizeof(set));
	prom_head(f, "bans_active", "gauge", "Active bans per set.");
	ctlcmd_set_counts(d, util_now_ms(), set);
	for (i = 0; i < NFT_NSETS; i++)
		prom_l1(f, "bans_active", "set", nft_set_name(i), set[i]);
}

static void
prom_bans(struct daemon *d, const struct ctlcmd_state *st, FILE *f)
{
	const struct engine_jstats	*js;
	const struct engine_stats	*es = engine_stats(d->engine);
	size_t				 i;

	prom_head(f, "bans_total", "counter", "Bans per jail and reason.");
	for (i = 0; i < d->conf->njails; i++)
		if ((js = engine_jstats(d->engine, i)) != NULL)
			fprintf(f, "abusemom_bans_total{jail=\"%s\","
			    "reason=\"auto\"} %lu\n", d->conf->jails[i].name,
			    js->bans);
	fprintf(f, "abusemom_bans_total{jail=\"subnet\",reason=\"auto\"} "
	    "%lu\n", es->subnet_bans);
	for (i = 0; i < st->n; i++)
		if (st->v[i].bans > 0) {
			fputs("abusemom_bans_total{jail=\"", f);
			prom_label(f, st->v[i].jail);
			fprintf(f, "\",reason=\"%s\"} %lu\n", st->v[i].reason,
			    st->v[i].bans);
		}
	prom_head(f, "unbans_total", "counter",
	    "Bans lifted through the socket per jail and reason.");
	for (i = 0; i < st->n; i++)
		if (st->v[i].unbans > 0) {
			fputs("abusemom_unbans_total{jail=\"", f);
			prom_label(f, st->v[i].jail);
			fprintf(f, "\",reason=\"%s\"} %lu\n", st->v[i].reason,
			    st->v[i].unbans);
		}
	prom_head(f, "unbans_all_total", "counter",
	    "Bans lifted by hand or by reload.");
	fprintf(f, "abusemom_unbans_all_total %lu\n", d->st.unbans);
}

static void
prom_one(FILE *f, const char *name, const char *type, const char *help,
    unsigned long long n)
{
	prom_head(f, name, type, help);
	fprintf(f, "abusemom_%s %llu\n", name, n);
}

static void
prom_misc(struct daemon *d, const struct ctlcmd_state *st, FILE *f)
{
	const struct nft_stats	*ns = d->nft != NULL ? nft_stats(d->nft) :
				    NULL;
	struct store_stats	 ss;
	struct score_stats	 sc;

	store_stats(d->store, &ss);
	score_stats(engine_scores(d->engine), &sc);
	prom_one(f, "netlink_errors_total", "counter",
	    "Netlink operations not applied.", ns != NULL ? ns->errors : 0);
	prom_one(f, "nft_commit_errors_total", "counter",
	    "Failed nftables commits.", d->st.nft_errors);
	prom_one(f, "store_errors_total", "counter", "Failed store flushes.",
	    ss.errors);
	prom_one(f, "store_dropped_total", "counter",
	    "Store records dropped from a full queue.", ss.dropped);
	prom_one(f, "tracked_addresses", "gauge", "Addresses scored now.",
	    sc.tracked);
	prom_one(f, "evicted_addresses_total", "counter",
	    "Addresses evicted past max_tracked.", sc.evicted);
	prom_one(f, "control_requests_total", "counter",
	    "Requests on the control socket.", st->requests);
	prom_head(f, "loop_latency_seconds", "gauge",
	    "The last loop turn.");
	fprintf(f, "abusemom_loop_latency_seconds %.6f\n",
	    (double)d->st.loop_last_us / 1e6);
	prom_head(f, "loop_latency_max_seconds", "gauge",
	    "The longest loop turn.");
	fprintf(f, "abusemom_loop_latency_max_seconds %.6f\n",
	    (double)d->st.loop_max_us / 1e6);
}

int
ctlcmd_prometheus(struct daemon *d, const struct ctlcmd_state *st,
    FILE *f)
{
	const struct engine_stats	*es = engine_stats(d->engine);
	int				 k;

	prom_one(f, "uptime_seconds", "gauge", "Seconds since start.",
	    (unsigned long long)((util_now_ms() - d->start_ms) / 1000));
	prom_one(f, "lines_total", "counter", "Lines read.", es->lines);
	prom_one(f, "lines_unparsed_total", "counter",
	    "Lines no filter could parse.", es->unparsed);
	prom_one(f, "lines_future_total", "counter",
	    "Lines stamped over a minute ahead, taken at arrival.",
	    es->future);
	prom_one(f, "lines_ignored_total", "counter",
	    "Lines from ignored addresses.", es->ignored);
	prom_one(f, "lines_proxied_total", "counter",
	    "Lines whose client came from X-Forwarded-For.", es->proxied);
	prom_files(d, f);
	prom_jails(d, f);
	prom_head(f, "signature_hits_total", "counter",
	    "Signature hits per signature.");
	for (k = 0; k < SIG_NKINDS; k++)
		prom_l1(f, "signature_hits_total", "signature",
		    sig_name((enum sig_kind)k), es->hits[k]);
	prom_bans_active(d, f);
	prom_bans(d, st, f);
	prom_misc(d, st, f);
	return ferror(f) ? -1 : 0;
}

#define CTLOUT_TOP_SCAN		200	/* offenders looked up for peers */
#define CTLOUT_TOP_PEERS	5	/* shown per country and per ASN */
#define CTLOUT_DNSBL_MAX	8	/* zones queried per report */

/* The report: filled from the store, the ban table and geoip. */
struct rfill {
	struct report	*r;
	int64_t		 cur_since;	/* the active ban's start */
	int		 err;
};

static int
rfill_event(void *arg, const struct store_sigevent *se)
{
	struct rfill		*rf = arg;
	struct report_event	*e;

	if ((e = report_add_event(rf->r)) == NULL)
		return rf->err = 1;
	util_strlcpy(e->kind, se->kind, sizeof(e->kind));
	util_strlcpy(e->desc, se->desc, sizeof(e->desc));
	util_strlcpy(e->jail, se->jail, sizeof(e->jail));
	e->points = se->points;
	e->time_ms = se->time_ms;
	/* Each danger event is one more danger-path request, up to the cap. */
	if (strcmp(se->kind, "danger") == 0)
		rf->r->ndanger++;
	return 0;
}

static int
rfill_sample(void *arg, const struct store_sample *ss)
{
	struct rfill		*rf = arg;
	struct report_sample	*s;

	if ((s = report_add_sample(rf->r)) == NULL)
		return rf->err = 1;
	s->time_ms = ss->time_ms;
	util_strlcpy(s->method, ss->method, sizeof(s->method));
	util_strlcpy(s->host, ss->host, sizeof(s->host));
	util_strlcpy(s->path, ss->path, sizeof(s->path));
	util_strlcpy(s->ua, ss->ua, sizeof(s->ua));
	s->status = ss->status;
	rf->r->nrequests++;
	if (ss->status == 404)
		rf->r->n404++;
	return 0;
}

static void
rfill_ban(struct report_ban *rb, const struct store_ban *sb)
{
	rb->since_ms = sb->since_ms;
	rb->expires_ms = sb->expires_ms;
	rb->score = sb->score;
	util_strlcpy(rb->jail, sb->jail, sizeof(rb->jail));
	if (strcmp(sb->by, "auto") != 0)
		util_strlcpy(rb->by, sb->by, sizeof(rb->by));
}

static int
rfill_hist(void *arg, const struct store_hist *h)
{
	struct rfill		*rf = arg;
	struct report_ban	*b;

	if (strcmp(h->action, "ban") != 0 || h->ban.subnet)
		return 0;
	if (rf->r->banned && h->ban.since_ms == rf->cur_since) {
		rfill_ban(&rf->r->ban, &h->ban);
		return 0;
	}
	if ((b = report_add_earlier(rf->r)) == NULL)
		return rf->err = 1;
	rfill_ban(b, &h->ban);
	rf->r->times_banned++;
	return 0;
}

static int
rfill_neighbour(void *arg, const struct store_neighbour *sn)
{
	struct rfill		*rf = arg;
	struct report_peer	*p;

	if (addr_eq(&sn->prefix.addr, &rf->r->addr))
		return 0;
	if ((p = report_add_neighbour(rf->r)) == NULL)
		return rf->err = 1;
	p->addr = sn->prefix.addr;
	p->score = sn->score;
	p->banned = sn->banned;
	return 0;
}

static void
rfill_current(struct daemon *d, struct rfill *rf, int64_t now)
{
	const struct conf	*c = d->conf;
	struct report		*r = rf->r;
	struct ban		*b;

	b = ban_covering(engine_bans(d->engine), &r->addr, now,
	    (int)c->ipv6_prefix, (int)c->prefix4, (int)c->prefix6);
	if (b != NULL && !b->subnet) {
		r->banned = 1;
		rf->cur_since = b->since_ms;
		r->ban.since_ms = b->since_ms;
		r->ban.expires_ms = b->until_ms;
		r->ban.score = (int)b->score;
		util_strlcpy(r->ban.jail, b->jail, sizeof(r->ban.jail));
	}
	engine_subnet(d->engine, &r->addr, &r->subnet);
	b = ban_find(engine_bans(d->engine), &r->subnet);
	r->subnet_banned = b != NULL && b->until_ms > now;
}

/* Top offenders sharing the report's country or ASN. */
struct rtop {
	struct daemon	*d;
	struct report	*r;
	struct geoip	*geo;
	int64_t		 now;
	int		 err;
};

static int
rfill_peer(struct rtop *t, struct report_peer *p,
    const struct store_offender *so)
{
	const struct conf	*c = t->d->conf;

	if (p == NULL)
		return t->err = 1;
	p->addr = so->addr;
	p->score = so->score;
	p->banned = ban_covering(engine_bans(t->d->engine), &so->addr, t->now,
	    (int)c->ipv6_prefix, (int)c->prefix4, (int)c->prefix6) != NULL;
	return 0;
}

static int
rfill_top_one(void *arg, const struct store_offender *so)
{
	struct rtop	*t = arg;
	struct report	*r = t->r;
	struct geo	 g;

	if (addr_eq(&so->addr, &r->addr) ||
	    geoip_lookup(t->geo, &so->addr, &g) == 0)
		return 0;
	if (r->ntop_country < CTLOUT_TOP_PEERS &&
	    strcmp(r->geo.country_code, GEOIP_UNKNOWN) != 0 &&
	    strcmp(g.country_code, r->geo.country_code) == 0 &&
	    rfill_peer(t, report_add_top_country(r), so) != 0)
		return 1;
	if (r->ntop_asn < CTLOUT_TOP_PEERS && r->geo.asn != 0 &&
	    g.asn == r->geo.asn &&
	    rfill_peer(t, report_add_top_asn(r), so) != 0)
		return 1;
	return r->ntop_country >= CTLOUT_TOP_PEERS &&
	    r->ntop_asn >= CTLOUT_TOP_PEERS;
}

/*
 * The geo of other offenders is not stored: each of the worst ones is
 * looked up (geoip caches it) and kept when it shares country or ASN.
 */
static int
rfill_top(struct daemon *d, struct report *r, struct geoip *geo,
    int64_t now)
{
	struct rtop	 t = { d, r, geo, now, 0 };

	if (geo == NULL || (r->geo.asn == 0 &&
	    strcmp(r->geo.country_code, GEOIP_UNKNOWN) == 0))
		return 0;
	if (store_top(d->store, CTLOUT_TOP_SCAN, 0, rfill_top_one, &t) == -1 ||
	    t.err)
		return -1;
	return 0;
}

/* The databases of the configuration, reopened when a path changed. */
static struct geoip *
rfill_geoip(const struct conf *c, struct geoip **geo)
{
	if (*geo != NULL && !geoip_same(*geo, c->city_db, c->asn_db,
	    c->hosting_asns)) {
		log_info("geoip: database paths changed, reopening");
		geoip_close(*geo);
		*geo = NULL;
	}
	if (*geo == NULL)
		*geo = geoip_open(*c->city_db ? c->city_db : NULL,
		    *c->asn_db ? c->asn_db : NULL,
		    *c->hosting_asns ? c->hosting_asns : NULL);
	return *geo;
}

/*
 * Asks the [dnsbl] zones now. It blocks the daemon's loop for at most
 * CTLOUT_DNSBL_MAX zones times the timeout (docs/KNOWN_BUGS.md).
 * Returns 0, or -1 when out of memory.
 */
static int
rfill_dnsbl(const struct conf *c, struct report *r)
{
	const char	*zones[CTLOUT_DNSBL_MAX];
	char		**v;
	size_t		 n, i;

	if (c->dnsbl_zones == NULL || *c->dnsbl_zones == '\0')
		return 0;
	if ((v = util_split(c->dnsbl_zones, &n)) == NULL)
		return -1;
	if (n > CTLOUT_DNSBL_MAX) {
		log_warnx("report: dnsbl: %zu zones, asking the first %d", n,
		    CTLOUT_DNSBL_MAX);
		n = CTLOUT_DNSBL_MAX;
	}
	if (n == 0 || (r->dnsbl = calloc(n, sizeof(*r->dnsbl))) == NULL) {
		util_freev(v);
		return n == 0 ? 0 : -1;
	}
	r->ndnsbl = n;
	for (i = 0; i < n; i++) {
		zones[i] = v[i];
		util_strlcpy(r->dnsbl[i].zone, v[i], sizeof(r->dnsbl[i].zone));
		r->dnsbl[i].status = REPORT_DNSBL_NOANSWER;
	}
	report_dnsbl(&r->addr, zones, n, (int)c->dnsbl_timeout,
	    c->dnsbl_server != NULL && *c->dnsbl_server != '\0' ?
	    c->dnsbl_server : NULL, r->dnsbl);
	util_freev(v);
	return 0;
}

/* Fills r; returns 1, 0 when the address was never seen, or -1. */
static int
rfill(struct daemon *d, struct report *r, struct geoip **geo, int dnsbl)
{
	struct rfill		 rf = { r, 0, 0 };
	struct store_offender	 so;
	struct offender		*o;
	int64_t			 now = util_now_ms();
	int			 found;

	r->generated_ms = now;
	r->threshold = (int)d->conf->threshold;
	if ((found = store_offender_get(d->store, &r->addr, &so)) == -1)
		return -1;
	if (found) {
		r->score = so.score;
		r->first_ms = so.first_ms;
		r->last_ms = so.last_ms;
		r->hits = so.hits;
	}
	if ((o = score_get(engine_scores(d->engine), &r->addr, 0)) != NULL &&
	    !found) {
		r->score = o->score;
		r->first_ms = o->first_ms;
		r->last_ms = o->last_ms;
		r->hits = o->hits;
	}
	rfill_current(d, &rf, now);
	if (!found && o == NULL && !r->banned && !r->subnet_banned)
		return 0;
	if (store_sigevents(d->store, &r->addr, rfill_event, &rf) == -1 ||
	    store_samples(d->store, &r->addr, rfill_sample, &rf) == -1 ||
	    store_history(d->store, &r->addr, rfill_hist, &rf) == -1 ||
	    store_neighbours(d->store, &r->subnet, now, rfill_neighbour,
	    &rf) == -1 || rf.err)
		return -1;
	geoip_lookup(rfill_geoip(d->conf, geo), &r->addr, &r->geo);
	if (rfill_top(d, r, *geo, now) == -1 ||
	    (dnsbl && rfill_dnsbl(d->conf, r) == -1))
		return -1;
	return 1;
}

/* What report --all needs for its index page, beside the report. */
static struct json_object *
ctlout_index(const struct report *r)
{
	struct report_index	 x;
	struct json_object	*o;
	char			 a[ADDR_STRLEN];

	report_index_from(&x, r);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "addr", json_object_new_string(
	    addr_format(&x.addr, a, sizeof(a))));
	json_object_object_add(o, "score", json_object_new_int(x.score));
	json_object_object_add(o, "threshold",
	    json_object_new_int(x.threshold));
	json_object_object_add(o, "verdict", json_object_new_string(
	    report_verdict(x.score, x.threshold)));
	json_object_object_add(o, "banned", json_object_new_boolean(x.banned));
	json_object_object_add(o, "last_ms", json_object_new_int64(x.last_ms));
	json_object_object_add(o, "country_code",
	    json_object_new_string(x.country_code));
	json_object_object_add(o, "asn", json_object_new_int64(x.asn));
	json_object_object_add(o, "asn_org",
	    json_object_new_string(x.asn_org));
	return o;
}

/* Renders r into a malloc'd string; returns it (length in *len). */
static char *
ctlout_render(const struct report *r, int fmt, int redact, size_t *len)
{
	char	*text = NULL;
	FILE	*f;

	*len = 0;
	if ((f = open_memstream(&text, len)) == NULL)
		return NULL;
	if (report_write(r, (enum report_format)fmt, redact, f) == -1) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) == EOF) {
		free(text);
		return NULL;
	}
	return text;
}

struct json_object *
ctlcmd_report(struct daemon *d, struct geoip **geo, const char *addr,
    const char *format, int redact, int dnsbl)
{
	static const char *const	 names[] = { "text", "json", "html" };
	struct report			 r;
	struct json_object		*a;
	struct prefix			 p;
	char				*text;
	size_t				 len;
	int				 fmt, rv;

	for (fmt = 2; fmt > 0; fmt--)
		if (format != NULL && strcmp(format, names[fmt]) == 0)
			break;
	report_init(&r);
	prefix_parse(&p, addr != NULL ? addr : "");
	/* An IPv6 address is scored as its /64: look that up. */
	if (p.addr.family == AF_INET6)
		engine_unit(d->engine, &p.addr, &p);
	r.addr = p.addr;
	if ((rv = rfill(d, &r, geo, dnsbl)) <= 0) {
		report_free(&r);
		return rv == 0 ? proto_answer_error(PROTO_E_NOTFOUND, "no "
		    "record of %s: it has not been seen", addr) :
		    proto_answer_error(PROTO_E_FAILED, "the store could not "
		    "be read");
	}
	if ((text = ctlout_render(&r, fmt, redact, &len)) == NULL) {
		report_free(&r);
		return proto_answer_error(PROTO_E_FAILED, "report failed");
	}
	if ((a = proto_answer_ok()) != NULL) {
		json_object_object_add(a, "format",
		    json_object_new_string(names[fmt]));
		json_object_object_add(a, "index", ctlout_index(&r));
		json_object_object_add(a, "report",
		    json_object_new_string_len(text, (int)len));
	}
	report_free(&r);
	free(text);
	return a;
}
