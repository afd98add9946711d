/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The untrusted-file primitives of lib/iommu (iol_sysfs.h): bounded,
 * non-blocking reads, one sanitiser for all text, and warnings instead of
 * failures, so that no file can stop, hang or fool a reader.
 */
#define _GNU_SOURCE /* vasprintf */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iol_sysfs.h"

/* Longest line sysfs_for_each_line() passes on; pci.ids lines are < 200 bytes. */
#define SYSFS_LINE_MAX 512

/*
 * Private errno value for a file that is not a regular file (a FIFO, a
 * socket, a device): opening one could block or have side effects.
 */
#define SYSFS_ENOTREG 4096

const char *
sysfs_errstr(int e)
{
	return e == SYSFS_ENOTREG ? "not a regular file, skipped" : strerror(e);
}

/*
 * Length of the valid UTF-8 sequence at @p s, of at most @p n bytes, with
 * its code point in @p cp; 0 when the bytes are no valid sequence
 * (overlong forms and surrogates included).
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		v = v << 6 | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/*
 * Bounded copy of text read from a file or a directory name; the one
 * sanitiser of everything iol_topology_read() stores or warns about.
 * Such text is untrusted: a control character would let a file write an
 * escape sequence to the terminal. C0 controls, DEL, the C1 controls as
 * code points (U+0080-U+009F, two bytes in UTF-8, U+009B being CSI) and
 * as raw bytes outside valid UTF-8 (0x80-0x9f: an 8-bit terminal takes
 * 0x9b as CSI) each become one '?' a byte. Other UTF-8 is kept, and a cut
 * falls between UTF-8 sequences, never inside one. Other invalid bytes
 * are no control anywhere and are left to the JSON writer, which escapes
 * them.
 */
void
sysfs_copy_str(char *dst, size_t size, const char *src)
{
	const unsigned char *u = (const unsigned char *)src;
	size_t n = strlen(src), i, len, k;
	uint32_t cp;

	if (n >= size) {
		n = size - 1;
		/* Back off over continuation bytes to a lead byte. */
		while (n > 0 && (u[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i += len) {
		len = 1;
		if (u[i] < 0x20 || u[i] == 0x7f) {
			dst[i] = '?';
			continue;
		}
		if (u[i] < 0x80) {
			dst[i] = src[i];
			continue;
		}
		len = utf8_seq(u + i, n - i, &cp);
		if (len == 0) {
			len = 1;
			dst[i] = u[i] <= 0x9f ? '?' : src[i];
			continue;
		}
		for (k = 0; k < len; k++)
			dst[i + k] = cp <= 0x9f ? '?' : src[i + k];
	}
	dst[n] = '\0';
}

/* sysfs_copy_str() in place, for strings that are already allocated. */
void
sysfs_sanitize(char *s)
{
	sysfs_copy_str(s, strlen(s) + 1, s);
}

/* Untrusted text to quote in a warning: sanitised and cut short. */
const char *
sysfs_quote(char buf[SYSFS_QUOTE_MAX], const char *s)
{
	sysfs_copy_str(buf, SYSFS_QUOTE_MAX, s);
	return buf;
}

/*
 * dir + "/" + name (+ "/" + leaf). A path that does not fit is left
 * empty, so that opening it fails and the caller reports the file.
 */
void
sysfs_cat_path3(char *buf, size_t size, const char *dir, const char *name,
	const char *leaf)
{
	size_t dl = strlen(dir), nl = strlen(name);
	size_t ll = leaf != NULL ? strlen(leaf) + 1 : 0;

	if (dl + 1 + nl + ll >= size) {
		buf[0] = '\0';
		return;
	}
	memcpy(buf, dir, dl);
	buf[dl] = '/';
	memcpy(buf + dl + 1, name, nl);
	if (leaf != NULL) {
		buf[dl + 1 + nl] = '/';
		memcpy(buf + dl + 2 + nl, leaf, ll - 1);
	}
	buf[dl + 1 + nl + ll] = '\0';
}

void
sysfs_cat_path(char *buf, size_t size, const char *dir, const char *name)
{
	sysfs_cat_path3(buf, size, dir, name, NULL);
}

void
sysfs_warn(struct sysfs_ctx *c, const char *fmt, ...)
{
	char *msg, **w;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->oom = true;
		return;
	}
	/* Whatever was quoted, no control character reaches a terminal. */
	sysfs_sanitize(msg);
	w = realloc(c->t->warnings, (c->t->n_warnings + 1) * sizeof(*w));
	if (w == NULL) {
		free(msg);
		c->oom = true;
		return;
	}
	w[c->t->n_warnings++] = msg;
	c->t->warnings = w;
}

/* Grow an array by one element; returns the new element, zeroed. */
void *
sysfs_grow(struct sysfs_ctx *c, void *arrayp, unsigned int *n, size_t size)
{
	void **array = arrayp;
	char *p = realloc(*array, (*n + 1) * size);

	if (p == NULL) {
		c->oom = true;
		return NULL;
	}
	*array = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

/* Build root + relative path; -1 (and a warning) if it does not fit. */
int
sysfs_mkpath(struct sysfs_ctx *c, char *buf, size_t size, const char *fmt, ...)
{
	const char *root = c->t->root;
	size_t rl = strlen(root);
	va_list ap;
	int n;

	if (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (rl >= size)
		return -1;
	memcpy(buf, root, rl);
	va_start(ap, fmt);
	n = vsnprintf(buf + rl, size - rl, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - rl) {
		sysfs_warn(c, "path too long under %s, skipped", root);
		return -1;
	}
	return 0;
}

/*
 * Open a file for reading, only if it is a regular file: sysfs attributes
 * and procfs files are, while opening a FIFO would block and a device
 * could have side effects. NULL with errno set (EISDIR, SYSFS_ENOTREG).
 */
FILE *
sysfs_open_regular(const char *path)
{
	struct stat st;
	FILE *f;
	int fd, e;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		e = errno;
		if (!S_ISREG(st.st_mode))
			e = S_ISDIR(st.st_mode) ? EISDIR : SYSFS_ENOTREG;
		close(fd);
		errno = e;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

/*
 * Read a whole file into a NUL-terminated buffer (free it).
 * Returns NULL with errno set; EFBIG when it is larger than SYSFS_READ_MAX.
 */
char *
sysfs_slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	FILE *f;
	size_t r;

	if (buf == NULL)
		return NULL;
	f = sysfs_open_regular(path);
	if (f == NULL) {
		int e = errno;

		free(buf);
		errno = e;
		return NULL;
	}
	for (;;) {
		r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
		if (len < cap - 1)
			break;
		if (cap >= SYSFS_READ_MAX) {
			fclose(f);
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		nb = realloc(buf, cap * 2);
		if (nb == NULL) {
			fclose(f);
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* sysfs_slurp(), NULL after a warning naming @p what. */
char *
sysfs_slurp_warn(struct sysfs_ctx *c, const char *path, const char *what)
{
	char *s = sysfs_slurp(path);

	if (s == NULL)
		sysfs_warn(c, "%s: %s could not be read: %s", what, path, sysfs_errstr(errno));
	return s;
}

/*
 * Call @p fn for each line of a file (without its '\n'), reading at most
 * @p cap bytes: a file too large to read whole (pci.ids) is streamed with
 * bounded memory. A line longer than SYSFS_LINE_MAX is passed on cut to it
 * and the rest of it skipped, so that a file without newlines (a sparse
 * one holds only NULs) costs no more than its first @p cap bytes.
 * Returns 0, -EFBIG when the file holds more than @p cap bytes (the lines
 * within them were passed on), or -errno.
 */
int
sysfs_for_each_line(const char *path, size_t cap, void (*fn)(char *line, void *arg),
	void *arg)
{
	char line[SYSFS_LINE_MAX], block[65536];
	size_t used = 0, total = 0, len, i;
	bool skipping = false;
	int ret = 0;
	FILE *f;

	f = sysfs_open_regular(path);
	if (f == NULL)
		return -errno;
	for (;;) {
		len = fread(block, 1, sizeof(block), f);
		if (len == 0)
			break;
		if (total + len > cap) {
			len = cap - total;
			ret = -EFBIG;
		}
		total += len;
		for (i = 0; i < len; i++) {
			if (block[i] == '\n') {
				line[used] = '\0';
				fn(line, arg);
				used = 0;
				skipping = false;
			} else if (used < sizeof(line) - 1) {
				line[used++] = block[i];
			} else {
				skipping = true;
			}
		}
		if (ret < 0)
			break;
	}
	/* The last line, even without '\n' (and then not after a cut). */
	if (ret == 0 && (used > 0 || skipping)) {
		line[used] = '\0';
		fn(line, arg);
	}
	if (ret == 0 && ferror(f))
		ret = -(errno != 0 ? errno : EIO);
	fclose(f);
	return ret;
}

void
sysfs_rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/*
 * Read the first line of a one-value sysfs file into @p out.
 * Returns 0, or -errno; ENOENT is left to the caller to report.
 */
int
sysfs_read_line(const char *path, char *out, size_t size)
{
	char *s = sysfs_slurp(path), *nl;

	if (s == NULL)
		return -errno;
	nl = strchr(s, '\n');
	if (nl != NULL)
		*nl = '\0';
	sysfs_rstrip(s);
	sysfs_copy_str(out, size, s);
	free(s);
	return 0;
}

/* Parse an unsigned number filling the whole string. */
int
sysfs_parse_u64(const char *s, int base, uint64_t *val)
{
	char *end;

	if (*s == '\0' || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*val = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

/* Read a one-number file; warns naming @p what on any problem. */
int
sysfs_read_u64_warn(struct sysfs_ctx *c, const char *path, int base, uint64_t *val,
	const char *what)
{
	char buf[128], q[SYSFS_QUOTE_MAX];
	int ret = sysfs_read_line(path, buf, sizeof(buf));

	if (ret < 0) {
		sysfs_warn(c, "%s: %s could not be read: %s", what, path, sysfs_errstr(-ret));
		return -1;
	}
	if (sysfs_parse_u64(buf, base, val) < 0) {
		sysfs_warn(c, "%s: %s holds garbage: '%s'", what, path, sysfs_quote(q, buf));
		return -1;
	}
	return 0;
}

/* Basename of a symlink's target, "" (and -errno) when no link. */
int
sysfs_read_link_base(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *b;

	out[0] = '\0';
	if (n < 0)
		return -errno;
	target[n] = '\0';
	b = strrchr(target, '/');
	sysfs_copy_str(out, size, b != NULL ? b + 1 : target);
	return 0;
}

bool
sysfs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Names in a directory, sorted; NULL with *n = 0 when it cannot be read. */
char **
sysfs_list_dir(struct sysfs_ctx *c, const char *path, unsigned int *n, int *err)
{
	char **names = NULL;
	struct dirent *de;
	DIR *d = opendir(path);

	*n = 0;
	*err = 0;
	if (d == NULL) {
		*err = errno;
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		char **slot;

		if (de->d_name[0] == '.')
			continue;
		slot = sysfs_grow(c, &names, n, sizeof(*names));
		if (slot == NULL)
			break;
		*slot = strdup(de->d_name);
		if (*slot == NULL) {
			c->oom = true;
			(*n)--;
			break;
		}
	}
	closedir(d);
	return names;
}

void
sysfs_free_names(char **names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Decimal digits only, without a leading zero unless it is "0". */
bool
sysfs_canonical_uint(const char *s)
{
	const char *p;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (p = s; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int
sysfs_read_dir(struct sysfs_ctx *c, const char *dir, const char *what,
	bool missing_ok, void *arrayp, unsigned int *n, size_t size,
	int (*fill)(struct sysfs_ctx *c, void *elem, const char *dir,
		const char *name, void *arg),
	void *arg, int (*cmp)(const void *, const void *))
{
	void **array = arrayp;
	unsigned int n_names, i;
	char **names;
	int err;

	names = sysfs_list_dir(c, dir, &n_names, &err);
	if (err != 0) {
		if (err != ENOENT || !missing_ok)
			sysfs_warn(c, "%s: %s could not be read: %s", what, dir,
				sysfs_errstr(err));
		return err;
	}
	for (i = 0; i < n_names; i++) {
		void *elem = sysfs_grow(c, array, n, size);

		if (elem == NULL)
			break;
		/* Dropped: the element stays allocated, zeroed, uncounted. */
		if (fill(c, elem, dir, names[i], arg) < 0)
			(*n)--;
	}
	sysfs_free_names(names, n_names);
	if (cmp != NULL && *n > 0)
		qsort(*array, *n, size, cmp);
	return 0;
}

int
sysfs_parse_hex(const char *s, unsigned int n)
{
	unsigned int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v << 4 | (isdigit((unsigned char)s[i]) ? s[i] - '0' :
			tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return (int)v;
}
