/*
 * The daemon: follows logs, scores, and bans in the kernel. One poll()
 * loop; at the end of every turn the store is flushed first and the
 * queued firewall writes are committed after, so a ban is on disk
 * before the kernel acknowledges it.
 */
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "control.h"
#include "daemon.h"
#include "journal.h"
#include "log.h"
#include "nft.h"
#include "store.h"
#include "tail.h"
#include "util.h"

#define DAEMON_POLL_MAX		600
#define DAEMON_CHECK_S		5	/* table check on the timer */
#define DAEMON_EXPIRE_S		60

/* Jails that share one logpath entry: a line goes to all at once. */
struct source {
	char		*glob;		/* a path glob, or journal matches */
	int		 journal;
	int		 head;
	size_t		*jails;
	size_t		 njails;
};

struct daemon_loop {
	struct daemon	*d;
	struct source	*src;
	size_t		 nsrc;
	int		 sigfd, timerfd;
	int		 quit;
	unsigned long	 ticks;
};

/* Remaining seconds of a ban that ends at until_ms, at least 1. */
static uint32_t
daemon_ttl(int64_t until_ms, int64_t now_ms)
{
	int64_t	 s = (until_ms - now_ms + 999) / 1000;

	if (s <= 0)
		return 0;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static void
daemon_sink_ban(void *arg, const struct decision *dc)
{
	struct daemon		*d = arg;
	struct store_ban	 sb;
	char			 p[PREFIX_STRLEN];
	int64_t			 now = util_now_ms();
	uint32_t		 ttl;

	memset(&sb, 0, sizeof(sb));
	sb.prefix = dc->prefix;
	sb.subnet = dc->subnet;
	util_strlcpy(sb.jail, dc->jail, sizeof(sb.jail));
	sb.score = (int)dc->score;
	util_strlcpy(sb.verdict, dc->verdict, sizeof(sb.verdict));
	sb.since_ms = dc->time_ms;
	sb.expires_ms = dc->time_ms + dc->bantime * 1000;
	sb.count = (int)dc->count;
	util_strlcpy(sb.reason, dc->reason ? dc->reason : "",
	    sizeof(sb.reason));
	util_strlcpy(sb.by, dc->by ? dc->by : "auto", sizeof(sb.by));
	sig_kinds_json(dc->kinds, sb.signatures, sizeof(sb.signatures));
	if (store_ban_add(d->store, &sb) == -1)
		d->st.store_errors++;
	ttl = daemon_ttl(sb.expires_ms, now);
	prefix_format(&dc->prefix, p, sizeof(p));
	/* The control module logs the bans it makes, with their caller. */
	if (strncmp(sb.by, "uid", 3) != 0)
		log_notice("%s addr=%s jail=%s score=%u verdict=%s ttl=%u "
		    "count=%u by=%s", dc->subnet ? "subnet-ban" : "ban", p,
		    dc->jail, dc->score, dc->verdict, ttl, dc->count, sb.by);
	if (ttl == 0 || d->nft == NULL)
		return;		/* Caught up too late: it already ended. */
	if (nft_add(d->nft, &dc->prefix, dc->subnet, ttl) == 0)
		d->pending_nft = 1;
	else
		d->st.nft_errors++;
}

/* The store's copy of an offender, written once per loop turn. */
static void
daemon_put_offender(void *arg, struct offender *o)
{
	struct daemon	*d = arg;

	store_offender_put(d->store, &o->addr, o->first_ms, o->last_ms,
	    o->hits, o->score, score_verdict(o->score,
	    (uint32_t)d->conf->threshold));
}

static void
daemon_sink_sigevent(void *arg, const struct offender *o,
    const struct sig_hit *h, const char *desc, const char *jail,
    int64_t t_ms)
{
	struct daemon	*d = arg;
	char		 a[ADDR_STRLEN];

	store_sigevent_add(d->store, &o->addr, sig_name(h->kind), desc,
	    (int)h->points, t_ms, jail);
	log_info("hit addr=%s jail=%s signature=%s points=%u",
	    addr_format(&o->addr, a, sizeof(a)), jail, sig_name(h->kind),
	    h->points);
}

static void
daemon_span(char *buf, size_t len, const struct span *s)
{
	log_escape(buf, len, s->p ? s->p : "", s->len);
}

static void
daemon_sink_sample(void *arg, const struct offender *o,
    const struct event *ev, const char *jail)
{
	struct daemon	*d = arg;
	char		 method[16], path[512], ua[256], host[128];

	(void)jail;
	daemon_span(method, sizeof(method), &ev->method);
	daemon_span(path, sizeof(path), &ev->path);
	daemon_span(ua, sizeof(ua), &ev->ua);
	daemon_span(host, sizeof(host), &ev->host);
	store_sample_add(d->store, &o->addr, ev->time_ms, method, path,
	    ev->status, ua, host);
}

#define DAEMON_UNPARSED_FILES	4096

static void
daemon_count_unparsed(struct daemon *d, const char *path)
{
	struct daemon_unparsed	*v;
	size_t			 i;

	for (i = 0; i < d->nunparsed; i++)
		if (strcmp(d->unparsed[i].path, path) == 0) {
			d->unparsed[i].n++;
			return;
		}
	if (d->nunparsed == DAEMON_UNPARSED_FILES ||
	    (v = reallocarray(d->unparsed, d->nunparsed + 1,
	    sizeof(*v))) == NULL)
		return;
	d->unparsed = v;
	if ((v[d->nunparsed].path = strdup(path)) == NULL)
		return;
	v[d->nunparsed++].n = 1;
}

unsigned long
daemon_file_unparsed(const struct daemon *d, const char *path)
{
	size_t	 i;

	for (i = 0; i < d->nunparsed; i++)
		if (strcmp(d->unparsed[i].path, path) == 0)
			return d->unparsed[i].n;
	return 0;
}

static void
daemon_line(void *arg, void *owner, const char *path, const char *line,
    size_t len)
{
	struct daemon	*d = arg;
	struct source	*s = owner;

	if (len > 0 && line[len - 1] == '\r')
		len--;		/* CRLF logs, as replay reads them. */
	if (!engine_feed(d->engine, s->jails, s->njails, line, len,
	    util_now_ms()))
		daemon_count_unparsed(d, path);
}

static void
daemon_overlong(void *arg, void *owner, const char *path)
{
	static struct log_limit	 ll;
	unsigned long		 held = 0;

	(void)arg;
	(void)owner;
	if (log_limit_pass(&ll, 60, &held))
		log_warnx("tail: %s: line over 64 KiB skipped (%lu more held)",
		    path, held);
}

static int
daemon_pos_get(void *arg, const char *path, struct tail_pos *pos)
{
	struct daemon	*d = arg;

	return store_position_get(d->store, path, &pos->dev, &pos->ino,
	    &pos->off, &pos->head_hash) == 1;
}

static void
daemon_pos_put(void *arg, const char *path, const struct tail_pos *pos)
{
	struct daemon	*d = arg;

	store_position_put(d->store, path, pos->dev, pos->ino, pos->off,
	    pos->head_hash);
}

static void
daemon_free_sources(struct daemon_loop *l)
{
	size_t	 i;

	for (i = 0; i < l->nsrc; i++) {
		free(l->src[i].glob);
		free(l->src[i].jails);
	}
	free(l->src);
	l->src = NULL;
	l->nsrc = 0;
}

/* Groups the enabled jails by logpath entry. */
static int
daemon_sources(struct daemon_loop *l, const struct conf *c)
{
	size_t	 i, j, k;

	daemon_free_sources(l);
	for (i = 0; i < c->njails; i++) {
		const struct jail_conf	*jc = &c->jails[i];

		if (!jc->enabled)
			continue;
		for (j = 0; j < jc->nlogpath; j++) {
			struct source	*s = NULL, *nv;
			size_t		*nj;

			int		 jr = strcmp(jc->logpath[j].glob,
					    "journal") == 0;
			const char	*key = jr ? jc->journalmatch :
					    jc->logpath[j].glob;

			for (k = 0; k < l->nsrc; k++)
				if (l->src[k].journal == jr &&
				    strcmp(l->src[k].glob, key) == 0)
					s = &l->src[k];
			if (s == NULL) {
				nv = reallocarray(l->src, l->nsrc + 1,
				    sizeof(*nv));
				if (nv == NULL)
					return -1;
				l->src = nv;
				s = &l->src[l->nsrc++];
				memset(s, 0, sizeof(*s));
				s->glob = strdup(key);
				s->journal = jr;
			}
			s->head |= jc->logpath[j].head;
			nj = reallocarray(s->jails, s->njails + 1, sizeof(*nj));
			if (nj == NULL)
				return -1;
			s->jails = nj;
			s->jails[s->njails++] = i;
		}
	}
	return 0;
}

static int
daemon_cursor_get(void *arg, const char *name, char *buf, size_t len)
{
	struct daemon	*d = arg;

	return store_cursor_get(d->store, name, buf, len) == 1;
}

static void
daemon_cursor_put(void *arg, const char *name, const char *cursor)
{
	struct daemon	*d = arg;

	store_cursor_put(d->store, name, cursor);
}

static void
daemon_journal_start(struct daemon_loop *l)
{
	struct daemon		*d = l->d;
	struct journal_cb	 cb = { daemon_line, daemon_cursor_get,
				    daemon_cursor_put, d };
	size_t			 i;

	for (i = 0; i < l->nsrc; i++) {
		if (!l->src[i].journal)
			continue;
		if (d->journal == NULL &&
		    (d->journal = journal_open(d->conf->journal_dir,
		    &cb)) == NULL) {
			log_warn("journal: cannot open");
			return;
		}
		if (journal_add(d->journal, l->src[i].glob, l->src[i].head,
		    &l->src[i]) == -1)
			log_warnx("journal: matches '%s' not read",
			    l->src[i].glob);
	}
	if (d->journal != NULL)
		journal_process(d->journal);
}

/* Starts reading every source: files through tail, the journal. */
static int
daemon_tail_start(struct daemon_loop *l)
{
	struct daemon		*d = l->d;
	struct tail_cb		 cb = { daemon_line, daemon_overlong,
				    daemon_pos_get, daemon_pos_put, d };
	size_t			 i;

	if (daemon_sources(l, d->conf) == -1)
		return -1;
	if ((d->tail = tail_new(&cb)) == NULL)
		return -1;
	for (i = 0; i < l->nsrc; i++)
		if (!l->src[i].journal && tail_add(d->tail, l->src[i].glob,
		    l->src[i].head, &l->src[i]) == -1)
			log_warn("tail: %s", l->src[i].glob);
	tail_drain_all(d->tail);
	daemon_journal_start(l);
	return 0;
}

struct want {
	struct nft_elem	*v;
	size_t		 n, cap;
	int64_t		 now;
};

static void
daemon_want_one(void *arg, struct ban *b)
{
	struct want	*w = arg;
	uint32_t	 ttl = daemon_ttl(b->until_ms, w->now);

	if (ttl == 0)
		return;
	if (w->n == w->cap) {
		size_t		 cap = w->cap ? w->cap * 2 : 1024;
		struct nft_elem	*v = reallocarray(w->v, cap, sizeof(*v));

		if (v == NULL)
			return;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n].prefix = b->prefix;
	w->v[w->n].subnet = b->subnet;
	w->v[w->n].timeout_s = ttl;
	w->n++;
}

/* Makes the kernel match the ban table: table, elements, no strays. */
static int
daemon_reconcile(struct daemon *d)
{
	struct want	 w = { NULL, 0, 0, util_now_ms() };
	int		 rv;

	if (d->nft == NULL)
		return 0;
	ban_foreach(engine_bans(d->engine), w.now, daemon_want_one, &w);
	if (nft_setup(d->nft) == -1) {
		log_warn("nft: table setup");
		free(w.v);
		d->table_ok = 0;
		return -1;
	}
	rv = nft_reconcile(d->nft, w.v, w.n);
	free(w.v);
	d->st.reconciles++;
	d->table_ok = rv == 0;
	if (rv == -1)
		log_warnx("nft: reconcile failed");
	else
		log_info("nft: table in place with %zu bans", w.n);
	return rv;
}

static int
daemon_restore_ban(void *arg, const struct store_ban *b)
{
	struct daemon	*d = arg;
	struct offender	*o;

	engine_restore_ban(d->engine, &b->prefix, b->subnet, b->jail,
	    (uint32_t)b->score, b->since_ms,
	    b->expires_ms ? b->expires_ms : INT64_MAX / 2,
	    (uint16_t)b->count);
	if (!b->subnet &&
	    (o = score_get(engine_scores(d->engine), &b->prefix.addr, 1))) {
		if (o->bans < b->count)
			o->bans = (uint16_t)b->count;
		if (b->expires_ms > o->ban_until_ms)
			o->ban_until_ms = b->expires_ms;
	}
	return 0;
}

/* Rebuilds an offender's per-kind maxima from its stored events. */
static int
daemon_restore_offender(void *arg, const struct store_offender *so,
    const struct store_sigevent *ev, size_t nev)
{
	struct daemon	*d = arg;
	struct offender	*o;
	size_t		 i;
	int		 times;

	if ((o = score_get(engine_scores(d->engine), &so->addr, 1)) == NULL)
		return 0;
	o->first_ms = so->first_ms;
	o->last_ms = so->last_ms;
	o->hits = (uint32_t)so->hits;
	o->samples = ENGINE_SAMPLES;	/* Its samples are stored already. */
	for (i = 0; i < nev; i++) {
		struct jail_conf	*jc = conf_jail(d->conf, ev[i].jail);
		int			 k = sig_kind_parse(ev[i].kind);

		if (jc == NULL || k < 0)
			continue;
		score_add(o, (enum sig_kind)k, (uint32_t)ev[i].points,
		    ev[i].time_ms, jc->sig.window_ms);
	}
	o->score = (uint16_t)score_compute(o, util_now_ms(), NULL);
	o->peak = (uint16_t)so->score > o->score ? (uint16_t)so->score :
	    o->score;
	if ((times = store_ban_times(d->store, &so->addr, 0)) > o->bans)
		o->bans = (uint16_t)times;
	return 0;
}

static void
daemon_restore(struct daemon *d)
{
	int64_t	 now = util_now_ms(), since = now - 7 * 86400000LL;
	size_t	 i;

	for (i = 0; i < d->conf->njails; i++)
		if (d->conf->jails[i].sig.window_ms > now - since)
			since = now - d->conf->jails[i].sig.window_ms;
	if (store_offenders_all(d->store, since, daemon_restore_offender,
	    d) == -1)
		log_warnx("store: offenders not restored");
	if (store_bans_active(d->store, now, daemon_restore_ban, d) == -1)
		log_warnx("store: bans not restored");
}

/* The end of a loop turn: the store first, then the kernel. */
static void
daemon_flush(struct daemon *d)
{
	score_drain(engine_scores(d->engine), daemon_put_offender, d);
	if (store_flush(d->store) == -1)
		d->st.store_errors++;
	if (d->nft == NULL || !d->pending_nft)
		return;
	d->pending_nft = 0;
	if (nft_commit(d->nft) == -1) {
		d->st.nft_errors++;
		/* Resync on the next check rather than lose the ban. */
		d->table_ok = 0;
	}
}

int
daemon_ban(struct daemon *d, const struct prefix *p, const char *jail,
    int64_t bantime, const char *by, const char *reason)
{
	int	 rv;

	rv = engine_ban_manual(d->engine, p, jail, bantime, util_now_ms(),
	    by, reason);
	daemon_flush(d);
	return rv;
}

int
daemon_unban(struct daemon *d, const struct prefix *p, const char *jail,
    const char *by, const char *why)
{
	struct ban	*b = ban_find(engine_bans(d->engine), p);
	char		 buf[PREFIX_STRLEN];
	int		 subnet;

	if (b == NULL || (jail != NULL && strcmp(b->jail, jail) != 0))
		return 0;
	subnet = b->subnet;
	engine_unban(d->engine, p);
	store_ban_remove(d->store, p, subnet, jail, by, why);
	if (d->nft != NULL && nft_del(d->nft, p, subnet) == 0)
		d->pending_nft = 1;
	d->st.unbans++;
	if (strncmp(by, "uid", 3) != 0)
		log_notice("unban addr=%s by=%s reason=%s",
	    prefix_format(p, buf, sizeof(buf)), by, why);
	daemon_flush(d);
	return 1;
}

struct lift {
	struct daemon	*d;
	struct prefix	 v[256];
	size_t		 n;
};

static void
daemon_lift_one(void *arg, struct ban *b)
{
	struct lift	*l = arg;
	struct addrlist	*ign = &l->d->conf->ignore;

	if (l->n == UTIL_NELEM(l->v))
		return;
	if (b->subnet ? addrlist_inside(ign, &b->prefix) :
	    addrlist_match(ign, &b->prefix.addr))
		l->v[l->n++] = b->prefix;
}

/* Lifts the bans that the ignore list now covers. */
static void
daemon_lift_ignored(struct daemon *d)
{
	struct lift	 l;
	size_t		 i;

	do {
		l.d = d;
		l.n = 0;
		ban_foreach(engine_bans(d->engine), util_now_ms(),
		    daemon_lift_one, &l);
		for (i = 0; i < l.n; i++)
			daemon_unban(d, &l.v[i], NULL, "reload", "ignored");
	} while (l.n == UTIL_NELEM(l.v));
}

static size_t
daemon_enabled_jails(const struct conf *c)
{
	size_t	 i, n = 0;

	for (i = 0; i < c->njails; i++)
		n += c->jails[i].enabled != 0;
	return n;
}

int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct conf	*nc, *old = d->conf;

	if ((nc = conf_load(d->dir, err, errlen)) == NULL) {
		log_warnx("reload: %s; keeping the running configuration",
		    err);
		return -1;
	}
	if (daemon_enabled_jails(nc) == 0 && daemon_enabled_jails(old) > 0)
		log_warnx("reload: no jail is enabled any more: nothing is "
		    "watched");
	engine_set_conf(d->engine, nc);
	d->conf = nc;
	if (d->loop != NULL) {
		tail_free(d->tail);
		d->tail = NULL;
		journal_close(d->journal);
		d->journal = NULL;
		if (daemon_tail_start(d->loop) == -1)
			log_warnx("reload: tail could not restart");
	}
	conf_free(old);
	daemon_lift_ignored(d);
	log_notice("reload: configuration reloaded, %zu jails",
	    nc->njails);
	return 0;
}

static int
daemon_signals(void)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int
daemon_timer(void)
{
	struct itimerspec	 its = { { 1, 0 }, { 1, 0 } };
	int			 fd;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd != -1 && timerfd_settime(fd, 0, &its, NULL) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
daemon_on_signal(struct daemon_loop *l)
{
	struct signalfd_siginfo	 si;
	char			 err[1024];

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			daemon_reload(l->d, err, sizeof(err));
		else
			l->quit = 1;
	}
}

static void
daemon_on_timer(struct daemon_loop *l)
{
	struct daemon	*d = l->d;
	uint64_t	 n;
	int		 present;

	while (read(l->timerfd, &n, sizeof(n)) == sizeof(n))
		l->ticks++;
	tail_tick(d->tail);
	control_tick(d->control);
	if (d->nft != NULL &&
	    (!d->table_ok || l->ticks % DAEMON_CHECK_S == 0)) {
		present = nft_table_present(d->nft);
		if (present == 0 || !d->table_ok) {
			if (present == 0)
				log_warnx("nft: table %s is gone; rebuilding",
				    d->conf->table);
			daemon_reconcile(d);
		}
	}
	if (l->ticks % DAEMON_EXPIRE_S == 0)
		store_bans_expire(d->store, util_now_ms());
}

static void
daemon_on_monitor(struct daemon *d)
{
	if (nft_monitor_read(d->nft) == 1) {
		log_warnx("nft: table %s was deleted; rebuilding",
		    d->conf->table);
		daemon_reconcile(d);
	}
}

static int
daemon_mkparent(const char *path)
{
	char	 dir[CONF_PATH_MAX], *slash;

	util_strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * At start with our table still there (a restart): every active ban is
 * added again in one batch, which refreshes its timer, without reading
 * the sets back (seconds for a large table). Elements the store does
 * not know run out by their own timeouts.
 */
static int
daemon_refresh(struct daemon *d)
{
	struct want	 w = { NULL, 0, 0, util_now_ms() };
	size_t		 i;
	int		 rv = 0;

	if (nft_setup(d->nft) == -1) {
		log_warn("nft: table setup");
		return -1;
	}
	ban_foreach(engine_bans(d->engine), w.now, daemon_want_one, &w);
	for (i = 0; i < w.n && rv == 0; i++)
		rv = nft_add(d->nft, &w.v[i].prefix, w.v[i].subnet,
		    w.v[i].timeout_s);
	free(w.v);
	if (rv == 0)
		rv = nft_commit(d->nft);
	d->table_ok = rv == 0;
	if (rv == 0)
		log_notice("nft: table kept, %zu bans written again", w.n);
	return rv;
}

static void
daemon_open_firewall(struct daemon *d)
{
	struct nft_conf	 nc;

	if (strcmp(d->conf->backend, "none") == 0) {
		log_notice("nft: backend none: decisions are kept, the "
		    "kernel is not written");
		return;
	}
	memset(&nc, 0, sizeof(nc));
	nc.table = d->conf->table;
	nc.forward = strstr(d->conf->hooks, "forward") != NULL;
	nc.reject = strcmp(d->conf->action, "reject") == 0;
	nc.set_size = (uint32_t)d->conf->set_size;
	if ((d->nft = nft_open(&nc)) == NULL)
		fatal("nft: netlink socket");
	if ((nft_table_present(d->nft) == 1 ? daemon_refresh(d) :
	    daemon_reconcile(d)) == -1)
		fatalx("nft: cannot set up table inet %s", d->conf->table);
}

static void
daemon_start(struct daemon *d, struct daemon_loop *l)
{
	struct engine_sink	 sink = { daemon_sink_ban, daemon_sink_sigevent,
				    daemon_sink_sample, d };

	if (daemon_mkparent(d->conf->database) == -1 ||
	    (d->store = store_open(d->conf->database)) == NULL)
		fatalx("store: cannot open %s", d->conf->database);
	if ((d->engine = engine_new(d->conf, &sink)) == NULL)
		fatalx("engine: out of memory");
	for (size_t i = 0; i < d->conf->nwarnings; i++)
		log_warnx("conf: %s", d->conf->warnings[i]);
	daemon_restore(d);
	daemon_open_firewall(d);
	if (daemon_mkparent(d->conf->socket) == -1 ||
	    (d->control = control_open(d)) == NULL)
		fatalx("control: cannot serve %s", d->conf->socket);
	if ((l->sigfd = daemon_signals()) == -1 ||
	    (l->timerfd = daemon_timer()) == -1)
		fatal("daemon: signals and timer");
	if (daemon_tail_start(l) == -1)
		fatal("tail: cannot start");
	daemon_flush(d);
	sd_notify(0, "READY=1");
	log_notice("abusemomd started: %zu jails, backend %s, %zu bans "
	    "restored", d->conf->njails, d->conf->backend,
	    ban_count(engine_bans(d->engine), util_now_ms(), 0) +
	    ban_count(engine_bans(d->engine), util_now_ms(), 1));
}

/* One turn: wait, handle each ready source, flush. */
static void
daemon_turn(struct daemon_loop *l)
{
	struct daemon	*d = l->d;
	struct pollfd	 pfd[DAEMON_POLL_MAX];
	int		 n = 0, ctl0, i, mon = -1, ji = -1, timeout, rv;
	int64_t		 t0;

	pfd[n++] = (struct pollfd){ l->sigfd, POLLIN, 0 };
	pfd[n++] = (struct pollfd){ l->timerfd, POLLIN, 0 };
	pfd[n++] = (struct pollfd){ tail_fd(d->tail), POLLIN, 0 };
	if (d->journal != NULL) {
		ji = n;
		pfd[n++] = (struct pollfd){ journal_fd(d->journal), POLLIN, 0 };
	}
	if (d->nft != NULL && (mon = nft_monitor_fd(d->nft)) != -1)
		pfd[n++] = (struct pollfd){ mon, POLLIN, 0 };
	ctl0 = n;
	n += control_pollfds(d->control, pfd + n, DAEMON_POLL_MAX - n);
	timeout = tail_pending(d->tail) ? 0 : -1;
	if (d->journal != NULL) {
		int	 jt = journal_timeout(d->journal);

		if (jt >= 0 && (timeout < 0 || jt < timeout))
			timeout = jt;
	}
	if ((rv = poll(pfd, (nfds_t)n, timeout)) == -1) {
		if (errno != EINTR)
			log_warn("daemon: poll");
		return;
	}
	t0 = util_mono_ms();
	if (pfd[0].revents & POLLIN)
		daemon_on_signal(l);
	if (pfd[2].revents & POLLIN || tail_pending(d->tail))
		tail_process(d->tail);
	if (pfd[1].revents & POLLIN)
		daemon_on_timer(l);
	if (ji >= 0 && (rv == 0 || (pfd[ji].revents & POLLIN) ||
	    journal_pending(d->journal)))
		journal_process(d->journal);
	for (i = 3; i < ctl0; i++)
		if (pfd[i].fd == mon && (pfd[i].revents & POLLIN))
			daemon_on_monitor(d);
	control_handle(d->control, pfd + ctl0, n - ctl0);
	daemon_flush(d);
	d->st.loop_last_us = (util_mono_ms() - t0) * 1000;
	if (d->st.loop_last_us > d->st.loop_max_us)
		d->st.loop_max_us = d->st.loop_last_us;
}

static int
daemon_loglevel(const char *s)
{
	static const char	*names[] = { "crit", "err", "warning", "notice",
				    "info", "debug" };
	static const int	 levels[] = { LOG_CRIT, LOG_ERR, LOG_WARNING,
				    LOG_NOTICE, LOG_INFO, LOG_DEBUG };
	size_t			 i;

	for (i = 0; i < UTIL_NELEM(names); i++)
		if (strcmp(s, names[i]) == 0)
			return levels[i];
	return LOG_NOTICE;
}

int
daemon_run(struct conf *c, const char *dir, int verbose)
{
	struct daemon		 d;
	struct daemon_loop	 l;

	memset(&d, 0, sizeof(d));
	memset(&l, 0, sizeof(l));
	d.conf = c;
	d.dir = strdup(dir);
	d.start_ms = util_now_ms();
	l.d = &d;
	d.loop = &l;
	log_init(strcmp(c->log_target, "syslog") == 0 ? LOG_TO_SYSLOG :
	    LOG_TO_STDERR, daemon_loglevel(c->loglevel) + verbose,
	    "abusemomd");
	daemon_start(&d, &l);
	while (!l.quit)
		daemon_turn(&l);
	log_notice("abusemomd stopping");
	sd_notify(0, "STOPPING=1");
	daemon_flush(&d);
	control_close(d.control);
	tail_free(d.tail);
	journal_close(d.journal);
	daemon_free_sources(&l);
	engine_free(d.engine);
	store_close(d.store);
	nft_close(d.nft);
	conf_free(d.conf);
	for (size_t i = 0; i < d.nunparsed; i++)
		free(d.unparsed[i].path);
	free(d.unparsed);
	free(d.dir);
	return 0;
}
