/* Small helpers for the unit tests. */
#ifndef ABUSEMOM_TESTUTIL_H
#define ABUSEMOM_TESTUTIL_H

#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

static int
testutil_rm_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes a directory tree; returns 0, or -1. */
static inline int
testutil_rmtree(const char *dir)
{
	return nftw(dir, testutil_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
