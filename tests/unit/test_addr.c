/* Tests of address and prefix parsing, printing and matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static const char *
fmt(const char *in, int host)
{
	static char	 buf[ADDR_STRLEN];
	struct addr	 a;
	int		 rv;

	rv = host ? addr_parse_host(&a, in, strlen(in)) :
	    addr_parse(&a, in, strlen(in));
	if (rv == -1)
		return "error";
	return addr_format(&a, buf, sizeof(buf));
}

static void
test_parse(void **unused)
{
	(void)unused;
	assert_string_equal(fmt("192.0.2.1", 0), "192.0.2.1");
	assert_string_equal(fmt("2001:DB8::1", 0), "2001:db8::1");
	assert_string_equal(fmt("::ffff:198.51.100.7", 0), "198.51.100.7");
	assert_string_equal(fmt("192.0.2.256", 0), "error");
	assert_string_equal(fmt("", 0), "error");
	assert_string_equal(fmt("192.0.2.1 ", 0), "error");
	assert_string_equal(fmt("[2001:db8::1]:443", 1), "2001:db8::1");
	assert_string_equal(fmt("[2001:db8::1]", 1), "2001:db8::1");
	assert_string_equal(fmt("192.0.2.1:5050", 1), "192.0.2.1");
	assert_string_equal(fmt("[::ffff:192.0.2.9]:80", 1), "192.0.2.9");
	assert_string_equal(fmt("192.0.2.1:99999", 1), "error");
	assert_string_equal(fmt("[2001:db8::1]x", 1), "error");
	assert_string_equal(fmt("2001:db8::1", 1), "2001:db8::1");
	/* The dotted-quad fast path refuses what inet_pton refuses. */
	assert_string_equal(fmt("01.2.3.4", 0), "error");
	assert_string_equal(fmt("1.2.3", 0), "error");
	assert_string_equal(fmt("1.2.3.4.5", 0), "error");
	assert_string_equal(fmt("1..2.3", 0), "error");
	assert_string_equal(fmt("1.2.3.", 0), "error");
	assert_string_equal(fmt("1.2.3.1000", 1), "error");
	assert_string_equal(fmt("0.0.0.0", 1), "0.0.0.0");
	assert_string_equal(fmt("255.255.255.255", 1), "255.255.255.255");
	assert_string_equal(fmt("203.0.113.7:65535", 1), "203.0.113.7");
}

static void
test_prefix(void **unused)
{
	struct prefix	 p, q;
	struct addr	 a;
	char		 buf[PREFIX_STRLEN];

	(void)unused;
	assert_int_equal(prefix_parse(&p, "198.51.100.77/24"), 0);
	assert_string_equal(prefix_format(&p, buf, sizeof(buf)),
	    "198.51.100.0/24");
	addr_parse(&a, "198.51.100.200", 14);
	assert_true(prefix_contains(&p, &a));
	addr_parse(&a, "198.51.101.1", 12);
	assert_false(prefix_contains(&p, &a));
	assert_int_equal(prefix_parse(&p, "2001:db8:1:2:3::/64"), 0);
	assert_string_equal(prefix_format(&p, buf, sizeof(buf)),
	    "2001:db8:1:2::/64");
	assert_int_equal(prefix_parse(&p, "::ffff:192.0.2.0/120"), 0);
	assert_string_equal(prefix_format(&p, buf, sizeof(buf)),
	    "192.0.2.0/24");
	assert_int_equal(prefix_parse(&p, "192.0.2.0/33"), -1);
	assert_int_equal(prefix_parse(&p, "192.0.2.0/"), -1);
	assert_int_equal(prefix_parse(&p, "2001:db8::/129"), -1);
	assert_int_equal(prefix_parse(&p, "192.0.2.0/24"), 0);
	assert_int_equal(prefix_parse(&q, "192.0.2.128/25"), 0);
	assert_true(prefix_overlaps(&p, &q));
	assert_true(prefix_overlaps(&q, &p));
	assert_int_equal(prefix_parse(&q, "2001:db8::/32"), 0);
	assert_false(prefix_overlaps(&p, &q));
}

static void
test_list(void **unused)
{
	struct addrlist	 l;
	struct addr	 a;
	struct prefix	 p;
	char		 bad[32];

	(void)unused;
	addrlist_init(&l);
	assert_int_equal(addrlist_parse(&l, "127.0.0.0/8 ::1  203.0.113.5",
	    bad, sizeof(bad)), 0);
	assert_int_equal(l.n, 3);
	addr_parse(&a, "127.1.2.3", 9);
	assert_true(addrlist_match(&l, &a));
	addr_parse(&a, "203.0.113.6", 11);
	assert_false(addrlist_match(&l, &a));
	prefix_parse(&p, "203.0.113.0/24");
	assert_true(addrlist_inside(&l, &p));
	prefix_parse(&p, "198.51.100.0/24");
	assert_false(addrlist_inside(&l, &p));
	assert_int_equal(addrlist_parse(&l, "10.0.0.0/8 nonsense", bad,
	    sizeof(bad)), -1);
	assert_string_equal(bad, "nonsense");
	addrlist_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
