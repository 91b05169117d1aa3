/*
 * Tests of configuration loading: defaults, drop-ins, .local overrides,
 * files that are never read, and errors that name file, section, key.
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

#include "conf.h"
#include "testutil.h"
#include "util.h"

static char	 dir[256];

static void
put(const char *rel, const char *text)
{
	char	 p[512];
	FILE	*fp;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_non_null(fp = fopen(p, "w"));
	fputs(text, fp);
	fclose(fp);
}

static int
setup(void **unused)
{
	char	 p[512];

	(void)unused;
	snprintf(dir, sizeof(dir), "/tmp/test_conf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/jails.d", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/filters.d", dir);
	mkdir(p, 0755);
	put("filters.d/web.conf", "[web]\nformat = combined\n");
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	return testutil_rmtree(dir);
}

static struct conf *
load(char *err, size_t len)
{
	return conf_load(dir, err, len);
}

static void
test_empty_dir(void **unused)
{
	char		 err[512], empty[] = "/tmp/test_conf_empty.XXXXXX";
	struct conf	*c;

	(void)unused;
	assert_non_null(mkdtemp(empty));
	c = conf_load(empty, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->threshold, 100);
	assert_int_equal(c->bantime, 3600);
	assert_int_equal(c->bantime_max, 7 * 86400);
	assert_int_equal(c->neighbours, 3);
	assert_int_equal(c->prefix4, 24);
	assert_int_equal(c->prefix6, 48);
	assert_int_equal(c->max_tracked, 1000000);
	assert_string_equal(c->table, "abusemom");
	assert_string_equal(c->database, "/var/lib/abusemom/abusemom.db");
	assert_int_equal(c->njails, 0);
	conf_free(c);
	rmdir(empty);
}

static void
test_local_override(void **unused)
{
	char		 err[512];
	struct conf	*c;
	struct jail_conf *jc;

	(void)unused;
	put("abusemom.conf", "[ban]\nthreshold = 120\nbantime = 2h\n");
	put("abusemom.local", "[ban]\nbantime = 10m\n");
	put("jails.d/a.conf", "[a]\nenabled = yes\nlogpath = /var/log/a.log "
	    "head /var/log/b*.log\nfilter = web\nsignatures = burst danger\n"
	    "burst.tiers = 4:30 9:100\n");
	put("jails.d/a.local", "[a]\nwindow = 5m\n");
	/* Never read: package backups and editor files. */
	put("jails.d/a.conf.dpkg-dist", "[broken\n");
	put("jails.d/b.conf.rpmnew", "[b]\nnonsense = 1\n");
	put("jails.d/c.conf~", "[c]\nnonsense = 1\n");
	c = load(err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->threshold, 120);
	assert_int_equal(c->bantime, 600);
	assert_int_equal(c->njails, 1);
	jc = conf_jail(c, "a");
	assert_non_null(jc);
	assert_int_equal(jc->sig.window_ms, 300000);
	assert_int_equal(jc->bantime, 600);
	assert_int_equal(jc->nlogpath, 2);
	assert_int_equal(jc->logpath[0].head, 1);
	assert_int_equal(jc->logpath[1].head, 0);
	assert_string_equal(jc->logpath[1].glob, "/var/log/b*.log");
	assert_int_equal(jc->sig.mask, (1u << SIG_BURST) | (1u << SIG_DANGER));
	assert_int_equal(jc->sig.burst.n, 2);
	assert_int_equal(jc->sig.burst.t[1].at, 9);
	assert_int_equal(jc->sig.burst.t[1].points, 100);
	conf_free(c);
}

/* Loads with one jails.d file and checks the error message. */
static void
expect_error(const char *jail, const char *want)
{
	char		 err[512];
	struct conf	*c;

	put("jails.d/x.conf", jail);
	c = load(err, sizeof(err));
	if (c != NULL) {
		conf_free(c);
		fail_msg("no error for: %s", jail);
	}
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void
test_errors(void **unused)
{
	char	 want[600];

	(void)unused;
	snprintf(want, sizeof(want), "%s/jails.d/x.conf: [x] windw: unknown "
	    "key", dir);
	expect_error("[x]\nwindw = 10m\n", want);
	expect_error("[x]\nwindow = ten\n", "[x] window: 'ten' is not a "
	    "duration");
	expect_error("[x]\nenabled = yes\nlogpath = /l\nfilter = nope\n"
	    "signatures = burst\n", "[x] filter: no filter 'nope'");
	expect_error("[x]\nenabled = yes\nlogpath = /l\nfilter = web\n"
	    "signatures = burst teleport\n", "[x] signatures: unknown "
	    "signature 'teleport'");
	expect_error("[x]\nenabled = perhaps\n", "[x] enabled:");
	expect_error("[x]\nburst.tiers = 9:10 3:20\n", "[x] burst.tiers:");
	expect_error("[x]\nenabled = yes\nlogpath = relative.log\n",
	    "[x] logpath: 'relative.log' is not an absolute path");
	/* Found by fuzz_conf: the message read the word after its free. */
	expect_error("[x]\nenabled = yes\nlogpath = head\n",
	    "[x] logpath: 'head' must follow a path");
	put("jails.d/x.conf", "[x]\n");
	put("abusemom.conf", "[ban]\nthreshold = 0\n");
	{
		char		 err[512];
		struct conf	*c = load(err, sizeof(err));

		assert_null(c);
		assert_non_null(strstr(err, "abusemom.conf: [ban] threshold:"));
	}
	put("abusemom.conf", "[ignore]\naddresses = 192.0.2.0/33\n");
	{
		char		 err[512];
		struct conf	*c = load(err, sizeof(err));

		assert_null(c);
		assert_non_null(strstr(err, "[ignore] addresses: "
		    "'192.0.2.0/33' is not an address"));
	}
	{
		static const struct {
			const char	*text, *want;
		} v[] = {
			{ "[daemon]\nsocket_group = nosuchgroup\n",
			    "[daemon] socket_group: no group 'nosuchgroup'" },
			{ "[daemon]\ndatabase = rel.db\n",
			    "[daemon] database: 'rel.db' is not an absolute" },
			{ "[firewall]\ntable = bad name!\n",
			    "[firewall] table: 'bad name!' is not 1-64" },
			{ "[dnsbl]\nserver = 1.2.3\n",
			    "[dnsbl] server: '1.2.3' is not ADDR" },
		};
		char		 err[512];
		size_t		 i;

		for (i = 0; i < UTIL_NELEM(v); i++) {
			put("abusemom.conf", v[i].text);
			assert_null(load(err, sizeof(err)));
			if (strstr(err, v[i].want) == NULL)
				fail_msg("'%s' lacks '%s'", err, v[i].want);
		}
	}
	put("abusemom.conf", "[firewal]\nbackend = none\n");
	{
		char		 err[512];
		struct conf	*c = load(err, sizeof(err));

		assert_null(c);
		assert_non_null(strstr(err, "[firewal]: unknown section"));
	}
	put("abusemom.conf", "");
}

/* An error in a .local names the .local, where the key was written. */
static void
test_local_errors(void **unused)
{
	char		 err[512], want[600];
	struct conf	*c;

	(void)unused;
	put("jails.d/w.conf", "[w]\nenabled = no\n");
	put("jails.d/w.local", "[w]\nwindw = 5m\n");
	assert_null(c = load(err, sizeof(err)));
	snprintf(want, sizeof(want), "%s/jails.d/w.local: [w] windw: unknown "
	    "key", dir);
	assert_string_equal(err, want);
	put("jails.d/w.local", "[w]\nwindow = 5m\n");
	put("abusemom.local", "[ban]\nthreshold = abc\n");
	assert_null(c = load(err, sizeof(err)));
	assert_non_null(strstr(err, "/abusemom.local: [ban] threshold:"));
	snprintf(want, sizeof(want), "%s/abusemom.local", dir);
	unlink(want);
	/* A .local alone is a drop-in of its own. */
	put("jails.d/only.local", "[only]\nbantime = never\n");
	assert_null(c = load(err, sizeof(err)));
	assert_non_null(strstr(err, "/jails.d/only.local: [only] bantime:"));
}

static void
test_missing_dir(void **unused)
{
	char		 err[512];

	(void)unused;
	assert_null(conf_load("/nonexistent/abusemom", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/abusemom: No such file or "
	    "directory");
	assert_null(conf_load("/etc/passwd", err, sizeof(err)));
	assert_string_equal(err, "/etc/passwd: not a directory");
}

static void
test_bad_regex(void **unused)
{
	char		 err[512];
	struct conf	*c;

	(void)unused;
	put("jails.d/x.conf", "[x]\n");
	put("filters.d/bad.conf", "[bad]\nformat = combined\n"
	    "danger_high = \"(unclosed\"\n");
	c = load(err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "filters.d/bad.conf: [bad] danger_high:"));
	unlink("filters.d/bad.conf");
	put("filters.d/bad.conf", "[bad]\nformat = combined\n");
}

static void
test_print(void **unused)
{
	char		 err[512], *buf = NULL;
	size_t		 len = 0;
	struct conf	*c;
	FILE		*fp;

	(void)unused;
	put("jails.d/x.conf", "[x]\nenabled = yes\nlogpath = /var/log/x.log\n"
	    "filter = web\nsignatures = ratio404 referer\n");
	assert_non_null(c = load(err, sizeof(err)));
	assert_non_null(fp = open_memstream(&buf, &len));
	conf_print(c, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "jail x\n"));
	assert_non_null(strstr(buf, "filter     web\n"));
	assert_non_null(strstr(buf, "signatures ratio404 referer\n"));
	assert_non_null(strstr(buf, " /var/log/x.log"));
	/* Neither own_domains nor a logged Host: -t says so. */
	assert_non_null(strstr(buf, "warning: jail x: referer is inactive"));
	free(buf);
	conf_free(c);
	/* authfail reads failregex filters; web is an access log. */
	put("jails.d/x.conf", "[x]\nenabled = yes\nlogpath = /var/log/x.log\n"
	    "filter = web\nsignatures = authfail\n");
	assert_non_null(c = load(err, sizeof(err)));
	assert_non_null(fp = open_memstream(&buf, &len));
	conf_print(c, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "warning: jail x: authfail reads failregex "
	    "filters"));
	free(buf);
	conf_free(c);
}

static void
test_durations(void **unused)
{
	long long	 v;
	char		 buf[16];

	(void)unused;
	assert_int_equal(util_parse_duration("90", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(util_parse_duration("10m", &v), 0);
	assert_int_equal(v, 600);
	assert_int_equal(util_parse_duration("2d", &v), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(util_parse_duration("1w", &v), 0);
	assert_int_equal(v, 604800);
	assert_int_equal(util_parse_duration("-5", &v), -1);
	assert_int_equal(util_parse_duration("5x", &v), -1);
	assert_int_equal(util_parse_duration("", &v), -1);
	assert_int_equal(util_parse_duration("99999999999999999999", &v), -1);
	util_format_duration(3600, buf, sizeof(buf));
	assert_string_equal(buf, "1h");
	util_format_duration(90, buf, sizeof(buf));
	assert_string_equal(buf, "90s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_dir),
		cmocka_unit_test_setup_teardown(test_local_override, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_errors, setup,
		    teardown),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test_setup_teardown(test_bad_regex, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_print, setup, teardown),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
