/*
 * GeoIP and ASN lookups through libmaxminddb, cached by address. An
 * address is looked up once; later reports read the cache.
 */
#include <netinet/in.h>

#include <errno.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geoip.h"
#include "log.h"
#include "util.h"

#define GEOIP_CACHE	1024	/* slots, a power of two */

struct geoip_asn {
	unsigned	 asn;
	char		 type[24];
};

struct geoip_slot {
	struct addr	 addr;
	int		 used;
	int		 found;
	struct geo	 geo;
};

struct geoip {
	MMDB_s			 city;
	MMDB_s			 asn;
	int			 have_city;
	int			 have_asn;
	struct geoip_asn	*types;
	size_t			 ntypes;
	struct geoip_slot	*cache;
	char			*paths[3];	/* as opened, "" absent */
};

void
geoip_unknown(struct geo *g)
{
	memset(g, 0, sizeof(*g));
	util_strlcpy(g->country_code, GEOIP_UNKNOWN, sizeof(g->country_code));
	util_strlcpy(g->country, GEOIP_UNKNOWN, sizeof(g->country));
	util_strlcpy(g->city, GEOIP_UNKNOWN, sizeof(g->city));
	util_strlcpy(g->org, GEOIP_UNKNOWN, sizeof(g->org));
	util_strlcpy(g->isp, GEOIP_UNKNOWN, sizeof(g->isp));
	util_strlcpy(g->asn_org, GEOIP_UNKNOWN, sizeof(g->asn_org));
	util_strlcpy(g->type, GEOIP_UNKNOWN, sizeof(g->type));
}

/*
 * Opens one database. Returns 1 when open, 0 when absent or unreadable,
 * -1 when out of memory.
 */
static int
geoip_open_db(MMDB_s *db, const char *path)
{
	int	 rc;

	if (path == NULL || *path == '\0')
		return 0;
	rc = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (rc == MMDB_SUCCESS) {
		log_debug("geoip: %s: %s", path, db->metadata.database_type);
		return 1;
	}
	if (rc == MMDB_OUT_OF_MEMORY_ERROR)
		return -1;
	if (rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR)
		log_warnx("geoip: %s: %s: %s", path, MMDB_strerror(rc),
		    strerror(errno));
	else
		log_warnx("geoip: %s: %s", path, MMDB_strerror(rc));
	return 0;
}

static int
geoip_type_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len >= sizeof(((struct geoip_asn *)0)->type))
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return 0;
	return 1;
}

/* Parses "ASN type"; the comment is already cut. Returns 0, or -1. */
static int
geoip_parse_asn_line(char *line, struct geoip_asn *out)
{
	char		*w[3];
	size_t		 n = 0;
	char		*p = line, *num;
	long long	 v;

	while (n < 3) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		w[n++] = p;
		p += strcspn(p, " \t\r\n");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n != 2)
		return -1;
	num = w[0];
	if (util_casecmpn(num, "AS", 2) == 0)
		num += 2;
	if (util_parse_int(num, 1, 4294967295LL, &v) == -1 ||
	    !geoip_type_ok(w[1], strlen(w[1])))
		return -1;
	out->asn = (unsigned)v;
	util_strlcpy(out->type, w[1], sizeof(out->type));
	return 0;
}

static int
geoip_asn_cmp(const void *a, const void *b)
{
	const struct geoip_asn	*x = a, *y = b;

	return (x->asn > y->asn) - (x->asn < y->asn);
}

static int
geoip_types_add(struct geoip *g, const struct geoip_asn *e, size_t *cap)
{
	struct geoip_asn	*v;
	size_t			 ncap;

	if (g->ntypes == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		v = reallocarray(g->types, ncap, sizeof(*v));
		if (v == NULL)
			return -1;
		g->types = v;
		*cap = ncap;
	}
	g->types[g->ntypes++] = *e;
	return 0;
}

/* Reads the ASN list. Returns 0 (also when unreadable), -1 on memory. */
static int
geoip_load_types(struct geoip *g, const char *path)
{
	FILE			*f;
	char			 line[512], *hash;
	struct geoip_asn	 e;
	size_t			 cap = 0, lineno = 0;
	int			 rc = 0;

	if (path == NULL || *path == '\0')
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		log_warn("geoip: %s", path);
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (geoip_parse_asn_line(line, &e) == -1) {
			log_warnx("geoip: %s:%zu: expected \"ASN type\"",
			    path, lineno);
			continue;
		}
		if ((rc = geoip_types_add(g, &e, &cap)) == -1)
			break;
	}
	fclose(f);
	if (g->ntypes > 0)
		qsort(g->types, g->ntypes, sizeof(*g->types), geoip_asn_cmp);
	return rc;
}

struct geoip *
geoip_open(const char *city_db, const char *asn_db, const char *hosting_asns)
{
	struct geoip	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	if ((g->cache = calloc(GEOIP_CACHE, sizeof(*g->cache))) == NULL)
		goto fail;
	if ((g->paths[0] = strdup(city_db != NULL ? city_db : "")) == NULL ||
	    (g->paths[1] = strdup(asn_db != NULL ? asn_db : "")) == NULL ||
	    (g->paths[2] = strdup(hosting_asns != NULL ? hosting_asns :
	    "")) == NULL)
		goto fail;
	if ((g->have_city = geoip_open_db(&g->city, city_db)) == -1)
		goto fail;
	if ((g->have_asn = geoip_open_db(&g->asn, asn_db)) == -1)
		goto fail;
	if (geoip_load_types(g, hosting_asns) == -1)
		goto fail;
	return g;
fail:
	if (g->have_city == -1)
		g->have_city = 0;
	if (g->have_asn == -1)
		g->have_asn = 0;
	geoip_close(g);
	return NULL;
}

void
geoip_close(struct geoip *g)
{
	if (g == NULL)
		return;
	if (g->have_city)
		MMDB_close(&g->city);
	if (g->have_asn)
		MMDB_close(&g->asn);
	free(g->types);
	free(g->cache);
	free(g->paths[0]);
	free(g->paths[1]);
	free(g->paths[2]);
	free(g);
}

int
geoip_same(const struct geoip *g, const char *city_db, const char *asn_db,
    const char *hosting_asns)
{
	const char	*want[3] = { city_db, asn_db, hosting_asns };
	int		 i;

	if (g == NULL)
		return 0;
	for (i = 0; i < 3; i++)
		if (g->paths[i] == NULL || strcmp(g->paths[i],
		    want[i] != NULL ? want[i] : "") != 0)
			return 0;
	return 1;
}

const char *
geoip_asn_type(const struct geoip *g, unsigned asn)
{
	struct geoip_asn	 key, *e;

	if (g == NULL || g->ntypes == 0 || asn == 0)
		return NULL;
	key.asn = asn;
	e = bsearch(&key, g->types, g->ntypes, sizeof(*g->types),
	    geoip_asn_cmp);
	return e != NULL ? e->type : NULL;
}

/*
 * Copies a database string, cutting at a character boundary and
 * turning control bytes into '?', so that the text is safe to show.
 */
static void
geoip_copy(char *dst, size_t dstlen, const char *src, size_t len)
{
	size_t	 i;

	if (len >= dstlen) {
		len = dstlen - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[len] = '\0';
	if (len == 0)
		util_strlcpy(dst, GEOIP_UNKNOWN, dstlen);
}

/* Copies the string at path into dst; leaves dst alone when absent. */
static int
geoip_get_string(MMDB_entry_s *entry, char *dst, size_t dstlen,
    const char *const *path)
{
	MMDB_entry_data_s	 data;

	if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS ||
	    !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    data.data_size == 0)
		return 0;
	geoip_copy(dst, dstlen, data.utf8_string, data.data_size);
	return 1;
}

static int
geoip_get_uint(MMDB_entry_s *entry, unsigned *out, const char *const *path)
{
	MMDB_entry_data_s	 data;

	if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS ||
	    !data.has_data)
		return 0;
	if (data.type == MMDB_DATA_TYPE_UINT32)
		*out = data.uint32;
	else if (data.type == MMDB_DATA_TYPE_UINT16)
		*out = data.uint16;
	else
		return 0;
	return 1;
}

/* Looks the address up in db. Returns 1 and the entry when found. */
static int
geoip_find(MMDB_s *db, const struct addr *a, MMDB_entry_s *entry)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	MMDB_lookup_result_s	 res;
	int			 err;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->bytes, 4);
	} else if (a->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->bytes, 16);
	} else
		return 0;
	res = MMDB_lookup_sockaddr(db, (struct sockaddr *)&ss, &err);
	if (err != MMDB_SUCCESS || !res.found_entry)
		return 0;
	*entry = res.entry;
	return 1;
}

static int
geoip_lookup_city(struct geoip *g, const struct addr *a, struct geo *out)
{
	static const char *const cc[] = { "country", "iso_code", NULL };
	static const char *const cn[] = { "country", "names", "en", NULL };
	static const char *const ct[] = { "city", "names", "en", NULL };
	static const char *const isp[] = { "traits", "isp", NULL };
	static const char *const org[] = { "traits", "organization", NULL };
	static const char *const ut[] = { "traits", "user_type", NULL };
	MMDB_entry_s		 e;

	if (!g->have_city || !geoip_find(&g->city, a, &e))
		return 0;
	geoip_get_string(&e, out->country_code, sizeof(out->country_code),
	    cc);
	geoip_get_string(&e, out->country, sizeof(out->country), cn);
	geoip_get_string(&e, out->city, sizeof(out->city), ct);
	geoip_get_string(&e, out->isp, sizeof(out->isp), isp);
	geoip_get_string(&e, out->org, sizeof(out->org), org);
	geoip_get_string(&e, out->type, sizeof(out->type), ut);
	return 1;
}

/* The ASN database, or an ISP database with the same keys and more. */
static int
geoip_lookup_asn(struct geoip *g, const struct addr *a, struct geo *out)
{
	static const char *const num[] = { "autonomous_system_number",
	    NULL };
	static const char *const org[] = {
	    "autonomous_system_organization", NULL };
	static const char *const isp[] = { "isp", NULL };
	static const char *const iorg[] = { "organization", NULL };
	MMDB_entry_s		 e;

	if (!g->have_asn || !geoip_find(&g->asn, a, &e))
		return 0;
	geoip_get_uint(&e, &out->asn, num);
	geoip_get_string(&e, out->asn_org, sizeof(out->asn_org), org);
	geoip_get_string(&e, out->isp, sizeof(out->isp), isp);
	geoip_get_string(&e, out->org, sizeof(out->org), iorg);
	return 1;
}

static int
geoip_resolve(struct geoip *g, const struct addr *a, struct geo *out)
{
	const char	*type;
	int		 found;

	geoip_unknown(out);
	found = geoip_lookup_city(g, a, out);
	found |= geoip_lookup_asn(g, a, out);
	if ((type = geoip_asn_type(g, out->asn)) != NULL) {
		util_strlcpy(out->type, type, sizeof(out->type));
		found = 1;
	}
	return found;
}

int
geoip_lookup(struct geoip *g, const struct addr *a, struct geo *out)
{
	struct geoip_slot	*s;

	if (g == NULL || a == NULL) {
		geoip_unknown(out);
		return 0;
	}
	s = &g->cache[addr_hash(a) & (GEOIP_CACHE - 1)];
	if (s->used && addr_eq(&s->addr, a)) {
		*out = s->geo;
		return s->found;
	}
	s->found = geoip_resolve(g, a, out);
	s->addr = *a;
	s->geo = *out;
	s->used = 1;
	return s->found;
}
