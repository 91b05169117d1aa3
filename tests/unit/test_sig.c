/* Tests of the signature detectors, fed events built by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sig.h"
#include "util.h"

struct fixture {
	struct sig_conf		 sc;
	struct sig_match	*m;
	void			*state;
};

static void
fx_init(struct fixture *fx, enum sig_kind k)
{
	const char	*err_key;
	char		 err[128];

	sig_conf_defaults(&fx->sc);
	fx->sc.mask = 1u << k;
	fx->sc.window_ms = 600000;
	assert_int_equal(sig_tiers_parse(&fx->sc.ratio404, "40:15 61:25 81:35"),
	    0);
	assert_int_equal(sig_tiers_parse(&fx->sc.ratio404_count,
	    "50:70 200:100"), 0);
	fx->sc.ratio404_min = 10;
	assert_int_equal(sig_tiers_parse(&fx->sc.burst, "5:35 8:60 10:100"), 0);
	fx->sc.burst_span_ms = 2000;
	fx->sc.static_ext = util_split(".css .js .png", NULL);
	fx->sc.danger_medium = 10;
	fx->sc.danger_medium_max = 60;
	fx->sc.danger_high = 30;
	fx->sc.danger_high_max = 90;
	fx->sc.referer = 10;
	assert_int_equal(sig_tiers_parse(&fx->sc.probe302,
	    "1:20 3:40 6:60 10:100"), 0);
	assert_int_equal(sig_tiers_parse(&fx->sc.uachange, "3:25 6:50 12:100"),
	    0);
	fx->sc.badua = 50;
	fx->sc.authfail = 20;
	fx->sc.authfail_max = 100;
	fx->sc.own_domains = util_split("example.com", NULL);
	sig_layout(&fx->sc);
	fx->m = sig_match_new(NULL, NULL, NULL, err, sizeof(err), &err_key);
	assert_non_null(fx->m);
	fx->state = calloc(1, fx->sc.size + 8);
	assert_non_null(fx->state);
}

static void
fx_free(struct fixture *fx)
{
	sig_conf_free(&fx->sc);
	sig_match_free(fx->m);
	free(fx->state);
}

static void
span(struct span *s, const char *p)
{
	s->p = p;
	s->len = p ? strlen(p) : 0;
}

/* Feeds one request; returns the points of the fixture's kind. */
static uint32_t
feed(struct fixture *fx, int64_t t_ms, const char *path, int status,
    const char *ua, const char *referer)
{
	struct event	 ev;
	struct sig_info	 in;
	struct sig_hit	 hits[SIG_NKINDS];
	size_t		 n;

	memset(&ev, 0, sizeof(ev));
	ev.time_ms = t_ms;
	ev.status = status;
	span(&ev.path, path);
	span(&ev.ua, ua);
	span(&ev.referer, referer);
	sig_info_fill(fx->m, fx->sc.mask, &ev, &in);
	in.t = t_ms;
	n = sig_observe(&fx->sc, fx->state, &ev, &in, hits);
	return n ? hits[0].points : 0;
}

#define T0	1780000000000LL

static void
test_ratio404_tiers(void **unused)
{
	struct fixture	 fx;
	uint32_t	 p = 0;
	int		 i;

	(void)unused;
	fx_init(&fx, SIG_RATIO404);
	/* Nine 404s of nine requests: fewer than ten requests count 0. */
	for (i = 0; i < 9; i++)
		p = feed(&fx, T0 + i * 1000, "/x", 404, "a", NULL);
	assert_int_equal(p, 0);
	/* Ten of ten: more than 80%. */
	assert_int_equal(feed(&fx, T0 + 9000, "/x", 404, "a", NULL), 35);
	fx_free(&fx);

	fx_init(&fx, SIG_RATIO404);
	/* 5 of 10 answered 404: the 40-60% tier. */
	for (i = 0; i < 10; i++)
		p = feed(&fx, T0 + i * 1000, "/x", i % 2 ? 404 : 200, "a",
		    NULL);
	assert_int_equal(p, 15);
	/* 7 of 10 404s gives 70%: the over-60% tier. */
	fx_free(&fx);
	fx_init(&fx, SIG_RATIO404);
	for (i = 0; i < 10; i++)
		p = feed(&fx, T0 + i * 1000, "/x", i < 3 ? 200 : 404, "a",
		    NULL);
	assert_int_equal(p, 25);
	fx_free(&fx);

	fx_init(&fx, SIG_RATIO404);
	/* 50 404s at over 80% give 70, 200 give 100. */
	for (i = 0; i < 50; i++)
		p = feed(&fx, T0 + i * 500, "/x", 404, "a", NULL);
	assert_int_equal(p, 70);
	for (i = 50; i < 200; i++)
		p = feed(&fx, T0 + i * 500, "/x", 404, "a", NULL);
	assert_int_equal(p, 100);
	fx_free(&fx);
}

static void
test_ratio404_window(void **unused)
{
	struct fixture	 fx;
	int		 i;

	(void)unused;
	fx_init(&fx, SIG_RATIO404);
	for (i = 0; i < 10; i++)
		feed(&fx, T0 + i * 1000, "/x", 404, "a", NULL);
	/* An hour later the old 404s are out of the window. */
	assert_int_equal(feed(&fx, T0 + 3600000, "/x", 404, "a", NULL), 0);
	fx_free(&fx);
}

static void
test_burst(void **unused)
{
	struct fixture	 fx;
	uint32_t	 p = 0;
	int		 i;

	(void)unused;
	fx_init(&fx, SIG_BURST);
	for (i = 0; i < 4; i++)
		p = feed(&fx, T0 + i * 300, "/p", 200, "a", NULL);
	assert_int_equal(p, 0);
	assert_int_equal(feed(&fx, T0 + 1200, "/p", 200, "a", NULL), 35);
	for (i = 5; i < 8; i++)
		p = feed(&fx, T0 + i * 200, "/p", 200, "a", NULL);
	assert_int_equal(p, 60);
	p = feed(&fx, T0 + 1700, "/p", 200, "a", NULL);
	p = feed(&fx, T0 + 1800, "/p", 200, "a", NULL);
	assert_int_equal(p, 100);
	fx_free(&fx);

	/* Static assets are left out; slow requests never burst. */
	fx_init(&fx, SIG_BURST);
	for (i = 0; i < 20; i++)
		p = feed(&fx, T0 + i * 50, "/s/app.js?v=1", 200, "a", NULL);
	assert_int_equal(p, 0);
	for (i = 0; i < 20; i++)
		p = feed(&fx, T0 + 10000 + i * 1000, "/p", 200, "a", NULL);
	assert_int_equal(p, 0);
	fx_free(&fx);
}

static void
test_danger(void **unused)
{
	struct fixture	 fx;
	uint32_t	 p = 0;
	int		 i;

	(void)unused;
	fx_init(&fx, SIG_DANGER);
	/* Medium counts only on 4xx answers. */
	assert_int_equal(feed(&fx, T0, "/wp-admin/", 200, "a", NULL), 0);
	assert_int_equal(feed(&fx, T0 + 1, "/wp-login.php", 404, "a", NULL),
	    10);
	for (i = 0; i < 8; i++)
		p = feed(&fx, T0 + 10 + i, "/phpMyAdmin/", 404, "a", NULL);
	assert_int_equal(p, 60);
	/* High counts whatever the answer, added to medium. */
	assert_int_equal(feed(&fx, T0 + 100, "/.env", 200, "a", NULL), 90);
	assert_int_equal(feed(&fx, T0 + 200, "/.git/config", 403, "a", NULL),
	    120);
	assert_int_equal(feed(&fx, T0 + 300, "/%2e%2e/%2e%2e/etc/passwd", 400,
	    "a", NULL), 150);
	assert_int_equal(feed(&fx, T0 + 400, "/x/.%65nv", 404, "a", NULL),
	    150);
	fx_free(&fx);

	fx_init(&fx, SIG_DANGER);
	assert_int_equal(feed(&fx, T0, "/blog/administration-guide", 404, "a",
	    NULL), 0);
	assert_int_equal(feed(&fx, T0, "/products/envelope", 404, "a", NULL),
	    0);
	assert_int_equal(feed(&fx, T0, "//WP-ADMIN//", 404, "a", NULL), 10);
	assert_int_equal(feed(&fx, T0, "/./backup.tar.gz", 200, "a", NULL), 40);
	fx_free(&fx);
}

static void
test_referer(void **unused)
{
	struct fixture	 fx;

	(void)unused;
	fx_init(&fx, SIG_REFERER);
	assert_int_equal(feed(&fx, T0, "/", 200, "a",
	    "https://www.example.com/x"), 0);
	assert_int_equal(feed(&fx, T0, "/", 200, "a", "https://example.com"),
	    0);
	assert_int_equal(feed(&fx, T0, "/", 200, "a",
	    "https://notexample.com/"), 10);
	assert_int_equal(feed(&fx, T0, "/", 200, "a",
	    "https://example.com.evil.net/"), 10);
	assert_int_equal(feed(&fx, T0, "/", 200, "a", NULL), 0);
	fx_free(&fx);
}

static void
test_probe302(void **unused)
{
	struct fixture	 fx;
	char		 path[32];
	uint32_t	 p = 0;
	int		 i;

	(void)unused;
	fx_init(&fx, SIG_PROBE302);
	assert_int_equal(feed(&fx, T0, "/a", 404, "a", NULL), 0);
	assert_int_equal(feed(&fx, T0 + 1000, "/a", 302, "a", NULL), 0);
	assert_int_equal(feed(&fx, T0 + 2000, "/b", 404, "a", NULL), 0);
	assert_int_equal(feed(&fx, T0 + 3000, "/a?x=1", 404, "a", NULL), 20);
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/p%d", i);
		feed(&fx, T0 + 4000 + i * 2000, path, 302, "a", NULL);
		p = feed(&fx, T0 + 5000 + i * 2000, path, 404, "a", NULL);
		if (i == 1)
			assert_int_equal(p, 40);
		if (i == 4)
			assert_int_equal(p, 60);
	}
	assert_int_equal(p, 100);
	fx_free(&fx);
}

static void
test_uachange(void **unused)
{
	struct fixture	 fx;
	char		 ua[32];
	uint32_t	 p = 0;
	int		 i;

	(void)unused;
	fx_init(&fx, SIG_UACHANGE);
	assert_int_equal(feed(&fx, T0, "/", 200, "ua-1", NULL), 0);
	assert_int_equal(feed(&fx, T0 + 1000, "/", 200, "ua-1", NULL), 0);
	assert_int_equal(feed(&fx, T0 + 2000, "/", 200, "ua-2", NULL), 0);
	assert_int_equal(feed(&fx, T0 + 3000, "/", 200, "ua-3", NULL), 25);
	for (i = 4; i <= 12; i++) {
		snprintf(ua, sizeof(ua), "ua-%d", i);
		p = feed(&fx, T0 + i * 1000, "/", 200, ua, NULL);
		if (i == 6)
			assert_int_equal(p, 50);
	}
	assert_int_equal(p, 100);
	/* Out of the window the old ones no longer count. */
	assert_int_equal(feed(&fx, T0 + 4000000, "/", 200, "ua-1", NULL), 0);
	fx_free(&fx);
}

static void
test_badua(void **unused)
{
	struct fixture	 fx;

	(void)unused;
	fx_init(&fx, SIG_BADUA);
	assert_int_equal(feed(&fx, T0, "/", 200, "sqlmap/1.7.2#stable", NULL),
	    50);
	assert_int_equal(feed(&fx, T0, "/", 200, "Mozilla/5.0 (compatible; "
	    "Nmap Scripting Engine)", NULL), 50);
	assert_int_equal(feed(&fx, T0, "/", 200, "gobuster/3.5", NULL), 50);
	assert_int_equal(feed(&fx, T0, "/", 200, "Mozilla/5.0 (X11; Linux "
	    "x86_64) Firefox/123.0", NULL), 0);
	fx_free(&fx);
}

static void
test_normalise(void **unused)
{
	char	 out[64];

	(void)unused;
	assert_int_equal(sig_normalise_path("/a//b/./C%2Fd", 13, out,
	    sizeof(out)), 8);
	assert_string_equal(out, "/a/b/c/d");
	sig_normalise_path("/%252e%252e/x", 13, out, sizeof(out));
	assert_string_equal(out, "/../x");
}

static void
test_tiers_parse(void **unused)
{
	struct sig_tiers	 t;
	char			 buf[64];

	(void)unused;
	assert_int_equal(sig_tiers_parse(&t, "3:25 6:50"), 0);
	sig_tiers_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "3:25 6:50");
	assert_int_equal(sig_tiers_parse(&t, "6:50 3:25"), -1);
	assert_int_equal(sig_tiers_parse(&t, "3"), -1);
	assert_int_equal(sig_tiers_parse(&t, "x:1"), -1);
	assert_int_equal(sig_kind_parse("probe302"), SIG_PROBE302);
	assert_int_equal(sig_kind_parse("nope"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratio404_tiers),
		cmocka_unit_test(test_ratio404_window),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_danger),
		cmocka_unit_test(test_referer),
		cmocka_unit_test(test_probe302),
		cmocka_unit_test(test_uachange),
		cmocka_unit_test(test_badua),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_tiers_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
