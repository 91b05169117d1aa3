/*
 * Regex filters for auth logs. The syslog (or ISO 8601) prefix is taken
 * off by hand, then the message is matched against the failregex lines,
 * compiled once with PCRE2 and JIT-compiled where the system allows it.
 * Nothing is allocated per line: one match data block serves them all.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "rx.h"
#include "util.h"

/*
 * What <HOST> and <ADDR> become: an IPv6 address, bare or in brackets
 * (then perhaps with a port), or an IPv4 one. The pattern only finds
 * the extent; addr_parse_host decides whether it is an address.
 */
#define RX_V4		"(?:\\d{1,3}\\.){3}\\d{1,3}"
#define RX_V6		"(?:[0-9A-Fa-f]{0,4}:){2,7}" \
			    "(?:" RX_V4 "|[0-9A-Fa-f]{1,4})?"
#define RX_HOSTRE	"(?<host>\\[" RX_V6 "\\](?::\\d{1,5})?|" RX_V6 "|" \
			    RX_V4 ")"
#define RX_TOKLEN	6	/* strlen("<HOST>") == strlen("<ADDR>") */
#define RX_HOST_MAX	8	/* <HOST> groups in one pattern */

/* Bounds the backtracking an attacker's 64 KiB line can cause. */
#define RX_MATCH_LIMIT	1000000
#define RX_DEPTH_LIMIT	10000

/* How far after now a year-less date may lie (clock skew, zones). */
#define RX_FUTURE_SLACK	(36 * 3600)

/* A syslog tag longer than this is taken for part of the message. */
#define RX_TAG_MAX	64

enum rx_date {
	RX_DATE_SYSLOG,		/* traditional, RFC 3339 or RFC 5424 */
	RX_DATE_ISO8601,	/* an ISO 8601 date, then the message */
	RX_DATE_NONE		/* the whole line is the message */
};

enum rx_zone {
	RX_ZONE_LOCAL,
	RX_ZONE_FIXED		/* UTC is a fixed offset of 0 */
};

struct rx_re {
	char		*name;		/* the config key */
	pcre2_code	*code;
	uint32_t	 host[RX_HOST_MAX];	/* groups named host */
	size_t		 nhost;
	int		 jit;
};

struct rx {
	struct rx_re		*fail;
	size_t			 nfail;
	struct rx_re		*ign;
	size_t			 nign;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	enum rx_date		 date;
	enum rx_zone		 zone;
	int			 zoneoff;	/* seconds east of UTC */
	char			**idents;
	size_t			 nidents;
	int64_t			 now_ms;	/* 0: the wall clock */
	int64_t			 lt_bucket;	/* local offset cache */
	int			 lt_off;
	int			 lt_valid;
	int64_t			 yc_key;	/* year cache: date, now */
	int64_t			 yc_hour;
	int64_t			 yc_t;
	struct log_limit	 limit;
};

/* A line with its prefix taken off. */
struct rx_msg {
	int64_t		 time_ms;
	const char	*prog;
	size_t		 proglen;
	const char	*p;
	size_t		 len;
};

/* A date as the log wrote it. */
struct rx_tm {
	int	 year, mon, day, hour, min, sec, ms;
	int	 zoned;		/* an offset was written */
	int	 off;		/* seconds east of UTC */
};

static int	 rx_jit_noticed;

static void
rx_err(struct filter_err *err, const char *key, const char *msg)
{
	util_strlcpy(err->key, key, sizeof(err->key));
	util_strlcpy(err->msg, msg, sizeof(err->msg));
}

static int
rx_is_token(const char *p)
{
	return strncmp(p, "<HOST>", RX_TOKLEN) == 0 ||
	    strncmp(p, "<ADDR>", RX_TOKLEN) == 0;
}

/* Replaces <HOST> and <ADDR>; returns a new string or NULL. */
static char *
rx_expand(const char *pat)
{
	const char	*p;
	char		*out, *o;
	size_t		 n = 0, rlen = sizeof(RX_HOSTRE) - 1;

	for (p = pat; *p != '\0'; p++)
		if (*p == '<' && rx_is_token(p))
			n++;
	if ((out = malloc(strlen(pat) + n * rlen + 1)) == NULL)
		return NULL;
	for (p = pat, o = out; *p != '\0';) {
		if (*p == '<' && rx_is_token(p)) {
			memcpy(o, RX_HOSTRE, rlen);
			o += rlen;
			p += RX_TOKLEN;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* Maps an offset in the expanded pattern back to the one written. */
static size_t
rx_orig_offset(const char *pat, size_t off)
{
	size_t	 i = 0, e = 0, rlen = sizeof(RX_HOSTRE) - 1;

	while (pat[i] != '\0' && e < off) {
		if (pat[i] == '<' && rx_is_token(pat + i)) {
			if (off < e + rlen)
				return i;
			e += rlen;
			i += RX_TOKLEN;
		} else {
			e++;
			i++;
		}
	}
	return i;
}

static void
rx_jit(struct rx_re *re)
{
	PCRE2_UCHAR	 buf[128];
	int		 rc;

	if ((rc = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE)) == 0) {
		re->jit = 1;
		return;
	}
	if (!rx_jit_noticed) {
		pcre2_get_error_message(rc, buf, sizeof(buf));
		log_notice("rx: pcre2 jit unavailable (%s), using the "
		    "interpreter", (char *)buf);
		rx_jit_noticed = 1;
	}
}

/* Records the numbers of the groups named host. */
static int
rx_host_groups(struct rx_re *re)
{
	PCRE2_SPTR	 first, last, e;
	uint32_t	 esize;
	int		 rc;

	re->nhost = 0;
	rc = pcre2_substring_nametable_scan(re->code, (PCRE2_SPTR)"host",
	    &first, &last);
	if (rc < 0)
		return 0;
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	for (e = first; e <= last; e += esize) {
		if (re->nhost == RX_HOST_MAX)
			return -1;
		re->host[re->nhost++] = ((uint32_t)e[0] << 8) | e[1];
	}
	return 0;
}

static int
rx_compile(struct rx_re *re, const struct filter_rx *src, int need_host,
    uint32_t *maxcap, struct filter_err *err)
{
	PCRE2_UCHAR	 buf[160];
	PCRE2_SIZE	 eoff;
	char		*pat;
	uint32_t	 cap;
	int		 ecode;

	if ((re->name = strdup(src->name)) == NULL ||
	    (pat = rx_expand(src->pattern)) == NULL) {
		rx_err(err, src->name, "out of memory");
		return -1;
	}
	re->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_DUPNAMES | PCRE2_DOLLAR_ENDONLY, &ecode, &eoff, NULL);
	free(pat);
	if (re->code == NULL) {
		pcre2_get_error_message(ecode, buf, sizeof(buf));
		snprintf(err->msg, sizeof(err->msg), "%s at offset %zu",
		    (char *)buf, rx_orig_offset(src->pattern, eoff));
		util_strlcpy(err->key, src->name, sizeof(err->key));
		return -1;
	}
	if (rx_host_groups(re) == -1) {
		rx_err(err, src->name, "too many <HOST> groups");
		return -1;
	}
	if (need_host && re->nhost == 0) {
		rx_err(err, src->name, "no <HOST> in the pattern");
		return -1;
	}
	rx_jit(re);
	pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &cap);
	if (cap > *maxcap)
		*maxcap = cap;
	return 0;
}

static int
rx_compile_list(struct rx_re **out, size_t *nout, const struct filter_rx *v,
    size_t n, int need_host, uint32_t *maxcap, struct filter_err *err)
{
	size_t	 i;

	if (n == 0)
		return 0;
	if ((*out = calloc(n, sizeof(**out))) == NULL) {
		rx_err(err, need_host ? "failregex" : "ignoreregex",
		    "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		(*nout)++;
		if (rx_compile(&(*out)[i], &v[i], need_host, maxcap, err) == -1)
			return -1;
	}
	return 0;
}

/* The conf module gives "" for a key not written: the defaults. */
static int
rx_conf_date(struct rx *r, const struct filter_conf *fc,
    struct filter_err *err)
{
	const char	*d = fc->datepattern;

	if (d == NULL || *d == '\0' || strcmp(d, "syslog") == 0)
		r->date = RX_DATE_SYSLOG;
	else if (strcmp(d, "iso8601") == 0)
		r->date = RX_DATE_ISO8601;
	else if (strcmp(d, "none") == 0)
		r->date = RX_DATE_NONE;
	else {
		rx_err(err, "datepattern", "not syslog, iso8601 or none");
		return -1;
	}
	return 0;
}

/* Parses +HHMM, -HHMM, +HH:MM or +HH into seconds east of UTC. */
static int
rx_parse_offset(const char *s, size_t len, int *off)
{
	long long	 h, m = 0;
	int		 rc = 0;

	if (len < 3 || (s[0] != '+' && s[0] != '-') ||
	    util_parse_intn(s + 1, 2, 0, 23, &h) == -1)
		return -1;
	if (len == 6 && s[3] == ':')
		rc = util_parse_intn(s + 4, 2, 0, 59, &m);
	else if (len == 5)
		rc = util_parse_intn(s + 3, 2, 0, 59, &m);
	else if (len != 3)
		rc = -1;
	if (rc == -1)
		return -1;
	*off = (int)(h * 3600 + m * 60);
	if (s[0] == '-')
		*off = -*off;
	return 0;
}

static int
rx_conf_zone(struct rx *r, const struct filter_conf *fc,
    struct filter_err *err)
{
	const char	*z = fc->logtimezone;

	r->zone = RX_ZONE_FIXED;
	r->zoneoff = 0;
	if (z == NULL || *z == '\0' || strcasecmp(z, "local") == 0)
		r->zone = RX_ZONE_LOCAL;
	else if (strcasecmp(z, "UTC") == 0 || strcasecmp(z, "GMT") == 0 ||
	    strcmp(z, "Z") == 0)
		r->zoneoff = 0;
	else if (rx_parse_offset(z, strlen(z), &r->zoneoff) == -1) {
		rx_err(err, "logtimezone", "not UTC, local or +HHMM");
		return -1;
	}
	return 0;
}

static int
rx_conf_idents(struct rx *r, const struct filter_conf *fc,
    struct filter_err *err)
{
	if (fc->idents == NULL)
		return 0;
	if ((r->idents = util_split(fc->idents, &r->nidents)) == NULL) {
		rx_err(err, "idents", "out of memory");
		return -1;
	}
	if (r->nidents > 0 && r->date != RX_DATE_SYSLOG) {
		rx_err(err, "idents", "needs datepattern = syslog");
		return -1;
	}
	return 0;
}

static int
rx_conf_match(struct rx *r, uint32_t maxcap, struct filter_err *err)
{
	if ((r->md = pcre2_match_data_create(maxcap + 1, NULL)) == NULL ||
	    (r->mctx = pcre2_match_context_create(NULL)) == NULL) {
		rx_err(err, "failregex", "out of memory");
		return -1;
	}
	pcre2_set_match_limit(r->mctx, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, RX_DEPTH_LIMIT);
	return 0;
}

struct rx *
rx_new(const struct filter_conf *fc, struct filter_err *err)
{
	struct rx	*r;
	uint32_t	 maxcap = 0;

	memset(err, 0, sizeof(*err));
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rx_err(err, "failregex", "out of memory");
		return NULL;
	}
	if (rx_conf_date(r, fc, err) == -1 || rx_conf_zone(r, fc, err) == -1 ||
	    rx_conf_idents(r, fc, err) == -1)
		goto fail;
	if (fc->nfailregex == 0) {
		rx_err(err, "failregex", "no failregex lines");
		goto fail;
	}
	if (rx_compile_list(&r->fail, &r->nfail, fc->failregex,
	    fc->nfailregex, 1, &maxcap, err) == -1 ||
	    rx_compile_list(&r->ign, &r->nign, fc->ignoreregex,
	    fc->nignoreregex, 0, &maxcap, err) == -1 ||
	    rx_conf_match(r, maxcap, err) == -1)
		goto fail;
	return r;
fail:
	rx_free(r);
	return NULL;
}

static void
rx_free_list(struct rx_re *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		pcre2_code_free(v[i].code);
	}
	free(v);
}

void
rx_free(struct rx *r)
{
	if (r == NULL)
		return;
	rx_free_list(r->fail, r->nfail);
	rx_free_list(r->ign, r->nign);
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	util_freev(r->idents);
	free(r);
}

void
rx_set_now(struct rx *r, int64_t now_ms)
{
	r->now_ms = now_ms;
	r->yc_key = 0;
}

/* Dates and times. */

static int
rx_num(const char *p, const char *end, int n, int *out)
{
	int	 i, v = 0;

	if (end - p < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static int
rx_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
rx_mdays(int y, int m)
{
	static const int	 d[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && rx_leap(y) ? 29 : d[m - 1];
}

/* Checks a date; year 0 stands for an unknown year (Feb 29 allowed). */
static int
rx_tm_valid(const struct rx_tm *tm)
{
	if (tm->mon < 1 || tm->mon > 12 || tm->day < 1 || tm->hour > 23 ||
	    tm->min > 59 || tm->sec > 60)
		return 0;
	if (tm->year == 0)
		return tm->day <= (tm->mon == 2 ? 29 : rx_mdays(2001, tm->mon));
	return tm->day <= rx_mdays(tm->year, tm->mon);
}

/* Parses hh:mm:ss. */
static const char *
rx_parse_clock(const char *p, const char *end, struct rx_tm *tm)
{
	if (rx_num(p, end, 2, &tm->hour) == -1 || end - p < 8 ||
	    p[2] != ':' || rx_num(p + 3, end, 2, &tm->min) == -1 ||
	    p[5] != ':' || rx_num(p + 6, end, 2, &tm->sec) == -1)
		return NULL;
	return p + 8;
}

/* Parses a fraction of a second (milliseconds kept) and a zone. */
static const char *
rx_parse_fraczone(const char *p, const char *end, struct rx_tm *tm)
{
	const char	*z;
	int		 i, d;

	tm->ms = 0;
	if (p < end && (*p == '.' || *p == ',')) {
		for (p++, i = 0; p < end && *p >= '0' && *p <= '9'; p++, i++)
			if (i < 3)
				tm->ms = tm->ms * 10 + (*p - '0');
		if (i == 0)
			return NULL;
		for (d = i; d < 3; d++)
			tm->ms *= 10;
	}
	tm->zoned = 0;
	tm->off = 0;
	if (p < end && *p == 'Z') {
		tm->zoned = 1;
		return p + 1;
	}
	if (p < end && (*p == '+' || *p == '-')) {
		for (z = p + 1; z < end && z - p < 6 &&
		    ((*z >= '0' && *z <= '9') || *z == ':'); z++)
			;
		if (rx_parse_offset(p, (size_t)(z - p), &tm->off) == -1)
			return NULL;
		tm->zoned = 1;
		return z;
	}
	return p;
}

/* Parses YYYY-MM-DD[T ]hh:mm:ss[.frac][zone]. */
static const char *
rx_parse_iso(const char *p, const char *end, struct rx_tm *tm)
{
	if (rx_num(p, end, 4, &tm->year) == -1 || end - p < 11 ||
	    p[4] != '-' || rx_num(p + 5, end, 2, &tm->mon) == -1 ||
	    p[7] != '-' || rx_num(p + 8, end, 2, &tm->day) == -1 ||
	    (p[10] != 'T' && p[10] != ' ') || tm->year < 1970)
		return NULL;
	if ((p = rx_parse_clock(p + 11, end, tm)) == NULL ||
	    (p = rx_parse_fraczone(p, end, tm)) == NULL || !rx_tm_valid(tm))
		return NULL;
	return p;
}

/* Parses "Mmm dd hh:mm:ss" (the day padded with a space or a zero). */
static const char *
rx_parse_trad(const char *p, const char *end, struct rx_tm *tm)
{
	if (end - p < 15 || (tm->mon = util_month(p)) == 0 || p[3] != ' ')
		return NULL;
	p += 4;
	if (*p == ' ')
		p++;
	if (rx_num(p, end, 2, &tm->day) == -1 &&
	    rx_num(p, end, 1, &tm->day) == -1)
		return NULL;
	p += tm->day >= 10 || *p == '0' ? 2 : 1;
	if (p >= end || *p++ != ' ' || (p = rx_parse_clock(p, end, tm)) == NULL)
		return NULL;
	tm->year = 0;
	tm->ms = 0;
	tm->zoned = 0;
	tm->off = 0;
	return rx_tm_valid(tm) ? p : NULL;
}

/* The offset of the local zone at a local wall time. */
static int
rx_local_off(struct rx *r, int64_t wall)
{
	struct tm	 lt;
	time_t		 t;
	int64_t		 bucket = wall / 900;
	int		 off;

	/* Zone changes fall on quarter hours of wall time. */
	if (r->lt_valid && r->lt_bucket == bucket)
		return r->lt_off;
	t = (time_t)wall;
	if (localtime_r(&t, &lt) == NULL)
		return 0;
	off = (int)lt.tm_gmtoff;
	t = (time_t)(wall - off);
	if (localtime_r(&t, &lt) == NULL)
		return 0;
	r->lt_off = (int)lt.tm_gmtoff;
	r->lt_bucket = bucket;
	r->lt_valid = 1;
	return r->lt_off;
}

static int
rx_zone_off(struct rx *r, int64_t wall)
{
	return r->zone == RX_ZONE_LOCAL ? rx_local_off(r, wall) : r->zoneoff;
}

static int64_t
rx_wall(int y, const struct rx_tm *tm)
{
	return util_timegm(y, tm->mon, tm->day, tm->hour, tm->min, tm->sec);
}

/*
 * The year of a year-less date: of the nearby years, the one that puts
 * the date latest without lying more than RX_FUTURE_SLACK after now.
 * So a December line read in January is last year's, and a line of
 * 1 January 00:00:01 read at 31 December 23:59 is next year's (two
 * minutes ahead: clock skew), not one of a year ago.
 */
static int
rx_year_infer(struct rx *r, const struct rx_tm *tm, int64_t now,
    int64_t *out)
{
	int64_t	 t, best = 0;
	int	 y, y0, off, found = 0;

	y0 = 1970 + (int)(now / 31556952);
	off = rx_zone_off(r, rx_wall(y0, tm));
	for (y = y0 - 2; y <= y0 + 1; y++) {
		if (tm->day > rx_mdays(y, tm->mon))
			continue;
		t = rx_wall(y, tm) - off;
		if (t > now + RX_FUTURE_SLACK || (found && t <= best))
			continue;
		best = t;
		found = y;
	}
	if (!found)
		return -1;
	if (found != y0 && r->zone == RX_ZONE_LOCAL)
		best = rx_wall(found, tm) - rx_local_off(r, rx_wall(found, tm));
	*out = best;
	return 0;
}

/*
 * Lines come in order, so the hour of the last one is kept: the same
 * date and hour, read within the same hour of now, is the same time.
 */
static int
rx_year(struct rx *r, const struct rx_tm *tm, int64_t *out)
{
	struct rx_tm	 h = *tm;
	int64_t		 now, key;

	now = (r->now_ms != 0 ? r->now_ms : util_now_ms()) / 1000;
	key = ((int64_t)tm->mon * 32 + tm->day) * 24 + tm->hour;
	if (key != r->yc_key || now / 3600 != r->yc_hour) {
		h.min = 0;
		h.sec = 0;
		if (rx_year_infer(r, &h, now, &r->yc_t) == -1)
			return -1;
		r->yc_key = key;
		r->yc_hour = now / 3600;
	}
	*out = r->yc_t + tm->min * 60 + tm->sec;
	return 0;
}

static int
rx_time(struct rx *r, const struct rx_tm *tm, int64_t *ms)
{
	int64_t	 t;

	if (tm->year == 0) {
		if (rx_year(r, tm, &t) == -1)
			return -1;
	} else {
		t = rx_wall(tm->year, tm);
		t -= tm->zoned ? tm->off : rx_zone_off(r, t);
	}
	*ms = t * 1000 + tm->ms;
	return 0;
}

/* Prefixes. */

static const char *
rx_space(const char *p, const char *end)
{
	return memchr(p, ' ', (size_t)(end - p));
}

/* Takes "prog[pid]: " or "prog: " off p; sets m->prog, m->p. */
static void
rx_tag(const char *p, const char *end, struct rx_msg *m)
{
	const char	*q;

	m->prog = p;
	m->proglen = 0;
	for (q = p; q < end && q - p < RX_TAG_MAX && *q != '[' &&
	    *q != ':' && *q != ' '; q++)
		;
	if (q < end && *q == '[') {
		const char	*b = q;

		while (b < end && b - q < 24 && *b != ']')
			b++;
		if (b + 1 < end && *b == ']' && b[1] == ':') {
			m->proglen = (size_t)(q - p);
			p = b + 2;
		}
	} else if (q < end && *q == ':' && q > p) {
		m->proglen = (size_t)(q - p);
		p = q + 1;
	}
	if (m->proglen > 0 && p < end && *p == ' ')
		p++;
	m->p = p;
	m->len = (size_t)(end - p);
}

/* After a traditional or RFC 3339 date: " host prog[pid]: msg". */
static int
rx_host_tag(const char *p, const char *end, struct rx_msg *m)
{
	const char	*h;

	if (p >= end || *p != ' ')
		return -1;
	p++;
	if (p >= end || *p == ' ' || (h = rx_space(p, end)) == NULL)
		return -1;
	/* No host: the first word is already the tag. */
	if (h[-1] == ':') {
		rx_tag(p, end, m);
		return 0;
	}
	rx_tag(h + 1, end, m);
	return 0;
}

/* Skips RFC 5424 structured data: "-" or one or more [id k="v"]. */
static const char *
rx_skip_sd(const char *p, const char *end)
{
	int	 quoted = 0;

	if (p < end && *p == '-')
		return p + 1;
	if (p >= end || *p != '[')
		return NULL;
	for (; p < end; p++) {
		if (quoted && *p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ']' && (p + 1 == end || p[1] != '['))
			return p + 1;
	}
	return NULL;
}

/* "1 TIMESTAMP HOST APP PROCID MSGID SD MSG" after "<PRI>". */
static int
rx_prefix_5424(struct rx *r, const char *p, const char *end,
    struct rx_msg *m)
{
	struct rx_tm	 tm;
	const char	*w[4];
	int		 i;

	p += 2;
	if (p < end && *p == '-')
		p++;
	else if ((p = rx_parse_iso(p, end, &tm)) == NULL || !tm.zoned ||
	    rx_time(r, &tm, &m->time_ms) == -1)
		return -1;
	for (i = 0; i < 4; i++) {
		if (p >= end || *p != ' ' || ++p >= end ||
		    (w[i] = rx_space(p, end)) == NULL || w[i] == p)
			return -1;
		if (i == 1 && !(w[i] - p == 1 && *p == '-')) {
			m->prog = p;
			m->proglen = (size_t)(w[i] - p);
		}
		p = w[i];
	}
	if (*p++ != ' ' || (p = rx_skip_sd(p, end)) == NULL)
		return -1;
	if (p < end && *p++ != ' ')
		return -1;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && *p == ' ')
		p++;
	m->p = p;
	m->len = (size_t)(end - p);
	return 0;
}

static int
rx_prefix_syslog(struct rx *r, const char *p, const char *end,
    struct rx_msg *m)
{
	struct rx_tm	 tm;
	const char	*q;
	int		 pri;

	if (p < end && *p == '<') {
		for (q = p + 1, pri = 0; q < end && q - p <= 3 &&
		    *q >= '0' && *q <= '9'; q++)
			pri = pri * 10 + (*q - '0');
		if (q == p + 1 || q >= end || *q != '>' || pri > 191)
			return -1;
		p = q + 1;
		if (end - p >= 2 && p[0] == '1' && p[1] == ' ')
			return rx_prefix_5424(r, p, end, m);
	}
	if (p < end && *p >= '0' && *p <= '9')
		q = rx_parse_iso(p, end, &tm);
	else
		q = rx_parse_trad(p, end, &tm);
	if (q == NULL || rx_time(r, &tm, &m->time_ms) == -1)
		return -1;
	return rx_host_tag(q, end, m);
}

static int
rx_prefix_iso(struct rx *r, const char *p, const char *end,
    struct rx_msg *m)
{
	struct rx_tm	 tm;
	int		 bracket = 0;

	if (p < end && *p == '[') {
		bracket = 1;
		p++;
	}
	if ((p = rx_parse_iso(p, end, &tm)) == NULL ||
	    rx_time(r, &tm, &m->time_ms) == -1)
		return -1;
	if (bracket && (p >= end || *p++ != ']'))
		return -1;
	if (p < end && *p != ' ')
		return -1;
	while (p < end && *p == ' ')
		p++;
	m->p = p;
	m->len = (size_t)(end - p);
	return 0;
}

static int
rx_prefix(struct rx *r, const char *line, size_t len, struct rx_msg *m)
{
	memset(m, 0, sizeof(*m));
	switch (r->date) {
	case RX_DATE_SYSLOG:
		return rx_prefix_syslog(r, line, line + len, m);
	case RX_DATE_ISO8601:
		return rx_prefix_iso(r, line, line + len, m);
	case RX_DATE_NONE:
		break;
	}
	m->p = line;
	m->len = len;
	return 0;
}

/* Matching. */

static int
rx_ident_ok(const struct rx *r, const struct rx_msg *m)
{
	size_t	 i;

	if (r->nidents == 0)
		return 1;
	for (i = 0; i < r->nidents; i++)
		if (strlen(r->idents[i]) == m->proglen &&
		    memcmp(r->idents[i], m->prog, m->proglen) == 0)
			return 1;
	return 0;
}

/* Returns 1 on a match, 0 on none (errors, such as limits, count as none). */
static int
rx_match(struct rx *r, const struct rx_re *re, const struct rx_msg *m)
{
	unsigned long	 held;
	int		 rc;

	/* The JIT entry skips pcre2_match's checks of the arguments. */
	if (re->jit)
		rc = pcre2_jit_match(re->code, (PCRE2_SPTR)m->p, m->len, 0, 0,
		    r->md, r->mctx);
	else
		rc = pcre2_match(re->code, (PCRE2_SPTR)m->p, m->len, 0, 0,
		    r->md, r->mctx);
	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH && log_limit_pass(&r->limit, 60, &held))
		log_warnx("rx: %s: match error %d (%lu more held back)",
		    re->name, rc, held);
	return 0;
}

/* The address in the first set host group of the last match. */
static int
rx_match_addr(struct rx *r, const struct rx_re *re, const struct rx_msg *m,
    struct addr *a)
{
	PCRE2_SIZE	*ov = pcre2_get_ovector_pointer(r->md);
	uint32_t	 n = pcre2_get_ovector_count(r->md);
	size_t		 i;
	uint32_t	 g;

	for (i = 0; i < re->nhost; i++) {
		g = re->host[i];
		if (g >= n || ov[2 * g] == PCRE2_UNSET)
			continue;
		return addr_parse_host(a, m->p + ov[2 * g],
		    ov[2 * g + 1] - ov[2 * g]);
	}
	return -1;
}

static int
rx_ignored(struct rx *r, const struct rx_msg *m)
{
	size_t	 i;

	for (i = 0; i < r->nign; i++)
		if (rx_match(r, &r->ign[i], m))
			return 1;
	return 0;
}

enum filter_result
rx_parse(struct rx *r, const char *line, size_t len, struct event *ev)
{
	struct rx_msg	 m;
	size_t		 i;

	memset(ev, 0, sizeof(*ev));
	if (len > EVENT_LINE_MAX || rx_prefix(r, line, len, &m) == -1)
		return FILTER_BAD;
	if (!rx_ident_ok(r, &m))
		return FILTER_SKIP;
	for (i = 0; i < r->nfail; i++) {
		if (!rx_match(r, &r->fail[i], &m) ||
		    rx_match_addr(r, &r->fail[i], &m, &ev->addr) == -1)
			continue;
		if (rx_ignored(r, &m))
			break;
		ev->time_ms = m.time_ms;
		ev->flags |= EVENT_FAILREGEX;
		return FILTER_OK;
	}
	memset(&ev->addr, 0, sizeof(ev->addr));
	return FILTER_SKIP;
}
