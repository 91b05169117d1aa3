/*
 * The journal module against real journal files: the test turns export
 * files (data/logsamples/sshd-journal-export.txt, data/journal/) into
 * journal files with systemd-journal-remote in a mkdtemp directory,
 * points journal_open at it, and compares what arrives with what the
 * export files say (parsed here). The lines then go through the sshd
 * filter of filters.d/sshd.conf. Skipped when systemd-journal-remote
 * is not installed (Debian: apt-get install systemd-journal-remote).
 *
 * Journal files are written in a staging directory and renamed into the
 * watched one, so that the reader never sees one half written. Waits
 * on journal_fd() are bounded (WAIT_MS) only so that a broken test ends.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <iniparser.h>
#include <systemd/sd-journal.h>

#include "addr.h"
#include "event.h"
#include "journal.h"
#include "rx.h"
#include "util.h"

#define SAMPLE		"data/logsamples/sshd-journal-export.txt"
#define EXTRA		"data/journal/extra-export.txt"
#define SSHD_CONF	"../filters.d/sshd.conf"
#define SSHD_MATCH	"SYSLOG_IDENTIFIER=sshd SYSLOG_IDENTIFIER=sshd-session"
#define WAIT_MS		10000
#define MAX_ENT		64
#define MAX_RX		64

/* One entry of an export file, as the test reads it. */
struct xent {
	int64_t		 rt_us;		/* __REALTIME_TIMESTAMP */
	int64_t		 src_us;	/* _SOURCE_REALTIME_TIMESTAMP or 0 */
	char		 host[64];
	char		 ident[64];	/* SYSLOG_IDENTIFIER */
	char		 comm[64];
	char		 pid[16];
	char		 uid[16];
	char		*msg;
	size_t		 msglen;
};

struct xfile {
	struct xent	 e[MAX_ENT];
	size_t		 n;
};

struct rec {
	char	*line;
	size_t	 len;
	void	*owner;
};

struct ctx {
	struct rec	 v[4 * MAX_ENT];
	size_t		 n;
	char		 name[JOURNAL_NAME_MAX];
	char		 cursor[512];	/* the stored one, "" for none */
	unsigned	 puts;
	char		 top[64];
	char		 dir[128];	/* the journal directory */
	char		 stage[128];
	struct xfile	 sample, extra;
};

static const char	*remote;
static int		 owner_a, owner_b;

/* Export files. */

static void
xent_set(char *dst, size_t size, const char *v, size_t len)
{
	assert_true(len < size);
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static int64_t
xnum(const char *v, size_t len)
{
	long long	 t;

	assert_int_equal(util_parse_intn(v, len, 0, INT64_MAX, &t), 0);
	return t;
}

static void
xent_field(struct xent *e, const char *k, size_t klen, const char *v,
    size_t len)
{
#define IS(name) (klen == strlen(name) && memcmp(k, name, klen) == 0)
	if (IS("__REALTIME_TIMESTAMP"))
		e->rt_us = xnum(v, len);
	else if (IS("_SOURCE_REALTIME_TIMESTAMP"))
		e->src_us = xnum(v, len);
	else if (IS("_HOSTNAME"))
		xent_set(e->host, sizeof(e->host), v, len);
	else if (IS("SYSLOG_IDENTIFIER"))
		xent_set(e->ident, sizeof(e->ident), v, len);
	else if (IS("_COMM"))
		xent_set(e->comm, sizeof(e->comm), v, len);
	else if (IS("_PID"))
		xent_set(e->pid, sizeof(e->pid), v, len);
	else if (IS("_UID"))
		xent_set(e->uid, sizeof(e->uid), v, len);
	else if (IS("MESSAGE")) {
		e->msg = malloc(len + 1);
		assert_non_null(e->msg);
		memcpy(e->msg, v, len);
		e->msg[len] = '\0';
		e->msglen = len;
	}
#undef IS
}

/* Parses export format: FIELD=VALUE lines or FIELD, le64 size, data. */
static void
xfile_load(struct xfile *x, const char *path)
{
	static char	 buf[1 << 20];
	const char	*p, *end, *nl, *eq;
	uint64_t	 len;
	size_t		 n;
	int		 k;
	FILE		*f;

	memset(x, 0, sizeof(*x));
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (p = buf, end = buf + n; p < end; p = nl + 1) {
		assert_non_null(nl = memchr(p, '\n', (size_t)(end - p)));
		if (nl == p) {
			x->n++;
			continue;
		}
		assert_true(x->n < MAX_ENT);
		if ((eq = memchr(p, '=', (size_t)(nl - p))) != NULL) {
			xent_field(&x->e[x->n], p, (size_t)(eq - p), eq + 1,
			    (size_t)(nl - eq - 1));
			continue;
		}
		assert_true(end - nl > 9);
		for (len = 0, k = 8; k > 0; k--)	/* little-endian */
			len = len << 8 | (unsigned char)nl[k];
		assert_true(len < (uint64_t)(end - nl - 9));
		xent_field(&x->e[x->n], p, (size_t)(nl - p), nl + 9, len);
		nl += 9 + len;
		assert_true(*nl == '\n');
	}
}

static void
xfile_free(struct xfile *x)
{
	size_t	 i;

	for (i = 0; i < x->n; i++)
		free(x->e[i].msg);
	memset(x, 0, sizeof(*x));
}

/*
 * The line the module should make of e, built another way than it
 * does: strftime, and an escape table of the control bytes.
 */
static char *
xent_line(const struct xent *e, size_t *lenp)
{
	char		 ts[64], *line, *o;
	int64_t		 us = e->src_us != 0 ? e->src_us : e->rt_us;
	time_t		 secs = (time_t)(us / 1000000);
	struct tm	 tm;
	size_t		 i;
	int		 n;

	assert_non_null(gmtime_r(&secs, &tm));
	assert_true(strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) > 0);
	assert_non_null(line = malloc(256 + 4 * e->msglen));
	n = snprintf(line, 256, "%s.%06d+00:00 %s %s[%s]: ", ts,
	    (int)(us % 1000000), e->host, e->ident[0] ? e->ident : e->comm,
	    e->pid);
	assert_true(n > 0 && n < 256);
	o = line + n;
	for (i = 0; i < e->msglen; i++) {
		unsigned char	 c = (unsigned char)e->msg[i];

		if (c < 0x20 || c == 0x7f)
			o += snprintf(o, 5, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	*lenp = (size_t)(o - line);
	return line;
}

/* Asserts that rec holds the line of e. */
static void
check_line(const struct rec *r, const struct xent *e)
{
	char	*want;
	size_t	 len;

	want = xent_line(e, &len);
	if (r->len != len || memcmp(r->line, want, len) != 0)
		fail_msg("got  %.*s\nwant %s", (int)r->len, r->line, want);
	free(want);
}

/* Callbacks. */

static void
cb_line(void *arg, void *owner, const char *name, const char *line,
    size_t len)
{
	struct ctx	*c = arg;
	char		 want[JOURNAL_NAME_MAX];

	assert_true(c->n < UTIL_NELEM(c->v));
	assert_true(len <= EVENT_LINE_MAX);
	assert_null(memchr(line, '\n', len));
	assert_int_equal(strncmp(name, "journal:", 8), 0);
	assert_int_equal(journal_name(name + 8, want, sizeof(want)), 0);
	if (name[8] != '#')
		assert_string_equal(name, want);
	assert_non_null(c->v[c->n].line = malloc(len + 1));
	memcpy(c->v[c->n].line, line, len);
	c->v[c->n].line[len] = '\0';
	c->v[c->n].len = len;
	c->v[c->n].owner = owner;
	c->n++;
}

static int
cb_cursor_get(void *arg, const char *name, char *buf, size_t len)
{
	struct ctx	*c = arg;

	if (c->cursor[0] == '\0' || strcmp(name, c->name) != 0)
		return 0;
	util_strlcpy(buf, c->cursor, len);
	return 1;
}

static void
cb_cursor_put(void *arg, const char *name, const char *cursor)
{
	struct ctx	*c = arg;

	util_strlcpy(c->name, name, sizeof(c->name));
	assert_true(util_strlcpy(c->cursor, cursor, sizeof(c->cursor)) <
	    sizeof(c->cursor));
	c->puts++;
}

static void
ctx_clear(struct ctx *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].line);
	c->n = 0;
}

static struct journal *
jopen(struct ctx *c)
{
	struct journal_cb	 cb = {
		.line = cb_line,
		.cursor_get = cb_cursor_get,
		.cursor_put = cb_cursor_put,
		.arg = c,
	};
	struct journal		*j;

	assert_non_null(j = journal_open(c->dir, &cb));
	return j;
}

/* Files. */

static void
rm_dir(const char *path)
{
	char		 p[PATH_MAX];
	struct dirent	*de;
	DIR		*d;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(path);
}

/* systemd-journal-remote -o STAGE/NAME.journal - < export, renamed in. */
static void
jwrite(struct ctx *c, const char *export, const char *name)
{
	char	 out[PATH_MAX], dst[PATH_MAX];
	pid_t	 pid;
	int	 st, fd;

	snprintf(out, sizeof(out), "%s/%s.journal", c->stage, name);
	snprintf(dst, sizeof(dst), "%s/%s.journal", c->dir, name);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		if ((fd = open(export, O_RDONLY)) == -1 ||
		    dup2(fd, 0) == -1 || (fd = open("/dev/null", O_WRONLY)) ==
		    -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(126);
		execl(remote, remote, "-o", out, "-", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(rename(out, dst), 0);
}

/* Writes export text to a file in the stage directory; returns it. */
static const char *
jexport(struct ctx *c, const char *text, size_t len)
{
	static char	 path[PATH_MAX];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/input.export", c->stage);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/*
 * Waits for the descriptor and processes until c holds want lines, then
 * once more to see that nothing else comes; returns what was delivered.
 */
static int
jwait(struct journal *j, struct ctx *c, size_t want)
{
	struct pollfd	 pfd = { .fd = journal_fd(j), .events = POLLIN };
	int		 n, total = 0;

	while (c->n < want) {
		assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
		assert_true((n = journal_process(j)) >= 0);
		total += n;
	}
	assert_int_equal(journal_process(j), 0);
	return total;
}

static int
setup(void **state)
{
	struct ctx	*c;

	if (remote == NULL)
		return 0;
	assert_non_null(c = calloc(1, sizeof(*c)));
	util_strlcpy(c->top, "/tmp/test_journal.XXXXXX", sizeof(c->top));
	assert_non_null(mkdtemp(c->top));
	snprintf(c->dir, sizeof(c->dir), "%s/journal", c->top);
	snprintf(c->stage, sizeof(c->stage), "%s/stage", c->top);
	assert_int_equal(mkdir(c->dir, 0700), 0);
	assert_int_equal(mkdir(c->stage, 0700), 0);
	xfile_load(&c->sample, SAMPLE);
	xfile_load(&c->extra, EXTRA);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx	*c = *state;

	if (c == NULL)
		return 0;
	ctx_clear(c);
	xfile_free(&c->sample);
	xfile_free(&c->extra);
	rm_dir(c->dir);
	rm_dir(c->stage);
	rmdir(c->top);
	free(c);
	return 0;
}

#define NEED_REMOTE() do {						\
	if (remote == NULL) {						\
		print_message("systemd-journal-remote not installed\n"); \
		skip();							\
	}								\
} while (0)

/* The indexes of the entries of x that SSHD_MATCH (plus _UID=0) takes. */
static size_t
sshd_entries(const struct xfile *x, int uid0, size_t *idx)
{
	size_t	 i, n = 0;

	for (i = 0; i < x->n; i++)
		if ((strcmp(x->e[i].ident, "sshd") == 0 ||
		    strcmp(x->e[i].ident, "sshd-session") == 0) &&
		    (!uid0 || strcmp(x->e[i].uid, "0") == 0))
			idx[n++] = i;
	return n;
}

/* Tests. */

/* Every sshd entry of the sample, once, in order, from the head. */
static void
test_sample_head(void **state)
{
	struct ctx		*c = *state;
	struct journal		*j;
	struct journal_stats	 st;
	size_t			 i;

	NEED_REMOTE();
	assert_int_equal(c->sample.n, 12);
	jwrite(c, SAMPLE, "sample");
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 1, &owner_a), 0);
	assert_int_equal(journal_process(j), 12);
	assert_int_equal(c->n, 12);
	for (i = 0; i < 12; i++) {
		check_line(&c->v[i], &c->sample.e[i]);
		assert_ptr_equal(c->v[i].owner, &owner_a);
	}
	/* Written out, from the export file by hand. */
	assert_string_equal(c->v[0].line, "2026-12-03T13:38:22.776379+00:00 "
	    "vm sshd[30738]: Invalid user admin from 127.0.0.1 port 58906");
	assert_string_equal(c->v[11].line, "2026-12-03T13:38:23.174188+00:00 "
	    "vm sshd[30747]: Connection closed by invalid user x\\\\033[31m "
	    "127.0.0.1 port 58908 [preauth]");
	assert_int_equal(c->puts, 1);
	assert_string_equal(c->name, "journal:" SSHD_MATCH);
	assert_int_equal(journal_process(j), 0);
	assert_int_equal(c->n, 12);
	journal_stats(j, &st);
	assert_int_equal(st.readers, 1);
	assert_int_equal(st.entries, 12);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.cut, 0);
	journal_close(j);
}

/* Matches: OR within a field, AND across, "+" between groups. */
static size_t
count_matches(struct ctx *c, const char *matches)
{
	struct journal	*j;
	int		 n;

	ctx_clear(c);
	j = jopen(c);
	assert_int_equal(journal_add(j, matches, 1, &owner_a), 0);
	n = journal_process(j);
	assert_int_equal(n, c->n);
	journal_close(j);
	return n;
}

static void
test_matches(void **state)
{
	struct ctx	*c = *state;
	size_t		 idx[MAX_ENT], n, i;

	NEED_REMOTE();
	jwrite(c, SAMPLE, "sample");
	jwrite(c, EXTRA, "extra");

	/* The forged entry of uid 1000 comes through on idents alone. */
	assert_int_equal(count_matches(c, SSHD_MATCH), 16);
	assert_non_null(strstr(c->v[14].line, "sshd[31004]: "));

	n = sshd_entries(&c->extra, 1, idx);
	assert_int_equal(n, 3);
	assert_int_equal(count_matches(c, SSHD_MATCH " _UID=0"), 12 + n);
	for (i = 0; i < n; i++)
		check_line(&c->v[12 + i], &c->extra.e[idx[i]]);
	for (i = 0; i < c->n; i++) {
		assert_null(strstr(c->v[i].line, "CRON"));
		assert_null(strstr(c->v[i].line, "192.0.2.66"));
	}

	/* No SYSLOG_IDENTIFIER: the ident is _COMM, the time __REALTIME. */
	assert_int_equal(count_matches(c, "_COMM=sshd"), 14);
	check_line(&c->v[13], &c->extra.e[4]);
	assert_string_equal(c->v[13].line, "2026-12-03T13:40:04.000500+00:00 "
	    "vm sshd[31005]: Invalid user guest from 2001:db8::5 port 50505");

	assert_int_equal(count_matches(c, "SYSLOG_IDENTIFIER=CRON + "
	    "_PID=31005"), 2);
	check_line(&c->v[0], &c->extra.e[2]);
	check_line(&c->v[1], &c->extra.e[4]);
	assert_int_equal(count_matches(c, "SYSLOG_IDENTIFIER=nobody"), 0);
	assert_int_equal(count_matches(c, ""), 18);
}

static void
test_bad_matches(void **state)
{
	struct ctx		*c = *state;
	struct journal		*j;
	static const char	*bad[] = {
		"sshd", "syslog_identifier=sshd", "=sshd", "9X=1", "+ A=1",
		"A=1 +", "A=1 + + B=2", "SYSLOG-IDENTIFIER=sshd",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAA=1",
	};
	size_t			 i;

	NEED_REMOTE();
	j = jopen(c);
	for (i = 0; i < UTIL_NELEM(bad); i++) {
		errno = 0;
		assert_int_equal(journal_add(j, bad[i], 1, &owner_a), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(journal_process(j), 0);
	journal_close(j);
}

/* The binary MESSAGE of the extra file, escaped. */
static void
test_binary(void **state)
{
	struct ctx	*c = *state;

	NEED_REMOTE();
	assert_int_equal(c->extra.e[1].msglen, 54);
	assert_non_null(memchr(c->extra.e[1].msg, '\0', 54));
	jwrite(c, EXTRA, "extra");
	assert_int_equal(count_matches(c, "_PID=31002"), 1);
	assert_string_equal(c->v[0].line, "2026-12-03T13:40:01.000123+00:00 "
	    "vm sshd[31002]: Invalid user a\\x1b[2J\\x00\\x0ab\\x7f\xc3\xa9 "
	    "from 198.51.100.23 port 51000");
	check_line(&c->v[0], &c->extra.e[1]);
}

/* Stored after N entries, reopened: only what was appended arrives. */
static void
test_cursor_roundtrip(void **state)
{
	struct ctx	*c = *state;
	struct journal	*j;
	size_t		 idx[MAX_ENT], n, i;
	char		 first[512];

	NEED_REMOTE();
	jwrite(c, SAMPLE, "sample");
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 1, &owner_a), 0);
	assert_int_equal(journal_process(j), 12);
	journal_close(j);
	assert_int_equal(c->puts, 1);
	util_strlcpy(first, c->cursor, sizeof(first));

	/* head is ignored when a cursor is stored. */
	ctx_clear(c);
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 1, &owner_a), 0);
	assert_int_equal(journal_process(j), 0);
	assert_int_equal(c->puts, 1);
	jwrite(c, EXTRA, "extra");
	n = sshd_entries(&c->extra, 0, idx);
	assert_int_equal(n, 4);
	assert_int_equal(jwait(j, c, n), (int)n);
	for (i = 0; i < n; i++)
		check_line(&c->v[i], &c->extra.e[idx[i]]);
	assert_int_equal(c->puts, 2);
	assert_string_not_equal(c->cursor, first);
	journal_close(j);

	/* And once more: nothing new. */
	ctx_clear(c);
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 0, &owner_a), 0);
	assert_int_equal(journal_process(j), 0);
	journal_close(j);
}

/* The cursor of the fifth sshd entry, read with sd_journal here. */
static void
nth_cursor(struct ctx *c, int nth, char *buf, size_t len)
{
	sd_journal	*sj;
	char		*cur;
	int		 i;

	assert_int_equal(sd_journal_open_directory(&sj, c->dir, 0), 0);
	assert_int_equal(sd_journal_add_match(sj, "SYSLOG_IDENTIFIER=sshd",
	    0), 0);
	for (i = 0; i < nth; i++)
		assert_int_equal(sd_journal_next(sj), 1);
	assert_int_equal(sd_journal_get_cursor(sj, &cur), 0);
	util_strlcpy(buf, cur, len);
	free(cur);
	sd_journal_close(sj);
}

static void
test_cursor_middle(void **state)
{
	struct ctx	*c = *state;
	struct journal	*j;
	size_t		 i;

	NEED_REMOTE();
	jwrite(c, SAMPLE, "sample");
	nth_cursor(c, 5, c->cursor, sizeof(c->cursor));
	assert_int_equal(journal_name("  SYSLOG_IDENTIFIER=sshd\t", c->name,
	    sizeof(c->name)), 0);
	j = jopen(c);
	assert_int_equal(journal_add(j, "SYSLOG_IDENTIFIER=sshd", 0,
	    &owner_a), 0);
	assert_int_equal(journal_process(j), 7);
	for (i = 0; i < 7; i++)
		check_line(&c->v[i], &c->sample.e[5 + i]);
	journal_close(j);

	/* A cursor sd_journal cannot read: the tail, as without one. */
	ctx_clear(c);
	util_strlcpy(c->cursor, "s=nonsense;i=zz", sizeof(c->cursor));
	j = jopen(c);
	assert_int_equal(journal_add(j, "SYSLOG_IDENTIFIER=sshd", 1,
	    &owner_a), 0);
	assert_int_equal(journal_process(j), 0);
	jwrite(c, EXTRA, "extra");
	assert_int_equal(jwait(j, c, 2), 2);
	check_line(&c->v[0], &c->extra.e[1]);
	check_line(&c->v[1], &c->extra.e[3]);
	journal_close(j);
}

/* Without a cursor or head: only entries written after the start. */
static void
test_tail(void **state)
{
	struct ctx		*c = *state;
	struct journal		*j;
	struct journal_stats	 st;
	size_t			 idx[MAX_ENT], n, i;

	NEED_REMOTE();
	jwrite(c, SAMPLE, "sample");
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 0, &owner_a), 0);
	assert_int_equal(journal_process(j), 0);
	assert_int_equal(c->puts, 0);
	jwrite(c, EXTRA, "extra");
	n = sshd_entries(&c->extra, 0, idx);
	assert_int_equal(jwait(j, c, n), (int)n);
	for (i = 0; i < n; i++)
		check_line(&c->v[i], &c->extra.e[idx[i]]);
	journal_stats(j, &st);
	assert_true(st.invalidations >= 1);
	assert_int_equal(journal_process(j), 0);
	journal_close(j);
}

/* The tail of an empty journal: the first file is read whole. */
static void
test_tail_empty(void **state)
{
	struct ctx	*c = *state;
	struct journal	*j;
	size_t		 i;

	NEED_REMOTE();
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 0, &owner_a), 0);
	assert_int_equal(journal_process(j), 0);
	jwrite(c, SAMPLE, "sample");
	assert_int_equal(jwait(j, c, 12), 12);
	for (i = 0; i < 12; i++)
		check_line(&c->v[i], &c->sample.e[i]);
	journal_close(j);
}

/* One reader for owners of the same words, one per different set. */
static void
test_owners(void **state)
{
	struct ctx		*c = *state;
	struct journal		*j;
	struct journal_stats	 st;
	size_t			 i;

	NEED_REMOTE();
	jwrite(c, SAMPLE, "sample");
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 1, &owner_a), 0);
	assert_int_equal(journal_add(j, " SYSLOG_IDENTIFIER=sshd  "
	    "SYSLOG_IDENTIFIER=sshd-session", 1, &owner_b), 0);
	assert_int_equal(journal_add(j, "_PID=30743", 1, &owner_b), 0);
	journal_stats(j, &st);
	assert_int_equal(st.readers, 2);
	assert_int_equal(journal_process(j), 12 + 4);
	assert_int_equal(c->n, 2 * 12 + 4);
	for (i = 0; i < 12; i++) {
		assert_ptr_equal(c->v[2 * i].owner, &owner_a);
		assert_ptr_equal(c->v[2 * i + 1].owner, &owner_b);
		check_line(&c->v[2 * i], &c->sample.e[i]);
		check_line(&c->v[2 * i + 1], &c->sample.e[i]);
	}
	for (i = 0; i < 4; i++) {
		assert_ptr_equal(c->v[24 + i].owner, &owner_b);
		check_line(&c->v[24 + i], &c->sample.e[4 + i]);
	}
	journal_close(j);
}

static void
test_name(void **state)
{
	char	 buf[JOURNAL_NAME_MAX], small[JOURNAL_NAME_MAX - 1];
	char	 other[JOURNAL_NAME_MAX];

	(void)state;
	assert_int_equal(journal_name("A=1\t B=2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "journal:A=1 B=2");
	assert_int_equal(journal_name("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "journal:");
	assert_int_equal(journal_name(SSHD_MATCH " SYSLOG_IDENTIFIER=sshd-auth",
	    buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), strlen("journal:#") + 16);
	assert_int_equal(strncmp(buf, "journal:#", 9), 0);
	assert_int_equal(journal_name(SSHD_MATCH " SYSLOG_IDENTIFIER=sshd-aut",
	    other, sizeof(other)), 0);
	assert_string_not_equal(buf, other);
	assert_int_equal(journal_name("A=1", small, sizeof(small)), -1);
}

/* A MESSAGE over 64 KiB: cut, never inside an escape. */
static void
test_long_message(void **state)
{
	static const char	 head[] =
	    "__REALTIME_TIMESTAMP=1796305300000000\n"
	    "__MONOTONIC_TIMESTAMP=4300000000\n"
	    "_BOOT_ID=5249600957e5465d88e372e66fe86f1c\n"
	    "_HOSTNAME=vm\nSYSLOG_IDENTIFIER=sshd\n_PID=77\nMESSAGE\n";
	static const char	 want[] = "2026-12-03T13:41:40.000000+00:00 "
	    "vm sshd[77]: Invalid user \\x01\\x01";
	struct ctx		*c = *state;
	struct journal		*j;
	struct journal_stats	 st;
	char			*text, *m;
	uint64_t		 len = 70000;
	size_t			 hl = sizeof(head) - 1, i;

	NEED_REMOTE();
	assert_non_null(text = malloc(hl + 8 + len + 2));
	memcpy(text, head, hl);
	for (i = 0; i < 8; i++)		/* little-endian */
		text[hl + i] = (char)(len >> (8 * i));
	m = text + hl + 8;
	memcpy(m, "Invalid user ", 13);
	memset(m + 13, 1, len - 13);
	memcpy(m + len, "\n\n", 2);
	jwrite(c, jexport(c, text, hl + 8 + len + 2), "long");
	free(text);
	j = jopen(c);
	assert_int_equal(journal_add(j, "", 1, &owner_a), 0);
	assert_int_equal(journal_process(j), 1);
	assert_int_equal(strncmp(c->v[0].line, want, strlen(want)), 0);
	assert_true(c->v[0].len <= EVENT_LINE_MAX);
	assert_true(c->v[0].len > EVENT_LINE_MAX - 4);
	assert_int_equal((c->v[0].len - (strlen(want) - 8)) % 4, 0);
	for (i = strlen(want); i < c->v[0].len; i += 4)
		assert_memory_equal(c->v[0].line + i, "\\x01", 4);
	journal_stats(j, &st);
	assert_int_equal(st.cut, 1);
	journal_close(j);
}

/* The filter: a filter_conf read from filters.d/sshd.conf. */

struct tconf {
	struct filter_conf	 fc;
	struct filter_rx	 fail[MAX_RX];
	struct filter_rx	 ign[MAX_RX];
};

static void
tconf_add(struct filter_rx *v, size_t *n, const char *name, const char *pat)
{
	assert_true(*n < MAX_RX);
	assert_non_null(v[*n].name = strdup(name));
	assert_non_null(v[*n].pattern = strdup(pat));
	(*n)++;
}

static void
tconf_load(struct tconf *t)
{
	dictionary	*d;
	const char	*keys[128], *k, *v;
	int		 i, n;

	memset(t, 0, sizeof(*t));
	assert_non_null(d = iniparser_load(SSHD_CONF));
	n = iniparser_getsecnkeys(d, "sshd");
	assert_true(n > 0 && n <= 128);
	assert_non_null(iniparser_getseckeys(d, "sshd", keys));
	for (i = 0; i < n; i++) {
		k = keys[i] + strlen("sshd:");
		v = iniparser_getstring(d, keys[i], "");
		if (strncmp(k, "failregex.", 10) == 0)
			tconf_add(t->fail, &t->fc.nfailregex, k, v);
		else if (strncmp(k, "ignoreregex.", 12) == 0)
			tconf_add(t->ign, &t->fc.nignoreregex, k, v);
		else if (strcmp(k, "datepattern") == 0)
			assert_non_null(t->fc.datepattern = strdup(v));
		else if (strcmp(k, "idents") == 0)
			assert_non_null(t->fc.idents = strdup(v));
	}
	iniparser_freedict(d);
	t->fc.name = "sshd";
	t->fc.failregex = t->fail;
	t->fc.ignoreregex = t->ign;
}

static void
tconf_free(struct tconf *t)
{
	size_t	 i;

	for (i = 0; i < t->fc.nfailregex; i++) {
		free(t->fail[i].name);
		free(t->fail[i].pattern);
	}
	for (i = 0; i < t->fc.nignoreregex; i++) {
		free(t->ign[i].name);
		free(t->ign[i].pattern);
	}
	free(t->fc.datepattern);
	free(t->fc.idents);
}

/* Runs the lines through the filter; writes "ADDR MS" per failure. */
static size_t
filter_lines(const struct ctx *c, char out[][80], size_t max)
{
	struct tconf		 t;
	struct filter_err	 err;
	struct event		 ev;
	struct rx		*r;
	char			 a[ADDR_STRLEN];
	size_t			 i, n = 0;

	tconf_load(&t);
	if ((r = rx_new(&t.fc, &err)) == NULL)
		fail_msg("rx_new: %s: %s", err.key, err.msg);
	tconf_free(&t);
	for (i = 0; i < c->n; i++) {
		switch (rx_parse(r, c->v[i].line, c->v[i].len, &ev)) {
		case FILTER_OK:
			assert_true(n < max);
			snprintf(out[n++], 80, "%s %lld",
			    addr_format(&ev.addr, a, sizeof(a)),
			    (long long)ev.time_ms);
			break;
		case FILTER_SKIP:
			break;
		case FILTER_BAD:
			fail_msg("bad line: %s", c->v[i].line);
		}
	}
	rx_free(r);
	return n;
}

static void
test_sshd_filter(void **state)
{
	static const char	*want[] = {
		"127.0.0.1 1796305102776", "127.0.0.1 1796305102782",
		"127.0.0.1 1796305102788", "::1 1796305102964",
		"::1 1796305102970", "::1 1796305102976",
		"127.0.0.1 1796305103136", "127.0.0.1 1796305103138",
		"127.0.0.1 1796305103174", "203.0.113.7 1796305200000",
		"198.51.100.23 1796305201000", "203.0.113.7 1796305205000",
	};
	struct ctx		*c = *state;
	char			 got[32][80];
	size_t			 n, i;

	NEED_REMOTE();
	jwrite(c, SAMPLE, "sample");
	jwrite(c, EXTRA, "extra");
	assert_int_equal(count_matches(c, SSHD_MATCH " _UID=0"), 15);
	n = filter_lines(c, got, 32);
	for (i = 0; i < n && i < UTIL_NELEM(want); i++)
		assert_string_equal(got[i], want[i]);
	assert_int_equal(n, UTIL_NELEM(want));

	/* Without _UID=0 a local user's logger -t sshd counts too. */
	assert_int_equal(count_matches(c, SSHD_MATCH), 16);
	n = filter_lines(c, got, 32);
	assert_int_equal(n, UTIL_NELEM(want) + 1);
	assert_string_equal(got[UTIL_NELEM(want) - 1], "192.0.2.66 "
	    "1796305203000");
}

/* journald's rotation: the file renamed away, then deleted. */
static void
test_rotation(void **state)
{
	static const char	 late[] =
	    "__REALTIME_TIMESTAMP=1796305400000000\n"
	    "__MONOTONIC_TIMESTAMP=4400000000\n"
	    "_BOOT_ID=5249600957e5465d88e372e66fe86f1c\n"
	    "_HOSTNAME=vm\nSYSLOG_IDENTIFIER=sshd-session\n_PID=88\n"
	    "MESSAGE=Failed none for invalid user x from 2001:db8::9 port 9 "
	    "ssh2\n\n";
	struct ctx		*c = *state;
	struct journal		*j;
	char			 from[PATH_MAX], to[PATH_MAX];
	size_t			 idx[MAX_ENT], n, i;

	NEED_REMOTE();
	jwrite(c, SAMPLE, "system");
	j = jopen(c);
	assert_int_equal(journal_add(j, SSHD_MATCH, 0, &owner_a), 0);
	assert_int_equal(journal_process(j), 0);
	snprintf(from, sizeof(from), "%s/system.journal", c->dir);
	snprintf(to, sizeof(to), "%s/system@0001.journal", c->dir);
	assert_int_equal(rename(from, to), 0);
	jwrite(c, EXTRA, "system");
	n = sshd_entries(&c->extra, 0, idx);
	assert_int_equal(jwait(j, c, n), (int)n);
	for (i = 0; i < n; i++)
		check_line(&c->v[i], &c->extra.e[idx[i]]);

	assert_int_equal(unlink(to), 0);
	jwrite(c, jexport(c, late, sizeof(late) - 1), "late");
	assert_int_equal(jwait(j, c, n + 1), 1);
	assert_string_equal(c->v[n].line, "2026-12-03T13:43:20.000000+00:00 "
	    "vm sshd-session[88]: Failed none for invalid user x from "
	    "2001:db8::9 port 9 ssh2");
	journal_close(j);
}

int
main(void)
{
	static const char	*paths[] = {
		"/lib/systemd/systemd-journal-remote",
		"/usr/lib/systemd/systemd-journal-remote",
	};
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test_setup_teardown(test_sample_head, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_matches, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cursor_middle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_owners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test(test_name),
		cmocka_unit_test_setup_teardown(test_long_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sshd_filter, setup,
		    teardown),
	};
	size_t			 i;

	for (i = 0; i < UTIL_NELEM(paths); i++)
		if (access(paths[i], X_OK) == 0)
			remote = paths[i];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
