/*
 * Log tailing over inotify.
 *
 * Why raw inotify and not libinotifytools' event loop: libinotifytools
 * 3.22 keeps one inotify instance in file-static variables, exports no
 * way to get its descriptor (there is no inotifytools_get_inotify_fd in
 * the header or the library), and inotifytools_next_events() waits in
 * select(), whose fd_set overflows for a descriptor over FD_SETSIZE and
 * which our poll() loop cannot wait on. Its watch table is keyed by
 * path, while a tailed file must be followed by inode through renames.
 * So this file owns its inotify descriptor (one per struct tail, non-
 * blocking) and uses the library only where it is stateless: naming
 * event masks in debug logs. Nothing else in abusemom includes it.
 *
 * Model: a glob (one logpath entry) matches paths; a path names at most
 * one followed file; a file (one open descriptor, keyed by device and
 * inode) is read once and its lines go to the owners of every path that
 * names it. Each directory holding a path or a symlink's target has a
 * watch for names appearing and going; each open file has an inode
 * watch (added through /proc/self/fd, so it is the inode we opened) for
 * IN_MODIFY. When a path comes to name another inode the old file is
 * read to its end and kept open, still read on growth, until it stops
 * growing for TAIL_DRAIN_MS or is deleted.
 */
#include <sys/types.h>
#include <sys/inotify.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Its header declares f() without void; it is not ours to fix. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <inotifytools.h>
#pragma GCC diagnostic pop

#include "event.h"
#include "log.h"
#include "tail.h"
#include "util.h"

#define TAIL_BUFSZ	(2 * (EVENT_LINE_MAX + 1))
#define TAIL_EVBUF	(64 * 1024)
#define DIR_MASK	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | \
			    IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | \
			    IN_MOVE_SELF | IN_ONLYDIR)
#define FILE_MASK	(IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | \
			    IN_DELETE_SELF)

struct tail_owners {
	void		**v;
	size_t		 n;
};

struct tail_glob {
	TAILQ_ENTRY(tail_glob)	 entry;
	char			*pattern;
	void			*owner;
	int			 head;
	int			 warned;
};

struct tail_file;

struct tail_path {
	TAILQ_ENTRY(tail_path)	 entry;
	char			*name;
	struct tail_owners	 owners;
	struct tail_file	*file;	/* followed now, or NULL */
	struct tail_fstats	 st;
	unsigned		 gen;	/* scan that last matched it */
	int64_t			 gone_ms; /* unmatched since, or 0 */
	int			 had_file; /* lost its file: a rotation */
	int			 head;
	int			 fresh;	/* matched by tail_add, not opened */
};

struct tail_file {
	TAILQ_ENTRY(tail_file)	 entry;
	char			*name;	/* path it was opened as */
	struct tail_path	*primary; /* gets the counters, or NULL */
	struct tail_owners	 owners;
	int			 fd;
	int			 wd;
	int			 refs;	/* paths naming it */
	int			 draining;
	int			 ready;	/* may have unread data */
	int			 skipping; /* inside an over-long line */
	uint64_t		 dev;
	uint64_t		 ino;
	uint64_t		 off;	/* start of the unread line */
	uint64_t		 roff;	/* next byte to read */
	uint64_t		 hash;	/* head hash, 0 unknown */
	char			*part;	/* incomplete last line */
	size_t			 partlen;
	int64_t			 last_ms; /* last growth */
};

struct tail_dir {
	TAILQ_ENTRY(tail_dir)	 entry;
	char			*name;
	int			 wd;
	unsigned		 gen;
};

struct tail {
	struct tail_cb			 cb;
	int				 ifd;
	unsigned			 gen;
	int				 rescan;
	int				 pending;
	TAILQ_HEAD(, tail_glob)		 globs;
	TAILQ_HEAD(, tail_path)		 paths;
	TAILQ_HEAD(, tail_file)		 files;
	TAILQ_HEAD(, tail_dir)		 dirs;
	struct tail_stats		 st;
	char				*buf;
};

static int	 file_read(struct tail *, struct tail_file *);

static int
owners_add(struct tail_owners *o, void *owner)
{
	void	**v;
	size_t	 i;

	for (i = 0; i < o->n; i++)
		if (o->v[i] == owner)
			return 0;
	if ((v = reallocarray(o->v, o->n + 1, sizeof(*v))) == NULL)
		return -1;
	v[o->n++] = owner;
	o->v = v;
	return 0;
}

static int
owners_merge(struct tail_owners *dst, const struct tail_owners *src)
{
	size_t	 i;

	for (i = 0; i < src->n; i++)
		if (owners_add(dst, src->v[i]) == -1)
			return -1;
	return 0;
}

/* util_hash of the first line; 0 when it is not complete yet. */
static uint64_t
file_head_hash(int fd)
{
	char		 b[TAIL_HEAD_MAX];
	const char	*nl;
	ssize_t		 n;
	size_t		 len;
	uint64_t	 h;

	if ((n = pread(fd, b, sizeof(b), 0)) <= 0)
		return 0;
	if ((nl = memchr(b, '\n', n)) != NULL)
		len = nl - b;
	else if ((size_t)n == sizeof(b))
		len = n;
	else
		return 0;
	h = util_hash(b, len);
	return h == 0 ? 1 : h;
}

static void
file_put_pos(struct tail *t, struct tail_file *f)
{
	struct tail_pos	 pos;

	if (f->draining || t->cb.pos_put == NULL)
		return;
	if (f->hash == 0)
		f->hash = file_head_hash(f->fd);
	pos.dev = f->dev;
	pos.ino = f->ino;
	pos.off = f->off;
	pos.head_hash = f->hash;
	t->cb.pos_put(t->cb.arg, f->name, &pos);
}

static void
file_close(struct tail *t, struct tail_file *f)
{
	struct tail_path	*p;

	TAILQ_FOREACH(p, &t->paths, entry)
		if (p->file == f)
			p->file = NULL;
	if (f->primary != NULL && f->primary->file == NULL)
		f->primary->st.open = 0;
	if (f->wd != -1)
		inotify_rm_watch(t->ifd, f->wd);
	close(f->fd);
	TAILQ_REMOVE(&t->files, f, entry);
	t->st.files--;
	free(f->owners.v);
	free(f->part);
	free(f->name);
	free(f);
}

/* Starts again at 0: copytruncate, or the head was rewritten. */
static void
file_restart(struct tail *t, struct tail_file *f)
{
	log_info("tail: %s: truncated, reading from the start", f->name);
	f->off = f->roff = 0;
	f->partlen = 0;
	f->skipping = 0;
	f->hash = file_head_hash(f->fd);
	f->ready = 1;
	t->st.truncations++;
	if (f->primary != NULL)
		f->primary->st.truncations++;
}

static void
file_deliver(struct tail *t, struct tail_file *f, const char *line,
    size_t len)
{
	size_t	 i;

	if (len > EVENT_LINE_MAX) {
		t->st.overlong++;
		if (f->primary != NULL)
			f->primary->st.overlong++;
		for (i = 0; t->cb.overlong != NULL && i < f->owners.n; i++)
			t->cb.overlong(t->cb.arg, f->owners.v[i], f->name);
		return;
	}
	t->st.lines++;
	t->st.bytes += len + 1;
	if (f->primary != NULL) {
		f->primary->st.lines++;
		f->primary->st.bytes += len + 1;
	}
	for (i = 0; i < f->owners.n; i++)
		t->cb.line(t->cb.arg, f->owners.v[i], f->name, line, len);
}

/*
 * Splits buf (the file's bytes from roff - len to roff) into lines.
 * Keeps the incomplete rest; returns lines delivered or -1 on ENOMEM.
 */
static int
file_scan(struct tail *t, struct tail_file *f, const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *nl;
	uint64_t	 base = f->roff - len;
	size_t		 rest;
	char		*part;
	int		 lines = 0;

	while (p < end && (nl = memchr(p, '\n', end - p)) != NULL) {
		if (f->skipping)
			f->skipping = 0;
		else {
			file_deliver(t, f, p, nl - p);
			lines++;
		}
		p = nl + 1;
		f->off = base + (p - buf);
	}
	rest = end - p;
	if (f->skipping || rest > EVENT_LINE_MAX) {
		if (!f->skipping)
			file_deliver(t, f, p, rest);
		f->skipping = 1;
		rest = 0;
	}
	if (rest > 0 && rest != f->partlen) {
		if ((part = realloc(f->part, rest)) == NULL)
			return -1;
		f->part = part;
	}
	if (rest > 0)
		memmove(f->part, p, rest);
	f->partlen = rest;
	return lines;
}

/* Reads from roff up to TAIL_READ_MAX bytes; returns lines or -1. */
static int
file_read(struct tail *t, struct tail_file *f)
{
	struct stat	 st;
	uint64_t	 start = f->off, total = 0;
	ssize_t		 n;
	int		 lines = 0, r;

	f->ready = 0;
	if (fstat(f->fd, &st) == -1)
		return -1;
	/*
	 * Shrunk, or a new first line: copytruncate. The head check also
	 * catches a file truncated and refilled past roff between reads.
	 */
	if ((uint64_t)st.st_size < f->roff ||
	    (f->hash != 0 && file_head_hash(f->fd) != f->hash)) {
		file_restart(t, f);
		start = UINT64_MAX;	/* report the new position */
	}
	while (total < TAIL_READ_MAX) {
		if (f->partlen > 0)
			memcpy(t->buf, f->part, f->partlen);
		n = pread(f->fd, t->buf + f->partlen, TAIL_BUFSZ - f->partlen,
		    f->roff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		f->roff += n;
		total += n;
		if ((r = file_scan(t, f, t->buf, f->partlen + n)) == -1)
			return -1;
		lines += r;
	}
	if (total >= TAIL_READ_MAX) {
		f->ready = 1;
		t->pending = 1;
	}
	if (total > 0)
		f->last_ms = util_mono_ms();
	if (f->off != start || (f->hash == 0 && total > 0))
		file_put_pos(t, f);
	return lines;
}

/* Where a file matched at start without a stored position begins. */
static void
file_seek_end(struct tail_file *f, uint64_t size)
{
	char		 b[TAIL_HEAD_MAX];
	uint64_t	 from;
	ssize_t		 n, i;

	f->off = f->roff = size;
	if (size == 0)
		return;
	from = size > sizeof(b) ? size - sizeof(b) : 0;
	if ((n = pread(f->fd, b, size - from, from)) <= 0)
		return;
	for (i = n - 1; i >= 0 && b[i] != '\n'; i--)
		;
	if (i >= 0)
		f->off = f->roff = from + i + 1;
	else if (from == 0)
		f->off = f->roff = 0;
	else
		f->skipping = 1;	/* mid-line: resync at the next one */
}

static void
file_set_start(struct tail *t, struct tail_file *f, struct tail_path *p,
    uint64_t size)
{
	struct tail_pos	 pos;
	int		 found = 0;

	f->hash = file_head_hash(f->fd);
	if (t->cb.pos_get != NULL)
		found = t->cb.pos_get(t->cb.arg, p->name, &pos) == 1;
	if (found && pos.dev == f->dev && pos.ino == f->ino &&
	    pos.off <= size && (pos.head_hash == 0 || f->hash == 0 ||
	    pos.head_hash == f->hash)) {
		f->off = f->roff = pos.off;
		if (pos.off > 0 && pos.off < size)
			log_debug("tail: %s: resuming at %llu", p->name,
			    (unsigned long long)pos.off);
	} else if (!found && p->fresh && !p->head)
		file_seek_end(f, size);
	else if (found)
		log_info("tail: %s: replaced since last run, reading from "
		    "the start", p->name);
	p->fresh = 0;
}

static struct tail_file *
file_find(struct tail *t, uint64_t dev, uint64_t ino)
{
	struct tail_file	*f;

	TAILQ_FOREACH(f, &t->files, entry)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

/* Opens path p unless its inode is followed already; NULL with errno set. */
static struct tail_file *
file_open(struct tail *t, struct tail_path *p)
{
	struct tail_file	*f;
	struct stat		 st;
	char			 proc[64];
	int			 fd, saved;

	if ((fd = open(p->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		saved = errno;
		if (fstat(fd, &st) == 0)
			saved = EINVAL;
		close(fd);
		errno = saved;
		return NULL;
	}
	if ((f = file_find(t, st.st_dev, st.st_ino)) != NULL) {
		close(fd);	/* replaced since stat(): already followed */
		return f;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->name = strdup(p->name)) == NULL) {
		free(f);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->last_ms = util_mono_ms();
	f->ready = 1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((f->wd = inotify_add_watch(t->ifd, proc, FILE_MASK)) == -1)
		log_warn("tail: %s: inotify watch", p->name);
	file_set_start(t, f, p, st.st_size);
	TAILQ_INSERT_TAIL(&t->files, f, entry);
	t->st.files++;
	file_put_pos(t, f);
	return f;
}

/* p stops naming its file: read that to its end and let it drain. */
static void
path_detach(struct tail *t, struct tail_path *p)
{
	struct tail_file	*f = p->file;

	p->file = NULL;
	p->st.open = 0;
	p->had_file = f != NULL;
	if (f == NULL || --f->refs > 0)
		return;
	file_read(t, f);
	file_put_pos(t, f);
	f->draining = 1;
}

static void
path_attach(struct tail *t, struct tail_path *p, struct tail_file *f)
{
	if (p->file != NULL) {
		log_info("tail: %s: rotated, draining old file", p->name);
		path_detach(t, p);
	}
	if (p->had_file) {
		t->st.rotations++;
		p->st.rotations++;
		p->had_file = 0;
	}
	if (f->draining) {
		f->draining = 0;
		f->ready = 1;
	}
	f->refs++;
	if (f->primary == NULL)
		f->primary = p;
	p->file = f;
	p->st.open = 1;
	p->st.error = 0;
	if (owners_merge(&f->owners, &p->owners) == -1)
		log_warnx("tail: %s: out of memory", p->name);
}

static void
path_fail(struct tail *t, struct tail_path *p, int err)
{
	if (p->st.error == err)
		return;
	p->st.error = err;
	t->st.errors++;
	errno = err;
	if (err == EINVAL)
		log_warnx("tail: %s: not a regular file, retrying", p->name);
	else
		log_warn("tail: %s: cannot read, retrying", p->name);
}

/* A scan matched p: follow the file it names now. */
static void
path_check(struct tail *t, struct tail_path *p)
{
	struct tail_file	*f;
	struct stat		 st;

	if (stat(p->name, &st) == -1) {
		if (errno != ENOENT)
			path_fail(t, p, errno);
		return;
	}
	if (p->file != NULL && p->file->dev == (uint64_t)st.st_dev &&
	    p->file->ino == (uint64_t)st.st_ino)
		return;
	if ((f = file_find(t, st.st_dev, st.st_ino)) == NULL &&
	    (f = file_open(t, p)) == NULL) {
		path_fail(t, p, errno);
		return;
	}
	if (p->file != f)
		path_attach(t, p, f);
}

static struct tail_path *
path_get(struct tail *t, const char *name)
{
	struct tail_path	*p;

	TAILQ_FOREACH(p, &t->paths, entry)
		if (strcmp(p->name, name) == 0)
			return p;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->name = strdup(name)) == NULL) {
		free(p);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&t->paths, p, entry);
	return p;
}

static void
path_free(struct tail *t, struct tail_path *p)
{
	struct tail_file	*f;

	TAILQ_FOREACH(f, &t->files, entry)
		if (f->primary == p)
			f->primary = NULL;
	TAILQ_REMOVE(&t->paths, p, entry);
	free(p->owners.v);
	free(p->name);
	free(p);
}

static void
dir_want(struct tail *t, const char *name)
{
	struct tail_dir	*d;

	TAILQ_FOREACH(d, &t->dirs, entry)
		if (strcmp(d->name, name) == 0)
			break;
	if (d == NULL) {
		if ((d = calloc(1, sizeof(*d))) == NULL ||
		    (d->name = strdup(name)) == NULL) {
			free(d);
			return;
		}
		d->wd = -1;
		TAILQ_INSERT_TAIL(&t->dirs, d, entry);
	}
	d->gen = t->gen;
	if (d->wd == -1)
		d->wd = inotify_add_watch(t->ifd, name, DIR_MASK);
}

/* Watches the directory of name, and of its target when a symlink. */
static void
dir_want_for(struct tail *t, const char *name)
{
	char	 b[PATH_MAX], *real;

	util_strlcpy(b, name, sizeof(b));
	dir_want(t, dirname(b));
	if ((real = realpath(name, NULL)) != NULL) {
		if (strcmp(real, name) != 0)
			dir_want(t, dirname(real));
		free(real);
	}
}

/* Drops the watches of directories the last full scan did not want. */
static void
dir_prune(struct tail *t)
{
	struct tail_dir	*d, *next;

	for (d = TAILQ_FIRST(&t->dirs); d != NULL; d = next) {
		next = TAILQ_NEXT(d, entry);
		if (d->gen == t->gen)
			continue;
		if (d->wd != -1)
			inotify_rm_watch(t->ifd, d->wd);
		TAILQ_REMOVE(&t->dirs, d, entry);
		free(d->name);
		free(d);
	}
}

static int
glob_errfn(const char *epath, int eerrno)
{
	if (eerrno != ENOENT && eerrno != ENOTDIR)
		log_debug("tail: %s: %s", epath, strerror(eerrno));
	return 0;
}

/* Marks the paths g matches now with the current generation. */
static void
glob_scan(struct tail *t, struct tail_glob *g, int fresh)
{
	struct tail_path	*p;
	glob_t			 gl;
	char			 b[PATH_MAX], *dir;
	size_t			 i;
	int			 r;

	util_strlcpy(b, g->pattern, sizeof(b));
	if (strpbrk((dir = dirname(b)), "*?[") == NULL)
		dir_want(t, dir);
	memset(&gl, 0, sizeof(gl));
	r = glob(g->pattern, GLOB_NOSORT, glob_errfn, &gl);
	if (r == GLOB_NOMATCH && strpbrk(g->pattern, "*?[") == NULL) {
		/* A plain name: keep it so a denied directory is told. */
		globfree(&gl);
		memset(&gl, 0, sizeof(gl));
		r = glob(g->pattern, GLOB_NOCHECK, NULL, &gl);
	}
	for (i = 0; r == 0 && i < gl.gl_pathc; i++) {
		if ((p = path_get(t, gl.gl_pathv[i])) == NULL ||
		    owners_add(&p->owners, g->owner) == -1) {
			log_warnx("tail: %s: out of memory", g->pattern);
			break;
		}
		if (p->gen == 0)
			p->fresh = fresh;
		p->gen = t->gen;
		p->head |= g->head;
		if (p->file != NULL &&
		    owners_add(&p->file->owners, g->owner) == -1)
			log_warnx("tail: %s: out of memory", g->pattern);
		dir_want_for(t, p->name);
	}
	globfree(&gl);
}

/*
 * A path no scan matches now: let go of its file once that is deleted,
 * and forget the path when it stayed away for TAIL_DRAIN_MS (a file
 * deleted and re-created meanwhile keeps its counters).
 */
static void
path_unmatched(struct tail *t, struct tail_path *p, int64_t now)
{
	struct stat	 st;

	if (p->gone_ms == 0)
		p->gone_ms = now;
	if (p->file != NULL && fstat(p->file->fd, &st) == 0 &&
	    st.st_nlink > 0)
		return;		/* renamed away: follow it until replaced */
	if (p->file != NULL)
		path_detach(t, p);
	if (now - p->gone_ms >= TAIL_DRAIN_MS)
		path_free(t, p);
}

/* Re-expands every glob and follows what the paths name now. */
static void
tail_rescan(struct tail *t)
{
	struct tail_glob	*g;
	struct tail_path	*p, *next;
	int64_t			 now = util_mono_ms();

	t->rescan = 0;
	t->gen++;
	TAILQ_FOREACH(g, &t->globs, entry)
		glob_scan(t, g, 0);
	for (p = TAILQ_FIRST(&t->paths); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->gen == t->gen) {
			p->gone_ms = 0;
			path_check(t, p);
		} else
			path_unmatched(t, p, now);
	}
	dir_prune(t);
}

struct tail *
tail_new(const struct tail_cb *cb)
{
	struct tail	*t;

	if (cb == NULL || cb->line == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->buf = malloc(TAIL_BUFSZ)) == NULL) {
		free(t);
		return NULL;
	}
	if ((t->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		free(t->buf);
		free(t);
		return NULL;
	}
	t->cb = *cb;
	t->gen = 1;
	TAILQ_INIT(&t->globs);
	TAILQ_INIT(&t->paths);
	TAILQ_INIT(&t->files);
	TAILQ_INIT(&t->dirs);
	return t;
}

void
tail_free(struct tail *t)
{
	struct tail_glob	*g;
	struct tail_path	*p;
	struct tail_file	*f;
	struct tail_dir		*d;

	if (t == NULL)
		return;
	while ((f = TAILQ_FIRST(&t->files)) != NULL)
		file_close(t, f);
	while ((p = TAILQ_FIRST(&t->paths)) != NULL)
		path_free(t, p);
	while ((g = TAILQ_FIRST(&t->globs)) != NULL) {
		TAILQ_REMOVE(&t->globs, g, entry);
		free(g->pattern);
		free(g);
	}
	while ((d = TAILQ_FIRST(&t->dirs)) != NULL) {
		TAILQ_REMOVE(&t->dirs, d, entry);
		free(d->name);
		free(d);
	}
	close(t->ifd);
	free(t->buf);
	free(t);
}

int
tail_add(struct tail *t, const char *pattern, int head, void *owner)
{
	struct tail_glob	*g;
	struct tail_path	*p;

	if (pattern == NULL || *pattern == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->pattern = strdup(pattern)) == NULL) {
		free(g);
		errno = ENOMEM;
		return -1;
	}
	g->owner = owner;
	g->head = head;
	TAILQ_INSERT_TAIL(&t->globs, g, entry);
	t->gen++;
	glob_scan(t, g, 1);
	TAILQ_FOREACH(p, &t->paths, entry)
		if (p->gen == t->gen)
			path_check(t, p);
	return 0;
}

int
tail_fd(const struct tail *t)
{
	return t->ifd;
}

/* Marks what one inotify event concerns. */
static void
tail_event(struct tail *t, const struct inotify_event *ev)
{
	struct tail_file	*f;
	struct tail_dir		*d;

	log_debug("tail: event wd=%d %s %.*s", ev->wd,
	    inotifytools_event_to_str(ev->mask), (int)ev->len,
	    ev->len ? ev->name : "");
	if (ev->mask & IN_Q_OVERFLOW) {
		log_warnx("tail: inotify queue overflow, rescanning");
		t->rescan = 1;
		TAILQ_FOREACH(f, &t->files, entry)
			f->ready = 1;
		return;
	}
	TAILQ_FOREACH(d, &t->dirs, entry)
		if (d->wd == ev->wd) {
			if (ev->mask & IN_IGNORED)
				d->wd = -1;
			t->rescan = 1;
			return;
		}
	TAILQ_FOREACH(f, &t->files, entry)
		if (f->wd == ev->wd) {
			if (ev->mask & IN_IGNORED)
				f->wd = -1;
			if (ev->mask & (IN_MOVE_SELF | IN_DELETE_SELF))
				t->rescan = 1;
			f->ready = 1;
			return;
		}
}

/* Reads the files marked ready. */
static void
tail_read_ready(struct tail *t)
{
	struct tail_file	*f;

	t->pending = 0;
	TAILQ_FOREACH(f, &t->files, entry)
		if (f->ready)
			file_read(t, f);
}

int
tail_process(struct tail *t)
{
	char		 buf[TAIL_EVBUF]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	unsigned long	 before = t->st.lines;
	ssize_t		 n;
	char		*p;

	for (;;) {
		n = read(t->ifd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			log_warn("tail: inotify read");
			return -1;
		}
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			tail_event(t, ev);
		}
	}
	if (t->rescan)
		tail_rescan(t);
	tail_read_ready(t);
	return (int)(t->st.lines - before);
}

/* Per file on each tick: missed growth or truncation, drain end. */
static void
tail_tick_file(struct tail *t, struct tail_file *f, int64_t now)
{
	struct stat	 st;

	file_read(t, f);
	if (fstat(f->fd, &st) == -1)
		return;
	if (f->draining && (st.st_nlink == 0 ||
	    now - f->last_ms >= TAIL_DRAIN_MS)) {
		log_debug("tail: %s: done with the rotated file", f->name);
		file_close(t, f);
	}
}

int
tail_tick(struct tail *t)
{
	struct tail_file	*f, *next;
	unsigned long		 before;
	int64_t			 now = util_mono_ms();

	before = t->st.lines;
	tail_rescan(t);
	for (f = TAILQ_FIRST(&t->files); f != NULL; f = next) {
		next = TAILQ_NEXT(f, entry);
		tail_tick_file(t, f, now);
	}
	return (int)(t->st.lines - before);
}

int
tail_drain_all(struct tail *t)
{
	struct tail_file	*f;
	unsigned long		 before = t->st.lines;

	TAILQ_FOREACH(f, &t->files, entry)
		f->ready = 1;
	do
		tail_read_ready(t);
	while (t->pending);
	return (int)(t->st.lines - before);
}

int
tail_pending(const struct tail *t)
{
	return t->pending;
}

void
tail_stats(const struct tail *t, struct tail_stats *st)
{
	*st = t->st;
}

void
tail_file_stats(const struct tail *t, void (*cb)(void *, const char *,
    const struct tail_fstats *), void *arg)
{
	struct tail_path	*p;
	struct tail_fstats	 fs;

	TAILQ_FOREACH(p, &t->paths, entry) {
		fs = p->st;
		fs.off = p->file != NULL ? p->file->off : 0;
		cb(arg, p->name, &fs);
	}
}
