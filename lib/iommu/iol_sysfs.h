/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_SYSFS_H
#define IOL_SYSFS_H

/*
 * Private to lib/iommu: the primitives every reader of iol_topology_read()
 * uses on sysfs, procfs and /usr/share files, all of them untrusted input.
 * Files are opened only when regular (no FIFO to block on), read with a
 * cap, and their text sanitised (sysfs_copy_str()) before it is stored or
 * quoted; what cannot be read becomes one warning in the topology, and
 * reading goes on.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iol_iommu.h"

/* Files read whole are small in sysfs and procfs; more is garbage. */
#define SYSFS_READ_MAX (1 << 20)

/*
 * Size of the buffer quoted text is cut to in a warning (60 bytes and the
 * NUL), so that one warning stays one short line.
 */
#define SYSFS_QUOTE_MAX 61

/* What the readers of one iol_topology_read() share. */
struct sysfs_ctx {
	struct iol_topology *t;    /* the snapshot being read */
	bool oom;                  /* out of memory: the snapshot is dropped */
};

/* strerror(), and "not a regular file, skipped" for sysfs_open_regular(). */
const char *sysfs_errstr(int e);

/* Bounded, sanitised copy of untrusted text: the one sanitiser. */
void sysfs_copy_str(char *dst, size_t size, const char *src);
/* sysfs_copy_str() in place. */
void sysfs_sanitize(char *s);
/* Untrusted text to quote in a warning: sanitised and cut short. */
const char *sysfs_quote(char buf[SYSFS_QUOTE_MAX], const char *s);

/* dir/name and dir/name/leaf; "" when it does not fit. */
void sysfs_cat_path(char *buf, size_t size, const char *dir, const char *name);
void sysfs_cat_path3(char *buf, size_t size, const char *dir, const char *name,
	const char *leaf);
/* The topology's root + a path; -1 (and a warning) when it does not fit. */
int sysfs_mkpath(struct sysfs_ctx *c, char *buf, size_t size, const char *fmt,
	...) __attribute__((format(printf, 4, 5)));

/* Add a warning to the topology (sanitised). */
void sysfs_warn(struct sysfs_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Grow an array by one zeroed element; NULL (and c->oom) when out of memory. */
void *sysfs_grow(struct sysfs_ctx *c, void *arrayp, unsigned int *n, size_t size);

/* Open a regular file only; NULL with errno (EISDIR, SYSFS_ENOTREG...). */
FILE *sysfs_open_regular(const char *path);
/* A whole file of at most SYSFS_READ_MAX bytes, NUL-terminated (free it). */
char *sysfs_slurp(const char *path);
/* sysfs_slurp(), NULL after a warning naming @p what. */
char *sysfs_slurp_warn(struct sysfs_ctx *c, const char *path, const char *what);
/* Each line of a file within @p cap bytes; 0, -EFBIG past the cap, -errno. */
int sysfs_for_each_line(const char *path, size_t cap,
	void (*fn)(char *line, void *arg), void *arg);
/* The first line of a one-value file, sanitised; 0 or -errno. */
int sysfs_read_line(const char *path, char *out, size_t size);
/* A one-number file; -1 after a warning naming @p what. */
int sysfs_read_u64_warn(struct sysfs_ctx *c, const char *path, int base,
	uint64_t *val, const char *what);
/* Basename of a symlink's target, sanitised; "" and -errno when none. */
int sysfs_read_link_base(const char *path, char *out, size_t size);
bool sysfs_is_dir(const char *path);

/* Names in a directory (no dot files); NULL and *n = 0 when unreadable. */
char **sysfs_list_dir(struct sysfs_ctx *c, const char *path, unsigned int *n,
	int *err);
void sysfs_free_names(char **names, unsigned int n);
/*
 * The shape of most readers: one array element for each entry of @p dir,
 * filled by @p fill (which returns -1 to drop it after saying why), then
 * the array sorted by @p cmp (NULL: left in directory order). A directory
 * that cannot be read is one warning "@p what: DIR could not be read: ...",
 * except a missing one when @p missing_ok. Returns 0 or that errno.
 */
int sysfs_read_dir(struct sysfs_ctx *c, const char *dir, const char *what,
	bool missing_ok, void *arrayp, unsigned int *n, size_t size,
	int (*fill)(struct sysfs_ctx *c, void *elem, const char *dir,
		const char *name, void *arg),
	void *arg, int (*cmp)(const void *, const void *));

/* Remove trailing white space. */
void sysfs_rstrip(char *s);
/* An unsigned number filling the whole string; 0 or -1. */
int sysfs_parse_u64(const char *s, int base, uint64_t *val);
/* Exactly @p n (at most 7) hex digits at @p s, either case: their value, or -1. */
int sysfs_parse_hex(const char *s, unsigned int n);
/* Decimal digits without a leading zero (but "0"): how the kernel numbers. */
bool sysfs_canonical_uint(const char *s);

#endif /* IOL_SYSFS_H */
