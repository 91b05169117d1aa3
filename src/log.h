/*
 * Logging in the OpenBSD manner: log_warn appends strerror(errno),
 * log_warnx does not; fatal and fatalx log and exit 1.
 */
#ifndef ABUSEMOM_LOG_H
#define ABUSEMOM_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

enum log_target {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG
};

void	 log_init(enum log_target, int level, const char *ident);
int	 log_getlevel(void);
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_emit(int, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Skips the formatting entirely below the current level. */
#define log_debug(...) do {						\
	if (log_getlevel() >= LOG_DEBUG)				\
		log_emit(LOG_DEBUG, __VA_ARGS__);			\
} while (0)

/*
 * Copies text from a watched log into dst with control and non-ASCII
 * bytes escaped as \xHH, cut to dstlen - 1; returns dst.
 */
char	*log_escape(char *dst, size_t dstlen, const char *src, size_t len);

/*
 * A rate limit for one repeated warning: returns 1 when the caller may
 * log now; *suppressed then holds how many were held back since.
 */
struct log_limit {
	long long	 last;
	unsigned long	 held;
};
int	 log_limit_pass(struct log_limit *, int interval_s,
	    unsigned long *suppressed);

#endif
