/* libFuzzer target: the access-log parsers, one format per run. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "access.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct access *
fuzz_parser(int which)
{
	static struct access	*a[4];
	static const char	*formats[4] = {
		"combined", "vhost_combined", "haproxy",
		"$remote_addr $host [$time_iso8601] \"$request\" $status "
		    "\"$http_user_agent\" \"$http_x_forwarded_for\" $msec"
	};
	struct filter_conf	 fc;
	struct filter_err	 err;

	if (a[which] == NULL) {
		memset(&fc, 0, sizeof(fc));
		fc.name = "fuzz";
		fc.format = (char *)formats[which];
		fc.escape = which == 3 ? "json" : "default";
		a[which] = access_new(&fc, &err);
	}
	return a[which];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct event	 ev;
	struct access	*a;

	if (len == 0)
		return 0;
	if ((a = fuzz_parser(data[0] % 4)) == NULL)
		return 0;
	access_parse(a, (const char *)data + 1, len - 1, &ev);
	return 0;
}
