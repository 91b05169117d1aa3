/*
 * Tests for the store on real SQLite files in a temporary directory.
 * The read-only case uses the store_test_fail hook (an open database
 * keeps its descriptors writable under a read-only remount, so SQLite
 * would not notice); the full-disk case is real, on a 4 MB tmpfs in a
 * private mount namespace, and is skipped when that cannot be made.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "addr.h"
#include "store.h"
#include "util.h"

#define T0	1780000000000LL		/* a fixed wall time, ms */

struct tdir {
	char	 dir[64];
	char	 db[128];
};

static void
tdir_make(struct tdir *t)
{
	util_strlcpy(t->dir, "/tmp/test_store.XXXXXX", sizeof(t->dir));
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof(t->db), "%s/abusemom.db", t->dir);
}

static void
tdir_remove(struct tdir *t)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char			 p[160];
	size_t			 i;

	for (i = 0; i < UTIL_NELEM(sfx); i++) {
		snprintf(p, sizeof(p), "%s%s", t->db, sfx[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static struct addr
A(const char *s)
{
	struct addr	 a;

	assert_int_equal(addr_parse(&a, s, strlen(s)), 0);
	return a;
}

static struct prefix
P(const char *s)
{
	struct prefix	 p;

	assert_int_equal(prefix_parse(&p, s), 0);
	return p;
}

static struct store_ban
mkban(const char *pfx, const char *jail, int64_t since, int64_t expires)
{
	struct store_ban	 b;

	memset(&b, 0, sizeof(b));
	b.prefix = P(pfx);
	util_strlcpy(b.jail, jail, sizeof(b.jail));
	b.score = 165;
	util_strlcpy(b.verdict, "critical", sizeof(b.verdict));
	b.since_ms = since;
	b.expires_ms = expires;
	b.count = 1;
	util_strlcpy(b.reason, "score 165", sizeof(b.reason));
	util_strlcpy(b.by, "auto", sizeof(b.by));
	util_strlcpy(b.signatures, "{\"burst\":35,\"danger\":60}",
	    sizeof(b.signatures));
	return b;
}

/* Runs one SQL statement on the file directly; returns its first
 * integer result or -1. */
static long long
sql_int(const char *db, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*s;
	long long	 v = -1;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL),
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

static void
sql_exec(const char *db, const char *sql)
{
	sqlite3	*h;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static int
is_wal(const char *db)
{
	sqlite3		*h;
	sqlite3_stmt	*s;
	int		 wal = 0;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s,
	    NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		wal = strcmp((const char *)sqlite3_column_text(s, 0),
		    "wal") == 0;
	sqlite3_finalize(s);
	sqlite3_close(h);
	return wal;
}

/* Collectors for the read callbacks. */
struct bans {
	struct store_ban	 v[8];
	size_t			 n;
};

static int
collect_ban(void *arg, const struct store_ban *b)
{
	struct bans	*c = arg;

	if (c->n < UTIL_NELEM(c->v))
		c->v[c->n] = *b;
	c->n++;
	return 0;
}

static int
count_ban(void *arg, const struct store_ban *b)
{
	(void)b;
	(*(size_t *)arg)++;
	return 0;
}

struct hists {
	struct store_hist	 v[8];
	size_t			 n;
};

static int
collect_hist(void *arg, const struct store_hist *h)
{
	struct hists	*c = arg;

	if (c->n < UTIL_NELEM(c->v))
		c->v[c->n] = *h;
	c->n++;
	return 0;
}

struct samples {
	struct store_sample	 v[64];
	size_t			 n;
};

static int
collect_sample(void *arg, const struct store_sample *p)
{
	struct samples	*c = arg;

	if (c->n < UTIL_NELEM(c->v))
		c->v[c->n] = *p;
	c->n++;
	return 0;
}

struct sigs {
	struct store_sigevent	 v[8];
	size_t			 n;
};

static int
collect_sig(void *arg, const struct store_sigevent *ev)
{
	struct sigs	*c = arg;

	if (c->n < UTIL_NELEM(c->v))
		c->v[c->n] = *ev;
	c->n++;
	return 0;
}

struct offs {
	struct store_offender	 v[8];
	size_t			 nev[8];
	int			 ev0_points[8];
	size_t			 n;
};

static int
collect_off(void *arg, const struct store_offender *o)
{
	struct offs	*c = arg;

	if (c->n < UTIL_NELEM(c->v))
		c->v[c->n] = *o;
	c->n++;
	return 0;
}

static int
collect_off_all(void *arg, const struct store_offender *o,
    const struct store_sigevent *ev, size_t nev)
{
	struct offs	*c = arg;

	if (c->n < UTIL_NELEM(c->v)) {
		c->v[c->n] = *o;
		c->nev[c->n] = nev;
		c->ev0_points[c->n] = nev > 0 ? ev[0].points : -1;
	}
	c->n++;
	return 0;
}

struct nbs {
	struct store_neighbour	 v[8];
	size_t			 n;
};

static int
collect_nb(void *arg, const struct store_neighbour *nb)
{
	struct nbs	*c = arg;

	if (c->n < UTIL_NELEM(c->v))
		c->v[c->n] = *nb;
	c->n++;
	return 0;
}

static void
test_schema_reopen(void **state)
{
	struct store	*st;
	struct tdir	 t;

	(void)state;
	tdir_make(&t);
	assert_non_null(st = store_open(t.db));
	store_close(st);
	assert_int_equal(sql_int(t.db, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(t.db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('ban', 'hist', 'offender', 'sigevent', "
	    "'sample', 'position', 'cursor')"), 7);

	assert_non_null(st = store_open(t.db));
	store_close(st);
	assert_true(is_wal(t.db));

	/* A schema from a newer program is refused, not downgraded. */
	sql_exec(t.db, "PRAGMA user_version = 99");
	assert_null(store_open(t.db));
	assert_int_equal(sql_int(t.db, "PRAGMA user_version"), 99);
	tdir_remove(&t);
}

/* The first schema, written out here as a version 1 program made it. */
static const char v1_schema[] =
	"CREATE TABLE ban (id INTEGER PRIMARY KEY, family INTEGER NOT NULL,"
	" addr BLOB NOT NULL, hi BLOB NOT NULL, plen INTEGER NOT NULL,"
	" subnet INTEGER NOT NULL, jail TEXT NOT NULL, score INTEGER,"
	" verdict TEXT, since_ms INTEGER, expires_ms INTEGER,"
	" count INTEGER, reason TEXT, actor TEXT, signatures TEXT,"
	" name TEXT, UNIQUE (family, addr, plen, jail));"
	"CREATE TABLE hist (id INTEGER PRIMARY KEY, what TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL, family INTEGER NOT NULL,"
	" addr BLOB NOT NULL, hi BLOB NOT NULL, plen INTEGER NOT NULL,"
	" subnet INTEGER NOT NULL, jail TEXT NOT NULL, score INTEGER,"
	" verdict TEXT, since_ms INTEGER, expires_ms INTEGER,"
	" count INTEGER, reason TEXT, actor TEXT, signatures TEXT,"
	" name TEXT);"
	"CREATE INDEX hist_prefix ON hist (family, addr, plen);"
	"CREATE TABLE offender (family INTEGER NOT NULL, addr BLOB NOT NULL,"
	" name TEXT, first_ms INTEGER, last_ms INTEGER, hits INTEGER,"
	" score INTEGER, verdict TEXT, PRIMARY KEY (family, addr))"
	" WITHOUT ROWID;"
	"CREATE TABLE sigevent (id INTEGER PRIMARY KEY,"
	" family INTEGER NOT NULL, addr BLOB NOT NULL, kind TEXT,"
	" descr TEXT, points INTEGER, time_ms INTEGER, jail TEXT);"
	"CREATE TABLE sample (id INTEGER PRIMARY KEY,"
	" family INTEGER NOT NULL, addr BLOB NOT NULL, time_ms INTEGER,"
	" method TEXT, path TEXT, status INTEGER, ua TEXT);"
	"CREATE TABLE position (path TEXT PRIMARY KEY, dev INTEGER,"
	" ino INTEGER, off INTEGER, head_hash INTEGER);"
	/* 203.0.113.9 as family 2 and a 16-byte BLOB */
	"INSERT INTO offender VALUES (2, x'cb007109000000000000000000000000',"
	" '203.0.113.9', 1000, 2000, 42, 120, 'block');"
	"INSERT INTO sample (family, addr, time_ms, method, path, status,"
	" ua) VALUES (2, x'cb007109000000000000000000000000', 1500, 'GET',"
	" '/.env', 404, 'curl');"
	"INSERT INTO hist (what, time_ms, family, addr, hi, plen, subnet,"
	" jail) VALUES ('ban', 1800, 2, x'cb007109000000000000000000000000',"
	" x'cb007109000000000000000000000000', 32, 0, 'dirscan');"
	"INSERT INTO position VALUES ('/var/log/a.log', 1, 2, 3, 4);"
	"PRAGMA user_version = 1;";

static void
test_upgrade_v1(void **state)
{
	struct store_offender	 o;
	struct samples		 sm;
	struct store		*st;
	struct addr		 a = A("203.0.113.9");
	struct tdir		 t;
	uint64_t		 dev, ino, off, hash;
	char			 cur[64];

	(void)state;
	tdir_make(&t);
	sql_exec(t.db, v1_schema);
	assert_non_null(st = store_open(t.db));
	assert_int_equal(sql_int(t.db, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);

	assert_int_equal(store_offender_get(st, &a, &o), 1);
	assert_int_equal(o.hits, 42);
	assert_int_equal(o.score, 120);
	assert_string_equal(o.verdict, "block");
	memset(&sm, 0, sizeof(sm));
	assert_int_equal(store_samples(st, &a, collect_sample, &sm), 0);
	assert_int_equal(sm.n, 1);
	assert_string_equal(sm.v[0].path, "/.env");
	assert_string_equal(sm.v[0].host, "");
	assert_int_equal(store_ban_times(st, &a, 0), 1);
	assert_int_equal(store_position_get(st, "/var/log/a.log", &dev, &ino,
	    &off, &hash), 1);
	assert_int_equal(off, 3);

	/* What version 2 added works on the upgraded file. */
	assert_int_equal(store_cursor_put(st, "sshd", "s=abc;i=1"), 0);
	assert_int_equal(store_sample_add(st, &a, 1600, "GET", "/x", 404,
	    "curl", "example.org"), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	assert_non_null(st = store_open(t.db));
	assert_int_equal(store_cursor_get(st, "sshd", cur, sizeof(cur)), 1);
	assert_string_equal(cur, "s=abc;i=1");
	memset(&sm, 0, sizeof(sm));
	assert_int_equal(store_samples(st, &a, collect_sample, &sm), 0);
	assert_int_equal(sm.n, 2);
	assert_string_equal(sm.v[1].host, "example.org");
	store_close(st);
	tdir_remove(&t);
}

static void
test_bans(void **state)
{
	struct store_ban	 b;
	struct store		*st;
	struct bans		 c;
	struct hists		 h;
	struct addr		 a = A("192.0.2.7"), a6 = A("2001:db8:1:2::99");
	struct tdir		 t;

	(void)state;
	tdir_make(&t);
	assert_non_null(st = store_open(t.db));
	b = mkban("192.0.2.7", "dirscan", T0, T0 + 3600000);
	assert_int_equal(store_ban_add(st, &b), 0);
	b = mkban("2001:db8:1:2::/64", "dirscan", T0 + 1, T0 + 60000);
	assert_int_equal(store_ban_add(st, &b), 0);
	b = mkban("198.51.100.0/24", "subnet", T0 + 2, 0);
	b.subnet = 1;
	assert_int_equal(store_ban_add(st, &b), 0);
	assert_int_equal(store_pending_bans(st), 3);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_pending_bans(st), 0);

	/* Expiry filter: at T0 + 2 min the /64 is over, the rest not. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_bans_active(st, T0 + 10, collect_ban, &c), 0);
	assert_int_equal(c.n, 3);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_bans_active(st, T0 + 120000, collect_ban, &c),
	    0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.v[0].expires_ms, T0 + 3600000);
	assert_string_equal(c.v[0].signatures, "{\"burst\":35,\"danger\":60}");
	assert_string_equal(c.v[0].verdict, "critical");
	assert_int_equal(c.v[1].subnet, 1);
	assert_int_equal(c.v[1].prefix.len, 24);
	assert_int_equal(c.v[1].expires_ms, 0);

	/* An address inside the /64 counts its ban; v4 counts its own. */
	assert_int_equal(store_ban_times(st, &a6, 0), 1);
	assert_int_equal(store_ban_times(st, &a, 0), 1);
	assert_int_equal(store_ban_times(st, &a, 1), 0);
	a = A("198.51.100.200");
	assert_int_equal(store_ban_times(st, &a, 1), 1);
	assert_int_equal(store_ban_times(st, &a, 0), 0);

	/* Ban times grow across bans, queued ones included. */
	a = A("192.0.2.7");
	b = mkban("192.0.2.7", "flood", T0 + 5000, T0 + 7200000);
	b.count = 2;
	assert_int_equal(store_ban_add(st, &b), 0);
	assert_int_equal(store_ban_times(st, &a, 0), 2);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_ban_times(st, &a, 0), 2);

	/* Unban in one jail leaves the other; history has both. */
	b.prefix = P("192.0.2.7");
	assert_int_equal(store_ban_remove(st, &b.prefix, 0, "dirscan",
	    "root", "false positive"), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_bans_active(st, T0 + 10, collect_ban, &c), 0);
	assert_int_equal(c.n, 3);
	memset(&h, 0, sizeof(h));
	assert_int_equal(store_history(st, &a, collect_hist, &h), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.v[0].action, "ban");
	assert_string_equal(h.v[0].ban.jail, "dirscan");
	assert_string_equal(h.v[1].action, "ban");
	assert_string_equal(h.v[1].ban.jail, "flood");
	assert_string_equal(h.v[2].action, "unban");
	assert_string_equal(h.v[2].ban.jail, "dirscan");
	assert_string_equal(h.v[2].ban.by, "root");
	assert_string_equal(h.v[2].ban.reason, "false positive");
	assert_int_equal(store_ban_times(st, &a, 0), 2);

	/* Expiry deletes the over ones; unban of all jails, all prefixes. */
	assert_int_equal(store_bans_expire(st, T0 + 120000), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(sql_int(t.db, "SELECT count(*) FROM ban"), 2);
	assert_int_equal(store_ban_remove(st, NULL, -1, NULL, "root",
	    "all"), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_bans_active(st, T0, collect_ban, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(sql_int(t.db, "SELECT count(*) FROM hist WHERE "
	    "what = 'unban'"), 3);
	store_close(st);
	tdir_remove(&t);
}

static void
test_offenders(void **state)
{
	struct store_offender	 o;
	struct store		*st;
	struct store_ban	 b;
	struct samples		 sm;
	struct sigs		 sg;
	struct offs		 of;
	struct nbs		 nb;
	struct addr		 a = A("203.0.113.5"), a2 = A("203.0.113.6");
	struct addr		 a3 = A("198.51.100.1");
	struct tdir		 t;
	char			 path[32];
	int			 i;

	(void)state;
	tdir_make(&t);
	assert_non_null(st = store_open(t.db));
	store_set_limits(st, 0, 6);
	assert_int_equal(store_offender_put(st, &a, T0, T0 + 10, 5, 40,
	    "low"), 0);
	assert_int_equal(store_offender_put(st, &a, T0, T0 + 20, 9, 165,
	    "critical"), 0);
	assert_int_equal(store_offender_put(st, &a2, T0, T0 + 5, 100, 60,
	    "watch"), 0);
	assert_int_equal(store_offender_put(st, &a3, T0 - 86400000,
	    T0 - 86400000, 1, 10, "low"), 0);
	assert_int_equal(store_offender_get(st, &a, &o), 1);
	assert_int_equal(o.hits, 9);
	assert_int_equal(o.score, 165);
	assert_int_equal(o.last_ms, T0 + 20);
	assert_string_equal(o.verdict, "critical");
	o.score = -7;
	a3 = A("192.0.2.250");
	assert_int_equal(store_offender_get(st, &a3, &o), 0);
	assert_int_equal(o.score, -7);

	/* Signature events, oldest first whatever the order of arrival. */
	assert_int_equal(store_sigevent_add(st, &a, "danger", "/.env", 30,
	    T0 + 2, "dirscan"), 0);
	assert_int_equal(store_sigevent_add(st, &a, "burst", "5 in 2s", 35,
	    T0 + 1, "dirscan"), 0);
	assert_int_equal(store_sigevent_add(st, &a2, "ratio404", "40%", 15,
	    T0 - 3600000, "dirscan"), 0);
	memset(&sg, 0, sizeof(sg));
	assert_int_equal(store_sigevents(st, &a, collect_sig, &sg), 0);
	assert_int_equal(sg.n, 2);
	assert_string_equal(sg.v[0].kind, "burst");
	assert_int_equal(sg.v[0].points, 35);
	assert_string_equal(sg.v[1].desc, "/.env");
	assert_string_equal(sg.v[1].jail, "dirscan");

	/* Samples: 6 kept of 15, the first 3 and the last 3. */
	for (i = 0; i < 15; i++) {
		snprintf(path, sizeof(path), "/p%d", i);
		assert_int_equal(store_sample_add(st, &a, T0 + i, "GET", path,
		    404, "curl/8", "example.org"), 0);
	}
	memset(&sm, 0, sizeof(sm));
	assert_int_equal(store_samples(st, &a, collect_sample, &sm), 0);
	assert_int_equal(sm.n, 6);
	assert_string_equal(sm.v[0].path, "/p0");
	assert_string_equal(sm.v[2].path, "/p2");
	assert_string_equal(sm.v[3].path, "/p12");
	assert_string_equal(sm.v[5].path, "/p14");
	assert_int_equal(sm.v[5].status, 404);
	assert_string_equal(sm.v[5].host, "example.org");
	assert_int_equal(store_sample_add(st, &a, T0 + 99, "POST", "/late",
	    200, "x", ""), 0);
	memset(&sm, 0, sizeof(sm));
	assert_int_equal(store_samples(st, &a, collect_sample, &sm), 0);
	assert_int_equal(sm.n, 6);
	assert_string_equal(sm.v[2].path, "/p2");
	assert_string_equal(sm.v[3].path, "/p13");
	assert_string_equal(sm.v[5].path, "/late");

	/* Top by score and by hits. */
	memset(&of, 0, sizeof(of));
	assert_int_equal(store_top(st, 2, 0, collect_off, &of), 0);
	assert_int_equal(of.n, 2);
	assert_true(addr_eq(&of.v[0].addr, &a));
	assert_true(addr_eq(&of.v[1].addr, &a2));
	memset(&of, 0, sizeof(of));
	assert_int_equal(store_top(st, 10, 1, collect_off, &of), 0);
	assert_int_equal(of.n, 3);
	assert_true(addr_eq(&of.v[0].addr, &a2));

	/* Restore: offenders seen in the last hour, their events in it. */
	memset(&of, 0, sizeof(of));
	assert_int_equal(store_offenders_all(st, T0 - 3600000 + 1,
	    collect_off_all, &of), 0);
	assert_int_equal(of.n, 2);
	assert_true(addr_eq(&of.v[0].addr, &a));
	assert_int_equal(of.nev[0], 2);
	assert_int_equal(of.ev0_points[0], 35);
	assert_true(addr_eq(&of.v[1].addr, &a2));
	assert_int_equal(of.nev[1], 0);

	/* Neighbours in 203.0.113.0/24: two offenders, one banned, and a
	 * banned address that is no offender. */
	b = mkban("203.0.113.6", "dirscan", T0, T0 + 3600000);
	assert_int_equal(store_ban_add(st, &b), 0);
	b = mkban("203.0.113.77", "manual", T0, 0);
	b.score = 0;
	assert_int_equal(store_ban_add(st, &b), 0);
	b = mkban("203.0.112.1", "dirscan", T0, 0);
	assert_int_equal(store_ban_add(st, &b), 0);
	b.prefix = P("203.0.113.0/24");
	memset(&nb, 0, sizeof(nb));
	assert_int_equal(store_neighbours(st, &b.prefix, T0 + 1, collect_nb,
	    &nb), 0);
	assert_int_equal(nb.n, 3);
	assert_true(addr_eq(&nb.v[0].prefix.addr, &a));
	assert_int_equal(nb.v[0].banned, 0);
	assert_int_equal(nb.v[0].score, 165);
	assert_true(addr_eq(&nb.v[1].prefix.addr, &a2));
	assert_int_equal(nb.v[1].banned, 1);
	a3 = A("203.0.113.77");
	assert_true(addr_eq(&nb.v[2].prefix.addr, &a3));
	assert_int_equal(nb.v[2].banned, 1);
	assert_int_equal(nb.v[2].score, 0);

	/* Purge forgets the day-old offender, keeps ban history. */
	assert_int_equal(store_purge(st, T0 - 3600000), 0);
	assert_int_equal(store_flush(st), 0);
	a3 = A("198.51.100.1");
	assert_int_equal(store_offender_get(st, &a3, &o), 0);
	memset(&sg, 0, sizeof(sg));
	assert_int_equal(store_sigevents(st, &a2, collect_sig, &sg), 0);
	assert_int_equal(sg.n, 1);
	assert_int_equal(store_ban_times(st, &a2, 0), 1);
	store_close(st);
	tdir_remove(&t);
}

static void
test_positions(void **state)
{
	struct store	*st;
	struct tdir	 t;
	uint64_t	 dev, ino, off, hash;
	char		 cur[16], longpath[2048];

	(void)state;
	tdir_make(&t);
	assert_non_null(st = store_open(t.db));
	assert_int_equal(store_position_get(st, "/var/log/x", &dev, &ino,
	    &off, &hash), 0);
	assert_int_equal(store_position_put(st, "/var/log/x", 2049, 77, 10,
	    UINT64_MAX - 1), 0);
	assert_int_equal(store_position_put(st, "/var/log/x", 2049, 77, 4096,
	    UINT64_MAX - 1), 0);
	assert_int_equal(store_cursor_put(st, "journal",
	    "s=0123456789abcdef;i=42"), 0);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(store_position_put(st, longpath, 1, 1, 1, 1), -1);
	store_close(st);

	assert_non_null(st = store_open(t.db));
	assert_int_equal(store_position_get(st, "/var/log/x", &dev, &ino,
	    &off, &hash), 1);
	assert_int_equal(dev, 2049);
	assert_int_equal(ino, 77);
	assert_int_equal(off, 4096);
	assert_true(hash == UINT64_MAX - 1);
	assert_int_equal(store_cursor_get(st, "journal", cur, sizeof(cur)),
	    1);
	assert_string_equal(cur, "s=0123456789abc");
	assert_int_equal(store_cursor_get(st, "other", cur, sizeof(cur)), 0);
	store_close(st);
	tdir_remove(&t);
}

static double
secs_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
test_many_bans(void **state)
{
	struct store_ban	 b;
	struct timespec		 t0;
	struct store		*st;
	struct tdir		 t;
	size_t			 n = 0;
	int			 i;

	(void)state;
	tdir_make(&t);
	assert_non_null(st = store_open(t.db));
	b = mkban("2001:db8::/64", "dirscan", T0, T0 + 3600000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 100000; i++) {
		b.prefix.addr.bytes[4] = (uint8_t)(i >> 16);
		b.prefix.addr.bytes[5] = (uint8_t)(i >> 8);
		b.prefix.addr.bytes[6] = (uint8_t)i;
		assert_int_equal(store_ban_add(st, &b), 0);
	}
	assert_int_equal(store_flush(st), 0);
	printf("store: 100000 bans added and flushed in %.3f s\n",
	    secs_since(&t0));
	store_close(st);

	assert_non_null(st = store_open(t.db));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_bans_active(st, T0 + 1, count_ban, &n), 0);
	printf("store: 100000 bans listed in %.3f s\n", secs_since(&t0));
	assert_int_equal(n, 100000);
	store_close(st);
	tdir_remove(&t);
}

static void
test_kill9(void **state)
{
	struct store_ban	 b;
	struct store		*st;
	struct bans		 c;
	struct tdir		 t;
	pid_t			 pid;
	int			 status;

	(void)state;
	tdir_make(&t);
	if ((pid = fork()) == 0) {
		if ((st = store_open(t.db)) == NULL)
			_exit(1);
		b = mkban("192.0.2.99", "dirscan", T0, 0);
		if (store_ban_add(st, &b) != 0 || store_flush(st) != 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	assert_non_null(st = store_open(t.db));
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_bans_active(st, T0, collect_ban, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(prefix_format(&c.v[0].prefix, (char[64]){ 0 },
	    64), "192.0.2.99/32");
	store_close(st);
	tdir_remove(&t);
}

static void
test_fail_hook(void **state)
{
	struct store_offender	 o;
	struct store_stats	 ss;
	struct store_ban	 b;
	struct store		*st;
	struct addr		 a;
	struct bans		 c;
	struct tdir		 t;
	int			 i;

	(void)state;
	tdir_make(&t);
	assert_non_null(st = store_open(t.db));
	store_set_limits(st, 10, 0);
	store_test_fail(st, SQLITE_READONLY);
	for (i = 0; i < 25; i++) {
		memset(&a, 0, sizeof(a));
		a = A("198.51.100.0");
		a.bytes[3] = (uint8_t)i;
		assert_int_equal(store_offender_put(st, &a, T0, T0 + i, 1, i,
		    "low"), 0);
	}
	for (i = 0; i < 3; i++) {
		b = mkban("192.0.2.0", "flood", T0 + i, 0);
		b.prefix.addr.bytes[3] = (uint8_t)i;
		assert_int_equal(store_ban_add(st, &b), 0);
	}
	assert_int_equal(store_flush(st), -1);
	store_test_fail(st, SQLITE_FULL);
	assert_int_equal(store_flush(st), -1);
	store_stats(st, &ss);
	assert_int_equal(ss.errors, 2);
	assert_int_equal(ss.dropped, 15);
	assert_int_equal(ss.queued, 13);
	assert_int_equal(ss.flushes, 0);
	assert_int_equal(store_pending_bans(st), 3);
	assert_int_equal(sql_int(t.db, "SELECT count(*) FROM ban"), 0);
	a = A("192.0.2.1");
	assert_int_equal(store_ban_times(st, &a, 0), 1);

	/* The disk is back: all that was kept lands in one flush. */
	store_test_fail(st, 0);
	assert_int_equal(store_flush(st), 0);
	store_stats(st, &ss);
	assert_int_equal(ss.queued, 0);
	assert_int_equal(ss.flushes, 1);
	assert_int_equal(ss.rows, 13);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_bans_active(st, T0, collect_ban, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(sql_int(t.db, "SELECT count(*) FROM offender"), 10);
	a = A("198.51.100.14");
	assert_int_equal(store_offender_get(st, &a, &o), 0);
	a = A("198.51.100.15");
	assert_int_equal(store_offender_get(st, &a, &o), 1);
	assert_int_equal(o.score, 15);
	store_close(st);
	tdir_remove(&t);
}

#define CHILD_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "disk full: line %d: %s\n", __LINE__, #c); \
		_exit(1);						\
	}								\
} while (0)

static int
count_sample(void *arg, const struct store_sample *p)
{
	(void)p;
	(*(size_t *)arg)++;
	return 0;
}

/* Fills the file system of dir; returns the filler's path or NULL. */
static int
fill_disk(const char *file)
{
	char	 buf[4096];
	int	 fd;

	memset(buf, 'z', sizeof(buf));
	if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return errno == ENOSPC ? 0 : -1;
}

/* Runs in a child: a tmpfs in a private mount namespace. */
static void
disk_full_child(const char *dir)
{
	struct store_stats	 ss;
	struct store_ban	 b;
	struct store		*st;
	struct addr		 a = A("203.0.113.50");
	char			 db[128], filler[128], path[400];
	size_t			 n = 0;
	int			 i;

	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=4m") == -1)
		_exit(77);
	snprintf(db, sizeof(db), "%s/abusemom.db", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	CHILD_CHECK((st = store_open(db)) != NULL);
	CHILD_CHECK(store_offender_put(st, &a, T0, T0, 1, 1, "low") == 0);
	CHILD_CHECK(store_flush(st) == 0);

	CHILD_CHECK(fill_disk(filler) == 0);
	store_set_limits(st, 0, 5000);
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	for (i = 0; i < 1500; i++)
		CHILD_CHECK(store_sample_add(st, &a, T0 + i, "GET", path, 404,
		    "ua", "h") == 0);
	b = mkban("203.0.113.50", "dirscan", T0, 0);
	CHILD_CHECK(store_ban_add(st, &b) == 0);
	CHILD_CHECK(store_flush(st) == -1);
	store_stats(st, &ss);
	CHILD_CHECK(ss.errors == 1 && ss.queued == 1501);

	CHILD_CHECK(unlink(filler) == 0);
	store_set_limits(st, 0, 20);
	CHILD_CHECK(store_flush(st) == 0);
	CHILD_CHECK(store_samples(st, &a, count_sample, &n) == 0 && n == 20);
	CHILD_CHECK(store_ban_times(st, &a, 0) == 1);
	store_close(st);
	_exit(0);
}

static void
test_disk_full(void **state)
{
	struct tdir	 t;
	pid_t		 pid;
	int		 status;

	(void)state;
	tdir_make(&t);
	if ((pid = fork()) == 0)
		disk_full_child(t.dir);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	tdir_remove(&t);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		printf("disk full: no private mount namespace, skipped\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_reopen),
		cmocka_unit_test(test_upgrade_v1),
		cmocka_unit_test(test_bans),
		cmocka_unit_test(test_offenders),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_many_bans),
		cmocka_unit_test(test_kill9),
		cmocka_unit_test(test_fail_hook),
		cmocka_unit_test(test_disk_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
