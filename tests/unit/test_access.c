/*
 * The access-log parsers against the corpus in data/access/: every line
 * of the shipped log samples with its expected fields, escapes,
 * injections, addresses and lines that must not parse.
 *
 * Corpus files hold one directive or field a line:
 *   set KEY VALUE	a filter key (format, escape, json_*, logtimezone)
 *   reset		clears the keys
 *   confbad KEY	building the parser from the keys fails on KEY
 *   line TEXT		a line that parses; the fields that follow are
 *			expected, every field not listed must be empty
 *   bad TEXT		a line that must not parse
 *   linex, badx	the same with the text written with \xHH and \\
 *   addr, time (2026-12-03T13:33:50.123, UTC), method, path, status,
 *   referer, ua, host, xff, user (written with \xHH and \\), flags host
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "access.h"
#include "addr.h"
#include "util.h"

#define TLINE_MAX	(EVENT_LINE_MAX + 1024)

static const char	*corpus[] = {
	"nginx-combined", "nginx-custom-iso8601", "nginx-escape-json",
	"nginx-escape-none", "nginx-realip-cdn", "apache-combined",
	"apache-common", "apache-remoteip", "apache-vhost_combined",
	"lighttpd-default", "lighttpd-escape-json", "caddy-json",
	"haproxy-httplog-rfc3164", "haproxy-httplog-rfc5424",
	"escapes", "injection", "addresses", "malformed", "json", "haproxy",
	"config",
};

enum { F_ADDR, F_TIME, F_METHOD, F_PATH, F_STATUS, F_REFERER, F_UA,
	F_HOST, F_XFF, F_USER, F_FLAGS, F_MAX };

static const char	*fnames[F_MAX] = { "addr", "time", "method", "path",
	"status", "referer", "ua", "host", "xff", "user", "flags" };

struct rec {
	char		*input;
	size_t		 inlen;
	int		 bad;
	int		 lineno;
	char		*want[F_MAX];
	size_t		 wantlen[F_MAX];
};

struct corpus {
	const char		*file;
	struct filter_conf	 fc;
	struct access		*a;
	int			 dirty;
	struct rec		 r;
	int			 nrec;
	int			 nfail;
};

/* \xHH and \\ in expected values and escaped inputs. */
static size_t
unescape(char *s)
{
	size_t	 i, o = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] == '\\') {
			s[o++] = '\\';
			i++;
		} else if (s[i] == '\\' && s[i + 1] == 'x' && s[i + 2] &&
		    s[i + 3]) {
			char	 h[3] = { s[i + 2], s[i + 3], 0 };

			s[o++] = (char)strtol(h, NULL, 16);
			i += 3;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

static char **
conf_key(struct filter_conf *fc, const char *key)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} keys[] = {
		{ "format", offsetof(struct filter_conf, format) },
		{ "escape", offsetof(struct filter_conf, escape) },
		{ "json_preset", offsetof(struct filter_conf, json_preset) },
		{ "json_time", offsetof(struct filter_conf, json_time) },
		{ "json_time_format",
		    offsetof(struct filter_conf, json_time_format) },
		{ "json_addr", offsetof(struct filter_conf, json_addr) },
		{ "json_method", offsetof(struct filter_conf, json_method) },
		{ "json_uri", offsetof(struct filter_conf, json_uri) },
		{ "json_status", offsetof(struct filter_conf, json_status) },
		{ "json_referer", offsetof(struct filter_conf, json_referer) },
		{ "json_user_agent",
		    offsetof(struct filter_conf, json_user_agent) },
		{ "json_host", offsetof(struct filter_conf, json_host) },
		{ "logtimezone", offsetof(struct filter_conf, logtimezone) },
	};
	size_t	 i;

	for (i = 0; i < UTIL_NELEM(keys); i++)
		if (strcmp(keys[i].name, key) == 0)
			return (char **)((char *)fc + keys[i].off);
	fail_msg("unknown key %s", key);
	return NULL;
}

static void
conf_clear(struct corpus *c)
{
	char	**v;
	size_t	 off;

	for (off = offsetof(struct filter_conf, format);
	    off <= offsetof(struct filter_conf, json_host);
	    off += sizeof(char *)) {
		v = (char **)((char *)&c->fc + off);
		free(*v);
		*v = NULL;
	}
	free(c->fc.logtimezone);
	c->fc.logtimezone = NULL;
	c->dirty = 1;
}

static struct access *
corpus_access(struct corpus *c)
{
	struct filter_err	 err;

	if (c->dirty) {
		access_free(c->a);
		memset(&err, 0, sizeof(err));
		c->a = access_new(&c->fc, &err);
		if (c->a == NULL)
			fail_msg("%s: access_new: %s: %s", c->file, err.key,
			    err.msg);
		c->dirty = 0;
	}
	return c->a;
}

static int64_t
want_time(const char *s)
{
	long long	 v[7];
	size_t		 i, off[7] = { 0, 5, 8, 11, 14, 17, 20 };
	size_t		 len[7] = { 4, 2, 2, 2, 2, 2, 3 };

	assert_int_equal(strlen(s), 23);
	for (i = 0; i < 7; i++)
		assert_int_equal(util_parse_intn(s + off[i], len[i], 0, 9999,
		    &v[i]), 0);
	return util_timegm((int)v[0], (int)v[1], (int)v[2], (int)v[3],
	    (int)v[4], (int)v[5]) * 1000 + v[6];
}

static void
check_span(struct corpus *c, int f, const struct span *got)
{
	const char	*w = c->r.want[f] ? c->r.want[f] : "";
	size_t		 wl = c->r.want[f] ? c->r.wantlen[f] : 0;

	if (got->len == wl && (wl == 0 || memcmp(got->p, w, wl) == 0))
		return;
	print_error("%s:%d: %s: want \"%.*s\" got \"%.*s\"\n", c->file,
	    c->r.lineno, fnames[f], (int)wl, w, (int)got->len,
	    got->p ? got->p : "");
	c->nfail++;
}

static void
check_scalar(struct corpus *c, int f, long long want, long long got)
{
	if (want == got)
		return;
	print_error("%s:%d: %s: want %lld got %lld\n", c->file, c->r.lineno,
	    fnames[f], want, got);
	c->nfail++;
}

static void
check_fields(struct corpus *c, const struct event *ev)
{
	struct addr	 wa;
	char		 buf[ADDR_STRLEN];

	memset(&wa, 0, sizeof(wa));
	if (c->r.want[F_ADDR] == NULL ||
	    addr_parse(&wa, c->r.want[F_ADDR], c->r.wantlen[F_ADDR]) == -1)
		fail_msg("%s:%d: no valid addr line", c->file, c->r.lineno);
	if (!addr_eq(&wa, &ev->addr)) {
		print_error("%s:%d: addr: want %s got %s\n", c->file,
		    c->r.lineno, c->r.want[F_ADDR],
		    addr_format(&ev->addr, buf, sizeof(buf)));
		c->nfail++;
	}
	check_scalar(c, F_TIME, c->r.want[F_TIME] ?
	    want_time(c->r.want[F_TIME]) : 0, ev->time_ms);
	check_scalar(c, F_STATUS, c->r.want[F_STATUS] ?
	    strtol(c->r.want[F_STATUS], NULL, 10) : 0, ev->status);
	check_scalar(c, F_FLAGS, c->r.want[F_FLAGS] ? EVENT_HAS_HOST : 0,
	    ev->flags);
	check_span(c, F_METHOD, &ev->method);
	check_span(c, F_PATH, &ev->path);
	check_span(c, F_REFERER, &ev->referer);
	check_span(c, F_UA, &ev->ua);
	check_span(c, F_HOST, &ev->host);
	check_span(c, F_XFF, &ev->xff);
	check_span(c, F_USER, &ev->user);
}

/* Parses the pending record, if any, and compares every field. */
static void
rec_finish(struct corpus *c)
{
	struct event		 ev;
	enum filter_result	 rv;
	char			*copy;
	int			 f;

	if (c->r.input == NULL)
		return;
	/* A copy that is wiped after the parse: spans must not point in. */
	copy = malloc(c->r.inlen + 1);
	assert_non_null(copy);
	memcpy(copy, c->r.input, c->r.inlen);
	rv = access_parse(corpus_access(c), copy, c->r.inlen, &ev);
	memset(copy, 'Z', c->r.inlen);
	if (c->r.bad && rv != FILTER_BAD) {
		print_error("%s:%d: parsed a bad line\n", c->file, c->r.lineno);
		c->nfail++;
	} else if (!c->r.bad && rv != FILTER_OK) {
		print_error("%s:%d: line did not parse\n", c->file,
		    c->r.lineno);
		c->nfail++;
	} else if (!c->r.bad)
		check_fields(c, &ev);
	free(copy);
	c->nrec++;
	free(c->r.input);
	for (f = 0; f < F_MAX; f++)
		free(c->r.want[f]);
	memset(&c->r, 0, sizeof(c->r));
}

static void
corpus_confbad(struct corpus *c, const char *key)
{
	struct filter_err	 err;
	struct access		*a;

	memset(&err, 0, sizeof(err));
	a = access_new(&c->fc, &err);
	if (a != NULL || strcmp(err.key, key) != 0 || err.msg[0] == '\0') {
		print_error("%s: confbad %s: got %s (%s)\n", c->file, key,
		    a ? "a parser" : err.key, err.msg);
		c->nfail++;
	}
	access_free(a);
	c->nrec++;
}

static void
corpus_directive(struct corpus *c, char *word, char *rest, int lineno)
{
	char	**v, *sp;
	int	 f;

	if (strcmp(word, "line") == 0 || strcmp(word, "linex") == 0 ||
	    strcmp(word, "bad") == 0 || strcmp(word, "badx") == 0) {
		rec_finish(c);
		c->r.lineno = lineno;
		c->r.bad = word[0] == 'b';
		c->r.input = strdup(rest);
		c->r.inlen = word[strlen(word) - 1] == 'x' ?
		    unescape(c->r.input) : strlen(rest);
		return;
	}
	if (strcmp(word, "set") == 0 || strcmp(word, "reset") == 0 ||
	    strcmp(word, "confbad") == 0) {
		rec_finish(c);
		if (word[0] == 'r') {
			conf_clear(c);
		} else if (word[0] == 'c') {
			corpus_confbad(c, rest);
		} else {
			if ((sp = strchr(rest, ' ')) == NULL)
				fail_msg("%s:%d: set KEY VALUE", c->file,
				    lineno);
			*sp = '\0';
			v = conf_key(&c->fc, rest);
			free(*v);
			*v = strdup(sp + 1);
			c->dirty = 1;
		}
		return;
	}
	for (f = 0; f < F_MAX; f++)
		if (strcmp(word, fnames[f]) == 0)
			break;
	if (f == F_MAX || c->r.input == NULL || c->r.bad)
		fail_msg("%s:%d: unexpected %s", c->file, lineno, word);
	c->r.want[f] = strdup(rest);
	c->r.wantlen[f] = unescape(c->r.want[f]);
}

static void
corpus_run(const char *name)
{
	struct corpus	 c;
	char		 path[256], *line, *sp;
	FILE		*fp;
	int		 lineno = 0;

	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "data/access/%s.txt", name);
	c.file = path;
	c.dirty = 1;
	line = malloc(TLINE_MAX);
	assert_non_null(line);
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	while (fgets(line, TLINE_MAX, fp) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((sp = strchr(line, ' ')) != NULL)
			*sp++ = '\0';
		corpus_directive(&c, line, sp ? sp : line + strlen(line),
		    lineno);
	}
	rec_finish(&c);
	fclose(fp);
	free(line);
	conf_clear(&c);
	access_free(c.a);
	if (c.nrec < 3)
		fail_msg("%s: only %d records", path, c.nrec);
	if (c.nfail > 0)
		fail_msg("%s: %d of %d records wrong", path, c.nfail, c.nrec);
}

static void
test_corpus(void **state)
{
	corpus_run(*state);
}

static struct access *
access_format(const char *format, const char *escape)
{
	struct filter_conf	 fc;
	struct filter_err	 err;
	struct access		*a;

	memset(&fc, 0, sizeof(fc));
	fc.name = "test";
	fc.format = (char *)format;
	fc.escape = (char *)escape;
	a = access_new(&fc, &err);
	if (a == NULL)
		fail_msg("access_new %s: %s: %s", format, err.key, err.msg);
	return a;
}

/* A combined line whose User-Agent pads it to exactly len bytes. */
static size_t
long_line(char *buf, size_t len)
{
	static const char	 head[] = "192.0.2.1 - - "
	    "[03/Dec/2026:13:33:50 +0000] \"GET /x HTTP/1.1\" 404 1 \"-\" \"";

	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'u', len - sizeof(head));
	buf[len - 1] = '"';
	return len;
}

static void
test_line_max(void **state)
{
	struct access	*a = access_format("combined", NULL);
	struct event	 ev;
	char		*buf = malloc(EVENT_LINE_MAX + 2);
	size_t		 n;

	(void)state;
	assert_non_null(buf);
	n = long_line(buf, EVENT_LINE_MAX);
	assert_int_equal(access_parse(a, buf, n, &ev), FILTER_OK);
	assert_int_equal(ev.status, 404);
	assert_int_equal(ev.ua.len, EVENT_LINE_MAX - 73);
	n = long_line(buf, EVENT_LINE_MAX + 1);
	assert_int_equal(access_parse(a, buf, n, &ev), FILTER_BAD);
	free(buf);
	access_free(a);
}

static void
test_flags(void **state)
{
	struct access	*a;

	(void)state;
	a = access_format("combined", NULL);
	assert_false(access_forgeable(a));
	assert_false(access_logs_host(a));
	access_free(a);
	a = access_format("vhost_combined", NULL);
	assert_true(access_logs_host(a));
	access_free(a);
	a = access_format("$remote_addr [$time_local] \"$request\" $status",
	    "none");
	assert_true(access_forgeable(a));
	assert_false(access_logs_host(a));
	access_free(a);
	a = access_format("$remote_addr $host \"$request\"", "json");
	assert_false(access_forgeable(a));
	assert_true(access_logs_host(a));
	access_free(a);
}

/* The time cache must follow the string, not stick to the last value. */
static void
test_time_cache(void **state)
{
	static const char	*l[] = {
		"192.0.2.1 - - [03/Dec/2026:13:33:50 +0000] \"GET / HTTP/1.1\" "
		    "200 1 \"-\" \"-\"",
		"192.0.2.1 - - [03/Dec/2026:13:33:51 +0000] \"GET / HTTP/1.1\" "
		    "200 1 \"-\" \"-\"",
		"192.0.2.1 - - [03/Dec/2026:13:33:51 +0100] \"GET / HTTP/1.1\" "
		    "200 1 \"-\" \"-\"",
	};
	int64_t			 want[] = { 1796304830000LL, 1796304831000LL,
	    1796304831000LL - 3600000 };
	struct access		*a = access_format("combined", NULL);
	struct event		 ev;
	size_t			 i, k;

	(void)state;
	for (k = 0; k < 3; k++)
		for (i = 0; i < UTIL_NELEM(l); i++) {
			assert_int_equal(access_parse(a, l[i], strlen(l[i]),
			    &ev), FILTER_OK);
			assert_int_equal(ev.time_ms, want[i]);
		}
	access_free(a);
}

int
main(void)
{
	struct CMUnitTest	 t[UTIL_NELEM(corpus) + 3];
	size_t			 i;

	for (i = 0; i < UTIL_NELEM(corpus); i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].name = corpus[i];
		t[i].test_func = test_corpus;
		t[i].initial_state = (void *)corpus[i];
	}
	t[i++] = (struct CMUnitTest)cmocka_unit_test(test_line_max);
	t[i++] = (struct CMUnitTest)cmocka_unit_test(test_flags);
	t[i++] = (struct CMUnitTest)cmocka_unit_test(test_time_cache);
	return _cmocka_run_group_tests("access", t, i, NULL, NULL);
}
