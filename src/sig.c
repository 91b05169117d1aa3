/*
 * Signatures: the detectors, their defaults and their state. Each
 * detector keeps a few bytes per address and jail and reports the
 * points its kind has reached with this event; the score module keeps
 * the maximum of each kind over the window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "log.h"
#include "sig.h"
#include "util.h"

/*
 * Medium: admin panels and config files, counted on a 4xx answer.
 * High: secrets, shells and traversal, counted on any answer. Both run
 * over the normalised (decoded, lowered) request target.
 */
static const char sig_default_medium[] =
    "^/(?:[^?]*/)?(?:wp-admin|wp-login\\.php|xmlrpc\\.php|phpmyadmin|pma|"
    "myadmin|mysqladmin|dbadmin|admin|administrator|admin\\.php|"
    "manager/html|config\\.php|configuration\\.php|web\\.config|"
    "server-status|actuator|console|setup\\.php|install\\.php|"
    "phpinfo\\.php|info\\.php|wp-includes/wlwmanifest\\.xml|"
    "wp-content/plugins|solr/admin|jenkins|owa/auth|telescope|_profiler|"
    "login\\.action|geoserver|webui|cpanel|webadmin|siteadmin)"
    "(?=[/?.;]|$)";
static const char sig_default_high[] =
    "/\\.env|/\\.git(?:/|$)|/\\.svn/|/\\.hg/|/\\.aws/|/\\.ssh/|"
    "/\\.htpasswd|/\\.ds_store|/\\.vscode/|id_[rd]sa|"
    "wp-config\\.php[^/?]|"
    "(?:backup|dump|db|database|site|www)[^/?]*"
    "\\.(?:zip|tar|tar\\.gz|tgz|gz|sql|rar|7z|bak)(?:[?]|$)|"
    "\\.sql(?:\\.gz)?(?:[?]|$)|\\.bak(?:[?]|$)|/etc/passwd|\\.\\./|"
    "/shell\\.php|/cmd\\.php|phpunit/.*eval-stdin\\.php|/cgi-bin/|"
    "/boaform|/hnap1|sftp-config\\.json|invokefunction|"
    "xdebug_session_start|/laravel\\.log";
static const char sig_default_badua[] =
    "sqlmap|nikto|nmap|masscan|zgrab|nuclei|wpscan|gobuster|dirbuster|"
    "\\bdirb\\b|ffuf|fuzz faster u fool|feroxbuster|wfuzz|acunetix|"
    "netsparker|nessus|openvas|w3af|zmeu|jorgee|l9explore|"
    "censysinspect|hydra";

static const char *const sig_names[SIG_NKINDS] = {
	[SIG_RATIO404] = "ratio404",
	[SIG_BURST] = "burst",
	[SIG_DANGER] = "danger",
	[SIG_REFERER] = "referer",
	[SIG_PROBE302] = "probe302",
	[SIG_UACHANGE] = "uachange",
	[SIG_BADUA] = "badua",
	[SIG_AUTHFAIL] = "authfail",
};

/*
 * Paths and User-Agents repeat: the verdicts of the last few thousand
 * are kept by hash, so the patterns run once per distinct string.
 */
#define SIG_DCACHE	65536
#define SIG_UCACHE	4096

struct sig_cache {
	uint64_t	 key;		/* hash | 1; 0 is empty */
	uint8_t		 val;
};

struct sig_match {
	pcre2_code		*medium, *high, *badua;
	pcre2_match_data	*md;
	struct sig_cache	 danger[SIG_DCACHE];
	struct sig_cache	 ua[SIG_UCACHE];
	unsigned long		 hits, misses;
};

/* Per-kind state records; sizes of the rings come from the tiers. */
#define RATIO_BUCKETS	10
#define PROBE_R302	8

struct ratio_st {
	int64_t		 base;
	uint16_t	 req[RATIO_BUCKETS];
	uint16_t	 n404[RATIO_BUCKETS];
};

struct pair_st {
	uint32_t	 hash;
	uint32_t	 t;		/* seconds */
};

const char *
sig_name(enum sig_kind k)
{
	return k < SIG_NKINDS ? sig_names[k] : NULL;
}

int
sig_kind_parse(const char *name)
{
	int	 k;

	for (k = 0; k < SIG_NKINDS; k++)
		if (strcmp(sig_names[k], name) == 0)
			return k;
	return -1;
}

int
sig_tiers_parse(struct sig_tiers *t, const char *s)
{
	char		**w;
	size_t		 i, n;
	long long	 at, pts;
	int		 rv = 0;

	if ((w = util_split(s, &n)) == NULL)
		return -1;
	if (n == 0 || n > SIG_MAXTIERS)
		rv = -1;
	for (i = 0; i < n && rv == 0; i++) {
		char	*c = strchr(w[i], ':');

		if (c == NULL || util_parse_intn(w[i], (size_t)(c - w[i]), 0,
		    1000000, &at) == -1 ||
		    util_parse_int(c + 1, 0, 1000, &pts) == -1 ||
		    (i > 0 && (uint32_t)at <= t->t[i - 1].at)) {
			rv = -1;
			break;
		}
		t->t[i].at = (uint32_t)at;
		t->t[i].points = (uint32_t)pts;
	}
	if (rv == 0)
		t->n = n;
	util_freev(w);
	return rv;
}

void
sig_tiers_format(const struct sig_tiers *t, char *buf, size_t len)
{
	size_t	 i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u:%u",
		    i ? " " : "", t->t[i].at, t->t[i].points);
}

void
sig_conf_defaults(struct sig_conf *sc)
{
	memset(sc, 0, sizeof(*sc));
}

void
sig_conf_free(struct sig_conf *sc)
{
	util_freev(sc->static_ext);
	util_freev(sc->own_domains);
	sc->static_ext = NULL;
	sc->own_domains = NULL;
}

static uint32_t
sig_ceil_div(uint32_t a, uint32_t b)
{
	uint32_t	 n;

	if (b == 0)
		return 1;
	n = (a + b - 1) / b;
	return n < 1 ? 1 : (n > 64 ? 64 : n);
}

static uint32_t
sig_top(const struct sig_tiers *t)
{
	return t->n ? t->t[t->n - 1].at : 1;
}

size_t
sig_layout(struct sig_conf *sc)
{
	size_t	 o = 0, sz[SIG_NKINDS] = { 0 };
	int	 k;

	sc->burst_k = sig_top(&sc->burst);
	sc->ua_k = sig_top(&sc->uachange);
	sc->probe_k = sig_top(&sc->probe302);
	sc->dm_k = sig_ceil_div(sc->danger_medium_max, sc->danger_medium);
	sc->dh_k = sig_ceil_div(sc->danger_high_max, sc->danger_high);
	sc->auth_k = sig_ceil_div(sc->authfail_max, sc->authfail);
	sz[SIG_RATIO404] = sizeof(struct ratio_st);
	sz[SIG_BURST] = 8 + sc->burst_k * sizeof(int64_t);
	sz[SIG_DANGER] = 8 + (sc->dm_k + sc->dh_k) * sizeof(uint32_t);
	sz[SIG_PROBE302] = 8 + (PROBE_R302 + sc->probe_k) *
	    sizeof(struct pair_st);
	sz[SIG_UACHANGE] = sc->ua_k * sizeof(struct pair_st);
	sz[SIG_AUTHFAIL] = 8 + sc->auth_k * sizeof(uint32_t);
	sc->nkinds = 0;
	for (k = 0; k < SIG_NKINDS; k++) {
		sc->off[k] = o;
		if (sc->mask & (1u << k)) {
			o += (sz[k] + 7) & ~(size_t)7;
			sc->kinds[sc->nkinds++] = (uint8_t)k;
		}
	}
	sc->size = o;
	return o;
}

static pcre2_code *
sig_compile(const char *pat, char *err, size_t errlen)
{
	pcre2_code	*re;
	int		 ec;
	PCRE2_SIZE	 eo;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS | PCRE2_NO_AUTO_CAPTURE, &ec, &eo, NULL);
	if (re == NULL) {
		PCRE2_UCHAR	 msg[160];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "regex error at offset %zu: %s",
		    (size_t)eo, (char *)msg);
		return NULL;
	}
	/* Without JIT (MemoryDenyWriteExecute) the interpreter still works. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

struct sig_match *
sig_match_new(const char *medium, const char *high, const char *badua,
    char *err, size_t errlen, const char **errkey)
{
	struct sig_match	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "out of memory");
		*errkey = NULL;
		return NULL;
	}
	*errkey = "danger_medium";
	if ((m->medium = sig_compile(medium && *medium ? medium :
	    sig_default_medium, err, errlen)) == NULL)
		goto fail;
	*errkey = "danger_high";
	if ((m->high = sig_compile(high && *high ? high : sig_default_high,
	    err, errlen)) == NULL)
		goto fail;
	*errkey = "badua";
	if ((m->badua = sig_compile(badua && *badua ? badua :
	    sig_default_badua, err, errlen)) == NULL)
		goto fail;
	if ((m->md = pcre2_match_data_create(4, NULL)) == NULL)
		goto fail;
	return m;
fail:
	sig_match_free(m);
	return NULL;
}

void
sig_match_free(struct sig_match *m)
{
	if (m == NULL)
		return;
	pcre2_code_free(m->medium);
	pcre2_code_free(m->high);
	pcre2_code_free(m->badua);
	pcre2_match_data_free(m->md);
	free(m);
}

static int
sig_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One pass of %XX decoding; returns the new length. */
static size_t
sig_decode(char *s, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; i < len; i++) {
		int	 h, l;

		if (s[i] == '%' && i + 2 < len &&
		    (h = sig_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = sig_hexval((unsigned char)s[i + 2])) >= 0) {
			s[o++] = (char)(h << 4 | l);
			i += 2;
		} else
			s[o++] = s[i];
	}
	return o;
}

size_t
sig_normalise_path(const char *p, size_t len, char *out, size_t outlen)
{
	size_t	 i, o = 0, n;

	if (outlen == 0)
		return 0;
	n = len < outlen - 1 ? len : outlen - 1;
	memcpy(out, p, n);
	n = sig_decode(out, n);
	n = sig_decode(out, n);
	for (i = 0; i < n; i++) {
		char	 c = out[i];

		if (c == '\\')
			c = '/';
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c == '/' && o > 0 && out[o - 1] == '/')
			continue;
		if (c == '.' && o > 0 && out[o - 1] == '/' &&
		    (i + 1 == n || out[i + 1] == '/' || out[i + 1] == '\\')) {
			i++;	/* "/./" becomes "/" */
			continue;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

static int
sig_re(struct sig_match *m, pcre2_code *re, const char *s, size_t len)
{
	return pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, m->md, NULL) >= 0;
}

static int
sig_is_static(const struct sig_conf *sc, const char *path, size_t len)
{
	size_t	 i, dot = len;
	int	 first;

	for (i = 0; i < len; i++) {
		if (path[i] == '?')
			break;
		if (path[i] == '.')
			dot = i;
		else if (path[i] == '/')
			dot = len;
	}
	if (dot == len || sc->static_ext == NULL)
		return 0;
	/* The letter after the dot rules most out before a full compare. */
	first = i - dot > 1 ? path[dot + 1] | 0x20 : 0;
	for (char **e = sc->static_ext; *e != NULL; e++)
		if (((*e)[1] | 0x20) == first &&
		    util_casecmpn(*e, path + dot, i - dot) == 0 &&
		    (*e)[i - dot] == '\0')
			return 1;
	return 0;
}

static int
sig_danger_of(struct sig_match *m, const struct span *path)
{
	char	 norm[2048];
	size_t	 n;

	n = sig_normalise_path(path->p, path->len, norm, sizeof(norm));
	if (sig_re(m, m->high, norm, n))
		return 2;
	if (sig_re(m, m->medium, norm, n))
		return 1;
	return 0;
}

/* The cached verdict of fn for a string of hash h, or a fresh one. */
static int
sig_cached(struct sig_match *m, struct sig_cache *c, size_t size,
    uint64_t h, int (*fn)(struct sig_match *, const struct span *),
    const struct span *s)
{
	struct sig_cache	*e = &c[(h >> 7) & (size - 1)];

	if (e->key == (h | 1)) {
		m->hits++;
		return e->val;
	}
	m->misses++;
	e->key = h | 1;
	e->val = (uint8_t)fn(m, s);
	return e->val;
}

static int
sig_badua_of(struct sig_match *m, const struct span *ua)
{
	return sig_re(m, m->badua, ua->p, ua->len);
}

void
sig_info_fill(struct sig_match *m, unsigned mask, const struct event *ev,
    struct sig_info *info)
{
	uint64_t	 uh = util_hash(ev->ua.p, ev->ua.len), ph;
	size_t		 q;

	memset(info, 0, sizeof(*info));
	info->t = ev->time_ms;
	info->ua_hash = (uint32_t)uh;
	for (q = 0; q < ev->path.len && ev->path.p[q] != '?'; q++)
		;
	ph = util_hash(ev->path.p, q);
	info->path_hash = (uint32_t)ph;
	if (ev->path.len > 0 && (mask & (1u << SIG_DANGER)))
		info->danger = sig_cached(m, m->danger, SIG_DCACHE,
		    q == ev->path.len ? ph : util_hash(ev->path.p,
		    ev->path.len), sig_danger_of, &ev->path);
	if ((mask & (1u << SIG_BADUA)) && ev->ua.len > 0)
		info->badua = sig_cached(m, m->ua, SIG_UCACHE, uh,
		    sig_badua_of, &ev->ua);
}

static uint32_t
sig_tier_points(const struct sig_tiers *t, uint32_t v)
{
	size_t		 i;
	uint32_t	 pts = 0;

	for (i = 0; i < t->n; i++)
		if (v >= t->t[i].at)
			pts = t->t[i].points;
	return pts;
}

static int
sig_ratio(const struct sig_conf *sc, void *state, const struct event *ev,
    const struct sig_info *in, struct sig_hit *h)
{
	struct ratio_st	*st = state;
	int64_t		 width = sc->window_ms / RATIO_BUCKETS, b;
	uint32_t	 req = 0, n404 = 0, pct, pts;
	size_t		 i;

	if (width < 1)
		width = 1;
	b = in->t / width;
	if (st->base == 0 || b - st->base >= RATIO_BUCKETS) {
		memset(st, 0, sizeof(*st));
		st->base = b;
	}
	for (; st->base < b; ) {
		st->base++;
		st->req[st->base % RATIO_BUCKETS] = 0;
		st->n404[st->base % RATIO_BUCKETS] = 0;
	}
	i = (size_t)(st->base % RATIO_BUCKETS);
	if (st->req[i] < UINT16_MAX)
		st->req[i]++;
	if (ev->status == 404 && st->n404[i] < UINT16_MAX)
		st->n404[i]++;
	for (i = 0; i < RATIO_BUCKETS; i++) {
		req += st->req[i];
		n404 += st->n404[i];
	}
	if (req < sc->ratio404_min || n404 == 0)
		return 0;
	pct = n404 * 100 / req;
	pts = sig_tier_points(&sc->ratio404, pct);
	if (sc->ratio404.n > 0 &&
	    pct >= sc->ratio404.t[sc->ratio404.n - 1].at) {
		uint32_t	 c = sig_tier_points(&sc->ratio404_count, n404);

		if (c > pts)
			pts = c;
	}
	h->points = pts;
	h->count = pct;
	h->extra = n404;
	return pts > 0;
}

static int	 sig_referer_own(const struct sig_conf *, const struct event *);

static int
sig_burst(const struct sig_conf *sc, void *state, const struct event *ev,
    const struct sig_info *in, struct sig_hit *h)
{
	uint32_t	*n = state;
	int64_t		*ring = (int64_t *)((char *)state + 8);
	uint32_t	 k = sc->burst_k, have, i, best = 1, slot;
	size_t		 ti;

	/* Assets and the fetches of our own pages do not make a flood. */
	if (sig_is_static(sc, ev->path.p, ev->path.len) ||
	    (sc->burst_own_referer && sig_referer_own(sc, ev) == 1))
		return 0;
	/* ring[n % k] is the slot for the newest time. */
	slot = *n % k;
	ring[slot] = in->t;
	(*n)++;
	have = *n < k ? *n : k;
	for (i = 2; i <= have; i++) {
		slot = slot == 0 ? k - 1 : slot - 1;
		if (in->t - ring[slot] < sc->burst_span_ms)
			best = i;
		else
			break;
	}
	for (ti = 0; ti < sc->burst.n; ti++)
		if (best >= sc->burst.t[ti].at) {
			h->points = sc->burst.t[ti].points;
			h->count = sc->burst.t[ti].at;
		}
	return h->points > 0;
}

/* Counts ring entries newer than since; a zero entry is empty. */
static uint32_t
sig_count_since(const uint32_t *ring, uint32_t k, uint32_t since)
{
	uint32_t	 i, c = 0;

	for (i = 0; i < k; i++)
		if (ring[i] != 0 && ring[i] > since)
			c++;
	return c;
}

/* Puts t into the ring in place of the oldest entry. */
static void
sig_ring_put(uint32_t *ring, uint32_t k, uint32_t t)
{
	uint32_t	 i, old = 0;

	for (i = 1; i < k; i++)
		if (ring[i] < ring[old])
			old = i;
	ring[old] = t;
}

static int
sig_danger(const struct sig_conf *sc, void *state, const struct event *ev,
    const struct sig_info *in, struct sig_hit *h)
{
	uint32_t	*med = (uint32_t *)((char *)state + 8);
	uint32_t	*high = med + sc->dm_k;
	uint32_t	 now = (uint32_t)(in->t / 1000) + 1;
	uint32_t	 since = now - (uint32_t)(sc->window_ms / 1000) - 1;
	uint32_t	 cm, ch, pm, ph;

	if (in->danger == 2)
		sig_ring_put(high, sc->dh_k, now);
	else if (in->danger == 1 && ev->status >= 400 && ev->status < 500)
		sig_ring_put(med, sc->dm_k, now);
	else
		return 0;
	cm = sig_count_since(med, sc->dm_k, since);
	ch = sig_count_since(high, sc->dh_k, since);
	pm = cm * sc->danger_medium;
	ph = ch * sc->danger_high;
	if (pm > sc->danger_medium_max)
		pm = sc->danger_medium_max;
	if (ph > sc->danger_high_max)
		ph = sc->danger_high_max;
	h->points = pm + ph;
	h->count = cm;
	h->extra = ch;
	return h->points > 0;
}

static int
sig_host_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	/* Equal, or one a subdomain of the other (www.example.com). */
	if (alen == blen)
		return util_casecmpn(a, b, alen) == 0;
	if (alen > blen)
		return a[alen - blen - 1] == '.' &&
		    util_casecmpn(a + alen - blen, b, blen) == 0;
	return b[blen - alen - 1] == '.' &&
	    util_casecmpn(b + blen - alen, a, alen) == 0;
}

static size_t
sig_hostlen(const char *h, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (h[i] == '/' || h[i] == ':' || h[i] == '?' || h[i] == '#')
			break;
	return i;
}

/*
 * Where the Referer points: 1 to one of our own sites (own_domains, or
 * the Host the request was for), 0 elsewhere, -1 when there is no
 * Referer or nothing to compare it with.
 */
static int
sig_referer_own(const struct sig_conf *sc, const struct event *ev)
{
	const char	*r = ev->referer.p, *host = NULL;
	size_t		 len = ev->referer.len, hl, i;
	int		 own = 0;

	if (len == 0)
		return -1;
	if ((sc->own_domains == NULL || sc->own_domains[0] == NULL) &&
	    ev->host.len == 0)
		return -1;
	for (i = 0; i + 2 < len; i++)
		if (r[i] == ':' && r[i + 1] == '/' && r[i + 2] == '/') {
			host = r + i + 3;
			break;
		}
	if (host == NULL)
		return 0;
	hl = sig_hostlen(host, len - (size_t)(host - r));
	if (sc->own_domains != NULL)
		for (char **d = sc->own_domains; *d && !own; d++)
			own = sig_host_eq(host, hl, *d, strlen(*d));
	if (!own && ev->host.len > 0)
		own = sig_host_eq(host, hl, ev->host.p,
		    sig_hostlen(ev->host.p, ev->host.len));
	return own;
}

static int
sig_referer(const struct sig_conf *sc, void *state, const struct event *ev,
    const struct sig_info *in, struct sig_hit *h)
{
	(void)state;
	(void)in;
	if (sig_referer_own(sc, ev) != 0)
		return 0;	/* Own, absent, or nothing to compare with. */
	h->points = sc->referer;
	h->count = 1;
	return h->points > 0;
}

/* Finds hash in a pair ring, or the slot to replace (oldest). */
static struct pair_st *
sig_pair_slot(struct pair_st *v, uint32_t k, uint32_t hash, int *found)
{
	uint32_t	 i, old = 0;

	for (i = 0; i < k; i++) {
		if (v[i].t != 0 && v[i].hash == hash) {
			*found = 1;
			return &v[i];
		}
		if (v[i].t < v[old].t)
			old = i;
	}
	*found = 0;
	return &v[old];
}

static uint32_t
sig_pair_count(const struct pair_st *v, uint32_t k, uint32_t since)
{
	uint32_t	 i, c = 0;

	for (i = 0; i < k; i++)
		if (v[i].t != 0 && v[i].t > since)
			c++;
	return c;
}

static int
sig_probe302(const struct sig_conf *sc, void *state,
    const struct event *ev, const struct sig_info *in, struct sig_hit *h)
{
	struct pair_st	*r302 = (struct pair_st *)((char *)state + 8);
	struct pair_st	*probed = r302 + PROBE_R302, *p;
	uint32_t	 now = (uint32_t)(in->t / 1000) + 1;
	uint32_t	 since = now - (uint32_t)(sc->window_ms / 1000) - 1;
	uint32_t	 c;
	int		 found;

	if (ev->status == 302) {
		p = sig_pair_slot(r302, PROBE_R302, in->path_hash, &found);
		p->hash = in->path_hash;
		p->t = now;
		return 0;
	}
	if (ev->status != 404)
		return 0;
	p = sig_pair_slot(r302, PROBE_R302, in->path_hash, &found);
	if (!found || p->t <= since)
		return 0;
	p = sig_pair_slot(probed, sc->probe_k, in->path_hash, &found);
	p->hash = in->path_hash;
	p->t = now;
	c = sig_pair_count(probed, sc->probe_k, since);
	h->points = sig_tier_points(&sc->probe302, c);
	h->count = c;
	return h->points > 0;
}

static int
sig_uachange(const struct sig_conf *sc, void *state,
    const struct event *ev, const struct sig_info *in, struct sig_hit *h)
{
	struct pair_st	*v = state, *p;
	uint32_t	 now = (uint32_t)(in->t / 1000) + 1;
	uint32_t	 since = now - (uint32_t)(sc->window_ms / 1000) - 1;
	uint32_t	 c;
	int		 found;

	(void)ev;
	p = sig_pair_slot(v, sc->ua_k, in->ua_hash, &found);
	p->hash = in->ua_hash;
	p->t = now;
	c = sig_pair_count(v, sc->ua_k, since);
	h->points = sig_tier_points(&sc->uachange, c);
	h->count = c;
	return h->points > 0;
}

static int
sig_badua(const struct sig_conf *sc, void *state, const struct event *ev,
    const struct sig_info *in, struct sig_hit *h)
{
	(void)state;
	(void)ev;
	if (!in->badua)
		return 0;
	h->points = sc->badua;
	h->count = 1;
	return h->points > 0;
}

static int
sig_authfail(const struct sig_conf *sc, void *state,
    const struct event *ev, const struct sig_info *in, struct sig_hit *h)
{
	uint32_t	*ring = (uint32_t *)((char *)state + 8);
	uint32_t	 now = (uint32_t)(in->t / 1000) + 1;
	uint32_t	 since = now - (uint32_t)(sc->window_ms / 1000) - 1;
	uint32_t	 c, pts;

	if (!(ev->flags & EVENT_FAILREGEX))
		return 0;
	sig_ring_put(ring, sc->auth_k, now);
	c = sig_count_since(ring, sc->auth_k, since);
	pts = c * sc->authfail;
	h->points = pts > sc->authfail_max ? sc->authfail_max : pts;
	h->count = c;
	return h->points > 0;
}

typedef int (*sig_fn)(const struct sig_conf *, void *, const struct event *,
    const struct sig_info *, struct sig_hit *);

static const sig_fn sig_fns[SIG_NKINDS] = {
	[SIG_RATIO404] = sig_ratio,
	[SIG_BURST] = sig_burst,
	[SIG_DANGER] = sig_danger,
	[SIG_REFERER] = sig_referer,
	[SIG_PROBE302] = sig_probe302,
	[SIG_UACHANGE] = sig_uachange,
	[SIG_BADUA] = sig_badua,
	[SIG_AUTHFAIL] = sig_authfail,
};

size_t
sig_observe(const struct sig_conf *sc, void *state, const struct event *ev,
    const struct sig_info *in, struct sig_hit *hits)
{
	size_t	 n = 0, i;
	int	 k;

	for (i = 0; i < sc->nkinds; i++) {
		k = sc->kinds[i];
		hits[n].kind = (enum sig_kind)k;
		hits[n].points = hits[n].count = hits[n].extra = 0;
		if (sig_fns[k](sc, (char *)state + sc->off[k], ev, in,
		    &hits[n]))
			n++;
	}
	return n;
}

void
sig_describe(const struct sig_conf *sc, const struct sig_hit *h, char *buf,
    size_t len)
{
	long long	 span = sc ? sc->burst_span_ms / 1000 : 2;

	switch (h->kind) {
	case SIG_RATIO404:
		snprintf(buf, len, "404 ratio %u%% (%u of the requests)",
		    h->count, h->extra);
		break;
	case SIG_BURST:
		snprintf(buf, len, "Burst %u/%llds", h->count, span);
		break;
	case SIG_DANGER:
		if (h->extra > 0 && h->count > 0)
			snprintf(buf, len, "Danger hits: %u high, %u medium",
			    h->extra, h->count);
		else if (h->extra > 0)
			snprintf(buf, len, "Danger high hits: %u", h->extra);
		else
			snprintf(buf, len, "Danger medium hits: %u", h->count);
		break;
	case SIG_REFERER:
		snprintf(buf, len, "Foreign referer");
		break;
	case SIG_PROBE302:
		snprintf(buf, len, "Probe 302->404 on %u path%s", h->count,
		    h->count == 1 ? "" : "s");
		break;
	case SIG_UACHANGE:
		snprintf(buf, len, "%u User-Agents", h->count);
		break;
	case SIG_BADUA:
		snprintf(buf, len, "Scanner User-Agent");
		break;
	case SIG_AUTHFAIL:
		snprintf(buf, len, "Authentication failures: %u", h->count);
		break;
	default:
		snprintf(buf, len, "unknown");
		break;
	}
}

void
sig_kinds_json(const uint16_t *kinds, char *buf, size_t len)
{
	size_t	 o = 1;
	int	 k;

	util_strlcpy(buf, "{", len);
	for (k = 0; k < SIG_NKINDS && o < len; k++)
		if (kinds[k] > 0)
			o += (size_t)snprintf(buf + o, len - o, "%s\"%s\":%u",
			    o > 1 ? "," : "", sig_names[k], kinds[k]);
	if (o < len)
		snprintf(buf + o, len - o, "}");
}
