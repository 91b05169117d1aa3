/*
 * A driver for the namespace tests: runs the nft writer's functions
 * named on the command line, in order, against the network namespace it
 * runs in. Never run it outside a namespace the test created.
 *
 *	nftdrv [-f] [-r] [-s size] [-t table] command ...
 *
 *	setup | teardown | present | commit | list | count | stats
 *	add PREFIX SUBNET TIMEOUT | del PREFIX SUBNET
 *	want PREFIX SUBNET TIMEOUT | gen N TIMEOUT | reconcile
 *	monitor | wait SECONDS | ready FILE
 *
 * "want" and "gen" collect elements for "reconcile"; "gen" makes N
 * distinct ones spread over the four sets. "wait" polls the monitor
 * socket and prints "changed" or "quiet". "ready" creates FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "nft.h"
#include "util.h"

struct drv {
	struct nft	*nft;
	struct nft_elem	*want;
	size_t		 nwant, capwant;
	unsigned long	 count;
};

static long long
drv_num(const char *s, long long max)
{
	long long	 v;

	if (util_parse_int(s, 0, max, &v) == -1)
		fatalx("nftdrv: bad number %s", s);
	return v;
}

static void
drv_prefix(struct prefix *p, const char *s)
{
	if (prefix_parse(p, s) == -1)
		fatalx("nftdrv: bad prefix %s", s);
}

static void
drv_want(struct drv *d, const struct prefix *p, int subnet, uint32_t t)
{
	if (d->nwant == d->capwant) {
		d->capwant = d->capwant ? d->capwant * 2 : 1024;
		d->want = reallocarray(d->want, d->capwant, sizeof(*d->want));
		if (d->want == NULL)
			fatal("nftdrv: want");
	}
	d->want[d->nwant].prefix = *p;
	d->want[d->nwant].subnet = subnet;
	d->want[d->nwant].timeout_s = t;
	d->nwant++;
}

/*
 * N distinct elements from the documentation ranges: the 768 addresses
 * of the three IPv4 ones in ban4 and their /24s in net4, then every
 * fifth a /48 in net6 and the others /64s in ban6.
 */
static void
drv_gen(struct drv *d, long long n, uint32_t t)
{
	static const uint8_t	 v4[3][3] = {
		{ 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 }
	};
	struct prefix		 p;
	long long		 i, j;

	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		if (i < 768 + 3) {
			j = i < 768 ? i / 256 : i - 768;
			p.addr.family = AF_INET;
			memcpy(p.addr.bytes, v4[j], 3);
			p.addr.bytes[3] = i < 768 ? (uint8_t)i : 0;
			p.len = i < 768 ? 32 : 24;
			drv_want(d, &p, i >= 768, t);
			continue;
		}
		p.addr.family = AF_INET6;
		p.addr.bytes[0] = 0x20;
		p.addr.bytes[1] = 0x01;
		p.addr.bytes[2] = 0x0d;
		p.addr.bytes[3] = 0xb8;
		j = i / 5;
		if (i % 5 == 0) {
			p.addr.bytes[4] = (uint8_t)(0x80 | (j >> 8));
			p.addr.bytes[5] = (uint8_t)j;
			p.len = 48;
			drv_want(d, &p, 1, t);
			continue;
		}
		p.addr.bytes[4] = (uint8_t)((i >> 24) & 0x7f);
		p.addr.bytes[5] = (uint8_t)(i >> 16);
		p.addr.bytes[6] = (uint8_t)(i >> 8);
		p.addr.bytes[7] = (uint8_t)i;
		p.len = 64;
		drv_want(d, &p, 0, t);
	}
}

static int
drv_print(void *arg, const struct prefix *p, int subnet, uint32_t left)
{
	char	 buf[PREFIX_STRLEN];

	(void)arg;
	printf("%s %d %u\n", prefix_format(p, buf, sizeof(buf)), subnet, left);
	return 0;
}

static int
drv_count(void *arg, const struct prefix *p, int subnet, uint32_t left)
{
	struct drv	*d = arg;

	(void)p;
	(void)subnet;
	(void)left;
	d->count++;
	return 0;
}

static void
drv_wait(struct drv *d, long long secs)
{
	struct pollfd	 pfd;
	int64_t		 end = util_mono_ms() + secs * 1000;
	int		 rc = 0;

	pfd.fd = nft_monitor_fd(d->nft);
	pfd.events = POLLIN;
	while (rc == 0 && util_mono_ms() < end) {
		if (poll(&pfd, 1, (int)(end - util_mono_ms())) <= 0)
			continue;
		if ((rc = nft_monitor_read(d->nft)) == -1)
			fatal("nftdrv: monitor");
	}
	printf("%s\n", rc ? "changed" : "quiet");
}

static void
drv_stats(struct drv *d)
{
	const struct nft_stats	*st = nft_stats(d->nft);

	printf("batches %lu msgs %lu errors %lu retries %lu enobufs %lu "
	    "evicted %lu\n", st->batches, st->msgs, st->errors, st->retries,
	    st->enobufs, st->evicted);
}

static void
drv_reconcile(struct drv *d)
{
	int64_t	 t0 = util_mono_ms();

	if (nft_reconcile(d->nft, d->want, d->nwant) == -1)
		fatalx("nftdrv: reconcile failed");
	printf("reconciled %zu elements in %lld ms\n", d->nwant,
	    (long long)(util_mono_ms() - t0));
}

/* Runs one command at argv[0]; returns how many words it took. */
static int
drv_cmd(struct drv *d, int argc, char **argv)
{
	struct prefix	 p;
	const char	*c = argv[0];
	int		 need = 1, fd;

	if (strcmp(c, "add") == 0 || strcmp(c, "want") == 0)
		need = 4;
	else if (strcmp(c, "del") == 0 || strcmp(c, "gen") == 0)
		need = 3;
	else if (strcmp(c, "wait") == 0 || strcmp(c, "ready") == 0)
		need = 2;
	if (argc < need)
		fatalx("nftdrv: %s: missing arguments", c);
	if (need >= 3 && strcmp(c, "gen") != 0)
		drv_prefix(&p, argv[1]);
	if (strcmp(c, "setup") == 0 && nft_setup(d->nft) == -1)
		fatalx("nftdrv: setup failed");
	else if (strcmp(c, "teardown") == 0 && nft_teardown(d->nft) == -1)
		fatal("nftdrv: teardown");
	else if (strcmp(c, "present") == 0)
		printf("%d\n", nft_table_present(d->nft));
	else if (strcmp(c, "add") == 0 && nft_add(d->nft, &p,
	    (int)drv_num(argv[2], 1), (uint32_t)drv_num(argv[3], 1 << 30)))
		fatal("nftdrv: add");
	else if (strcmp(c, "del") == 0 &&
	    nft_del(d->nft, &p, (int)drv_num(argv[2], 1)) == -1)
		fatal("nftdrv: del");
	else if (strcmp(c, "commit") == 0 && nft_commit(d->nft) == -1)
		fatalx("nftdrv: commit failed");
	else if (strcmp(c, "list") == 0 && nft_list(d->nft, drv_print,
	    NULL) != 0)
		fatal("nftdrv: list");
	else if (strcmp(c, "count") == 0) {
		d->count = 0;
		if (nft_list(d->nft, drv_count, d) != 0)
			fatal("nftdrv: count");
		printf("count %lu\n", d->count);
	} else if (strcmp(c, "stats") == 0)
		drv_stats(d);
	else if (strcmp(c, "want") == 0)
		drv_want(d, &p, (int)drv_num(argv[2], 1),
		    (uint32_t)drv_num(argv[3], 1 << 30));
	else if (strcmp(c, "gen") == 0)
		drv_gen(d, drv_num(argv[1], 1 << 24),
		    (uint32_t)drv_num(argv[2], 1 << 30));
	else if (strcmp(c, "reconcile") == 0)
		drv_reconcile(d);
	else if (strcmp(c, "monitor") == 0 && nft_monitor_fd(d->nft) == -1)
		fatal("nftdrv: monitor");
	else if (strcmp(c, "wait") == 0)
		drv_wait(d, drv_num(argv[1], 3600));
	else if (strcmp(c, "ready") == 0) {
		if ((fd = open(argv[1], O_WRONLY | O_CREAT, 0644)) == -1)
			fatal("nftdrv: %s", argv[1]);
		close(fd);
	} else if (strcmp(c, "setup") != 0 && strcmp(c, "teardown") != 0 &&
	    strcmp(c, "add") != 0 && strcmp(c, "del") != 0 &&
	    strcmp(c, "commit") != 0 && strcmp(c, "list") != 0 &&
	    strcmp(c, "monitor") != 0)
		fatalx("nftdrv: unknown command %s", c);
	fflush(stdout);
	return need;
}

int
main(int argc, char **argv)
{
	struct nft_conf	 conf;
	struct drv	 d;
	int		 ch, i;

	memset(&conf, 0, sizeof(conf));
	memset(&d, 0, sizeof(d));
	log_init(LOG_TO_STDERR, LOG_INFO, "nftdrv");
	while ((ch = getopt(argc, argv, "frs:t:")) != -1) {
		switch (ch) {
		case 'f':
			conf.forward = 1;
			break;
		case 'r':
			conf.reject = 1;
			break;
		case 's':
			conf.set_size = (uint32_t)drv_num(optarg, 1 << 24);
			break;
		case 't':
			conf.table = optarg;
			break;
		default:
			fatalx("usage: nftdrv [-fr] [-s size] [-t table] "
			    "command ...");
		}
	}
	if ((d.nft = nft_open(&conf)) == NULL)
		fatal("nftdrv: nft_open");
	for (i = optind; i < argc; )
		i += drv_cmd(&d, argc - i, argv + i);
	nft_close(d.nft);
	free(d.want);
	return 0;
}
