/*
 * The control socket. Every client is non-blocking with its own input
 * buffer (one request line, PROTO_LINE_MAX) and output buffer (one
 * answer at a time: a client that does not read its answer is not read
 * from either), so a slow or stuck client costs its buffers and a slot
 * until CONTROL_IDLE_MS, never the loop. Peers are identified once, at
 * accept, by SO_PEERCRED and SO_PEERGROUPS.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "ctlcmd.h"
#include "daemon.h"
#include "log.h"
#include "proto.h"
#include "util.h"

#define CONTROL_GROUPS_MAX	256
#define CONTROL_READ_CHUNK	(PROTO_LINE_MAX + 2)
#define CONTROL_DRAIN_MAX	(1024 * 1024)

struct client {
	int		 fd;
	int		 pidx;		/* entry in the last pollfds, or -1 */
	int		 eof;		/* the peer shut its side */
	int		 closing;	/* close once out is written */
	int		 draining;	/* written and shut: discard input */
	size_t		 drained;
	struct ctlcmd_peer	 peer;
	char		*in;		/* CONTROL_READ_CHUNK bytes */
	size_t		 inlen;
	char		*out;
	size_t		 outlen, outoff;
	int64_t		 last_ms;	/* monotonic: last progress */
};

struct control {
	struct daemon	*d;
	int		 lfd;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t		 dev;
	ino_t		 ino;
	struct client	*cl[CONTROL_CLIENTS_MAX];
	size_t		 ncl;
	int		 slots;		/* clients the last pollfds held */
	int		 lidx;
	int64_t		 metrics_next;
	struct ctlcmd_state st;
};

static int
control_sockaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (util_strlcpy(sun->sun_path, path, sizeof(sun->sun_path)) >=
	    sizeof(sun->sun_path)) {
		log_warnx("control: %s: path too long for a socket", path);
		return -1;
	}
	return 0;
}

/* Returns 1 when a daemon answers at path, 0 when none does, -1. */
static int
control_live(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd, rv;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(sb.st_mode)) {
		log_warnx("control: %s exists and is not a socket", path);
		return -1;
	}
	if (control_sockaddr(&sun, path) == -1 ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rv = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rv == 0)
		return 1;
	return errno == ECONNREFUSED || errno == ENOENT ? 0 : 1;
}

static int
control_group(const char *name, gid_t *gid)
{
	struct group	 gr, *res = NULL;
	char		 buf[16384];

	if (name == NULL || *name == '\0')
		return 0;
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return -1;
	*gid = gr.gr_gid;
	return 1;
}

static int
control_bind(struct control *c, const char *group)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 old;
	gid_t			 gid;
	int			 g, rv;

	if ((g = control_group(group, &gid)) == -1) {
		log_warnx("control: socket_group %s: no such group", group);
		return -1;
	}
	if (control_sockaddr(&sun, c->path) == -1)
		return -1;
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->lfd == -1) {
		log_warn("control: socket");
		return -1;
	}
	old = umask(0117);
	rv = bind(c->lfd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rv == -1) {
		log_warn("control: bind %s", c->path);
		return -1;
	}
	if (chmod(c->path, 0660) == -1 ||
	    (g == 1 && chown(c->path, (uid_t)-1, gid) == -1) ||
	    stat(c->path, &sb) == -1) {
		log_warn("control: %s: mode or group", c->path);
		unlink(c->path);
		return -1;
	}
	c->dev = sb.st_dev;
	c->ino = sb.st_ino;
	if (listen(c->lfd, SOMAXCONN) == -1) {
		log_warn("control: listen %s", c->path);
		unlink(c->path);
		return -1;
	}
	return 0;
}

struct control *
control_open(struct daemon *d)
{
	struct control	*c;
	const char	*path = d->conf->socket;
	int		 live;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control: calloc");
		return NULL;
	}
	c->d = d;
	c->lfd = -1;
	c->slots = CONTROL_CLIENTS_MAX;
	if (util_strlcpy(c->path, path, sizeof(c->path)) >= sizeof(c->path)) {
		log_warnx("control: %s: path too long for a socket", path);
		goto fail;
	}
	if ((live = control_live(path)) == 1) {
		log_warnx("control: %s: another daemon is answering there; "
		    "not starting a second one", path);
		goto fail;
	}
	if (live == -1 || (unlink(path) == -1 && errno != ENOENT)) {
		log_warn("control: %s: cannot replace", path);
		goto fail;
	}
	if (control_bind(c, d->conf->socket_group) == -1)
		goto fail;
	ctlcmd_state_init(&c->st);
	log_info("control: listening on %s", path);
	return c;
fail:
	if (c->lfd != -1)
		close(c->lfd);
	free(c);
	return NULL;
}

static void
control_drop(struct control *c, size_t i)
{
	struct client	*cl = c->cl[i];

	close(cl->fd);
	free(cl->in);
	free(cl->out);
	free(cl);
	c->cl[i] = c->cl[--c->ncl];
	c->cl[c->ncl] = NULL;
}

void
control_close(struct control *c)
{
	struct stat	 sb;

	if (c == NULL)
		return;
	while (c->ncl > 0)
		control_drop(c, c->ncl - 1);
	if (c->lfd != -1)
		close(c->lfd);
	if (stat(c->path, &sb) == 0 && sb.st_dev == c->dev &&
	    sb.st_ino == c->ino)
		unlink(c->path);
	ctlcmd_state_free(&c->st);
	free(c);
}

int
control_pollfds(struct control *c, struct pollfd *pfd, int max)
{
	size_t	 i;
	int	 n = 0;

	c->lidx = -1;
	for (i = 0; i < c->ncl; i++)
		c->cl[i]->pidx = -1;
	if (max <= 0)
		return 0;
	c->slots = max - 1;
	/* Polled even when full: accept makes room by an idle client. */
	c->lidx = n;
	pfd[n++] = (struct pollfd){ c->lfd, POLLIN, 0 };
	for (i = 0; i < c->ncl && n < max; i++) {
		struct client	*cl = c->cl[i];
		short		 ev = 0;

		if (cl->outlen > cl->outoff)
			ev = POLLOUT;
		else if (cl->draining || (!cl->eof && !cl->closing))
			ev = POLLIN;
		cl->pidx = n;
		pfd[n++] = (struct pollfd){ cl->fd, ev, 0 };
	}
	return n;
}

/* Reads the groups of the peer; SO_PEERGROUPS, else /proc. */
static void
control_peer_groups(int fd, struct ctlcmd_peer *p)
{
	gid_t		 g[CONTROL_GROUPS_MAX];
	socklen_t	 len = sizeof(g);
	size_t		 i, n;

	p->ngroups = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == 0) {
		n = len / sizeof(gid_t);
		for (i = 0; i < n && i < CTLCMD_GROUPS_MAX; i++)
			p->groups[p->ngroups++] = g[i];
		return;
	}
	ctlcmd_proc_groups(p);
}

static void
control_accept_one(struct control *c, int fd)
{
	struct client	*cl = NULL;
	struct ucred	 uc;
	socklen_t	 len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    (cl = calloc(1, sizeof(*cl))) == NULL ||
	    (cl->in = malloc(CONTROL_READ_CHUNK)) == NULL) {
		log_warn("control: new client");
		free(cl);
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->pidx = -1;
	cl->peer.uid = uc.uid;
	cl->peer.gid = uc.gid;
	cl->peer.pid = uc.pid;
	control_peer_groups(fd, &cl->peer);
	cl->last_ms = util_mono_ms();
	c->cl[c->ncl++] = cl;
}

/*
 * When every slot is taken, the client idle longest (nothing to read
 * or write for a second or more) gives its place, so that holding
 * connections open cannot lock the operators out. Returns 0 when a
 * slot was freed.
 */
static int
control_evict_idle(struct control *c)
{
	static const char	 msg[] = "{\"ok\":false,\"code\":\"failed\","
				    "\"error\":\"idle: dropped for a new "
				    "client\"}\n";
	int64_t			 now = util_mono_ms();
	size_t			 i, best = c->ncl;

	for (i = 0; i < c->ncl; i++) {
		struct client	*cl = c->cl[i];

		if (cl->inlen > 0 || cl->outlen > cl->outoff ||
		    now - cl->last_ms < 1000)
			continue;
		if (best == c->ncl || cl->last_ms < c->cl[best]->last_ms)
			best = i;
	}
	if (best == c->ncl)
		return -1;
	(void)send(c->cl[best]->fd, msg, sizeof(msg) - 1,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	control_drop(c, best);
	return 0;
}

static void
control_accept(struct control *c)
{
	static struct log_limit	 lim;
	unsigned long		 held;
	int			 fd;

	for (;;) {
		fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    log_limit_pass(&lim, 60, &held))
				log_warn("control: accept");
			return;
		}
		if ((c->ncl >= CONTROL_CLIENTS_MAX ||
		    (int)c->ncl >= c->slots) && control_evict_idle(c) == -1) {
			/* Full: a short answer the peer can read, then go. */
			static const char msg[] = "{\"ok\":false,"
			    "\"code\":\"failed\",\"error\":\"too many "
			    "clients\"}\n";

			(void)send(fd, msg, sizeof(msg) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			if (log_limit_pass(&lim, 60, &held))
				log_warnx("control: %d clients: refusing more",
				    CONTROL_CLIENTS_MAX);
			continue;
		}
		control_accept_one(c, fd);
	}
}

static void
control_queue(struct client *cl, struct json_object *answer)
{
	size_t	 len;
	char	*line;

	if (answer == NULL)
		answer = proto_answer_error(PROTO_E_FAILED, "out of memory");
	line = answer != NULL ? proto_encode(answer, &len) : NULL;
	json_object_put(answer);
	if (line != NULL && len > CONTROL_OUT_MAX) {
		free(line);
		line = strdup("{\"ok\":false,\"code\":\"failed\","
		    "\"error\":\"answer too long\"}\n");
		len = line != NULL ? strlen(line) : 0;
	}
	if (line == NULL) {
		cl->closing = 1;
		return;
	}
	free(cl->out);
	cl->out = line;
	cl->outlen = len;
	cl->outoff = 0;
}

/* Answers the complete lines in the input while no answer is pending. */
static void
control_serve(struct control *c, struct client *cl)
{
	char	*nl;
	size_t	 len;

	while (!cl->closing && cl->outoff >= cl->outlen) {
		nl = memchr(cl->in, '\n', cl->inlen);
		if (nl == NULL) {
			if (cl->inlen > PROTO_LINE_MAX) {
				/* No way to find the next request: go. */
				control_queue(cl, proto_answer_error(
				    PROTO_E_USAGE, "request longer than %d "
				    "bytes", PROTO_LINE_MAX));
				cl->closing = 1;
			} else if (cl->eof && cl->inlen > 0) {
				nl = cl->in + cl->inlen;
			}
			if (nl == NULL)
				break;
		}
		len = (size_t)(nl - cl->in);
		control_queue(cl, ctlcmd_dispatch(c->d, &c->st, &cl->peer,
		    cl->in, len));
		len = len < cl->inlen ? len + 1 : len;
		memmove(cl->in, cl->in + len, cl->inlen - len);
		cl->inlen -= len;
	}
	if (cl->eof && cl->inlen == 0 && cl->outoff >= cl->outlen)
		cl->closing = 1;
}

/* Returns -1 when the client is to go. */
static int
control_read(struct client *cl)
{
	ssize_t	 r;

	while (cl->inlen < CONTROL_READ_CHUNK && !cl->eof) {
		r = read(cl->fd, cl->in + cl->inlen,
		    CONTROL_READ_CHUNK - cl->inlen);
		if (r == 0) {
			cl->eof = 1;
		} else if (r > 0) {
			cl->inlen += (size_t)r;
			cl->last_ms = util_mono_ms();
			if (memchr(cl->in + cl->inlen - r, '\n', (size_t)r))
				break;
		} else if (errno == EAGAIN || errno == EINTR) {
			break;
		} else {
			return -1;
		}
	}
	return 0;
}

static int
control_write(struct client *cl)
{
	ssize_t	 w;

	while (cl->outoff < cl->outlen) {
		w = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		cl->outoff += (size_t)w;
		cl->last_ms = util_mono_ms();
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	return 0;
}

/*
 * Closing a socket with unread input resets it, and the peer may lose
 * the answer: shut our side and read the rest away (up to a bound).
 */
static int
control_drain(struct client *cl)
{
	char	 buf[8192];
	ssize_t	 r;

	while ((r = read(cl->fd, buf, sizeof(buf))) > 0)
		if ((cl->drained += (size_t)r) > CONTROL_DRAIN_MAX)
			return -1;
	if (r == 0 || (errno != EAGAIN && errno != EINTR))
		return -1;
	return 0;
}

/* Returns -1 when the client is to go. */
static int
control_client(struct control *c, struct client *cl, short rev)
{
	if ((rev & (POLLERR | POLLNVAL)) && cl->outoff >= cl->outlen)
		return -1;
	if (cl->draining)
		return control_drain(cl);
	if ((rev & (POLLIN | POLLHUP)) && control_read(cl) == -1)
		return -1;
	if ((rev & POLLOUT) && control_write(cl) == -1)
		return -1;
	control_serve(c, cl);
	if (control_write(cl) == -1)
		return -1;
	control_serve(c, cl);
	if (cl->closing && cl->outoff >= cl->outlen) {
		if (cl->eof)
			return -1;
		shutdown(cl->fd, SHUT_WR);
		cl->draining = 1;
		return control_drain(cl);
	}
	return 0;
}

void
control_handle(struct control *c, const struct pollfd *pfd, int n)
{
	size_t	 i;
	int	 listen_ready = 0;

	if (c->lidx >= 0 && c->lidx < n && pfd[c->lidx].fd == c->lfd &&
	    pfd[c->lidx].revents != 0)
		listen_ready = 1;
	for (i = 0; i < c->ncl; i++) {
		struct client	*cl = c->cl[i];
		short		 rev;

		if (cl->pidx < 0 || cl->pidx >= n ||
		    pfd[cl->pidx].fd != cl->fd)
			continue;
		rev = pfd[cl->pidx].revents;
		cl->pidx = -1;
		if (rev == 0)
			continue;
		if (control_client(c, cl, rev) == -1) {
			control_drop(c, i);
			i--;
		}
	}
	if (listen_ready)
		control_accept(c);
}

static void
control_metrics(struct control *c)
{
	const char	*path = c->d->conf->metrics_file;
	char		 tmp[PATH_MAX];
	FILE		*f;
	int		 fd;

	if (path == NULL || *path == '\0')
		return;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		return;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		log_warn("control: metrics file %s", tmp);
		return;
	}
	if (control_prometheus(c, f) == -1 || fclose(f) == EOF) {
		log_warnx("control: metrics file %s: write failed", tmp);
		unlink(tmp);
		return;
	}
	if (rename(tmp, path) == -1) {
		log_warn("control: metrics file %s", path);
		unlink(tmp);
	}
}

void
control_tick(struct control *c)
{
	int64_t	 now = util_mono_ms();
	size_t	 i;

	for (i = 0; i < c->ncl; i++)
		if (now - c->cl[i]->last_ms > CONTROL_IDLE_MS) {
			log_debug("control: client pid %ld idle, closed",
			    (long)c->cl[i]->peer.pid);
			control_drop(c, i);
			i--;
		}
	if (now >= c->metrics_next) {
		c->metrics_next = now + CONTROL_METRICS_S * 1000;
		control_metrics(c);
	}
}

int
control_prometheus(struct control *c, FILE *out)
{
	return ctlcmd_prometheus(c->d, &c->st, out);
}
