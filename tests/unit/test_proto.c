/*
 * The control protocol: requests and answers encoded and decoded back,
 * malformed and oversized input, and every argument check of the
 * command table (addresses through prefix_parse, durations through
 * util_parse_duration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

static int
decode(const char *line, char *err, size_t errlen)
{
	struct proto_req	 req;
	int			 rv;

	rv = proto_request_decode(line, strlen(line), &req, err, errlen);
	if (rv == 0)
		proto_req_free(&req);
	return rv;
}

static void
assert_refused(const char *line, const char *what)
{
	char	 err[512];

	err[0] = '\0';
	if (decode(line, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", line);
	if (strstr(err, what) == NULL)
		fail_msg("%s: error \"%s\" lacks \"%s\"", line, err, what);
}

static void
test_roundtrip(void **state)
{
	struct json_object	*o, *args;
	struct proto_req	 req;
	char			*line, err[256];
	size_t			 len;

	(void)state;
	o = proto_request_new("ban");
	args = proto_request_args(o);
	json_object_object_add(args, "addr",
	    json_object_new_string("203.0.113.7"));
	json_object_object_add(args, "time", json_object_new_string("1h"));
	json_object_object_add(args, "reason",
	    json_object_new_string("a/b \"quoted\""));
	json_object_object_add(args, "force", json_object_new_boolean(1));
	line = proto_encode(o, &len);
	json_object_put(o);
	assert_non_null(line);
	assert_int_equal(line[len - 1], '\n');
	assert_int_equal(strlen(line), len);
	assert_null(memchr(line, '\n', len - 1));
	/* Slashes are not escaped. */
	assert_non_null(strstr(line, "a/b"));
	assert_int_equal(proto_request_decode(line, len, &req, err,
	    sizeof(err)), 0);
	assert_string_equal(req.cmd->name, "ban");
	assert_int_equal(req.cmd->changes, 1);
	assert_string_equal(proto_arg_str(&req, "addr"), "203.0.113.7");
	assert_string_equal(proto_arg_str(&req, "reason"), "a/b \"quoted\"");
	assert_int_equal(proto_arg_duration(&req, "time", 5), 3600);
	assert_int_equal(proto_arg_bool(&req, "force"), 1);
	assert_null(proto_arg_str(&req, "jail"));
	assert_int_equal(proto_arg_int(&req, "n", 42), 42);
	proto_req_free(&req);
	free(line);
}

static void
test_no_args(void **state)
{
	struct proto_req	 req;
	char			 err[256];
	const char		*l = "{\"cmd\":\"ping\"}\r\n";

	(void)state;
	assert_int_equal(proto_request_decode(l, strlen(l), &req, err,
	    sizeof(err)), 0);
	assert_string_equal(req.cmd->name, "ping");
	assert_non_null(req.args);
	assert_int_equal(req.cmd->changes, 0);
	proto_req_free(&req);
	/* Trailing blanks are fine; a second object is not. */
	assert_int_equal(decode("{\"cmd\":\"version\"}  ", err, sizeof(err)),
	    0);
	assert_refused("{\"cmd\":\"ping\"}{\"cmd\":\"ping\"}", "malformed");
}

static void
test_malformed(void **state)
{
	char	 err[256];
	size_t	 i;
	static const char *const bad[] = {
		"{", "}", "{\"cmd\":", "not json", "{\"cmd\":\"ping\",}",
		"[\"ping\"]", "\"ping\"", "42", "null",
	};

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (decode(bad[i], err, sizeof(err)) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_refused("", "empty");
	assert_refused("\n", "empty");
	assert_refused("{\"cmd\":\"ping\"", "malformed JSON");
	assert_refused("[1,2]", "JSON object");
	assert_refused("{\"args\":{}}", "cmd is missing");
	assert_refused("{\"cmd\":7}", "cmd is missing");
	assert_refused("{\"cmd\":\"shutdown\"}", "unknown command shutdown");
	assert_refused("{\"cmd\":\"ping\",\"x\":1}", "unknown field x");
	assert_refused("{\"cmd\":\"ping\",\"args\":[]}", "args is not");
	assert_int_equal(proto_request_decode("{\"cmd\":\"ping\"}\0x", 16,
	    &(struct proto_req){ 0 }, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
}

static void
test_oversize(void **state)
{
	struct proto_req	 req;
	char			*big, err[256];
	size_t			 n = PROTO_LINE_MAX + 1;

	(void)state;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"cmd\":\"ping\"}", 14);
	big[n] = '\0';
	assert_int_equal(proto_request_decode(big, n, &req, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 65536"));
	/* Exactly the limit is served. */
	assert_int_equal(proto_request_decode(big, n - 1, &req, err,
	    sizeof(err)), 0);
	proto_req_free(&req);
	free(big);
}

static void
test_addresses(void **state)
{
	char	 err[256];

	(void)state;
	assert_int_equal(decode("{\"cmd\":\"ban\",\"args\":"
	    "{\"addr\":\"198.51.100.0/24\"}}", err, sizeof(err)), 0);
	assert_int_equal(decode("{\"cmd\":\"ban\",\"args\":"
	    "{\"addr\":\"2001:db8::1\"}}", err, sizeof(err)), 0);
	assert_refused("{\"cmd\":\"ban\",\"args\":"
	    "{\"addr\":\"203.0.113.300\"}}",
	    "addr: not an address");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.0/33\"}}",
	    "addr: not an address");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"host.example\"}}",
	    "not an address");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":7}}",
	    "addr: a string");
	assert_refused("{\"cmd\":\"ban\",\"args\":{}}", "addr is missing");
	/* report takes one address, not a prefix. */
	assert_int_equal(decode("{\"cmd\":\"report\",\"args\":"
	    "{\"addr\":\"203.0.113.7\"}}", err, sizeof(err)), 0);
	assert_refused("{\"cmd\":\"report\",\"args\":"
	    "{\"addr\":\"203.0.113.0/24\"}}", "single address");
	assert_refused("{\"cmd\":\"report\",\"args\":"
	    "{\"addr\":\"203.0.113.7/32\"}}", "single address");
}

static void
test_durations(void **state)
{
	struct proto_req	 req;
	char			 err[256];
	const char		*l = "{\"cmd\":\"ban\",\"args\":{\"addr\":"
				    "\"192.0.2.1\",\"time\":90}}";

	(void)state;
	assert_int_equal(proto_request_decode(l, strlen(l), &req, err,
	    sizeof(err)), 0);
	assert_int_equal(proto_arg_duration(&req, "time", 0), 90);
	proto_req_free(&req);
	l = "{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"time\":\"2d\"}}";
	assert_int_equal(proto_request_decode(l, strlen(l), &req, err,
	    sizeof(err)), 0);
	assert_int_equal(proto_arg_duration(&req, "time", 0), 2 * 86400);
	proto_req_free(&req);
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"time\":\"5x\"}}", "time: not a duration");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"time\":0}}", "time: must be 1 to");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"time\":\"-1h\"}}", "time:");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"time\":true}}", "time: a number");
}

static void
test_arguments(void **state)
{
	char	 err[256];
	char	 reason[300];

	(void)state;
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"color\":\"red\"}}", "unknown argument color");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"force\":\"yes\"}}", "force: true or false");
	assert_refused("{\"cmd\":\"ban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"jail\":\"\"}}", "jail: length");
	snprintf(reason, sizeof(reason), "{\"cmd\":\"ban\",\"args\":{\"addr\":"
	    "\"192.0.2.1\",\"reason\":\"%0128d\"}}", 0);
	assert_refused(reason, "reason: length must be 0 to 127");
	assert_refused("{\"cmd\":\"top\",\"args\":{\"n\":0}}", "n: must be 1");
	assert_refused("{\"cmd\":\"top\",\"args\":{\"n\":1001}}", "n: must be");
	assert_refused("{\"cmd\":\"top\",\"args\":{\"n\":\"5\"}}",
	    "n: a number");
	assert_int_equal(decode("{\"cmd\":\"top\",\"args\":{\"n\":5,"
	    "\"by\":\"hits\"}}", err, sizeof(err)), 0);
	assert_refused("{\"cmd\":\"top\",\"args\":{\"by\":\"age\"}}",
	    "by: one of score hits");
	assert_refused("{\"cmd\":\"report\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"format\":\"pdf\"}}", "format: one of text json html");
	assert_refused("{\"cmd\":\"status\",\"args\":{\"jail\":\"a\\u0000b\"}}",
	    "NUL");
}

static void
test_oneof(void **state)
{
	char	 err[256];

	(void)state;
	assert_refused("{\"cmd\":\"unban\",\"args\":{}}", "either addr or all");
	assert_refused("{\"cmd\":\"unban\",\"args\":{\"all\":false}}",
	    "either addr or all");
	assert_refused("{\"cmd\":\"unban\",\"args\":{\"addr\":\"192.0.2.1\","
	    "\"all\":true}}", "either addr or all");
	assert_int_equal(decode("{\"cmd\":\"unban\",\"args\":{\"all\":true,"
	    "\"jail\":\"web\"}}", err, sizeof(err)), 0);
	assert_int_equal(decode("{\"cmd\":\"unban\",\"args\":"
	    "{\"addr\":\"198.51.100.0/24\"}}", err, sizeof(err)), 0);
}

static void
test_table(void **state)
{
	const struct proto_cmd	*v;
	const struct proto_arg	*a;
	size_t			 n, i;
	static const char *const changing[] = { "ban", "unban", "reload" };

	(void)state;
	v = proto_cmds(&n);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++) {
		assert_ptr_equal(proto_cmd_find(v[i].name), &v[i]);
		/* The usage starts with the name. */
		assert_int_equal(strncmp(v[i].usage, v[i].name,
		    strlen(v[i].name)), 0);
		for (a = v[i].args; a->name != NULL; a++)
			assert_true(a->opt != NULL ||
			    (a->flags & PROTO_POSITIONAL));
	}
	for (i = 0; i < 3; i++)
		assert_int_equal(proto_cmd_find(changing[i])->changes, 1);
	n = 0;
	for (i = 0; i < 10; i++)
		n += (size_t)v[i].changes;
	assert_int_equal(n, 3);
	assert_null(proto_cmd_find("Ping"));
	a = proto_arg_find(proto_cmd_find("top"), "n");
	assert_non_null(a);
	assert_string_equal(a->opt, "-n");
}

static void
test_answers(void **state)
{
	struct json_object	*o, *d;
	char			*line, err[256];
	size_t			 len;

	(void)state;
	o = proto_answer_error(PROTO_E_REFUSED, "%s is inside %s",
	    "192.0.2.7", "192.0.2.0/24");
	line = proto_encode(o, &len);
	json_object_put(o);
	assert_string_equal(line, "{\"ok\":false,\"code\":\"refused\","
	    "\"error\":\"192.0.2.7 is inside 192.0.2.0/24\"}\n");
	d = proto_answer_decode(line, len, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(proto_answer_status(d), 1);
	json_object_put(d);
	free(line);
	o = proto_answer_ok();
	json_object_object_add(o, "pong", json_object_new_boolean(1));
	line = proto_encode(o, &len);
	json_object_put(o);
	d = proto_answer_decode(line, len, err, sizeof(err));
	assert_int_equal(proto_answer_status(d), 0);
	json_object_put(d);
	free(line);
	d = proto_answer_decode("{\"ok\":false,\"code\":\"usage\","
	    "\"error\":\"x\"}", 40, err, sizeof(err));
	assert_int_equal(proto_answer_status(d), 2);
	json_object_put(d);
	d = proto_answer_decode("{\"ok\":false,\"code\":\"denied\","
	    "\"error\":\"x\"}", 41, err, sizeof(err));
	assert_int_equal(proto_answer_status(d), 3);
	json_object_put(d);
	assert_null(proto_answer_decode("{\"ok\":false}", 12, err,
	    sizeof(err)));
	assert_null(proto_answer_decode("{\"ok\":1}", 8, err, sizeof(err)));
	assert_null(proto_answer_decode("garbage", 7, err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_no_args),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_oneof),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
