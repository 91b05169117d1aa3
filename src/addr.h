/*
 * IPv4 and IPv6 addresses and prefixes. An IPv4 address is kept in the
 * first four bytes; ::ffff:a.b.c.d is parsed as the IPv4 address.
 */
#ifndef ABUSEMOM_ADDR_H
#define ABUSEMOM_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN	50

struct addr {
	uint8_t		 family;	/* AF_INET or AF_INET6; 0 = none */
	uint8_t		 bytes[16];
};

struct prefix {
	struct addr	 addr;		/* host bits cleared */
	uint8_t		 len;
};

/* Parses a bare address of len bytes. Returns 0, or -1. */
int	 addr_parse(struct addr *, const char *s, size_t len);

/*
 * Parses an address as logs carry it: [v6]:port, [v6], v4:port or a
 * bare address. A v6 address with a port and no brackets is ambiguous
 * and taken whole. Returns 0, or -1.
 */
int	 addr_parse_host(struct addr *, const char *s, size_t len);

/* Writes the address into buf (ADDR_STRLEN); returns buf. */
char	*addr_format(const struct addr *, char *buf, size_t len);

int	 addr_eq(const struct addr *, const struct addr *);
uint64_t addr_hash(const struct addr *);
int	 addr_bits(const struct addr *);	/* 32 or 128 */

/* Clears the bits past len. */
void	 addr_mask(struct addr *, int len);

/* ADDR or ADDR/LEN. Returns 0, or -1. */
int	 prefix_parse(struct prefix *, const char *s);
void	 prefix_from_addr(struct prefix *, const struct addr *, int len);
char	*prefix_format(const struct prefix *, char *buf, size_t len);
int	 prefix_contains(const struct prefix *, const struct addr *);
/* True when a and b share any address. */
int	 prefix_overlaps(const struct prefix *, const struct prefix *);

/* A list of prefixes: ignore lists, trusted proxies. */
struct addrlist {
	struct prefix	*v;
	size_t		 n, cap;
};

void	 addrlist_init(struct addrlist *);
void	 addrlist_free(struct addrlist *);
int	 addrlist_add(struct addrlist *, const struct prefix *);
/* Parses white-space separated prefixes; on error *bad names the word. */
int	 addrlist_parse(struct addrlist *, const char *s, char *bad,
	    size_t badlen);
int	 addrlist_match(const struct addrlist *, const struct addr *);
/* True when some entry lies inside p (for subnet bans). */
int	 addrlist_inside(const struct addrlist *, const struct prefix *);

#endif
