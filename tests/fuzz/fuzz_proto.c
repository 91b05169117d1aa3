/* libFuzzer target: the control protocol's request decoder. */
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct proto_req	 req;
	char			 err[256];

	if (proto_request_decode((const char *)data, len, &req, err,
	    sizeof(err)) == 0)
		proto_req_free(&req);
	return 0;
}
