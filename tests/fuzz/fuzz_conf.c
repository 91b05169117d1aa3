/* libFuzzer target: the configuration loader over one jail file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 dir[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char		 path[128], err[1024];
	struct conf	*c;
	FILE		*fp;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_conf.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/jails.d", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/filters.d", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/filters.d/web.conf", dir);
		if ((fp = fopen(path, "w")) == NULL)
			abort();
		fputs("[web]\nformat = combined\n", fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/jails.d/x.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, len, fp);
	fclose(fp);
	if ((c = conf_load(dir, err, sizeof(err))) != NULL)
		conf_free(c);
	return 0;
}
