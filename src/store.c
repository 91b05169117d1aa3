/*
 * The SQLite store: an in-memory queue of records, written once a loop
 * turn in one transaction, and direct queries for the control and
 * report code.
 *
 * Durability: the connection runs with synchronous=NORMAL, which in WAL
 * mode makes every commit survive the death of the process (kill -9):
 * the WAL pages are in the kernel once COMMIT returns. A transaction
 * that carries ban records runs with synchronous=FULL instead, so that
 * the WAL is also on the platter before the kernel hears of the ban and
 * a power cut after the ban cannot forget it or its count. Bans are
 * rare, so the fsync costs little; offender and sample updates, which
 * come with every request, do not pay it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "addr.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define STORE_PATH_MAX		1024
#define STORE_LOG_INTERVAL	60	/* seconds between flush warnings */

enum store_op {
	OP_BAN,
	OP_UNBAN,
	OP_EXPIRE,
	OP_PURGE,
	OP_OFFENDER,
	OP_SIGEVENT,
	OP_SAMPLE,
	OP_POSITION,
	OP_CURSOR
};

/* A ban, unban or expiry; never dropped. */
struct ban_rec {
	enum store_op		 op;
	int64_t			 time_ms;	/* unban time, expiry, purge */
	int			 any_prefix, any_jail;
	struct store_ban	 ban;	/* for an unban: the match, why */
};

struct pos_rec {
	char			 path[STORE_PATH_MAX];
	uint64_t		 dev, ino, off, hash;
};

struct cursor_rec {
	char			 name[64];
	char			 cursor[512];
};

/* Any other record; the oldest go first when the queue is full. */
struct other_rec {
	enum store_op		 op;
	struct addr		 addr;
	union {
		struct store_offender	 off;
		struct store_sigevent	 ev;
		struct store_sample	 smp;
		struct pos_rec		 pos;
		struct cursor_rec	 cur;
	} u;
};

enum stmt_id {
	S_BAN_SET,
	S_HIST_BAN,
	S_HIST_UNBAN,
	S_BAN_DEL,
	S_BAN_EXPIRE,
	S_PURGE_OFF,
	S_PURGE_SIG,
	S_PURGE_SMP,
	S_OFF_SET,
	S_SIG_ADD,
	S_SMP_ADD,
	S_SMP_TRIM,
	S_POS_SET,
	S_CUR_SET,
	S_BANS_ACTIVE,
	S_BAN_TIMES,
	S_OFF_GET,
	S_SIGS,
	S_SMPS,
	S_HIST,
	S_NB_BANS,
	S_NB_OFF,
	S_TOP_SCORE,
	S_TOP_HITS,
	S_OFF_ALL,
	S_POS_GET,
	S_CUR_GET,
	S_COUNT
};

#define BAN_COLS "family, addr, plen, subnet, jail, score, verdict, "	\
	"since_ms, expires_ms, count, reason, actor, signatures"
#define OFF_COLS "family, addr, first_ms, last_ms, hits, score, verdict"
/* Matches active bans for an unban: ?4..?8 (see bind_unban). */
#define BAN_MATCH "(?4 IS NULL OR (family = ?4 AND addr = ?5 AND "	\
	"plen = ?6)) AND (?7 IS NULL OR jail = ?7) AND "		\
	"(?8 < 0 OR subnet = ?8)"

static const char *const stmt_sql[S_COUNT] = {
	[S_BAN_SET] = "INSERT OR REPLACE INTO ban (family, addr, hi, plen, "
	    "subnet, jail, score, verdict, since_ms, expires_ms, count, "
	    "reason, actor, signatures, name) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_HIST_BAN] = "INSERT INTO hist (what, time_ms, family, addr, hi, "
	    "plen, subnet, jail, score, verdict, since_ms, expires_ms, "
	    "count, reason, actor, signatures, name) VALUES ('ban', ?9, "
	    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15)",
	[S_HIST_UNBAN] = "INSERT INTO hist (what, time_ms, family, addr, "
	    "hi, plen, subnet, jail, score, verdict, since_ms, expires_ms, "
	    "count, reason, actor, signatures, name) SELECT 'unban', ?1, "
	    "family, addr, hi, plen, subnet, jail, score, verdict, "
	    "since_ms, expires_ms, count, ?2, ?3, signatures, name "
	    "FROM ban WHERE " BAN_MATCH,
	[S_BAN_DEL] = "DELETE FROM ban WHERE " BAN_MATCH,
	[S_BAN_EXPIRE] = "DELETE FROM ban WHERE expires_ms != 0 AND "
	    "expires_ms <= ?1",
	[S_PURGE_OFF] = "DELETE FROM offender WHERE last_ms < ?1",
	[S_PURGE_SIG] = "DELETE FROM sigevent WHERE time_ms < ?1",
	[S_PURGE_SMP] = "DELETE FROM sample WHERE NOT EXISTS (SELECT 1 "
	    "FROM offender o WHERE o.family = sample.family AND "
	    "o.addr = sample.addr)",
	[S_OFF_SET] = "INSERT OR REPLACE INTO offender (family, addr, name, "
	    "first_ms, last_ms, hits, score, verdict) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8)",
	[S_SIG_ADD] = "INSERT INTO sigevent (family, addr, kind, descr, "
	    "points, time_ms, jail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SMP_ADD] = "INSERT INTO sample (family, addr, time_ms, method, "
	    "path, status, ua, host) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8)",
	[S_SMP_TRIM] = "DELETE FROM sample WHERE family = ?1 AND addr = ?2 "
	    "AND id NOT IN (SELECT id FROM sample WHERE family = ?1 AND "
	    "addr = ?2 ORDER BY id LIMIT ?3) AND id NOT IN (SELECT id "
	    "FROM sample WHERE family = ?1 AND addr = ?2 ORDER BY id DESC "
	    "LIMIT ?4)",
	[S_POS_SET] = "INSERT OR REPLACE INTO position (path, dev, ino, off, "
	    "head_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_CUR_SET] = "INSERT OR REPLACE INTO cursor (name, cursor) "
	    "VALUES (?1, ?2)",
	[S_BANS_ACTIVE] = "SELECT " BAN_COLS " FROM ban WHERE "
	    "expires_ms = 0 OR expires_ms > ?1 ORDER BY since_ms, id",
	[S_BAN_TIMES] = "SELECT count(*) FROM hist WHERE family = ?1 AND "
	    "addr = ?2 AND plen = ?3 AND subnet = ?4 AND what = 'ban'",
	[S_OFF_GET] = "SELECT " OFF_COLS " FROM offender WHERE "
	    "family = ?1 AND addr = ?2",
	[S_SIGS] = "SELECT kind, descr, points, time_ms, jail FROM sigevent "
	    "WHERE family = ?1 AND addr = ?2 ORDER BY time_ms, id",
	[S_SMPS] = "SELECT time_ms, method, path, status, ua, host FROM "
	    "sample WHERE family = ?1 AND addr = ?2 ORDER BY id",
	[S_HIST] = "SELECT id, what, time_ms, " BAN_COLS " FROM hist WHERE "
	    "family = ?1 AND addr = ?2 AND plen = ?3",
	[S_NB_BANS] = "SELECT " BAN_COLS " FROM ban WHERE family = ?1 AND "
	    "addr >= ?2 AND addr <= ?3 AND hi <= ?3 AND subnet = 0 AND "
	    "(expires_ms = 0 OR expires_ms > ?4) ORDER BY addr",
	[S_NB_OFF] = "SELECT " OFF_COLS " FROM offender WHERE family = ?1 "
	    "AND addr >= ?2 AND addr <= ?3 ORDER BY addr",
	[S_TOP_SCORE] = "SELECT " OFF_COLS " FROM offender ORDER BY "
	    "score DESC, hits DESC LIMIT ?1",
	[S_TOP_HITS] = "SELECT " OFF_COLS " FROM offender ORDER BY "
	    "hits DESC, score DESC LIMIT ?1",
	[S_OFF_ALL] = "SELECT o.family, o.addr, o.first_ms, o.last_ms, "
	    "o.hits, o.score, o.verdict, s.kind, s.descr, s.points, "
	    "s.time_ms, s.jail FROM offender o LEFT JOIN sigevent s ON "
	    "s.family = o.family AND s.addr = o.addr AND s.time_ms >= ?1 "
	    "WHERE o.last_ms >= ?1 ORDER BY o.family, o.addr, s.time_ms, "
	    "s.id",
	[S_POS_GET] = "SELECT dev, ino, off, head_hash FROM position "
	    "WHERE path = ?1",
	[S_CUR_GET] = "SELECT cursor FROM cursor WHERE name = ?1",
};

/*
 * Schema steps: step i takes user_version i to i + 1. Version 1 was the
 * first schema; version 2 added the journald cursors, the request host
 * of samples and the index on last seen.
 */
static const char *const store_schema[STORE_SCHEMA_VERSION] = {
	"CREATE TABLE ban (id INTEGER PRIMARY KEY, family INTEGER NOT NULL,"
	" addr BLOB NOT NULL, hi BLOB NOT NULL, plen INTEGER NOT NULL,"
	" subnet INTEGER NOT NULL, jail TEXT NOT NULL, score INTEGER,"
	" verdict TEXT, since_ms INTEGER, expires_ms INTEGER,"
	" count INTEGER, reason TEXT, actor TEXT, signatures TEXT,"
	" name TEXT, UNIQUE (family, addr, plen, jail));"
	"CREATE INDEX ban_expires ON ban (expires_ms);"
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
	"CREATE INDEX offender_score ON offender (score);"
	"CREATE TABLE sigevent (id INTEGER PRIMARY KEY,"
	" family INTEGER NOT NULL, addr BLOB NOT NULL, kind TEXT,"
	" descr TEXT, points INTEGER, time_ms INTEGER, jail TEXT);"
	"CREATE INDEX sigevent_addr ON sigevent (family, addr, time_ms);"
	"CREATE TABLE sample (id INTEGER PRIMARY KEY,"
	" family INTEGER NOT NULL, addr BLOB NOT NULL, time_ms INTEGER,"
	" method TEXT, path TEXT, status INTEGER, ua TEXT);"
	"CREATE INDEX sample_addr ON sample (family, addr, id);"
	"CREATE TABLE position (path TEXT PRIMARY KEY, dev INTEGER,"
	" ino INTEGER, off INTEGER, head_hash INTEGER);",

	"ALTER TABLE sample ADD COLUMN host TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE cursor (name TEXT PRIMARY KEY, cursor TEXT NOT NULL);"
	"CREATE INDEX offender_last ON offender (last_ms);",
};

struct store {
	sqlite3			*db;
	char			*path;
	sqlite3_stmt		*stmt[S_COUNT];

	struct ban_rec		*bv;		/* ban queue */
	size_t			 bn, bcap;
	struct other_rec	*ov;		/* ring of other records */
	size_t			 ohead, on, ocap, omax;
	unsigned int		 samples_max;

	/* Prefix lengths that occur in hist, per family (0 v4, 1 v6). */
	uint8_t			 plen_seen[2][129];

	struct store_stats	 stats;
	struct log_limit	 warn;
	int			 fail_code;
};

static void
blob_from_addr(const struct addr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	memcpy(out, a->bytes, a->family == AF_INET ? 4 : 16);
}

/* The last address of p as a BLOB: host bits set, v4 padding zero. */
static void
blob_prefix_hi(const struct prefix *p, uint8_t out[16])
{
	int	 bits = addr_bits(&p->addr), i;

	blob_from_addr(&p->addr, out);
	for (i = p->len; i < bits; i++)
		out[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

static int
fam_index(int family)
{
	return family == AF_INET6;
}

static sqlite3_stmt *
stmt_get(struct store *st, enum stmt_id id)
{
	sqlite3_stmt	*s = st->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			log_warnx("store: prepare: %s", sqlite3_errmsg(st->db));
			return NULL;
		}
		st->stmt[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static void
bind_blob16(sqlite3_stmt *s, int i, const uint8_t b[16])
{
	sqlite3_bind_blob(s, i, b, 16, SQLITE_TRANSIENT);
}

static void
bind_addr(sqlite3_stmt *s, int i, const struct addr *a)
{
	uint8_t	 b[16];

	blob_from_addr(a, b);
	sqlite3_bind_int(s, i, a->family);
	bind_blob16(s, i + 1, b);
}

static void
bind_text(sqlite3_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
}

static void
col_text(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	util_strlcpy(buf, t != NULL ? (const char *)t : "", len);
}

static void
col_addr(sqlite3_stmt *s, int i, struct addr *a)
{
	const void	*b = sqlite3_column_blob(s, i + 1);
	int		 n = sqlite3_column_bytes(s, i + 1);

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)sqlite3_column_int(s, i);
	if (b != NULL)
		memcpy(a->bytes, b, n < 16 ? (size_t)n : 16);
}

/* Reads BAN_COLS starting at column i. */
static void
col_ban(sqlite3_stmt *s, int i, struct store_ban *b)
{
	memset(b, 0, sizeof(*b));
	col_addr(s, i, &b->prefix.addr);
	b->prefix.len = (uint8_t)sqlite3_column_int(s, i + 2);
	b->subnet = sqlite3_column_int(s, i + 3);
	col_text(s, i + 4, b->jail, sizeof(b->jail));
	b->score = sqlite3_column_int(s, i + 5);
	col_text(s, i + 6, b->verdict, sizeof(b->verdict));
	b->since_ms = sqlite3_column_int64(s, i + 7);
	b->expires_ms = sqlite3_column_int64(s, i + 8);
	b->count = sqlite3_column_int(s, i + 9);
	col_text(s, i + 10, b->reason, sizeof(b->reason));
	col_text(s, i + 11, b->by, sizeof(b->by));
	col_text(s, i + 12, b->signatures, sizeof(b->signatures));
}

/* Reads OFF_COLS starting at column 0. */
static void
col_offender(sqlite3_stmt *s, struct store_offender *o)
{
	memset(o, 0, sizeof(*o));
	col_addr(s, 0, &o->addr);
	o->first_ms = sqlite3_column_int64(s, 2);
	o->last_ms = sqlite3_column_int64(s, 3);
	o->hits = (uint64_t)sqlite3_column_int64(s, 4);
	o->score = sqlite3_column_int(s, 5);
	col_text(s, 6, o->verdict, sizeof(o->verdict));
}

static int
exec_sql(struct store *st, const char *sql)
{
	char	*err = NULL;
	int	 rc;

	rc = sqlite3_exec(st->db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		log_debug("store: %s: %s", sql, err != NULL ? err : "?");
		sqlite3_free(err);
	}
	return rc;
}

/* Steps a write statement to its end; returns an SQLite code. */
static int
step_done(sqlite3_stmt *s)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/*
 * Schema and open.
 */

static int
schema_version(struct store *st)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
schema_upgrade(struct store *st)
{
	char	 sql[64];
	int	 v, i;

	if (exec_sql(st, "BEGIN IMMEDIATE") != SQLITE_OK)
		goto fail;
	if ((v = schema_version(st)) < 0)
		goto fail;
	if (v > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %d is newer than %d",
		    st->path, v, STORE_SCHEMA_VERSION);
		exec_sql(st, "ROLLBACK");
		return -1;
	}
	for (i = v; i < STORE_SCHEMA_VERSION; i++)
		if (exec_sql(st, store_schema[i]) != SQLITE_OK)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION);
	if (exec_sql(st, sql) != SQLITE_OK ||
	    exec_sql(st, "COMMIT") != SQLITE_OK)
		goto fail;
	if (v != STORE_SCHEMA_VERSION)
		log_info("store: %s: schema version %d -> %d", st->path, v,
		    STORE_SCHEMA_VERSION);
	return 0;
fail:
	log_warnx("store: %s: schema: %s", st->path, sqlite3_errmsg(st->db));
	if (!sqlite3_get_autocommit(st->db))
		exec_sql(st, "ROLLBACK");
	return -1;
}

static int
load_plens(struct store *st)
{
	sqlite3_stmt	*s;
	int		 f, l;

	if (sqlite3_prepare_v2(st->db, "SELECT DISTINCT family, plen "
	    "FROM hist", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		f = sqlite3_column_int(s, 0);
		l = sqlite3_column_int(s, 1);
		if (l >= 0 && l <= 128)
			st->plen_seen[fam_index(f)][l] = 1;
	}
	sqlite3_finalize(s);
	return 0;
}

static int
store_pragmas(struct store *st)
{
	sqlite3_stmt	*s;
	int		 wal = 0;

	/*
	 * Only another process (an admin's sqlite3 shell) can hold the lock;
	 * waiting a second beats failing the turn's flush.
	 */
	sqlite3_busy_timeout(st->db, 1000);
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(s, 0),
		    "wal") == 0;
	sqlite3_finalize(s);
	if (!wal) {
		log_warnx("store: %s: cannot switch to WAL", st->path);
		return -1;
	}
	/* A WAL grown by a big batch is cut back after its checkpoint. */
	if (exec_sql(st, "PRAGMA synchronous = NORMAL") != SQLITE_OK ||
	    exec_sql(st, "PRAGMA journal_size_limit = 4194304") !=
	    SQLITE_OK) {
		log_warnx("store: %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

struct store *
store_open(const char *path)
{
	struct store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		log_warn("store: %s", path);
		free(st);
		return NULL;
	}
	st->omax = STORE_QUEUE_MAX;
	st->samples_max = STORE_SAMPLES_MAX;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 0);
	if (store_pragmas(st) == -1 || schema_upgrade(st) == -1)
		goto fail;
	if (load_plens(st) == -1) {
		log_warnx("store: %s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	return st;
fail:
	sqlite3_close(st->db);
	free(st->path);
	free(st);
	return NULL;
}

void
store_close(struct store *st)
{
	int	 i;

	if (st == NULL)
		return;
	store_flush(st);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: %s: close: %s", st->path,
		    sqlite3_errmsg(st->db));
	free(st->bv);
	free(st->ov);
	free(st->path);
	free(st);
}

/*
 * The queue.
 */

static struct other_rec *
other_at(struct store *st, size_t i)
{
	return &st->ov[(st->ohead + i) % st->ocap];
}

static void
other_drop_oldest(struct store *st)
{
	st->ohead = (st->ohead + 1) % st->ocap;
	st->on--;
	st->stats.dropped++;
}

static int
other_grow(struct store *st)
{
	struct other_rec	*v;
	size_t			 cap, i;

	cap = st->ocap < 64 ? 64 : st->ocap * 2;
	if (cap > st->omax)
		cap = st->omax;
	if (cap <= st->ocap || (v = calloc(cap, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < st->on; i++)
		v[i] = *other_at(st, i);
	free(st->ov);
	st->ov = v;
	st->ocap = cap;
	st->ohead = 0;
	return 0;
}

/* Returns a cleared slot at the tail, dropping the oldest if need be. */
static struct other_rec *
other_push(struct store *st, enum store_op op)
{
	struct other_rec	*r;

	if (st->on >= st->omax && st->on > 0)
		other_drop_oldest(st);
	if (st->on == st->ocap && other_grow(st) == -1) {
		if (st->on == 0)
			return NULL;
		other_drop_oldest(st);
	}
	r = other_at(st, st->on++);
	memset(r, 0, sizeof(*r));
	r->op = op;
	return r;
}

static struct ban_rec *
ban_push(struct store *st, enum store_op op)
{
	struct ban_rec	*v, *r;
	size_t		 cap;

	if (st->bn == st->bcap) {
		cap = st->bcap < 16 ? 16 : st->bcap * 2;
		if ((v = reallocarray(st->bv, cap, sizeof(*v))) == NULL) {
			log_warn("store: ban queue");
			return NULL;
		}
		st->bv = v;
		st->bcap = cap;
	}
	r = &st->bv[st->bn++];
	memset(r, 0, sizeof(*r));
	r->op = op;
	return r;
}

static void
copy_str(char *dst, const char *src, size_t len)
{
	util_strlcpy(dst, src != NULL ? src : "", len);
}

static int
valid_addr(const struct addr *a)
{
	return a != NULL && (a->family == AF_INET || a->family == AF_INET6);
}

void
store_set_limits(struct store *st, size_t queue_max,
    unsigned int samples_max)
{
	if (queue_max > 0) {
		st->omax = queue_max;
		while (st->on > st->omax)
			other_drop_oldest(st);
	}
	if (samples_max > 0)
		st->samples_max = samples_max;
}

size_t
store_pending_bans(const struct store *st)
{
	return st->bn;
}

void
store_stats(const struct store *st, struct store_stats *out)
{
	*out = st->stats;
	out->queued = st->bn + st->on;
}

void
store_test_fail(struct store *st, int errcode)
{
	st->fail_code = errcode;
}

int
store_ban_add(struct store *st, const struct store_ban *b)
{
	struct ban_rec	*r;
	int		 f;

	if (!valid_addr(&b->prefix.addr) ||
	    b->prefix.len > addr_bits(&b->prefix.addr))
		return -1;
	if ((r = ban_push(st, OP_BAN)) == NULL)
		return -1;
	r->ban = *b;
	addr_mask(&r->ban.prefix.addr, r->ban.prefix.len);
	r->ban.jail[sizeof(r->ban.jail) - 1] = '\0';
	r->ban.verdict[sizeof(r->ban.verdict) - 1] = '\0';
	r->ban.reason[sizeof(r->ban.reason) - 1] = '\0';
	r->ban.by[sizeof(r->ban.by) - 1] = '\0';
	r->ban.signatures[sizeof(r->ban.signatures) - 1] = '\0';
	f = fam_index(b->prefix.addr.family);
	st->plen_seen[f][r->ban.prefix.len] = 1;
	return 0;
}

int
store_ban_remove(struct store *st, const struct prefix *p, int subnet,
    const char *jail, const char *by, const char *why)
{
	struct ban_rec	*r;

	if (p != NULL && (!valid_addr(&p->addr) ||
	    p->len > addr_bits(&p->addr)))
		return -1;
	if ((r = ban_push(st, OP_UNBAN)) == NULL)
		return -1;
	r->time_ms = util_now_ms();
	r->any_prefix = p == NULL;
	if (p != NULL) {
		r->ban.prefix = *p;
		addr_mask(&r->ban.prefix.addr, p->len);
	}
	r->any_jail = jail == NULL;
	copy_str(r->ban.jail, jail, sizeof(r->ban.jail));
	r->ban.subnet = subnet < 0 ? -1 : subnet != 0;
	copy_str(r->ban.by, by, sizeof(r->ban.by));
	copy_str(r->ban.reason, why, sizeof(r->ban.reason));
	return 0;
}

int
store_bans_expire(struct store *st, int64_t now_ms)
{
	struct ban_rec	*r;

	if ((r = ban_push(st, OP_EXPIRE)) == NULL)
		return -1;
	r->time_ms = now_ms;
	return 0;
}

int
store_purge(struct store *st, int64_t before_ms)
{
	struct ban_rec	*r;

	if ((r = ban_push(st, OP_PURGE)) == NULL)
		return -1;
	r->time_ms = before_ms;
	return 0;
}

int
store_offender_put(struct store *st, const struct addr *a,
    int64_t first_ms, int64_t last_ms, uint64_t hits, int score,
    const char *verdict)
{
	struct other_rec	*r;

	if (!valid_addr(a) || (r = other_push(st, OP_OFFENDER)) == NULL)
		return -1;
	r->addr = *a;
	r->u.off.addr = *a;
	r->u.off.first_ms = first_ms;
	r->u.off.last_ms = last_ms;
	r->u.off.hits = hits;
	r->u.off.score = score;
	copy_str(r->u.off.verdict, verdict, sizeof(r->u.off.verdict));
	return 0;
}

int
store_sigevent_add(struct store *st, const struct addr *a,
    const char *kind, const char *desc, int points, int64_t time_ms,
    const char *jail)
{
	struct other_rec	*r;

	if (!valid_addr(a) || (r = other_push(st, OP_SIGEVENT)) == NULL)
		return -1;
	r->addr = *a;
	copy_str(r->u.ev.kind, kind, sizeof(r->u.ev.kind));
	copy_str(r->u.ev.desc, desc, sizeof(r->u.ev.desc));
	r->u.ev.points = points;
	r->u.ev.time_ms = time_ms;
	copy_str(r->u.ev.jail, jail, sizeof(r->u.ev.jail));
	return 0;
}

int
store_sample_add(struct store *st, const struct addr *a, int64_t time_ms,
    const char *method, const char *path, int status, const char *ua,
    const char *host)
{
	struct other_rec	*r;

	if (!valid_addr(a) || (r = other_push(st, OP_SAMPLE)) == NULL)
		return -1;
	r->addr = *a;
	r->u.smp.time_ms = time_ms;
	copy_str(r->u.smp.method, method, sizeof(r->u.smp.method));
	copy_str(r->u.smp.path, path, sizeof(r->u.smp.path));
	r->u.smp.status = status;
	copy_str(r->u.smp.ua, ua, sizeof(r->u.smp.ua));
	copy_str(r->u.smp.host, host, sizeof(r->u.smp.host));
	return 0;
}

int
store_position_put(struct store *st, const char *path, uint64_t dev,
    uint64_t ino, uint64_t offset, uint64_t head_hash)
{
	struct other_rec	*r;

	if (path == NULL || strlen(path) >= STORE_PATH_MAX ||
	    (r = other_push(st, OP_POSITION)) == NULL)
		return -1;
	copy_str(r->u.pos.path, path, sizeof(r->u.pos.path));
	r->u.pos.dev = dev;
	r->u.pos.ino = ino;
	r->u.pos.off = offset;
	r->u.pos.hash = head_hash;
	return 0;
}

int
store_cursor_put(struct store *st, const char *name, const char *cursor)
{
	struct other_rec	*r;

	if (name == NULL || cursor == NULL ||
	    strlen(name) >= sizeof(r->u.cur.name) ||
	    strlen(cursor) >= sizeof(r->u.cur.cursor) ||
	    (r = other_push(st, OP_CURSOR)) == NULL)
		return -1;
	copy_str(r->u.cur.name, name, sizeof(r->u.cur.name));
	copy_str(r->u.cur.cursor, cursor, sizeof(r->u.cur.cursor));
	return 0;
}

/*
 * The flush.
 */

static int
write_ban(struct store *st, const struct store_ban *b)
{
	static const enum stmt_id	 ids[] = { S_BAN_SET, S_HIST_BAN };
	sqlite3_stmt			*s;
	uint8_t				 hi[16];
	char				 name[PREFIX_STRLEN];
	size_t				 i;
	int				 rc;

	blob_prefix_hi(&b->prefix, hi);
	prefix_format(&b->prefix, name, sizeof(name));
	for (i = 0; i < UTIL_NELEM(ids); i++) {
		if ((s = stmt_get(st, ids[i])) == NULL)
			return SQLITE_ERROR;
		bind_addr(s, 1, &b->prefix.addr);
		bind_blob16(s, 3, hi);
		sqlite3_bind_int(s, 4, b->prefix.len);
		sqlite3_bind_int(s, 5, b->subnet != 0);
		bind_text(s, 6, b->jail);
		sqlite3_bind_int(s, 7, b->score);
		bind_text(s, 8, b->verdict);
		sqlite3_bind_int64(s, 9, b->since_ms);
		sqlite3_bind_int64(s, 10, b->expires_ms);
		sqlite3_bind_int(s, 11, b->count);
		bind_text(s, 12, b->reason);
		bind_text(s, 13, b->by);
		bind_text(s, 14, b->signatures);
		bind_text(s, 15, name);
		if ((rc = step_done(s)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* History rows first, while the active rows they copy still exist. */
static int
write_unban(struct store *st, const struct ban_rec *r)
{
	static const enum stmt_id	 ids[] = { S_HIST_UNBAN, S_BAN_DEL };
	sqlite3_stmt			*s;
	size_t				 i;
	int				 rc;

	for (i = 0; i < UTIL_NELEM(ids); i++) {
		if ((s = stmt_get(st, ids[i])) == NULL)
			return SQLITE_ERROR;
		sqlite3_bind_int64(s, 1, r->time_ms);
		bind_text(s, 2, r->ban.reason);
		bind_text(s, 3, r->ban.by);
		if (!r->any_prefix) {
			bind_addr(s, 4, &r->ban.prefix.addr);
			sqlite3_bind_int(s, 6, r->ban.prefix.len);
		}
		if (!r->any_jail)
			bind_text(s, 7, r->ban.jail);
		sqlite3_bind_int(s, 8, r->ban.subnet);
		if ((rc = step_done(s)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int
write_time_op(struct store *st, enum stmt_id id, int64_t t)
{
	sqlite3_stmt	*s;

	if ((s = stmt_get(st, id)) == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, t);
	return step_done(s);
}

static int
write_ban_rec(struct store *st, const struct ban_rec *r)
{
	int	 rc;

	switch (r->op) {
	case OP_BAN:
		return write_ban(st, &r->ban);
	case OP_UNBAN:
		return write_unban(st, r);
	case OP_EXPIRE:
		return write_time_op(st, S_BAN_EXPIRE, r->time_ms);
	case OP_PURGE:
		if ((rc = write_time_op(st, S_PURGE_OFF, r->time_ms)) ||
		    (rc = write_time_op(st, S_PURGE_SIG, r->time_ms)))
			return rc;
		return write_time_op(st, S_PURGE_SMP, 0);
	default:
		return SQLITE_MISUSE;
	}
}

static int
write_offender(sqlite3_stmt *s, const struct other_rec *r)
{
	char	 name[ADDR_STRLEN];

	bind_addr(s, 1, &r->addr);
	bind_text(s, 3, addr_format(&r->addr, name, sizeof(name)));
	sqlite3_bind_int64(s, 4, r->u.off.first_ms);
	sqlite3_bind_int64(s, 5, r->u.off.last_ms);
	sqlite3_bind_int64(s, 6, (int64_t)r->u.off.hits);
	sqlite3_bind_int(s, 7, r->u.off.score);
	bind_text(s, 8, r->u.off.verdict);
	return step_done(s);
}

static void
bind_other(sqlite3_stmt *s, const struct other_rec *r)
{
	const struct store_sample	*p = &r->u.smp;

	switch (r->op) {
	case OP_SIGEVENT:
		bind_addr(s, 1, &r->addr);
		bind_text(s, 3, r->u.ev.kind);
		bind_text(s, 4, r->u.ev.desc);
		sqlite3_bind_int(s, 5, r->u.ev.points);
		sqlite3_bind_int64(s, 6, r->u.ev.time_ms);
		bind_text(s, 7, r->u.ev.jail);
		break;
	case OP_SAMPLE:
		bind_addr(s, 1, &r->addr);
		sqlite3_bind_int64(s, 3, p->time_ms);
		bind_text(s, 4, p->method);
		bind_text(s, 5, p->path);
		sqlite3_bind_int(s, 6, p->status);
		bind_text(s, 7, p->ua);
		bind_text(s, 8, p->host);
		break;
	case OP_POSITION:
		bind_text(s, 1, r->u.pos.path);
		sqlite3_bind_int64(s, 2, (int64_t)r->u.pos.dev);
		sqlite3_bind_int64(s, 3, (int64_t)r->u.pos.ino);
		sqlite3_bind_int64(s, 4, (int64_t)r->u.pos.off);
		sqlite3_bind_int64(s, 5, (int64_t)r->u.pos.hash);
		break;
	case OP_CURSOR:
		bind_text(s, 1, r->u.cur.name);
		bind_text(s, 2, r->u.cur.cursor);
		break;
	default:
		break;
	}
}

static int
write_other(struct store *st, const struct other_rec *r)
{
	sqlite3_stmt	*s;
	enum stmt_id	 id;

	switch (r->op) {
	case OP_OFFENDER:
		id = S_OFF_SET;
		break;
	case OP_SIGEVENT:
		id = S_SIG_ADD;
		break;
	case OP_SAMPLE:
		id = S_SMP_ADD;
		break;
	case OP_POSITION:
		id = S_POS_SET;
		break;
	case OP_CURSOR:
		id = S_CUR_SET;
		break;
	default:
		return SQLITE_MISUSE;
	}
	if ((s = stmt_get(st, id)) == NULL)
		return SQLITE_ERROR;
	if (r->op == OP_OFFENDER)
		return write_offender(s, r);
	bind_other(s, r);
	return step_done(s);
}

static int
addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct addr));
}

/* Keeps the first and the latest samples of each address touched. */
static int
trim_samples(struct store *st, struct addr *v, size_t n)
{
	sqlite3_stmt	*s;
	unsigned int	 first = (st->samples_max + 1) / 2;
	size_t		 i;
	int		 rc;

	if (n == 0)
		return SQLITE_OK;
	qsort(v, n, sizeof(*v), addr_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && addr_cmp(&v[i - 1], &v[i]) == 0)
			continue;
		if ((s = stmt_get(st, S_SMP_TRIM)) == NULL)
			return SQLITE_ERROR;
		bind_addr(s, 1, &v[i]);
		sqlite3_bind_int(s, 3, (int)first);
		sqlite3_bind_int(s, 4, (int)(st->samples_max - first));
		if ((rc = step_done(s)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int
flush_records(struct store *st)
{
	struct other_rec	*r;
	struct addr		*touched = NULL;
	size_t			 i, nt = 0;
	int			 rc = SQLITE_OK;

	for (i = 0; i < st->bn && rc == SQLITE_OK; i++)
		rc = write_ban_rec(st, &st->bv[i]);
	if (rc == SQLITE_OK && st->on > 0 &&
	    (touched = calloc(st->on, sizeof(*touched))) == NULL)
		rc = SQLITE_NOMEM;
	for (i = 0; i < st->on && rc == SQLITE_OK; i++) {
		r = other_at(st, i);
		rc = write_other(st, r);
		if (r->op == OP_SAMPLE)
			touched[nt++] = r->addr;
	}
	if (rc == SQLITE_OK)
		rc = trim_samples(st, touched, nt);
	free(touched);
	return rc;
}

static void
flush_failed(struct store *st, int rc)
{
	unsigned long	 held = 0;

	st->stats.errors++;
	if (!log_limit_pass(&st->warn, STORE_LOG_INTERVAL, &held))
		return;
	if (held > 0)
		log_warnx("store: %s: write failed: %s; %zu bans and %zu "
		    "other records kept queued (%lu failures since)",
		    st->path, sqlite3_errstr(rc), st->bn, st->on, held);
	else
		log_warnx("store: %s: write failed: %s; %zu bans and %zu "
		    "other records kept queued", st->path,
		    sqlite3_errstr(rc), st->bn, st->on);
}

/* Gives back the memory of a queue that a long outage grew. */
static void
queue_clear(struct store *st)
{
	st->bn = 0;
	st->on = 0;
	st->ohead = 0;
	if (st->bcap > 1024) {
		free(st->bv);
		st->bv = NULL;
		st->bcap = 0;
	}
	if (st->ocap > 4096) {
		free(st->ov);
		st->ov = NULL;
		st->ocap = 0;
	}
}

int
store_flush(struct store *st)
{
	int	 rc, full;

	if (st->bn == 0 && st->on == 0)
		return 0;
	full = st->bn > 0;
	if (full)
		exec_sql(st, "PRAGMA synchronous = FULL");
	rc = exec_sql(st, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK)
		rc = flush_records(st);
	if (rc == SQLITE_OK && st->fail_code != 0)
		rc = st->fail_code;
	if (rc == SQLITE_OK)
		rc = exec_sql(st, "COMMIT");
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(st->db))
		exec_sql(st, "ROLLBACK");
	if (full)
		exec_sql(st, "PRAGMA synchronous = NORMAL");
	if (rc != SQLITE_OK) {
		flush_failed(st, rc);
		return -1;
	}
	if (st->stats.errors > 0 && st->warn.last != 0)
		log_info("store: %s: writing again", st->path);
	st->warn.last = 0;
	st->stats.flushes++;
	st->stats.rows += st->bn + st->on;
	queue_clear(st);
	return 0;
}

/*
 * Reads.
 */

/* Ends a read loop: 0 when it ran out or the callback stopped it. */
static int
read_end(struct store *st, sqlite3_stmt *s, int rc)
{
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	log_warnx("store: %s: read: %s", st->path, sqlite3_errstr(rc));
	return -1;
}

static sqlite3_stmt *
read_begin(struct store *st, enum stmt_id id)
{
	store_flush(st);
	return stmt_get(st, id);
}

int
store_bans_active(struct store *st, int64_t now_ms,
    int (*cb)(void *, const struct store_ban *), void *arg)
{
	struct store_ban	 b;
	sqlite3_stmt		*s;
	int			 rc;

	if ((s = read_begin(st, S_BANS_ACTIVE)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_ban(s, 0, &b);
		if (cb(arg, &b) != 0)
			break;
	}
	return read_end(st, s, rc);
}

static int
ban_times_queued(const struct store *st, const struct addr *a, int subnet)
{
	const struct ban_rec	*r;
	size_t			 i;
	int			 n = 0;

	for (i = 0; i < st->bn; i++) {
		r = &st->bv[i];
		if (r->op == OP_BAN && (r->ban.subnet != 0) == subnet &&
		    prefix_contains(&r->ban.prefix, a))
			n++;
	}
	return n;
}

/*
 * A history row covers a when its prefix is a masked to its length: one
 * index lookup per prefix length that occurs in the history. Does not
 * flush: the daemon asks this on its way to a ban.
 */
int
store_ban_times(struct store *st, const struct addr *a, int subnet)
{
	struct prefix	 p;
	sqlite3_stmt	*s;
	int		 f, l, n = 0;

	if (!valid_addr(a))
		return -1;
	subnet = subnet != 0;
	f = fam_index(a->family);
	for (l = 0; l <= addr_bits(a); l++) {
		if (!st->plen_seen[f][l])
			continue;
		if ((s = stmt_get(st, S_BAN_TIMES)) == NULL)
			return -1;
		prefix_from_addr(&p, a, l);
		bind_addr(s, 1, &p.addr);
		sqlite3_bind_int(s, 3, l);
		sqlite3_bind_int(s, 4, subnet);
		if (sqlite3_step(s) != SQLITE_ROW) {
			read_end(st, s, SQLITE_ERROR);
			return -1;
		}
		n += sqlite3_column_int(s, 0);
		sqlite3_reset(s);
	}
	return n + ban_times_queued(st, a, subnet);
}

int
store_offender_get(struct store *st, const struct addr *a,
    struct store_offender *out)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (!valid_addr(a) || (s = read_begin(st, S_OFF_GET)) == NULL)
		return -1;
	bind_addr(s, 1, a);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_offender(s, out);
		sqlite3_reset(s);
		return 1;
	}
	return read_end(st, s, rc);
}

static void
col_sigevent(sqlite3_stmt *s, int i, struct store_sigevent *ev)
{
	memset(ev, 0, sizeof(*ev));
	col_text(s, i, ev->kind, sizeof(ev->kind));
	col_text(s, i + 1, ev->desc, sizeof(ev->desc));
	ev->points = sqlite3_column_int(s, i + 2);
	ev->time_ms = sqlite3_column_int64(s, i + 3);
	col_text(s, i + 4, ev->jail, sizeof(ev->jail));
}

int
store_sigevents(struct store *st, const struct addr *a,
    int (*cb)(void *, const struct store_sigevent *), void *arg)
{
	struct store_sigevent	 ev;
	sqlite3_stmt		*s;
	int			 rc;

	if (!valid_addr(a) || (s = read_begin(st, S_SIGS)) == NULL)
		return -1;
	bind_addr(s, 1, a);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_sigevent(s, 0, &ev);
		if (cb(arg, &ev) != 0)
			break;
	}
	return read_end(st, s, rc);
}

int
store_samples(struct store *st, const struct addr *a,
    int (*cb)(void *, const struct store_sample *), void *arg)
{
	struct store_sample	 p;
	sqlite3_stmt		*s;
	int			 rc;

	if (!valid_addr(a) || (s = read_begin(st, S_SMPS)) == NULL)
		return -1;
	bind_addr(s, 1, a);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		p.time_ms = sqlite3_column_int64(s, 0);
		col_text(s, 1, p.method, sizeof(p.method));
		col_text(s, 2, p.path, sizeof(p.path));
		p.status = sqlite3_column_int(s, 3);
		col_text(s, 4, p.ua, sizeof(p.ua));
		col_text(s, 5, p.host, sizeof(p.host));
		if (cb(arg, &p) != 0)
			break;
	}
	return read_end(st, s, rc);
}

struct hist_row {
	int64_t			 id;
	struct store_hist	 h;
};

static int
hist_cmp(const void *a, const void *b)
{
	const struct hist_row	*x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Collects the rows of one prefix length into *v; returns 0 or -1. */
static int
hist_collect(struct store *st, const struct addr *a, int l,
    struct hist_row **v, size_t *n, size_t *cap)
{
	struct hist_row	*nv;
	struct prefix	 p;
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = stmt_get(st, S_HIST)) == NULL)
		return -1;
	prefix_from_addr(&p, a, l);
	bind_addr(s, 1, &p.addr);
	sqlite3_bind_int(s, 3, l);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap == 0 ? 16 : *cap * 2;
			if ((nv = reallocarray(*v, *cap, sizeof(**v))) ==
			    NULL) {
				sqlite3_reset(s);
				return -1;
			}
			*v = nv;
		}
		nv = &(*v)[(*n)++];
		nv->id = sqlite3_column_int64(s, 0);
		col_text(s, 1, nv->h.action, sizeof(nv->h.action));
		nv->h.time_ms = sqlite3_column_int64(s, 2);
		col_ban(s, 3, &nv->h.ban);
	}
	return read_end(st, s, rc);
}

int
store_history(struct store *st, const struct addr *a,
    int (*cb)(void *, const struct store_hist *), void *arg)
{
	struct hist_row	*v = NULL;
	size_t		 n = 0, cap = 0, i;
	int		 f, l, rc = 0;

	if (!valid_addr(a))
		return -1;
	store_flush(st);
	f = fam_index(a->family);
	for (l = 0; l <= addr_bits(a) && rc == 0; l++)
		if (st->plen_seen[f][l])
			rc = hist_collect(st, a, l, &v, &n, &cap);
	if (rc == 0 && n > 0) {
		qsort(v, n, sizeof(*v), hist_cmp);
		for (i = 0; i < n; i++)
			if (cb(arg, &v[i].h) != 0)
				break;
	}
	free(v);
	return rc;
}

struct nb_bans {
	struct store_ban	*v;
	int			*seen;
	size_t			 n, cap;
};

static int
nb_collect(struct store *st, const struct prefix *p, int64_t now_ms,
    struct nb_bans *b)
{
	struct store_ban	*nv;
	sqlite3_stmt		*s;
	uint8_t			 lo[16], hi[16];
	int			 rc, *ns;

	if ((s = stmt_get(st, S_NB_BANS)) == NULL)
		return -1;
	blob_from_addr(&p->addr, lo);
	blob_prefix_hi(p, hi);
	sqlite3_bind_int(s, 1, p->addr.family);
	bind_blob16(s, 2, lo);
	bind_blob16(s, 3, hi);
	sqlite3_bind_int64(s, 4, now_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (b->n == b->cap) {
			b->cap = b->cap == 0 ? 16 : b->cap * 2;
			nv = reallocarray(b->v, b->cap, sizeof(*b->v));
			if (nv != NULL)
				b->v = nv;
			ns = reallocarray(b->seen, b->cap, sizeof(*b->seen));
			if (ns != NULL)
				b->seen = ns;
			if (nv == NULL || ns == NULL) {
				sqlite3_reset(s);
				return -1;
			}
		}
		b->seen[b->n] = 0;
		col_ban(s, 0, &b->v[b->n++]);
	}
	return read_end(st, s, rc);
}

/* Offenders inside p, each marked when a collected ban covers it. */
static int
nb_offenders(struct store *st, const struct prefix *p, struct nb_bans *b,
    int (*cb)(void *, const struct store_neighbour *), void *arg)
{
	struct store_neighbour	 nb;
	struct store_offender	 o;
	sqlite3_stmt		*s;
	uint8_t			 lo[16], hi[16];
	size_t			 i;
	int			 rc;

	if ((s = stmt_get(st, S_NB_OFF)) == NULL)
		return -1;
	blob_from_addr(&p->addr, lo);
	blob_prefix_hi(p, hi);
	sqlite3_bind_int(s, 1, p->addr.family);
	bind_blob16(s, 2, lo);
	bind_blob16(s, 3, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_offender(s, &o);
		memset(&nb, 0, sizeof(nb));
		prefix_from_addr(&nb.prefix, &o.addr, addr_bits(&o.addr));
		nb.score = o.score;
		util_strlcpy(nb.verdict, o.verdict, sizeof(nb.verdict));
		nb.last_ms = o.last_ms;
		for (i = 0; i < b->n; i++)
			if (prefix_contains(&b->v[i].prefix, &o.addr)) {
				b->seen[i] = 1;
				nb.banned = 1;
			}
		if (cb(arg, &nb) != 0) {
			sqlite3_reset(s);
			return 1;
		}
	}
	return read_end(st, s, rc);
}

int
store_neighbours(struct store *st, const struct prefix *p, int64_t now_ms,
    int (*cb)(void *, const struct store_neighbour *), void *arg)
{
	struct store_neighbour	 nb;
	struct nb_bans		 b;
	size_t			 i;
	int			 rc;

	if (!valid_addr(&p->addr) || p->len > addr_bits(&p->addr))
		return -1;
	memset(&b, 0, sizeof(b));
	store_flush(st);
	if ((rc = nb_collect(st, p, now_ms, &b)) == 0 &&
	    (rc = nb_offenders(st, p, &b, cb, arg)) == 0) {
		for (i = 0; i < b.n; i++) {
			if (b.seen[i])
				continue;
			memset(&nb, 0, sizeof(nb));
			nb.prefix = b.v[i].prefix;
			nb.banned = 1;
			nb.score = b.v[i].score;
			util_strlcpy(nb.verdict, b.v[i].verdict,
			    sizeof(nb.verdict));
			nb.last_ms = b.v[i].since_ms;
			if (cb(arg, &nb) != 0)
				break;
		}
	}
	free(b.v);
	free(b.seen);
	return rc < 0 ? -1 : 0;
}

int
store_top(struct store *st, unsigned int n, int by_hits,
    int (*cb)(void *, const struct store_offender *), void *arg)
{
	struct store_offender	 o;
	sqlite3_stmt		*s;
	int			 rc;

	s = read_begin(st, by_hits ? S_TOP_HITS : S_TOP_SCORE);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, n);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_offender(s, &o);
		if (cb(arg, &o) != 0)
			break;
	}
	return read_end(st, s, rc);
}

struct off_group {
	struct store_offender	 o;
	struct store_sigevent	*ev;
	size_t			 n, cap;
	int			 open;
};

static int
group_add_event(struct off_group *g, sqlite3_stmt *s)
{
	struct store_sigevent	*v;
	size_t			 cap;

	if (sqlite3_column_type(s, 7) == SQLITE_NULL)
		return 0;
	if (g->n == g->cap) {
		cap = g->cap == 0 ? 16 : g->cap * 2;
		if ((v = reallocarray(g->ev, cap, sizeof(*v))) == NULL)
			return -1;
		g->ev = v;
		g->cap = cap;
	}
	col_sigevent(s, 7, &g->ev[g->n++]);
	return 0;
}

int
store_offenders_all(struct store *st, int64_t since_ms,
    int (*cb)(void *, const struct store_offender *,
    const struct store_sigevent *, size_t), void *arg)
{
	struct off_group	 g;
	struct store_offender	 o;
	sqlite3_stmt		*s;
	int			 rc, stop = 0;

	if ((s = read_begin(st, S_OFF_ALL)) == NULL)
		return -1;
	memset(&g, 0, sizeof(g));
	sqlite3_bind_int64(s, 1, since_ms);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_offender(s, &o);
		if (g.open && !addr_eq(&g.o.addr, &o.addr)) {
			stop = cb(arg, &g.o, g.ev, g.n) != 0;
			g.open = 0;
		}
		if (!g.open) {
			g.o = o;
			g.n = 0;
			g.open = 1;
		}
		if (group_add_event(&g, s) == -1) {
			log_warn("store: offenders");
			rc = SQLITE_NOMEM;
			break;
		}
	}
	if (g.open && !stop && rc == SQLITE_DONE)
		cb(arg, &g.o, g.ev, g.n);
	free(g.ev);
	return read_end(st, s, stop ? SQLITE_DONE : rc);
}

int
store_position_get(struct store *st, const char *path, uint64_t *dev,
    uint64_t *ino, uint64_t *offset, uint64_t *head_hash)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = read_begin(st, S_POS_GET)) == NULL)
		return -1;
	bind_text(s, 1, path);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*dev = (uint64_t)sqlite3_column_int64(s, 0);
		*ino = (uint64_t)sqlite3_column_int64(s, 1);
		*offset = (uint64_t)sqlite3_column_int64(s, 2);
		*head_hash = (uint64_t)sqlite3_column_int64(s, 3);
		sqlite3_reset(s);
		return 1;
	}
	return read_end(st, s, rc);
}

int
store_cursor_get(struct store *st, const char *name, char *buf,
    size_t len)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = read_begin(st, S_CUR_GET)) == NULL)
		return -1;
	bind_text(s, 1, name);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, buf, len);
		sqlite3_reset(s);
		return 1;
	}
	return read_end(st, s, rc);
}
