/*
 * The systemd journal as a log source, for jails with logpath = journal.
 * Each distinct match set gets its own sd_journal reader; entries are
 * formatted as RFC 3339 syslog lines
 *
 *	2026-05-30T06:25:01.123456+00:00 HOST IDENT[PID]: MESSAGE
 *
 * so that a filter with datepattern = syslog reads them as it reads
 * rsyslog's files. The time is _SOURCE_REALTIME_TIMESTAMP when the entry
 * has it (as journalctl shows), else __REALTIME_TIMESTAMP, always in UTC;
 * HOST is _HOSTNAME ("localhost" when absent), IDENT is
 * SYSLOG_IDENTIFIER or else _COMM ("unknown"), "[PID]" comes from _PID
 * and is left out when it is absent or not a number. Control bytes (and
 * in HOST and IDENT also space, ':', '[' and ']') are written as \xHH,
 * so one entry is always one line with one host and one ident word. A
 * line is cut to EVENT_LINE_MAX bytes, never inside an escape. Entries
 * without MESSAGE are passed over.
 *
 * One poll() loop drives it: poll journal_fd() for POLLIN, with a
 * timeout no longer than journal_timeout(), and call journal_process()
 * when it is readable, when the timeout passes, and right after
 * journal_add() (which reads nothing itself).
 *
 * Where a reader starts:
 * - a stored cursor (cursor_get under the reader's name): right after
 *   that entry; when the entry is gone (vacuumed), at the entry nearest
 *   to it in time;
 * - a cursor that sd_journal refuses: at the tail, with a warning;
 * - no cursor: at the tail (only entries written from now on), or at
 *   the first matching entry when added with head.
 * After each journal_process() that read entries, cursor_put gets the
 * cursor of the last one.
 */
#ifndef ABUSEMOM_JOURNAL_H
#define ABUSEMOM_JOURNAL_H

#include <stddef.h>

/* Entries one reader reads in one journal_process() at most. */
#define JOURNAL_READ_MAX	10000

/* Bytes of a cursor name, NUL included (the store's limit). */
#define JOURNAL_NAME_MAX	64

struct journal_cb {
	/*
	 * One entry for one owner as a syslog line, not NUL-terminated
	 * and without a newline, valid only during the call. name is the
	 * reader's cursor name ("journal:..."), standing where tail_cb
	 * passes the path, so that one function can serve both.
	 */
	void	(*line)(void *arg, void *owner, const char *name,
		    const char *line, size_t len);
	/*
	 * Copies the cursor stored under name into buf (NUL-terminated,
	 * at most len bytes) and returns 1; returns 0 when none is
	 * stored. May be NULL: always start as without a cursor.
	 */
	int	(*cursor_get)(void *arg, const char *name, char *buf,
		    size_t len);
	/* The cursor to store under name; may be NULL. */
	void	(*cursor_put)(void *arg, const char *name,
		    const char *cursor);
	void	*arg;
};

/* Counters over the life of a struct journal. */
struct journal_stats {
	unsigned long	 readers;	/* distinct match sets */
	unsigned long	 entries;	/* entries read (not times delivered) */
	unsigned long	 skipped;	/* entries without MESSAGE */
	unsigned long	 cut;		/* lines cut to EVENT_LINE_MAX */
	unsigned long	 invalidations;	/* files added or removed */
	unsigned long	 errors;	/* sd_journal calls that failed */
};

struct journal;

/*
 * Creates a journal source over the journal files in dir, or over the
 * local system journal when dir is NULL or "". cb is copied and dir
 * too. Returns NULL with errno set. Free with journal_close().
 */
struct journal	*journal_open(const char *dir, const struct journal_cb *cb);

/* Closes every reader and the descriptor; NULL is allowed. */
void		 journal_close(struct journal *);

/*
 * Reads the entries that match matches, and passes them to owner.
 * matches is written as for journalctl: FIELD=VALUE words separated by
 * white space (so a value cannot hold any); words on the same field are
 * ORed, on different fields ANDed, and a "+" word ORs the groups before
 * and after it. An empty string matches every entry. Owners that give
 * the same words (in the same order) share one reader, which a stored
 * cursor positions as the header comment says; head then only counts
 * for the first of them. Most fields are the writer's word: any local
 * user can log SYSLOG_IDENTIFIER=sshd (logger -t sshd), so a match set
 * for sshd should add the trusted _UID=0 (sshd logs as root, its
 * unprivileged children through the monitor). Returns 0, or -1 with
 * errno EINVAL (a bad match, logged), ENOMEM, or what sd_journal
 * returned (logged).
 */
int		 journal_add(struct journal *, const char *matches, int head,
		    void *owner);

/*
 * Writes the name the reader of matches stores its cursor under into
 * buf: "journal:" and the words joined by one space, or, when that does
 * not fit in JOURNAL_NAME_MAX bytes, "journal:#" and 16 hex digits of
 * their hash. Returns 0, or -1 when len is below JOURNAL_NAME_MAX or
 * out of memory.
 */
int		 journal_name(const char *matches, char *buf, size_t len);

/* The descriptor to poll() for POLLIN; valid until journal_close(). */
int		 journal_fd(const struct journal *);

/*
 * Milliseconds the caller may wait at most before calling
 * journal_process() again although journal_fd() stayed quiet (journal
 * files on a network file system), 0 when entries are pending
 * (journal_pending()), or -1 for no limit.
 */
int		 journal_timeout(const struct journal *);

/*
 * Takes the changes sd_journal noticed (new entries, files added by
 * rotation) and delivers the new entries of every reader, at most
 * JOURNAL_READ_MAX a reader. Never blocks. Returns the number of
 * entries delivered (an entry counts once whatever its number of
 * owners), or -1 when every reader failed (logged).
 */
int		 journal_process(struct journal *);

/* True when a reader stopped at JOURNAL_READ_MAX with more to read. */
int		 journal_pending(const struct journal *);

/* Copies the counters into *st. */
void		 journal_stats(const struct journal *,
		    struct journal_stats *st);

#endif
