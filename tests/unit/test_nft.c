/*
 * The nft writer's messages, built and parsed back with libnftnl: no
 * kernel involved. The namespace tests in tests/netns/ use a real one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nft.h"

static const struct nft_conf	 conf = { "abusemom", 0, 0, 1000 };

static struct nlmsghdr *
msg_check(char *buf, size_t len, int type)
{
	struct nlmsghdr	*nlh = (struct nlmsghdr *)buf;

	assert_true(len > 0);
	assert_int_equal(nlh->nlmsg_len, len);
	assert_int_equal(nlh->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | type);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->
	    nfgen_family, NFPROTO_INET);
	return nlh;
}

static int
comment_cb(const struct nftnl_udata *attr, void *arg)
{
	const char	**c = arg;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT)
		*c = nftnl_udata_get(attr);
	return 0;
}

static void
test_table(void **state)
{
	char			 buf[NFT_MSG_MAX];
	struct nftnl_table	*t = nftnl_table_alloc();
	struct nlmsghdr		*nlh;
	const char		*comment = NULL;
	const void		*ud;
	uint32_t		 len;

	(void)state;
	nlh = msg_check(buf, nft_msg_table(buf, &conf, 7), NFT_MSG_NEWTABLE);
	assert_int_equal(nlh->nlmsg_seq, 7);
	assert_int_equal(nftnl_table_nlmsg_parse(nlh, t), 0);
	assert_string_equal(nftnl_table_get_str(t, NFTNL_TABLE_NAME),
	    "abusemom");
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	assert_non_null(ud);
	assert_int_equal(nftnl_udata_parse(ud, len, comment_cb, &comment), 0);
	assert_string_equal(comment, NFT_COMMENT);
	nftnl_table_free(t);
}

static void
set_check(int set, const char *name, uint32_t flags, uint32_t keylen)
{
	char			 buf[NFT_MSG_MAX];
	struct nftnl_set	*s = nftnl_set_alloc();
	struct nlmsghdr		*nlh;

	nlh = msg_check(buf, nft_msg_set(buf, &conf, set, 1), NFT_MSG_NEWSET);
	assert_int_equal(nftnl_set_nlmsg_parse(nlh, s), 0);
	assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_TABLE), "abusemom");
	assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_NAME), name);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), flags);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), keylen);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 1000);
	nftnl_set_free(s);
}

static void
test_sets(void **state)
{
	char	 buf[NFT_MSG_MAX];

	(void)state;
	set_check(NFT_BAN4, "ban4", NFT_SET_TIMEOUT, 4);
	set_check(NFT_BAN6, "ban6", NFT_SET_TIMEOUT | NFT_SET_INTERVAL, 16);
	set_check(NFT_NET4, "net4", NFT_SET_TIMEOUT | NFT_SET_INTERVAL, 4);
	set_check(NFT_NET6, "net6", NFT_SET_TIMEOUT | NFT_SET_INTERVAL, 16);
	assert_int_equal(nft_msg_set(buf, &conf, NFT_NSETS, 1), 0);
}

/* What one parsed element holds. */
struct elem {
	uint8_t		 key[16];
	uint32_t	 keylen;
	int		 end;
	int		 has_timeout;
	uint64_t	 timeout_ms;
};

/*
 * libnftnl numbers the elements of the list it builds 1, 2, ... and
 * parses back only lists of NFTA_LIST_ELEM, as the kernel sends them;
 * the kernel takes either. Renumber before parsing.
 */
static void
elems_renumber(struct nlmsghdr *nlh)
{
	struct nlattr	*a, *e;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(e, a)
			e->nla_type = (e->nla_type & ~NLA_TYPE_MASK) |
			    NFTA_LIST_ELEM;
	}
}

/* Builds an element message and parses it back; returns the count. */
static size_t
elems_parse(int add, const char *pfx, int subnet, uint32_t timeout,
    const char *set, struct elem *out, size_t max)
{
	char			 buf[NFT_MSG_MAX];
	struct nftnl_set	*s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem	*e;
	struct nlmsghdr		*nlh;
	struct prefix		 p;
	const void		*key;
	size_t			 n = 0;

	assert_int_equal(prefix_parse(&p, pfx), 0);
	nlh = msg_check(buf, nft_msg_elem(buf, &conf, add, &p, subnet,
	    timeout, 3), add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	/* A re-ban must not fail on the element it refreshes. */
	assert_false(nlh->nlmsg_flags & NLM_F_EXCL);
	elems_renumber(nlh);
	assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, s), 0);
	assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_TABLE), "abusemom");
	assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_NAME), set);
	it = nftnl_set_elems_iter_create(s);
	while ((e = nftnl_set_elems_iter_next(it)) != NULL) {
		assert_true(n < max);
		memset(&out[n], 0, sizeof(out[n]));
		key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY,
		    &out[n].keylen);
		assert_non_null(key);
		assert_true(out[n].keylen <= 16);
		memcpy(out[n].key, key, out[n].keylen);
		out[n].end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
		    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
		    NFT_SET_ELEM_INTERVAL_END);
		out[n].has_timeout = nftnl_set_elem_is_set(e,
		    NFTNL_SET_ELEM_TIMEOUT);
		if (out[n].has_timeout)
			out[n].timeout_ms = nftnl_set_elem_get_u64(e,
			    NFTNL_SET_ELEM_TIMEOUT);
		n++;
	}
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return n;
}

static void
test_elem_v4(void **state)
{
	static const uint8_t	 a[4] = { 192, 0, 2, 7 };
	struct elem		 e[4];

	(void)state;
	assert_int_equal(elems_parse(1, "192.0.2.7", 0, 3600, "ban4", e, 4),
	    1);
	assert_int_equal(e[0].keylen, 4);
	assert_memory_equal(e[0].key, a, 4);
	assert_false(e[0].end);
	assert_true(e[0].has_timeout);
	assert_int_equal(e[0].timeout_ms, 3600000);
	/* No timeout: the element stays until removed. */
	assert_int_equal(elems_parse(1, "192.0.2.7", 0, 0, "ban4", e, 4), 1);
	assert_false(e[0].has_timeout);
}

static void
test_elem_v6_64(void **state)
{
	static const uint8_t	 lo[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2
	};
	static const uint8_t	 hi[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3
	};
	struct elem		 e[4];

	(void)state;
	assert_int_equal(elems_parse(1, "2001:db8:1:2::/64", 0, 90, "ban6",
	    e, 4), 2);
	assert_int_equal(e[0].keylen, 16);
	assert_memory_equal(e[0].key, lo, 16);
	assert_false(e[0].end);
	assert_int_equal(e[0].timeout_ms, 90000);
	assert_memory_equal(e[1].key, hi, 16);
	assert_true(e[1].end);
	/* The kernel refuses a timeout on the end of an interval. */
	assert_false(e[1].has_timeout);
}

static void
test_elem_v4_24(void **state)
{
	static const uint8_t	 lo[4] = { 198, 51, 100, 0 };
	static const uint8_t	 hi[4] = { 198, 51, 101, 0 };
	struct elem		 e[4];

	(void)state;
	assert_int_equal(elems_parse(1, "198.51.100.0/24", 1, 86400, "net4",
	    e, 4), 2);
	assert_memory_equal(e[0].key, lo, 4);
	assert_false(e[0].end);
	assert_int_equal(e[0].timeout_ms, 86400000ULL);
	assert_memory_equal(e[1].key, hi, 4);
	assert_true(e[1].end);
	/* A prefix of IPv4 addresses goes to net4 even when not a subnet. */
	assert_int_equal(elems_parse(1, "203.0.113.0/25", 0, 60, "net4", e,
	    4), 2);
	assert_int_equal(e[1].key[3], 128);
	/* An IPv6 subnet goes to net6. */
	assert_int_equal(elems_parse(1, "2001:db8:5::/48", 1, 60, "net6", e,
	    4), 2);
	assert_int_equal(e[1].key[5], 6);
}

static void
test_elem_del(void **state)
{
	struct elem	 e[4];

	(void)state;
	assert_int_equal(elems_parse(0, "192.0.2.9", 0, 60, "ban4", e, 4), 1);
	assert_false(e[0].has_timeout);
	assert_int_equal(e[0].key[3], 9);
	assert_int_equal(elems_parse(0, "2001:db8::/64", 0, 60, "ban6", e, 4),
	    2);
	assert_false(e[0].end);
	assert_false(e[0].has_timeout);
	assert_true(e[1].end);
	assert_int_equal(e[1].key[7], 1);
}

static void
test_set_for(void **state)
{
	struct prefix	 p;

	(void)state;
	assert_int_equal(prefix_parse(&p, "192.0.2.1"), 0);
	assert_int_equal(nft_set_for(&p, 0), NFT_BAN4);
	assert_int_equal(nft_set_for(&p, 1), NFT_NET4);
	assert_int_equal(prefix_parse(&p, "2001:db8::/64"), 0);
	assert_int_equal(nft_set_for(&p, 0), NFT_BAN6);
	assert_int_equal(nft_set_for(&p, 1), NFT_NET6);
	memset(&p, 0, sizeof(p));
	assert_int_equal(nft_set_for(&p, 0), -1);
	assert_string_equal(nft_set_name(NFT_NET6), "net6");
}

static void
test_open_name(void **state)
{
	struct nft_conf	 c = conf;
	char		 longname[300];

	(void)state;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	c.table = longname;
	assert_null(nft_open(&c));
	assert_int_equal(errno, ENAMETOOLONG);
	c.table = "";
	assert_null(nft_open(&c));
	assert_int_equal(errno, EINVAL);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_elem_v4),
		cmocka_unit_test(test_elem_v6_64),
		cmocka_unit_test(test_elem_v4_24),
		cmocka_unit_test(test_elem_del),
		cmocka_unit_test(test_set_for),
		cmocka_unit_test(test_open_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
