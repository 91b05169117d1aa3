/* Bounded parsers and small string and time helpers. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 len = strlen(src);

	if (size > 0) {
		size_t	 n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int
util_parse_intn(const char *s, size_t len, long long min, long long max,
    long long *out)
{
	long long	 v = 0;
	size_t		 i = 0;
	int		 neg = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len) {
		errno = EINVAL;
		return -1;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			errno = EINVAL;
			return -1;
		}
		if (v > (LLONG_MAX - (s[i] - '0')) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
util_parse_int(const char *s, long long min, long long max, long long *out)
{
	return util_parse_intn(s, strlen(s), min, max, out);
}

int
util_parse_duration(const char *s, long long *out)
{
	size_t		 len = strlen(s);
	long long	 v, mult = 1;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	switch (s[len - 1]) {
	case 's':
		mult = 1;
		len--;
		break;
	case 'm':
		mult = 60;
		len--;
		break;
	case 'h':
		mult = 3600;
		len--;
		break;
	case 'd':
		mult = 86400;
		len--;
		break;
	case 'w':
		mult = 7 * 86400;
		len--;
		break;
	default:
		break;
	}
	if (len == 0 || s[0] == '-' || s[0] == '+') {
		errno = EINVAL;
		return -1;
	}
	if (util_parse_intn(s, len, 0, 100LL * 365 * 86400 / mult, &v) == -1)
		return -1;
	*out = v * mult;
	return 0;
}

void
util_format_duration(long long secs, char *buf, size_t len)
{
	static const struct {
		long long	 mult;
		char		 unit;
	} u[] = {
		{ 7 * 86400, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' },
	};
	size_t	 i;

	for (i = 0; i < UTIL_NELEM(u); i++) {
		if (secs >= u[i].mult && secs % u[i].mult == 0) {
			snprintf(buf, len, "%lld%c", secs / u[i].mult,
			    u[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%llds", secs);
}

int
util_parse_bool(const char *s)
{
	static const char	*yes[] = { "yes", "true", "on", "1" };
	static const char	*no[] = { "no", "false", "off", "0" };
	size_t			 i;

	for (i = 0; i < UTIL_NELEM(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; i < UTIL_NELEM(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

int64_t
util_days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t
util_timegm(int y, int mon, int d, int h, int mi, int s)
{
	return util_days_from_civil(y, (unsigned)mon, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s;
}

int
util_month(const char *s)
{
	static const char	 names[] =
	    "JanFebMarAprMayJunJulAugSepOctNovDec";
	int			 i;

	for (i = 0; i < 12; i++)
		if (s[0] == names[i * 3] && s[1] == names[i * 3 + 1] &&
		    s[2] == names[i * 3 + 2])
			return i + 1;
	return 0;
}

void
util_format_time(int64_t ms, char *buf, size_t len)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t
util_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
util_hash(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint64_t		 h = 0xcbf29ce484222325ULL;
	size_t			 i = 0;

	/* FNV-1a over 8-byte words, then the tail, then a final mix. */
	for (; i + 8 <= len; i += 8) {
		uint64_t	 w;

		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int
util_casecmpn(const char *a, const char *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		int	 ca = tolower((unsigned char)a[i]);
		int	 cb = tolower((unsigned char)b[i]);

		if (ca != cb)
			return ca - cb;
	}
	return 0;
}

char **
util_split(const char *s, size_t *count)
{
	char	**v;
	size_t	 n = 0, cap = 4;

	if ((v = calloc(cap + 1, sizeof(*v))) == NULL)
		return NULL;
	while (*s != '\0') {
		size_t	 len;

		while (*s != '\0' && isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		len = 0;
		while (s[len] != '\0' && !isspace((unsigned char)s[len]))
			len++;
		if (n == cap) {
			char	**nv = realloc(v, (cap * 2 + 1) * sizeof(*v));

			if (nv == NULL)
				goto fail;
			v = nv;
			cap *= 2;
		}
		if ((v[n] = strndup(s, len)) == NULL)
			goto fail;
		v[++n] = NULL;
		s += len;
	}
	if (count != NULL)
		*count = n;
	return v;
fail:
	util_freev(v);
	return NULL;
}

void
util_freev(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
