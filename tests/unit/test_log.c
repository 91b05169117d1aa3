/* Tests of log escaping and rate limits, and of the util parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "util.h"

static void
test_escape(void **unused)
{
	char	 buf[32];

	(void)unused;
	assert_string_equal(log_escape(buf, sizeof(buf), "GET /\x1b[2J\n", 10),
	    "GET /\\x1b[2J\\x0a");
	assert_string_equal(log_escape(buf, sizeof(buf), "a\\b", 3),
	    "a\\x5cb");
	assert_string_equal(log_escape(buf, sizeof(buf), "\xff", 1), "\\xff");
	/* Cut to the buffer, never inside an escape. */
	assert_string_equal(log_escape(buf, 6, "abc\x01xyz", 7), "abc");
	assert_int_equal(strlen(log_escape(buf, sizeof(buf),
	    "0123456789012345678901234567890123456789", 40)), 31);
}

static void
test_limit(void **unused)
{
	struct log_limit	 ll = { 0, 0 };
	unsigned long		 held = 99;
	int			 i, passed = 0;

	(void)unused;
	for (i = 0; i < 10; i++)
		passed += log_limit_pass(&ll, 3600, &held);
	assert_int_equal(passed, 1);
	assert_int_equal(held, 0);
	assert_int_equal(ll.held, 9);
}

static void
test_ints(void **unused)
{
	long long	 v;

	(void)unused;
	assert_int_equal(util_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(util_parse_int("101", 0, 100, &v), -1);
	assert_int_equal(util_parse_int("-1", 0, 100, &v), -1);
	assert_int_equal(util_parse_int("4x", 0, 100, &v), -1);
	assert_int_equal(util_parse_int("", 0, 100, &v), -1);
	assert_int_equal(util_parse_int("99999999999999999999", 0,
	    100, &v), -1);
	assert_int_equal(util_parse_intn("123abc", 3, 0, 1000, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(util_parse_bool("Yes"), 1);
	assert_int_equal(util_parse_bool("off"), 0);
	assert_int_equal(util_parse_bool("maybe"), -1);
}

static void
test_time(void **unused)
{
	char	 buf[32];

	(void)unused;
	assert_int_equal(util_timegm(2026, 5, 30, 6, 1, 31), 1780120891LL);
	assert_int_equal(util_timegm(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(util_timegm(2024, 2, 29, 0, 0, 0), 1709164800LL);
	util_format_time(1780120891000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-05-30T06:01:31Z");
	assert_int_equal(util_month("Dec"), 12);
	assert_int_equal(util_month("Foo"), 0);
}

static void
test_split(void **unused)
{
	size_t	 n;
	char	**v = util_split("  a bb\tccc  ", &n);

	(void)unused;
	assert_non_null(v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[2], "ccc");
	assert_null(v[3]);
	util_freev(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
