/*
 * Log tailing: follows the files that logpath globs match, through
 * rotation (rename, copytruncate, delete and re-create, re-pointed
 * symlinks), and hands every complete line to its owners. One poll()
 * loop drives it: poll tail_fd(), call tail_process() when it is
 * readable and tail_tick() about once a second.
 *
 * Lines are passed as pointer and length, without the newline and not
 * NUL-terminated, valid only during the callback. A file matched by
 * several globs is read once and each line goes to every owner.
 *
 * Where a file starts:
 * - a stored position (pos_get) whose device, inode and first-line hash
 *   match the file and whose offset fits in it: exactly there;
 * - a stored position that does not match (file replaced): offset 0;
 * - no stored position, file matched by tail_add(): its end (after the
 *   last complete line), or offset 0 when the entry was added with head;
 * - a file that appears or replaces another while running: offset 0.
 */
#ifndef ABUSEMOM_TAIL_H
#define ABUSEMOM_TAIL_H

#include <stddef.h>
#include <stdint.h>

/* Bytes hashed at most for a file's first line (head_hash). */
#define TAIL_HEAD_MAX	4096

/* How long a rotated-away file is still read after its last growth. */
#define TAIL_DRAIN_MS	30000

/* Bytes read from one file in one call before others get their turn. */
#define TAIL_READ_MAX	(4 * 1024 * 1024)

/*
 * Where reading of one file stands. head_hash is util_hash of the first
 * line (up to TAIL_HEAD_MAX bytes, without the newline), 0 when the
 * file has no complete first line yet; 0 matches any hash.
 */
struct tail_pos {
	uint64_t	 dev;
	uint64_t	 ino;
	uint64_t	 off;		/* start of the first unread line */
	uint64_t	 head_hash;
};

struct tail_cb {
	/*
	 * One complete line for one owner; line is not NUL-terminated.
	 * path is the matched name the file was opened under (a rotated
	 * file keeps the name it had).
	 */
	void	(*line)(void *arg, void *owner, const char *path,
		    const char *line, size_t len);
	/* A line longer than EVENT_LINE_MAX was skipped; may be NULL. */
	void	(*overlong)(void *arg, void *owner, const char *path);
	/* Fills *pos and returns 1 when a position is stored for path. */
	int	(*pos_get)(void *arg, const char *path, struct tail_pos *pos);
	/* The new position of path after reading; may be NULL. */
	void	(*pos_put)(void *arg, const char *path,
		    const struct tail_pos *pos);
	void	*arg;
};

/* Counters over the life of a struct tail. */
struct tail_stats {
	unsigned long	 files;		/* open now, draining ones included */
	unsigned long	 lines;		/* lines read (not times delivered) */
	unsigned long	 bytes;
	unsigned long	 overlong;
	unsigned long	 rotations;	/* a path moved to another file */
	unsigned long	 truncations;
	unsigned long	 errors;	/* warnings: once per failing episode */
};

/* Counters of one matched path, over every file it has named. */
struct tail_fstats {
	unsigned long	 lines;
	unsigned long	 bytes;
	unsigned long	 overlong;
	unsigned long	 rotations;
	unsigned long	 truncations;
	uint64_t	 off;		/* in the current file */
	int		 open;		/* a file is being followed */
	int		 error;		/* errno of the last failure, or 0 */
};

struct tail;

/*
 * Creates a tail with its own inotify instance; cb is copied. Returns
 * NULL with errno set. Free with tail_free().
 */
struct tail	*tail_new(const struct tail_cb *cb);

/* Closes every file and the inotify descriptor; NULL is allowed. */
void		 tail_free(struct tail *);

/*
 * Follows the files matching pattern (glob(7)), now and whenever they
 * appear. Files matched now start as the header comment says; data is
 * read by the next tail_drain_all(), tail_process() or tail_tick().
 * owner is passed back with every line of these files. A pattern that
 * matches nothing yet is not an error. Returns 0, or -1 (ENOMEM,
 * EINVAL for an empty pattern).
 */
int		 tail_add(struct tail *, const char *pattern, int head,
		    void *owner);

/* The descriptor to poll() for POLLIN. */
int		 tail_fd(const struct tail *);

/*
 * Handles the pending inotify events and reads the files they name.
 * Never blocks. Returns the number of lines read, or -1 when reading
 * the inotify descriptor failed.
 */
int		 tail_process(struct tail *);

/*
 * Housekeeping, about once a second: re-expands the globs, retries
 * files that failed, notices missed growth and truncation, closes
 * rotated files that stopped growing. Returns the lines read.
 */
int		 tail_tick(struct tail *);

/* Reads every file to its current end; returns the lines read. */
int		 tail_drain_all(struct tail *);

/*
 * True when a file has more data than one call reads (TAIL_READ_MAX):
 * the caller should poll with timeout 0 and call tail_process() again.
 */
int		 tail_pending(const struct tail *);

/* Copies the counters into *st. */
void		 tail_stats(const struct tail *, struct tail_stats *st);

/*
 * Calls cb once for every matched path with its counters; path and fs
 * are valid during the call only.
 */
void		 tail_file_stats(const struct tail *,
		    void (*cb)(void *, const char *path,
		    const struct tail_fstats *fs), void *arg);

#endif
