/* The offender table: a chained hash with bounded size. */
#include <stdlib.h>
#include <string.h>

#include "score.h"
#include "util.h"

struct score_table {
	struct offender	**bucket;
	size_t		 nbucket;	/* a power of two */
	size_t		 n;
	size_t		 max;
	size_t		 bytes;
	unsigned long	 evicted;
	struct offender	*dirty;
};

struct score_table *
score_new(size_t max_tracked)
{
	struct score_table	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->nbucket = 1024;
	if ((t->bucket = calloc(t->nbucket, sizeof(*t->bucket))) == NULL) {
		free(t);
		return NULL;
	}
	t->max = max_tracked;
	return t;
}

static void
score_free_offender(struct score_table *t, struct offender *o)
{
	struct jstate	*j, *next;

	for (j = o->js; j != NULL; j = next) {
		next = j->next;
		t->bytes -= sizeof(*j) + j->size;
		free(j);
	}
	t->bytes -= sizeof(*o);
	free(o);
}

void
score_free(struct score_table *t)
{
	size_t		 i;
	struct offender	*o, *next;

	if (t == NULL)
		return;
	for (i = 0; i < t->nbucket; i++)
		for (o = t->bucket[i]; o != NULL; o = next) {
			next = o->next;
			score_free_offender(t, o);
		}
	free(t->bucket);
	free(t);
}

void
score_set_max(struct score_table *t, size_t max_tracked)
{
	t->max = max_tracked;
}

static void
score_grow(struct score_table *t)
{
	size_t		 nb = t->nbucket * 2, i;
	struct offender	**b, *o, *next;

	if ((b = calloc(nb, sizeof(*b))) == NULL)
		return;		/* Longer chains, still correct. */
	for (i = 0; i < t->nbucket; i++)
		for (o = t->bucket[i]; o != NULL; o = next) {
			size_t	 h = addr_hash(&o->addr) & (nb - 1);

			next = o->next;
			o->next = b[h];
			b[h] = o;
		}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = nb;
}

static int
score_cmp_ms(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Evicts about a tenth of the table: the stalest addresses whose score
 * is under 50 (watch) and that were never banned.
 */
static void
score_evict(struct score_table *t)
{
	int64_t		*v, cut;
	size_t		 i, n = 0, want = t->max / 10 + 1;
	struct offender	**pp, *o;

	if ((v = malloc(t->n * sizeof(*v))) == NULL)
		return;
	for (i = 0; i < t->nbucket; i++)
		for (o = t->bucket[i]; o != NULL; o = o->next)
			if (o->score < 50 && o->bans == 0)
				v[n++] = o->last_ms;
	if (n == 0) {
		free(v);
		return;
	}
	qsort(v, n, sizeof(*v), score_cmp_ms);
	cut = v[(want < n ? want : n) - 1];
	free(v);
	for (i = 0; i < t->nbucket; i++) {
		pp = &t->bucket[i];
		while ((o = *pp) != NULL) {
			if (o->score < 50 && o->bans == 0 &&
			    o->last_ms <= cut && !(o->flags & OFFENDER_DIRTY)) {
				*pp = o->next;
				score_free_offender(t, o);
				t->n--;
				t->evicted++;
			} else
				pp = &o->next;
		}
	}
}

struct offender *
score_get(struct score_table *t, const struct addr *a, int create)
{
	size_t		 h = addr_hash(a) & (t->nbucket - 1);
	struct offender	*o;

	for (o = t->bucket[h]; o != NULL; o = o->next)
		if (addr_eq(&o->addr, a))
			return o;
	if (!create)
		return NULL;
	if (t->n >= t->max) {
		score_evict(t);
		h = addr_hash(a) & (t->nbucket - 1);
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->addr = *a;
	o->next = t->bucket[h];
	t->bucket[h] = o;
	t->n++;
	t->bytes += sizeof(*o);
	if (t->n > t->nbucket)
		score_grow(t);
	return o;
}

void *
score_jstate(struct offender *o, uint32_t jail, size_t size)
{
	struct jstate	*j;

	for (j = o->js; j != NULL; j = j->next)
		if (j->jail == jail)
			return j->data;
	if ((j = calloc(1, sizeof(*j) + size)) == NULL)
		return NULL;
	j->jail = jail;
	j->size = (uint32_t)size;
	j->next = o->js;
	o->js = j;
	return j->data;
}

void
score_drop_jstates(struct score_table *t)
{
	size_t		 i;
	struct offender	*o;
	struct jstate	*j, *next;

	for (i = 0; i < t->nbucket; i++)
		for (o = t->bucket[i]; o != NULL; o = o->next) {
			for (j = o->js; j != NULL; j = next) {
				next = j->next;
				t->bytes -= sizeof(*j) + j->size;
				free(j);
			}
			o->js = NULL;
		}
}

static uint16_t
score_kind_max(const struct kmax *km, uint32_t now)
{
	uint16_t	 best = 0;
	int		 i;

	for (i = 0; i < SCORE_KMAX; i++)
		if (km[i].expires > now && km[i].points > best)
			best = km[i].points;
	return best;
}

int
score_add(struct offender *o, enum sig_kind k, uint32_t points,
    int64_t t_ms, int64_t window_ms)
{
	struct kmax	*km = o->km[k];
	uint32_t	 now = (uint32_t)(t_ms / 1000);
	uint32_t	 exp = (uint32_t)((t_ms + window_ms) / 1000);
	uint16_t	 before = score_kind_max(km, now);
	int		 i, slot = -1;

	if (points > UINT16_MAX)
		points = UINT16_MAX;
	/*
	 * Keep the highest live entry and the latest one: the first is the
	 * maximum now, the second what remains when the first expires.
	 */
	for (i = 0; i < SCORE_KMAX; i++)
		if (km[i].expires <= now ||
		    (km[i].points <= points && km[i].expires <= exp)) {
			slot = i;
			break;
		}
	if (slot < 0) {
		/* Both live and each beats us on points or expiry. */
		int	 low = km[0].points <= km[1].points ? 0 : 1;

		if (km[low].points < points || km[low].expires < exp)
			slot = low;
	}
	if (slot >= 0) {
		km[slot].points = (uint16_t)points;
		km[slot].expires = exp;
	}
	return score_kind_max(km, now) > before;
}

uint32_t
score_compute(const struct offender *o, int64_t t_ms, uint16_t *kinds)
{
	uint32_t	 now = (uint32_t)(t_ms / 1000), sum = 0;
	int		 k;

	for (k = 0; k < SIG_NKINDS; k++) {
		uint16_t	 m = score_kind_max(o->km[k], now);

		if (kinds != NULL)
			kinds[k] = m;
		sum += m;
	}
	return sum;
}

const char *
score_verdict(uint32_t score, uint32_t threshold)
{
	if (score >= threshold + threshold / 2)
		return "critical";
	if (score >= threshold)
		return "block";
	if (score >= threshold / 2)
		return "watch";
	return "low";
}

void
score_mark(struct score_table *t, struct offender *o)
{
	if (o->flags & OFFENDER_DIRTY)
		return;
	o->flags |= OFFENDER_DIRTY;
	o->dirty = t->dirty;
	t->dirty = o;
}

void
score_drain(struct score_table *t, void (*cb)(void *, struct offender *),
    void *arg)
{
	struct offender	*o, *next;

	for (o = t->dirty; o != NULL; o = next) {
		next = o->dirty;
		o->dirty = NULL;
		o->flags &= ~OFFENDER_DIRTY;
		cb(arg, o);
	}
	t->dirty = NULL;
}

void
score_foreach(struct score_table *t, void (*cb)(void *, struct offender *),
    void *arg)
{
	size_t		 i;
	struct offender	*o, *next;

	for (i = 0; i < t->nbucket; i++)
		for (o = t->bucket[i]; o != NULL; o = next) {
			next = o->next;
			cb(arg, o);
		}
}

void
score_stats(const struct score_table *t, struct score_stats *s)
{
	s->tracked = t->n;
	s->evicted = t->evicted;
	s->bytes = t->bytes + t->nbucket * sizeof(*t->bucket);
}
