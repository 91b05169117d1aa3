/*
 * The tail module against real files in a mkdtemp directory and real
 * inotify. The poll loop is driven here with a bounded wait: a test
 * waits until the lines it expects arrive (or 3 s pass), then calls
 * tail_process and tail_tick once more and checks that nothing else
 * came.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

#include "event.h"
#include "tail.h"
#include "util.h"

#define WAIT_MS		3000
#define NPOS		16

struct rec {
	char	*line;
	void	*owner;
	char	 path[PATH_MAX];
};

struct pos_ent {
	char		 path[PATH_MAX];
	struct tail_pos	 pos;
};

struct ctx {
	struct rec	*v;
	size_t		 n, cap;
	unsigned	 overlong;
	struct pos_ent	 pos[NPOS];
	size_t		 npos;
	unsigned	 puts;
	int64_t		*stamp;		/* latency: ns at each callback */
	char		 dir[64];
};

static int owner_a, owner_b, owner_c;

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
cb_line(void *arg, void *owner, const char *path, const char *line,
    size_t len)
{
	struct ctx	*c = arg;

	if (c->stamp != NULL)
		c->stamp[c->n] = now_ns();
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	/* The line must not carry its newline. */
	assert_null(memchr(line, '\n', len));
	c->v[c->n].line = strndup(line, len);
	c->v[c->n].owner = owner;
	util_strlcpy(c->v[c->n].path, path, sizeof(c->v[c->n].path));
	c->n++;
}

static void
cb_overlong(void *arg, void *owner, const char *path)
{
	struct ctx	*c = arg;

	(void)owner;
	(void)path;
	c->overlong++;
}

static struct pos_ent *
pos_find(struct ctx *c, const char *path)
{
	size_t	 i;

	for (i = 0; i < c->npos; i++)
		if (strcmp(c->pos[i].path, path) == 0)
			return &c->pos[i];
	return NULL;
}

static int
cb_pos_get(void *arg, const char *path, struct tail_pos *pos)
{
	struct pos_ent	*e = pos_find(arg, path);

	if (e == NULL)
		return 0;
	*pos = e->pos;
	return 1;
}

static void
cb_pos_put(void *arg, const char *path, const struct tail_pos *pos)
{
	struct ctx	*c = arg;
	struct pos_ent	*e = pos_find(c, path);

	if (e == NULL) {
		assert_true(c->npos < NPOS);
		e = &c->pos[c->npos++];
		util_strlcpy(e->path, path, sizeof(e->path));
	}
	e->pos = *pos;
	c->puts++;
}

static void
ctx_clear(struct ctx *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].line);
	c->n = 0;
	c->overlong = 0;
}

static struct tail *
new_tail(struct ctx *c)
{
	struct tail_cb	 cb = {
		.line = cb_line, .overlong = cb_overlong,
		.pos_get = cb_pos_get, .pos_put = cb_pos_put, .arg = c
	};
	struct tail	*t;

	t = tail_new(&cb);
	assert_non_null(t);
	return t;
}

static const char *
fpath(struct ctx *c, const char *name)
{
	static char	 b[8][128];
	static int	 i;

	i = (i + 1) % 8;
	snprintf(b[i], sizeof(b[i]), "%s/%s", c->dir, name);
	return b[i];
}

static void
wr_fd(int fd, const char *s)
{
	size_t	 len = strlen(s);

	assert_int_equal(write(fd, s, len), (ssize_t)len);
}

static void
wr(const char *path, const char *s)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_true(fd >= 0);
	wr_fd(fd, s);
	close(fd);
}

static void
wr_lines(const char *path, const char *prefix, int from, int to)
{
	char	 b[64];
	int	 i;

	for (i = from; i <= to; i++) {
		snprintf(b, sizeof(b), "%s%d\n", prefix, i);
		wr(path, b);
	}
}

/* Runs the loop until c holds want lines or WAIT_MS pass. */
static size_t
pump(struct tail *t, struct ctx *c, size_t want)
{
	struct pollfd	 pfd = { .fd = tail_fd(t), .events = POLLIN };
	int64_t		 end = util_mono_ms() + WAIT_MS, left;

	while (c->n < want && (left = end - util_mono_ms()) > 0) {
		if (tail_pending(t))
			left = 0;
		if (poll(&pfd, 1, (int)left) >= 0)
			assert_true(tail_process(t) >= 0);
	}
	return c->n;
}

/* Waits for the next inotify event and handles it. */
static void
pump_once(struct tail *t)
{
	struct pollfd	 pfd = { .fd = tail_fd(t), .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
	assert_true(tail_process(t) >= 0);
}

/* Everything already written is read: nothing more may come. */
static void
settle(struct tail *t)
{
	assert_true(tail_process(t) >= 0);
	tail_tick(t);
	assert_true(tail_process(t) >= 0);
}

static void
expect_seq(struct ctx *c, size_t at, const char *prefix, int from, int to)
{
	char	 b[64];
	int	 i;

	for (i = from; i <= to; i++, at++) {
		snprintf(b, sizeof(b), "%s%d", prefix, i);
		assert_true(at < c->n);
		assert_string_equal(c->v[at].line, b);
	}
}

/* Index of the first line equal to s at or after from, or -1. */
static long
find_line(struct ctx *c, size_t from, const char *s)
{
	size_t	 i;

	for (i = from; i < c->n; i++)
		if (strcmp(c->v[i].line, s) == 0)
			return i;
	return -1;
}

static size_t
count_prefix(struct ctx *c, const char *prefix)
{
	size_t	 i, k = 0;

	for (i = 0; i < c->n; i++)
		if (strncmp(c->v[i].line, prefix, strlen(prefix)) == 0)
			k++;
	return k;
}

/* The lines with prefix come in order prefix1..prefixN, each once. */
static void
expect_subseq(struct ctx *c, const char *prefix, int n)
{
	char	 b[64];
	long	 at = 0;
	int	 i;

	assert_int_equal(count_prefix(c, prefix), n);
	for (i = 1; i <= n; i++) {
		snprintf(b, sizeof(b), "%s%d", prefix, i);
		at = find_line(c, at, b);
		assert_true(at >= 0);
	}
}

static int
setup(void **state)
{
	struct ctx	*c;

	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	util_strlcpy(c->dir, "/tmp/test_tail.XXXXXX", sizeof(c->dir));
	assert_non_null(mkdtemp(c->dir));
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx	*c = *state;
	char		 cmd[128];
	pid_t		 pid;
	int		 st;

	ctx_clear(c);
	free(c->v);
	free(c->stamp);
	snprintf(cmd, sizeof(cmd), "%s", c->dir);
	if ((pid = fork()) == 0) {
		execlp("rm", "rm", "-rf", cmd, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	free(c);
	return 0;
}

static void
test_append(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "a.log");
	struct tail_stats st;

	wr(a, "");
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	assert_int_equal(tail_drain_all(t), 0);
	wr_lines(a, "L", 1, 100);
	assert_int_equal(pump(t, c, 100), 100);
	settle(t);
	assert_int_equal(c->n, 100);
	expect_seq(c, 0, "L", 1, 100);
	assert_ptr_equal(c->v[0].owner, &owner_a);
	assert_string_equal(c->v[0].path, a);

	/* A partial line waits for its newline. */
	wr(a, "part");
	pump_once(t);
	settle(t);
	assert_int_equal(c->n, 100);
	wr(a, "ial\nnext\n");
	assert_int_equal(pump(t, c, 102), 102);
	assert_string_equal(c->v[100].line, "partial");
	assert_string_equal(c->v[101].line, "next");
	tail_stats(t, &st);
	assert_int_equal(st.lines, 102);
	assert_int_equal(st.files, 1);
	tail_free(t);
}

static void
test_start_end_head(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "end.log"), *h = fpath(c, "head.log");
	const char	*p = fpath(c, "partial.log");

	wr(a, "old1\nold2\n");
	wr(h, "hold1\nhold2\n");
	wr(p, "pold\nhal");
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	assert_int_equal(tail_add(t, h, 1, &owner_a), 0);
	assert_int_equal(tail_add(t, p, 0, &owner_a), 0);
	assert_int_equal(tail_drain_all(t), 2);
	expect_seq(c, 0, "hold", 1, 2);
	/* From the end, but a line being written is read whole. */
	wr(p, "f\n");
	wr(a, "new1\n");
	assert_int_equal(pump(t, c, 4), 4);
	settle(t);
	assert_int_equal(c->n, 4);
	assert_true(find_line(c, 0, "half") >= 0);
	assert_true(find_line(c, 0, "new1") >= 0);
	tail_free(t);
}

static void
test_new_file(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);

	wr(fpath(c, "x.access.log"), "x1\n");
	assert_int_equal(tail_add(t, fpath(c, "*.access.log"), 0, &owner_a),
	    0);
	assert_int_equal(tail_drain_all(t), 0);
	/* Appears while running: read from its beginning. */
	wr_lines(fpath(c, "y.access.log"), "Y", 1, 20);
	wr(fpath(c, "y.error.log"), "not matched\n");
	assert_int_equal(pump(t, c, 20), 20);
	settle(t);
	assert_int_equal(c->n, 20);
	expect_seq(c, 0, "Y", 1, 20);
	assert_string_equal(c->v[0].path, fpath(c, "y.access.log"));

	/* A directory that does not exist yet: found by the tick. */
	assert_int_equal(tail_add(t, fpath(c, "sub/*.log"), 0, &owner_a), 0);
	assert_int_equal(mkdir(fpath(c, "sub"), 0755), 0);
	wr_lines(fpath(c, "sub/z.log"), "Z", 1, 2);
	tail_tick(t);
	wr_lines(fpath(c, "sub/z.log"), "Z", 3, 3);
	assert_int_equal(pump(t, c, 23), 23);
	settle(t);
	assert_int_equal(c->n, 23);
	expect_seq(c, 20, "Z", 1, 3);
	tail_free(t);
}

static void
test_rename_rotation(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "a.log"), *a1 = fpath(c, "a.log.1");
	struct tail_stats st;
	char		 b[64];
	int		 fd, i;

	fd = open(a, O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	for (i = 1; i <= 10; i++) {
		snprintf(b, sizeof(b), "L%d\n", i);
		wr_fd(fd, b);
	}
	assert_int_equal(pump(t, c, 10), 10);

	/* logrotate: rename; the writer still appends to the old file. */
	assert_int_equal(rename(a, a1), 0);
	for (i = 11; i <= 15; i++) {
		snprintf(b, sizeof(b), "L%d\n", i);
		wr_fd(fd, b);
	}
	wr_lines(a, "N", 1, 5);
	for (i = 16; i <= 18; i++) {
		snprintf(b, sizeof(b), "L%d\n", i);
		wr_fd(fd, b);
	}
	assert_int_equal(pump(t, c, 23), 23);
	close(fd);
	wr_lines(a, "N", 6, 8);
	assert_int_equal(pump(t, c, 26), 26);
	settle(t);
	assert_int_equal(c->n, 26);
	expect_subseq(c, "L", 18);
	expect_subseq(c, "N", 8);
	/* The old file's lines before the switch come first. */
	assert_true(find_line(c, 0, "L15") < find_line(c, 0, "N1"));
	tail_stats(t, &st);
	assert_int_equal(st.rotations, 1);
	assert_int_equal(st.files, 2);	/* the old one drains */
	tail_free(t);
}

static void
test_copytruncate(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "a.log");
	struct tail_stats st;

	wr(a, "");
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	wr_lines(a, "L", 1, 10);
	assert_int_equal(pump(t, c, 10), 10);
	/* Shrinks: read again from 0. */
	assert_int_equal(truncate(a, 0), 0);
	pump_once(t);
	wr_lines(a, "T", 1, 3);
	assert_int_equal(pump(t, c, 13), 13);
	expect_seq(c, 10, "T", 1, 3);
	/* Truncated and refilled past the old offset before we look. */
	assert_int_equal(truncate(a, 0), 0);
	wr_lines(a, "longer-line-", 1, 12);
	assert_int_equal(pump(t, c, 25), 25);
	settle(t);
	assert_int_equal(c->n, 25);
	expect_seq(c, 13, "longer-line-", 1, 12);
	tail_stats(t, &st);
	assert_int_equal(st.truncations, 2);
	tail_free(t);
}

static void
test_delete_recreate(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "a.log");

	wr(a, "");
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	wr_lines(a, "L", 1, 5);
	assert_int_equal(pump(t, c, 5), 5);
	assert_int_equal(unlink(a), 0);
	wr_lines(a, "N", 1, 5);
	assert_int_equal(pump(t, c, 10), 10);
	settle(t);
	wr_lines(a, "N", 6, 7);
	assert_int_equal(pump(t, c, 12), 12);
	settle(t);
	assert_int_equal(c->n, 12);
	expect_seq(c, 0, "L", 1, 5);
	expect_seq(c, 5, "N", 1, 7);
	tail_free(t);
}

static void
test_symlink(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*t1, *t2, *link, *tmp;
	struct tail_stats st;

	assert_int_equal(mkdir(fpath(c, "real"), 0755), 0);
	t1 = fpath(c, "real/t1.log");
	t2 = fpath(c, "real/t2.log");
	link = fpath(c, "cur.log");
	wr(t1, "");
	assert_int_equal(symlink(t1, link), 0);
	assert_int_equal(tail_add(t, link, 0, &owner_a), 0);
	wr_lines(t1, "A", 1, 3);
	assert_int_equal(pump(t, c, 3), 3);
	wr_lines(t2, "B", 1, 2);
	/* Re-point as ln -sfn does: a new link renamed over the old. */
	tmp = fpath(c, "cur.tmp");
	assert_int_equal(symlink(t2, tmp), 0);
	assert_int_equal(rename(tmp, fpath(c, "cur.log")), 0);
	assert_int_equal(pump(t, c, 5), 5);
	wr_lines(t2, "B", 3, 4);
	assert_int_equal(pump(t, c, 7), 7);
	settle(t);
	assert_int_equal(c->n, 7);
	expect_seq(c, 0, "A", 1, 3);
	expect_seq(c, 3, "B", 1, 4);
	assert_string_equal(c->v[6].path, link);

	/* The target re-created in its own directory: no event at the link. */
	assert_int_equal(unlink(t2), 0);
	wr_lines(t2, "C", 1, 2);
	assert_int_equal(pump(t, c, 9), 9);
	expect_seq(c, 7, "C", 1, 2);
	tail_stats(t, &st);
	assert_int_equal(st.rotations, 2);
	tail_free(t);
}

struct fs_find {
	const char		*path;
	struct tail_fstats	 fs;
	int			 found;
};

static void
fs_cb(void *arg, const char *path, const struct tail_fstats *fs)
{
	struct fs_find	*f = arg;

	if (strcmp(path, f->path) == 0) {
		f->fs = *fs;
		f->found = 1;
	}
}

static void
test_not_regular(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	struct tail_stats st;
	struct fs_find	 ff = { .path = fpath(c, "bad.log") };

	assert_int_equal(mkdir(fpath(c, "bad.log"), 0755), 0);
	wr(fpath(c, "ok.log"), "");
	assert_int_equal(tail_add(t, fpath(c, "*.log"), 0, &owner_a), 0);
	tail_tick(t);
	tail_tick(t);
	wr_lines(fpath(c, "ok.log"), "K", 1, 3);
	assert_int_equal(pump(t, c, 3), 3);
	tail_tick(t);
	tail_stats(t, &st);
	assert_int_equal(st.errors, 1);		/* told once */
	tail_file_stats(t, fs_cb, &ff);
	assert_true(ff.found);
	assert_int_equal(ff.fs.error, EINVAL);
	assert_false(ff.fs.open);
	tail_free(t);
}

#define CHECK(x) do {							\
	if (!(x)) {							\
		fprintf(stderr, "child: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		_exit(1);						\
	}								\
} while (0)

/* Runs as an unprivileged user so that mode 000 really denies. */
static void
eacces_child(void)
{
	struct ctx	 c;
	struct tail	*t;
	struct tail_stats st;
	struct fs_find	 ff;

	memset(&c, 0, sizeof(c));
	util_strlcpy(c.dir, "/tmp/test_tail_u.XXXXXX", sizeof(c.dir));
	CHECK(mkdtemp(c.dir) != NULL);
	wr(fpath(&c, "ok.log"), "");
	wr(fpath(&c, "bad.log"), "b0\n");
	CHECK(chmod(fpath(&c, "bad.log"), 0) == 0);
	CHECK(open(fpath(&c, "bad.log"), O_RDONLY) == -1 && errno == EACCES);
	t = new_tail(&c);
	CHECK(tail_add(t, fpath(&c, "*.log"), 0, &owner_a) == 0);
	tail_tick(t);
	tail_tick(t);
	wr_lines(fpath(&c, "ok.log"), "K", 1, 3);
	CHECK(pump(t, &c, 3) == 3);
	tail_stats(t, &st);
	CHECK(st.errors == 1);
	ff.path = fpath(&c, "bad.log");
	ff.found = 0;
	tail_file_stats(t, fs_cb, &ff);
	CHECK(ff.found && ff.fs.error == EACCES && !ff.fs.open);
	/* Readable again: followed from its end (it was there at start). */
	CHECK(chmod(fpath(&c, "bad.log"), 0644) == 0);
	tail_tick(t);
	wr(fpath(&c, "bad.log"), "b1\n");
	CHECK(pump(t, &c, 4) == 4);
	CHECK(strcmp(c.v[3].line, "b1") == 0);
	tail_file_stats(t, fs_cb, &ff);
	CHECK(ff.fs.error == 0 && ff.fs.open);
	tail_free(t);
	unlink(fpath(&c, "ok.log"));
	unlink(fpath(&c, "bad.log"));
	rmdir(c.dir);
	_exit(0);
}

static void
test_eacces(void **state)
{
	pid_t	 pid;
	int	 st;

	(void)state;
	if ((pid = fork()) == 0) {
		if (getuid() == 0 && (setgid(65534) == -1 ||
		    setuid(65534) == -1))
			_exit(2);
		eacces_child();
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_overlong(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "a.log");
	char		*big;
	size_t		 n = EVENT_LINE_MAX + 4000;

	big = malloc(n + 1);
	assert_non_null(big);
	wr(a, "");
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);

	/* One write: an over-long line between two good ones. */
	memset(big, 'x', n);
	big[n] = '\0';
	wr(a, "before\n");
	wr(a, big);
	wr(a, "\nafter\n");
	assert_int_equal(pump(t, c, 2), 2);
	assert_string_equal(c->v[0].line, "before");
	assert_string_equal(c->v[1].line, "after");
	assert_int_equal(c->overlong, 1);

	/* Written in pieces, each under the limit. */
	big[40000] = '\0';
	wr(a, big);
	pump_once(t);
	wr(a, big);
	pump_once(t);
	wr(a, big);
	wr(a, "\nnext\n");
	assert_int_equal(pump(t, c, 3), 3);
	assert_string_equal(c->v[2].line, "next");
	assert_int_equal(c->overlong, 2);

	/* Exactly EVENT_LINE_MAX bytes is a line. */
	big[40000] = 'x';
	big[EVENT_LINE_MAX] = '\n';
	big[EVENT_LINE_MAX + 1] = '\0';
	wr(a, big);
	assert_int_equal(pump(t, c, 4), 4);
	settle(t);
	assert_int_equal(c->n, 4);
	assert_int_equal(strlen(c->v[3].line), EVENT_LINE_MAX);
	assert_int_equal(c->overlong, 2);
	free(big);
	tail_free(t);
}

static void
test_positions(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t;
	const char	*a = fpath(c, "a.log");

	/* First run: read from the head, stop after 8 lines. */
	wr_lines(a, "L", 1, 5);
	t = new_tail(c);
	assert_int_equal(tail_add(t, a, 1, &owner_a), 0);
	assert_int_equal(tail_drain_all(t), 5);
	wr_lines(a, "L", 6, 8);
	wr(a, "L9-part");
	assert_int_equal(pump(t, c, 8), 8);
	settle(t);
	tail_free(t);
	assert_int_equal(c->n, 8);
	assert_non_null(pos_find(c, a));

	/* Written while stopped: exactly those come (head=0 or not). */
	wr(a, "\n");
	wr_lines(a, "L", 10, 12);
	ctx_clear(c);
	t = new_tail(c);
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	assert_int_equal(tail_drain_all(t), 4);
	assert_string_equal(c->v[0].line, "L9-part");
	expect_seq(c, 1, "L", 10, 12);
	tail_free(t);

	/* Nothing written while stopped: nothing read. */
	ctx_clear(c);
	t = new_tail(c);
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	assert_int_equal(tail_drain_all(t), 0);
	wr(a, "L13\n");
	assert_int_equal(pump(t, c, 1), 1);
	assert_string_equal(c->v[0].line, "L13");
	tail_free(t);
}

/* Reads a once with a fresh tail; returns the lines. */
static int
run_once(struct ctx *c, const char *a, int head)
{
	struct tail	*t;
	int		 n;

	ctx_clear(c);
	t = new_tail(c);
	assert_int_equal(tail_add(t, a, head, &owner_a), 0);
	n = tail_drain_all(t);
	tail_free(t);
	return n;
}

static void
test_positions_replaced(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t;
	const char	*a = fpath(c, "a.log"), *n = fpath(c, "never.log");
	const char	*tmp = fpath(c, "a.tmp");

	wr_lines(a, "P", 1, 3);
	assert_int_equal(run_once(c, a, 1), 3);
	assert_int_equal(run_once(c, a, 1), 0);

	/* Replaced by a new inode while stopped: from the start. */
	wr_lines(tmp, "R", 1, 3);
	assert_int_equal(rename(tmp, a), 0);
	assert_int_equal(run_once(c, a, 0), 3);
	expect_seq(c, 0, "R", 1, 3);

	/* Same inode, rewritten longer with another first line. */
	assert_int_equal(truncate(a, 0), 0);
	wr_lines(a, "S", 1, 4);
	ctx_clear(c);
	t = new_tail(c);
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	assert_int_equal(tail_drain_all(t), 4);
	expect_seq(c, 0, "S", 1, 4);

	/* Never seen: from its end, then what is appended. */
	wr_lines(n, "old", 1, 3);
	assert_int_equal(tail_add(t, n, 0, &owner_a), 0);
	assert_int_equal(tail_drain_all(t), 0);
	wr(n, "new\n");
	assert_int_equal(pump(t, c, 5), 5);
	assert_string_equal(c->v[4].line, "new");
	tail_free(t);
}

static void
test_owners(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "a.log");
	struct tail_stats st;
	size_t		 i, na = 0, nb = 0, nc = 0;

	/* Two globs naming a.log, and a symlink to it under another. */
	wr(a, "");
	assert_int_equal(symlink(a, fpath(c, "link.txt")), 0);
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	assert_int_equal(tail_add(t, fpath(c, "*.log"), 0, &owner_b), 0);
	assert_int_equal(tail_add(t, fpath(c, "*.txt"), 0, &owner_c), 0);
	wr_lines(a, "L", 1, 10);
	assert_int_equal(pump(t, c, 30), 30);
	settle(t);
	assert_int_equal(c->n, 30);
	for (i = 0; i < c->n; i++) {
		na += c->v[i].owner == &owner_a;
		nb += c->v[i].owner == &owner_b;
		nc += c->v[i].owner == &owner_c;
	}
	assert_int_equal(na, 10);
	assert_int_equal(nb, 10);
	assert_int_equal(nc, 10);
	tail_stats(t, &st);
	assert_int_equal(st.lines, 10);	/* read once */
	assert_int_equal(st.files, 1);
	tail_free(t);
}

static void
test_large(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "big.log");
	char		 b[128];
	FILE		*fp;
	int		 i, nlines = 60000;

	/* More than TAIL_READ_MAX: one call leaves the rest pending. */
	assert_non_null(fp = fopen(a, "w"));
	for (i = 1; i <= nlines; i++)
		fprintf(fp, "G%d %080d\n", i, i);
	fclose(fp);
	assert_int_equal(tail_add(t, a, 1, &owner_a), 0);
	tail_tick(t);
	assert_true(c->n > 0 && c->n < (size_t)nlines);
	assert_true(tail_pending(t));
	assert_int_equal(pump(t, c, nlines), nlines);
	assert_false(tail_pending(t));
	settle(t);
	assert_int_equal(c->n, nlines);
	snprintf(b, sizeof(b), "G%d %080d", nlines, nlines);
	assert_string_equal(c->v[nlines - 1].line, b);
	snprintf(b, sizeof(b), "G%d %080d", nlines / 2, nlines / 2);
	assert_string_equal(c->v[nlines / 2 - 1].line, b);
	tail_free(t);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_latency(void **state)
{
	struct ctx	*c = *state;
	struct tail	*t = new_tail(c);
	const char	*a = fpath(c, "a.log");
	int64_t		*lat;
	char		 b[64];
	int		 fd, i, nlines = 1000;

	lat = calloc(nlines, sizeof(*lat));
	c->stamp = calloc(nlines, sizeof(*c->stamp));
	assert_non_null(lat);
	assert_non_null(c->stamp);
	fd = open(a, O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(tail_add(t, a, 0, &owner_a), 0);
	for (i = 0; i < nlines; i++) {
		snprintf(b, sizeof(b), "203.0.113.7 - - line %d\n", i);
		lat[i] = now_ns();
		wr_fd(fd, b);
		assert_int_equal(pump(t, c, i + 1), i + 1);
		lat[i] = c->stamp[i] - lat[i];
	}
	close(fd);
	qsort(lat, nlines, sizeof(*lat), cmp_i64);
	printf("tail latency write->callback over %d lines: p50 %lld us, "
	    "p99 %lld us, max %lld us\n", nlines,
	    (long long)lat[nlines / 2] / 1000,
	    (long long)lat[nlines * 99 / 100] / 1000,
	    (long long)lat[nlines - 1] / 1000);
	free(lat);
	tail_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_end_head, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_new_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rename_rotation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete_recreate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup,
		    teardown),
		cmocka_unit_test(test_eacces),
		cmocka_unit_test_setup_teardown(test_overlong, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_positions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_positions_replaced, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_owners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latency, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
