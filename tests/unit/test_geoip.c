/* GeoIP and ASN lookups against MaxMind's test databases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "addr.h"
#include "geoip.h"

#define CITY	"data/geoip/GeoIP2-City-Test.mmdb"
#define COUNTRY	"data/geoip/GeoIP2-Country-Test.mmdb"
#define ASN	"data/geoip/GeoLite2-ASN-Test.mmdb"

static int
lookup(struct geoip *g, const char *s, struct geo *out)
{
	struct addr	 a;

	assert_int_equal(addr_parse(&a, s, strlen(s)), 0);
	return geoip_lookup(g, &a, out);
}

static void
assert_all_unknown(const struct geo *o)
{
	assert_string_equal(o->country_code, "unknown");
	assert_string_equal(o->country, "unknown");
	assert_string_equal(o->city, "unknown");
	assert_string_equal(o->org, "unknown");
	assert_string_equal(o->isp, "unknown");
	assert_string_equal(o->asn_org, "unknown");
	assert_string_equal(o->type, "unknown");
	assert_int_equal(o->asn, 0);
}

/* The rows of tests/data/geoip/README.md's table. */
static const struct row {
	const char	*ip, *cc, *city, *org;
	unsigned	 asn;
} rows[] = {
	{ "89.160.20.112", "SE", "Link\xc3\xb6ping", "Bredband2 AB", 29518 },
	{ "214.78.120.1", "US", "San Diego",
	    "DoD Network Information Center", 721 },
	{ "216.160.83.56", "US", "Milton", "unknown", 209 },
	{ "81.2.69.142", "GB", "London", "unknown", 0 },
	{ "1.128.0.0", "unknown", "unknown", "Telstra Pty Ltd", 1221 },
	{ "2001:480:10::1", "US", "San Diego", "unknown", 0 },
	{ "2001:218::1", "JP", "unknown", "unknown", 0 },
	{ "2001:1700::1", "unknown", "unknown", "Sunrise Communications AG",
	    6730 },
};

static void
test_table(void **state)
{
	struct geoip	*g;
	struct geo	 o;
	size_t		 i;

	(void)state;
	g = geoip_open(CITY, ASN, NULL);
	assert_non_null(g);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(lookup(g, rows[i].ip, &o), 1);
		assert_string_equal(o.country_code, rows[i].cc);
		assert_string_equal(o.city, rows[i].city);
		assert_string_equal(o.asn_org, rows[i].org);
		assert_int_equal(o.asn, rows[i].asn);
		assert_string_equal(o.type, "unknown");
	}
	lookup(g, "89.160.20.112", &o);
	assert_string_equal(o.country, "Sweden");
	/* A second lookup comes from the cache and gives the same. */
	lookup(g, "89.160.20.112", &o);
	assert_string_equal(o.city, "Link\xc3\xb6ping");
	geoip_close(g);
}

static void
test_country_db(void **state)
{
	struct geoip	*g;
	struct geo	 o;

	(void)state;
	g = geoip_open(COUNTRY, NULL, NULL);
	assert_non_null(g);
	assert_int_equal(lookup(g, "81.2.69.142", &o), 1);
	assert_string_equal(o.country_code, "GB");
	assert_string_equal(o.city, "unknown");
	assert_int_equal(o.asn, 0);
	assert_string_equal(o.asn_org, "unknown");
	geoip_close(g);
}

static void
test_no_databases(void **state)
{
	struct geoip	*g;
	struct geo	 o;

	(void)state;
	g = geoip_open(NULL, NULL, NULL);
	assert_non_null(g);
	assert_int_equal(lookup(g, "89.160.20.112", &o), 0);
	assert_all_unknown(&o);
	geoip_close(g);

	/* Missing files are logged and treated as absent. */
	g = geoip_open("data/geoip/missing.mmdb", "data/geoip/README.md",
	    "data/geoip/missing-asns.txt");
	assert_non_null(g);
	assert_int_equal(lookup(g, "214.78.120.1", &o), 0);
	assert_all_unknown(&o);
	geoip_close(g);

	/* No geoip at all. */
	assert_int_equal(lookup(NULL, "214.78.120.1", &o), 0);
	assert_all_unknown(&o);
}

static void
test_not_in_database(void **state)
{
	static const char *const ips[] = { "203.0.113.1", "10.0.0.1", "::1",
	    "2001:db8::7" };
	struct geoip	*g;
	struct geo	 o;
	size_t		 i;

	(void)state;
	g = geoip_open(CITY, ASN, NULL);
	assert_non_null(g);
	for (i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		assert_int_equal(lookup(g, ips[i], &o), 0);
		assert_all_unknown(&o);
	}
	geoip_close(g);
}

static void
test_mapped(void **state)
{
	struct geoip	*g;
	struct geo	 o;
	struct addr	 a;

	(void)state;
	g = geoip_open(CITY, ASN, NULL);
	assert_non_null(g);
	assert_int_equal(lookup(g, "::ffff:89.160.20.112", &o), 1);
	assert_string_equal(o.country_code, "SE");
	assert_int_equal(o.asn, 29518);

	/* Even a hand-made AF_INET6 ::ffff: address is looked up as IPv4. */
	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.bytes[10] = a.bytes[11] = 0xff;
	a.bytes[12] = 81;
	a.bytes[13] = 2;
	a.bytes[14] = 69;
	a.bytes[15] = 142;
	assert_int_equal(geoip_lookup(g, &a, &o), 1);
	assert_string_equal(o.city, "London");
	geoip_close(g);
}

static void
test_hosting_asns(void **state)
{
	char		 path[] = "/tmp/test_geoip.XXXXXX";
	struct geoip	*g;
	struct geo	 o;
	FILE		*f;
	int		 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("# types for the test databases\n\n"
	    "AS29518 residential # Bredband2\n"
	    "  721\tgovernment\n"
	    "6730 mobile extra words\n"		/* bad: three words */
	    "ASx1221 hosting\n"			/* bad: number */
	    "1221 Hosting!\n"			/* bad: type */
	    "AS1221 hosting\n", f);
	fclose(f);
	g = geoip_open(CITY, ASN, path);
	unlink(path);
	assert_non_null(g);
	lookup(g, "89.160.20.112", &o);
	assert_string_equal(o.type, "residential");
	lookup(g, "214.78.120.1", &o);
	assert_string_equal(o.type, "government");
	assert_int_equal(lookup(g, "1.128.0.0", &o), 1);
	assert_string_equal(o.type, "hosting");
	lookup(g, "2001:1700::1", &o);
	assert_string_equal(o.type, "unknown");
	assert_string_equal(geoip_asn_type(g, 29518), "residential");
	assert_null(geoip_asn_type(g, 6730));
	assert_null(geoip_asn_type(g, 0));
	geoip_close(g);
}

static void
test_shipped_list(void **state)
{
	struct geoip	*g;

	(void)state;
	g = geoip_open(NULL, NULL, "../packaging/hosting-asns.txt");
	assert_non_null(g);
	assert_string_equal(geoip_asn_type(g, 16509), "hosting");
	assert_string_equal(geoip_asn_type(g, 13335), "cdn");
	assert_string_equal(geoip_asn_type(g, 7922), "residential");
	assert_null(geoip_asn_type(g, 29518));
	geoip_close(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_country_db),
		cmocka_unit_test(test_no_databases),
		cmocka_unit_test(test_not_in_database),
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_hosting_asns),
		cmocka_unit_test(test_shipped_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
