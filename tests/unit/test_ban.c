/* Tests of the ban table and the neighbour records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ban.h"

#define T0	1780000000000LL
#define HOUR	3600000LL

static struct prefix
P(const char *s)
{
	struct prefix	 p;

	assert_int_equal(prefix_parse(&p, s), 0);
	return p;
}

static struct addr
A(const char *s)
{
	struct addr	 a;

	assert_int_equal(addr_parse(&a, s, strlen(s)), 0);
	return a;
}

static void
test_put_find_cover(void **unused)
{
	struct bantable	*bt = ban_new();
	struct prefix	 p = P("203.0.113.7/32"), n = P("198.51.100.0/24");
	struct prefix	 v6 = P("2001:db8:1:2::/64");
	struct addr	 a;
	struct ban	*b;

	(void)unused;
	assert_non_null(ban_put(bt, &p, 0, "dirscan", 165, T0, T0 + HOUR, 1));
	assert_non_null(ban_put(bt, &n, 1, "subnet", 120, T0, T0 + 24 * HOUR,
	    1));
	assert_non_null(ban_put(bt, &v6, 0, "flood", 100, T0, T0 + HOUR, 2));
	b = ban_find(bt, &p);
	assert_non_null(b);
	assert_string_equal(b->jail, "dirscan");
	a = A("203.0.113.7");
	assert_ptr_equal(ban_covering(bt, &a, T0 + 1, 64, 24, 48), b);
	/* Expired: no longer covering. */
	assert_null(ban_covering(bt, &a, T0 + HOUR, 64, 24, 48));
	a = A("198.51.100.200");
	b = ban_covering(bt, &a, T0 + 1, 64, 24, 48);
	assert_non_null(b);
	assert_int_equal(b->subnet, 1);
	a = A("2001:db8:1:2::99");
	b = ban_covering(bt, &a, T0 + 1, 64, 24, 48);
	assert_non_null(b);
	assert_int_equal(b->count, 2);
	a = A("2001:db8:1:3::1");
	assert_null(ban_covering(bt, &a, T0 + 1, 64, 24, 48));
	assert_int_equal(ban_count(bt, T0 + 1, 0), 2);
	assert_int_equal(ban_count(bt, T0 + 1, 1), 1);
	assert_int_equal(ban_remove(bt, &p), 0);
	assert_int_equal(ban_remove(bt, &p), -1);
	assert_null(ban_find(bt, &p));
	ban_free(bt);
}

static void
test_neighbours(void **unused)
{
	struct bantable	*bt = ban_new();
	struct prefix	 net = P("198.51.100.0/24");
	struct prefix	 u1 = P("198.51.100.1/32"), u2 = P("198.51.100.2/32");
	struct prefix	 u3 = P("198.51.100.3/32");
	int64_t		 day = 24 * HOUR;

	(void)unused;
	assert_int_equal(ban_note_neighbour(bt, &net, &u1, T0, day, 3), 1);
	/* The same unit again is not a second neighbour. */
	assert_int_equal(ban_note_neighbour(bt, &net, &u1, T0 + 1, day, 3), 1);
	assert_int_equal(ban_note_neighbour(bt, &net, &u2, T0 + 2, day, 3), 2);
	/* Two days later the old ones are out of the window. */
	assert_int_equal(ban_note_neighbour(bt, &net, &u3, T0 + 2 * day, day,
	    3), 1);
	assert_int_equal(ban_note_neighbour(bt, &net, &u1, T0 + 2 * day + 1,
	    day, 3), 2);
	assert_int_equal(ban_note_neighbour(bt, &net, &u2, T0 + 2 * day + 2,
	    day, 3), 3);
	ban_free(bt);
}

/* The table grows past its first buckets and finds every ban. */
static void
test_many(void **unused)
{
	struct bantable	*bt = ban_new();
	struct prefix	 p;
	uint32_t	 i;
	size_t		 found = 0;

	(void)unused;
	memset(&p, 0, sizeof(p));
	p.addr.family = AF_INET6;
	p.len = 64;
	p.addr.bytes[0] = 0x20;
	p.addr.bytes[1] = 0x01;
	p.addr.bytes[2] = 0x0d;
	p.addr.bytes[3] = 0xb8;
	for (i = 0; i < 100000; i++) {
		memcpy(p.addr.bytes + 4, &i, sizeof(i));
		assert_non_null(ban_put(bt, &p, 0, "t", 100, T0, T0 + HOUR,
		    1));
	}
	for (i = 0; i < 100000; i++) {
		memcpy(p.addr.bytes + 4, &i, sizeof(i));
		found += ban_find(bt, &p) != NULL;
	}
	assert_int_equal(found, 100000);
	assert_int_equal(ban_count(bt, T0 + 1, 0), 100000);
	i = 77;
	memcpy(p.addr.bytes + 4, &i, sizeof(i));
	assert_int_equal(ban_remove(bt, &p), 0);
	assert_null(ban_find(bt, &p));
	assert_int_equal(ban_count(bt, T0 + 1, 0), 99999);
	ban_free(bt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_find_cover),
		cmocka_unit_test(test_neighbours),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
