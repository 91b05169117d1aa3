/* Address and prefix parsing, printing and matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "util.h"

static const uint8_t	 addr_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Dotted-quad IPv4 without inet_pton: the hot path of every log line. */
static int
addr_parse4(struct addr *a, const char *s, size_t len)
{
	const unsigned char	*c = (const unsigned char *)s, *e = c + len;
	unsigned		 v;
	int			 part;

	memset(a, 0, sizeof(*a));
	for (part = 0; part < 4; part++) {
		if (c == e || (unsigned)(*c - '0') > 9)
			return -1;
		v = (unsigned)(*c++ - '0');
		if (c < e && (unsigned)(*c - '0') <= 9) {
			/* No leading zeros, as inet_pton refuses them too. */
			if (v == 0)
				return -1;
			v = v * 10 + (unsigned)(*c++ - '0');
			if (c < e && (unsigned)(*c - '0') <= 9)
				v = v * 10 + (unsigned)(*c++ - '0');
		}
		if (v > 255)
			return -1;
		a->bytes[part] = (uint8_t)v;
		if (part < 3 && (c == e || *c++ != '.'))
			return -1;
	}
	if (c != e)
		return -1;
	a->family = AF_INET;
	return 0;
}

int
addr_parse(struct addr *a, const char *s, size_t len)
{
	char	 buf[ADDR_STRLEN + 1];
	size_t	 i;
	int	 colon = 0;

	if (len == 0 || len > ADDR_STRLEN)
		return -1;
	if (len <= 15 && s[0] != ':' && memchr(s, ':', len) == NULL)
		return addr_parse4(a, s, len);
	for (i = 0; i < len; i++)
		if (s[i] == ':') {
			colon = 1;
			break;
		}
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(a, 0, sizeof(*a));
	if (!colon) {
		if (inet_pton(AF_INET, buf, a->bytes) != 1)
			return -1;
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a->bytes) != 1)
		return -1;
	a->family = AF_INET6;
	if (memcmp(a->bytes, addr_mapped, 12) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
	return 0;
}

static int
addr_port_ok(const char *s, size_t len)
{
	long long	 port;

	return util_parse_intn(s, len, 0, 65535, &port) == 0;
}

int
addr_parse_host(struct addr *a, const char *s, size_t len)
{
	const char	*c;
	size_t		 i, ncolon = 0, last = 0;

	/* The common case first: a bare dotted quad. */
	if (len >= 7 && len <= 15 && s[0] >= '0' && s[0] <= '9' &&
	    addr_parse4(a, s, len) == 0)
		return 0;
	if (len > 0 && s[0] == '[') {
		if ((c = memchr(s, ']', len)) == NULL)
			return -1;
		i = (size_t)(c - s);
		if (i + 1 < len && (s[i + 1] != ':' ||
		    !addr_port_ok(s + i + 2, len - i - 2)))
			return -1;
		return addr_parse(a, s + 1, i - 1);
	}
	for (i = 0; i < len; i++)
		if (s[i] == ':') {
			ncolon++;
			last = i;
		}
	if (ncolon == 1 && addr_port_ok(s + last + 1, len - last - 1))
		return addr_parse(a, s, last);
	return addr_parse(a, s, len);
}

char *
addr_format(const struct addr *a, char *buf, size_t len)
{
	if (a->family == 0 ||
	    inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL)
		util_strlcpy(buf, "-", len);
	return buf;
}

int
addr_eq(const struct addr *a, const struct addr *b)
{
	uint64_t	 x[2], y[2];

	if (a->family != b->family)
		return 0;
	/* Unused bytes of an IPv4 address are zero, so 16 always do. */
	memcpy(x, a->bytes, 16);
	memcpy(y, b->bytes, 16);
	return x[0] == y[0] && x[1] == y[1];
}

uint64_t
addr_hash(const struct addr *a)
{
	return util_hash(a->bytes, a->family == AF_INET ? 4 : 16) ^
	    a->family;
}

int
addr_bits(const struct addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

void
addr_mask(struct addr *a, int len)
{
	int	 bits = addr_bits(a), i;

	if (len < 0)
		len = 0;
	for (i = len; i < bits; i++)
		a->bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

int
prefix_parse(struct prefix *p, const char *s)
{
	const char	*slash = strchr(s, '/');
	long long	 len;
	size_t		 alen = slash ? (size_t)(slash - s) : strlen(s);

	if (addr_parse(&p->addr, s, alen) == -1)
		return -1;
	len = addr_bits(&p->addr);
	if (slash != NULL) {
		/* A mapped IPv4 prefix loses the 96 leading bits. */
		int	 off = 0, max = addr_bits(&p->addr);

		if (p->addr.family == AF_INET && strchr(s, ':') != NULL) {
			off = 96;
			max = 128;
		}
		if (util_parse_int(slash + 1, off, max, &len) == -1)
			return -1;
		len -= off;
	}
	p->len = (uint8_t)len;
	addr_mask(&p->addr, p->len);
	return 0;
}

void
prefix_from_addr(struct prefix *p, const struct addr *a, int len)
{
	p->addr = *a;
	if (len > addr_bits(a))
		len = addr_bits(a);
	p->len = (uint8_t)len;
	addr_mask(&p->addr, len);
}

char *
prefix_format(const struct prefix *p, char *buf, size_t len)
{
	char	 a[ADDR_STRLEN];

	addr_format(&p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

int
prefix_contains(const struct prefix *p, const struct addr *a)
{
	size_t	 full = p->len / 8;
	int	 rest = p->len % 8;

	if (p->addr.family != a->family ||
	    memcmp(p->addr.bytes, a->bytes, full) != 0)
		return 0;
	return rest == 0 || ((a->bytes[full] ^ p->addr.bytes[full]) &
	    (0xff00 >> rest) & 0xff) == 0;
}

int
prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	if (a->addr.family != b->addr.family)
		return 0;
	return a->len <= b->len ? prefix_contains(a, &b->addr) :
	    prefix_contains(b, &a->addr);
}

void
addrlist_init(struct addrlist *l)
{
	memset(l, 0, sizeof(*l));
}

void
addrlist_free(struct addrlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
addrlist_add(struct addrlist *l, const struct prefix *p)
{
	if (l->n == l->cap) {
		size_t		 cap = l->cap ? l->cap * 2 : 8;
		struct prefix	*v = reallocarray(l->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

int
addrlist_parse(struct addrlist *l, const char *s, char *bad, size_t badlen)
{
	char	**w;
	size_t	 i, n;
	int	 rv = 0;

	if ((w = util_split(s, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct prefix	 p;

		if (prefix_parse(&p, w[i]) == -1) {
			if (bad != NULL)
				util_strlcpy(bad, w[i], badlen);
			errno = EINVAL;
			rv = -1;
			break;
		}
		if (addrlist_add(l, &p) == -1) {
			rv = -1;
			break;
		}
	}
	util_freev(w);
	return rv;
}

int
addrlist_match(const struct addrlist *l, const struct addr *a)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (prefix_contains(&l->v[i], a))
			return 1;
	return 0;
}

int
addrlist_inside(const struct addrlist *l, const struct prefix *p)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (prefix_overlaps(&l->v[i], p))
			return 1;
	return 0;
}
