/* libFuzzer target: the regex filter with the shipped sshd patterns. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rx.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rx *
fuzz_rx(void)
{
	static struct rx	*r;
	static struct filter_rx	 fail[] = {
		{ "failregex.failed", "^Failed \\S+ for (?:invalid user )?.* "
		    "from <HOST> port \\d+(?: ssh\\d)?$" },
		{ "failregex.invalid", "^Invalid user .* from <HOST> port "
		    "\\d+$" },
	};
	struct filter_conf	 fc;
	struct filter_err	 err;

	if (r == NULL) {
		memset(&fc, 0, sizeof(fc));
		fc.name = "fuzz";
		fc.failregex = fail;
		fc.nfailregex = 2;
		fc.datepattern = "syslog";
		fc.idents = "sshd sshd-session";
		r = rx_new(&fc, &err);
	}
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct event	 ev;
	struct rx	*r = fuzz_rx();

	if (r != NULL)
		rx_parse(r, (const char *)data, len, &ev);
	return 0;
}
