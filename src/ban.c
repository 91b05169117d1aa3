/* The ban table and neighbour records, chained hashes by prefix. */
#include <stdlib.h>
#include <string.h>

#include "ban.h"
#include "util.h"

#define BAN_BUCKETS	4096
#define BAN_KEEP_MAX	64

struct neigh {
	struct neigh	*next;
	struct prefix	 net;
	size_t		 n;
	struct {
		struct prefix	 unit;
		int64_t		 t;
	}		 v[BAN_KEEP_MAX];
};

/* Bans in a table that doubles as it fills; neighbour records fixed. */
struct bantable {
	struct ban	**bucket;
	size_t		 nbucket;	/* a power of two */
	size_t		 n;
	struct neigh	*neigh[BAN_BUCKETS];
};

static size_t
ban_hash_n(const struct prefix *p, size_t n)
{
	return (size_t)((addr_hash(&p->addr) ^ p->len) & (n - 1));
}

static size_t
ban_hash(const struct prefix *p)
{
	return ban_hash_n(p, BAN_BUCKETS);
}

static int
ban_prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && addr_eq(&a->addr, &b->addr);
}

struct bantable *
ban_new(void)
{
	struct bantable	*bt;

	if ((bt = calloc(1, sizeof(*bt))) == NULL)
		return NULL;
	bt->nbucket = BAN_BUCKETS;
	if ((bt->bucket = calloc(bt->nbucket, sizeof(*bt->bucket))) == NULL) {
		free(bt);
		return NULL;
	}
	return bt;
}

static void
ban_grow(struct bantable *bt)
{
	size_t		 nb = bt->nbucket * 2, i;
	struct ban	**v, *b, *next;

	if ((v = calloc(nb, sizeof(*v))) == NULL)
		return;		/* Longer chains, still right. */
	for (i = 0; i < bt->nbucket; i++)
		for (b = bt->bucket[i]; b != NULL; b = next) {
			size_t	 h = ban_hash_n(&b->prefix, nb);

			next = b->next;
			b->next = v[h];
			v[h] = b;
		}
	free(bt->bucket);
	bt->bucket = v;
	bt->nbucket = nb;
}

void
ban_free(struct bantable *bt)
{
	size_t		 i;
	struct ban	*b, *bn;
	struct neigh	*n, *nn;

	if (bt == NULL)
		return;
	for (i = 0; i < bt->nbucket; i++)
		for (b = bt->bucket[i]; b != NULL; b = bn) {
			bn = b->next;
			free(b);
		}
	for (i = 0; i < BAN_BUCKETS; i++)
		for (n = bt->neigh[i]; n != NULL; n = nn) {
			nn = n->next;
			free(n);
		}
	free(bt->bucket);
	free(bt);
}

struct ban *
ban_find(struct bantable *bt, const struct prefix *p)
{
	struct ban	*b;

	for (b = bt->bucket[ban_hash_n(p, bt->nbucket)]; b != NULL;
	    b = b->next)
		if (ban_prefix_eq(&b->prefix, p))
			return b;
	return NULL;
}

struct ban *
ban_covering(struct bantable *bt, const struct addr *a, int64_t now_ms,
    int v6len, int len4, int len6)
{
	struct prefix	 p;
	struct ban	*b;

	prefix_from_addr(&p, a, a->family == AF_INET ? 32 : v6len);
	if ((b = ban_find(bt, &p)) != NULL && b->until_ms > now_ms)
		return b;
	prefix_from_addr(&p, a, a->family == AF_INET ? len4 : len6);
	if ((b = ban_find(bt, &p)) != NULL && b->until_ms > now_ms)
		return b;
	return NULL;
}

struct ban *
ban_put(struct bantable *bt, const struct prefix *p, int subnet,
    const char *jail, uint32_t score, int64_t since_ms, int64_t until_ms,
    uint16_t count)
{
	struct ban	*b;

	if ((b = ban_find(bt, p)) == NULL) {
		size_t	 h;

		if ((b = calloc(1, sizeof(*b))) == NULL)
			return NULL;
		if (++bt->n > bt->nbucket)
			ban_grow(bt);
		h = ban_hash_n(p, bt->nbucket);
		b->prefix = *p;
		b->next = bt->bucket[h];
		bt->bucket[h] = b;
	}
	b->subnet = (uint8_t)subnet;
	util_strlcpy(b->jail, jail, sizeof(b->jail));
	b->score = score;
	b->since_ms = since_ms;
	b->until_ms = until_ms;
	b->count = count;
	return b;
}

int
ban_remove(struct bantable *bt, const struct prefix *p)
{
	struct ban	**pp, *b;

	for (pp = &bt->bucket[ban_hash_n(p, bt->nbucket)]; (b = *pp) != NULL;
	    pp = &b->next)
		if (ban_prefix_eq(&b->prefix, p)) {
			*pp = b->next;
			free(b);
			bt->n--;
			return 0;
		}
	return -1;
}

size_t
ban_note_neighbour(struct bantable *bt, const struct prefix *net,
    const struct prefix *unit, int64_t t_ms, int64_t window_ms, size_t keep)
{
	size_t		 h = ban_hash(net), i, o;
	struct neigh	*n;

	if (keep > BAN_KEEP_MAX)
		keep = BAN_KEEP_MAX;
	for (n = bt->neigh[h]; n != NULL; n = n->next)
		if (ban_prefix_eq(&n->net, net))
			break;
	if (n == NULL) {
		if ((n = calloc(1, sizeof(*n))) == NULL)
			return 0;
		n->net = *net;
		n->next = bt->neigh[h];
		bt->neigh[h] = n;
	}
	/* Forget units banned before the window and this unit's old time. */
	for (i = 0, o = 0; i < n->n; i++)
		if (n->v[i].t > t_ms - window_ms &&
		    !ban_prefix_eq(&n->v[i].unit, unit))
			n->v[o++] = n->v[i];
	n->n = o;
	if (n->n == keep) {
		memmove(&n->v[0], &n->v[1], (keep - 1) * sizeof(n->v[0]));
		n->n--;
	}
	n->v[n->n].unit = *unit;
	n->v[n->n].t = t_ms;
	n->n++;
	return n->n;
}

void
ban_foreach(struct bantable *bt, int64_t now_ms,
    void (*cb)(void *, struct ban *), void *arg)
{
	size_t		 i;
	struct ban	*b, *next;

	for (i = 0; i < bt->nbucket; i++)
		for (b = bt->bucket[i]; b != NULL; b = next) {
			next = b->next;
			if (now_ms == 0 || b->until_ms > now_ms)
				cb(arg, b);
		}
}

size_t
ban_count(struct bantable *bt, int64_t now_ms, int subnet)
{
	size_t		 i, n = 0;
	struct ban	*b;

	for (i = 0; i < bt->nbucket; i++)
		for (b = bt->bucket[i]; b != NULL; b = b->next)
			if (b->until_ms > now_ms && b->subnet == subnet)
				n++;
	return n;
}
