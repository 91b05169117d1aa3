/*
 * The nftables writer. Everything goes through batches: a begin
 * message, messages that each ask for an ack, an end message. The
 * kernel applies a batch whole or not at all, and acks each message
 * before sendmsg returns, so the acks are read without blocking and
 * matched to the messages by sequence number.
 *
 * Element operations wait in a queue until nft_commit. Consecutive
 * operations on one set travel together in one message; when such a
 * message fails, its operations are sent again one to a message, which
 * tells which one failed and why. A shadow of what we wrote (set,
 * prefix, expiry) chooses the element a full set gives up.
 */
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "log.h"
#include "nft.h"
#include "util.h"

#define NFT_CHUNK	1024		/* element entries in one message */
#define NFT_BATCH_MSGS	1024		/* messages in one batch */
#define NFT_BATCH_BYTES	(4 << 20)	/* bytes in one batch */
#define NFT_BUF_SLACK	(80 << 10)	/* room kept for the next message */
#define NFT_SOCKBUF	(8 << 20)
#define NFT_ROUNDS	8		/* sends of one operation at most */
#define NFT_RECVBUF	(64 << 10)
#define NFT_PRIO	(-10)
#define NFT_BYTEORDER_BIG 2		/* nft's BYTEORDER_BIG_ENDIAN */
#define NFT_KEYTYPE_IP	7		/* nft's ipv4_addr */
#define NFT_KEYTYPE_IP6	8		/* nft's ipv6_addr */
#define NFT_NOEXPIRY	INT64_MAX

enum nft_op_state {
	NFT_OP_PENDING,
	NFT_OP_DONE,
	NFT_OP_FAILED
};

/* One queued element operation; an interval is [start, end). */
struct nft_op {
	uint8_t		 del;
	uint8_t		 set;
	uint8_t		 has_end;	/* 0: an interval open to the top */
	uint8_t		 alone;		/* gets a message of its own */
	uint8_t		 state;
	uint8_t		 start[16];
	uint8_t		 end[16];
	uint32_t	 timeout_s;
	int		 err;
};

/*
 * An element known to be in a set, keyed by set and start. In the
 * shadow, expires is a monotonic time in ms; in a dump it is the time
 * left in ms (0: none).
 */
struct nft_ent {
	uint8_t		 used;
	uint8_t		 set;
	uint8_t		 has_end;
	uint8_t		 mark;
	uint8_t		 start[16];
	uint8_t		 end[16];
	int64_t		 expires;
};

/* An open-addressing hash table with linear probing. */
struct nft_map {
	struct nft_ent	*v;
	size_t		 cap, n;
};

/* A message of the batch being sent: its operations and its ack. */
struct nft_msg {
	size_t		 first, cnt;
	int		 err;
	int		 acked;
};

struct nft {
	struct mnl_socket	*nl, *mon;
	uint32_t		 portid, seq, base;
	char			 table[NFT_NAME_MAXLEN];
	struct nft_conf		 conf;
	struct nft_op		*ops;
	size_t			 nops, capops;
	struct nft_op		*evict;
	size_t			 nevict, capevict;
	struct nft_map		 shadow;
	struct nft_stats	 st;
	struct log_limit	 full_ll;
	size_t			 nfail;		/* in this commit */
	int			 failerr, failset;
	char			*buf;
	size_t			 len, cap;
	struct nft_msg		*msgs;
	size_t			 nmsgs, capmsgs;
	char			*rbuf;
};

static const char *const nft_set_names[NFT_NSETS] = {
	"ban4", "ban6", "net4", "net6"
};

static int
nft_set_v6(int set)
{
	return set == NFT_BAN6 || set == NFT_NET6;
}

static int
nft_set_interval(int set)
{
	return set != NFT_BAN4;
}

static size_t
nft_keylen(int set)
{
	return nft_set_v6(set) ? 16 : 4;
}

const char *
nft_set_name(int set)
{
	if (set < 0 || set >= NFT_NSETS)
		return "?";
	return nft_set_names[set];
}

static int
nft_set_byname(const char *name)
{
	int	 i;

	for (i = 0; i < NFT_NSETS; i++)
		if (strcmp(name, nft_set_names[i]) == 0)
			return i;
	return -1;
}

int
nft_set_for(const struct prefix *p, int subnet)
{
	if (p->addr.family == AF_INET)
		return subnet || p->len < 32 ? NFT_NET4 : NFT_BAN4;
	if (p->addr.family == AF_INET6)
		return subnet ? NFT_NET6 : NFT_BAN6;
	errno = EAFNOSUPPORT;
	return -1;
}

/*
 * Writes the first address past the prefix start/plen into end; returns
 * 0 when there is none (the prefix reaches the top of the space).
 */
static int
nft_prefix_end(const uint8_t *start, int plen, size_t keylen, uint8_t *end)
{
	int	 bits = (int)keylen * 8, i;

	memcpy(end, start, keylen);
	for (i = plen; i < bits; i++)
		end[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	for (i = (int)keylen - 1; i >= 0; i--)
		if (++end[i] != 0)
			return 1;
	return 0;
}

/* True when start has no bits set past plen. */
static int
nft_aligned(const uint8_t *start, int plen, size_t keylen)
{
	int	 bits = (int)keylen * 8, i;

	for (i = plen; i < bits; i++)
		if (start[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/*
 * The length of the largest prefix that starts at start and fits in the
 * range; an exact prefix gives its own length.
 */
static int
nft_range_plen(const uint8_t *start, const uint8_t *end, int has_end,
    size_t keylen)
{
	uint8_t	 pend[16];
	int	 plen, bits = (int)keylen * 8, pe;

	for (plen = 0; plen < bits; plen++) {
		if (!nft_aligned(start, plen, keylen))
			continue;
		pe = nft_prefix_end(start, plen, keylen, pend);
		if (!has_end)
			return plen;
		if (pe && memcmp(pend, end, keylen) <= 0)
			return plen;
	}
	return bits;
}

/* Fills the key fields of an operation for a prefix. */
static int
nft_op_init(struct nft_op *op, const struct prefix *p, int subnet, int del)
{
	int	 set;
	size_t	 kl;

	if ((set = nft_set_for(p, subnet)) == -1)
		return -1;
	memset(op, 0, sizeof(*op));
	op->del = (uint8_t)del;
	op->set = (uint8_t)set;
	kl = nft_keylen(set);
	memcpy(op->start, p->addr.bytes, kl);
	if (nft_set_interval(set))
		op->has_end = (uint8_t)nft_prefix_end(op->start, p->len, kl,
		    op->end);
	return 0;
}

/* The shadow and dump maps. */

static uint64_t
nft_map_hash(int set, const uint8_t *start)
{
	return util_hash(start, 16) ^ ((uint64_t)set * 0x9e3779b97f4a7c15ULL);
}

static struct nft_ent *
nft_map_find(const struct nft_map *m, int set, const uint8_t *start)
{
	size_t	 i;

	if (m->cap == 0)
		return NULL;
	i = nft_map_hash(set, start) & (m->cap - 1);
	for (; m->v[i].used; i = (i + 1) & (m->cap - 1))
		if (m->v[i].set == set && memcmp(m->v[i].start, start, 16) == 0)
			return &m->v[i];
	return NULL;
}

static int
nft_map_grow(struct nft_map *m)
{
	struct nft_map	 nm;
	size_t		 i, j;

	nm.cap = m->cap ? m->cap * 2 : 1024;
	nm.n = m->n;
	if ((nm.v = calloc(nm.cap, sizeof(*nm.v))) == NULL)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (!m->v[i].used)
			continue;
		j = nft_map_hash(m->v[i].set, m->v[i].start) & (nm.cap - 1);
		while (nm.v[j].used)
			j = (j + 1) & (nm.cap - 1);
		nm.v[j] = m->v[i];
	}
	free(m->v);
	*m = nm;
	return 0;
}

/* Inserts or replaces an entry; returns it, or NULL. */
static struct nft_ent *
nft_map_put(struct nft_map *m, const struct nft_ent *e)
{
	struct nft_ent	*f;
	size_t		 i;

	if ((f = nft_map_find(m, e->set, e->start)) != NULL) {
		*f = *e;
		f->used = 1;
		return f;
	}
	if ((m->n + 1) * 2 > m->cap && nft_map_grow(m) == -1)
		return NULL;
	i = nft_map_hash(e->set, e->start) & (m->cap - 1);
	while (m->v[i].used)
		i = (i + 1) & (m->cap - 1);
	m->v[i] = *e;
	m->v[i].used = 1;
	m->n++;
	return &m->v[i];
}

/* Removes an entry, shifting its followers back into place. */
static void
nft_map_del(struct nft_map *m, int set, const uint8_t *start)
{
	struct nft_ent	*f;
	size_t		 i, j, k, mask = m->cap - 1;

	if ((f = nft_map_find(m, set, start)) == NULL)
		return;
	i = (size_t)(f - m->v);
	m->v[i].used = 0;
	m->n--;
	for (j = (i + 1) & mask; m->v[j].used; j = (j + 1) & mask) {
		k = nft_map_hash(m->v[j].set, m->v[j].start) & mask;
		/* Move j back to i unless its home lies in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->v[i] = m->v[j];
		m->v[j].used = 0;
		i = j;
	}
}

static void
nft_map_free(struct nft_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void
nft_ent_from_op(struct nft_ent *e, const struct nft_op *op)
{
	memset(e, 0, sizeof(*e));
	e->set = op->set;
	e->has_end = op->has_end;
	memcpy(e->start, op->start, 16);
	memcpy(e->end, op->end, 16);
}

/* Message builders. */

static struct nlmsghdr *
nft_hdr(char *buf, int type, int flags, uint32_t seq)
{
	return nftnl_nlmsg_build_hdr(buf, (uint16_t)type, NFPROTO_INET,
	    (uint16_t)flags, seq);
}

static size_t
nft_build_table(char *buf, const char *table, int del, uint32_t seq)
{
	struct nftnl_table	*t;
	struct nftnl_udata_buf	*ud;
	struct nlmsghdr		*nlh;

	if ((t = nftnl_table_alloc()) == NULL)
		return 0;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	if (!del) {
		if ((ud = nftnl_udata_buf_alloc(256)) == NULL) {
			nftnl_table_free(t);
			return 0;
		}
		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT,
		    NFT_COMMENT);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA,
		    nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	nlh = nft_hdr(buf, del ? NFT_MSG_DELTABLE : NFT_MSG_NEWTABLE,
	    (del ? 0 : NLM_F_CREATE) | NLM_F_ACK, seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return nlh->nlmsg_len;
}

size_t
nft_msg_table(char *buf, const struct nft_conf *conf, uint32_t seq)
{
	return nft_build_table(buf, conf->table ? conf->table :
	    NFT_TABLE_DEFAULT, 0, seq);
}

static uint32_t
nft_set_flags(int set)
{
	return NFT_SET_TIMEOUT | (nft_set_interval(set) ? NFT_SET_INTERVAL : 0);
}

size_t
nft_msg_set(char *buf, const struct nft_conf *conf, int set, uint32_t seq)
{
	struct nftnl_set	*s;
	struct nftnl_udata_buf	*ud;
	struct nlmsghdr		*nlh;

	if (set < 0 || set >= NFT_NSETS || (s = nftnl_set_alloc()) == NULL)
		return 0;
	if ((ud = nftnl_udata_buf_alloc(64)) == NULL) {
		nftnl_set_free(s);
		return 0;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, conf->table ? conf->table :
	    NFT_TABLE_DEFAULT);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_set_names[set]);
	nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)set + 1);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, nft_set_flags(set));
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, nft_set_v6(set) ?
	    NFT_KEYTYPE_IP6 : NFT_KEYTYPE_IP);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, (uint32_t)nft_keylen(set));
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, conf->set_size ?
	    conf->set_size : NFT_SET_SIZE_DEFAULT);
	/* nft needs the byte order to print the elements. */
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
	    NFT_BYTEORDER_BIG);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
	    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	nlh = nft_hdr(buf, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_ACK, seq);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nlh->nlmsg_len;
}

static size_t
nft_build_chain(char *buf, const struct nft *nft, int forward, uint32_t seq)
{
	struct nftnl_chain	*c;
	struct nlmsghdr		*nlh;

	if ((c = nftnl_chain_alloc()) == NULL)
		return 0;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, nft->table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, forward ? "forward" : "input");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, forward ?
	    NF_INET_FORWARD : NF_INET_LOCAL_IN);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, NFT_PRIO);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nlh = nft_hdr(buf, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_ACK, seq);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	return nlh->nlmsg_len;
}

/* Adds an expression; returns -1 when it could not be allocated. */
static struct nftnl_expr *
nft_expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr	*e;

	if ((e = nftnl_expr_alloc(name)) != NULL)
		nftnl_rule_add_expr(r, e);
	return e;
}

/* ip saddr @ban4 drop, and the like: protocol, source, lookup, verdict. */
static int
nft_rule_exprs(struct nftnl_rule *r, int set, int reject)
{
	struct nftnl_expr	*e;
	uint8_t			 proto = nft_set_v6(set) ? NFPROTO_IPV6 :
				    NFPROTO_IPV4;

	if ((e = nft_expr(r, "meta")) == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	if ((e = nft_expr(r, "cmp")) == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &proto, sizeof(proto));
	if ((e = nft_expr(r, "payload")) == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
	    NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET,
	    nft_set_v6(set) ? 8 : 12);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN,
	    (uint32_t)nft_keylen(set));
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	if ((e = nft_expr(r, "lookup")) == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, nft_set_names[set]);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, (uint32_t)set + 1);
	if (reject) {
		if ((e = nft_expr(r, "reject")) == NULL)
			return -1;
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE,
		    NFT_REJECT_ICMPX_UNREACH);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE,
		    NFT_REJECT_ICMPX_PORT_UNREACH);
		return 0;
	}
	if ((e = nft_expr(r, "immediate")) == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	return 0;
}

static size_t
nft_build_rule(char *buf, const struct nft *nft, int forward, int set,
    uint32_t seq)
{
	struct nftnl_rule	*r;
	struct nlmsghdr		*nlh;

	if ((r = nftnl_rule_alloc()) == NULL)
		return 0;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nft->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, forward ? "forward" : "input");
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (nft_rule_exprs(r, set, nft->conf.reject) == -1) {
		nftnl_rule_free(r);
		return 0;
	}
	nlh = nft_hdr(buf, NFT_MSG_NEWRULE,
	    NLM_F_APPEND | NLM_F_CREATE | NLM_F_ACK, seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return nlh->nlmsg_len;
}

/* Adds the set elements of one operation: a key, or an interval. */
static int
nft_elem_push(struct nftnl_set *s, const struct nft_op *op)
{
	struct nftnl_set_elem	*e;
	size_t			 kl = nft_keylen(op->set);

	if ((e = nftnl_set_elem_alloc()) == NULL)
		return -1;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, op->start, (uint32_t)kl);
	if (!op->del && op->timeout_s > 0)
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT,
		    (uint64_t)op->timeout_s * 1000);
	nftnl_set_elem_add(s, e);
	if (!nft_set_interval(op->set) || !op->has_end)
		return 0;
	/* The end of an interval carries no timeout: the kernel refuses it. */
	if ((e = nftnl_set_elem_alloc()) == NULL)
		return -1;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, op->end, (uint32_t)kl);
	nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
	    NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_elem_add(s, e);
	return 0;
}

/* One NEWSETELEM or DELSETELEM message for ops[0..n), all of one set. */
static size_t
nft_build_elems(char *buf, const char *table, const struct nft_op *ops,
    size_t n, uint32_t seq)
{
	struct nftnl_set	*s;
	struct nlmsghdr		*nlh;
	size_t			 i;
	int			 del = ops[0].del;

	if ((s = nftnl_set_alloc()) == NULL)
		return 0;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nft_set_names[ops[0].set]);
	for (i = 0; i < n; i++)
		if (nft_elem_push(s, &ops[i]) == -1) {
			nftnl_set_free(s);
			return 0;
		}
	/* No NLM_F_EXCL: adding an element that exists resets its timer. */
	nlh = nft_hdr(buf, del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
	    (del ? 0 : NLM_F_CREATE) | NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nlh->nlmsg_len;
}

size_t
nft_msg_elem(char *buf, const struct nft_conf *conf, int add,
    const struct prefix *p, int subnet, uint32_t timeout_s, uint32_t seq)
{
	struct nft_op	 op;

	if (nft_op_init(&op, p, subnet, !add) == -1)
		return 0;
	op.timeout_s = timeout_s;
	return nft_build_elems(buf, conf->table ? conf->table :
	    NFT_TABLE_DEFAULT, &op, 1, seq);
}

/* Sockets and batches. */

static void
nft_sockbuf(struct mnl_socket *nl, int opt, int fallback)
{
	int	 fd = mnl_socket_get_fd(nl), size = NFT_SOCKBUF;

	/* The forced size needs CAP_NET_ADMIN, which a writer has anyway. */
	if (setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, fallback, &size,
		    sizeof(size));
}

struct nft *
nft_open(const struct nft_conf *conf)
{
	struct nft	*nft;
	const char	*table = conf->table ? conf->table : NFT_TABLE_DEFAULT;
	int		 on = 1;

	if (*table == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if (strlen(table) >= NFT_NAME_MAXLEN) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((nft = calloc(1, sizeof(*nft))) == NULL)
		return NULL;
	util_strlcpy(nft->table, table, sizeof(nft->table));
	nft->conf = *conf;
	nft->conf.table = nft->table;
	if (nft->conf.set_size == 0)
		nft->conf.set_size = NFT_SET_SIZE_DEFAULT;
	if ((nft->rbuf = malloc(NFT_RECVBUF)) == NULL)
		goto fail;
	if ((nft->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		goto fail;
	if (mnl_socket_bind(nft->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	nft->portid = mnl_socket_get_portid(nft->nl);
	nft->seq = (uint32_t)util_mono_ms();
	nft_sockbuf(nft->nl, SO_SNDBUFFORCE, SO_SNDBUF);
	nft_sockbuf(nft->nl, SO_RCVBUFFORCE, SO_RCVBUF);
	/* Errors then quote only the header of a failed message. */
	(void)mnl_socket_setsockopt(nft->nl, NETLINK_CAP_ACK, &on, sizeof(on));
	return nft;
fail:
	nft_close(nft);
	return NULL;
}

void
nft_close(struct nft *nft)
{
	int	 saved = errno;

	if (nft == NULL)
		return;
	if (nft->nl != NULL)
		mnl_socket_close(nft->nl);
	if (nft->mon != NULL)
		mnl_socket_close(nft->mon);
	nft_map_free(&nft->shadow);
	free(nft->ops);
	free(nft->evict);
	free(nft->buf);
	free(nft->msgs);
	free(nft->rbuf);
	free(nft);
	errno = saved;
}

const struct nft_stats *
nft_stats(const struct nft *nft)
{
	return &nft->st;
}

/* Makes room for the next message; returns its place, or NULL. */
static char *
nft_buf_room(struct nft *nft)
{
	char	*p;
	size_t	 cap;

	if (nft->cap - nft->len >= NFT_BUF_SLACK)
		return nft->buf + nft->len;
	cap = nft->cap ? nft->cap * 2 : 256 << 10;
	while (cap - nft->len < NFT_BUF_SLACK)
		cap *= 2;
	if ((p = realloc(nft->buf, cap)) == NULL)
		return NULL;
	nft->buf = p;
	nft->cap = cap;
	return nft->buf + nft->len;
}

/* Starts a batch: its begin message. */
static int
nft_batch_start(struct nft *nft)
{
	struct nlmsghdr	*nlh;
	char		*p;

	nft->len = 0;
	nft->nmsgs = 0;
	if ((p = nft_buf_room(nft)) == NULL)
		return -1;
	nft->base = nft->seq++;
	nlh = nftnl_batch_begin(p, nft->base);
	nft->len += nlh->nlmsg_len;
	return 0;
}

/* Records a message just built at the end of the buffer. */
static int
nft_batch_push(struct nft *nft, size_t len, size_t first, size_t cnt)
{
	struct nft_msg	*m;

	if (len == 0)
		return -1;
	if (nft->nmsgs == nft->capmsgs) {
		size_t	 cap = nft->capmsgs ? nft->capmsgs * 2 : 64;

		if ((m = reallocarray(nft->msgs, cap, sizeof(*m))) == NULL)
			return -1;
		nft->msgs = m;
		nft->capmsgs = cap;
	}
	m = &nft->msgs[nft->nmsgs++];
	m->first = first;
	m->cnt = cnt;
	m->err = 0;
	m->acked = 0;
	nft->len += NLMSG_ALIGN(len);
	return 0;
}

/* The sequence number the next message gets. */
static uint32_t
nft_batch_seq(struct nft *nft)
{
	return nft->seq++;
}

/* Reads what is waiting without blocking and throws it away. */
static void
nft_drain(struct mnl_socket *nl, char *buf)
{
	while (recv(mnl_socket_get_fd(nl), buf, NFT_RECVBUF,
	    MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}

/* Matches one ack to its message; returns 1 for the batch's own error. */
static int
nft_batch_ack(struct nft *nft, const struct nlmsghdr *nlh, int *batcherr)
{
	const struct nlmsgerr	*e;
	uint32_t		 k;

	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return 0;
	e = mnl_nlmsg_get_payload(nlh);
	k = nlh->nlmsg_seq - nft->base;
	if (k == 0) {
		*batcherr = -e->error;
		return 1;
	}
	if (k > nft->nmsgs || nft->msgs[k - 1].acked)
		return 0;
	nft->msgs[k - 1].acked = 1;
	nft->msgs[k - 1].err = -e->error;
	return 0;
}

/*
 * Sends the batch and reads its acks. Returns 0 when every message was
 * acked, 1 when some acks are missing (lost, or the batch failed as a
 * whole: *batcherr), -1 when it could not be sent.
 */
static int
nft_batch_send(struct nft *nft, int *batcherr)
{
	struct nlmsghdr	*nlh;
	struct pollfd	 pfd;
	size_t		 acked = 0, i;
	ssize_t		 n;
	int		 fd = mnl_socket_get_fd(nft->nl), lost = 0, rem;

	*batcherr = 0;
	nlh = nftnl_batch_end(nft->buf + nft->len, nft_batch_seq(nft));
	nft->len += nlh->nlmsg_len;
	nft_drain(nft->nl, nft->rbuf);
	if (mnl_socket_sendto(nft->nl, nft->buf, nft->len) == -1)
		return -1;
	nft->st.batches++;
	nft->st.msgs += nft->nmsgs;
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* The kernel has acked everything by the time sendmsg returns. */
	while (acked < nft->nmsgs && *batcherr == 0) {
		n = recv(fd, nft->rbuf, NFT_RECVBUF, MSG_DONTWAIT);
		if (n == -1 && errno == ENOBUFS) {
			lost = 1;
			nft->st.enobufs++;
			continue;
		}
		if (n == -1 && errno == EAGAIN && !lost &&
		    poll(&pfd, 1, 200) == 1)
			continue;
		if (n <= 0)
			break;
		nlh = (struct nlmsghdr *)nft->rbuf;
		for (rem = (int)n; mnl_nlmsg_ok(nlh, rem);
		    nlh = mnl_nlmsg_next(nlh, &rem))
			nft_batch_ack(nft, nlh, batcherr);
		for (acked = 0, i = 0; i < nft->nmsgs; i++)
			acked += nft->msgs[i].acked;
	}
	return acked == nft->nmsgs ? 0 : 1;
}

/* The element queue and its commit. */

static int
nft_push_op(struct nft_op **v, size_t *n, size_t *cap,
    const struct nft_op *op)
{
	struct nft_op	*nv;

	if (*n == *cap) {
		size_t	 c = *cap ? *cap * 2 : 256;

		if ((nv = reallocarray(*v, c, sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = *op;
	return 0;
}

int
nft_add(struct nft *nft, const struct prefix *p, int subnet,
    uint32_t timeout_s)
{
	struct nft_op	 op;

	if (nft_op_init(&op, p, subnet, 0) == -1)
		return -1;
	op.timeout_s = timeout_s;
	return nft_push_op(&nft->ops, &nft->nops, &nft->capops, &op);
}

int
nft_del(struct nft *nft, const struct prefix *p, int subnet)
{
	struct nft_op	 op;

	if (nft_op_init(&op, p, subnet, 1) == -1)
		return -1;
	return nft_push_op(&nft->ops, &nft->nops, &nft->capops, &op);
}

/* Records a finished operation in the shadow. */
static void
nft_op_done(struct nft *nft, struct nft_op *op, int64_t now)
{
	struct nft_ent	 e;

	op->state = NFT_OP_DONE;
	if (op->del) {
		nft_map_del(&nft->shadow, op->set, op->start);
		return;
	}
	nft_ent_from_op(&e, op);
	e.expires = op->timeout_s ? now + (int64_t)op->timeout_s * 1000 :
	    NFT_NOEXPIRY;
	if (nft_map_put(&nft->shadow, &e) == NULL)
		log_warnx("nft: shadow: out of memory");
}

static void
nft_op_failed(struct nft *nft, struct nft_op *op, int err)
{
	op->state = NFT_OP_FAILED;
	op->err = err;
	nft->st.errors++;
	if (nft->nfail++ == 0) {
		nft->failerr = err;
		nft->failset = op->set;
	}
}

static void
nft_ent_prefix(const struct nft_ent *e, struct prefix *p)
{
	size_t	 kl = nft_keylen(e->set);

	memset(p, 0, sizeof(*p));
	p->addr.family = nft_set_v6(e->set) ? AF_INET6 : AF_INET;
	memcpy(p->addr.bytes, e->start, kl);
	p->len = nft_set_interval(e->set) ? (uint8_t)nft_range_plen(e->start,
	    e->end, e->has_end, kl) : 32;
}

/*
 * Makes room in a full set: queues the deletion of the element of that
 * set that expires first. Returns 0, or -1 when the shadow knows none.
 */
static int
nft_evict(struct nft *nft, int set)
{
	struct nft_ent	*v = NULL;
	struct nft_op	 op;
	struct prefix	 p;
	char		 buf[PREFIX_STRLEN];
	unsigned long	 held;
	size_t		 i;

	/* XXX a linear scan a victim; a heap would do for many at once. */
	for (i = 0; i < nft->shadow.cap; i++) {
		struct nft_ent	*e = &nft->shadow.v[i];

		if (e->used && e->set == set &&
		    (v == NULL || e->expires < v->expires))
			v = e;
	}
	if (v == NULL)
		return -1;
	memset(&op, 0, sizeof(op));
	op.del = 1;
	op.set = v->set;
	op.has_end = v->has_end;
	memcpy(op.start, v->start, 16);
	memcpy(op.end, v->end, 16);
	nft_ent_prefix(v, &p);
	if (nft_push_op(&nft->evict, &nft->nevict, &nft->capevict, &op) == -1)
		return -1;
	nft_map_del(&nft->shadow, set, op.start);
	nft->st.evicted++;
	if (log_limit_pass(&nft->full_ll, 60, &held))
		log_warnx("nft: set %s full, evicting %s (%lu more held back)",
		    nft_set_names[set], prefix_format(&p, buf, sizeof(buf)),
		    held);
	return 0;
}

/* Decides about an operation that failed in a message of its own. */
static void
nft_op_error(struct nft *nft, struct nft_op *op, int err, int64_t now)
{
	if ((!op->del && err == EEXIST) || (op->del && err == ENOENT)) {
		nft_op_done(nft, op, now);
		return;
	}
	if (!op->del && (err == ENFILE || err == ENOSPC) &&
	    nft_evict(nft, op->set) == 0)
		return;
	nft_op_failed(nft, op, err);
}

/* Builds one batch from ops[i..); *next is where the next one starts. */
static int
nft_batch_build(struct nft *nft, size_t i, size_t *next)
{
	struct nft_op	*ops = nft->ops;
	size_t		 j, n, len;
	char		*p;

	if (nft_batch_start(nft) == -1)
		return -1;
	while (i < nft->nops && nft->nmsgs < NFT_BATCH_MSGS &&
	    nft->len < NFT_BATCH_BYTES) {
		n = 1 + ops[i].has_end;
		for (j = i + 1; !ops[i].alone && j < nft->nops; j++) {
			if (ops[j].alone || ops[j].del != ops[i].del ||
			    ops[j].set != ops[i].set ||
			    n + 1 + ops[j].has_end > NFT_CHUNK)
				break;
			n += 1 + ops[j].has_end;
		}
		if ((p = nft_buf_room(nft)) == NULL)
			return -1;
		len = nft_build_elems(p, nft->table, &ops[i], j - i,
		    nft_batch_seq(nft));
		if (nft_batch_push(nft, len, i, j - i) == -1)
			return -1;
		i = j;
	}
	*next = i;
	return 0;
}

static int
nft_transient(int err)
{
	return err == ENOBUFS || err == ENOMEM || err == EAGAIN ||
	    err == EINTR;
}

/* Settles the operations of the batch just sent. */
static void
nft_batch_settle(struct nft *nft, int rc, int err, int64_t now)
{
	struct nft_msg	*m;
	size_t		 k, i;
	int		 anyfail = 0;

	if (rc == -1 || err != 0) {
		if (rc == -1)
			err = errno;
		for (k = 0; k < nft->nmsgs && !nft_transient(err); k++) {
			m = &nft->msgs[k];
			for (i = m->first; i < m->first + m->cnt; i++)
				nft_op_failed(nft, &nft->ops[i], err);
		}
		return;
	}
	for (k = 0; k < nft->nmsgs; k++)
		anyfail |= nft->msgs[k].acked && nft->msgs[k].err != 0;
	for (k = 0; k < nft->nmsgs; k++) {
		m = &nft->msgs[k];
		for (i = m->first; i < m->first + m->cnt; i++) {
			/* Lost acks leave the batch's fate unknown: resend. */
			if (!anyfail && rc == 0)
				nft_op_done(nft, &nft->ops[i], now);
			else if (m->acked && m->err != 0 && m->cnt == 1)
				nft_op_error(nft, &nft->ops[i], m->err, now);
			else if (m->acked && m->err != 0)
				nft->ops[i].alone = 1;
		}
	}
}

/*
 * Drops settled operations and puts the evictions first. Returns the
 * number of operations left to send.
 */
static size_t
nft_compact(struct nft *nft)
{
	struct nft_op	*v;
	size_t		 i, n = 0;

	for (i = 0; i < nft->nops; i++)
		if (nft->ops[i].state == NFT_OP_PENDING)
			nft->ops[n++] = nft->ops[i];
	nft->nops = n;
	if (nft->nevict == 0)
		return n;
	/* The evictions and then the rest become the queue. */
	if ((v = reallocarray(NULL, nft->nevict + n, sizeof(*v))) == NULL)
		return n;	/* the adds fail again and evict again */
	memcpy(v, nft->evict, nft->nevict * sizeof(*v));
	memcpy(v + nft->nevict, nft->ops, n * sizeof(*v));
	free(nft->ops);
	nft->ops = v;
	nft->nops = nft->capops = nft->nevict + n;
	nft->nevict = 0;
	return nft->nops;
}

int
nft_commit(struct nft *nft)
{
	size_t	 i, next;
	int64_t	 now = util_mono_ms();
	int	 round, rc, err;

	nft->nfail = 0;
	for (round = 0; round < NFT_ROUNDS && nft_compact(nft) > 0; round++) {
		if (round > 0)
			nft->st.retries++;
		for (i = 0; i < nft->nops; i = next) {
			if (nft_batch_build(nft, i, &next) == -1) {
				for (; i < nft->nops; i++)
					nft_op_failed(nft, &nft->ops[i], errno);
				break;
			}
			rc = nft_batch_send(nft, &err);
			nft_batch_settle(nft, rc, err, now);
		}
	}
	for (i = 0; i < nft->nops; i++)
		if (nft->ops[i].state == NFT_OP_PENDING)
			nft_op_failed(nft, &nft->ops[i], EAGAIN);
	nft->nops = 0;
	nft->nevict = 0;
	if (nft->nfail == 0)
		return 0;
	log_warnx("nft: %zu element operations failed, the first on set %s: "
	    "%s", nft->nfail, nft_set_names[nft->failset],
	    strerror(nft->failerr));
	errno = nft->failerr;
	return -1;
}

/* Requests and dumps. */

/* Sends a request and runs cb on every answer until the end. */
static int
nft_query(struct nft *nft, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	ssize_t	 n;
	int	 rc;

	nft_drain(nft->nl, nft->rbuf);
	if (mnl_socket_sendto(nft->nl, nlh, nlh->nlmsg_len) == -1)
		return -1;
	do {
		n = mnl_socket_recvfrom(nft->nl, nft->rbuf, NFT_RECVBUF);
		if (n == -1)
			return -1;
		rc = mnl_cb_run(nft->rbuf, (size_t)n, nlh->nlmsg_seq,
		    nft->portid, cb, arg);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? -1 : 0;
}

static int
nft_comment_cb(const struct nftnl_udata *attr, void *arg)
{
	const struct nftnl_udata	**tb = arg;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT)
		tb[0] = attr;
	return 0;
}

/* A table that answers GETTABLE: 1 if it carries our comment, else 2. */
static int
nft_table_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nftnl_udata	*tb[1] = { NULL };
	struct nftnl_table		*t;
	const void			*ud;
	uint32_t			 len = 0;
	int				*state = arg;

	if ((t = nftnl_table_alloc()) == NULL)
		return MNL_CB_ERROR;
	*state = 2;
	if (nftnl_table_nlmsg_parse(nlh, t) == 0 &&
	    (ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA,
	    &len)) != NULL &&
	    nftnl_udata_parse(ud, len, nft_comment_cb, tb) == 0 &&
	    tb[0] != NULL && nftnl_udata_len(tb[0]) == sizeof(NFT_COMMENT) &&
	    memcmp(nftnl_udata_get(tb[0]), NFT_COMMENT,
	    sizeof(NFT_COMMENT)) == 0)
		*state = 1;
	nftnl_table_free(t);
	return MNL_CB_OK;
}

/* Returns 0 when our table is missing, 1 ours, 2 somebody else's, -1. */
static int
nft_table_state(struct nft *nft)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table	*t;
	struct nlmsghdr		*nlh;
	int			 state = 0, rc;

	if ((t = nftnl_table_alloc()) == NULL)
		return -1;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, nft->table);
	nlh = nft_hdr(buf, NFT_MSG_GETTABLE, NLM_F_ACK, nft->seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	rc = nft_query(nft, nlh, nft_table_cb, &state);
	if (rc == -1 && errno == ENOENT)
		return 0;
	return rc == -1 ? -1 : state;
}

int
nft_table_present(struct nft *nft)
{
	int	 st = nft_table_state(nft);

	return st == -1 ? -1 : st != 0;
}

/* What nft_check gathers from the dumps. */
struct nft_check {
	struct nft	*nft;
	unsigned	 sets, chains;
	int		 nrules[2];
	int		 bad;
};

static int
nft_check_set_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_check	*c = arg;
	struct nftnl_set	*s;
	int			 i;

	if ((s = nftnl_set_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, s) == 0 &&
	    (i = nft_set_byname(nftnl_set_get_str(s, NFTNL_SET_NAME))) >= 0 &&
	    nftnl_set_get_u32(s, NFTNL_SET_FLAGS) == nft_set_flags(i) &&
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN) == nft_keylen(i) &&
	    nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE) ==
	    c->nft->conf.set_size)
		c->sets |= 1U << i;
	else
		c->bad = 1;
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int
nft_check_chain_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_check	*c = arg;
	struct nftnl_chain	*ch;
	const char		*name, *type;
	int			 fwd;

	if ((ch = nftnl_chain_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, ch) < 0 ||
	    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE),
	    c->nft->table) != 0)
		goto out;
	name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	type = nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE);
	fwd = strcmp(name, "forward") == 0;
	if ((fwd || strcmp(name, "input") == 0) &&
	    (!fwd || c->nft->conf.forward) && type != NULL &&
	    strcmp(type, "filter") == 0 &&
	    nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) ==
	    (fwd ? NF_INET_FORWARD : NF_INET_LOCAL_IN) &&
	    nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO) == NFT_PRIO &&
	    nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_ACCEPT)
		c->chains |= 1U << fwd;
	else
		c->bad = 1;
out:
	nftnl_chain_free(ch);
	return MNL_CB_OK;
}

/* The sets the four rules of a chain look up, in order. */
static const int nft_rule_sets[4] = { NFT_BAN4, NFT_NET4, NFT_BAN6, NFT_NET6 };

/* True when rule number k of a chain is the one we write. */
static int
nft_rule_ok(struct nftnl_rule *r, int k, int reject)
{
	static const char *const names[] = { "meta", "cmp", "payload",
	    "lookup" };
	struct nftnl_expr_iter	*it;
	struct nftnl_expr	*e;
	const char		*name, *set;
	int			 i = 0, ok = 1;

	if (k >= 4 || (it = nftnl_expr_iter_create(r)) == NULL)
		return 0;
	while (ok && (e = nftnl_expr_iter_next(it)) != NULL) {
		name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		if (i < 4)
			ok = strcmp(name, names[i]) == 0;
		else
			ok = i == 4 && strcmp(name, reject ? "reject" :
			    "immediate") == 0;
		if (ok && i == 3) {
			set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
			ok = set != NULL &&
			    strcmp(set, nft_set_names[nft_rule_sets[k]]) == 0;
		}
		i++;
	}
	nftnl_expr_iter_destroy(it);
	return ok && i == 5;
}

static int
nft_check_rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_check	*c = arg;
	struct nftnl_rule	*r;
	const char		*chain;
	int			 fwd;

	if ((r = nftnl_rule_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
	    c->nft->table) != 0)
		goto out;
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	fwd = strcmp(chain, "forward") == 0;
	if ((fwd || strcmp(chain, "input") == 0) &&
	    nft_rule_ok(r, c->nrules[fwd], c->nft->conf.reject))
		c->nrules[fwd]++;
	else
		c->bad = 1;
out:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* Dumps one kind of object of our table into the check. */
static int
nft_check_dump(struct nft *nft, int type, mnl_cb_t cb, struct nft_check *c)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;

	nlh = nft_hdr(buf, type, NLM_F_DUMP, nft->seq++);
	/* Each kind names its table in attribute 1. */
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, nft->table);
	return nft_query(nft, nlh, cb, c);
}

/*
 * Compares our table with the configuration. Returns 0 when it is
 * missing, 1 when it is right, 2 when it is ours and wrong, 3 when it is
 * somebody else's, -1 on error.
 */
static int
nft_check(struct nft *nft)
{
	struct nft_check	 c;
	int			 st;

	if ((st = nft_table_state(nft)) != 1)
		return st == 2 ? 3 : st;
	memset(&c, 0, sizeof(c));
	c.nft = nft;
	if (nft_check_dump(nft, NFT_MSG_GETSET, nft_check_set_cb, &c) == -1 ||
	    nft_check_dump(nft, NFT_MSG_GETCHAIN, nft_check_chain_cb,
	    &c) == -1 ||
	    nft_check_dump(nft, NFT_MSG_GETRULE, nft_check_rule_cb, &c) == -1)
		return errno == ENOENT ? 0 : -1;
	if (c.bad || c.sets != (1U << NFT_NSETS) - 1 ||
	    c.chains != (nft->conf.forward ? 3U : 1U) || c.nrules[0] != 4 ||
	    c.nrules[1] != (nft->conf.forward ? 4 : 0))
		return 2;
	return 1;
}

/* Builds a message with expr (which writes at p_) into the batch. */
#define NFT_PUSH(nft, expr) do {					\
	char	*p_;							\
									\
	if ((p_ = nft_buf_room(nft)) == NULL ||				\
	    nft_batch_push(nft, (expr), 0, 0) == -1)			\
		return -1;						\
} while (0)

/* Queues the whole table; a wrong one of ours is deleted first. */
static int
nft_setup_build(struct nft *nft, int replace)
{
	int	 set, fwd, k;

	if (nft_batch_start(nft) == -1)
		return -1;
	if (replace)
		NFT_PUSH(nft, nft_build_table(p_, nft->table, 1,
		    nft_batch_seq(nft)));
	NFT_PUSH(nft, nft_build_table(p_, nft->table, 0, nft_batch_seq(nft)));
	for (set = 0; set < NFT_NSETS; set++)
		NFT_PUSH(nft, nft_msg_set(p_, &nft->conf, set,
		    nft_batch_seq(nft)));
	for (fwd = 0; fwd <= (nft->conf.forward ? 1 : 0); fwd++) {
		NFT_PUSH(nft, nft_build_chain(p_, nft, fwd,
		    nft_batch_seq(nft)));
		for (k = 0; k < 4; k++)
			NFT_PUSH(nft, nft_build_rule(p_, nft, fwd,
			    nft_rule_sets[k], nft_batch_seq(nft)));
	}
	return 0;
}

/* Sends a batch of table-level messages; all must succeed. */
static int
nft_batch_all(struct nft *nft)
{
	size_t	 k;
	int	 rc, err;

	if ((rc = nft_batch_send(nft, &err)) == -1)
		return -1;
	for (k = 0; err == 0 && k < nft->nmsgs; k++)
		if (nft->msgs[k].acked && nft->msgs[k].err != 0)
			err = nft->msgs[k].err;
	if (err == 0 && rc == 1)
		err = EAGAIN;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int
nft_setup(struct nft *nft)
{
	int	 st;

	if ((st = nft_check(nft)) == -1) {
		log_warn("nft: table inet %s: cannot read it", nft->table);
		return -1;
	}
	if (st == 1)
		return 0;
	if (st == 3) {
		log_warnx("nft: table inet %s exists and is not ours, "
		    "leaving it alone", nft->table);
		errno = EEXIST;
		return -1;
	}
	if (nft_setup_build(nft, st == 2) == -1 || nft_batch_all(nft) == -1) {
		log_warn("nft: table inet %s: cannot create it", nft->table);
		return -1;
	}
	nft_map_free(&nft->shadow);
	log_notice("nft: table inet %s %s", nft->table,
	    st == 2 ? "replaced" : "created");
	return 0;
}

int
nft_teardown(struct nft *nft)
{
	int	 st;

	if ((st = nft_table_state(nft)) <= 0)
		return st;
	if (st == 2) {
		errno = EEXIST;
		return -1;
	}
	if (nft_batch_start(nft) == -1)
		return -1;
	NFT_PUSH(nft, nft_build_table(p_, nft->table, 1, nft_batch_seq(nft)));
	if (nft_batch_all(nft) == -1 && errno != ENOENT)
		return -1;
	nft_map_free(&nft->shadow);
	return 0;
}

/* Element dumps. */

struct nft_raw {
	uint8_t		 key[16];
	uint8_t		 end;
	uint64_t	 left_ms;
};

struct nft_rawv {
	struct nft_raw	*v;
	size_t		 n, cap;
	int		 set;
};

static int
nft_raw_push(struct nft_rawv *rv, struct nftnl_set_elem *e)
{
	const void	*key;
	uint32_t	 len = 0;
	struct nft_raw	*r;

	if ((key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len)) == NULL ||
	    len != nft_keylen(rv->set))
		return 0;
	if (rv->n == rv->cap) {
		size_t	 cap = rv->cap ? rv->cap * 2 : 1024;

		if ((r = reallocarray(rv->v, cap, sizeof(*r))) == NULL)
			return -1;
		rv->v = r;
		rv->cap = cap;
	}
	r = &rv->v[rv->n++];
	memset(r, 0, sizeof(*r));
	memcpy(r->key, key, len);
	r->end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
	    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
	    NFT_SET_ELEM_INTERVAL_END);
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
		r->left_ms = nftnl_set_elem_get_u64(e,
		    NFTNL_SET_ELEM_EXPIRATION);
	return 0;
}

static int
nft_elem_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_rawv		*rv = arg;
	struct nftnl_set	*s;
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem	*e;
	int			 rc = MNL_CB_OK;

	if ((s = nftnl_set_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0 ||
	    (it = nftnl_set_elems_iter_create(s)) == NULL) {
		nftnl_set_free(s);
		return MNL_CB_ERROR;
	}
	while (rc == MNL_CB_OK && (e = nftnl_set_elems_iter_next(it)) != NULL)
		if (nft_raw_push(rv, e) == -1)
			rc = MNL_CB_ERROR;
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return rc;
}

static int
nft_raw_cmp(const void *a, const void *b)
{
	const struct nft_raw	*x = a, *y = b;
	int			 c = memcmp(x->key, y->key, 16);

	/* Where intervals touch, the end of one sorts before the next. */
	return c != 0 ? c : (int)y->end - (int)x->end;
}

/* Reads the raw elements of one set; a dump cut short is read again. */
static int
nft_dump_raw(struct nft *nft, int set, struct nft_rawv *rv)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	int			 tries, rc = -1;

	for (tries = 0; tries < 3; tries++) {
		rv->n = 0;
		nlh = nft_hdr(buf, NFT_MSG_GETSETELEM, NLM_F_DUMP,
		    nft->seq++);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, nft->table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET,
		    nft_set_names[set]);
		if ((rc = nft_query(nft, nlh, nft_elem_cb, rv)) == 0 ||
		    errno != EINTR)
			break;
	}
	return rc;
}

/*
 * Calls fn for every element of a set, intervals joined from their two
 * ends, until fn returns non-zero. Returns 0, fn's value, or -1.
 */
static int
nft_dump_set(struct nft *nft, int set,
    int (*fn)(void *, const struct nft_ent *), void *arg)
{
	struct nft_rawv	 rv;
	struct nft_ent	 e;
	size_t		 i;
	int		 rc;

	memset(&rv, 0, sizeof(rv));
	rv.set = set;
	if (nft_dump_raw(nft, set, &rv) == -1) {
		free(rv.v);
		return -1;
	}
	if (nft_set_interval(set) && rv.n > 1)
		qsort(rv.v, rv.n, sizeof(*rv.v), nft_raw_cmp);
	for (rc = 0, i = 0; rc == 0 && i < rv.n; i++) {
		if (rv.v[i].end)
			continue;	/* an end with no start: nft's zero */
		memset(&e, 0, sizeof(e));
		e.set = (uint8_t)set;
		memcpy(e.start, rv.v[i].key, 16);
		e.expires = (int64_t)rv.v[i].left_ms;
		if (nft_set_interval(set) && i + 1 < rv.n && rv.v[i + 1].end) {
			e.has_end = 1;
			memcpy(e.end, rv.v[++i].key, 16);
		}
		rc = fn(arg, &e);
	}
	free(rv.v);
	return rc;
}

struct nft_list_arg {
	int	(*cb)(void *, const struct prefix *, int, uint32_t);
	void	*arg;
};

static int
nft_list_one(void *arg, const struct nft_ent *e)
{
	struct nft_list_arg	*la = arg;
	struct prefix		 p;
	uint32_t		 left;

	nft_ent_prefix(e, &p);
	left = (uint32_t)((e->expires + 999) / 1000);
	return la->cb(la->arg, &p, e->set == NFT_NET4 || e->set == NFT_NET6,
	    left);
}

int
nft_list(struct nft *nft, int (*cb)(void *arg, const struct prefix *,
    int subnet, uint32_t expires_in_s), void *arg)
{
	struct nft_list_arg	 la;
	int			 set, rc;

	la.cb = cb;
	la.arg = arg;
	for (set = 0; set < NFT_NSETS; set++)
		if ((rc = nft_dump_set(nft, set, nft_list_one, &la)) != 0)
			return rc;
	return 0;
}

/* Reconciliation with the store. */

static int
nft_rec_put(void *arg, const struct nft_ent *e)
{
	return nft_map_put(arg, e) == NULL ? -1 : 0;
}

static int
nft_queue_ent(struct nft *nft, const struct nft_ent *e, int del,
    uint32_t timeout_s)
{
	struct nft_op	 op;

	memset(&op, 0, sizeof(op));
	op.del = (uint8_t)del;
	op.set = e->set;
	op.has_end = e->has_end;
	memcpy(op.start, e->start, 16);
	memcpy(op.end, e->end, 16);
	op.timeout_s = timeout_s;
	return nft_push_op(&nft->ops, &nft->nops, &nft->capops, &op);
}

/* Puts the wanted elements in a map; expires holds the timeout in s. */
static int
nft_rec_want(struct nft_map *w, const struct nft_elem *want, size_t n)
{
	struct nft_op	 op;
	struct nft_ent	 e, *f;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (nft_op_init(&op, &want[i].prefix, want[i].subnet, 0) == -1)
			continue;
		nft_ent_from_op(&e, &op);
		e.expires = want[i].timeout_s;
		/* Of two equal elements the longer ban wins. */
		if ((f = nft_map_find(w, e.set, e.start)) != NULL &&
		    (f->expires == 0 || (e.expires != 0 &&
		    f->expires >= e.expires)))
			continue;
		if (nft_map_put(w, &e) == NULL)
			return -1;
	}
	return 0;
}

/* True when the kernel's time left (ms) is too far from the wanted. */
static int
nft_rec_stale(int64_t left_ms, int64_t want_s)
{
	int64_t	 d = left_ms - want_s * 1000;

	if ((left_ms == 0) != (want_s == 0))
		return 1;
	return d > NFT_RECONCILE_SLACK_S * 1000 ||
	    d < -NFT_RECONCILE_SLACK_S * 1000;
}

/*
 * Queues the deletion of strays, marks the wanted elements the kernel
 * holds (2: to refresh) and puts those that stay into the shadow.
 */
static int
nft_rec_strays(struct nft *nft, struct nft_map *k, struct nft_map *w,
    int64_t now)
{
	struct nft_ent	*ke, *we, s;
	size_t		 i;

	for (i = 0; i < k->cap; i++) {
		if (!(ke = &k->v[i])->used)
			continue;
		we = nft_map_find(w, ke->set, ke->start);
		if (we == NULL || we->has_end != ke->has_end ||
		    (we->has_end && memcmp(we->end, ke->end, 16) != 0)) {
			if (nft_queue_ent(nft, ke, 1, 0) == -1)
				return -1;
			continue;
		}
		we->mark = nft_rec_stale(ke->expires, we->expires) ? 2 : 1;
		if (we->mark == 2)
			continue;
		s = *ke;
		s.expires = ke->expires ? now + ke->expires : NFT_NOEXPIRY;
		if (nft_map_put(&nft->shadow, &s) == NULL)
			return -1;
	}
	return 0;
}

static int
nft_op_cmp(const void *a, const void *b)
{
	const struct nft_op	*x = a, *y = b;

	if (x->del != y->del)
		return (int)y->del - (int)x->del;
	return (int)x->set - (int)y->set;
}

/* Deletions first, each kind grouped by set. */
static void
nft_ops_sort(struct nft *nft)
{
	if (nft->nops > 1)
		qsort(nft->ops, nft->nops, sizeof(*nft->ops), nft_op_cmp);
}

int
nft_reconcile(struct nft *nft, const struct nft_elem *want, size_t n)
{
	struct nft_map	 k, w;
	size_t		 i;
	int		 set, rc = -1;

	memset(&k, 0, sizeof(k));
	memset(&w, 0, sizeof(w));
	nft->nops = nft->nevict = 0;
	if (nft_setup(nft) == -1)
		return -1;
	for (set = 0; set < NFT_NSETS; set++)
		if (nft_dump_set(nft, set, nft_rec_put, &k) != 0) {
			log_warn("nft: reconcile: cannot list set %s",
			    nft_set_names[set]);
			goto out;
		}
	if (nft_rec_want(&w, want, n) == -1)
		goto out;
	nft_map_free(&nft->shadow);
	if (nft_rec_strays(nft, &k, &w, util_mono_ms()) == -1)
		goto out;
	for (i = 0; i < w.cap; i++)
		if (w.v[i].used && w.v[i].mark != 1 &&
		    nft_queue_ent(nft, &w.v[i], 0,
		    (uint32_t)w.v[i].expires) == -1)
			goto out;
	/* Grouped by set, messages carry many elements each. */
	nft_ops_sort(nft);
	rc = 0;
out:
	nft_map_free(&k);
	nft_map_free(&w);
	if (rc == -1) {
		nft->nops = 0;
		return -1;
	}
	return nft_commit(nft);
}

/* Change monitoring. */

int
nft_monitor_fd(struct nft *nft)
{
	int	 grp = NFNLGRP_NFTABLES, fd;

	if (nft->mon != NULL)
		return mnl_socket_get_fd(nft->mon);
	if ((nft->mon = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		return -1;
	if (mnl_socket_bind(nft->mon, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    mnl_socket_setsockopt(nft->mon, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) == -1) {
		mnl_socket_close(nft->mon);
		nft->mon = NULL;
		return -1;
	}
	nft_sockbuf(nft->mon, SO_RCVBUFFORCE, SO_RCVBUF);
	fd = mnl_socket_get_fd(nft->mon);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* True for a deletion in our table by somebody else. */
static int
nft_event_ours(const struct nft *nft, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg	*g;
	const struct nlattr	*a;
	int			 type = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    (type != NFT_MSG_DELTABLE && type != NFT_MSG_DELSET &&
	    type != NFT_MSG_DELCHAIN && type != NFT_MSG_DELRULE &&
	    type != NFT_MSG_DELSETELEM) || nlh->nlmsg_pid == nft->portid)
		return 0;
	/* Elements the kernel itself lets expire are no news. */
	if (type == NFT_MSG_DELSETELEM && nlh->nlmsg_pid == 0)
		return 0;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)))
		return 0;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->nfgen_family != NFPROTO_INET)
		return 0;
	/* Every kind names its table in attribute 1. */
	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) == NFTA_TABLE_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			return strcmp(mnl_attr_get_str(a), nft->table) == 0;
	return 0;
}

int
nft_monitor_read(struct nft *nft)
{
	const struct nlmsghdr	*nlh;
	ssize_t			 n;
	int			 fd, hit = 0, lost = 0, rem, st;

	if ((fd = nft_monitor_fd(nft)) == -1)
		return -1;
	for (;;) {
		n = recv(fd, nft->rbuf, NFT_RECVBUF, MSG_DONTWAIT);
		if (n == -1 && errno == ENOBUFS) {
			lost = 1;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN)
			return -1;
		if (n <= 0)
			break;
		nlh = (const struct nlmsghdr *)nft->rbuf;
		for (rem = (int)n; mnl_nlmsg_ok(nlh, rem);
		    nlh = mnl_nlmsg_next(nlh, &rem))
			hit |= nft_event_ours(nft, nlh);
	}
	if (hit || !lost)
		return hit;
	/* Notifications were lost: look at the table itself. */
	if ((st = nft_check(nft)) == -1)
		return -1;
	return st != 1;
}
