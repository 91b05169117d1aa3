/*
 * abusemom-ctl: sends one request to abusemomd over its control socket
 * and prints the answer, as text or (--json) as the daemon wrote it.
 * Arguments are read by the command table of proto.h, so the client
 * refuses what the daemon would refuse before it connects.
 *
 * Exit status: 0 done, 1 refused or not found, 2 usage, 3 daemon
 * unreachable or permission denied.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "proto.h"
#include "report.h"
#include "util.h"
#include "version.h"

#define CTL_ANSWER_MAX	(256 * 1024 * 1024)
#define CTL_WAIT_MS	60000

typedef void (*ctl_print_fn)(struct json_object *);

struct ctl_cmd {
	const char	*name;
	const char	*usage;		/* from the protocol table */
	ctl_print_fn	 print;
};

static const char	*ctl_progname = "abusemom-ctl";

static void
ctl_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
ctl_die(int status, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", ctl_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static const char *
ctl_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return "";
	return json_object_get_string(v);
}

static long long
ctl_int(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	return (long long)json_object_get_int64(v);
}

static struct json_object *
ctl_get(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Seconds as the two largest units: "1h 5m", "3d 2h", "45s". */
static const char *
ctl_span(long long s, char *buf, size_t len)
{
	static const struct { long long n; char u; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t	 i;

	if (s <= 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	for (i = 0; i < 3 && s < units[i].n; i++)
		;
	if (i < 3 && s % units[i].n / units[i + 1].n != 0)
		snprintf(buf, len, "%lld%c %lld%c", s / units[i].n,
		    units[i].u, s % units[i].n / units[i + 1].n,
		    units[i + 1].u);
	else
		snprintf(buf, len, "%lld%c", s / units[i].n, units[i].u);
	return buf;
}

static void
ctl_print_status_jail(struct json_object *j)
{
	struct json_object	*files = ctl_get(j, "files");
	struct json_object	*list = ctl_get(j, "banned_list");
	size_t			 i, n;

	printf("Status for the jail: %s\n", ctl_str(j, "name"));
	printf("|- Filter: %s\n", ctl_str(j, "filter"));
	n = files != NULL ? json_object_array_length(files) : 0;
	printf("|  |- Files:\t\t%zu\n", n);
	for (i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(files, i);

		printf("|  |  %s %s (%lld lines, %lld unparsed%s)\n",
		    i + 1 < n ? "|-" : "`-", ctl_str(f, "path"),
		    ctl_int(f, "lines"), ctl_int(f, "unparsed"),
		    ctl_get(f, "error") != NULL ? ", failing" : "");
	}
	printf("|  |- Lines read:\t%lld\n", ctl_int(j, "lines"));
	printf("|  |- Unparsed lines:\t%lld\n", ctl_int(j, "unparsed"));
	printf("|  `- Signature hits:\t%lld\n", ctl_int(j, "hits"));
	printf("`- Actions\n");
	printf("   |- Currently banned:\t%lld\n", ctl_int(j, "banned"));
	printf("   |- Total banned:\t%lld\n", ctl_int(j, "total_banned"));
	printf("   `- Banned IP list:\t");
	n = list != NULL ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++)
		printf("%s%s", i ? " " : "", json_object_get_string(
		    json_object_array_get_idx(list, i)));
	printf("\n");
}

static void
ctl_print_status(struct json_object *a)
{
	struct json_object	*j = ctl_get(a, "jail"), *v;
	char			 buf[32];
	size_t			 i, n;

	if (j != NULL) {
		ctl_print_status_jail(j);
		return;
	}
	printf("abusemomd %s, up %s\n", ctl_str(a, "version"),
	    ctl_span(ctl_int(a, "uptime"), buf, sizeof(buf)));
	if (strcmp(ctl_str(a, "backend"), "none") == 0)
		printf("firewall: backend none (the kernel is not written)\n");
	else
		printf("firewall: %s, table inet %s %s\n",
		    ctl_str(a, "backend"), ctl_str(a, "table"),
		    json_object_get_boolean(ctl_get(a, "table_ok")) ?
		    "in place" : "MISSING");
	printf("sets:");
	json_object_object_foreach(ctl_get(a, "sets"), k, sv)
		printf(" %s %lld", k, (long long)json_object_get_int64(sv));
	printf("\ntracked addresses: %lld, active bans: %lld\n",
	    ctl_int(a, "tracked"), ctl_int(a, "bans_active"));
	v = ctl_get(a, "jails");
	n = v != NULL ? json_object_array_length(v) : 0;
	printf("%-16s %6s %10s %9s %8s %7s %7s\n", "JAIL", "FILES", "LINES",
	    "UNPARSED", "HITS", "BANNED", "TOTAL");
	for (i = 0; i < n; i++) {
		j = json_object_array_get_idx(v, i);
		printf("%-16s %6lld %10lld %9lld %8lld %7lld %7lld\n",
		    ctl_str(j, "name"), ctl_int(j, "nfiles"),
		    ctl_int(j, "lines"), ctl_int(j, "unparsed"),
		    ctl_int(j, "hits"), ctl_int(j, "banned"),
		    ctl_int(j, "total_banned"));
	}
}

static void
ctl_print_list(struct json_object *a)
{
	struct json_object	*v = ctl_get(a, "bans"), *b;
	char			 since[32], exp[32];
	size_t			 i, n;

	n = v != NULL ? json_object_array_length(v) : 0;
	if (n == 0) {
		printf("no active bans\n");
		return;
	}
	printf("%-24s %-4s %-12s %5s %-20s %-8s %5s %-8s %s\n", "ADDRESS",
	    "SET", "JAIL", "SCORE", "SINCE", "EXPIRES", "COUNT", "BY",
	    "REASON");
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(v, i);
		util_strlcpy(since, ctl_str(b, "since"), sizeof(since));
		if (ctl_get(b, "expires_in") == NULL)
			util_strlcpy(exp, "never", sizeof(exp));
		else
			ctl_span(ctl_int(b, "expires_in"), exp, sizeof(exp));
		printf("%-24s %-4s %-12s %5lld %-20s %-8s %5lld %-8s %s\n",
		    ctl_str(b, "prefix"), ctl_str(b, "set"),
		    ctl_str(b, "jail"), ctl_int(b, "score"), since, exp,
		    ctl_int(b, "count"), ctl_str(b, "by"),
		    ctl_str(b, "reason"));
	}
}

static void
ctl_print_ban(struct json_object *a)
{
	char	 buf[32];

	printf("banned %s in jail %s for %s\n", ctl_str(a, "prefix"),
	    ctl_str(a, "jail"), ctl_span(ctl_int(a, "ttl"), buf,
	    sizeof(buf)));
}

static void
ctl_print_unban(struct json_object *a)
{
	struct json_object	*v = ctl_get(a, "prefixes");
	size_t			 i, n;

	if (v != NULL) {
		n = json_object_array_length(v);
		printf("lifted %zu ban%s\n", n, n == 1 ? "" : "s");
		for (i = 0; i < n; i++)
			printf("  %s\n", json_object_get_string(
			    json_object_array_get_idx(v, i)));
		return;
	}
	printf("unbanned %s\n", ctl_str(a, "prefix"));
	if (ctl_get(a, "still_covered_by") != NULL)
		printf("note: %s is still inside the ban of %s\n",
		    ctl_str(a, "prefix"), ctl_str(a, "still_covered_by"));
}

static void
ctl_print_report(struct json_object *a)
{
	const char	*s = ctl_str(a, "report");
	size_t		 n = strlen(s);

	fputs(s, stdout);
	if (n > 0 && s[n - 1] != '\n')
		fputc('\n', stdout);
}

static void
ctl_print_top(struct json_object *a)
{
	struct json_object	*v = ctl_get(a, "offenders"), *o;
	size_t			 i, n;

	n = v != NULL ? json_object_array_length(v) : 0;
	if (n == 0) {
		printf("no offenders\n");
		return;
	}
	printf("%-40s %5s %-8s %8s %-20s %s\n", "ADDRESS", "SCORE",
	    "VERDICT", "HITS", "LAST SEEN", "BANNED");
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(v, i);
		printf("%-40s %5lld %-8s %8lld %-20s %s\n",
		    ctl_str(o, "addr"), ctl_int(o, "score"),
		    ctl_str(o, "verdict"), ctl_int(o, "hits"),
		    ctl_str(o, "last_seen"),
		    json_object_get_boolean(ctl_get(o, "banned")) ?
		    "yes" : "no");
	}
}

static void
ctl_print_reload(struct json_object *a)
{
	printf("configuration reloaded: %lld jails, %lld bans lifted\n",
	    ctl_int(a, "jails"), ctl_int(a, "lifted"));
}

static void
ctl_print_stats(struct json_object *a)
{
	fputs(ctl_str(a, "text"), stdout);
}

static void
ctl_print_ping(struct json_object *a)
{
	(void)a;
	printf("pong\n");
}

static void
ctl_print_version(struct json_object *a)
{
	printf("abusemomd %s, abusemom-ctl %s\n", ctl_str(a, "version"),
	    ABUSEMOM_VERSION);
}

static struct ctl_cmd ctl_cmds[] = {
	{ "status", NULL, ctl_print_status },
	{ "list", NULL, ctl_print_list },
	{ "ban", NULL, ctl_print_ban },
	{ "unban", NULL, ctl_print_unban },
	{ "report", NULL, ctl_print_report },
	{ "top", NULL, ctl_print_top },
	{ "reload", NULL, ctl_print_reload },
	{ "stats", NULL, ctl_print_stats },
	{ "ping", NULL, ctl_print_ping },
	{ "version", NULL, ctl_print_version },
};

static void
ctl_usage(FILE *f)
{
	const struct proto_cmd	*pc;
	size_t			 i;

	fprintf(f, "usage: %s [-s socket] [--json] command [args]\n"
	    "       %s command --help\n\ncommands:\n", ctl_progname,
	    ctl_progname);
	for (i = 0; i < UTIL_NELEM(ctl_cmds); i++) {
		pc = proto_cmd_find(ctl_cmds[i].name);
		fprintf(f, "  %s\n        %s\n", ctl_cmds[i].usage, pc->help);
	}
	fprintf(f, "\ndefault socket: %s\n", PROTO_SOCKET_DEFAULT);
}

static void __attribute__((noreturn))
ctl_cmd_usage(const struct ctl_cmd *c, int status, const char *why)
{
	const struct proto_cmd	*pc = proto_cmd_find(c->name);

	if (why != NULL)
		fprintf(stderr, "%s: %s\n", ctl_progname, why);
	fprintf(status ? stderr : stdout, "usage: %s %s\n  %s\n",
	    ctl_progname, c->usage, pc->help);
	exit(status);
}

static struct json_object *
ctl_value(const struct ctl_cmd *c, const struct proto_arg *pa,
    const char *s)
{
	struct json_object	*v;
	long long		 n;
	char			 err[256];

	if (pa->type == PROTO_INT) {
		if (util_parse_int(s, pa->min, pa->max, &n) == -1) {
			snprintf(err, sizeof(err), "%s: a number from %lld to "
			    "%lld is wanted", pa->opt, pa->min, pa->max);
			ctl_cmd_usage(c, 2, err);
		}
		v = json_object_new_int64(n);
	} else
		v = json_object_new_string(s);
	if (proto_arg_check(pa, v, err, sizeof(err)) == -1) {
		json_object_put(v);
		ctl_cmd_usage(c, 2, err);
	}
	return v;
}

/* The option spec matching arg ("--jail", "--jail=x"), or NULL. */
static const struct proto_arg *
ctl_option(const struct proto_cmd *pc, const char *arg, const char **val)
{
	const struct proto_arg	*pa;
	size_t			 n;

	*val = NULL;
	for (pa = pc->args; pa->name != NULL; pa++) {
		if (pa->opt == NULL)
			continue;
		n = strlen(pa->opt);
		if (strncmp(arg, pa->opt, n) != 0)
			continue;
		if (arg[n] == '\0')
			return pa;
		if (arg[n] == '=' && pa->type != PROTO_BOOL) {
			*val = arg + n + 1;
			return pa;
		}
	}
	return NULL;
}

/* The next positional argument spec after prev, or NULL. */
static const struct proto_arg *
ctl_positional(const struct proto_cmd *pc, const struct proto_arg *prev)
{
	const struct proto_arg	*pa = prev != NULL ? prev + 1 : pc->args;

	for (; pa->name != NULL; pa++)
		if (pa->flags & PROTO_POSITIONAL)
			return pa;
	return NULL;
}

static struct json_object *
ctl_args(const struct ctl_cmd *c, int argc, char **argv)
{
	const struct proto_cmd	*pc = proto_cmd_find(c->name);
	const struct proto_arg	*pa, *pos = NULL;
	struct json_object	*req = proto_request_new(c->name), *args;
	const char		*val;
	char			 err[512];
	int			 i;

	args = proto_request_args(req);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			ctl_cmd_usage(c, 0, NULL);
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			if ((pa = ctl_option(pc, argv[i], &val)) == NULL) {
				snprintf(err, sizeof(err), "unknown option %s",
				    argv[i]);
				ctl_cmd_usage(c, 2, err);
			}
			if (pa->type == PROTO_BOOL) {
				json_object_object_add(args, pa->name,
				    json_object_new_boolean(1));
				continue;
			}
			if (val == NULL && ++i == argc) {
				snprintf(err, sizeof(err), "%s needs a value",
				    pa->opt);
				ctl_cmd_usage(c, 2, err);
			}
			json_object_object_add(args, pa->name, ctl_value(c, pa,
			    val != NULL ? val : argv[i]));
			continue;
		}
		if ((pos = ctl_positional(pc, pos)) == NULL) {
			snprintf(err, sizeof(err), "unexpected argument %s",
			    argv[i]);
			ctl_cmd_usage(c, 2, err);
		}
		json_object_object_add(args, pos->name,
		    ctl_value(c, pos, argv[i]));
	}
	/* The same checks the daemon makes. */
	val = proto_encode(req, NULL);
	{
		struct proto_req	 r;

		if (val == NULL)
			ctl_die(1, "out of memory");
		if (proto_request_decode(val, strlen(val), &r, err,
		    sizeof(err)) == -1)
			ctl_cmd_usage(c, 2, err);
		proto_req_free(&r);
		free((char *)val);
	}
	return req;
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		ctl_die(2, "%s: socket path too long", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		ctl_die(3, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EACCES || errno == EPERM)
			ctl_die(3, "%s: permission denied (need root or the "
			    "socket's group)", path);
		ctl_die(3, "cannot reach abusemomd at %s: %s", path,
		    strerror(errno));
	}
	return fd;
}

static void
ctl_send(int fd, const char *line, size_t len)
{
	ssize_t	 w;

	while (len > 0) {
		if ((w = send(fd, line, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			ctl_die(3, "sending the request: %s", strerror(errno));
		}
		line += w;
		len -= (size_t)w;
	}
}

/* Reads one answer line; returns it malloc'd, length in *len. */
static char *
ctl_recv(int fd, size_t *len)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 cap = 65536, n = 0;
	char		*buf = malloc(cap), *nb;
	ssize_t		 r;

	for (;;) {
		if (buf == NULL)
			ctl_die(1, "out of memory");
		if (n == cap) {
			if (cap >= CTL_ANSWER_MAX)
				ctl_die(3, "answer longer than %d bytes",
				    CTL_ANSWER_MAX);
			nb = realloc(buf, cap * 2);
			if (nb == NULL)
				free(buf);
			buf = nb;
			cap *= 2;
			continue;
		}
		if (poll(&pfd, 1, CTL_WAIT_MS) == 0)
			ctl_die(3, "no answer from the daemon");
		if ((r = read(fd, buf + n, cap - n)) < 0) {
			if (errno == EINTR)
				continue;
			ctl_die(3, "reading the answer: %s", strerror(errno));
		}
		if (r == 0)
			ctl_die(3, "the daemon closed the connection");
		if (memchr(buf + n, '\n', (size_t)r) != NULL) {
			n += (size_t)r;
			*len = (size_t)((char *)memchr(buf, '\n', n) - buf);
			return buf;
		}
		n += (size_t)r;
	}
}

/* Sends req (not consumed) and returns the decoded answer. */
static struct json_object *
ctl_ask(const char *sock, struct json_object *req)
{
	struct json_object	*ans;
	char			*line, err[256];
	size_t			 len;
	int			 fd;

	if ((line = proto_encode(req, &len)) == NULL)
		ctl_die(1, "out of memory");
	fd = ctl_connect(sock);
	ctl_send(fd, line, len);
	free(line);
	line = ctl_recv(fd, &len);
	close(fd);
	if ((ans = proto_answer_decode(line, len, err, sizeof(err))) == NULL)
		ctl_die(3, "%s", err);
	free(line);
	return ans;
}

/* The addresses report --all writes a page for. */
struct ctl_addrs {
	struct addr	*v;
	size_t		 n, cap;
};

static void
ctl_addrs_add(struct ctl_addrs *l, const char *s)
{
	struct prefix	 p;
	size_t		 i;

	if (prefix_parse(&p, s) == -1 || p.len != addr_bits(&p.addr))
		return;
	for (i = 0; i < l->n; i++)
		if (addr_eq(&l->v[i], &p.addr))
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((l->v = reallocarray(l->v, l->cap, sizeof(*l->v))) == NULL)
			ctl_die(1, "out of memory");
	}
	l->v[l->n++] = p.addr;
}

/*
 * Banned offenders (top keeps their addresses; an IPv6 ban is a /64)
 * and the host bans of list that are single addresses.
 */
static void
ctl_banned(const char *sock, struct ctl_addrs *l)
{
	struct json_object	*req, *ans, *v, *o;
	size_t			 i, n;

	req = proto_request_new("top");
	json_object_object_add(proto_request_args(req), "n",
	    json_object_new_int(1000));
	if (proto_answer_status(ans = ctl_ask(sock, req)) != 0)
		ctl_die(proto_answer_status(ans), "top: %s",
		    ctl_str(ans, "error"));
	json_object_put(req);
	v = ctl_get(ans, "offenders");
	n = v != NULL ? json_object_array_length(v) : 0;
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(v, i);
		if (json_object_get_boolean(ctl_get(o, "banned")))
			ctl_addrs_add(l, ctl_str(o, "addr"));
	}
	json_object_put(ans);
	req = proto_request_new("list");
	if (proto_answer_status(ans = ctl_ask(sock, req)) != 0)
		ctl_die(proto_answer_status(ans), "list: %s",
		    ctl_str(ans, "error"));
	json_object_put(req);
	v = ctl_get(ans, "bans");
	n = v != NULL ? json_object_array_length(v) : 0;
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(v, i);
		if (!json_object_get_boolean(ctl_get(o, "subnet")))
			ctl_addrs_add(l, ctl_str(o, "prefix"));
	}
	json_object_put(ans);
}

static void
ctl_index_from(struct report_index *x, const struct addr *a,
    struct json_object *o)
{
	memset(x, 0, sizeof(*x));
	x->addr = *a;
	x->score = (int)ctl_int(o, "score");
	x->threshold = (int)ctl_int(o, "threshold");
	x->banned = json_object_get_boolean(ctl_get(o, "banned"));
	x->last_ms = ctl_int(o, "last_ms");
	x->asn = (unsigned)ctl_int(o, "asn");
	util_strlcpy(x->country_code, ctl_str(o, "country_code"),
	    sizeof(x->country_code));
	util_strlcpy(x->asn_org, ctl_str(o, "asn_org"), sizeof(x->asn_org));
}

/* Writes s to dir/name. */
static void
ctl_write_file(const char *dir, const char *name, const char *s)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "we")) == NULL)
		ctl_die(1, "%s: %s", path, strerror(errno));
	fputs(s, f);
	if (fclose(f) == EOF)
		ctl_die(1, "%s: %s", path, strerror(errno));
}

/* Asks for the HTML report of a; 0 and *x filled, or 1 when gone. */
static int
ctl_report_one(const char *sock, struct json_object *req,
    const struct addr *a, const char *dir, struct report_index *x)
{
	struct json_object	*ans;
	char			 buf[ADDR_STRLEN], name[ADDR_STRLEN + 8];
	int			 st;

	addr_format(a, buf, sizeof(buf));
	json_object_object_add(proto_request_args(req), "addr",
	    json_object_new_string(buf));
	ans = ctl_ask(sock, req);
	if ((st = proto_answer_status(ans)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", ctl_progname, buf,
		    ctl_str(ans, "error"));
		json_object_put(ans);
		if (st != 1)
			exit(st);
		return 1;
	}
	snprintf(name, sizeof(name), "%s.html", buf);
	ctl_write_file(dir, name, ctl_str(ans, "report"));
	ctl_index_from(x, a, ctl_get(ans, "index"));
	json_object_put(ans);
	return 0;
}

/*
 * report --all --out DIR: one request per banned address, so the
 * daemon's loop runs between pages; DIR/ADDR.html and DIR/index.html.
 */
static int
ctl_report_all(const char *sock, struct json_object *args)
{
	const char		*dir = ctl_str(args, "out");
	struct ctl_addrs	 l = { NULL, 0, 0 };
	struct report_index	*x;
	struct json_object	*req, *ra;
	size_t			 i, n = 0;
	FILE			*f;
	char			 path[4096];

	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		ctl_die(1, "%s: %s", dir, strerror(errno));
	ctl_banned(sock, &l);
	if ((x = calloc(l.n + 1, sizeof(*x))) == NULL)
		ctl_die(1, "out of memory");
	req = proto_request_new("report");
	ra = proto_request_args(req);
	json_object_object_add(ra, "format", json_object_new_string("html"));
	if (json_object_get_boolean(ctl_get(args, "redact")))
		json_object_object_add(ra, "redact",
		    json_object_new_boolean(1));
	if (json_object_get_boolean(ctl_get(args, "nodnsbl")))
		json_object_object_add(ra, "nodnsbl",
		    json_object_new_boolean(1));
	for (i = 0; i < l.n; i++)
		if (ctl_report_one(sock, req, &l.v[i], dir, &x[n]) == 0)
			n++;
	json_object_put(req);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	if ((f = fopen(path, "we")) == NULL ||
	    report_write_index(x, n, util_now_ms(), f) == -1 ||
	    fclose(f) == EOF)
		ctl_die(1, "%s: %s", path, strerror(errno));
	printf("wrote %zu report%s and %s\n", n, n == 1 ? "" : "s", path);
	free(x);
	free(l.v);
	return 0;
}

/* Checks what report --all needs, then runs it. */
static int
ctl_report_cmd(const struct ctl_cmd *c, const char *sock,
    struct json_object *req)
{
	struct json_object	*args = proto_request_args(req);
	const char		*fmt = ctl_str(args, "format");
	int			 all, st;

	all = json_object_get_boolean(ctl_get(args, "all"));
	if (!all && ctl_get(args, "out") != NULL)
		ctl_cmd_usage(c, 2, "--out goes with --all");
	if (all && ctl_get(args, "out") == NULL)
		ctl_cmd_usage(c, 2, "--all needs --out DIR");
	if (all && *fmt != '\0' && strcmp(fmt, "html") != 0)
		ctl_cmd_usage(c, 2, "--all writes HTML pages");
	st = ctl_report_all(sock, args);
	json_object_put(req);
	return st;
}

int
main(int argc, char *argv[])
{
	const char		*sock = PROTO_SOCKET_DEFAULT;
	const struct ctl_cmd	*c = NULL;
	struct json_object	*req, *ans;
	char			*line, err[256];
	size_t			 i, len;
	int			 json = 0, fd, st, ai;

	for (i = 0; i < UTIL_NELEM(ctl_cmds); i++)
		ctl_cmds[i].usage = proto_cmd_find(ctl_cmds[i].name)->usage;
	for (ai = 1; ai < argc && argv[ai][0] == '-'; ai++) {
		if (strcmp(argv[ai], "-s") == 0 && ai + 1 < argc)
			sock = argv[++ai];
		else if (strcmp(argv[ai], "--json") == 0)
			json = 1;
		else if (strcmp(argv[ai], "--help") == 0 ||
		    strcmp(argv[ai], "-h") == 0) {
			ctl_usage(stdout);
			return 0;
		} else if (strcmp(argv[ai], "-V") == 0 ||
		    strcmp(argv[ai], "--version") == 0) {
			printf("abusemom-ctl %s\n", ABUSEMOM_VERSION);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown option %s\n",
			    ctl_progname, argv[ai]);
			ctl_usage(stderr);
			return 2;
		}
	}
	if (ai == argc) {
		ctl_usage(stderr);
		return 2;
	}
	for (i = 0; i < UTIL_NELEM(ctl_cmds); i++)
		if (strcmp(ctl_cmds[i].name, argv[ai]) == 0)
			c = &ctl_cmds[i];
	if (c == NULL) {
		fprintf(stderr, "%s: unknown command %s\n", ctl_progname,
		    argv[ai]);
		ctl_usage(stderr);
		return 2;
	}
	req = ctl_args(c, argc - ai - 1, argv + ai + 1);
	if (strcmp(c->name, "report") == 0 &&
	    (ctl_get(proto_request_args(req), "all") != NULL ||
	    ctl_get(proto_request_args(req), "out") != NULL))
		return ctl_report_cmd(c, sock, req);
	if ((line = proto_encode(req, &len)) == NULL)
		ctl_die(1, "out of memory");
	json_object_put(req);
	fd = ctl_connect(sock);
	ctl_send(fd, line, len);
	free(line);
	line = ctl_recv(fd, &len);
	close(fd);
	if ((ans = proto_answer_decode(line, len, err, sizeof(err))) == NULL)
		ctl_die(3, "%s", err);
	st = proto_answer_status(ans);
	if (json)
		printf("%.*s\n", (int)len, line);
	else if (st == 0)
		c->print(ans);
	if (st != 0)
		fprintf(stderr, "%s: %s\n", ctl_progname,
		    ctl_str(ans, "error"));
	json_object_put(ans);
	free(line);
	return st;
}
