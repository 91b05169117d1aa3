/*
 * The control protocol shared by the daemon and abusemom-ctl: one JSON
 * object a line each way. A request is {"cmd":NAME,"args":{...}}; an
 * answer is {"ok":true,...} or {"ok":false,"code":CODE,"error":TEXT}.
 * The command table names every command, its usage and its arguments
 * with their types and bounds, so both sides check a request the same
 * way. docs/protocol.md describes the format.
 */
#ifndef ABUSEMOM_PROTO_H
#define ABUSEMOM_PROTO_H

#include <stddef.h>

#include <json-c/json.h>

#define PROTO_LINE_MAX		65536	/* request bytes, newline excluded */
#define PROTO_SOCKET_DEFAULT	"/run/abusemom/abusemom.sock"
#define PROTO_ARGS_MAX		8
#define PROTO_JAIL_MAX		31
#define PROTO_REASON_MAX	127

/* Error codes of an answer; each maps to an exit status of the client. */
#define PROTO_E_USAGE		"usage"		/* bad request: exit 2 */
#define PROTO_E_DENIED		"denied"	/* permission: exit 3 */
#define PROTO_E_REFUSED		"refused"	/* a rule said no: exit 1 */
#define PROTO_E_NOTFOUND	"notfound"	/* nothing there: exit 1 */
#define PROTO_E_FAILED		"failed"	/* it went wrong: exit 1 */

enum proto_type {
	PROTO_STRING,		/* bounded length in max */
	PROTO_INT,		/* within [min, max] */
	PROTO_BOOL,
	PROTO_PREFIX,		/* ADDR or ADDR/LEN, through prefix_parse */
	PROTO_ADDR,		/* a single address */
	PROTO_DURATION,		/* "1h" or seconds, within [min, max] */
	PROTO_ENUM		/* one of the words of choices */
};

#define PROTO_REQUIRED		0x1
#define PROTO_POSITIONAL	0x2	/* the client takes it without option */

struct proto_arg {
	const char	*name;		/* key in "args" */
	enum proto_type	 type;
	int		 flags;
	const char	*opt;		/* client option: "--jail", "-n" */
	long long	 min, max;
	const char	*choices;	/* PROTO_ENUM: white-space words */
};

struct proto_cmd {
	const char		*name;
	const char		*usage;		/* after "abusemom-ctl " */
	const char		*help;		/* one line */
	int			 changes;	/* needs the admin group */
	const char		*oneof[2];	/* exactly one of these given */
	struct proto_arg	 args[PROTO_ARGS_MAX];	/* name NULL ends */
};

/* A decoded request; root is owned, cmd points into the table. */
struct proto_req {
	const struct proto_cmd	*cmd;
	struct json_object	*root;
	struct json_object	*args;		/* inside root; never NULL */
};

/* The command table; *n gets its length. Static storage. */
const struct proto_cmd	*proto_cmds(size_t *n);

/* The command named, or NULL. */
const struct proto_cmd	*proto_cmd_find(const char *name);

/* The argument spec of cmd named, or NULL. */
const struct proto_arg	*proto_arg_find(const struct proto_cmd *,
			    const char *name);

/*
 * Decodes and checks one request line (len bytes, a trailing newline
 * allowed): length, JSON syntax, a known command, known arguments of
 * the right types within bounds, required and one-of arguments.
 * Returns 0 with *req filled (free with proto_req_free), or -1 with a
 * message in err.
 */
int	 proto_request_decode(const char *line, size_t len,
	    struct proto_req *req, char *err, size_t errlen);
void	 proto_req_free(struct proto_req *);

/*
 * Checks one argument value against its spec. Returns 0, or -1 with a
 * message in err.
 */
int	 proto_arg_check(const struct proto_arg *, struct json_object *v,
	    char *err, size_t errlen);

/* Argument getters; def when absent. String is owned by the request. */
const char	*proto_arg_str(const struct proto_req *, const char *name);
long long	 proto_arg_int(const struct proto_req *, const char *name,
		    long long def);
int		 proto_arg_bool(const struct proto_req *, const char *name);
/* A PROTO_DURATION argument in seconds, or def. */
long long	 proto_arg_duration(const struct proto_req *,
		    const char *name, long long def);

/* A new request object {"cmd":cmd,"args":{}}; caller puts it. */
struct json_object	*proto_request_new(const char *cmd);
/* The "args" object of a request made by proto_request_new. */
struct json_object	*proto_request_args(struct json_object *req);

/* A new {"ok":true} answer; caller adds fields and puts it. */
struct json_object	*proto_answer_ok(void);
/* A new {"ok":false,"code":code,"error":message} answer. */
struct json_object	*proto_answer_error(const char *code,
			    const char *fmt, ...)
			    __attribute__((format(printf, 2, 3)));

/*
 * Serializes o as one line ending in a newline, without escaped
 * slashes. Returns a malloc'd string (length in *len), or NULL.
 */
char	*proto_encode(struct json_object *o, size_t *len);

/*
 * Decodes one answer line: a JSON object with a boolean "ok", and a
 * string "error" when ok is false. Returns the object (caller puts
 * it), or NULL with a message in err.
 */
struct json_object	*proto_answer_decode(const char *line, size_t len,
			    char *err, size_t errlen);

/* 0 for ok, else the exit status its code means (1, 2 or 3). */
int	 proto_answer_status(struct json_object *answer);

#endif
