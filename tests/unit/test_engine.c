/*
 * Tests of the pipeline through replay: the seed offender, the benign
 * corpus, subnet escalation, IPv6 /64 units, ignore lists, trusted
 * proxies, ban-time growth and bounded tracking.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "conf.h"
#include "engine.h"
#include "replay.h"
#include "testutil.h"
#include "util.h"

static char	 tmpdir[256];

static const char web_jails[] =
    "[dirscan]\nenabled = yes\nlogpath = /x\nfilter = nginx-access\n"
    "signatures = ratio404 danger probe302\nwindow = 10m\n"
    "[flood]\nenabled = yes\nlogpath = /x\nfilter = nginx-access\n"
    "signatures = burst\nwindow = 10m\n"
    "[uarotation]\nenabled = yes\nlogpath = /x\nfilter = nginx-access\n"
    "signatures = uachange referer badua\nwindow = 10m\n"
    "own_domains = example.com\n";

static void
write_file(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/*
 * A config dir with the repo's nginx-access filter, an optional extra
 * filter, these jails and main text.
 */
static struct conf *
make_conf_f(const char *jails, const char *main_text, const char *extra)
{
	char		 p[512], top[512], err[1024];
	struct conf	*c;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_engine.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	assert_non_null(realpath("../filters.d/nginx-access.conf", top));
	snprintf(p, sizeof(p), "%s/filters.d", tmpdir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/filters.d/nginx-access.conf", tmpdir);
	assert_int_equal(symlink(top, p), 0);
	if (extra != NULL) {
		snprintf(p, sizeof(p), "%s/filters.d/extra.conf", tmpdir);
		write_file(p, extra);
	}
	snprintf(p, sizeof(p), "%s/jails.d", tmpdir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/jails.d/t.conf", tmpdir);
	write_file(p, jails);
	snprintf(p, sizeof(p), "%s/abusemom.conf", tmpdir);
	write_file(p, main_text ? main_text : "[ignore]\nignore_self = no\n");
	c = conf_load(tmpdir, err, sizeof(err));
	if (c == NULL)
		fail_msg("conf: %s", err);
	return c;
}

static struct conf *
make_conf(const char *jails, const char *main_text)
{
	return make_conf_f(jails, main_text, NULL);
}

static void
drop_conf(struct conf *c)
{
	conf_free(c);
	assert_int_equal(testutil_rmtree(tmpdir), 0);
}

/* Replays files and returns the JSON lines as one array. */
static json_object *
replay(struct conf *c, char *const *files, int n)
{
	char		*buf = NULL, *line, *save = NULL;
	size_t		 len = 0;
	FILE		*out = open_memstream(&buf, &len);
	json_object	*arr = json_object_new_array();

	assert_int_equal(replay_run(c, files, n, NULL, 1, out), 0);
	fclose(out);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		json_object	*o = json_tokener_parse(line);

		assert_non_null(o);
		json_object_array_add(arr, o);
	}
	free(buf);
	return arr;
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static int
jint(json_object *o, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	return json_object_get_int(v);
}

/* The first record with this action (and address, when given). */
static json_object *
find(json_object *arr, const char *action, const char *addr, int nth)
{
	size_t	 i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object	*o = json_object_array_get_idx(arr, i);
		const char	*a = jstr(o, "addr");

		if (strcmp(jstr(o, "action"), action) != 0)
			continue;
		if (addr != NULL && (a == NULL || strcmp(a, addr) != 0))
			continue;
		if (nth-- == 0)
			return o;
	}
	return NULL;
}

static size_t
count(json_object *arr, const char *action)
{
	size_t	 i, n = 0;

	for (i = 0; i < json_object_array_length(arr); i++)
		if (strcmp(jstr(json_object_array_get_idx(arr, i), "action"),
		    action) == 0)
			n++;
	return n;
}

static void
test_seed(void **unused)
{
	struct conf	*c = make_conf(web_jails, NULL);
	char		*files[] = { "data/replay/seed.log" };
	json_object	*arr = replay(c, files, 1), *o, *sigs, *v;
	static const struct {
		const char	*kind;
		int		 points;
	} want[] = {
		{ "ratio404", 15 }, { "burst", 35 }, { "danger", 60 },
		{ "referer", 10 }, { "probe302", 20 }, { "uachange", 25 },
	};
	size_t		 i;

	(void)unused;
	o = find(arr, "ban", "203.0.113.7", 0);
	assert_non_null(o);
	assert_int_equal(jint(o, "prefix"), 32);
	assert_true(jint(o, "score") >= 100);
	assert_int_equal(jint(o, "bantime"), 3600);
	o = find(arr, "offender", "203.0.113.7", 0);
	assert_non_null(o);
	assert_int_equal(jint(o, "score"), 165);
	assert_string_equal(jstr(o, "verdict"), "critical");
	assert_int_equal(jint(o, "hits"), 17);
	assert_true(json_object_object_get_ex(o, "signatures", &sigs));
	assert_int_equal(json_object_object_length(sigs), 6);
	for (i = 0; i < UTIL_NELEM(want); i++) {
		assert_true(json_object_object_get_ex(sigs, want[i].kind, &v));
		assert_int_equal(json_object_get_int(v), want[i].points);
	}
	o = find(arr, "summary", NULL, 0);
	assert_int_equal(jint(o, "lines"), 17);
	assert_int_equal(jint(o, "parsed"), 17);
	assert_int_equal(jint(o, "bans"), 1);
	json_object_put(arr);
	drop_conf(c);
}

static void
test_skipped_per_file(void **unused)
{
	struct conf	*c = make_conf(web_jails, NULL);
	char		 bad[300];
	char		*files[] = { "data/replay/seed.log", bad };
	json_object	*arr, *o, *fv, *f, *v;
	FILE		*fp;

	(void)unused;
	snprintf(bad, sizeof(bad), "%s/garbage.log", tmpdir);
	assert_non_null(fp = fopen(bad, "w"));
	fputs("not a log line\n\n\x16\x03\x01 tls bytes\n", fp);
	fputs("192.0.2.9 - - [30/May/2026:06:00:00 +0000] \"GET / HTTP/1.1\" "
	    "200 1 \"-\" \"x\"\n", fp);
	fclose(fp);
	arr = replay(c, files, 2);
	o = find(arr, "summary", NULL, 0);
	assert_int_equal(jint(o, "lines"), 21);
	assert_int_equal(jint(o, "parsed"), 18);
	assert_int_equal(jint(o, "skipped"), 3);
	assert_true(json_object_object_get_ex(o, "files", &fv));
	assert_int_equal(json_object_array_length(fv), 2);
	f = json_object_array_get_idx(fv, 0);
	assert_int_equal(jint(f, "lines"), 17);
	assert_int_equal(jint(f, "skipped"), 0);
	f = json_object_array_get_idx(fv, 1);
	assert_true(json_object_object_get_ex(f, "path", &v));
	assert_string_equal(json_object_get_string(v), bad);
	assert_int_equal(jint(f, "lines"), 4);
	assert_int_equal(jint(f, "skipped"), 3);
	/* The garbage changed nothing for the seed offender. */
	assert_int_equal(jint(find(arr, "offender", "203.0.113.7", 0),
	    "score"), 165);
	json_object_put(arr);
	drop_conf(c);
}

/* A directory or an empty jail list is refused, not replayed empty. */
static void
test_replay_refusals(void **unused)
{
	struct conf	*c = make_conf(web_jails, NULL);
	char		*dirs[] = { "data" };
	char		*files[] = { "data/replay/seed.log" };
	FILE		*out = fopen("/dev/null", "w");

	(void)unused;
	assert_non_null(out);
	assert_int_equal(replay_run(c, dirs, 1, NULL, 1, out), 1);
	assert_int_equal(replay_run(c, files, 1, "", 1, out), 1);
	assert_int_equal(replay_run(c, files, 1, "nosuch", 1, out), 1);
	assert_int_equal(replay_run(c, files, 1, "flood", 1, out), 0);
	fclose(out);
	drop_conf(c);
}

/* Lines across the reader's chunks, one longer than a chunk. */
static void
test_replay_chunks(void **unused)
{
	struct conf	*c = make_conf(web_jails, NULL);
	char		 path[300];
	char		*files[] = { path };
	json_object	*arr, *o;
	FILE		*fp;
	int		 i;

	(void)unused;
	snprintf(path, sizeof(path), "%s/big.log", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < 30000; i++)
		fprintf(fp, "198.51.100.%d - - [30/May/2026:06:00:00 +0000] "
		    "\"GET /page/%d HTTP/1.1\" 200 1 \"-\" \"x\"\n", i % 200,
		    i);
	for (i = 0; i < 3 * 1024 * 1024; i++)
		fputc('x', fp);
	fputc('\n', fp);
	fprintf(fp, "198.51.100.1 - - [30/May/2026:06:00:01 +0000] "
	    "\"GET / HTTP/1.1\" 200 1 \"-\" \"x\"");
	fclose(fp);
	arr = replay(c, files, 1);
	o = find(arr, "summary", NULL, 0);
	assert_int_equal(jint(o, "lines"), 30002);
	assert_int_equal(jint(o, "parsed"), 30001);
	assert_int_equal(jint(o, "skipped"), 1);
	json_object_put(arr);
	drop_conf(c);
}

static void
test_benign(void **unused)
{
	struct conf	*c = make_conf(web_jails, NULL);
	char		*files[] = { "data/replay/benign.log" };
	json_object	*arr = replay(c, files, 1), *o;

	(void)unused;
	assert_int_equal(count(arr, "ban"), 0);
	o = find(arr, "summary", NULL, 0);
	assert_int_equal(jint(o, "lines"), 2605);
	assert_int_equal(jint(o, "skipped"), 0);
	assert_int_equal(jint(o, "bans"), 0);
	/* The office is watched, never blocked. */
	o = find(arr, "offender", "203.0.113.50", 0);
	assert_non_null(o);
	assert_true(jint(o, "score") < 100);
	json_object_put(arr);
	drop_conf(c);
}

/* Writes n requests for /.env from addr at t seconds into fp. */
static void
scan(FILE *fp, const char *addr, int t0, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%s - - [30/May/2026:%02d:%02d:%02d +0000] "
		    "\"GET /.env%d HTTP/1.1\" 404 1 \"-\" \"x\"\n", addr,
		    6 + (t0 + i) / 3600, (t0 + i) / 60 % 60, (t0 + i) % 60, i);
}

static char *
scan_file(const char *const *addrs, size_t n, int each)
{
	static char	 path[300];
	FILE		*fp;
	size_t		 i;

	snprintf(path, sizeof(path), "%s/scan.log", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < n; i++)
		scan(fp, addrs[i], (int)i * 30, each);
	fclose(fp);
	return path;
}

static void
test_subnet(void **unused)
{
	static const char *const addrs[] = {
		"198.51.100.3", "198.51.100.4", "198.51.100.5", "198.51.100.6"
	};
	struct conf	*c = make_conf(web_jails, NULL);
	char		*files[1];
	json_object	*arr, *o;

	(void)unused;
	files[0] = scan_file(addrs, 4, 12);
	arr = replay(c, files, 1);
	/* Three neighbours bring the /24; the fourth is inside it. */
	assert_non_null(find(arr, "ban", "198.51.100.3", 0));
	assert_non_null(find(arr, "ban", "198.51.100.5", 0));
	o = find(arr, "ban", "198.51.100.0", 0);
	assert_non_null(o);
	assert_string_equal(jstr(o, "jail"), "subnet");
	assert_int_equal(jint(o, "prefix"), 24);
	assert_int_equal(jint(o, "bantime"), 86400);
	{
		json_object	*sigs, *v;

		/* It says why: the signatures of the neighbour that made it. */
		assert_true(json_object_object_get_ex(o, "signatures", &sigs));
		assert_true(json_object_object_get_ex(sigs, "danger", &v));
		assert_int_equal(json_object_get_int(v), 90);
	}
	assert_null(find(arr, "ban", "198.51.100.6", 0));
	o = find(arr, "summary", NULL, 0);
	assert_int_equal(jint(o, "bans"), 3);
	assert_int_equal(jint(o, "subnet_bans"), 1);
	json_object_put(arr);
	drop_conf(c);
}

static void
test_subnet_ignored(void **unused)
{
	static const char *const addrs[] = {
		"198.51.100.3", "198.51.100.4", "198.51.100.5"
	};
	struct conf	*c = make_conf(web_jails, "[ignore]\nignore_self = no\n"
			    "addresses = 198.51.100.200 203.0.113.0/28\n");
	char		*files[1];
	json_object	*arr;

	(void)unused;
	files[0] = scan_file(addrs, 3, 12);
	arr = replay(c, files, 1);
	assert_int_equal(count(arr, "ban"), 3);
	assert_null(find(arr, "ban", "198.51.100.0", 0));
	json_object_put(arr);
	drop_conf(c);
}

static void
test_ignore_and_ipv6(void **unused)
{
	static const char *const addrs[] = {
		"203.0.113.5", "2001:db8:1:2::77", "2001:db8:1:2::78"
	};
	struct conf	*c = make_conf(web_jails, "[ignore]\nignore_self = no\n"
			    "addresses = 203.0.113.0/28\n");
	char		*files[1];
	json_object	*arr, *o;

	(void)unused;
	files[0] = scan_file(addrs, 3, 12);
	arr = replay(c, files, 1);
	assert_null(find(arr, "ban", "203.0.113.5", 0));
	assert_null(find(arr, "offender", "203.0.113.5", 0));
	/* The /64 is the unit: the second address adds no ban. */
	o = find(arr, "ban", "2001:db8:1:2::", 0);
	assert_non_null(o);
	assert_int_equal(jint(o, "prefix"), 64);
	assert_int_equal(count(arr, "ban"), 1);
	json_object_put(arr);
	drop_conf(c);
}

/* A new address of one /64 for every request is still one offender. */
static void
test_ipv6_rotation(void **unused)
{
	struct conf	*c = make_conf(web_jails, "[ignore]\nignore_self = no\n"
			    "addresses = 2001:db8:7::10\n");
	char		 path[300];
	char		*files[] = { path };
	json_object	*arr, *o;
	FILE		*fp;
	int		 i;

	(void)unused;
	snprintf(path, sizeof(path), "%s/rot.log", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < 12; i++) {
		/* One scanner rotating its host bits. */
		fprintf(fp, "2001:db8:1:2::%x - - [30/May/2026:06:00:%02d "
		    "+0000] \"GET /.env%d HTTP/1.1\" 404 1 \"-\" \"x\"\n",
		    0x100 + i, i, i);
		/* One in the /64 of an ignored address: never scored. */
		fprintf(fp, "2001:db8:7::%x - - [30/May/2026:06:00:%02d "
		    "+0000] \"GET /.env%d HTTP/1.1\" 404 1 \"-\" \"x\"\n",
		    0x200 + i, i, i);
		/* Nobody's addresses. */
		fprintf(fp, "0.0.0.0 - - [30/May/2026:06:00:%02d +0000] "
		    "\"GET /.env%d HTTP/1.1\" 404 1 \"-\" \"x\"\n", i, i);
	}
	fclose(fp);
	arr = replay(c, files, 1);
	o = find(arr, "ban", "2001:db8:1:2::", 0);
	assert_non_null(o);
	assert_int_equal(jint(o, "prefix"), 64);
	o = find(arr, "offender", "2001:db8:1:2::", 0);
	assert_non_null(o);
	assert_int_equal(jint(o, "hits"), 12);
	assert_null(find(arr, "ban", "2001:db8:7::", 0));
	assert_null(find(arr, "offender", "2001:db8:7::", 0));
	assert_null(find(arr, "offender", "0.0.0.0", 0));
	assert_int_equal(count(arr, "ban"), 1);
	json_object_put(arr);
	drop_conf(c);
}

static void
test_bantime_growth(void **unused)
{
	struct conf	*c = make_conf(web_jails, "[ignore]\nignore_self = no\n"
			    "[ban]\nbantime = 60\nbantime_factor = 3\n"
			    "bantime_max = 5m\n");
	char		 path[300];
	char		*files[] = { path };
	json_object	*arr;
	FILE		*fp;
	int		 i;

	(void)unused;
	snprintf(path, sizeof(path), "%s/again.log", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	/* Four scans twenty minutes apart: 60 s, 180 s, then the 5 m cap. */
	for (i = 0; i < 4; i++)
		scan(fp, "192.0.2.44", i * 1200, 12);
	fclose(fp);
	arr = replay(c, files, 1);
	assert_int_equal(count(arr, "ban"), 4);
	assert_int_equal(jint(find(arr, "ban", NULL, 0), "bantime"), 60);
	assert_int_equal(jint(find(arr, "ban", NULL, 1), "bantime"), 180);
	assert_int_equal(jint(find(arr, "ban", NULL, 2), "bantime"), 300);
	assert_int_equal(jint(find(arr, "ban", NULL, 3), "bantime"), 300);
	json_object_put(arr);
	drop_conf(c);
}

/* After a ban runs out, only new evidence bans again. */
static void
test_expiry_needs_evidence(void **unused)
{
	struct conf	*c = make_conf(web_jails, "[ignore]\nignore_self = no\n"
			    "[ban]\nbantime = 60\n");
	char		 path[300];
	char		*files[] = { path };
	json_object	*arr;
	FILE		*fp;

	(void)unused;
	snprintf(path, sizeof(path), "%s/expiry.log", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	scan(fp, "192.0.2.45", 0, 12);
	/* Two minutes on, within the window: a harmless request. */
	fprintf(fp, "192.0.2.45 - - [30/May/2026:06:02:00 +0000] "
	    "\"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n");
	fclose(fp);
	arr = replay(c, files, 1);
	assert_int_equal(count(arr, "ban"), 1);
	json_object_put(arr);
	/* The same scan again bans again, for twice as long. */
	assert_non_null(fp = fopen(path, "a"));
	scan(fp, "192.0.2.45", 130, 12);
	fclose(fp);
	arr = replay(c, files, 1);
	assert_int_equal(count(arr, "ban"), 2);
	assert_int_equal(jint(find(arr, "ban", NULL, 1), "bantime"), 120);
	json_object_put(arr);
	drop_conf(c);
}

static void
test_proxy(void **unused)
{
	struct conf	*c = make_conf_f(
	    "[dirscan]\nenabled = yes\nlogpath = /x\nfilter = xff\n"
	    "signatures = ratio404 danger\n",
	    "[ignore]\nignore_self = no\n[proxy]\ntrusted = 192.0.2.0/24\n",
	    /* A filter that logs X-Forwarded-For last. */
	    "[xff]\nformat = '$remote_addr - $remote_user "
	    "[$time_local] \"$request\" $status $body_bytes_sent "
	    "\"$http_referer\" \"$http_user_agent\" "
	    "\"$http_x_forwarded_for\"'\n");
	char		 path[300];
	char		*files[] = { path };
	json_object	*arr;
	FILE		*fp;
	int		 i;

	(void)unused;
	snprintf(path, sizeof(path), "%s/xff.log", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < 12; i++)
		fprintf(fp, "192.0.2.1 - - [30/May/2026:06:00:%02d +0000] "
		    "\"GET /.git/config HTTP/1.1\" 404 1 \"-\" \"x\" "
		    "\"203.0.113.99, 198.51.100.8, 192.0.2.7\"\n", i);
	/* A trusted proxy without a forwarded hop is never scored. */
	for (i = 0; i < 12; i++)
		fprintf(fp, "192.0.2.2 - - [30/May/2026:06:01:%02d +0000] "
		    "\"GET /.git/config HTTP/1.1\" 404 1 \"-\" \"x\" "
		    "\"-\"\n", i);
	fclose(fp);
	arr = replay(c, files, 1);
	/* The rightmost untrusted hop is the client; proxies never score. */
	assert_non_null(find(arr, "ban", "198.51.100.8", 0));
	assert_int_equal(count(arr, "ban"), 1);
	assert_null(find(arr, "offender", "192.0.2.1", 0));
	assert_null(find(arr, "offender", "192.0.2.2", 0));
	assert_null(find(arr, "offender", "192.0.2.7", 0));
	assert_null(find(arr, "offender", "203.0.113.99", 0));
	json_object_put(arr);
	drop_conf(c);
}

static void
count_ban(void *arg, const struct decision *d)
{
	(void)d;
	(*(int *)arg)++;
}

static void
test_unban_forgives(void **unused)
{
	struct conf		*c = make_conf(web_jails, NULL);
	int			 bans = 0;
	struct engine_sink	 sink = { count_ban, NULL, NULL, &bans };
	struct engine		*e = engine_new(c, &sink);
	size_t			 jails[] = { 0, 1, 2 };
	struct prefix		 p;
	char			 line[256];
	int			 i, n;

	(void)unused;
	for (i = 0; i < 12; i++) {
		n = snprintf(line, sizeof(line), "192.0.2.77 - - "
		    "[30/May/2026:06:00:%02d +0000] \"GET /.env%d HTTP/1.1\" "
		    "404 1 \"-\" \"x\"", i, i);
		engine_feed(e, jails, 3, line, (size_t)n, 0);
	}
	assert_int_equal(bans, 1);
	prefix_parse(&p, "192.0.2.77");
	assert_int_equal(engine_unban(e, &p), 0);
	assert_int_equal(engine_unban(e, &p), -1);
	/* Its next ordinary request does not ban it again at once. */
	n = snprintf(line, sizeof(line), "192.0.2.77 - - [30/May/2026:06:00:30"
	    " +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"");
	engine_feed(e, jails, 3, line, (size_t)n, 0);
	assert_int_equal(bans, 1);
	assert_int_equal(score_get(engine_scores(e), &p.addr, 0)->score, 0);
	/* An IPv6 offender is its /64: lifting the /64 forgives it. */
	for (i = 0; i < 12; i++) {
		n = snprintf(line, sizeof(line), "2001:db8:9::%x - - "
		    "[30/May/2026:06:01:%02d +0000] \"GET /.env%d HTTP/1.1\" "
		    "404 1 \"-\" \"x\"", i + 1, i, i);
		engine_feed(e, jails, 3, line, (size_t)n, 0);
	}
	assert_int_equal(bans, 2);
	prefix_parse(&p, "2001:db8:9::/64");
	assert_true(score_get(engine_scores(e), &p.addr, 0)->score >= 100);
	assert_int_equal(engine_unban(e, &p), 0);
	assert_int_equal(score_get(engine_scores(e), &p.addr, 0)->score, 0);
	engine_free(e);
	drop_conf(c);
}

struct samples {
	char	 seen[64][96];
	int	 n, dup;
};

static void
note_sample(void *arg, const struct offender *o, const struct event *ev,
    const char *jail)
{
	struct samples	*sm = arg;
	char		 key[96];
	int		 i;

	(void)o;
	(void)jail;
	snprintf(key, sizeof(key), "%lld %.*s", (long long)ev->time_ms,
	    (int)ev->path.len, ev->path.p);
	for (i = 0; i < sm->n; i++)
		if (strcmp(sm->seen[i], key) == 0)
			sm->dup++;
	if (sm->n < 64)
		snprintf(sm->seen[sm->n++], sizeof(sm->seen[0]), "%s", key);
}

/* Three jails read the line; it is one sample, not three. */
static void
test_sample_once(void **unused)
{
	struct conf		*c = make_conf(web_jails, NULL);
	struct samples		 sm;
	struct engine_sink	 sink = { NULL, NULL, note_sample, &sm };
	struct engine		*e;
	size_t			 jails[] = { 0, 1, 2 };
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 n;
	FILE			*fp;

	(void)unused;
	memset(&sm, 0, sizeof(sm));
	assert_non_null(e = engine_new(c, &sink));
	assert_non_null(fp = fopen("data/replay/seed.log", "r"));
	while ((n = getline(&line, &cap, fp)) > 0)
		engine_feed(e, jails, 3, line, (size_t)n - 1, 0);
	fclose(fp);
	free(line);
	assert_true(sm.n >= 10);
	assert_int_equal(sm.dup, 0);
	engine_free(e);
	drop_conf(c);
}

static void
test_max_tracked(void **unused)
{
	struct conf		*c = make_conf(web_jails,
				    "[ignore]\nignore_self = no\n"
				    "[daemon]\nmax_tracked = 100\n");
	struct engine_sink	 sink = { NULL, NULL, NULL, NULL };
	struct engine		*e = engine_new(c, &sink);
	struct score_stats	 st;
	size_t			 jails[] = { 0, 1, 2 };
	char			 line[256];
	int			 i;

	(void)unused;
	assert_non_null(e);
	for (i = 0; i < 1000; i++) {
		int	 n = snprintf(line, sizeof(line), "198.51.%d.%d - - "
			    "[30/May/2026:06:%02d:%02d +0000] \"GET / "
			    "HTTP/1.1\" 200 1 \"-\" \"x\"", i / 250, i % 250,
			    i / 60 % 60, i % 60);

		engine_feed(e, jails, 3, line, (size_t)n, 0);
	}
	score_stats(engine_scores(e), &st);
	assert_true(st.tracked <= 100);
	assert_true(st.evicted >= 900);
	/* The newest address is still tracked; the oldest was evicted. */
	{
		struct addr	 a;

		addr_parse(&a, "198.51.3.249", 12);
		assert_non_null(score_get(engine_scores(e), &a, 0));
		addr_parse(&a, "198.51.0.0", 10);
		assert_null(score_get(engine_scores(e), &a, 0));
	}
	engine_free(e);
	drop_conf(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_skipped_per_file),
		cmocka_unit_test(test_replay_refusals),
		cmocka_unit_test(test_replay_chunks),
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_subnet),
		cmocka_unit_test(test_subnet_ignored),
		cmocka_unit_test(test_ignore_and_ipv6),
		cmocka_unit_test(test_ipv6_rotation),
		cmocka_unit_test(test_bantime_growth),
		cmocka_unit_test(test_expiry_needs_evidence),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_unban_forgives),
		cmocka_unit_test(test_sample_once),
		cmocka_unit_test(test_max_tracked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
