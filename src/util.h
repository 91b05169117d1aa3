/* Small helpers shared by every module: bounded parsers, strings, time. */
#ifndef ABUSEMOM_UTIL_H
#define ABUSEMOM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define UTIL_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Copies at most size - 1 bytes and terminates; returns strlen(src). */
size_t	 util_strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses a decimal integer of the whole string within [min, max].
 * Returns 0, or -1 with errno EINVAL or ERANGE.
 */
int	 util_parse_int(const char *s, long long min, long long max,
	    long long *out);

/* Same for a byte range not terminated by NUL. */
int	 util_parse_intn(const char *s, size_t len, long long min,
	    long long max, long long *out);

/*
 * Parses a duration: 90, 90s, 10m, 1h, 2d, 1w. Returns 0 and seconds in
 * *out, or -1.
 */
int	 util_parse_duration(const char *s, long long *out);

/* Formats seconds as the shortest exact duration (3600 -> "1h"). */
void	 util_format_duration(long long secs, char *buf, size_t len);

/* Parses yes/no/true/false/on/off/1/0. Returns 0/1, or -1. */
int	 util_parse_bool(const char *s);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t	 util_days_from_civil(int y, unsigned m, unsigned d);

/* Seconds since the epoch of a UTC civil time; no range checks. */
int64_t	 util_timegm(int y, int mon, int d, int h, int mi, int s);

/* Month number 1-12 of a three-letter English name, or 0. */
int	 util_month(const char *s);

/* Formats ms since the epoch as 2026-05-30T06:01:31Z. */
void	 util_format_time(int64_t ms, char *buf, size_t len);

/* Wall clock and monotonic clock in milliseconds. */
int64_t	 util_now_ms(void);
int64_t	 util_mono_ms(void);

/* A fast 64-bit hash of a byte range. */
uint64_t util_hash(const void *p, size_t len);

/* Case-insensitive ASCII comparisons of byte ranges. */
int	 util_casecmpn(const char *a, const char *b, size_t n);

/* Splits s at white space into a NULL-ended vector; caller frees both. */
char	**util_split(const char *s, size_t *count);
void	 util_freev(char **v);

#endif
