/*
 * The systemd journal as a log source: one sd_journal per match set,
 * their inotify descriptors gathered in one epoll descriptor for the
 * daemon's poll loop, entries formatted as syslog lines.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "event.h"
#include "journal.h"
#include "log.h"
#include "util.h"

/* sd_journal's cursors are about 130 bytes; the store keeps 511. */
#define JOURNAL_CURSOR_MAX	512
/* sd_journal's limit on field names. */
#define JOURNAL_FIELD_MAX	64
/* Output bytes of the host and of the ident at most. */
#define JOURNAL_HOST_MAX	256
#define JOURNAL_IDENT_MAX	128

struct jreader {
	sd_journal	*sj;
	int		 fd;
	char		*matches;	/* the words joined by one space */
	char		 name[JOURNAL_NAME_MAX];
	void		**owners;
	size_t		 nowners;
	int		 current;	/* on an entry not delivered yet */
	int		 pending;	/* stopped at JOURNAL_READ_MAX */
	int		 failing;	/* a failure was logged */
};

struct journal {
	char			*dir;	/* NULL: the system journal */
	struct journal_cb	 cb;
	int			 epfd;
	struct jreader		**rd;
	size_t			 nrd;
	char			*line;	/* EVENT_LINE_MAX bytes */
	struct journal_stats	 st;
};

/* Match sets. */

/* A field name as sd_journal takes it: [A-Z0-9_], no leading digit. */
static int
match_valid(const char *w)
{
	const char	*eq, *p;

	if ((eq = strchr(w, '=')) == NULL || eq == w ||
	    eq - w > JOURNAL_FIELD_MAX || (w[0] >= '0' && w[0] <= '9'))
		return 0;
	for (p = w; p < eq; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return 0;
	return 1;
}

static int
matches_check(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], "+") == 0) {
			if (i == 0 || i + 1 == n || strcmp(v[i + 1], "+") == 0)
				return -1;
		} else if (!match_valid(v[i]))
			return -1;
	}
	return 0;
}

/* The words joined by one space; NULL when out of memory. */
static char *
matches_join(char **v, size_t n)
{
	size_t	 i, len = 1, o = 0;
	char	*s;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i > 0)
			s[o++] = ' ';
		memcpy(s + o, v[i], strlen(v[i]));
		o += strlen(v[i]);
	}
	s[o] = '\0';
	return s;
}

static void
name_of(const char *joined, char *buf, size_t len)
{
	if (strlen("journal:") + strlen(joined) < len)
		snprintf(buf, len, "journal:%s", joined);
	else
		snprintf(buf, len, "journal:#%016" PRIx64,
		    util_hash(joined, strlen(joined)));
}

int
journal_name(const char *matches, char *buf, size_t len)
{
	char	**v, *joined;
	size_t	 n;

	if (len < JOURNAL_NAME_MAX)
		return -1;
	if ((v = util_split(matches != NULL ? matches : "", &n)) == NULL)
		return -1;
	joined = matches_join(v, n);
	util_freev(v);
	if (joined == NULL)
		return -1;
	name_of(joined, buf, len);
	free(joined);
	return 0;
}

/* Formatting. */

/* The value of field in the current entry, without "FIELD=". */
static int
entry_field(sd_journal *sj, const char *field, const char **v, size_t *len)
{
	const void	*d;
	size_t		 n, fl = strlen(field);

	if (sd_journal_get_data(sj, field, &d, &n) < 0 || n < fl + 1)
		return -1;
	*v = (const char *)d + fl + 1;
	*len = n - fl - 1;
	return 0;
}

/*
 * Appends src to buf at o, control bytes as \xHH and, for a word (host,
 * ident), also space, ':', '[' and ']'; stops before max. Returns the new
 * offset; *cut is set when src did not fit.
 */
static size_t
put_escaped(char *buf, size_t o, size_t max, const char *src, size_t len,
    int word, int *cut)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)src[i];

		if (c >= 0x20 && c != 0x7f && !(word && (c == ' ' ||
		    c == ':' || c == '[' || c == ']'))) {
			if (o + 1 > max)
				break;
			buf[o++] = (char)c;
			continue;
		}
		if (o + 4 > max)
			break;
		buf[o++] = '\\';
		buf[o++] = 'x';
		buf[o++] = hex[c >> 4];
		buf[o++] = hex[c & 15];
	}
	if (i < len)
		*cut = 1;
	return o;
}

/* Writes the entry's time; returns the bytes written (under 40). */
static size_t
format_time(sd_journal *sj, char *buf, size_t size)
{
	const char	*v;
	size_t		 vlen;
	long long	 t;
	uint64_t	 usec = 0;
	time_t		 secs;
	struct tm	 tm;
	int		 n;

	if (entry_field(sj, "_SOURCE_REALTIME_TIMESTAMP", &v, &vlen) == 0 &&
	    util_parse_intn(v, vlen, 1, 253402300799999999LL, &t) == 0)
		usec = (uint64_t)t;
	else if (sd_journal_get_realtime_usec(sj, &usec) < 0 ||
	    usec > 253402300799999999ULL)
		usec = 0;
	secs = (time_t)(usec / 1000000);
	if (gmtime_r(&secs, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+00:00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (unsigned)(usec % 1000000));
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Host, ident and "[PID]" after the time; returns the new offset. */
static size_t
format_tag(sd_journal *sj, char *buf, size_t o, int *cut)
{
	const char	*v;
	size_t		 vlen;
	long long	 pid;
	int		 n;

	if (entry_field(sj, "_HOSTNAME", &v, &vlen) == -1 || vlen == 0) {
		v = "localhost";
		vlen = strlen(v);
	}
	buf[o++] = ' ';
	o = put_escaped(buf, o, o + JOURNAL_HOST_MAX, v, vlen, 1, cut);
	if ((entry_field(sj, "SYSLOG_IDENTIFIER", &v, &vlen) == -1 ||
	    vlen == 0) &&
	    (entry_field(sj, "_COMM", &v, &vlen) == -1 || vlen == 0)) {
		v = "unknown";
		vlen = strlen(v);
	}
	buf[o++] = ' ';
	o = put_escaped(buf, o, o + JOURNAL_IDENT_MAX, v, vlen, 1, cut);
	if (entry_field(sj, "_PID", &v, &vlen) == 0 &&
	    util_parse_intn(v, vlen, 1, INT_MAX, &pid) == 0) {
		n = snprintf(buf + o, 16, "[%lld]", pid);
		o += n > 0 && n < 16 ? (size_t)n : 0;
	}
	buf[o++] = ':';
	buf[o++] = ' ';
	return o;
}

/*
 * Formats the current entry into buf (EVENT_LINE_MAX bytes); returns
 * its length, or 0 for an entry without MESSAGE. Every field is copied
 * before the next is asked for: sd_journal_get_data reuses its buffer.
 */
static size_t
entry_format(struct journal *j, sd_journal *sj, char *buf)
{
	const char	*msg;
	size_t		 o, msglen;
	int		 cut = 0;

	o = format_time(sj, buf, EVENT_LINE_MAX);
	o = format_tag(sj, buf, o, &cut);
	if (entry_field(sj, "MESSAGE", &msg, &msglen) == -1)
		return 0;
	o = put_escaped(buf, o, EVENT_LINE_MAX, msg, msglen, 0, &cut);
	if (cut)
		j->st.cut++;
	return o;
}

/* Readers. */

static void
reader_fail(struct journal *j, struct jreader *r, const char *what, int rc)
{
	if (r->failing)
		return;
	r->failing = 1;
	j->st.errors++;
	log_warnx("journal: %s: %s: %s", r->name, what, strerror(-rc));
}

static void
reader_free(struct jreader *r)
{
	if (r == NULL)
		return;
	if (r->sj != NULL)
		sd_journal_close(r->sj);
	free(r->owners);
	free(r->matches);
	free(r);
}

static int
reader_owner_add(struct jreader *r, void *owner)
{
	void	**nv;
	size_t	 i;

	for (i = 0; i < r->nowners; i++)
		if (r->owners[i] == owner)
			return 0;
	if ((nv = reallocarray(r->owners, r->nowners + 1,
	    sizeof(*nv))) == NULL)
		return -1;
	r->owners = nv;
	r->owners[r->nowners++] = owner;
	return 0;
}

static int
reader_matches(struct jreader *r, char **v, size_t n)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], "+") == 0)
			rc = sd_journal_add_disjunction(r->sj);
		else
			rc = sd_journal_add_match(r->sj, v[i], 0);
		if (rc < 0) {
			log_warnx("journal: %s: match %s: %s", r->name, v[i],
			    strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Right after the stored entry; -1 when sd_journal refuses cursor. */
static int
reader_seek_cursor(struct jreader *r, const char *cursor)
{
	int	 rc;

	if ((rc = sd_journal_seek_cursor(r->sj, cursor)) < 0) {
		log_warnx("journal: %s: stored cursor refused (%s), "
		    "starting at the tail", r->name, strerror(-rc));
		return -1;
	}
	/* Nothing at or after it: what comes later is new. */
	if ((rc = sd_journal_next(r->sj)) <= 0)
		return 0;
	/* Not the stored entry (that one is gone): this one is new. */
	if (sd_journal_test_cursor(r->sj, cursor) <= 0) {
		log_info("journal: %s: stored entry gone, resuming at the "
		    "next one", r->name);
		r->current = 1;
	}
	return 0;
}

static int
reader_seek(struct journal *j, struct jreader *r, int head)
{
	char	 cursor[JOURNAL_CURSOR_MAX];
	int	 rc;

	if (j->cb.cursor_get != NULL &&
	    j->cb.cursor_get(j->cb.arg, r->name, cursor, sizeof(cursor)) == 1) {
		cursor[sizeof(cursor) - 1] = '\0';
		if (reader_seek_cursor(r, cursor) == 0)
			return 0;
		/* We ran before: the head would deliver old entries again. */
		head = 0;
	}
	if (head)
		return sd_journal_seek_head(r->sj);
	/*
	 * Stand on the last matching entry: from the tail itself,
	 * sd_journal_next would return that last entry first. With none
	 * yet, every entry to come is new.
	 */
	if ((rc = sd_journal_seek_tail(r->sj)) < 0)
		return rc;
	if ((rc = sd_journal_previous(r->sj)) < 0)
		return rc;
	return rc == 0 ? sd_journal_seek_head(r->sj) : 0;
}

/* Opens, filters and positions a reader; returns 0 or a -errno. */
static int
reader_open(struct journal *j, struct jreader *r, char **v, size_t n,
    int head)
{
	struct epoll_event	 ev;
	const char		*what;
	int			 rc;

	what = "open";
	if (j->dir != NULL)
		rc = sd_journal_open_directory(&r->sj, j->dir, 0);
	else
		rc = sd_journal_open(&r->sj,
		    SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
	if (rc < 0)
		goto fail;
	if ((rc = reader_matches(r, v, n)) < 0)
		return rc;
	(void)sd_journal_set_data_threshold(r->sj, EVENT_LINE_MAX + 64);
	/* Before the seek, so that no change after it is missed. */
	what = "fd";
	if ((rc = r->fd = sd_journal_get_fd(r->sj)) < 0)
		goto fail;
	what = "seek";
	if ((rc = reader_seek(j, r, head)) < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = r;
	what = "epoll";
	if (epoll_ctl(j->epfd, EPOLL_CTL_ADD, r->fd, &ev) == -1) {
		rc = -errno;
		goto fail;
	}
	return 0;
fail:
	log_warnx("journal: %s: %s: %s: %s", j->dir != NULL ? j->dir :
	    "system journal", r->name, what, strerror(-rc));
	return rc;
}

static struct jreader *
reader_find(const struct journal *j, const char *joined)
{
	size_t	 i;

	for (i = 0; i < j->nrd; i++)
		if (strcmp(j->rd[i]->matches, joined) == 0)
			return j->rd[i];
	return NULL;
}

/* Delivers the current entry; returns 1, or 0 when it has no MESSAGE. */
static int
reader_deliver(struct journal *j, struct jreader *r)
{
	size_t	 len, i;

	if ((len = entry_format(j, r->sj, j->line)) == 0) {
		j->st.skipped++;
		return 0;
	}
	for (i = 0; i < r->nowners; i++)
		j->cb.line(j->cb.arg, r->owners[i], r->name, j->line, len);
	return 1;
}

static void
reader_save(struct journal *j, struct jreader *r)
{
	char	*cursor;
	int	 rc;

	if (j->cb.cursor_put == NULL)
		return;
	if ((rc = sd_journal_get_cursor(r->sj, &cursor)) < 0) {
		reader_fail(j, r, "cursor", rc);
		return;
	}
	j->cb.cursor_put(j->cb.arg, r->name, cursor);
	free(cursor);
}

/* Reads up to JOURNAL_READ_MAX entries; returns those delivered or -1. */
static int
reader_read(struct journal *j, struct jreader *r)
{
	int	 n = 0, delivered = 0, rc = 0;

	r->pending = 0;
	for (;;) {
		if (n >= JOURNAL_READ_MAX) {
			r->pending = 1;
			break;
		}
		if (r->current) {
			r->current = 0;
			rc = 1;
		} else if ((rc = sd_journal_next(r->sj)) <= 0)
			break;
		n++;
		j->st.entries++;
		delivered += reader_deliver(j, r);
	}
	if (n > 0)
		reader_save(j, r);
	if (rc < 0) {
		reader_fail(j, r, "next", rc);
		return n > 0 ? delivered : -1;
	}
	r->failing = 0;
	return delivered;
}

/* The interface. */

struct journal *
journal_open(const char *dir, const struct journal_cb *cb)
{
	struct journal	*j;

	if (cb == NULL || cb->line == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->cb = *cb;
	j->epfd = -1;
	if (dir != NULL && *dir != '\0' && (j->dir = strdup(dir)) == NULL)
		goto fail;
	if ((j->line = malloc(EVENT_LINE_MAX)) == NULL)
		goto fail;
	if ((j->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto fail;
	return j;
fail:
	journal_close(j);
	return NULL;
}

void
journal_close(struct journal *j)
{
	size_t	 i;
	int	 saved = errno;

	if (j == NULL)
		return;
	for (i = 0; i < j->nrd; i++)
		reader_free(j->rd[i]);
	free(j->rd);
	if (j->epfd != -1)
		close(j->epfd);
	free(j->line);
	free(j->dir);
	free(j);
	errno = saved;
}

/* A new reader for the words v, pushed onto j->rd; 0 or a -errno. */
static int
journal_reader_new(struct journal *j, char **v, size_t n, char *joined,
    int head, void *owner)
{
	struct jreader	**nv, *r;
	int		 rc = -ENOMEM;

	if ((nv = reallocarray(j->rd, j->nrd + 1, sizeof(*nv))) == NULL)
		return -ENOMEM;
	j->rd = nv;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	r->fd = -1;
	r->matches = joined;
	name_of(joined, r->name, sizeof(r->name));
	if (reader_owner_add(r, owner) == -1 ||
	    (rc = reader_open(j, r, v, n, head)) < 0) {
		r->matches = NULL;
		reader_free(r);
		return rc;
	}
	j->rd[j->nrd++] = r;
	j->st.readers++;
	return 0;
}

int
journal_add(struct journal *j, const char *matches, int head, void *owner)
{
	struct jreader	*r;
	char		**v, *joined = NULL;
	size_t		 n;
	int		 rc = -ENOMEM;

	if ((v = util_split(matches != NULL ? matches : "", &n)) == NULL)
		return -1;
	if (matches_check(v, n) == -1) {
		log_warnx("journal: bad journalmatch \"%s\": want FIELD=VALUE "
		    "words and +", matches);
		rc = -EINVAL;
		goto out;
	}
	if ((joined = matches_join(v, n)) == NULL)
		goto out;
	if ((r = reader_find(j, joined)) != NULL) {
		rc = reader_owner_add(r, owner) == 0 ? 0 : -ENOMEM;
		goto out;
	}
	if ((rc = journal_reader_new(j, v, n, joined, head, owner)) == 0)
		joined = NULL;
out:
	free(joined);
	util_freev(v);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

int
journal_fd(const struct journal *j)
{
	return j->epfd;
}

int
journal_timeout(const struct journal *j)
{
	struct timespec	 ts;
	uint64_t	 t, now;
	size_t		 i;
	int		 best = -1, ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	for (i = 0; i < j->nrd; i++) {
		if (j->rd[i]->pending)
			return 0;
		if (sd_journal_get_timeout(j->rd[i]->sj, &t) <= 0 ||
		    t == UINT64_MAX)
			continue;
		if (t <= now)
			ms = 0;
		else if ((t - now + 999) / 1000 > INT_MAX)
			ms = INT_MAX;
		else
			ms = (int)((t - now + 999) / 1000);
		if (best == -1 || ms < best)
			best = ms;
	}
	return best;
}

int
journal_process(struct journal *j)
{
	struct jreader	*r;
	size_t		 i;
	int		 rc, total = 0, ok = 0;

	for (i = 0; i < j->nrd; i++) {
		r = j->rd[i];
		if ((rc = sd_journal_process(r->sj)) < 0)
			reader_fail(j, r, "process", rc);
		else if (rc == SD_JOURNAL_INVALIDATE)
			j->st.invalidations++;
		if ((rc = reader_read(j, r)) >= 0) {
			ok = 1;
			total += rc;
		}
	}
	return ok || j->nrd == 0 ? total : -1;
}

int
journal_pending(const struct journal *j)
{
	size_t	 i;

	for (i = 0; i < j->nrd; i++)
		if (j->rd[i]->pending)
			return 1;
	return 0;
}

void
journal_stats(const struct journal *j, struct journal_stats *st)
{
	*st = j->st;
}
