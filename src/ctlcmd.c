/*
 * The commands of the control socket. Each handler reads the daemon's
 * state through the public headers and builds one JSON answer; the
 * changing ones go through daemon_ban, daemon_unban and daemon_reload
 * only, with "uid N" as the author the ban history keeps.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ban.h"
#include "conf.h"
#include "ctlcmd.h"
#include "daemon.h"
#include "engine.h"
#include "geoip.h"
#include "log.h"
#include "nft.h"
#include "proto.h"
#include "score.h"
#include "store.h"
#include "tail.h"
#include "util.h"
#include "version.h"

/* What one command runs with. */
struct cctx {
	struct daemon			*d;
	struct ctlcmd_state		*st;
	const struct ctlcmd_peer	*peer;
	struct proto_req		*req;
	char				 by[32];	/* "uid N" */
	int64_t				 now;
};

typedef struct json_object *(*ctlcmd_fn)(struct cctx *);

#define JSET(o, k, v)	json_object_object_add((o), (k), (v))
#define JSTR(s)		json_object_new_string((s) != NULL ? (s) : "")
#define JINT(n)		json_object_new_int64((int64_t)(n))
#define JBOOL(b)	json_object_new_boolean((b) != 0)

void
ctlcmd_state_init(struct ctlcmd_state *st)
{
	memset(st, 0, sizeof(*st));
}

void
ctlcmd_state_free(struct ctlcmd_state *st)
{
	geoip_close(st->geo);
	memset(st, 0, sizeof(*st));
}

static void
ctlcmd_count(struct ctlcmd_state *st, const char *jail, const char *reason,
    int bans, int unbans)
{
	struct ctlcmd_counter	*c;
	size_t			 i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->v[i].jail, jail) == 0 &&
		    strcmp(st->v[i].reason, reason) == 0)
			break;
	if (i == st->n) {
		if (st->n == CTLCMD_COUNTERS_MAX)
			i = st->n - 1;	/* XXX the last row takes the rest */
		else
			st->n++;
		util_strlcpy(st->v[i].jail, jail, sizeof(st->v[i].jail));
		util_strlcpy(st->v[i].reason, reason,
		    sizeof(st->v[i].reason));
	}
	c = &st->v[i];
	c->bans += (unsigned long)bans;
	c->unbans += (unsigned long)unbans;
}

void
ctlcmd_proc_groups(struct ctlcmd_peer *p)
{
	char		 path[64], line[4096], **v;
	size_t		 n, i;
	long long	 g;
	FILE		*f;

	p->ngroups = 0;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)p->pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		if ((v = util_split(line + 7, &n)) == NULL)
			break;
		for (i = 0; i < n && p->ngroups < CTLCMD_GROUPS_MAX; i++)
			if (util_parse_int(v[i], 0, UINT32_MAX, &g) == 0)
				p->groups[p->ngroups++] = (gid_t)g;
		util_freev(v);
		break;
	}
	fclose(f);
}

/* 1 when the peer is in the group named, 0 when not or no such group. */
static int
ctlcmd_member(const struct ctlcmd_peer *p, const char *name)
{
	struct group	 gr, *res = NULL;
	char		 buf[16384];
	size_t		 i;

	if (name == NULL || *name == '\0' ||
	    getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return 0;
	if (p->gid == gr.gr_gid)
		return 1;
	for (i = 0; i < p->ngroups; i++)
		if (p->groups[i] == gr.gr_gid)
			return 1;
	return 0;
}

int
ctlcmd_allowed(const struct daemon *d, const struct ctlcmd_peer *p,
    int changes, const char *cmd, char *why, size_t whylen)
{
	const struct conf	*c = d->conf;

	/* The daemon's own user can do all this to the process anyway. */
	if (p->uid == 0 || p->uid == geteuid())
		return 1;
	if (ctlcmd_member(p, c->admin_group))
		return 1;
	if (!changes && ctlcmd_member(p, c->socket_group))
		return 1;
	if (changes)
		snprintf(why, whylen, "permission denied: %s changes state "
		    "and needs uid 0 or the admin group%s%s; uid %u is in "
		    "neither", cmd, *c->admin_group ? " " : " (none set)",
		    c->admin_group, (unsigned)p->uid);
	else
		snprintf(why, whylen, "permission denied: %s needs uid 0 or "
		    "the group %s; uid %u is not a member", cmd,
		    *c->socket_group ? c->socket_group : "(none set)",
		    (unsigned)p->uid);
	return 0;
}

static struct json_object *
ctlcmd_time(int64_t ms)
{
	char	 buf[32];

	if (ms <= 0)
		return NULL;
	util_format_time(ms, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static int
ctlcmd_jail_matches(const struct jail_conf *jc, const char *path)
{
	size_t	 i;

	for (i = 0; i < jc->nlogpath; i++)
		if (strcmp(jc->logpath[i].glob, path) == 0 ||
		    fnmatch(jc->logpath[i].glob, path, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

/* Files of one jail (or every file when jc is NULL). */
struct files_arg {
	const struct daemon	*d;
	const struct jail_conf	*jc;
	struct json_object	*a;
};

static void
ctlcmd_file_one(void *arg, const char *path, const struct tail_fstats *fs)
{
	struct files_arg	*fa = arg;
	struct json_object	*o;

	if (fa->jc != NULL && !ctlcmd_jail_matches(fa->jc, path))
		return;
	if ((o = json_object_new_object()) == NULL)
		return;
	JSET(o, "path", JSTR(path));
	JSET(o, "lines", JINT(fs->lines));
	JSET(o, "unparsed", JINT(daemon_file_unparsed(fa->d, path)));
	JSET(o, "bytes", JINT(fs->bytes));
	JSET(o, "offset", JINT(fs->off));
	JSET(o, "open", JBOOL(fs->open));
	JSET(o, "rotations", JINT(fs->rotations));
	if (fs->error != 0)
		JSET(o, "error", JSTR(strerror(fs->error)));
	json_object_array_add(fa->a, o);
}

static struct json_object *
ctlcmd_files(struct daemon *d, const struct jail_conf *jc)
{
	struct files_arg	 fa = { d, jc, json_object_new_array() };

	if (fa.a != NULL && d->tail != NULL)
		tail_file_stats(d->tail, ctlcmd_file_one, &fa);
	return fa.a;
}

/* Active bans of a jail (NULL: all), as prefixes, and the count. */
struct bans_arg {
	const char		*jail;
	struct json_object	*a;	/* may be NULL: count only */
	size_t			 n;
	size_t			 set[NFT_NSETS];
};

static void
ctlcmd_ban_one(void *arg, struct ban *b)
{
	struct bans_arg	*ba = arg;
	char		 buf[PREFIX_STRLEN];
	int		 s;

	if (ba->jail != NULL && strcmp(ba->jail, b->jail) != 0)
		return;
	ba->n++;
	if ((s = nft_set_for(&b->prefix, b->subnet)) >= 0)
		ba->set[s]++;
	if (ba->a != NULL)
		json_object_array_add(ba->a, JSTR(prefix_format(&b->prefix,
		    buf, sizeof(buf))));
}

static void
ctlcmd_bans(struct cctx *x, struct bans_arg *ba)
{
	ban_foreach(engine_bans(x->d->engine), x->now, ctlcmd_ban_one, ba);
}

static int
ctlcmd_nft_one(void *arg, const struct prefix *p, int subnet,
    uint32_t expires_in)
{
	size_t	*set = arg;
	int	 s;

	(void)expires_in;
	if ((s = nft_set_for(p, subnet)) >= 0)
		set[s]++;
	return 0;
}

void
ctlcmd_set_counts(struct daemon *d, int64_t now_ms, size_t *set)
{
	struct bans_arg	 ba;

	memset(&ba, 0, sizeof(ba));
	ban_foreach(engine_bans(d->engine), now_ms, ctlcmd_ban_one, &ba);
	memcpy(set, ba.set, sizeof(ba.set));
}

static struct json_object *
ctlcmd_sets(struct cctx *x)
{
	struct json_object	*o = json_object_new_object();
	struct bans_arg		 ba;
	size_t			 set[NFT_NSETS], *v = set;
	int			 i;

	memset(set, 0, sizeof(set));
	memset(&ba, 0, sizeof(ba));
	if (x->d->nft != NULL) {
		if (nft_list(x->d->nft, ctlcmd_nft_one, set) == -1)
			return o;
	} else {
		ctlcmd_bans(x, &ba);
		v = ba.set;
	}
	for (i = 0; o != NULL && i < NFT_NSETS; i++)
		JSET(o, nft_set_name(i), JINT(v[i]));
	return o;
}

static struct json_object *
ctlcmd_jail_obj(struct cctx *x, size_t i, int full)
{
	const struct jail_conf		*jc = &x->d->conf->jails[i];
	const struct engine_jstats	*js = engine_jstats(x->d->engine, i);
	struct json_object		*o, *files;
	struct bans_arg			 ba;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	memset(&ba, 0, sizeof(ba));
	ba.jail = jc->name;
	ba.a = full ? json_object_new_array() : NULL;
	ctlcmd_bans(x, &ba);
	files = ctlcmd_files(x->d, jc);
	JSET(o, "name", JSTR(jc->name));
	JSET(o, "enabled", JBOOL(jc->enabled));
	JSET(o, "filter", JSTR(jc->filter));
	JSET(o, "nfiles", JINT(files != NULL ?
	    json_object_array_length(files) : 0));
	if (full) {
		JSET(o, "files", files);
		JSET(o, "signatures", JSTR(jc->signatures));
		JSET(o, "journal", JBOOL(jc->journalmatch != NULL &&
		    *jc->journalmatch != '\0'));
	} else
		json_object_put(files);
	JSET(o, "lines", JINT(js != NULL ? js->lines : 0));
	JSET(o, "parsed", JINT(js != NULL ? js->parsed : 0));
	JSET(o, "unparsed", JINT(js != NULL ? js->unparsed : 0));
	JSET(o, "hits", JINT(js != NULL ? js->hits : 0));
	JSET(o, "banned", JINT(ba.n));
	JSET(o, "total_banned", JINT(js != NULL ? js->bans : 0));
	if (full)
		JSET(o, "banned_list", ba.a);
	return o;
}

static struct json_object *
ctlcmd_status_jail(struct cctx *x, const char *name)
{
	const struct conf	*c = x->d->conf;
	struct json_object	*a;
	size_t			 i;

	for (i = 0; i < c->njails; i++)
		if (strcmp(c->jails[i].name, name) == 0)
			break;
	if (i == c->njails)
		return proto_answer_error(PROTO_E_NOTFOUND,
		    "no jail named %s", name);
	if ((a = proto_answer_ok()) != NULL)
		JSET(a, "jail", ctlcmd_jail_obj(x, i, 1));
	return a;
}

static struct json_object *
ctlcmd_status(struct cctx *x)
{
	struct daemon		*d = x->d;
	struct json_object	*a, *jails;
	struct score_stats	 ss;
	const char		*jail = proto_arg_str(x->req, "jail");
	size_t			 i;

	if (jail != NULL)
		return ctlcmd_status_jail(x, jail);
	if ((a = proto_answer_ok()) == NULL)
		return NULL;
	score_stats(engine_scores(d->engine), &ss);
	JSET(a, "version", JSTR(ABUSEMOM_VERSION));
	JSET(a, "uptime", JINT((x->now - d->start_ms) / 1000));
	JSET(a, "started", ctlcmd_time(d->start_ms));
	JSET(a, "backend", JSTR(d->conf->backend));
	JSET(a, "table", JSTR(d->conf->table));
	JSET(a, "table_ok", JBOOL(d->nft != NULL && d->table_ok));
	JSET(a, "sets", ctlcmd_sets(x));
	JSET(a, "tracked", JINT(ss.tracked));
	JSET(a, "bans_active", JINT(ban_count(engine_bans(d->engine),
	    x->now, 0) + ban_count(engine_bans(d->engine), x->now, 1)));
	jails = json_object_new_array();
	for (i = 0; jails != NULL && i < d->conf->njails; i++)
		json_object_array_add(jails, ctlcmd_jail_obj(x, i, 0));
	JSET(a, "jails", jails);
	return a;
}

struct list_arg {
	struct cctx		*x;
	const char		*jail;
	struct json_object	*a;
};

static int
ctlcmd_list_one(void *arg, const struct store_ban *b)
{
	struct list_arg		*la = arg;
	struct json_object	*o;
	char			 buf[PREFIX_STRLEN];
	int			 s;

	if (la->jail != NULL && strcmp(la->jail, b->jail) != 0)
		return 0;
	if ((o = json_object_new_object()) == NULL)
		return 1;
	s = nft_set_for(&b->prefix, b->subnet);
	JSET(o, "prefix", JSTR(prefix_format(&b->prefix, buf, sizeof(buf))));
	JSET(o, "set", JSTR(s >= 0 ? nft_set_name(s) : ""));
	JSET(o, "jail", JSTR(b->jail));
	JSET(o, "subnet", JBOOL(b->subnet));
	JSET(o, "score", JINT(b->score));
	JSET(o, "verdict", JSTR(b->verdict));
	JSET(o, "since", ctlcmd_time(b->since_ms));
	JSET(o, "since_ms", JINT(b->since_ms));
	JSET(o, "expires_in", b->expires_ms == 0 ? NULL :
	    JINT((b->expires_ms - la->x->now + 999) / 1000));
	JSET(o, "count", JINT(b->count));
	JSET(o, "reason", JSTR(b->reason));
	JSET(o, "by", JSTR(b->by));
	JSET(o, "signatures", JSTR(b->signatures));
	json_object_array_add(la->a, o);
	return 0;
}

static struct json_object *
ctlcmd_list(struct cctx *x)
{
	struct list_arg	 la = { x, proto_arg_str(x->req, "jail"), NULL };
	struct json_object *a;

	if ((la.a = json_object_new_array()) == NULL)
		return NULL;
	if (store_bans_active(x->d->store, x->now, ctlcmd_list_one,
	    &la) == -1) {
		json_object_put(la.a);
		return proto_answer_error(PROTO_E_FAILED,
		    "the store could not be read");
	}
	if ((a = proto_answer_ok()) != NULL) {
		JSET(a, "count", JINT(json_object_array_length(la.a)));
		JSET(a, "bans", la.a);
	} else
		json_object_put(la.a);
	return a;
}

/* 1 when a is one of this host's addresses. */
static int
ctlcmd_own(const struct prefix *p, struct addr *own)
{
	struct ifaddrs	*ifa, *i;
	int		 hit = 0;

	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && !hit; i = i->ifa_next) {
		const struct sockaddr	*sa = i->ifa_addr;

		if (sa == NULL)
			continue;
		memset(own, 0, sizeof(*own));
		if (sa->sa_family == AF_INET) {
			own->family = AF_INET;
			memcpy(own->bytes, &((const struct sockaddr_in *)
			    (const void *)sa)->sin_addr, 4);
		} else if (sa->sa_family == AF_INET6) {
			own->family = AF_INET6;
			memcpy(own->bytes, &((const struct sockaddr_in6 *)
			    (const void *)sa)->sin6_addr, 16);
		} else
			continue;
		hit = prefix_contains(p, own);
	}
	freeifaddrs(ifa);
	return hit;
}

/* The rule a ban of p breaks, written into why; 0 when none. */
static int
ctlcmd_ban_rule(const struct conf *c, const struct prefix *p, char *why,
    size_t len)
{
	char		 a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	struct addr	 own;
	struct prefix	 op;
	size_t		 i;

	prefix_format(p, a, sizeof(a));
	if ((p->addr.family == AF_INET && p->len < 16) ||
	    (p->addr.family == AF_INET6 && p->len < 32)) {
		snprintf(why, len, "%s is wider than /%d: use --force to ban "
		    "it anyway", a, p->addr.family == AF_INET ? 16 : 32);
		return 1;
	}
	if (ctlcmd_own(p, &own)) {
		prefix_from_addr(&op, &own, addr_bits(&own));
		snprintf(why, len, "%s holds this host's own address %s: use "
		    "--force to ban it anyway", a, addr_format(&own, b,
		    sizeof(b)));
		return 1;
	}
	for (i = 0; i < c->ignore.n; i++)
		if (prefix_overlaps(p, &c->ignore.v[i])) {
			snprintf(why, len, "%s is inside the ignore list (%s): "
			    "use --force to ban it anyway", a,
			    prefix_format(&c->ignore.v[i], b, sizeof(b)));
			return 1;
		}
	return 0;
}

static int
ctlcmd_jail_name_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

/* The prefix argument, an IPv6 address widened to its ban unit. */
static void
ctlcmd_prefix_arg(struct cctx *x, struct prefix *p)
{
	const char	*s = proto_arg_str(x->req, "addr");
	struct addr	 a;

	/* proto_request_decode checked it. */
	prefix_parse(p, s != NULL ? s : "");
	if (p->addr.family == AF_INET6 && p->len == 128) {
		a = p->addr;
		engine_unit(x->d->engine, &a, p);
	}
}

static struct json_object *
ctlcmd_ban(struct cctx *x)
{
	const char	*jail = proto_arg_str(x->req, "jail");
	const char	*reason = proto_arg_str(x->req, "reason");
	long long	 ttl;
	struct prefix	 p;
	struct ban	*b;
	struct json_object *a;
	char		 why[256], buf[PREFIX_STRLEN];
	char		 esc[PROTO_REASON_MAX * 4];
	char		 clean[PROTO_REASON_MAX + 1];
	int		 force = proto_arg_bool(x->req, "force");

	jail = jail != NULL ? jail : "manual";
	reason = reason != NULL && *reason != '\0' ? reason : "manual";
	if (!ctlcmd_jail_name_ok(jail))
		return proto_answer_error(PROTO_E_USAGE, "ban: a jail name is "
		    "letters, digits, '-', '_' and '.'");
	if (strcmp(jail, "subnet") == 0)
		return proto_answer_error(PROTO_E_USAGE, "ban: the jail name "
		    "subnet is kept for subnet escalation");
	/* A reason is one line of text: control bytes become spaces. */
	util_strlcpy(clean, reason, sizeof(clean));
	for (char *c = clean; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	reason = clean;
	ttl = proto_arg_duration(x->req, "time", x->d->conf->bantime);
	ctlcmd_prefix_arg(x, &p);
	prefix_format(&p, buf, sizeof(buf));
	if (!force && ctlcmd_ban_rule(x->d->conf, &p, why, sizeof(why)))
		return proto_answer_error(PROTO_E_REFUSED, "%s", why);
	if (daemon_ban(x->d, &p, jail, ttl, x->by, reason) == -1)
		return proto_answer_error(PROTO_E_FAILED, "ban of %s failed",
		    buf);
	ctlcmd_count(x->st, jail, "manual", 1, 0);
	log_escape(esc, sizeof(esc), reason, strlen(reason));
	log_notice("ban addr=%s jail=%s by=uid:%u ttl=%lld force=%s "
	    "reason=\"%s\"", buf, jail, (unsigned)x->peer->uid, ttl,
	    force ? "yes" : "no", esc);
	if ((a = proto_answer_ok()) == NULL)
		return NULL;
	JSET(a, "prefix", JSTR(buf));
	JSET(a, "jail", JSTR(jail));
	JSET(a, "ttl", JINT(ttl));
	if ((b = ban_find(engine_bans(x->d->engine), &p)) != NULL) {
		JSET(a, "expires", ctlcmd_time(b->until_ms));
		JSET(a, "count", JINT(b->count));
	}
	return a;
}

/* Active bans, collected first since unbanning changes the table. */
struct coll {
	const char	*jail;
	const struct addr *inside;	/* covering p: wider bans only */
	int		 len;
	struct prefix	*v;
	size_t		 n, cap;
};

static void
ctlcmd_collect_one(void *arg, struct ban *b)
{
	struct coll	*c = arg;
	struct prefix	*nv;

	if (c->jail != NULL && strcmp(c->jail, b->jail) != 0)
		return;
	if (c->inside != NULL && (b->prefix.len >= c->len ||
	    !prefix_contains(&b->prefix, c->inside)))
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		if ((nv = reallocarray(c->v, c->cap, sizeof(*nv))) == NULL)
			return;
		c->v = nv;
	}
	c->v[c->n++] = b->prefix;
}

static struct json_object *
ctlcmd_unban_all(struct cctx *x, const char *jail)
{
	struct coll		 c = { jail, NULL, 0, NULL, 0, 0 };
	struct json_object	*a, *lifted = json_object_new_array();
	char			 buf[PREFIX_STRLEN];
	size_t			 i;
	int			 n = 0;

	ban_foreach(engine_bans(x->d->engine), x->now, ctlcmd_collect_one,
	    &c);
	for (i = 0; i < c.n; i++)
		if (daemon_unban(x->d, &c.v[i], jail, x->by, "manual") > 0) {
			n++;
			json_object_array_add(lifted, JSTR(prefix_format(
			    &c.v[i], buf, sizeof(buf))));
		}
	free(c.v);
	ctlcmd_count(x->st, jail != NULL ? jail : "", "manual", 0, n);
	log_notice("unban addr=all jail=%s by=uid:%u count=%d",
	    jail != NULL ? jail : "all", (unsigned)x->peer->uid, n);
	if ((a = proto_answer_ok()) == NULL) {
		json_object_put(lifted);
		return NULL;
	}
	JSET(a, "lifted", JINT(n));
	JSET(a, "prefixes", lifted);
	return a;
}

/* The widest active ban wider than p that covers its address. */
static int
ctlcmd_covering(struct cctx *x, const struct prefix *p, struct prefix *out)
{
	struct coll	 c = { NULL, &p->addr, p->len, NULL, 0, 0 };
	size_t		 i;
	int		 found = 0;

	ban_foreach(engine_bans(x->d->engine), x->now, ctlcmd_collect_one,
	    &c);
	for (i = 0; i < c.n; i++)
		if (!found || c.v[i].len < out->len) {
			*out = c.v[i];
			found = 1;
		}
	free(c.v);
	return found;
}

static struct json_object *
ctlcmd_unban(struct cctx *x)
{
	const char	*jail = proto_arg_str(x->req, "jail");
	struct prefix	 p, cov;
	char		 buf[PREFIX_STRLEN], cbuf[PREFIX_STRLEN];
	struct json_object *a;
	int		 n;

	if (proto_arg_bool(x->req, "all"))
		return ctlcmd_unban_all(x, jail);
	ctlcmd_prefix_arg(x, &p);
	prefix_format(&p, buf, sizeof(buf));
	n = daemon_unban(x->d, &p, jail, x->by, "manual");
	if (n > 0) {
		ctlcmd_count(x->st, jail != NULL ? jail : "", "manual", 0, n);
		log_notice("unban addr=%s jail=%s by=uid:%u count=%d", buf,
		    jail != NULL ? jail : "all", (unsigned)x->peer->uid, n);
	}
	if (ctlcmd_covering(x, &p, &cov)) {
		prefix_format(&cov, cbuf, sizeof(cbuf));
		if (n == 0)
			return proto_answer_error(PROTO_E_REFUSED, "%s is not "
			    "banned itself; it is inside the ban of %s: "
			    "unban %s to lift it", buf, cbuf, cbuf);
	} else if (n == 0)
		return proto_answer_error(PROTO_E_NOTFOUND, "%s is not banned%s"
		    "%s", buf, jail != NULL ? " in jail " : "",
		    jail != NULL ? jail : "");
	if ((a = proto_answer_ok()) == NULL)
		return NULL;
	JSET(a, "lifted", JINT(n));
	JSET(a, "prefix", JSTR(buf));
	if (ctlcmd_covering(x, &p, &cov))
		JSET(a, "still_covered_by", JSTR(cbuf));
	return a;
}

struct top_arg {
	struct cctx		*x;
	struct json_object	*a;
};

static int
ctlcmd_top_one(void *arg, const struct store_offender *so)
{
	struct top_arg		*ta = arg;
	struct json_object	*o;
	const struct conf	*c = ta->x->d->conf;
	char			 buf[ADDR_STRLEN];

	if ((o = json_object_new_object()) == NULL)
		return 1;
	JSET(o, "addr", JSTR(addr_format(&so->addr, buf, sizeof(buf))));
	JSET(o, "score", JINT(so->score));
	JSET(o, "verdict", JSTR(so->verdict));
	JSET(o, "hits", JINT(so->hits));
	JSET(o, "first_seen", ctlcmd_time(so->first_ms));
	JSET(o, "last_seen", ctlcmd_time(so->last_ms));
	JSET(o, "banned", JBOOL(ban_covering(engine_bans(ta->x->d->engine),
	    &so->addr, ta->x->now, (int)c->ipv6_prefix, (int)c->prefix4,
	    (int)c->prefix6) != NULL));
	json_object_array_add(ta->a, o);
	return 0;
}

static struct json_object *
ctlcmd_top(struct cctx *x)
{
	struct top_arg	 ta = { x, json_object_new_array() };
	const char	*by = proto_arg_str(x->req, "by");
	long long	 n = proto_arg_int(x->req, "n", 10);
	struct json_object *a;
	int		 hits = by != NULL && strcmp(by, "hits") == 0;

	if (ta.a == NULL)
		return NULL;
	if (store_top(x->d->store, (unsigned)n, hits, ctlcmd_top_one,
	    &ta) == -1) {
		json_object_put(ta.a);
		return proto_answer_error(PROTO_E_FAILED,
		    "the store could not be read");
	}
	if ((a = proto_answer_ok()) == NULL) {
		json_object_put(ta.a);
		return NULL;
	}
	JSET(a, "by", JSTR(hits ? "hits" : "score"));
	JSET(a, "offenders", ta.a);
	return a;
}

static struct json_object *
ctlcmd_reload(struct cctx *x)
{
	char			 err[1024];
	unsigned long		 before = x->d->st.unbans;
	struct json_object	*a;

	log_notice("reload by=uid:%u", (unsigned)x->peer->uid);
	if (daemon_reload(x->d, err, sizeof(err)) == -1)
		return proto_answer_error(PROTO_E_FAILED, "reload refused, "
		    "the running configuration is kept: %s", err);
	if ((a = proto_answer_ok()) == NULL)
		return NULL;
	JSET(a, "jails", JINT(x->d->conf->njails));
	JSET(a, "lifted", JINT(x->d->st.unbans - before));
	return a;
}

/* Drops the # HELP and # TYPE lines: one counter a line is left. */
static size_t
ctlcmd_strip_comments(char *text, size_t len)
{
	size_t	 i = 0, o = 0;

	while (i < len) {
		char	*nl = memchr(text + i, '\n', len - i);
		size_t	 n = nl != NULL ? (size_t)(nl - (text + i)) + 1 :
			    len - i;

		if (text[i] != '#') {
			memmove(text + o, text + i, n);
			o += n;
		}
		i += n;
	}
	return o;
}

static struct json_object *
ctlcmd_stats(struct cctx *x)
{
	struct json_object	*a;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*f;
	int			 prom;

	if ((f = open_memstream(&text, &len)) == NULL)
		return NULL;
	if (ctlcmd_prometheus(x->d, x->st, f) == -1) {
		fclose(f);
		free(text);
		return proto_answer_error(PROTO_E_FAILED, "out of memory");
	}
	fclose(f);
	prom = proto_arg_bool(x->req, "prometheus");
	if (!prom)
		len = ctlcmd_strip_comments(text, len);
	if ((a = proto_answer_ok()) != NULL) {
		JSET(a, "format", JSTR(prom ? "prometheus" : "plain"));
		JSET(a, "text", json_object_new_string_len(text, (int)len));
	}
	free(text);
	return a;
}

static struct json_object *
ctlcmd_ping(struct cctx *x)
{
	struct json_object	*a;

	(void)x;
	if ((a = proto_answer_ok()) != NULL)
		JSET(a, "pong", JBOOL(1));
	return a;
}

static struct json_object *
ctlcmd_version(struct cctx *x)
{
	struct json_object	*a;

	(void)x;
	if ((a = proto_answer_ok()) != NULL)
		JSET(a, "version", JSTR(ABUSEMOM_VERSION));
	return a;
}

static struct json_object *
ctlcmd_report_cmd(struct cctx *x)
{
	if (proto_arg_bool(x->req, "all") ||
	    proto_arg_str(x->req, "out") != NULL)
		return proto_answer_error(PROTO_E_USAGE, "report: --all and "
		    "--out are done by abusemom-ctl, which asks for each "
		    "address");
	return ctlcmd_report(x->d, &x->st->geo, proto_arg_str(x->req, "addr"),
	    proto_arg_str(x->req, "format"), proto_arg_bool(x->req, "redact"),
	    !proto_arg_bool(x->req, "nodnsbl"));
}

static const struct {
	const char	*name;
	ctlcmd_fn	 fn;
} ctlcmd_table[] = {
	{ "status", ctlcmd_status },
	{ "list", ctlcmd_list },
	{ "ban", ctlcmd_ban },
	{ "unban", ctlcmd_unban },
	{ "report", ctlcmd_report_cmd },
	{ "top", ctlcmd_top },
	{ "reload", ctlcmd_reload },
	{ "stats", ctlcmd_stats },
	{ "ping", ctlcmd_ping },
	{ "version", ctlcmd_version },
};

struct json_object *
ctlcmd_dispatch(struct daemon *d, struct ctlcmd_state *st,
    const struct ctlcmd_peer *peer, const char *line, size_t len)
{
	struct proto_req	 req;
	struct cctx		 x;
	struct json_object	*a = NULL;
	char			 err[512];
	size_t			 i;

	st->requests++;
	if (proto_request_decode(line, len, &req, err, sizeof(err)) == -1) {
		st->errors++;
		return proto_answer_error(PROTO_E_USAGE, "%s", err);
	}
	if (!ctlcmd_allowed(d, peer, req.cmd->changes, req.cmd->name, err,
	    sizeof(err))) {
		st->denied++;
		log_info("control: %s refused to uid %u", req.cmd->name,
		    (unsigned)peer->uid);
		proto_req_free(&req);
		return proto_answer_error(PROTO_E_DENIED, "%s", err);
	}
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.st = st;
	x.peer = peer;
	x.req = &req;
	x.now = util_now_ms();
	snprintf(x.by, sizeof(x.by), "uid %u", (unsigned)peer->uid);
	for (i = 0; i < UTIL_NELEM(ctlcmd_table); i++)
		if (strcmp(ctlcmd_table[i].name, req.cmd->name) == 0) {
			a = ctlcmd_table[i].fn(&x);
			break;
		}
	if (i == UTIL_NELEM(ctlcmd_table))
		a = proto_answer_error(PROTO_E_USAGE, "%s: not served",
		    req.cmd->name);
	proto_req_free(&req);
	return a;
}
