/*
 * The control protocol: the command table and the checks a request
 * goes through before the daemon acts on it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "proto.h"
#include "util.h"

#define DURMAX	(10LL * 365 * 86400)

#define A_JAIL(fl, o)	{ "jail", PROTO_STRING, fl, o, 1, PROTO_JAIL_MAX, \
			    NULL }

static const struct proto_cmd proto_table[] = {
	{ "status", "status [JAIL]",
	    "daemon, firewall and per-jail counters, or one jail",
	    0, { NULL, NULL }, {
		A_JAIL(PROTO_POSITIONAL, NULL),
		{ NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "list", "list [--jail J]", "active bans", 0, { NULL, NULL }, {
		A_JAIL(0, "--jail"),
		{ NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "ban", "ban ADDR[/LEN] [--jail J] [--time DUR] [--reason TEXT] "
	    "[--force]", "ban an address or prefix by hand",
	    1, { NULL, NULL }, {
		{ "addr", PROTO_PREFIX, PROTO_REQUIRED | PROTO_POSITIONAL,
		    NULL, 0, 0, NULL },
		A_JAIL(0, "--jail"),
		{ "time", PROTO_DURATION, 0, "--time", 1, DURMAX, NULL },
		{ "reason", PROTO_STRING, 0, "--reason", 0,
		    PROTO_REASON_MAX, NULL },
		{ "force", PROTO_BOOL, 0, "--force", 0, 0, NULL },
		{ NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "unban", "unban ADDR[/LEN] | --all [--jail J]",
	    "lift bans in the kernel and the store",
	    1, { "addr", "all" }, {
		{ "addr", PROTO_PREFIX, PROTO_POSITIONAL, NULL, 0, 0, NULL },
		{ "all", PROTO_BOOL, 0, "--all", 0, 0, NULL },
		A_JAIL(0, "--jail"),
		{ NULL, 0, 0, NULL, 0, 0, NULL } } },
	/* --all and --out are the client's: it writes the files. */
	{ "report", "report ADDR | --all --out DIR "
	    "[--format text|json|html] [--redact] [--no-dnsbl]",
	    "the threat report of an address, or HTML pages of every ban",
	    0, { "addr", "all" }, {
		{ "addr", PROTO_ADDR, PROTO_POSITIONAL, NULL, 0, 0, NULL },
		{ "all", PROTO_BOOL, 0, "--all", 0, 0, NULL },
		{ "out", PROTO_STRING, 0, "--out", 1, 1023, NULL },
		{ "format", PROTO_ENUM, 0, "--format", 0, 0,
		    "text json html" },
		{ "redact", PROTO_BOOL, 0, "--redact", 0, 0, NULL },
		{ "nodnsbl", PROTO_BOOL, 0, "--no-dnsbl", 0, 0, NULL },
		{ NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "top", "top [-n N] [--by score|hits]", "worst offenders",
	    0, { NULL, NULL }, {
		{ "n", PROTO_INT, 0, "-n", 1, 1000, NULL },
		{ "by", PROTO_ENUM, 0, "--by", 0, 0, "score hits" },
		{ NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "reload", "reload", "re-read the configuration", 1,
	    { NULL, NULL }, { { NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "stats", "stats [--prometheus]", "counters", 0, { NULL, NULL }, {
		{ "prometheus", PROTO_BOOL, 0, "--prometheus", 0, 0, NULL },
		{ NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "ping", "ping", "check that the daemon answers", 0,
	    { NULL, NULL }, { { NULL, 0, 0, NULL, 0, 0, NULL } } },
	{ "version", "version", "the daemon's version", 0,
	    { NULL, NULL }, { { NULL, 0, 0, NULL, 0, 0, NULL } } },
};

const struct proto_cmd *
proto_cmds(size_t *n)
{
	*n = UTIL_NELEM(proto_table);
	return proto_table;
}

const struct proto_cmd *
proto_cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < UTIL_NELEM(proto_table); i++)
		if (strcmp(proto_table[i].name, name) == 0)
			return &proto_table[i];
	return NULL;
}

const struct proto_arg *
proto_arg_find(const struct proto_cmd *cmd, const char *name)
{
	const struct proto_arg	*a;

	for (a = cmd->args; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static int
proto_word_in(const char *word, const char *list)
{
	size_t	 n = strlen(word);
	const char *p = list;

	while (*p != '\0') {
		size_t	 w = strcspn(p, " ");

		if (w == n && strncmp(p, word, n) == 0)
			return 1;
		p += w;
		p += strspn(p, " ");
	}
	return 0;
}

static int
proto_check_string(const struct proto_arg *a, struct json_object *v,
    char *err, size_t errlen)
{
	const char	*s;
	size_t		 n;

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "%s: a string is wanted", a->name);
		return -1;
	}
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (strlen(s) != n) {
		snprintf(err, errlen, "%s: holds a NUL byte", a->name);
		return -1;
	}
	if (a->type == PROTO_STRING && ((long long)n < a->min ||
	    (long long)n > a->max)) {
		snprintf(err, errlen, "%s: length must be %lld to %lld",
		    a->name, a->min, a->max);
		return -1;
	}
	if (a->type == PROTO_ENUM && !proto_word_in(s, a->choices)) {
		snprintf(err, errlen, "%s: one of %s is wanted", a->name,
		    a->choices);
		return -1;
	}
	return 0;
}

static int
proto_check_addr(const struct proto_arg *a, struct json_object *v,
    char *err, size_t errlen)
{
	struct prefix	 p;
	const char	*s;

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "%s: a string is wanted", a->name);
		return -1;
	}
	s = json_object_get_string(v);
	if (strlen(s) > PREFIX_STRLEN || prefix_parse(&p, s) == -1) {
		snprintf(err, errlen, "%s: not an address or prefix", a->name);
		return -1;
	}
	if (a->type == PROTO_ADDR && (strchr(s, '/') != NULL ||
	    p.len != addr_bits(&p.addr))) {
		snprintf(err, errlen, "%s: a single address is wanted",
		    a->name);
		return -1;
	}
	return 0;
}

static int
proto_check_number(const struct proto_arg *a, struct json_object *v,
    char *err, size_t errlen)
{
	long long	 n;

	if (a->type == PROTO_DURATION &&
	    json_object_is_type(v, json_type_string)) {
		if (util_parse_duration(json_object_get_string(v), &n) == -1) {
			snprintf(err, errlen, "%s: not a duration (90, 90s, "
			    "10m, 1h, 2d, 1w)", a->name);
			return -1;
		}
	} else if (json_object_is_type(v, json_type_int)) {
		errno = 0;
		n = (long long)json_object_get_int64(v);
		if (errno != 0)
			n = a->max + 1;
	} else {
		snprintf(err, errlen, "%s: a number is wanted", a->name);
		return -1;
	}
	if (n < a->min || n > a->max) {
		snprintf(err, errlen, "%s: must be %lld to %lld", a->name,
		    a->min, a->max);
		return -1;
	}
	return 0;
}

int
proto_arg_check(const struct proto_arg *a, struct json_object *v,
    char *err, size_t errlen)
{
	switch (a->type) {
	case PROTO_STRING:
	case PROTO_ENUM:
		return proto_check_string(a, v, err, errlen);
	case PROTO_PREFIX:
	case PROTO_ADDR:
		return proto_check_addr(a, v, err, errlen);
	case PROTO_INT:
	case PROTO_DURATION:
		return proto_check_number(a, v, err, errlen);
	case PROTO_BOOL:
		if (json_object_is_type(v, json_type_boolean))
			return 0;
		snprintf(err, errlen, "%s: true or false is wanted", a->name);
		return -1;
	}
	snprintf(err, errlen, "%s: bad argument type", a->name);
	return -1;
}

static int
proto_given(struct json_object *args, const char *name)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(args, name, &v))
		return 0;
	/* A false flag counts as not given. */
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return 1;
}

static int
proto_check_args(const struct proto_cmd *cmd, struct json_object *args,
    char *err, size_t errlen)
{
	const struct proto_arg	*a;
	char			 e[200];

	json_object_object_foreach(args, key, val) {
		if ((a = proto_arg_find(cmd, key)) == NULL) {
			snprintf(err, errlen, "%s: unknown argument %.64s",
			    cmd->name, key);
			return -1;
		}
		if (proto_arg_check(a, val, e, sizeof(e)) == -1) {
			snprintf(err, errlen, "%s: %s", cmd->name, e);
			return -1;
		}
	}
	for (a = cmd->args; a->name != NULL; a++)
		if ((a->flags & PROTO_REQUIRED) &&
		    !proto_given(args, a->name)) {
			snprintf(err, errlen, "%s: %s is missing; usage: %s",
			    cmd->name, a->name, cmd->usage);
			return -1;
		}
	if (cmd->oneof[0] != NULL && proto_given(args, cmd->oneof[0]) ==
	    proto_given(args, cmd->oneof[1])) {
		snprintf(err, errlen, "%s: give either %s or %s; usage: %s",
		    cmd->name, cmd->oneof[0], cmd->oneof[1], cmd->usage);
		return -1;
	}
	return 0;
}

static int
proto_blank(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int
proto_parse_root(const char *line, size_t len, struct proto_req *req,
    char *err, size_t errlen)
{
	struct json_tokener	*tok;
	enum json_tokener_error	 jerr;

	if ((tok = json_tokener_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Strict: no trailing commas, no single quotes, no bare words. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	req->root = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	if (req->root != NULL && jerr == json_tokener_success &&
	    !proto_blank(line + json_tokener_get_parse_end(tok),
	    len - json_tokener_get_parse_end(tok)))
		jerr = json_tokener_error_parse_unexpected;
	if (req->root == NULL || jerr != json_tokener_success) {
		snprintf(err, errlen, "malformed JSON: %s",
		    req->root == NULL && jerr == json_tokener_continue ?
		    "unexpected end of request" :
		    json_tokener_error_desc(jerr));
		json_object_put(req->root);
		req->root = NULL;
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	return 0;
}

static int
proto_check_root(struct proto_req *req, char *err, size_t errlen)
{
	struct json_object	*v;
	const char		*name;

	if (!json_object_is_type(req->root, json_type_object)) {
		snprintf(err, errlen, "a request is a JSON object");
		return -1;
	}
	json_object_object_foreach(req->root, key, val) {
		(void)val;
		if (strcmp(key, "cmd") != 0 && strcmp(key, "args") != 0) {
			snprintf(err, errlen, "unknown field %.64s", key);
			return -1;
		}
	}
	if (!json_object_object_get_ex(req->root, "cmd", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "cmd is missing or not a string");
		return -1;
	}
	name = json_object_get_string(v);
	if ((req->cmd = proto_cmd_find(name)) == NULL) {
		snprintf(err, errlen, "unknown command %.64s", name);
		return -1;
	}
	if (!json_object_object_get_ex(req->root, "args", &req->args)) {
		req->args = json_object_new_object();
		if (req->args == NULL ||
		    json_object_object_add(req->root, "args", req->args)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (!json_object_is_type(req->args, json_type_object)) {
		snprintf(err, errlen, "args is not an object");
		return -1;
	}
	return proto_check_args(req->cmd, req->args, err, errlen);
}

int
proto_request_decode(const char *line, size_t len, struct proto_req *req,
    char *err, size_t errlen)
{
	memset(req, 0, sizeof(*req));
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > PROTO_LINE_MAX) {
		snprintf(err, errlen, "request longer than %d bytes",
		    PROTO_LINE_MAX);
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	if (memchr(line, '\0', len) != NULL) {
		snprintf(err, errlen, "malformed JSON: NUL byte");
		return -1;
	}
	if (proto_parse_root(line, len, req, err, errlen) == -1)
		return -1;
	if (proto_check_root(req, err, errlen) == -1) {
		proto_req_free(req);
		return -1;
	}
	return 0;
}

void
proto_req_free(struct proto_req *req)
{
	json_object_put(req->root);
	memset(req, 0, sizeof(*req));
}

const char *
proto_arg_str(const struct proto_req *req, const char *name)
{
	struct json_object	*v;

	if (req->args == NULL ||
	    !json_object_object_get_ex(req->args, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

long long
proto_arg_int(const struct proto_req *req, const char *name, long long def)
{
	struct json_object	*v;

	if (req->args == NULL ||
	    !json_object_object_get_ex(req->args, name, &v) ||
	    !json_object_is_type(v, json_type_int))
		return def;
	return (long long)json_object_get_int64(v);
}

int
proto_arg_bool(const struct proto_req *req, const char *name)
{
	struct json_object	*v;

	if (req->args == NULL ||
	    !json_object_object_get_ex(req->args, name, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return 0;
	return json_object_get_boolean(v);
}

long long
proto_arg_duration(const struct proto_req *req, const char *name,
    long long def)
{
	const char	*s;
	long long	 n;

	if ((s = proto_arg_str(req, name)) != NULL)
		return util_parse_duration(s, &n) == 0 ? n : def;
	return proto_arg_int(req, name, def);
}

struct json_object *
proto_request_new(const char *cmd)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	json_object_object_add(o, "args", json_object_new_object());
	return o;
}

struct json_object *
proto_request_args(struct json_object *req)
{
	struct json_object	*v;

	return json_object_object_get_ex(req, "args", &v) ? v : NULL;
}

struct json_object *
proto_answer_ok(void)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) != NULL)
		json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

struct json_object *
proto_answer_error(const char *code, const char *fmt, ...)
{
	struct json_object	*o;
	va_list			 ap;
	char			 buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "error", json_object_new_string(buf));
	return o;
}

char *
proto_encode(struct json_object *o, size_t *len)
{
	const char	*s;
	size_t		 n;
	char		*line;

	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((line = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	if (len != NULL)
		*len = n + 1;
	return line;
}

struct json_object *
proto_answer_decode(const char *line, size_t len, char *err, size_t errlen)
{
	struct json_object	*o, *v;
	enum json_tokener_error	 jerr;
	struct json_tokener	*tok;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if ((tok = json_tokener_new_ex(64)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (o == NULL || jerr != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "malformed answer from the daemon");
		json_object_put(o);
		return NULL;
	}
	if (!json_object_object_get_ex(o, "ok", &v) ||
	    !json_object_is_type(v, json_type_boolean) ||
	    (!json_object_get_boolean(v) &&
	    (!json_object_object_get_ex(o, "error", &v) ||
	    !json_object_is_type(v, json_type_string)))) {
		snprintf(err, errlen, "answer without ok or error");
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
proto_answer_status(struct json_object *answer)
{
	struct json_object	*v;
	const char		*code = "";

	if (json_object_object_get_ex(answer, "ok", &v) &&
	    json_object_get_boolean(v))
		return 0;
	if (json_object_object_get_ex(answer, "code", &v) &&
	    json_object_is_type(v, json_type_string))
		code = json_object_get_string(v);
	if (strcmp(code, PROTO_E_USAGE) == 0)
		return 2;
	if (strcmp(code, PROTO_E_DENIED) == 0)
		return 3;
	return 1;
}
