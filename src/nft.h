/*
 * The nftables writer: one table of the inet family with four sets
 * (ban4, ban6, net4, net6) and an input chain (plus a forward chain)
 * that drops or rejects their sources, written with libnftnl over
 * libmnl in batches whose every ack is checked.
 *
 * Element changes are queued with nft_add and nft_del and sent by
 * nft_commit. A single IPv4 address goes to ban4; any other IPv4
 * prefix to net4. An IPv6 ban (the caller passes its /64) goes to ban6
 * as an interval, a subnet ban to net4 or net6. A timeout of 0 means
 * the element never expires; the kernel removes the others itself.
 *
 * The writer never touches a table it did not create: its table carries
 * the comment NFT_COMMENT, and one of the right name without it is
 * refused.
 */
#ifndef ABUSEMOM_NFT_H
#define ABUSEMOM_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define NFT_TABLE_DEFAULT	"abusemom"
#define NFT_SET_SIZE_DEFAULT	65536
#define NFT_COMMENT		"managed by abusemom"

struct nft_conf {
	const char	*table;		/* NULL: NFT_TABLE_DEFAULT */
	int		 forward;	/* also filter the forward hook */
	int		 reject;	/* reject instead of drop */
	uint32_t	 set_size;	/* 0: NFT_SET_SIZE_DEFAULT */
};

/* An element as the store wants it. */
struct nft_elem {
	struct prefix	 prefix;
	int		 subnet;
	uint32_t	 timeout_s;	/* remaining time; 0: never expires */
};

struct nft_stats {
	unsigned long	 batches;	/* batches sent */
	unsigned long	 msgs;		/* messages in them */
	unsigned long	 errors;	/* operations not applied */
	unsigned long	 retries;	/* batches sent again */
	unsigned long	 enobufs;	/* acks lost to a full socket buffer */
	unsigned long	 evicted;	/* elements evicted from a full set */
};

struct nft;

/*
 * Opens the netlink socket. The table name is copied. Returns NULL with
 * errno set (EINVAL or ENAMETOOLONG for a bad table name).
 */
struct nft	*nft_open(const struct nft_conf *);

/* Closes both sockets and frees everything, queued operations included. */
void		 nft_close(struct nft *);

/*
 * Creates the table, sets and chains in one batch when the table is
 * missing; replaces it in one batch when a set or chain differs from the
 * configuration (its elements are then lost: reconcile after). Returns
 * 0, or -1 (errno EEXIST: a table of that name that is not ours).
 */
int		 nft_setup(struct nft *);

/* Returns 1 when our table exists, 0 when not, -1 on error. */
int		 nft_table_present(struct nft *);

/*
 * Queues the addition of a prefix with a timeout (seconds, 0: none).
 * An element already there has its timeout reset to the new one.
 * Returns 0, or -1 (errno EAFNOSUPPORT, ENOMEM).
 */
int		 nft_add(struct nft *, const struct prefix *, int subnet,
		    uint32_t timeout_s);

/* Queues the removal of a prefix. Returns 0, or -1. */
int		 nft_del(struct nft *, const struct prefix *, int subnet);

/*
 * Sends the queued operations in as few batches as possible and checks
 * every ack. An add of an element that exists and a delete of one that
 * does not count as done; lost acks and operations held back by a failed
 * neighbour are sent again (a bounded number of times); a full set loses
 * its soonest-expiring element to the new one. Returns 0, or -1 when
 * some operation could not be applied (logged once). The queue is empty
 * afterwards either way.
 */
int		 nft_commit(struct nft *);

/*
 * Calls cb for every element of our sets with the seconds it has left
 * (0: no timeout), until cb returns non-zero. An interval that is not a
 * prefix is reported as the largest prefix starting at its start.
 * Returns 0, cb's non-zero value, or -1.
 */
int		 nft_list(struct nft *, int (*cb)(void *arg,
		    const struct prefix *, int subnet, uint32_t expires_in_s),
		    void *arg);

/*
 * Makes the kernel hold exactly want[0..n): sets the table up, adds the
 * missing elements with their timeout, refreshes those whose remaining
 * time differs by more than NFT_RECONCILE_SLACK_S, and removes the
 * others. Discards queued operations. Returns 0, or -1.
 */
#define NFT_RECONCILE_SLACK_S	60
int		 nft_reconcile(struct nft *, const struct nft_elem *want,
		    size_t n);

/*
 * Returns the descriptor of a second socket that listens to nftables
 * changes (opened on the first call), or -1.
 */
int		 nft_monitor_fd(struct nft *);

/*
 * Reads what is waiting on the monitor socket without blocking. Returns
 * 1 when somebody else deleted our table, one of its sets, chains or
 * rules or some of its elements (or when notifications were lost and
 * the table is no longer as set up), 0 otherwise, -1 on error.
 */
int		 nft_monitor_read(struct nft *);

/* Deletes our table if it is there. Returns 0, or -1. */
int		 nft_teardown(struct nft *);

/* The counters, owned by the nft. */
const struct nft_stats *nft_stats(const struct nft *);

/*
 * Internals exposed for the unit tests, which build messages and parse
 * them back without a kernel.
 */
enum nft_set_id {
	NFT_BAN4,
	NFT_BAN6,
	NFT_NET4,
	NFT_NET6,
	NFT_NSETS
};

/* The set a prefix goes to, or -1 (errno EAFNOSUPPORT). */
int		 nft_set_for(const struct prefix *, int subnet);

/* The name of a set ("ban4"); static storage. */
const char	*nft_set_name(int set);

/*
 * Each builds one netlink message into buf (at least NFT_MSG_MAX bytes)
 * and returns its length, or 0 on error. nft_msg_elem builds a
 * NEWSETELEM (add) or DELSETELEM message for one prefix.
 */
#define NFT_MSG_MAX	8192
size_t		 nft_msg_table(char *buf, const struct nft_conf *,
		    uint32_t seq);
size_t		 nft_msg_set(char *buf, const struct nft_conf *, int set,
		    uint32_t seq);
size_t		 nft_msg_elem(char *buf, const struct nft_conf *, int add,
		    const struct prefix *, int subnet, uint32_t timeout_s,
		    uint32_t seq);

#endif
