/*
 * The regex filters: filters.d/sshd.conf over the corpora in data/rx/
 * (every line of the shipped sshd samples, hand-written injections,
 * prefixes and garbage), year inference, zones, configuration errors,
 * and the output of bench/genlog.py against its truth file.
 *
 * A corpus line is "VERDICT<TAB>RAW LINE", VERDICT one of
 * "fail ADDRESS TIME" (TIME as 2026-12-03T13:37:53.168Z), "skip" or
 * "bad"; "@now<TAB>TIME" and "@logtimezone<TAB>ZONE" set the filter up
 * for the lines after them; "#" starts a comment.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <iniparser.h>
#include <json-c/json.h>

#include "addr.h"
#include "rx.h"
#include "util.h"

#define CONF_PATH	"../filters.d/sshd.conf"
#define GENLOG		"../bench/genlog.py"
#define MAX_RX		64

/* A filter_conf with room for its regex lines, owning its strings. */
struct tconf {
	struct filter_conf	 fc;
	struct filter_rx	 fail[MAX_RX];
	struct filter_rx	 ign[MAX_RX];
	char			*zone;
};

static void
tconf_free(struct tconf *t)
{
	size_t	 i;

	for (i = 0; i < t->fc.nfailregex; i++) {
		free(t->fail[i].name);
		free(t->fail[i].pattern);
	}
	for (i = 0; i < t->fc.nignoreregex; i++) {
		free(t->ign[i].name);
		free(t->ign[i].pattern);
	}
	free(t->fc.datepattern);
	free(t->fc.idents);
	free(t->zone);
	memset(t, 0, sizeof(*t));
}

static char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	assert_non_null(p);
	return p;
}

static void
tconf_add(struct filter_rx *v, size_t *n, const char *name, const char *pat)
{
	assert_true(*n < MAX_RX);
	v[*n].name = xstrdup(name);
	v[*n].pattern = xstrdup(pat);
	(*n)++;
}

static void
tconf_zone(struct tconf *t, const char *zone)
{
	free(t->zone);
	t->zone = zone != NULL ? xstrdup(zone) : NULL;
	t->fc.logtimezone = t->zone;
}

/* Reads [sshd] of filters.d/sshd.conf the way the conf module would. */
static void
tconf_load(struct tconf *t)
{
	dictionary	*d;
	const char	*keys[128], *k, *v;
	int		 i, n;

	memset(t, 0, sizeof(*t));
	d = iniparser_load(CONF_PATH);
	assert_non_null(d);
	n = iniparser_getsecnkeys(d, "sshd");
	assert_true(n > 0 && n <= 128);
	assert_non_null(iniparser_getseckeys(d, "sshd", keys));
	for (i = 0; i < n; i++) {
		k = keys[i] + strlen("sshd:");
		v = iniparser_getstring(d, keys[i], "");
		if (strncmp(k, "failregex.", 10) == 0)
			tconf_add(t->fail, &t->fc.nfailregex, k, v);
		else if (strncmp(k, "ignoreregex.", 12) == 0)
			tconf_add(t->ign, &t->fc.nignoreregex, k, v);
		else if (strcmp(k, "datepattern") == 0)
			t->fc.datepattern = xstrdup(v);
		else if (strcmp(k, "idents") == 0)
			t->fc.idents = xstrdup(v);
		else
			fail_msg("sshd.conf: unexpected key %s", k);
	}
	iniparser_freedict(d);
	t->fc.name = "sshd";
	t->fc.failregex = t->fail;
	t->fc.ignoreregex = t->ign;
}

/* A conf with one failregex and the given date pattern. */
static void
tconf_one(struct tconf *t, const char *datepattern, const char *pat)
{
	memset(t, 0, sizeof(*t));
	t->fc.name = "test";
	t->fc.failregex = t->fail;
	t->fc.ignoreregex = t->ign;
	if (datepattern != NULL)
		t->fc.datepattern = xstrdup(datepattern);
	tconf_add(t->fail, &t->fc.nfailregex, "failregex.one", pat);
	tconf_zone(t, "UTC");
}

/* Parses 2026-12-03T13:37:53Z or ...53.168Z (trusted test text). */
static int64_t
iso_ms(const char *s)
{
	long long	 f[6], ms = 0;
	static const int pos[6] = { 0, 5, 8, 11, 14, 17 };
	static const int len[6] = { 4, 2, 2, 2, 2, 2 };
	int		 i;

	assert_true(strlen(s) >= 20);
	for (i = 0; i < 6; i++)
		assert_int_equal(util_parse_intn(s + pos[i], (size_t)len[i], 0,
		    9999, &f[i]), 0);
	if (s[19] == '.')
		assert_int_equal(util_parse_intn(s + 20, 3, 0, 999, &ms), 0);
	return util_timegm((int)f[0], (int)f[1], (int)f[2], (int)f[3],
	    (int)f[4], (int)f[5]) * 1000 + ms;
}

static struct rx *
rx_build(struct tconf *t, int64_t now_ms)
{
	struct filter_err	 err;
	struct rx		*r;

	r = rx_new(&t->fc, &err);
	if (r == NULL)
		fail_msg("rx_new: %s: %s", err.key, err.msg);
	rx_set_now(r, now_ms);
	return r;
}

/* Checks one corpus line; returns 0 when it is as expected. */
static int
check_line(struct rx *r, const char *want, const char *line, size_t len,
    const char *where)
{
	struct event		 ev;
	enum filter_result	 res;
	struct addr		 a;
	char			 buf[ADDR_STRLEN], wa[ADDR_STRLEN + 1];
	const char		*sp;

	res = rx_parse(r, line, len, &ev);
	if (strcmp(want, "skip") == 0 || strcmp(want, "bad") == 0) {
		if (res == (want[0] == 's' ? FILTER_SKIP : FILTER_BAD))
			return 0;
		fprintf(stderr, "%s: want %s, got %d (%s)\n", where, want,
		    res, addr_format(&ev.addr, buf, sizeof(buf)));
		return -1;
	}
	assert_true(strncmp(want, "fail ", 5) == 0);
	sp = strchr(want + 5, ' ');
	assert_non_null(sp);
	assert_true((size_t)(sp - want - 5) < sizeof(wa));
	memcpy(wa, want + 5, (size_t)(sp - want - 5));
	wa[sp - want - 5] = '\0';
	assert_int_equal(addr_parse(&a, wa, strlen(wa)), 0);
	if (res != FILTER_OK || !addr_eq(&a, &ev.addr) ||
	    !(ev.flags & EVENT_FAILREGEX) || ev.time_ms != iso_ms(sp + 1)) {
		fprintf(stderr, "%s: want %s, got %d %s %lld\n", where, want,
		    res, addr_format(&ev.addr, buf, sizeof(buf)),
		    (long long)ev.time_ms);
		return -1;
	}
	return 0;
}

/* Runs one corpus; returns the number of lines checked, asserts none bad. */
static size_t
run_corpus(const char *path, char ***raw)
{
	struct tconf	 t;
	struct rx	*r = NULL;
	FILE		*fp;
	char		*line = NULL, *tab, where[256];
	size_t		 cap = 0, n = 0, lineno = 0;
	ssize_t		 len;
	int64_t		 now = 0;
	int		 bad = 0;

	tconf_load(&t);
	assert_non_null(fp = fopen(path, "r"));
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		assert_non_null(tab = strchr(line, '\t'));
		*tab++ = '\0';
		if (strcmp(line, "@now") == 0 ||
		    strcmp(line, "@logtimezone") == 0) {
			if (line[1] == 'n')
				now = iso_ms(tab);
			else
				tconf_zone(&t, tab);
			rx_free(r);
			r = NULL;
			continue;
		}
		if (r == NULL)
			r = rx_build(&t, now);
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (check_line(r, line, tab, (size_t)(len - (tab - line)),
		    where) == -1)
			bad++;
		if (raw != NULL) {
			*raw = reallocarray(*raw, n + 2, sizeof(**raw));
			assert_non_null(*raw);
			(*raw)[n] = xstrdup(tab);
			(*raw)[n + 1] = NULL;
		}
		n++;
	}
	free(line);
	fclose(fp);
	rx_free(r);
	tconf_free(&t);
	assert_int_equal(bad, 0);
	return n;
}

/* The corpus of a sample holds each of its lines, in order. */
static void
check_sample(const char *corpus, const char *sample)
{
	char	**raw = NULL, *line = NULL;
	size_t	 n, i = 0, cap = 0;
	ssize_t	 len;
	FILE	*fp;

	n = run_corpus(corpus, &raw);
	assert_non_null(fp = fopen(sample, "r"));
	while ((len = getline(&line, &cap, fp)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		assert_true(i < n);
		assert_string_equal(raw[i], line);
		i++;
	}
	assert_int_equal(i, n);
	assert_true(n >= 30);
	fclose(fp);
	free(line);
	for (i = 0; i < n; i++)
		free(raw[i]);
	free(raw);
}

static void
test_sample_traditional(void **state)
{
	(void)state;
	check_sample("data/rx/sshd-traditional.corpus",
	    "data/logsamples/sshd-rsyslog-traditional.log");
}

static void
test_sample_rfc3339(void **state)
{
	(void)state;
	check_sample("data/rx/sshd-rfc3339.corpus",
	    "data/logsamples/sshd-rsyslog-rfc3339.log");
}

static void
test_sample_rfc5424(void **state)
{
	(void)state;
	check_sample("data/rx/sshd-rfc5424.corpus",
	    "data/logsamples/sshd-rsyslog-rfc5424.log");
}

static void
test_extra(void **state)
{
	(void)state;
	assert_true(run_corpus("data/rx/sshd-extra.corpus", NULL) > 80);
}

/* Parses one line with a fresh sshd filter; returns the result. */
static enum filter_result
parse_with(const char *zone, int64_t now, const char *line,
    struct event *ev)
{
	struct tconf		 t;
	struct rx		*r;
	enum filter_result	 res;

	tconf_load(&t);
	tconf_zone(&t, zone);
	r = rx_build(&t, now);
	res = rx_parse(r, line, strlen(line), ev);
	rx_free(r);
	tconf_free(&t);
	return res;
}

static void
test_new_year(void **state)
{
	struct event	 ev;

	(void)state;
	/* A December line read on 1 January is last year's. */
	assert_int_equal(parse_with("UTC", iso_ms("2027-01-01T00:00:30Z"),
	    "Dec 31 23:59:59 h sshd[1]: Invalid user a from 192.0.2.1 port 1",
	    &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-12-31T23:59:59Z"));
	assert_int_equal(parse_with("UTC", iso_ms("2027-01-01T06:00:00Z"),
	    "Dec 31 23:59:59 h sshd[1]: Invalid user a from 192.0.2.1 port 1",
	    &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-12-31T23:59:59Z"));

	/*
	 * A line two minutes ahead of the clock is taken for clock skew:
	 * next year, not the one 364 days ago.
	 */
	assert_int_equal(parse_with("UTC", iso_ms("2026-12-31T23:59:00Z"),
	    "Jan  1 00:00:01 h sshd[1]: Invalid user a from 192.0.2.1 port 1",
	    &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2027-01-01T00:00:01Z"));

	/* Days ahead is too far: this year's. */
	assert_int_equal(parse_with("UTC", iso_ms("2026-12-28T12:00:00Z"),
	    "Jan  1 00:00:01 h sshd[1]: Invalid user a from 192.0.2.1 port 1",
	    &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-01-01T00:00:01Z"));

	/* Feb 29 goes to the latest leap year before now. */
	assert_int_equal(parse_with("UTC", iso_ms("2026-05-30T00:00:00Z"),
	    "Feb 29 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1 port 1",
	    &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2024-02-29T10:00:00Z"));
}

static void
test_logtimezone(void **state)
{
	struct event	 ev;
	const char	*l = "May 30 08:25:01 h sshd[1]: Invalid user a from "
			    "192.0.2.1 port 1";
	int64_t		 now = iso_ms("2026-06-01T00:00:00Z");

	(void)state;
	assert_int_equal(parse_with("+0200", now, l, &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-05-30T06:25:01Z"));
	assert_int_equal(parse_with("-01:30", now, l, &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-05-30T09:55:01Z"));
	assert_int_equal(parse_with("UTC", now, l, &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-05-30T08:25:01Z"));

	/* Local time follows the zone's summer time. */
	assert_int_equal(setenv("TZ", "Europe/Berlin", 1), 0);
	tzset();
	assert_int_equal(parse_with("local", now, l, &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-05-30T06:25:01Z"));
	assert_int_equal(parse_with(NULL, now, "Jan 15 08:25:01 h sshd[1]: "
	    "Invalid user a from 192.0.2.1 port 1", &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-01-15T07:25:01Z"));
	/* A written offset wins over logtimezone. */
	assert_int_equal(parse_with("local", now, "2026-05-30T08:25:01+00:00 "
	    "h sshd[1]: Invalid user a from 192.0.2.1 port 1", &ev),
	    FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-05-30T08:25:01Z"));
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
}

static void
test_datepatterns(void **state)
{
	struct tconf	 t;
	struct rx	*r;
	struct event	 ev;
	const char	*iso = "[2026-05-30 08:25:01,250] login failed for "
			    "[2001:db8::1]:443";
	const char	*plain = "login failed for 192.0.2.9";
	const char	*sysline = "May 30 08:25:01 h app: login failed for "
			    "192.0.2.9";

	(void)state;
	tconf_one(&t, "iso8601", "^login failed for <HOST>$");
	tconf_zone(&t, "+0200");
	r = rx_build(&t, 0);
	assert_int_equal(rx_parse(r, iso, strlen(iso), &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-05-30T06:25:01.250Z"));
	assert_int_equal(ev.addr.family, AF_INET6);
	assert_int_equal(rx_parse(r, plain, strlen(plain), &ev), FILTER_BAD);
	rx_free(r);
	tconf_free(&t);

	tconf_one(&t, "none", "^login failed for <ADDR>$");
	r = rx_build(&t, 0);
	assert_int_equal(rx_parse(r, plain, strlen(plain), &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, 0);
	assert_int_equal(ev.addr.family, AF_INET);
	assert_int_equal(ev.addr.bytes[3], 9);
	assert_int_equal(rx_parse(r, "other", 5, &ev), FILTER_SKIP);
	rx_free(r);
	tconf_free(&t);

	/* Keys the conf module leaves "": syslog, local time (UTC here). */
	tconf_one(&t, "", "^login failed for <HOST>$");
	tconf_zone(&t, "");
	t.fc.idents = xstrdup("");
	r = rx_build(&t, iso_ms("2026-06-01T00:00:00Z"));
	assert_int_equal(rx_parse(r, sysline, strlen(sysline), &ev), FILTER_OK);
	assert_int_equal(ev.time_ms, iso_ms("2026-05-30T08:25:01Z"));
	rx_free(r);
	tconf_free(&t);
}

static void
test_ignoreregex(void **state)
{
	struct tconf	 t;
	struct rx	*r;
	struct event	 ev;
	const char	*a = "May 30 06:25:01 h sshd[1]: Invalid user ci from "
			    "192.0.2.1 port 1";
	const char	*b = "May 30 06:25:01 h sshd[1]: Invalid user cx from "
			    "192.0.2.1 port 1";

	(void)state;
	tconf_load(&t);
	tconf_zone(&t, "UTC");
	tconf_add(t.ign, &t.fc.nignoreregex, "ignoreregex.ci",
	    "^Invalid user ci from ");
	r = rx_build(&t, iso_ms("2026-06-01T00:00:00Z"));
	assert_int_equal(rx_parse(r, a, strlen(a), &ev), FILTER_SKIP);
	assert_int_equal(ev.flags, 0);
	assert_int_equal(rx_parse(r, b, strlen(b), &ev), FILTER_OK);
	rx_free(r);
	tconf_free(&t);
}

/* rx_new fails on t; returns the error. */
static void
want_conf_error(struct tconf *t, const char *key, const char *msgpart)
{
	struct filter_err	 err;
	struct rx		*r;

	r = rx_new(&t->fc, &err);
	assert_null(r);
	assert_string_equal(err.key, key);
	if (strstr(err.msg, msgpart) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, msgpart);
	tconf_free(t);
}

static void
test_conf_errors(void **state)
{
	struct tconf	 t;

	(void)state;
	tconf_load(&t);
	tconf_add(t.fail, &t.fc.nfailregex, "failregex.invalid-user2",
	    "^Invalid user (.* from <HOST> port \\d+$");
	want_conf_error(&t, "failregex.invalid-user2",
	    "missing closing parenthesis at offset 39");

	/* The offset counts in the pattern as written, past <HOST>. */
	tconf_one(&t, "syslog", "^from <HOST> x[a");
	want_conf_error(&t, "failregex.one", "at offset 16");

	tconf_one(&t, "syslog", "^Invalid user");
	want_conf_error(&t, "failregex.one", "no <HOST>");

	tconf_load(&t);
	tconf_add(t.ign, &t.fc.nignoreregex, "ignoreregex.bad", "a{2,1}");
	want_conf_error(&t, "ignoreregex.bad", "offset");

	tconf_one(&t, "rfc3164", "^<HOST>");
	want_conf_error(&t, "datepattern", "syslog");

	tconf_one(&t, "syslog", "^<HOST>");
	tconf_zone(&t, "Mars/Olympus");
	want_conf_error(&t, "logtimezone", "UTC");

	tconf_one(&t, "none", "^<HOST>");
	t.fc.idents = xstrdup("sshd");
	want_conf_error(&t, "idents", "syslog");

	tconf_one(&t, "syslog", "^<HOST>");
	free(t.fail[0].name);
	free(t.fail[0].pattern);
	t.fc.nfailregex = 0;
	want_conf_error(&t, "failregex", "no failregex");
}

/* Fills buf with an Invalid user line of exactly n bytes. */
static void
long_line(char *buf, size_t n)
{
	const char	*head = "May 30 06:25:01 h sshd[1]: Invalid user ";
	const char	*tail = " from 192.0.2.1 port 1";

	memcpy(buf, head, strlen(head));
	memset(buf + strlen(head), 'u', n - strlen(head) - strlen(tail));
	memcpy(buf + n - strlen(tail), tail, strlen(tail));
}

static void
test_limits(void **state)
{
	struct tconf	 t;
	struct rx	*r;
	struct event	 ev;
	const char	*l = "May 30 06:25:01 h sshd[1]: Invalid user a from "
			    "192.0.2.1 port 1999";
	const char	*tail = " from 192.0.2.1 port 1";
	char		*big;
	size_t		 i, n = EVENT_LINE_MAX;

	(void)state;
	tconf_load(&t);
	tconf_zone(&t, "UTC");
	r = rx_build(&t, iso_ms("2026-06-01T00:00:00Z"));

	/* The length is the line's: bytes after it do not count. */
	assert_int_equal(rx_parse(r, l, strlen(l) - 3, &ev), FILTER_OK);
	assert_int_equal(rx_parse(r, l, strlen(l) - 18, &ev), FILTER_SKIP);

	/* Up to 64 KiB parses; one byte more is bad. */
	assert_non_null(big = malloc(n + 1));
	long_line(big, n);
	assert_int_equal(rx_parse(r, big, n, &ev), FILTER_OK);
	assert_int_equal(ev.addr.bytes[3], 1);
	long_line(big, n + 1);
	assert_int_equal(rx_parse(r, big, n + 1, &ev), FILTER_BAD);

	/* A line of repeated tails and no end does not match. */
	long_line(big, n);
	for (i = 45; i + strlen(tail) < n; i += strlen(tail))
		memcpy(big + i, tail, strlen(tail));
	memset(big + i, ' ', n - i);
	assert_int_equal(rx_parse(r, big, n, &ev), FILTER_SKIP);
	free(big);
	rx_free(r);
	tconf_free(&t);
}

/* bench/genlog.py sshd against its truth file. */

struct known {
	struct addr	 a;
	int		 benign;	/* 1 benign, 2 benign with a typo */
	long long	 hits;
	int64_t		 first_ms;	/* first failure seen */
	int64_t		 truth_first_ms;
};

struct genlog {
	struct known	*v;
	size_t		 n;
	long long	 attack_lines;
	int64_t		 start_ms;
};

static int
known_cmp(const void *x, const void *y)
{
	const struct known	*a = x, *b = y;

	if (a->a.family != b->a.family)
		return a->a.family - b->a.family;
	return memcmp(a->a.bytes, b->a.bytes, sizeof(a->a.bytes));
}

static struct known *
known_find(struct genlog *g, const struct addr *a)
{
	struct known	 k;

	memset(&k, 0, sizeof(k));
	k.a = *a;
	return bsearch(&k, g->v, g->n, sizeof(*g->v), known_cmp);
}

static void
known_add(struct genlog *g, const char *s, int benign, int64_t first)
{
	struct known	*k;

	g->v = reallocarray(g->v, g->n + 1, sizeof(*g->v));
	assert_non_null(g->v);
	k = &g->v[g->n++];
	memset(k, 0, sizeof(*k));
	assert_int_equal(addr_parse(&k->a, s, strlen(s)), 0);
	k->benign = benign;
	k->truth_first_ms = first;
	k->first_ms = -1;
}

static void
genlog_truth(struct genlog *g, const char *path)
{
	struct json_object	*t, *o, *att, *typo;
	size_t			 i;
	char			 when[32];

	assert_non_null(t = json_object_from_file(path));
	assert_true(json_object_object_get_ex(t, "attackers", &att));
	json_object_object_foreach(att, ip, v) {
		assert_true(json_object_object_get_ex(v, "first", &o));
		known_add(g, ip, 0, iso_ms(json_object_get_string(o)));
	}
	assert_true(json_object_object_get_ex(t, "benign_ips", &o));
	assert_true(json_object_object_get_ex(t, "benign_typo_ips", &typo));
	for (i = 0; i < json_object_array_length(o); i++) {
		const char	*s = json_object_get_string(
				    json_object_array_get_idx(o, i));
		size_t		 j;
		int		 b = 1;

		for (j = 0; j < json_object_array_length(typo); j++)
			if (strcmp(s, json_object_get_string(
			    json_object_array_get_idx(typo, j))) == 0)
				b = 2;
		known_add(g, s, b, 0);
	}
	assert_true(json_object_object_get_ex(t, "attack_lines", &o));
	g->attack_lines = json_object_get_int64(o);
	assert_true(json_object_object_get_ex(t, "start", &o));
	snprintf(when, sizeof(when), "%sT00:00:00Z",
	    json_object_get_string(o));
	g->start_ms = iso_ms(when);
	json_object_put(t);
	qsort(g->v, g->n, sizeof(*g->v), known_cmp);
}

/* Runs the generator; returns 0, or -1 when python3 cannot run. */
static int
genlog_run(const char *log, const char *truth)
{
	pid_t	 pid;
	int	 st;

	if (access(GENLOG, R_OK) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		execlp("python3", "python3", GENLOG, "sshd", "-n", "20000",
		    "-o", log, "-t", truth, (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -1;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* One failure: its address must be known, benign ones only for typos. */
static void
genlog_hit(struct genlog *g, const struct event *ev, const char *line,
    long long *typos)
{
	struct known	*k;
	char		 buf[ADDR_STRLEN];

	if ((k = known_find(g, &ev->addr)) == NULL)
		fail_msg("unknown address %s: %s",
		    addr_format(&ev->addr, buf, sizeof(buf)), line);
	if (k->benign) {
		if (k->benign != 2 ||
		    strstr(line, ": Failed password for ") == NULL)
			fail_msg("benign line matched: %s", line);
		(*typos)++;
	}
	if (k->hits++ == 0)
		k->first_ms = ev->time_ms;
	assert_true(ev->time_ms >= g->start_ms &&
	    ev->time_ms < g->start_ms + (86400 + 4000) * 1000LL);
}

static void
test_genlog(void **state)
{
	char		 dir[] = "/tmp/test_rx.XXXXXX", log[64], truth[64];
	struct genlog	 g;
	struct tconf	 t;
	struct rx	*r;
	struct event	 ev;
	FILE		*fp;
	char		*line = NULL;
	size_t		 cap = 0, i;
	ssize_t		 len;
	long long	 checkpass = 0, typo_lines = 0, typos = 0, att = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/h2.log", dir);
	snprintf(truth, sizeof(truth), "%s/h2.truth.json", dir);
	if (genlog_run(log, truth) == -1) {
		rmdir(dir);
		skip();
	}
	memset(&g, 0, sizeof(g));
	genlog_truth(&g, truth);
	tconf_load(&t);
	tconf_zone(&t, "UTC");
	r = rx_build(&t, g.start_ms + 86400 * 1000LL);
	assert_non_null(fp = fopen(log, "r"));
	while ((len = getline(&line, &cap, fp)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		/* Counted here from the text, independently of the filter. */
		checkpass += strstr(line, ": pam_unix(sshd:auth): check pass;")
		    != NULL;
		typo_lines += strstr(line, ": Failed password for ") != NULL &&
		    strstr(line, " for root from ") == NULL &&
		    strstr(line, " for invalid user ") == NULL;
		switch (rx_parse(r, line, (size_t)len, &ev)) {
		case FILTER_OK:
			genlog_hit(&g, &ev, line, &typos);
			break;
		case FILTER_SKIP:
			break;
		default:
			fail_msg("bad line: %s", line);
		}
	}
	for (i = 0; i < g.n; i++) {
		if (g.v[i].benign)
			continue;
		assert_true(g.v[i].hits >= 1);
		assert_int_equal(g.v[i].first_ms, g.v[i].truth_first_ms);
		att += g.v[i].hits;
	}
	/* Every attack line but "check pass" (it has no address) counts. */
	assert_int_equal(att, g.attack_lines - checkpass);
	assert_true(typo_lines > 0);
	assert_int_equal(typos, typo_lines);
	free(line);
	fclose(fp);
	rx_free(r);
	tconf_free(&t);
	free(g.v);
	unlink(log);
	unlink(truth);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_traditional),
		cmocka_unit_test(test_sample_rfc3339),
		cmocka_unit_test(test_sample_rfc5424),
		cmocka_unit_test(test_extra),
		cmocka_unit_test(test_new_year),
		cmocka_unit_test(test_logtimezone),
		cmocka_unit_test(test_datepatterns),
		cmocka_unit_test(test_ignoreregex),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_genlog),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
