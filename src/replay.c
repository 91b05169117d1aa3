/* Offline replay of log files through the detection pipeline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "engine.h"
#include "log.h"
#include "replay.h"
#include "util.h"

#define REPLAY_JSON \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct replay_file {
	const char	*path;
	unsigned long	 lines, skipped;
};

struct replay {
	FILE		*out;
	int		 json;
	const struct conf *conf;
	struct replay_file *files;
	int		 nfiles;
};

static json_object *
replay_kinds(const uint16_t *kinds)
{
	json_object	*o = json_object_new_object();
	int		 k;

	for (k = 0; k < SIG_NKINDS; k++)
		if (kinds[k] > 0)
			json_object_object_add(o, sig_name((enum sig_kind)k),
			    json_object_new_int(kinds[k]));
	return o;
}

static void
replay_kinds_text(const uint16_t *kinds, char *buf, size_t len)
{
	size_t	 o = 0;
	int	 k;

	buf[0] = '\0';
	for (k = 0; k < SIG_NKINDS && o < len; k++)
		if (kinds[k] > 0)
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%u",
			    o ? " " : "", sig_name((enum sig_kind)k), kinds[k]);
}

static void
replay_ban(void *arg, const struct decision *d)
{
	struct replay	*r = arg;
	char		 addr[ADDR_STRLEN], when[32], sigs[256], bt[32];

	addr_format(&d->prefix.addr, addr, sizeof(addr));
	util_format_time(d->time_ms, when, sizeof(when));
	if (r->json) {
		json_object	*o = json_object_new_object();

		json_object_object_add(o, "action",
		    json_object_new_string("ban"));
		json_object_object_add(o, "addr", json_object_new_string(addr));
		json_object_object_add(o, "prefix",
		    json_object_new_int(d->prefix.len));
		json_object_object_add(o, "jail",
		    json_object_new_string(d->jail));
		json_object_object_add(o, "score",
		    json_object_new_int((int)d->score));
		json_object_object_add(o, "verdict",
		    json_object_new_string(d->verdict));
		json_object_object_add(o, "signatures",
		    replay_kinds(d->kinds));
		json_object_object_add(o, "time",
		    json_object_new_string(when));
		json_object_object_add(o, "bantime",
		    json_object_new_int64(d->bantime));
		fprintf(r->out, "%s\n", json_object_to_json_string_ext(o,
		    REPLAY_JSON));
		json_object_put(o);
		return;
	}
	replay_kinds_text(d->kinds, sigs, sizeof(sigs));
	util_format_duration(d->bantime, bt, sizeof(bt));
	fprintf(r->out, "%s  %-6s %s/%u  jail=%s score=%u %s bantime=%s%s%s\n",
	    when, d->subnet ? "subnet" : "ban", addr, d->prefix.len, d->jail,
	    d->score, d->verdict, bt, sigs[0] ? "  " : "", sigs);
}

struct replay_list {
	struct offender	**v;
	size_t		 n, cap;
};

static void
replay_collect(void *arg, struct offender *o)
{
	struct replay_list	*l = arg;

	if (o->peak == 0)
		return;
	if (l->n == l->cap) {
		size_t		 cap = l->cap ? l->cap * 2 : 256;
		struct offender	**v = reallocarray(l->v, cap, sizeof(*v));

		if (v == NULL)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = o;
}

static int
replay_cmp(const void *a, const void *b)
{
	const struct offender	*x = *(struct offender *const *)a;
	const struct offender	*y = *(struct offender *const *)b;

	if (x->peak != y->peak)
		return x->peak > y->peak ? -1 : 1;
	return memcmp(x->addr.bytes, y->addr.bytes, 16);
}

static void
replay_offenders(struct replay *r, struct engine *e)
{
	struct replay_list	 l = { NULL, 0, 0 };
	size_t			 i;
	uint32_t		 thr = (uint32_t)r->conf->threshold;

	score_foreach(engine_scores(e), replay_collect, &l);
	if (l.n > 0)
		qsort(l.v, l.n, sizeof(*l.v), replay_cmp);
	if (!r->json && l.n > 0)
		fprintf(r->out, "\n%-40s %5s %-8s %7s  %s\n", "ADDRESS",
		    "SCORE", "VERDICT", "HITS", "SIGNATURES");
	for (i = 0; i < l.n; i++) {
		struct offender	*o = l.v[i];
		char		 addr[ADDR_STRLEN], sigs[256];

		addr_format(&o->addr, addr, sizeof(addr));
		if (r->json) {
			/*
			 * Written by hand: tens of thousands of lines, and no
			 * field needs escaping (an address, numbers, names).
			 */
			sig_kinds_json(o->peak_kind, sigs, sizeof(sigs));
			fprintf(r->out, "{\"action\":\"offender\",\"addr\":"
			    "\"%s\",\"score\":%u,\"verdict\":\"%s\","
			    "\"hits\":%u,\"signatures\":%s}\n", addr, o->peak,
			    score_verdict(o->peak, thr), o->hits, sigs);
			continue;
		}
		replay_kinds_text(o->peak_kind, sigs, sizeof(sigs));
		fprintf(r->out, "%-40s %5u %-8s %7u  %s\n", addr, o->peak,
		    score_verdict(o->peak, thr), o->hits, sigs);
	}
	free(l.v);
}

static void
replay_summary(struct replay *r, struct engine *e, double secs)
{
	const struct engine_stats	*s = engine_stats(e);
	json_object			*o, *files;
	int				 i;

	if (!r->json) {
		fprintf(r->out, "\n");
		for (i = 0; i < r->nfiles; i++)
			fprintf(r->out, "file %s: %lu lines, %lu skipped\n",
			    r->files[i].path, r->files[i].lines,
			    r->files[i].skipped);
		fprintf(r->out, "lines %lu  parsed %lu  skipped %lu  bans %lu"
		    "  subnet bans %lu  seconds %.3f\n", s->lines, s->parsed,
		    s->unparsed, s->bans, s->subnet_bans, secs);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "action", json_object_new_string("summary"));
	json_object_object_add(o, "lines", json_object_new_int64(s->lines));
	json_object_object_add(o, "parsed", json_object_new_int64(s->parsed));
	json_object_object_add(o, "skipped",
	    json_object_new_int64(s->unparsed));
	json_object_object_add(o, "bans", json_object_new_int64(s->bans));
	json_object_object_add(o, "subnet_bans",
	    json_object_new_int64(s->subnet_bans));
	json_object_object_add(o, "seconds", json_object_new_double(secs));
	files = json_object_new_array();
	for (i = 0; i < r->nfiles; i++) {
		json_object	*f = json_object_new_object();

		json_object_object_add(f, "path",
		    json_object_new_string(r->files[i].path));
		json_object_object_add(f, "lines",
		    json_object_new_int64(r->files[i].lines));
		json_object_object_add(f, "skipped",
		    json_object_new_int64(r->files[i].skipped));
		json_object_array_add(files, f);
	}
	json_object_object_add(o, "files", files);
	fprintf(r->out, "%s\n", json_object_to_json_string_ext(o,
	    REPLAY_JSON));
	json_object_put(o);
}

/* Picks the jails: every enabled one, or those named. */
static int
replay_jails(const struct conf *c, const char *names, size_t **out,
    size_t *n)
{
	size_t	*v = calloc(c->njails + 1, sizeof(*v)), i;
	char	*list, *p, *save = NULL;

	*n = 0;
	if (v == NULL)
		return -1;
	*out = v;
	if (names == NULL) {
		for (i = 0; i < c->njails; i++)
			if (c->jails[i].enabled)
				v[(*n)++] = i;
		return 0;
	}
	if ((list = strdup(names)) == NULL)
		return -1;
	for (p = strtok_r(list, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		struct jail_conf	*jc = conf_jail(c, p);

		if (jc == NULL || !jc->enabled) {
			fprintf(stderr, "abusemomd: no enabled jail '%s'\n", p);
			free(list);
			return -1;
		}
		v[(*n)++] = (size_t)(jc - c->jails);
		if (*n == c->njails)
			break;
	}
	free(list);
	if (*n == 0) {
		fprintf(stderr, "abusemomd: --jail names no jail\n");
		return -1;
	}
	return 0;
}

#define REPLAY_CHUNK	(1 << 20)

static void
replay_line(struct engine *e, struct replay_file *rf, const size_t *jails,
    size_t nj, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	rf->lines++;
	if (!engine_feed(e, jails, nj, line, len, 0))
		rf->skipped++;
}

/* Reads a file in large chunks and feeds it line by line. */
static int
replay_file(struct engine *e, struct replay_file *rf, const size_t *jails,
    size_t nj)
{
	char	*buf, *nl, *nb;
	size_t	 cap = REPLAY_CHUNK, have = 0, start;
	ssize_t	 n;
	int	 fd, rv = 0;

	if ((fd = open(rf->path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "abusemomd: %s: %s\n", rf->path,
		    strerror(errno));
		return -1;
	}
	if ((buf = malloc(cap)) == NULL)
		fatalx("replay: out of memory");
	for (;;) {
		if (have == cap) {
			/* One line longer than the buffer: make room. */
			if ((nb = realloc(buf, cap * 2)) == NULL)
				fatalx("replay: out of memory");
			buf = nb;
			cap *= 2;
		}
		if ((n = read(fd, buf + have, cap - have)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "abusemomd: %s: %s\n", rf->path,
			    strerror(errno));
			rv = -1;
			break;
		}
		if (n == 0) {
			if (have > 0)	/* A last line without its newline. */
				replay_line(e, rf, jails, nj, buf, have);
			break;
		}
		have += (size_t)n;
		for (start = 0; (nl = memchr(buf + start, '\n',
		    have - start)) != NULL; start = (size_t)(nl - buf) + 1)
			replay_line(e, rf, jails, nj, buf + start,
			    (size_t)(nl - buf) - start);
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	free(buf);
	close(fd);
	return rv;
}

int
replay_run(struct conf *c, char *const *files, int nfiles,
    const char *jails, int json, FILE *out)
{
	struct replay		 r = { out, json, c, NULL, nfiles };
	struct engine_sink	 sink = { replay_ban, NULL, NULL, &r };
	struct engine		*e;
	struct timespec		 t0, t1;
	size_t			*jv = NULL, nj;
	int			 i, rv = 0;

	if (replay_jails(c, jails, &jv, &nj) == -1) {
		free(jv);
		return 1;
	}
	for (i = 0; i < nfiles; i++) {
		struct stat	 sb;

		if (access(files[i], R_OK) == -1 || stat(files[i], &sb) == -1) {
			fprintf(stderr, "abusemomd: %s: %s\n", files[i],
			    strerror(errno));
			free(jv);
			return 1;
		}
		if (S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "abusemomd: %s: is a directory\n",
			    files[i]);
			free(jv);
			return 1;
		}
	}
	if ((e = engine_new(c, &sink)) == NULL ||
	    (r.files = calloc((size_t)nfiles + 1, sizeof(*r.files))) == NULL)
		fatalx("replay: out of memory");
	for (i = 0; i < nfiles; i++)
		r.files[i].path = files[i];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nfiles && rv == 0; i++)
		if (replay_file(e, &r.files[i], jv, nj) == -1)
			rv = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	replay_offenders(&r, e);
	replay_summary(&r, e, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	engine_free(e);
	free(r.files);
	free(jv);
	return rv;
}
