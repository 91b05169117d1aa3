/*
 * Access-log parsers. A text format (combined, common, vhost_combined or
 * an nginx log_format string) is compiled once into literal and field
 * steps; a line is then cut by walking the steps, each field ending where
 * the next literal begins. JSON logs go through json-c with a field map,
 * HAProxy httplog lines through a small fixed-layout reader.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "access.h"
#include "util.h"

#define ACCESS_MAXSTEPS	64
#define ACCESS_TIMELEN	48	/* longest time string the cache keeps */
#define ACCESS_JALT	4	/* alternates per JSON field */
#define ACCESS_JDEPTH	8	/* dotted path segments */

enum access_kind {
	ACCESS_STEPS,
	ACCESS_JSON,
	ACCESS_HAPROXY
};

enum access_esc {
	ESC_AUTO,	/* nginx \xHH and Apache \" \\ \n \xhh */
	ESC_JSON,
	ESC_NONE
};

enum access_var {
	VAR_LIT,
	VAR_SKIP,
	VAR_ADDR,
	VAR_USER,
	VAR_TIME_LOCAL,
	VAR_TIME_ISO,
	VAR_MSEC,
	VAR_REQUEST,
	VAR_METHOD,
	VAR_URI,
	VAR_STATUS,
	VAR_REFERER,
	VAR_UA,
	VAR_HOST,
	VAR_XFF
};

static const struct {
	const char	*name;
	enum access_var	 var;
} access_vars[] = {
	{ "remote_addr",		VAR_ADDR },
	{ "remote_user",		VAR_USER },
	{ "time_local",			VAR_TIME_LOCAL },
	{ "time_iso8601",		VAR_TIME_ISO },
	{ "msec",			VAR_MSEC },
	{ "request",			VAR_REQUEST },
	{ "request_method",		VAR_METHOD },
	{ "request_uri",		VAR_URI },
	{ "status",			VAR_STATUS },
	{ "http_referer",		VAR_REFERER },
	{ "http_user_agent",		VAR_UA },
	{ "host",			VAR_HOST },
	{ "http_x_forwarded_for",	VAR_XFF },
};

/* The built-in formats, written as the log_format strings they equal. */
static const struct {
	const char	*name;
	const char	*format;
} access_builtin[] = {
	{ "combined", "$remote_addr - $remote_user [$time_local] "
	    "\"$request\" $status $body_bytes_sent \"$http_referer\" "
	    "\"$http_user_agent\"" },
	{ "common", "$remote_addr - $remote_user [$time_local] "
	    "\"$request\" $status $body_bytes_sent" },
	{ "vhost_combined", "$host:$server_port $remote_addr - $remote_user "
	    "[$time_local] \"$request\" $status $body_bytes_sent "
	    "\"$http_referer\" \"$http_user_agent\"" },
};

struct step {
	enum access_var	 var;
	char		*lit;		/* VAR_LIT only */
	size_t		 litlen;
};

struct jpath {
	char		*seg[ACCESS_JDEPTH];
	size_t		 nseg;
};

struct jfield {
	struct jpath	 alt[ACCESS_JALT];
	size_t		 nalt;
};

enum jfield_id {
	JF_TIME, JF_ADDR, JF_METHOD, JF_URI, JF_STATUS, JF_REFERER, JF_UA,
	JF_HOST, JF_MAX
};

enum jtime_format {
	JT_AUTO, JT_EPOCH, JT_EPOCH_MS, JT_RFC3339
};

/* The last time string parsed and its value. */
struct tcache {
	char		 s[ACCESS_TIMELEN];
	size_t		 len;
	int64_t		 ms;
};

struct access {
	enum access_kind	 kind;
	enum access_esc		 esc;
	struct step		 steps[ACCESS_MAXSTEPS];
	size_t			 nsteps;
	int			 logs_host;
	int			 tzoff;		/* seconds east of UTC */
	struct jfield		 jf[JF_MAX];
	enum jtime_format	 jtime;
	struct json_tokener	*tok;
	struct tcache		 tc_local, tc_iso, tc_hap;
	char			*buf;		/* decoded fields */
	size_t			 bufpos;
	int			 combined;	/* the built-in combined */
};

static void
access_err(struct filter_err *err, const char *key, const char *msg)
{
	util_strlcpy(err->key, key, sizeof(err->key));
	util_strlcpy(err->msg, msg, sizeof(err->msg));
}

/* Time. */

static int
num2(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int
num4(const char *s)
{
	int	 a = num2(s), b = num2(s + 2);

	return a < 0 || b < 0 ? -1 : a * 100 + b;
}

static int
civil_ok(int y, int mo, int d, int h, int mi, int s)
{
	return y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
	    h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

/* Parses +hhmm, +hh:mm, Z; returns seconds east, or TZ_BAD. */
#define TZ_BAD	(-(1 << 20))
static int
zone_parse(const char *s, size_t n)
{
	int	 h, m, sign;

	if (n == 1 && (s[0] == 'Z' || s[0] == 'z'))
		return 0;
	if ((n != 5 && n != 6) || (s[0] != '+' && s[0] != '-'))
		return TZ_BAD;
	sign = s[0] == '-' ? -1 : 1;
	h = num2(s + 1);
	if (n == 6 && s[3] != ':')
		return TZ_BAD;
	m = num2(s + (n == 6 ? 4 : 3));
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return TZ_BAD;
	return sign * (h * 3600 + m * 60);
}

/* 10/Oct/2000:13:55:36 +0700, or .mmm and no zone for HAProxy. */
static int
time_clf(const char *s, size_t n, int tzdef, int64_t *ms)
{
	int	 d, mo, y, h, mi, sec, off = tzdef, frac = 0;

	if (n < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' ||
	    s[14] != ':' || s[17] != ':')
		return -1;
	d = num2(s);
	mo = util_month(s + 3);
	y = num4(s + 7);
	h = num2(s + 12);
	mi = num2(s + 15);
	sec = num2(s + 18);
	if (!civil_ok(y, mo, d, h, mi, sec))
		return -1;
	s += 20;
	n -= 20;
	if (n == 4 && s[0] == '.' && num2(s + 1) >= 0 &&
	    isdigit((unsigned char)s[3]))
		frac = num2(s + 1) * 10 + (s[3] - '0');
	else if (n == 6 && s[0] == ' ')
		off = zone_parse(s + 1, 5);
	else if (n != 0)
		return -1;
	if (off == TZ_BAD)
		return -1;
	*ms = (util_timegm(y, mo, d, h, mi, sec) - off) * 1000 + frac;
	return 0;
}

/* 2026-12-03T13:33:50[.frac][ ](Z|+hh:mm|+hhmm|nothing). */
static int
time_iso(const char *s, size_t n, int tzdef, int64_t *ms)
{
	int	 y, mo, d, h, mi, sec, off = tzdef, frac = 0, scale = 100;
	size_t	 i = 19;

	if (n < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	y = num4(s);
	mo = num2(s + 5);
	d = num2(s + 8);
	h = num2(s + 11);
	mi = num2(s + 14);
	sec = num2(s + 17);
	if (!civil_ok(y, mo, d, h, mi, sec))
		return -1;
	if (i < n && (s[i] == '.' || s[i] == ',')) {
		for (i++; i < n && isdigit((unsigned char)s[i]); i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i < n && s[i] == ' ')
		i++;
	if (i < n)
		off = zone_parse(s + i, n - i);
	if (off == TZ_BAD)
		return -1;
	*ms = (util_timegm(y, mo, d, h, mi, sec) - off) * 1000 + frac;
	return 0;
}

/* Seconds with an optional fraction: 1717041691.123. */
static int
time_epoch(const char *s, size_t n, int64_t *ms)
{
	const char	*dot = memchr(s, '.', n);
	long long	 sec, frac = 0;
	size_t		 fl, i;

	if (util_parse_intn(s, dot ? (size_t)(dot - s) : n, 0,
	    100000000000LL, &sec) == -1)
		return -1;
	if (dot != NULL) {
		fl = n - (size_t)(dot - s) - 1;
		for (i = 0; i < 3; i++) {
			int	 c = i < fl ? dot[1 + i] : '0';

			if (!isdigit(c))
				return -1;
			frac = frac * 10 + (c - '0');
		}
		for (; i < fl; i++)
			if (!isdigit((unsigned char)dot[1 + i]))
				return -1;
	}
	*ms = sec * 1000 + frac;
	return 0;
}

/* $time_local always carries its zone; HAProxy's date never does. */
static int
time_local(const char *s, size_t n, int tzdef, int64_t *ms)
{
	return n == 26 ? time_clf(s, n, tzdef, ms) : -1;
}

static int
time_hap(const char *s, size_t n, int tzdef, int64_t *ms)
{
	return n == 24 ? time_clf(s, n, tzdef, ms) : -1;
}

/* Parses through the cache: consecutive lines mostly share the time. */
static int
time_cached(struct tcache *c, int (*fn)(const char *, size_t, int,
    int64_t *), const char *s, size_t n, int tzdef, int64_t *ms)
{
	if (n == c->len && memcmp(s, c->s, n) == 0) {
		*ms = c->ms;
		return 0;
	}
	if (fn(s, n, tzdef, ms) == -1)
		return -1;
	if (n <= sizeof(c->s)) {
		memcpy(c->s, s, n);
		c->len = n;
		c->ms = *ms;
	}
	return 0;
}

/* The logtimezone key: UTC, GMT, Z, +0200, -05:00. */
static int
tz_setting(const char *s, int *off)
{
	if (s == NULL || *s == '\0' || strcasecmp(s, "UTC") == 0 ||
	    strcasecmp(s, "GMT") == 0) {
		*off = 0;
		return 0;
	}
	*off = zone_parse(s, strlen(s));
	return *off == TZ_BAD ? -1 : 0;
}

/* Decoding into the per-parse buffer. */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t
dec_auto(char *d, const char *s, size_t n)
{
	static const char	 cesc[] = "n\nt\tr\rb\bf\fv\va\a\"\"\\\\";
	size_t			 i, o = 0;
	const char		*c;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			d[o++] = s[i];
			continue;
		}
		if (s[i + 1] == 'x' && i + 3 < n && hexval(s[i + 2]) >= 0 &&
		    hexval(s[i + 3]) >= 0) {
			d[o++] = (char)(hexval(s[i + 2]) * 16 +
			    hexval(s[i + 3]));
			i += 3;
		} else if ((c = memchr(cesc, s[i + 1], sizeof(cesc) - 1)) &&
		    (c - cesc) % 2 == 0) {
			d[o++] = c[1];
			i++;
		} else
			d[o++] = s[i];
	}
	return o;
}

static size_t
utf8_put(char *d, unsigned long cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static long
hex4(const char *s)
{
	long	 v = 0;
	int	 i;

	for (i = 0; i < 4; i++) {
		if (hexval(s[i]) < 0)
			return -1;
		v = v * 16 + hexval(s[i]);
	}
	return v;
}

/* \uXXXX with a following low surrogate when cp is a high one. */
static size_t
dec_json_u(char *d, const char *s, size_t n, size_t *i)
{
	long	 cp = hex4(s + *i + 2), lo;

	if (cp < 0)
		return 0;
	*i += 5;
	if (cp >= 0xd800 && cp < 0xdc00 && *i + 6 < n && s[*i + 1] == '\\' &&
	    s[*i + 2] == 'u' && (lo = hex4(s + *i + 3)) >= 0xdc00 &&
	    lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		*i += 6;
	} else if (cp >= 0xd800 && cp < 0xe000)
		cp = 0xfffd;
	return utf8_put(d, (unsigned long)cp);
}

static size_t
dec_json(char *d, const char *s, size_t n)
{
	static const char	 jesc[] = "n\nt\tr\rb\bf\f\"\"\\\\//";
	size_t			 i, o = 0, k;
	const char		*c;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			d[o++] = s[i];
			continue;
		}
		if (s[i + 1] == 'u' && i + 5 < n &&
		    (k = dec_json_u(d + o, s, n, &i)) > 0)
			o += k;
		else if ((c = memchr(jesc, s[i + 1], sizeof(jesc) - 1)) &&
		    (c - jesc) % 2 == 0) {
			d[o++] = c[1];
			i++;
		} else
			d[o++] = s[i];
	}
	return o;
}

/* HAProxy writes #HH for quotes, '#', braces, '|' and control bytes. */
static size_t
dec_hash(char *d, const char *s, size_t n)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '#' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			d[o++] = (char)(hexval(s[i + 1]) * 16 +
			    hexval(s[i + 2]));
			i += 2;
		} else
			d[o++] = s[i];
	}
	return o;
}

/*
 * Decodes s into the buffer and points sp at the result; every decoder
 * writes no more than it reads, and fields do not overlap, so a line of
 * EVENT_LINE_MAX always fits.
 */
static int
field_put(struct access *a, struct span *sp, const char *s, size_t n,
    size_t (*dec)(char *, const char *, size_t))
{
	char	*d;

	if (n > EVENT_LINE_MAX - a->bufpos)
		return -1;
	d = a->buf + a->bufpos;
	if (dec == NULL || memchr(s, dec == dec_hash ? '#' : '\\', n) == NULL) {
		memcpy(d, s, n);
	} else
		n = dec(d, s, n);
	a->bufpos += n;
	sp->p = d;
	sp->len = n;
	return 0;
}

static size_t
(*access_decoder(const struct access *a))(char *, const char *, size_t)
{
	switch (a->esc) {
	case ESC_JSON:
		return dec_json;
	case ESC_NONE:
		return NULL;
	default:
		return dec_auto;
	}
}

/* "-" and empty mean "not sent". */
static void
span_dash(struct span *sp)
{
	if (sp->len == 1 && sp->p[0] == '-')
		sp->len = 0;
}

/*
 * METHOD SP TARGET [SP HTTP/x]; anything else (TLS bytes, "-", a bare
 * word) leaves method and path empty. The target may hold spaces when
 * the server logged them raw.
 */
static void
request_split(const struct span *req, struct event *ev)
{
	const char	*p = req->p, *sp;
	size_t		 n = req->len, i, t, end;

	for (i = 0; i < n && i < 32; i++)
		if (!isalpha((unsigned char)p[i]) && p[i] != '-' &&
		    p[i] != '_')
			break;
	if (i == 0 || i + 1 >= n || p[i] != ' ' || p[i + 1] == ' ')
		return;
	t = i + 1;
	end = n;
	if ((sp = memrchr(p + t, ' ', n - t)) != NULL &&
	    n - (size_t)(sp - p) > 5 && memcmp(sp + 1, "HTTP/", 5) == 0)
		end = (size_t)(sp - p);
	while (end > t && p[end - 1] == ' ')
		end--;
	if (end == t)
		return;
	ev->method.p = p;
	ev->method.len = i;
	ev->path.p = p + t;
	ev->path.len = end - t;
}

/* Text formats compiled into steps. */

static enum access_var
var_lookup(const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < UTIL_NELEM(access_vars); i++)
		if (strlen(access_vars[i].name) == n &&
		    memcmp(access_vars[i].name, name, n) == 0)
			return access_vars[i].var;
	return VAR_SKIP;
}

static int
step_add(struct access *a, enum access_var var, const char *lit,
    size_t n)
{
	struct step	*s;

	if (a->nsteps == ACCESS_MAXSTEPS)
		return -1;
	s = &a->steps[a->nsteps];
	s->var = var;
	if (var == VAR_LIT && (s->lit = strndup(lit, n)) == NULL)
		return -1;
	s->litlen = n;
	a->nsteps++;
	return 0;
}

/* Splits a log_format string into literal and $variable steps. */
static int
steps_compile(struct access *a, const char *f, struct filter_err *err)
{
	const char	*p = f, *name;
	size_t		 n;
	int		 prevvar = 0, haveaddr = 0;

	while (*p != '\0') {
		if (*p != '$') {
			n = strcspn(p, "$");
			if (step_add(a, VAR_LIT, p, n) == -1)
				goto toolong;
			p += n;
			prevvar = 0;
			continue;
		}
		name = ++p;
		if (*p == '{') {
			name = ++p;
			n = strcspn(p, "}");
			p += n + (p[n] == '}');
		} else {
			for (n = 0; isalnum((unsigned char)p[n]) || p[n] == '_';
			    n++)
				;
			p += n;
		}
		if (n == 0 || prevvar) {
			access_err(err, "format", n == 0 ? "a lone $" :
			    "two variables with nothing between them");
			return -1;
		}
		if (step_add(a, var_lookup(name, n), "", 0) == -1)
			goto toolong;
		if (a->steps[a->nsteps - 1].var == VAR_ADDR)
			haveaddr = 1;
		if (a->steps[a->nsteps - 1].var == VAR_HOST)
			a->logs_host = 1;
		prevvar = 1;
	}
	if (!haveaddr) {
		access_err(err, "format", "no $remote_addr in the format");
		return -1;
	}
	return 0;
toolong:
	access_err(err, "format", "too many fields");
	return -1;
}

/* The first '"' not escaped by an odd run of backslashes, or NULL. */
static const char *
raw_quote(const char *start, const char *end)
{
	const char	*p = start, *q;
	size_t		 bs;

	while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
		for (bs = 0; q - bs > start && q[-1 - (long)bs] == '\\'; bs++)
			;
		if (bs % 2 == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* The first occurrence of a literal; they are short, so no memmem. */
static const char *
lit_find(const char *p, const char *end, const struct step *l)
{
	while ((p = memchr(p, l->lit[0], (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) < l->litlen)
			return NULL;
		if (l->litlen == 1 || memcmp(p + 1, l->lit + 1,
		    l->litlen - 1) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Where the field at p ends: at its literal, by the format's rules. */
static const char *
field_end(const struct access *a, size_t i, const char *p,
    const char *end)
{
	const struct step	*l;
	const char		*q;

	if (i + 1 == a->nsteps)
		return end;
	l = &a->steps[i + 1];
	if (i + 2 == a->nsteps) {
		/* The last literal closes the line: anchor it there. */
		if ((size_t)(end - p) < l->litlen)
			return NULL;
		return end - l->litlen;
	}
	if (l->lit[0] == '"' && a->esc != ESC_NONE) {
		if ((q = raw_quote(p, end)) == NULL ||
		    (size_t)(end - q) < l->litlen ||
		    memcmp(q, l->lit, l->litlen) != 0)
			return NULL;
		return q;
	}
	return lit_find(p, end, l);
}

static int
field_time(struct access *a, enum access_var var, const char *p,
    size_t n, struct event *ev)
{
	int64_t	 ms;

	if (var == VAR_MSEC) {
		if (time_epoch(p, n, &ms) == -1)
			return -1;
		ev->time_ms = ms;
		return 0;
	}
	if (var == VAR_TIME_LOCAL) {
		if (time_cached(&a->tc_local, time_local, p, n, a->tzoff,
		    &ms) == -1)
			return -1;
	} else if (time_cached(&a->tc_iso, time_iso, p, n, a->tzoff,
	    &ms) == -1)
		return -1;
	/* $msec, when also logged, is the more precise. */
	if (ev->time_ms == 0)
		ev->time_ms = ms;
	return 0;
}

static int
field_set(struct access *a, enum access_var var, const char *p, size_t n,
    struct event *ev)
{
	size_t		(*dec)(char *, const char *, size_t);
	struct span	*sp, req;
	long long	 v;

	dec = access_decoder(a);
	switch (var) {
	case VAR_ADDR:
		return addr_parse_host(&ev->addr, p, n);
	case VAR_TIME_LOCAL:
	case VAR_TIME_ISO:
	case VAR_MSEC:
		return field_time(a, var, p, n, ev);
	case VAR_STATUS:
		if (util_parse_intn(p, n, 0, 999, &v) == -1)
			return -1;
		ev->status = (int)v;
		return 0;
	case VAR_REQUEST:
		if (field_put(a, &req, p, n, dec) == -1)
			return -1;
		request_split(&req, ev);
		return 0;
	case VAR_METHOD:
		return field_put(a, &ev->method, p, n, dec);
	case VAR_URI:
		return field_put(a, &ev->path, p, n, dec);
	case VAR_USER:
		sp = &ev->user;
		break;
	case VAR_REFERER:
		sp = &ev->referer;
		break;
	case VAR_UA:
		sp = &ev->ua;
		break;
	case VAR_HOST:
		sp = &ev->host;
		break;
	case VAR_XFF:
		sp = &ev->xff;
		break;
	default:
		return 0;
	}
	if (field_put(a, sp, p, n, dec) == -1)
		return -1;
	span_dash(sp);
	return 0;
}

static int	 steps_run(struct access *, size_t, const char *,
		    const char *, struct event *);

/*
 * $remote_user may hold spaces, '[' and ']' but, escaped, no raw '"'.
 * Its end is tried at each place its literal occurs before the first
 * raw quote, the last first: the real one follows whatever the user
 * wrote, and a '[' in a later field such as $host fails the time.
 */
static int
user_run(struct access *a, size_t i, const char *p, const char *end,
    struct event *ev)
{
	const struct step	*l = &a->steps[i + 1];
	const char		*bound, *x;
	struct event		 save = *ev;
	size_t			 pos = a->bufpos;

	if ((bound = raw_quote(p, end)) == NULL)
		bound = end;
	if ((size_t)(end - p) < l->litlen)
		return -1;
	x = (size_t)(end - bound) < l->litlen ? end - l->litlen : bound;
	while ((x = memrchr(p, l->lit[0], (size_t)(x - p) + 1)) != NULL) {
		if (memcmp(x, l->lit, l->litlen) == 0) {
			if (field_set(a, VAR_USER, p, (size_t)(x - p),
			    ev) == 0 && steps_run(a, i + 1, x, end, ev) == 0)
				return 0;
			*ev = save;
			a->bufpos = pos;
		}
		if (x == p)
			break;
		x--;
	}
	return -1;
}

static int
steps_run(struct access *a, size_t i, const char *p, const char *end,
    struct event *ev)
{
	const struct step	*s;
	const char		*e;

	for (; i < a->nsteps; i++) {
		s = &a->steps[i];
		if (s->var == VAR_LIT) {
			if ((size_t)(end - p) < s->litlen ||
			    memcmp(p, s->lit, s->litlen) != 0)
				return -1;
			p += s->litlen;
			continue;
		}
		if (s->var == VAR_USER && i + 2 < a->nsteps)
			return user_run(a, i, p, end, ev);
		if ((e = field_end(a, i, p, end)) == NULL ||
		    field_set(a, s->var, p, (size_t)(e - p), ev) == -1)
			return -1;
		p = e;
	}
	return p == end ? 0 : -1;
}

/*
 * The built-in combined format, cut without the step machine: its time
 * has a fixed width, so the end of $remote_user is found from the
 * first raw quote instead of by trying each " [" in turn. Anything it
 * does not expect goes to the general path, which decides; the fields
 * go through the same field_set, so both give the same event.
 */
static int
combined_fast(struct access *a, const char *line, size_t len,
    struct event *ev)
{
	const char	*end = line + len, *p, *q, *r, *s, *t;

	if ((p = memchr(line, ' ', len)) == NULL || end - p < 34 ||
	    p[1] != '-' || p[2] != ' ' ||
	    field_set(a, VAR_ADDR, line, (size_t)(p - line), ev) == -1)
		return -1;
	p += 3;
	/* user SP [26 bytes of time] SP "request" */
	if ((q = memchr(p, '"', (size_t)(end - p))) == NULL ||
	    q - p < 31 || q[-1] != ' ' || q[-2] != ']' || q[-29] != '[' ||
	    q[-30] != ' ' || q[-31] == '\\')
		return -1;
	if (field_set(a, VAR_USER, p, (size_t)(q - 30 - p), ev) == -1 ||
	    field_set(a, VAR_TIME_LOCAL, q - 28, 26, ev) == -1 ||
	    (r = raw_quote(q + 1, end)) == NULL ||
	    field_set(a, VAR_REQUEST, q + 1, (size_t)(r - q - 1), ev) == -1)
		return -1;
	/* SP status SP bytes SP "referer" SP "user agent" */
	if (end - r < 8 || r[1] != ' ' ||
	    (s = memchr(r + 2, ' ', (size_t)(end - r - 2))) == NULL ||
	    field_set(a, VAR_STATUS, r + 2, (size_t)(s - r - 2), ev) == -1 ||
	    (t = memchr(s + 1, ' ', (size_t)(end - s - 1))) == NULL ||
	    t == s + 1 || end - t < 6 || t[1] != '"' ||
	    (r = raw_quote(t + 2, end)) == NULL || end - r < 4 ||
	    r[1] != ' ' || r[2] != '"' ||
	    field_set(a, VAR_REFERER, t + 2, (size_t)(r - t - 2), ev) == -1 ||
	    (s = raw_quote(r + 3, end)) != end - 1 ||
	    field_set(a, VAR_UA, r + 3, (size_t)(s - r - 3), ev) == -1)
		return -1;
	return 0;
}

static enum filter_result
steps_parse(struct access *a, const char *line, size_t len,
    struct event *ev)
{
	if (!a->combined || combined_fast(a, line, len, ev) == -1 ||
	    ev->addr.family == 0) {
		memset(ev, 0, sizeof(*ev));
		a->bufpos = 0;
		if (steps_run(a, 0, line, line + len, ev) == -1 ||
		    ev->addr.family == 0)
			return FILTER_BAD;
	}
	if (a->logs_host)
		ev->flags |= EVENT_HAS_HOST;
	return FILTER_OK;
}

/* JSON logs. */

static const struct {
	const char	*name;
	const char	*jf[JF_MAX];
	enum jtime_format time;
} access_presets[] = {
	{ "caddy", {
		[JF_TIME] = "ts",
		[JF_ADDR] = "request.client_ip request.remote_ip "
		    "request.remote_addr",
		[JF_METHOD] = "request.method",
		[JF_URI] = "request.uri",
		[JF_STATUS] = "status",
		[JF_REFERER] = "request.headers.Referer",
		[JF_UA] = "request.headers.User-Agent",
		[JF_HOST] = "request.host" }, JT_EPOCH },
	/* ClientHost may come from a forged header: ClientAddr only. */
	{ "traefik", {
		[JF_TIME] = "time StartUTC",
		[JF_ADDR] = "ClientAddr",
		[JF_METHOD] = "RequestMethod",
		[JF_URI] = "RequestPath",
		[JF_STATUS] = "DownstreamStatus",
		[JF_REFERER] = "request_Referer",
		[JF_UA] = "request_User-Agent",
		[JF_HOST] = "RequestHost" }, JT_RFC3339 },
};

static void
jfield_free(struct jfield *f)
{
	size_t	 i, j;

	for (i = 0; i < f->nalt; i++)
		for (j = 0; j < f->alt[i].nseg; j++)
			free(f->alt[i].seg[j]);
	f->nalt = 0;
}

/* "a.b c" is two alternates, the first a two-level path. */
static int
jfield_compile(struct jfield *f, const char *spec)
{
	const char	*p = spec;
	size_t		 n, k;

	while (*p != '\0') {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		if (f->nalt == ACCESS_JALT)
			return -1;
		n = strcspn(p, " \t");
		while (n > 0) {
			struct jpath	*jp = &f->alt[f->nalt];

			k = strcspn(p, ". \t");
			if (k > n)
				k = n;
			if (k == 0 || jp->nseg == ACCESS_JDEPTH ||
			    (jp->seg[jp->nseg] = strndup(p, k)) == NULL) {
				f->nalt++;
				return -1;
			}
			jp->nseg++;
			p += k;
			n -= k;
			if (n > 0 && *p == '.') {
				p++;
				n--;
			}
		}
		f->nalt++;
	}
	return 0;
}

static int
json_setup(struct access *a, const struct filter_conf *fc,
    struct filter_err *err)
{
	static const char	*keys[JF_MAX] = { "json_time", "json_addr",
	    "json_method", "json_uri", "json_status", "json_referer",
	    "json_user_agent", "json_host" };
	const char		*spec[JF_MAX] = { fc->json_time, fc->json_addr,
	    fc->json_method, fc->json_uri, fc->json_status, fc->json_referer,
	    fc->json_user_agent, fc->json_host };
	const char		*tf = fc->json_time_format;
	size_t			 i, j;

	a->kind = ACCESS_JSON;
	a->jtime = JT_AUTO;
	if (fc->json_preset != NULL) {
		for (i = 0; i < UTIL_NELEM(access_presets); i++)
			if (strcmp(fc->json_preset,
			    access_presets[i].name) == 0)
				break;
		if (i == UTIL_NELEM(access_presets)) {
			access_err(err, "json_preset", "unknown preset");
			return -1;
		}
		a->jtime = access_presets[i].time;
		for (j = 0; j < JF_MAX; j++)
			if (spec[j] == NULL)
				spec[j] = access_presets[i].jf[j];
	}
	if (tf != NULL) {
		if (strcmp(tf, "epoch") == 0)
			a->jtime = JT_EPOCH;
		else if (strcmp(tf, "epoch_ms") == 0)
			a->jtime = JT_EPOCH_MS;
		else if (strcmp(tf, "rfc3339") == 0)
			a->jtime = JT_RFC3339;
		else {
			access_err(err, "json_time_format",
			    "not epoch, epoch_ms or rfc3339");
			return -1;
		}
	}
	for (j = 0; j < JF_MAX; j++) {
		if (spec[j] != NULL &&
		    jfield_compile(&a->jf[j], spec[j]) == -1) {
			access_err(err, keys[j], "bad field path");
			return -1;
		}
	}
	if (a->jf[JF_ADDR].nalt == 0) {
		access_err(err, "json_addr", "no address field");
		return -1;
	}
	a->logs_host = a->jf[JF_HOST].nalt > 0;
	if ((a->tok = json_tokener_new()) == NULL) {
		access_err(err, "format", "out of memory");
		return -1;
	}
	return 0;
}

/* The value of the first alternate present; arrays give their first. */
static struct json_object *
json_find(struct json_object *root, const struct jfield *f)
{
	struct json_object	*o;
	size_t			 i, j;

	for (i = 0; i < f->nalt; i++) {
		o = root;
		for (j = 0; o != NULL && j < f->alt[i].nseg; j++)
			if (!json_object_is_type(o, json_type_object) ||
			    !json_object_object_get_ex(o, f->alt[i].seg[j], &o))
				o = NULL;
		if (o != NULL && json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, 0);
		if (o != NULL && !json_object_is_type(o, json_type_null))
			return o;
	}
	return NULL;
}

static int
json_span(struct access *a, struct json_object *root, enum jfield_id id,
    struct span *sp)
{
	struct json_object	*o;
	const char		*s;

	if ((o = json_find(root, &a->jf[id])) == NULL)
		return 0;
	if ((s = json_object_get_string(o)) == NULL)
		return 0;
	if (field_put(a, sp, s, (size_t)json_object_get_string_len(o),
	    NULL) == -1)
		return -1;
	span_dash(sp);
	return 0;
}

static int
json_time(struct access *a, struct json_object *root, struct event *ev)
{
	struct json_object	*o;
	enum jtime_format	 tf = a->jtime;
	const char		*s;
	double			 d;

	if ((o = json_find(root, &a->jf[JF_TIME])) == NULL)
		return 0;
	if (json_object_is_type(o, json_type_string)) {
		s = json_object_get_string(o);
		if (tf == JT_RFC3339 || (tf == JT_AUTO && strchr(s, '-')))
			return time_cached(&a->tc_iso, time_iso, s, strlen(s),
			    a->tzoff, &ev->time_ms);
		if (tf == JT_EPOCH_MS) {
			long long	 v;

			if (util_parse_int(s, 0, INT64_MAX / 2, &v) == -1)
				return -1;
			ev->time_ms = v;
			return 0;
		}
		return time_epoch(s, strlen(s), &ev->time_ms);
	}
	if (!json_object_is_type(o, json_type_double) &&
	    !json_object_is_type(o, json_type_int))
		return -1;
	d = json_object_get_double(o);
	if (!(d >= 0 && d < 1e15))
		return -1;
	if (tf == JT_EPOCH_MS || (tf == JT_AUTO && d > 1e11))
		ev->time_ms = (int64_t)d;
	else
		ev->time_ms = (int64_t)llround(d * 1000);
	return 0;
}

static int
json_status(struct access *a, struct json_object *root, struct event *ev)
{
	struct json_object	*o;
	long long		 v;

	if ((o = json_find(root, &a->jf[JF_STATUS])) == NULL)
		return 0;
	if (json_object_is_type(o, json_type_int))
		v = json_object_get_int64(o);
	else if (!json_object_is_type(o, json_type_string) ||
	    util_parse_int(json_object_get_string(o), 0, 999, &v) == -1)
		return -1;
	if (v < 0 || v > 999)
		return -1;
	ev->status = (int)v;
	return 0;
}

static int
json_fields(struct access *a, struct json_object *root, struct event *ev)
{
	struct json_object	*o;
	const char		*s;

	if ((o = json_find(root, &a->jf[JF_ADDR])) == NULL ||
	    !json_object_is_type(o, json_type_string))
		return -1;
	s = json_object_get_string(o);
	if (addr_parse_host(&ev->addr, s,
	    (size_t)json_object_get_string_len(o)) == -1)
		return -1;
	if (json_time(a, root, ev) == -1 || json_status(a, root, ev) == -1)
		return -1;
	if (json_span(a, root, JF_METHOD, &ev->method) == -1 ||
	    json_span(a, root, JF_URI, &ev->path) == -1 ||
	    json_span(a, root, JF_REFERER, &ev->referer) == -1 ||
	    json_span(a, root, JF_UA, &ev->ua) == -1 ||
	    json_span(a, root, JF_HOST, &ev->host) == -1)
		return -1;
	return 0;
}

static enum filter_result
json_parse(struct access *a, const char *line, size_t len,
    struct event *ev)
{
	struct json_object	*root;
	enum filter_result	 rv = FILTER_BAD;

	if (len == 0 || line[0] != '{' || memchr(line, '\0', len) != NULL)
		return FILTER_BAD;
	json_tokener_reset(a->tok);
	root = json_tokener_parse_ex(a->tok, line, (int)len);
	if (root == NULL ||
	    json_tokener_get_error(a->tok) != json_tokener_success ||
	    json_tokener_get_parse_end(a->tok) != len)
		goto done;
	if (json_object_is_type(root, json_type_object) &&
	    json_fields(a, root, ev) == 0)
		rv = FILTER_OK;
	if (rv == FILTER_OK && a->logs_host)
		ev->flags |= EVENT_HAS_HOST;
done:
	json_object_put(root);
	return rv;
}

/* HAProxy option httplog through syslog. */

/* Skips one word and the spaces after it; NULL at the end of the line. */
static const char *
word_skip(const char *p, const char *end)
{
	const char	*e;

	if ((e = memchr(p, ' ', (size_t)(end - p))) == NULL)
		return NULL;
	while (e < end && *e == ' ')
		e++;
	return e;
}

/*
 * The message after a syslog header: <PRI>1 TS HOST APP PID MSGID - (RFC
 * 5424), or <PRI>Mmm dd hh:mm:ss [HOST] TAG: (RFC 3164, rsyslog), with
 * an ISO timestamp in place of the BSD one.
 */
static const char *
syslog_skip(const char *p, const char *end)
{
	const char	*e;
	int		 i;

	if (p < end && *p == '<') {
		if ((e = memchr(p, '>', (size_t)(end - p))) == NULL ||
		    e - p > 4)
			return NULL;
		p = e + 1;
	}
	if (end - p > 2 && p[0] == '1' && p[1] == ' ') {
		for (i = 0; i < 7 && p != NULL; i++)
			p = word_skip(p, end);
		return p;
	}
	if (end - p > 16 && isalpha((unsigned char)p[0]))
		p += 15;
	if ((p = word_skip(p, end)) == NULL)
		return NULL;
	for (i = 0; i < 2; i++) {
		if ((e = memchr(p, ' ', (size_t)(end - p))) == NULL)
			return NULL;
		if (e[-1] == ':')
			return word_skip(p, end);
		p = word_skip(p, end);
	}
	return NULL;
}

/* ip:port with IPv6 unbracketed: the port follows the last colon. */
static int
hap_client(struct event *ev, const char *p, size_t n)
{
	const char	*c;
	long long	 port;

	if (n > 0 && p[0] == '[')
		return addr_parse_host(&ev->addr, p, n);
	if ((c = memrchr(p, ':', n)) == NULL)
		return addr_parse(&ev->addr, p, n);
	if (util_parse_intn(c + 1, n - (size_t)(c - p) - 1, 0, 65535,
	    &port) == -1)
		return -1;
	return addr_parse(&ev->addr, p, (size_t)(c - p));
}

static enum filter_result
hap_parse(struct access *a, const char *line, size_t len,
    struct event *ev)
{
	const char	*p, *end = line + len, *e, *q;
	struct span	 req;
	long long	 v;
	int		 i;

	if ((p = syslog_skip(line, end)) == NULL ||
	    (e = memchr(p, ' ', (size_t)(end - p))) == NULL ||
	    hap_client(ev, p, (size_t)(e - p)) == -1)
		return FILTER_BAD;
	p = e + 1;
	if (end - p < 27 || p[0] != '[' || p[25] != ']' || p[26] != ' ' ||
	    time_cached(&a->tc_hap, time_hap, p + 1, 24, a->tzoff,
	    &ev->time_ms) == -1)
		return FILTER_BAD;
	p += 27;
	/* frontend, backend/server, timers, then the status. */
	for (i = 0; i < 3 && p != NULL; i++)
		p = word_skip(p, end);
	if (p == NULL || (e = memchr(p, ' ', (size_t)(end - p))) == NULL ||
	    util_parse_intn(p, (size_t)(e - p), -1, 999, &v) == -1)
		return FILTER_BAD;
	ev->status = v < 0 ? 0 : (int)v;
	/* Captures escape '"' as #22: the first quote opens the request. */
	if ((q = memchr(e, '"', (size_t)(end - e))) == NULL ||
	    end - q < 2 || end[-1] != '"')
		return FILTER_BAD;
	if (field_put(a, &req, q + 1, (size_t)(end - q - 2), dec_hash) == -1)
		return FILTER_BAD;
	request_split(&req, ev);
	return FILTER_OK;
}

/* The parser's front. */

static int
access_steps_setup(struct access *a, const struct filter_conf *fc,
    const char *format, struct filter_err *err)
{
	enum access_esc	 esc = ESC_AUTO;

	a->kind = ACCESS_STEPS;
	if (fc->escape != NULL) {
		if (strcmp(fc->escape, "json") == 0)
			esc = ESC_JSON;
		else if (strcmp(fc->escape, "none") == 0)
			esc = ESC_NONE;
		else if (strcmp(fc->escape, "default") != 0) {
			access_err(err, "escape", "not default, json or none");
			return -1;
		}
	}
	/* The built-in formats are always read with both escapings. */
	a->esc = format == fc->format ? esc : ESC_AUTO;
	return steps_compile(a, format, err);
}

static int
access_setup(struct access *a, const struct filter_conf *fc,
    struct filter_err *err)
{
	const char	*f = fc->format;
	size_t		 i;

	if (f == NULL || *f == '\0') {
		access_err(err, "format", "missing");
		return -1;
	}
	if (tz_setting(fc->logtimezone, &a->tzoff) == -1) {
		access_err(err, "logtimezone", "not UTC or +hhmm");
		return -1;
	}
	for (i = 0; i < UTIL_NELEM(access_builtin); i++)
		if (strcmp(f, access_builtin[i].name) == 0) {
			a->combined = i == 0;
			return access_steps_setup(a, fc,
			    access_builtin[i].format, err);
		}
	if (strchr(f, '$') != NULL)
		return access_steps_setup(a, fc, f, err);
	if (strcmp(f, "json") == 0)
		return json_setup(a, fc, err);
	if (strcmp(f, "haproxy") == 0) {
		a->kind = ACCESS_HAPROXY;
		return 0;
	}
	access_err(err, "format", "not combined, common, vhost_combined, "
	    "json, haproxy or a log_format string");
	return -1;
}

struct access *
access_new(const struct filter_conf *fc, struct filter_err *err)
{
	struct access	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->buf = malloc(EVENT_LINE_MAX)) == NULL) {
		free(a);
		access_err(err, "format", "out of memory");
		return NULL;
	}
	if (access_setup(a, fc, err) == -1) {
		access_free(a);
		return NULL;
	}
	return a;
}

void
access_free(struct access *a)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nsteps; i++)
		free(a->steps[i].lit);
	for (i = 0; i < JF_MAX; i++)
		jfield_free(&a->jf[i]);
	if (a->tok != NULL)
		json_tokener_free(a->tok);
	free(a->buf);
	free(a);
}

enum filter_result
access_parse(struct access *a, const char *line, size_t len,
    struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	a->bufpos = 0;
	if (len > EVENT_LINE_MAX)
		return FILTER_BAD;
	switch (a->kind) {
	case ACCESS_JSON:
		return json_parse(a, line, len, ev);
	case ACCESS_HAPROXY:
		return hap_parse(a, line, len, ev);
	default:
		return steps_parse(a, line, len, ev);
	}
}

int
access_forgeable(const struct access *a)
{
	return a->kind == ACCESS_STEPS && a->esc == ESC_NONE;
}

int
access_logs_host(const struct access *a)
{
	return a->logs_host;
}
