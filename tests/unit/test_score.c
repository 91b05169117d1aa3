/* Tests of the offender table: window maxima, score, verdicts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "score.h"

#define T0	1780000000000LL
#define MIN	60000LL

static struct offender *
one(struct score_table **t, const char *a)
{
	struct addr	 ad;

	*t = score_new(1000);
	assert_non_null(*t);
	assert_int_equal(addr_parse(&ad, a, strlen(a)), 0);
	return score_get(*t, &ad, 1);
}

static void
test_window_max(void **unused)
{
	struct score_table	*t;
	struct offender		*o = one(&t, "192.0.2.1");
	uint16_t		 k[SIG_NKINDS];

	(void)unused;
	/* A kind counts its highest points within the window. */
	assert_int_equal(score_add(o, SIG_BURST, 35, T0, 10 * MIN), 1);
	assert_int_equal(score_add(o, SIG_BURST, 100, T0 + MIN, 10 * MIN), 1);
	assert_int_equal(score_add(o, SIG_BURST, 35, T0 + 2 * MIN, 10 * MIN),
	    0);
	assert_int_equal(score_compute(o, T0 + 5 * MIN, k), 100);
	assert_int_equal(k[SIG_BURST], 100);
	/* When the 100 expires, the later 35 remains. */
	assert_int_equal(score_compute(o, T0 + 11 * MIN + 1000, k), 35);
	assert_int_equal(score_compute(o, T0 + 13 * MIN, k), 0);
	score_free(t);
}

static void
test_sum_over_kinds(void **unused)
{
	struct score_table	*t;
	struct offender		*o = one(&t, "2001:db8::1");

	(void)unused;
	score_add(o, SIG_RATIO404, 15, T0, 10 * MIN);
	score_add(o, SIG_BURST, 35, T0, 10 * MIN);
	score_add(o, SIG_DANGER, 40, T0, 10 * MIN);
	score_add(o, SIG_DANGER, 60, T0 + 1000, 10 * MIN);
	score_add(o, SIG_REFERER, 10, T0, 10 * MIN);
	score_add(o, SIG_PROBE302, 20, T0, 10 * MIN);
	score_add(o, SIG_UACHANGE, 25, T0, 10 * MIN);
	/* The example report: 500 of events, a score of 165. */
	assert_int_equal(score_compute(o, T0 + 2000, NULL), 165);
	score_free(t);
}

static void
test_verdicts(void **unused)
{
	(void)unused;
	assert_string_equal(score_verdict(0, 100), "low");
	assert_string_equal(score_verdict(49, 100), "low");
	assert_string_equal(score_verdict(50, 100), "watch");
	assert_string_equal(score_verdict(99, 100), "watch");
	assert_string_equal(score_verdict(100, 100), "block");
	assert_string_equal(score_verdict(149, 100), "block");
	assert_string_equal(score_verdict(150, 100), "critical");
	assert_string_equal(score_verdict(165, 100), "critical");
}

static void
test_evict_keeps_scored(void **unused)
{
	struct score_table	*t = score_new(100);
	struct score_stats	 st;
	struct offender		*bad;
	struct addr		 a;
	char			 s[32];
	int			 i;

	(void)unused;
	addr_parse(&a, "203.0.113.9", 11);
	bad = score_get(t, &a, 1);
	bad->score = 120;
	bad->last_ms = 1;	/* The stalest of all, but scored. */
	for (i = 0; i < 500; i++) {
		struct offender	*o;
		int		 n = snprintf(s, sizeof(s), "198.51.%d.%d",
				    i / 250, i % 250);

		addr_parse(&a, s, (size_t)n);
		o = score_get(t, &a, 1);
		assert_non_null(o);
		o->last_ms = T0 + i;
	}
	score_stats(t, &st);
	assert_true(st.tracked <= 100);
	assert_true(st.evicted >= 400);
	addr_parse(&a, "203.0.113.9", 11);
	assert_ptr_equal(score_get(t, &a, 0), bad);
	score_free(t);
}

static void
count_cb(void *arg, struct offender *o)
{
	(void)o;
	(*(int *)arg)++;
}

static void
test_drain(void **unused)
{
	struct score_table	*t;
	struct offender		*o = one(&t, "192.0.2.8");
	int			 n = 0;

	(void)unused;
	score_mark(t, o);
	score_mark(t, o);
	score_drain(t, count_cb, &n);
	assert_int_equal(n, 1);
	score_drain(t, count_cb, &n);
	assert_int_equal(n, 1);
	assert_int_equal(o->flags & OFFENDER_DIRTY, 0);
	score_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_max),
		cmocka_unit_test(test_sum_over_kinds),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_evict_keeps_scored),
		cmocka_unit_test(test_drain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
