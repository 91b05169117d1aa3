/*
 * GeoIP and ASN enrichment from MaxMind databases (GeoIP2/GeoLite2 City
 * or Country, and ASN or ISP), with a classification of networks by an
 * optional list of ASNs. A field nobody knows reads "unknown".
 */
#ifndef ABUSEMOM_GEOIP_H
#define ABUSEMOM_GEOIP_H

#include "addr.h"

#define GEOIP_UNKNOWN	"unknown"

struct geo {
	char		 country_code[8];	/* ISO 3166 alpha-2 */
	char		 country[64];
	char		 city[64];
	char		 org[128];	/* organization (ISP databases) */
	char		 isp[128];	/* ISP (ISP databases) */
	unsigned	 asn;		/* 0 when unknown */
	char		 asn_org[128];
	char		 type[24];	/* hosting, residential, ... */
};

struct geoip;

/*
 * Opens the databases; any path may be NULL. A missing or unreadable
 * file is logged and treated as absent. hosting_asns names a list of
 * lines "ASN type # comment". Returns NULL only when out of memory;
 * free with geoip_close.
 */
struct geoip	*geoip_open(const char *city_db, const char *asn_db,
		    const char *hosting_asns);
void		 geoip_close(struct geoip *);

/*
 * True when g was opened with these paths (NULL and "" alike), so a
 * reload that changed none of them can keep it and its cache.
 */
int		 geoip_same(const struct geoip *, const char *city_db,
		    const char *asn_db, const char *hosting_asns);

/*
 * Fills out for the address (::ffff:a.b.c.d is looked up as IPv4), from
 * a cache after the first time. g may be NULL. Returns 1 when some
 * database or the ASN list knew the address, 0 when all is unknown.
 */
int		 geoip_lookup(struct geoip *, const struct addr *,
		    struct geo *out);

/* Sets every field of out to unknown. */
void		 geoip_unknown(struct geo *out);

/* Returns the type the ASN list gives asn, or NULL. */
const char	*geoip_asn_type(const struct geoip *, unsigned asn);

#endif
