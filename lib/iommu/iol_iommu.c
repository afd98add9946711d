/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reads the IOMMU topology from sysfs and procfs below a root directory.
 * Every file is treated as untrusted input: what cannot be read or parsed
 * becomes one warning naming the file, and reading goes on.
 */
#define _GNU_SOURCE /* vasprintf */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "iol_iommu.h"
#include "iol_units.h"

/* Files read whole are small in sysfs and procfs; more is garbage. */
#define READ_MAX (1 << 20)

/*
 * pci.ids is streamed, not read whole: about 1.3 MB today, so 8 MiB
 * leaves room to grow while a huge or endless file costs 8 MiB of reading.
 */
#define PCI_IDS_MAX (8u << 20)

/* Longest line for_each_line() passes on; pci.ids lines are < 200 bytes. */
#define LINE_MAX_LEN 512

/* Number of warnings quoted text is cut to, so that one line stays short. */
#define QUOTE_MAX 61

/*
 * Private errno value for a file that is not a regular file (a FIFO, a
 * socket, a device): opening one could block or have side effects.
 */
#define ENOTREG 4096

static const char *
errstr(int e)
{
	return e == ENOTREG ? "not a regular file, skipped" : strerror(e);
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
static void
copy_str(char *dst, size_t size, const char *src)
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

/* copy_str() in place, for strings that are already allocated. */
static void
sanitize(char *s)
{
	copy_str(s, strlen(s) + 1, s);
}

/* Untrusted text to quote in a warning: sanitised and cut short. */
static const char *
quote(char buf[QUOTE_MAX], const char *s)
{
	copy_str(buf, QUOTE_MAX, s);
	return buf;
}

/*
 * dir + "/" + name (+ "/" + leaf). A path that does not fit is left
 * empty, so that opening it fails and the caller reports the file.
 */
static void
cat_path3(char *buf, size_t size, const char *dir, const char *name,
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

static void
cat_path(char *buf, size_t size, const char *dir, const char *name)
{
	cat_path3(buf, size, dir, name, NULL);
}

struct ctx {
	struct iol_topology *t;
	bool oom;
};

static void __attribute__((format(printf, 2, 3)))
warn(struct ctx *c, const char *fmt, ...)
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
	sanitize(msg);
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
static void *
grow(struct ctx *c, void *arrayp, unsigned int *n, size_t size)
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
static int __attribute__((format(printf, 4, 5)))
mkpath(struct ctx *c, char *buf, size_t size, const char *fmt, ...)
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
		warn(c, "path too long under %s, skipped", root);
		return -1;
	}
	return 0;
}

/*
 * Open a file for reading, only if it is a regular file: sysfs attributes
 * and procfs files are, while opening a FIFO would block and a device
 * could have side effects. NULL with errno set (EISDIR, ENOTREG).
 */
static FILE *
open_regular(const char *path)
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
			e = S_ISDIR(st.st_mode) ? EISDIR : ENOTREG;
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
 * Returns NULL with errno set; EFBIG when it is larger than READ_MAX.
 */
static char *
slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	FILE *f;
	size_t r;

	if (buf == NULL)
		return NULL;
	f = open_regular(path);
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
		if (cap >= READ_MAX) {
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

/*
 * Call @p fn for each line of a file (without its '\n'), reading at most
 * @p cap bytes: a file too large to read whole (pci.ids) is streamed with
 * bounded memory. A line longer than LINE_MAX_LEN is passed on cut to it
 * and the rest of it skipped, so that a file without newlines (a sparse
 * one holds only NULs) costs no more than its first @p cap bytes.
 * Returns 0, -EFBIG when the file holds more than @p cap bytes (the lines
 * within them were passed on), or -errno.
 */
static int
for_each_line(const char *path, size_t cap, void (*fn)(char *line, void *arg),
	void *arg)
{
	char line[LINE_MAX_LEN], block[65536];
	size_t used = 0, total = 0, len, i;
	bool skipping = false;
	int ret = 0;
	FILE *f;

	f = open_regular(path);
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

static void
rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/*
 * Read the first line of a one-value sysfs file into @p out.
 * Returns 0, or -errno; ENOENT is left to the caller to report.
 */
static int
read_line(const char *path, char *out, size_t size)
{
	char *s = slurp(path), *nl;

	if (s == NULL)
		return -errno;
	nl = strchr(s, '\n');
	if (nl != NULL)
		*nl = '\0';
	rstrip(s);
	copy_str(out, size, s);
	free(s);
	return 0;
}

/* Parse an unsigned number filling the whole string. */
static int
parse_u64(const char *s, int base, uint64_t *val)
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
static int
read_u64_warn(struct ctx *c, const char *path, int base, uint64_t *val,
	const char *what)
{
	char buf[128], q[QUOTE_MAX];
	int ret = read_line(path, buf, sizeof(buf));

	if (ret < 0) {
		warn(c, "%s: %s could not be read: %s", what, path, errstr(-ret));
		return -1;
	}
	if (parse_u64(buf, base, val) < 0) {
		warn(c, "%s: %s holds garbage: '%s'", what, path, quote(q, buf));
		return -1;
	}
	return 0;
}

/* Basename of a symlink's target, "" (and -errno) when no link. */
static int
read_link_base(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *b;

	out[0] = '\0';
	if (n < 0)
		return -errno;
	target[n] = '\0';
	b = strrchr(target, '/');
	copy_str(out, size, b != NULL ? b + 1 : target);
	return 0;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Names in a directory, sorted; NULL with *n = 0 when it cannot be read. */
static char **
list_dir(struct ctx *c, const char *path, unsigned int *n, int *err)
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
		slot = grow(c, &names, n, sizeof(*names));
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

static void
free_names(char **names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Decimal digits only, without a leading zero unless it is "0". */
static bool
canonical_uint(const char *s)
{
	const char *p;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (p = s; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* "0000:00:03.0" */
static bool
looks_like_bdf(const char *s)
{
	unsigned int d, b, s2, f;
	char tail;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &s2, &f, &tail) == 4 &&
		strlen(s) == 12;
}

static int
cmp_netif(const void *a, const void *b)
{
	return strcmp(((const struct iol_netif *)a)->name,
		((const struct iol_netif *)b)->name);
}

/* Whether interface @p n is up: IFF_UP in its flags, else its operstate. */
static void
read_netif_state(struct ctx *c, struct iol_netif *n, const char *dev)
{
	char path[PATH_MAX], buf[32], q[QUOTE_MAX];
	uint64_t flags;
	int ret;

	if (mkpath(c, path, sizeof(path), "/sys/class/net/%s/operstate",
			n->name) == 0) {
		ret = read_line(path, n->operstate, sizeof(n->operstate));
		if (ret < 0)
			warn(c, "%s: interface %s: %s could not be read: %s", dev,
				n->name, path, errstr(-ret));
	}
	if (mkpath(c, path, sizeof(path), "/sys/class/net/%s/flags",
			n->name) < 0)
		return;
	ret = read_line(path, buf, sizeof(buf));
	if (ret == 0 && strncmp(buf, "0x", 2) == 0 &&
	    parse_u64(buf + 2, 16, &flags) == 0) {
		n->up = flags & 1; /* IFF_UP */
		return;
	}
	if (ret < 0)
		warn(c, "%s: interface %s: %s could not be read: %s", dev,
			n->name, path, errstr(-ret));
	else
		warn(c, "%s: interface %s: %s holds garbage: '%s'", dev,
			n->name, path, quote(q, buf));
	n->up = strcmp(n->operstate, "up") == 0;
}

/* The interfaces named in @p netdir (DEV/net or DEV/virtioN/net). */
static void
read_netifs_in(struct ctx *c, struct iol_device *dev, const char *netdir)
{
	unsigned int n, i;
	char **names;
	int err;

	names = list_dir(c, netdir, &n, &err);
	if (err != 0 && err != ENOENT && err != ENOTDIR)
		warn(c, "%s: %s could not be read: %s", dev->name, netdir,
			errstr(err));
	for (i = 0; i < n; i++) {
		struct iol_netif *nif = grow(c, &dev->netifs, &dev->n_netifs,
			sizeof(*nif));

		if (nif == NULL)
			break;
		copy_str(nif->name, sizeof(nif->name), names[i]);
		read_netif_state(c, nif, dev->name);
	}
	free_names(names, n);
}

/*
 * A PCI device's network interfaces: a NIC driver puts them in its net/
 * directory, virtio-pci one level down, in the virtio device's.
 */
static void
read_netifs(struct ctx *c, struct iol_device *dev, const char *dir)
{
	char path[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err;

	cat_path(path, sizeof(path), dir, "net");
	read_netifs_in(c, dev, path);
	names = list_dir(c, dir, &n, &err);
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "virtio", 6) != 0 ||
		    !canonical_uint(names[i] + 6))
			continue;
		cat_path3(path, sizeof(path), dir, names[i], "net");
		read_netifs_in(c, dev, path);
	}
	free_names(names, n);
	if (dev->n_netifs > 0)
		qsort(dev->netifs, dev->n_netifs, sizeof(*dev->netifs),
			cmp_netif);
}

/* Read one device's attributes from its sysfs directory @p dir. */
static void
read_device(struct ctx *c, struct iol_device *dev, const char *dir)
{
	char path[PATH_MAX], buf[64], q[QUOTE_MAX];
	uint64_t v, d, cl;
	struct stat st;
	int ret;

	dev->numa_node = -1;
	dev->group = -1;
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			warn(c, "device %s: its sysfs directory %s is gone "
				"(removed while reading?)", dev->name, dir);
		else
			warn(c, "device %s: its sysfs directory %s could not be "
				"read: %s", dev->name, dir, errstr(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		warn(c, "device %s: %s is not a directory", dev->name, dir);
		return;
	}
	dev->present = true;
	if (dev->is_pci) {
		bool ok = true;

		cat_path(path, sizeof(path), dir, "vendor");
		ok &= read_u64_warn(c, path, 16, &v, dev->name) == 0 && v <= 0xffff;
		cat_path(path, sizeof(path), dir, "device");
		ok &= read_u64_warn(c, path, 16, &d, dev->name) == 0 && d <= 0xffff;
		cat_path(path, sizeof(path), dir, "class");
		ok &= read_u64_warn(c, path, 16, &cl, dev->name) == 0 &&
			cl <= 0xffffff;
		if (ok) {
			dev->has_ids = true;
			dev->vendor = v;
			dev->device = d;
			dev->class_code = cl;
		}
		cat_path(path, sizeof(path), dir, "numa_node");
		ret = read_line(path, buf, sizeof(buf));
		if (ret == 0) {
			char *end;
			long n = strtol(buf, &end, 10);

			if (*end != '\0' || end == buf || n < -1 || n > 4096)
				warn(c, "%s: %s holds garbage: '%s'",
					dev->name, path, quote(q, buf));
			else
				dev->numa_node = n;
		} else if (ret != -ENOENT) {
			warn(c, "%s: %s could not be read: %s", dev->name,
				path, errstr(-ret));
		}
	}
	cat_path(path, sizeof(path), dir, "driver");
	read_link_base(path, dev->driver, sizeof(dev->driver));
	cat_path(path, sizeof(path), dir, "iommu_group");
	if (read_link_base(path, buf, sizeof(buf)) == 0) {
		if (parse_u64(buf, 10, &v) == 0 && v <= INT_MAX)
			dev->group = v;
		else
			warn(c, "%s: iommu_group link points to '%s', not a group",
				dev->name, quote(q, buf));
	}
	cat_path(path, sizeof(path), dir, "iommu");
	read_link_base(path, dev->iommu, sizeof(dev->iommu));
	if (dev->is_pci)
		read_netifs(c, dev, dir);
}

static int
cmp_dev(const void *a, const void *b)
{
	return strcmp(((const struct iol_device *)a)->name,
		((const struct iol_device *)b)->name);
}

static void
read_pci_devices(struct ctx *c)
{
	char path[PATH_MAX], dir[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err;

	if (mkpath(c, path, sizeof(path), "/sys/bus/pci/devices") < 0)
		return;
	names = list_dir(c, path, &n, &err);
	if (err != 0) {
		warn(c, "PCI devices: %s could not be read: %s", path, errstr(err));
		return;
	}
	for (i = 0; i < n; i++) {
		struct iol_device *dev = grow(c, &c->t->devs, &c->t->n_devs,
			sizeof(*dev));

		if (dev == NULL)
			break;
		copy_str(dev->name, sizeof(dev->name), names[i]);
		dev->is_pci = true;
		cat_path(dir, sizeof(dir), path, names[i]);
		read_device(c, dev, dir);
	}
	free_names(names, n);
	if (c->t->n_devs > 0)
		qsort(c->t->devs, c->t->n_devs, sizeof(*c->t->devs), cmp_dev);
}

/* The interface of the topology named @p name, NULL when none is. */
static struct iol_netif *
find_netif(struct iol_topology *t, const char *name)
{
	unsigned int i, k;

	for (i = 0; i < t->n_devs; i++)
		for (k = 0; k < t->devs[i].n_netifs; k++)
			if (strcmp(t->devs[i].netifs[k].name, name) == 0)
				return &t->devs[i].netifs[k];
	return NULL;
}

/* RTF_UP, RTF_REJECT and RTF_LOCAL of the kernel's route flags. */
#define ROUTE_UP 0x0001u
#define ROUTE_REJECT 0x0200u
#define ROUTE_LOCAL 0x80000000u

/*
 * /proc/net/route: "Iface Destination Gateway Flags ...", the destination
 * in the kernel's byte order as hex. Routes to 169.254.0.0/16 are left
 * out, as dpdk-devbind.py leaves them out when it marks an interface
 * with routes *Active*.
 */
static void
route4_line(char *line, void *arg)
{
	char ifname[32], dst[16], gw[16];
	struct iol_netif *n;
	unsigned int flags;
	uint64_t d;

	if (sscanf(line, "%31s %15s %15s %x", ifname, dst, gw, &flags) != 4 ||
	    parse_u64(dst, 16, &d) < 0 || !(flags & ROUTE_UP) ||
	    (flags & ROUTE_REJECT))
		return;
	d = ntohl((uint32_t)d);
	if ((d >> 16) == 0xa9fe)
		return;
	n = find_netif(arg, ifname);
	if (n != NULL)
		n->n_routes++;
}

/*
 * /proc/net/ipv6_route: "DST PLEN SRC PLEN NEXTHOP METRIC REFCNT USE
 * FLAGS IFACE". Link-local (fe80::/10) and multicast (ff00::/8) routes
 * exist on every interface that is up, and local ones are its own
 * addresses: none of them says traffic goes there.
 */
static void
route6_line(char *line, void *arg)
{
	char dst[40], ifname[32];
	struct iol_netif *n;
	unsigned int flags;

	if (sscanf(line, "%39s %*x %*s %*x %*s %*x %*x %*x %x %31s", dst, &flags,
			ifname) != 3 || strlen(dst) != 32 ||
	    !(flags & ROUTE_UP) || (flags & (ROUTE_REJECT | ROUTE_LOCAL)) ||
	    strncasecmp(dst, "ff", 2) == 0 ||
	    (strncasecmp(dst, "fe", 2) == 0 && strchr("89abAB", dst[2]) != NULL))
		return;
	n = find_netif(arg, ifname);
	if (n != NULL)
		n->n_routes++;
}

/* Count the routes through each interface the devices carry. */
static void
read_routes(struct ctx *c)
{
	static const struct {
		const char *file;
		void (*line)(char *line, void *arg);
	} tables[] = {
		{ "/proc/net/route", route4_line },
		{ "/proc/net/ipv6_route", route6_line },
	};
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < c->t->n_devs && c->t->devs[i].n_netifs == 0; i++)
		;
	if (i == c->t->n_devs)
		return;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (mkpath(c, path, sizeof(path), "%s", tables[i].file) < 0)
			continue;
		ret = for_each_line(path, READ_MAX, tables[i].line, c->t);
		/* No IPv6 in the kernel: no ipv6_route. */
		if (ret < 0 && ret != -ENOENT)
			warn(c, "routes: %s could not be read%s: %s", path,
				ret == -EFBIG ? " to the end" : "", errstr(-ret));
	}
}

static int
find_dev(const struct iol_topology *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n_devs; i++)
		if (strcmp(t->devs[i].name, name) == 0)
			return i;
	return -1;
}

static const struct {
	const char *name;
	enum iol_resv_type type;
} resv_types[] = {
	{ "direct", IOL_RESV_DIRECT },
	{ "direct-relaxable", IOL_RESV_DIRECT_RELAXABLE },
	{ "reserved", IOL_RESV_RESERVED },
	{ "msi", IOL_RESV_MSI },
};

const char *
iol_resv_type_name(enum iol_resv_type type)
{
	unsigned int i;

	for (i = 0; i < sizeof(resv_types) / sizeof(resv_types[0]); i++)
		if (resv_types[i].type == type)
			return resv_types[i].name;
	return "unknown";
}

static int
cmp_resv(const void *a, const void *b)
{
	const struct iol_resv_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Parse one "0xSTART 0xEND type" line; -1 when it is not one. */
static int
parse_resv_line(char *line, struct iol_resv_region *r)
{
	char *tok[4], *save = NULL;
	unsigned int n = 0, i;

	for (char *p = strtok_r(line, " \t", &save); p != NULL && n < 4;
	     p = strtok_r(NULL, " \t", &save))
		tok[n++] = p;
	if (n != 3 || parse_u64(tok[0], 16, &r->start) < 0 ||
	    parse_u64(tok[1], 16, &r->end) < 0 || r->start > r->end ||
	    strlen(tok[2]) >= sizeof(r->type_name))
		return -1;
	copy_str(r->type_name, sizeof(r->type_name), tok[2]);
	r->type = IOL_RESV_UNKNOWN;
	for (i = 0; i < sizeof(resv_types) / sizeof(resv_types[0]); i++)
		if (strcmp(resv_types[i].name, tok[2]) == 0)
			r->type = resv_types[i].type;
	return 0;
}

static void
read_resv(struct ctx *c, struct iol_iommu_group *g, const char *gdir)
{
	char path[PATH_MAX], *s, *line, *next;
	unsigned int lineno = 0;

	cat_path(path, sizeof(path), gdir, "reserved_regions");
	s = slurp(path);
	if (s == NULL) {
		warn(c, "IOMMU group %d: %s could not be read: %s", g->id, path,
			errstr(errno));
		return;
	}
	/* Line by line, blank ones counted too, so that warnings name the
	 * line an editor shows.
	 */
	for (line = s; *line != '\0'; line = next) {
		struct iol_resv_region r, *slot;
		char q[QUOTE_MAX];

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		lineno++;
		quote(q, line);
		rstrip(line);
		if (line[0] == '\0')
			continue;
		if (parse_resv_line(line, &r) < 0) {
			warn(c, "IOMMU group %d: reserved_regions line %u is not "
				"'START END TYPE': '%s'", g->id, lineno, q);
			continue;
		}
		if (r.type == IOL_RESV_UNKNOWN)
			warn(c, "IOMMU group %d: reserved region type '%s' unknown, "
				"treated as reserved", g->id, r.type_name);
		slot = grow(c, &g->resv, &g->n_resv, sizeof(*slot));
		if (slot == NULL)
			break;
		*slot = r;
	}
	free(s);
	if (g->n_resv > 0)
		qsort(g->resv, g->n_resv, sizeof(*g->resv), cmp_resv);
}

static int
cmp_group(const void *a, const void *b)
{
	const struct iol_iommu_group *x = a, *y = b;

	return x->id - y->id;
}

static void
read_group(struct ctx *c, struct iol_iommu_group *g, const char *gdir)
{
	char path[PATH_MAX], dpath[PATH_MAX], name[IOL_DEV_NAME_LEN];
	unsigned int n, i;
	char **names;
	int err, ret;

	cat_path(path, sizeof(path), gdir, "type");
	ret = read_line(path, g->type, sizeof(g->type));
	if (ret < 0 && ret != -ENOENT)
		warn(c, "IOMMU group %d: %s could not be read: %s", g->id, path,
			errstr(-ret));
	/* vfio names the groups it makes for noiommu mode; the
	 * /dev/vfio/noiommu-N node may be missing (no udev, no devtmpfs)
	 * while the group still gives no isolation.
	 */
	cat_path(path, sizeof(path), gdir, "name");
	ret = read_line(path, name, sizeof(name));
	if (ret == 0 && strcmp(name, "vfio-noiommu") == 0)
		g->noiommu = true;
	else if (ret < 0 && ret != -ENOENT)
		warn(c, "IOMMU group %d: %s could not be read: %s", g->id, path,
			errstr(-ret));
	read_resv(c, g, gdir);

	cat_path(path, sizeof(path), gdir, "devices");
	names = list_dir(c, path, &n, &err);
	if (err != 0) {
		warn(c, "IOMMU group %d: %s could not be read: %s", g->id, path,
			errstr(err));
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned int *slot;
		int idx;

		/* Device names are stored sanitised: compare likewise. */
		copy_str(name, sizeof(name), names[i]);
		idx = find_dev(c->t, name);

		if (idx < 0) {
			/* Not a PCI device listed on the bus: a platform
			 * device, or one removed since the bus was listed.
			 */
			struct iol_device *dev = grow(c, &c->t->devs,
				&c->t->n_devs, sizeof(*dev));

			if (dev == NULL)
				break;
			copy_str(dev->name, sizeof(dev->name), names[i]);
			dev->is_pci = looks_like_bdf(dev->name);
			cat_path(dpath, sizeof(dpath), path, names[i]);
			read_device(c, dev, dpath);
			idx = c->t->n_devs - 1;
		}
		if (c->t->devs[idx].group >= 0 && c->t->devs[idx].group != g->id)
			warn(c, "device %s: its iommu_group link says group %d "
				"but it is listed in group %d", name,
				c->t->devs[idx].group, g->id);
		c->t->devs[idx].group = g->id;
		slot = grow(c, &g->devs, &g->n_devs, sizeof(*slot));
		if (slot == NULL)
			break;
		*slot = idx;
	}
	free_names(names, n);
}

static void
read_groups(struct ctx *c)
{
	char path[PATH_MAX], gdir[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err;

	char q[QUOTE_MAX];

	if (mkpath(c, path, sizeof(path), "/sys/kernel/iommu_groups") < 0)
		return;
	names = list_dir(c, path, &n, &err);
	if (err != 0) {
		/* Kernels without IOMMU support have no such directory. */
		if (err != ENOENT)
			warn(c, "IOMMU groups: %s could not be read: %s", path,
				errstr(err));
		return;
	}
	for (i = 0; i < n; i++) {
		struct iol_iommu_group *g;
		uint64_t id;

		/* The kernel writes group numbers in canonical decimal;
		 * "02" or "+2" would make a second group 2.
		 */
		if (!canonical_uint(names[i]) ||
		    parse_u64(names[i], 10, &id) < 0 || id > INT_MAX) {
			warn(c, "IOMMU groups: '%s' in %s is not a group number",
				quote(q, names[i]), path);
			continue;
		}
		g = grow(c, &c->t->groups, &c->t->n_groups, sizeof(*g));
		if (g == NULL)
			break;
		g->id = id;
		cat_path(gdir, sizeof(gdir), path, names[i]);
		read_group(c, g, gdir);
	}
	free_names(names, n);
	if (c->t->n_groups > 0)
		qsort(c->t->groups, c->t->n_groups, sizeof(*c->t->groups),
			cmp_group);
}

/* Sort a group's device indexes by device name. */
static void
sort_group_devs(struct iol_topology *t)
{
	unsigned int g, i, j;

	for (g = 0; g < t->n_groups; g++) {
		unsigned int *d = t->groups[g].devs;

		for (i = 1; i < t->groups[g].n_devs; i++)
			for (j = i; j > 0 && strcmp(t->devs[d[j - 1]].name,
					t->devs[d[j]].name) > 0; j--) {
				unsigned int tmp = d[j];

				d[j] = d[j - 1];
				d[j - 1] = tmp;
			}
	}
}

static void
read_unit(struct ctx *c, struct iol_iommu_unit *u, const char *dir)
{
	char path[PATH_MAX], what[96];
	uint64_t cap;

	snprintf(what, sizeof(what), "IOMMU %s", u->name);
	cat_path(path, sizeof(path), dir, "intel-iommu");
	if (is_dir(path) || strncmp(u->name, "dmar", 4) == 0) {
		u->kind = IOL_IOMMU_INTEL;
		cat_path(path, sizeof(path), dir, "intel-iommu/cap");
		if (read_u64_warn(c, path, 16, &cap, what) == 0) {
			u->has_cap = true;
			u->cap = cap;
			/* MGAW, bits 21:16, is the width minus one; DPDK
			 * sizes its DMA mask from the same field.
			 */
			u->addr_width = ((cap >> 16) & 0x3f) + 1;
			snprintf(u->width_source, sizeof(u->width_source),
				"VT-d cap MGAW");
		}
		return;
	}
	cat_path(path, sizeof(path), dir, "amd-iommu");
	if (is_dir(path) || strncmp(u->name, "ivhd", 4) == 0) {
		char buf[128], q[QUOTE_MAX], *colon;
		int ret;

		u->kind = IOL_IOMMU_AMD;
		cat_path(path, sizeof(path), dir, "amd-iommu/features");
		ret = read_line(path, buf, sizeof(buf));
		if (ret < 0) {
			warn(c, "%s: %s could not be read: %s", what, path,
				errstr(-ret));
			return;
		}
		/* Newer kernels print "EFR:EFR2". */
		colon = strchr(buf, ':');
		if (colon != NULL)
			*colon = '\0';
		if (parse_u64(buf, 16, &cap) < 0) {
			warn(c, "%s: %s holds garbage: '%s'", what, path,
				quote(q, buf));
			return;
		}
		u->has_cap = true;
		u->cap = cap;
		/* EFR HATS, bits 11:10: 4, 5 or 6 page-table levels. */
		switch ((cap >> 10) & 3) {
		case 0: u->addr_width = 48; break;
		case 1: u->addr_width = 57; break;
		case 2: u->addr_width = 64; break;
		default: break;
		}
		if (u->addr_width != 0)
			snprintf(u->width_source, sizeof(u->width_source),
				"AMD EFR HATS");
		return;
	}
	u->kind = strncmp(u->name, "smmu", 4) == 0 ||
		strstr(u->name, "smmu") != NULL ? IOL_IOMMU_ARM_SMMU :
		IOL_IOMMU_OTHER;
	snprintf(u->width_source, sizeof(u->width_source),
		"not exposed by sysfs");
}

static int
cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct iol_iommu_unit *)a)->name,
		((const struct iol_iommu_unit *)b)->name);
}

static void
read_units(struct ctx *c)
{
	char path[PATH_MAX], dir[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err;

	if (mkpath(c, path, sizeof(path), "/sys/class/iommu") < 0)
		return;
	names = list_dir(c, path, &n, &err);
	if (err != 0) {
		if (err != ENOENT)
			warn(c, "IOMMU instances: %s could not be read: %s",
				path, errstr(err));
		return;
	}
	for (i = 0; i < n; i++) {
		struct iol_iommu_unit *u = grow(c, &c->t->units, &c->t->n_units,
			sizeof(*u));

		if (u == NULL)
			break;
		copy_str(u->name, sizeof(u->name), names[i]);
		cat_path(dir, sizeof(dir), path, names[i]);
		read_unit(c, u, dir);
	}
	free_names(names, n);
	if (c->t->n_units > 0)
		qsort(c->t->units, c->t->n_units, sizeof(*c->t->units), cmp_unit);
}

static bool
cmdline_relevant(const char *opt)
{
	static const char *const prefixes[] = {
		"intel_iommu=", "amd_iommu=", "amd_iommu_intr=", "iommu=",
		"iommu.", "vfio", "default_hugepagesz=", "hugepagesz=",
		"hugepages=",
	};
	unsigned int i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(opt, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static void
read_cmdline(struct ctx *c)
{
	char path[PATH_MAX], *s, *tok, *save = NULL;

	if (mkpath(c, path, sizeof(path), "/proc/cmdline") < 0)
		return;
	s = slurp(path);
	if (s == NULL) {
		warn(c, "kernel command line: %s could not be read: %s", path,
			errstr(errno));
		return;
	}
	c->t->cmdline_read = true;
	for (tok = strtok_r(s, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		char **slot;

		/* What follows "--" belongs to init, not to the kernel. */
		if (strcmp(tok, "--") == 0)
			break;
		if (!cmdline_relevant(tok))
			continue;
		slot = grow(c, &c->t->cmdline_opts, &c->t->n_cmdline_opts,
			sizeof(*slot));
		if (slot == NULL)
			break;
		*slot = strdup(tok);
		if (*slot == NULL) {
			c->oom = true;
			c->t->n_cmdline_opts--;
			break;
		}
		sanitize(*slot);
	}
	free(s);
}

static void
read_module(struct ctx *c, const char *mod, bool *loaded)
{
	char path[PATH_MAX], file[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err, ret;

	if (mkpath(c, path, sizeof(path), "/sys/module/%s", mod) < 0)
		return;
	*loaded = is_dir(path);
	if (!*loaded)
		return;
	if (mkpath(c, path, sizeof(path), "/sys/module/%s/parameters", mod) < 0)
		return;
	names = list_dir(c, path, &n, &err);
	if (err != 0) {
		if (err != ENOENT)
			warn(c, "module %s: %s could not be read: %s", mod, path,
				errstr(err));
		return;
	}
	for (i = 0; i < n; i++) {
		struct iol_module_param *p = grow(c, &c->t->params,
			&c->t->n_params, sizeof(*p));
		char q[QUOTE_MAX];
		uint64_t v;

		if (p == NULL)
			break;
		copy_str(p->module, sizeof(p->module), mod);
		copy_str(p->name, sizeof(p->name), names[i]);
		cat_path(file, sizeof(file), path, names[i]);
		ret = read_line(file, p->value, sizeof(p->value));
		if (ret < 0) {
			warn(c, "module %s: parameter %s could not be read: %s",
				mod, names[i], errstr(-ret));
			snprintf(p->value, sizeof(p->value), "?");
			continue;
		}
		if (strcmp(names[i], "dma_entry_limit") == 0) {
			if (parse_u64(p->value, 10, &v) == 0 && v <= INT64_MAX)
				c->t->dma_entry_limit = v;
			else
				warn(c, "module %s: dma_entry_limit holds garbage: "
					"'%s'", mod, quote(q, p->value));
		} else if (strcmp(names[i], "enable_unsafe_noiommu_mode") == 0) {
			if (strcmp(p->value, "Y") == 0 || strcmp(p->value, "1") == 0)
				c->t->noiommu_mode = 1;
			else if (strcmp(p->value, "N") == 0 ||
				 strcmp(p->value, "0") == 0)
				c->t->noiommu_mode = 0;
			else
				warn(c, "module %s: enable_unsafe_noiommu_mode "
					"holds garbage: '%s'", mod, quote(q, p->value));
		}
	}
	free_names(names, n);
}

static int
cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct iol_vfio_node *)a)->name,
		((const struct iol_vfio_node *)b)->name);
}

static void
read_dev_vfio(struct ctx *c)
{
	char path[PATH_MAX], file[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err;

	if (mkpath(c, path, sizeof(path), "/dev/vfio") < 0)
		return;
	names = list_dir(c, path, &n, &err);
	if (err != 0) {
		if (err != ENOENT)
			warn(c, "/dev/vfio: %s could not be read: %s", path,
				errstr(err));
		return;
	}
	c->t->has_dev_vfio = true;
	for (i = 0; i < n; i++) {
		struct iol_vfio_node *v;
		struct stat st;

		cat_path(file, sizeof(file), path, names[i]);
		if (stat(file, &st) < 0) {
			warn(c, "/dev/vfio: %s could not be read: %s", file,
				errstr(errno));
			continue;
		}
		v = grow(c, &c->t->nodes, &c->t->n_nodes, sizeof(*v));
		if (v == NULL)
			break;
		copy_str(v->name, sizeof(v->name), names[i]);
		v->mode = st.st_mode;
		v->uid = st.st_uid;
		v->gid = st.st_gid;
		v->usable = access(file, R_OK | W_OK) == 0;
	}
	free_names(names, n);
	if (c->t->n_nodes > 0)
		qsort(c->t->nodes, c->t->n_nodes, sizeof(*c->t->nodes), cmp_node);
	for (i = 0; i < c->t->n_nodes; i++) {
		unsigned int g;
		uint64_t id;

		if (strncmp(c->t->nodes[i].name, "noiommu-", 8) != 0 ||
		    !canonical_uint(c->t->nodes[i].name + 8) ||
		    parse_u64(c->t->nodes[i].name + 8, 10, &id) < 0)
			continue;
		for (g = 0; g < c->t->n_groups; g++)
			if ((uint64_t)c->t->groups[g].id == id)
				c->t->groups[g].noiommu = true;
	}
}

/* "hugepages-2048kB" -> bytes */
static int
parse_hp_dir(const char *name, uint64_t *size)
{
	char num[32];
	size_t n;

	if (strncmp(name, "hugepages-", 10) != 0)
		return -1;
	name += 10;
	n = strlen(name);
	if (n < 3 || n - 2 >= sizeof(num) || strcmp(name + n - 2, "kB") != 0)
		return -1;
	memcpy(num, name, n - 2);
	num[n - 2] = '\0';
	if (parse_u64(num, 10, size) < 0 || *size == 0 || *size > (UINT64_MAX >> 10))
		return -1;
	*size <<= 10;
	return 0;
}

static void
read_hp_pools(struct ctx *c, const char *path, int node)
{
	char file[PATH_MAX], what[64];
	unsigned int n, i;
	char **names;
	int err;

	names = list_dir(c, path, &n, &err);
	if (err != 0) {
		if (err != ENOENT)
			warn(c, "hugepages: %s could not be read: %s", path,
				errstr(err));
		return;
	}
	if (node < 0)
		snprintf(what, sizeof(what), "hugepages");
	else
		snprintf(what, sizeof(what), "hugepages on node %d", node);
	for (i = 0; i < n; i++) {
		struct iol_hugepages hp = { .node = node }, *slot;

		if (parse_hp_dir(names[i], &hp.page_size) < 0) {
			warn(c, "%s: '%s' in %s is not a page size", what,
				names[i], path);
			continue;
		}
		cat_path3(file, sizeof(file), path, names[i], "nr_hugepages");
		if (read_u64_warn(c, file, 10, &hp.total, what) < 0)
			continue;
		cat_path3(file, sizeof(file), path, names[i], "free_hugepages");
		if (read_u64_warn(c, file, 10, &hp.free, what) < 0)
			continue;
		slot = grow(c, &c->t->hugepages, &c->t->n_hugepages,
			sizeof(*slot));
		if (slot == NULL)
			break;
		*slot = hp;
	}
	free_names(names, n);
}

static int
cmp_hp(const void *a, const void *b)
{
	const struct iol_hugepages *x = a, *y = b;

	if (x->node != y->node)
		return x->node - y->node;
	return x->page_size < y->page_size ? -1 : x->page_size > y->page_size;
}

/* "2M", "1G", "2048k", "2097152" -> bytes */
static int
parse_size(const char *s, uint64_t *val)
{
	char num[32];
	size_t n = strlen(s);
	unsigned int shift = 0;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (tolower((unsigned char)num[n - 1])) {
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	default: break;
	}
	if (shift != 0)
		num[n - 1] = '\0';
	if (parse_u64(num, 10, val) < 0 || *val > (UINT64_MAX >> shift))
		return -1;
	*val <<= shift;
	return 0;
}

/* Undo the octal escapes of /proc/mounts ("\040" for a space). */
static void
unescape_mount(char *s)
{
	char *w = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

static void
read_hugepages(struct ctx *c)
{
	char path[PATH_MAX], *s, *line, *save = NULL;
	unsigned int n, i;
	char **names;
	int err;

	if (mkpath(c, path, sizeof(path), "/proc/meminfo") == 0) {
		s = slurp(path);
		if (s == NULL) {
			warn(c, "hugepages: %s could not be read: %s", path,
				errstr(errno));
		} else {
			char *hp = strstr(s, "Hugepagesize:");
			uint64_t kb;

			if (hp != NULL && sscanf(hp, "Hugepagesize: %" SCNu64 " kB",
					&kb) == 1 && kb < (UINT64_MAX >> 10))
				c->t->default_hugepage_size = kb << 10;
			free(s);
		}
	}

	if (mkpath(c, path, sizeof(path), "/sys/kernel/mm/hugepages") == 0)
		read_hp_pools(c, path, -1);
	if (mkpath(c, path, sizeof(path), "/sys/devices/system/node") == 0) {
		names = list_dir(c, path, &n, &err);
		/* No NUMA in the kernel: no such directory, host pools serve. */
		if (err != 0 && err != ENOENT)
			warn(c, "hugepages: %s could not be read: %s", path,
				errstr(err));
		for (i = 0; i < n; i++) {
			char hp[PATH_MAX];
			uint64_t node;

			if (strncmp(names[i], "node", 4) != 0 ||
			    parse_u64(names[i] + 4, 10, &node) < 0 || node > 4096)
				continue;
			cat_path3(hp, sizeof(hp), path, names[i], "hugepages");
			read_hp_pools(c, hp, node);
		}
		free_names(names, n);
	}
	if (c->t->n_hugepages > 0)
		qsort(c->t->hugepages, c->t->n_hugepages,
			sizeof(*c->t->hugepages), cmp_hp);

	if (mkpath(c, path, sizeof(path), "/proc/mounts") < 0)
		return;
	s = slurp(path);
	if (s == NULL) {
		warn(c, "hugetlbfs mounts: %s could not be read: %s", path,
			errstr(errno));
		return;
	}
	for (line = strtok_r(s, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char dev[256], dir[256], type[64], opts[512], *o, *osave = NULL;
		char q[QUOTE_MAX];
		struct iol_hugetlbfs_mount *m;
		uint64_t size;

		if (sscanf(line, "%255s %255s %63s %511s", dev, dir, type, opts) != 4) {
			if (strstr(line, "hugetlbfs") != NULL)
				warn(c, "hugetlbfs mounts: truncated line in %s: "
					"'%s'", path, quote(q, line));
			continue;
		}
		if (strcmp(type, "hugetlbfs") != 0)
			continue;
		size = c->t->default_hugepage_size;
		for (o = strtok_r(opts, ",", &osave); o != NULL;
		     o = strtok_r(NULL, ",", &osave))
			if (strncmp(o, "pagesize=", 9) == 0 &&
			    parse_size(o + 9, &size) < 0) {
				warn(c, "hugetlbfs mount %s: pagesize '%s' unreadable",
					dir, quote(q, o + 9));
				size = 0;
			}
		m = grow(c, &c->t->mounts, &c->t->n_mounts, sizeof(*m));
		if (m == NULL)
			break;
		unescape_mount(dir);
		copy_str(m->path, sizeof(m->path), dir);
		m->page_size = size;
	}
	free(s);
}

void
iol_memlock_get(uint64_t *limit, bool *cap_ipc_lock)
{
	struct rlimit rl;
	char *s, *cap;
	uint64_t eff;

	*limit = 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0)
		*limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
	*cap_ipc_lock = false;
	/* This is about the calling process, never a fixture root. */
	s = slurp("/proc/self/status");
	if (s == NULL)
		return;
	cap = strstr(s, "\nCapEff:");
	if (cap != NULL && sscanf(cap, "\nCapEff: %" SCNx64, &eff) == 1)
		*cap_ipc_lock = (eff >> 14) & 1; /* CAP_IPC_LOCK */
	free(s);
}

/*
 * A pci.ids entry: @p n hex digits, one or more spaces, then a non-empty
 * name. Anything else (a short line, a stray tab) is no entry, so that
 * the name is never taken from beyond the end of the line.
 */
static const char *
ids_entry(const char *s, unsigned int n, unsigned int *id)
{
	unsigned int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return NULL;
		v = v << 4 | (isdigit((unsigned char)s[i]) ? s[i] - '0' :
			(tolower((unsigned char)s[i]) - 'a' + 10));
	}
	if (s[n] != ' ')
		return NULL;
	s += n;
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return NULL;
	*id = v;
	return s;
}

enum ids_field { IDS_VENDOR, IDS_DEVICE, IDS_CLASS, IDS_SUBCLASS };

/* Give @p name to every device whose @p field matches. */
static void
ids_assign(struct ctx *c, enum ids_field field, int vendor, int cls,
	unsigned int id, const char *name)
{
	struct iol_topology *t = c->t;
	unsigned int i;

	for (i = 0; i < t->n_devs; i++) {
		struct iol_device *d = &t->devs[i];
		char **slot;

		if (!d->has_ids)
			continue;
		switch (field) {
		case IDS_VENDOR:
			if (d->vendor != id || d->vendor_name != NULL)
				continue;
			slot = &d->vendor_name;
			break;
		case IDS_DEVICE:
			if (d->vendor != vendor || d->device != id ||
			    d->device_name != NULL)
				continue;
			slot = &d->device_name;
			break;
		case IDS_CLASS:
			if ((d->class_code >> 16) != id || d->class_name != NULL)
				continue;
			slot = &d->class_name;
			break;
		default:
			/* The subclass name is the one lspci shows. */
			if ((d->class_code >> 8) != ((unsigned int)cls << 8 | id))
				continue;
			slot = &d->class_name;
			free(*slot);
			*slot = NULL;
			break;
		}
		*slot = strdup(name);
		if (*slot == NULL)
			c->oom = true;
		else
			sanitize(*slot);
	}
}

/* State of the pci.ids parser between lines. */
struct ids_state {
	struct ctx *c;
	int vendor;                /* vendor of the device lines that follow */
	int cls;                   /* class of the subclass lines that follow */
};

static void
ids_line(char *line, void *arg)
{
	struct ids_state *st = arg;
	const char *name;
	unsigned int id;

	rstrip(line);
	if (line[0] == '#' || line[0] == '\0')
		return;
	if (line[0] == 'C' && line[1] == ' ') {
		st->vendor = -1;
		st->cls = -1;
		name = ids_entry(line + 2, 2, &id);
		if (name == NULL)
			return;
		st->cls = id;
		ids_assign(st->c, IDS_CLASS, -1, -1, id, name);
		return;
	}
	if (line[0] != '\t') {
		/* Vendor line; other top-level sections end classes. */
		st->cls = -1;
		st->vendor = -1;
		name = ids_entry(line, 4, &id);
		if (name == NULL)
			return;
		st->vendor = id;
		ids_assign(st->c, IDS_VENDOR, -1, -1, id, name);
		return;
	}
	if (line[1] == '\t')
		return; /* subsystem or prog-if */
	if (st->vendor >= 0 && (name = ids_entry(line + 1, 4, &id)) != NULL)
		ids_assign(st->c, IDS_DEVICE, st->vendor, -1, id, name);
	else if (st->cls >= 0 && (name = ids_entry(line + 1, 2, &id)) != NULL)
		ids_assign(st->c, IDS_SUBCLASS, -1, st->cls, id, name);
}

static void
read_pci_ids(struct ctx *c)
{
	static const char *const paths[] = {
		"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids",
	};
	struct ids_state st = { .c = c, .vendor = -1, .cls = -1 };
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (mkpath(c, path, sizeof(path), "%s", paths[i]) < 0)
			continue;
		ret = for_each_line(path, PCI_IDS_MAX, ids_line, &st);
		if (ret == -ENOENT)
			continue;
		if (ret == -EFBIG)
			warn(c, "pci.ids: %s is larger than %u MiB: only its first "
				"%u MiB are read, names past them are not found",
				path, PCI_IDS_MAX >> 20, PCI_IDS_MAX >> 20);
		else if (ret < 0)
			warn(c, "pci.ids: %s could not be read: %s", path,
				errstr(-ret));
		return;
	}
	/* No pci.ids: devices are shown by number only, as lspci -n does. */
}

struct iol_topology *
iol_topology_read(const char *root)
{
	struct iol_topology *t = calloc(1, sizeof(*t));
	struct ctx c = { .t = t };

	if (t == NULL)
		return NULL;
	if (root == NULL || root[0] == '\0')
		root = "/";
	t->dma_entry_limit = -1;
	t->noiommu_mode = -1;
	if (strlen(root) >= sizeof(t->root)) {
		char q[QUOTE_MAX];

		/* Reading below a cut name would read another directory. */
		copy_str(t->root, sizeof(t->root), root);
		warn(&c, "root directory name too long (%zu bytes, at most %zu), "
			"nothing read: '%s...'", strlen(root), sizeof(t->root) - 1,
			quote(q, root));
		goto out;
	}
	/* Kept as given (not sanitised): every path is built from it. */
	memcpy(t->root, root, strlen(root) + 1);
	if (!is_dir(root))
		warn(&c, "root %s is not a readable directory", root);

	read_pci_devices(&c);
	read_groups(&c);
	read_routes(&c);
	sort_group_devs(t);
	read_units(&c);
	read_cmdline(&c);
	read_module(&c, "vfio", &t->mod_vfio);
	read_module(&c, "vfio_iommu_type1", &t->mod_vfio_type1);
	read_module(&c, "vfio_pci", &t->mod_vfio_pci);
	if (t->noiommu_mode < 0) {
		unsigned int i;

		for (i = 0; i < t->n_cmdline_opts; i++) {
			const char *o = t->cmdline_opts[i];

			if (strncmp(o, "vfio.enable_unsafe_noiommu_mode=", 32) == 0)
				t->noiommu_mode = strchr("1yY", o[32]) != NULL &&
					o[32] != '\0';
		}
	}
	read_dev_vfio(&c);
	read_hugepages(&c);
	read_pci_ids(&c);
	iol_memlock_get(&t->memlock_limit, &t->cap_ipc_lock);
out:
	if (c.oom) {
		iol_topology_free(t);
		return NULL;
	}
	return t;
}

void
iol_topology_free(struct iol_topology *t)
{
	unsigned int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n_devs; i++) {
		free(t->devs[i].vendor_name);
		free(t->devs[i].device_name);
		free(t->devs[i].class_name);
		free(t->devs[i].netifs);
	}
	free(t->devs);
	for (i = 0; i < t->n_groups; i++) {
		free(t->groups[i].devs);
		free(t->groups[i].resv);
	}
	free(t->groups);
	free(t->units);
	free_names(t->cmdline_opts, t->n_cmdline_opts);
	free(t->params);
	free(t->nodes);
	free(t->hugepages);
	free(t->mounts);
	free_names(t->warnings, t->n_warnings);
	free(t);
}

const struct iol_device *
iol_topology_device(const struct iol_topology *t, const char *name)
{
	int i = find_dev(t, name);

	return i < 0 ? NULL : &t->devs[i];
}

const struct iol_iommu_group *
iol_topology_group(const struct iol_topology *t, int id)
{
	unsigned int i;

	for (i = 0; i < t->n_groups; i++)
		if (t->groups[i].id == id)
			return &t->groups[i];
	return NULL;
}

bool
iol_topology_iommu_enabled(const struct iol_topology *t)
{
	unsigned int i;

	if (t->n_units > 0)
		return true;
	for (i = 0; i < t->n_groups; i++)
		if (!t->groups[i].noiommu)
			return true;
	return false;
}

static const char *
kind_name(enum iol_iommu_kind k)
{
	switch (k) {
	case IOL_IOMMU_INTEL: return "intel-vt-d";
	case IOL_IOMMU_AMD: return "amd-vi";
	case IOL_IOMMU_ARM_SMMU: return "arm-smmu";
	default: return "other";
	}
}

static void
print_device(const struct iol_device *d, FILE *out)
{
	unsigned int i;

	fprintf(out, "\t%s", d->name);
	if (!d->present) {
		fprintf(out, " (gone: its sysfs directory could not be read)\n");
		return;
	}
	if (d->has_ids) {
		if (d->class_name != NULL)
			fprintf(out, " %s", d->class_name);
		else
			fprintf(out, " Class");
		fprintf(out, " [%04x]:", d->class_code >> 8);
		if (d->vendor_name != NULL)
			fprintf(out, " %s", d->vendor_name);
		fprintf(out, " %s", d->device_name != NULL ? d->device_name :
			"Device");
		fprintf(out, " [%04x:%04x]", d->vendor, d->device);
	} else if (d->is_pci) {
		fprintf(out, " (ids unreadable)");
	}
	fprintf(out, " driver=%s", d->driver[0] != '\0' ? d->driver : "none");
	if (d->is_pci)
		fprintf(out, " numa=%d", d->numa_node);
	for (i = 0; i < d->n_netifs; i++)
		fprintf(out, " net=%s(%s, %u route%s)", d->netifs[i].name,
			d->netifs[i].up ? "up" : "down", d->netifs[i].n_routes,
			d->netifs[i].n_routes == 1 ? "" : "s");
	fputc('\n', out);
}

static void
print_group(const struct iol_topology *t, const struct iol_iommu_group *g,
	FILE *out)
{
	unsigned int i;

	fprintf(out, "IOMMU Group %d:\n", g->id);
	for (i = 0; i < g->n_devs; i++)
		print_device(&t->devs[g->devs[i]], out);
	for (i = 0; i < g->n_resv; i++)
		fprintf(out, "\treserved 0x%016" PRIx64 "-0x%016" PRIx64 " %s\n",
			g->resv[i].start, g->resv[i].end, g->resv[i].type_name);
	if (g->type[0] != '\0')
		fprintf(out, "\ttype %s\n", g->type);
	if (g->noiommu)
		fprintf(out, "\tnoiommu group (no DMA isolation)\n");
}

/* PCI devices outside any group: the whole bus on a host without IOMMU. */
static void
print_ungrouped(const struct iol_topology *t, FILE *out)
{
	bool header = false;
	unsigned int i;

	for (i = 0; i < t->n_devs; i++) {
		if (t->devs[i].group >= 0 &&
		    iol_topology_group(t, t->devs[i].group) != NULL)
			continue;
		if (!header)
			fprintf(out, "No IOMMU group:\n");
		header = true;
		print_device(&t->devs[i], out);
	}
}

static void
print_host(const struct iol_topology *t, FILE *out)
{
	unsigned int i;
	char sz[32];

	fprintf(out, "Host:\n");
	if (t->n_units == 0)
		fprintf(out, "\tIOMMU instances: none in /sys/class/iommu\n");
	for (i = 0; i < t->n_units; i++) {
		const struct iol_iommu_unit *u = &t->units[i];

		fprintf(out, "\tIOMMU %s (%s): address width ", u->name,
			kind_name(u->kind));
		if (u->addr_width != 0)
			fprintf(out, "%u bits (%s)", u->addr_width, u->width_source);
		else
			fprintf(out, "unknown (%s)", u->width_source[0] != '\0' ?
				u->width_source : "cap unreadable");
		if (u->has_cap)
			fprintf(out, ", cap 0x%" PRIx64, u->cap);
		fputc('\n', out);
	}
	fprintf(out, "\tIOMMU enabled: %s\n",
		iol_topology_iommu_enabled(t) ? "yes" : "no");
	fprintf(out, "\tkernel options:");
	if (!t->cmdline_read)
		fprintf(out, " (unreadable)");
	else if (t->n_cmdline_opts == 0)
		fprintf(out, " none for IOMMU, vfio or hugepages");
	for (i = 0; i < t->n_cmdline_opts; i++)
		fprintf(out, " %s", t->cmdline_opts[i]);
	fputc('\n', out);
	fprintf(out, "\tmodules: vfio %s, vfio_iommu_type1 %s, vfio_pci %s\n",
		t->mod_vfio ? "loaded" : "not loaded",
		t->mod_vfio_type1 ? "loaded" : "not loaded",
		t->mod_vfio_pci ? "loaded" : "not loaded");
	for (i = 0; i < t->n_params; i++)
		fprintf(out, "\tparameter %s.%s=%s\n", t->params[i].module,
			t->params[i].name, t->params[i].value);
	if (!t->has_dev_vfio)
		fprintf(out, "\t/dev/vfio: absent\n");
	for (i = 0; i < t->n_nodes; i++)
		fprintf(out, "\t/dev/vfio/%s mode %04o uid %u gid %u %s\n",
			t->nodes[i].name, (unsigned int)(t->nodes[i].mode & 07777),
			(unsigned int)t->nodes[i].uid, (unsigned int)t->nodes[i].gid,
			t->nodes[i].usable ? "usable" : "not usable by this user");
	if (t->memlock_limit == UINT64_MAX)
		fprintf(out, "\tmemlock: unlimited");
	else
		fprintf(out, "\tmemlock: %" PRIu64 " bytes", t->memlock_limit);
	fprintf(out, ", CAP_IPC_LOCK %s\n", t->cap_ipc_lock ? "yes" : "no");
	if (t->n_hugepages == 0)
		fprintf(out, "\thugepages: none\n");
	for (i = 0; i < t->n_hugepages; i++) {
		const struct iol_hugepages *h = &t->hugepages[i];

		iol_size_str(h->page_size, IOL_SIZE_SHORT, sz, sizeof(sz));
		if (h->node < 0)
			fprintf(out, "\thugepages %s: total %" PRIu64 " free %" PRIu64 "\n",
				sz, h->total, h->free);
		else
			fprintf(out, "\thugepages %s node %d: total %" PRIu64
				" free %" PRIu64 "\n", sz, h->node, h->total, h->free);
	}
	if (t->n_mounts == 0)
		fprintf(out, "\thugetlbfs: not mounted\n");
	for (i = 0; i < t->n_mounts; i++) {
		if (t->mounts[i].page_size == 0)
			snprintf(sz, sizeof(sz), "unknown");
		else
			iol_size_str(t->mounts[i].page_size, IOL_SIZE_SHORT, sz, sizeof(sz));
		fprintf(out, "\thugetlbfs %s pagesize %s\n", t->mounts[i].path, sz);
	}
}

int
iol_topology_print(const struct iol_topology *t, FILE *out, const char *device)
{
	const struct iol_iommu_group *g;
	const struct iol_device *d;
	unsigned int i;

	if (device != NULL) {
		d = iol_topology_device(t, device);
		/* Nothing printed: the caller says it where errors go. */
		if (d == NULL)
			return -1;
		g = d->group >= 0 ? iol_topology_group(t, d->group) : NULL;
		if (g != NULL) {
			print_group(t, g, out);
		} else {
			fprintf(out, "No IOMMU group:\n");
			print_device(d, out);
		}
	} else {
		if (t->n_groups == 0)
			fprintf(out, "No IOMMU groups: %s\n",
				t->n_units > 0 ? "IOMMU present but no device is in a group" :
				"the IOMMU is not enabled (no /sys/class/iommu entry, "
				"no /sys/kernel/iommu_groups)");
		for (i = 0; i < t->n_groups; i++)
			print_group(t, &t->groups[i], out);
		print_ungrouped(t, out);
	}
	print_host(t, out);
	return 0;
}

static void
json_device(struct iol_json *j, const struct iol_device *d)
{
	unsigned int i;
	char buf[16];

	iol_json_object_open(j, NULL);
	iol_json_string(j, "address", d->name);
	iol_json_bool(j, "pci", d->is_pci);
	iol_json_bool(j, "present", d->present);
	if (d->has_ids) {
		snprintf(buf, sizeof(buf), "%04x", d->vendor);
		iol_json_string(j, "vendor", buf);
		snprintf(buf, sizeof(buf), "%04x", d->device);
		iol_json_string(j, "device", buf);
		snprintf(buf, sizeof(buf), "%06x", d->class_code);
		iol_json_string(j, "class", buf);
	} else {
		iol_json_null(j, "vendor");
		iol_json_null(j, "device");
		iol_json_null(j, "class");
	}
	iol_json_string(j, "vendor_name", d->vendor_name);
	iol_json_string(j, "device_name", d->device_name);
	iol_json_string(j, "class_name", d->class_name);
	iol_json_string(j, "driver", d->driver[0] != '\0' ? d->driver : NULL);
	iol_json_i64(j, "numa_node", d->numa_node);
	if (d->group >= 0)
		iol_json_i64(j, "group", d->group);
	else
		iol_json_null(j, "group");
	iol_json_string(j, "iommu", d->iommu[0] != '\0' ? d->iommu : NULL);
	iol_json_array_open(j, "interfaces");
	for (i = 0; i < d->n_netifs; i++) {
		const struct iol_netif *n = &d->netifs[i];

		iol_json_object_open(j, NULL);
		iol_json_string(j, "name", n->name);
		iol_json_bool(j, "up", n->up);
		iol_json_string(j, "operstate", n->operstate[0] != '\0' ?
			n->operstate : NULL);
		iol_json_u64(j, "routes", n->n_routes);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	iol_json_object_close(j);
}

static void
json_group(struct iol_json *j, const struct iol_topology *t,
	const struct iol_iommu_group *g)
{
	unsigned int i;

	iol_json_object_open(j, NULL);
	iol_json_i64(j, "id", g->id);
	iol_json_string(j, "type", g->type[0] != '\0' ? g->type : NULL);
	iol_json_bool(j, "noiommu", g->noiommu);
	iol_json_array_open(j, "devices");
	for (i = 0; i < g->n_devs; i++)
		json_device(j, &t->devs[g->devs[i]]);
	iol_json_array_close(j);
	iol_json_array_open(j, "reserved_regions");
	for (i = 0; i < g->n_resv; i++) {
		iol_json_object_open(j, NULL);
		iol_json_hex(j, "start", g->resv[i].start);
		iol_json_hex(j, "end", g->resv[i].end);
		iol_json_string(j, "type", g->resv[i].type_name);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	iol_json_object_close(j);
}

static void
json_host(struct iol_json *j, const struct iol_topology *t)
{
	unsigned int i;
	char mode[8];

	iol_json_array_open(j, "iommus");
	for (i = 0; i < t->n_units; i++) {
		const struct iol_iommu_unit *u = &t->units[i];

		iol_json_object_open(j, NULL);
		iol_json_string(j, "name", u->name);
		iol_json_string(j, "kind", kind_name(u->kind));
		if (u->addr_width != 0)
			iol_json_u64(j, "address_width", u->addr_width);
		else
			iol_json_null(j, "address_width");
		iol_json_string(j, "width_source", u->width_source);
		if (u->has_cap)
			iol_json_hex(j, "cap", u->cap);
		else
			iol_json_null(j, "cap");
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	iol_json_array_open(j, "kernel_options");
	for (i = 0; i < t->n_cmdline_opts; i++)
		iol_json_string(j, NULL, t->cmdline_opts[i]);
	iol_json_array_close(j);

	iol_json_object_open(j, "vfio");
	iol_json_object_open(j, "modules");
	iol_json_bool(j, "vfio", t->mod_vfio);
	iol_json_bool(j, "vfio_iommu_type1", t->mod_vfio_type1);
	iol_json_bool(j, "vfio_pci", t->mod_vfio_pci);
	iol_json_object_close(j);
	iol_json_array_open(j, "parameters");
	for (i = 0; i < t->n_params; i++) {
		iol_json_object_open(j, NULL);
		iol_json_string(j, "module", t->params[i].module);
		iol_json_string(j, "name", t->params[i].name);
		iol_json_string(j, "value", t->params[i].value);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	if (t->dma_entry_limit >= 0)
		iol_json_i64(j, "dma_entry_limit", t->dma_entry_limit);
	else
		iol_json_null(j, "dma_entry_limit");
	if (t->noiommu_mode >= 0)
		iol_json_bool(j, "noiommu_mode", t->noiommu_mode);
	else
		iol_json_null(j, "noiommu_mode");
	iol_json_array_open(j, "dev_nodes");
	for (i = 0; i < t->n_nodes; i++) {
		iol_json_object_open(j, NULL);
		iol_json_string(j, "name", t->nodes[i].name);
		snprintf(mode, sizeof(mode), "%04o",
			(unsigned int)(t->nodes[i].mode & 07777));
		iol_json_string(j, "mode", mode);
		iol_json_u64(j, "uid", t->nodes[i].uid);
		iol_json_u64(j, "gid", t->nodes[i].gid);
		iol_json_bool(j, "usable", t->nodes[i].usable);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	iol_json_object_close(j);

	iol_json_object_open(j, "memlock");
	if (t->memlock_limit == UINT64_MAX)
		iol_json_null(j, "limit");
	else
		iol_json_u64(j, "limit", t->memlock_limit);
	iol_json_bool(j, "unlimited", t->memlock_limit == UINT64_MAX);
	iol_json_bool(j, "cap_ipc_lock", t->cap_ipc_lock);
	iol_json_object_close(j);

	iol_json_object_open(j, "hugepages");
	iol_json_u64(j, "default_size", t->default_hugepage_size);
	iol_json_array_open(j, "pools");
	for (i = 0; i < t->n_hugepages; i++) {
		const struct iol_hugepages *h = &t->hugepages[i];

		iol_json_object_open(j, NULL);
		iol_json_u64(j, "page_size", h->page_size);
		if (h->node >= 0)
			iol_json_i64(j, "node", h->node);
		else
			iol_json_null(j, "node");
		iol_json_u64(j, "total", h->total);
		iol_json_u64(j, "free", h->free);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	iol_json_array_open(j, "mounts");
	for (i = 0; i < t->n_mounts; i++) {
		iol_json_object_open(j, NULL);
		iol_json_string(j, "path", t->mounts[i].path);
		iol_json_u64(j, "page_size", t->mounts[i].page_size);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
	iol_json_object_close(j);
}

int
iol_topology_json(const struct iol_topology *t, struct iol_json *j,
	const char *device)
{
	const struct iol_device *d = NULL;
	const struct iol_iommu_group *g;
	unsigned int i;

	if (device != NULL) {
		d = iol_topology_device(t, device);
		if (d == NULL)
			return -1;
	}
	iol_json_object_open(j, NULL);
	iol_json_string(j, "root", t->root);
	iol_json_bool(j, "iommu_enabled", iol_topology_iommu_enabled(t));
	iol_json_array_open(j, "groups");
	for (i = 0; i < t->n_groups; i++) {
		g = &t->groups[i];
		if (d == NULL || g->id == d->group)
			json_group(j, t, g);
	}
	iol_json_array_close(j);
	/* Devices outside any group: the whole bus on a host without IOMMU. */
	iol_json_array_open(j, "ungrouped_devices");
	for (i = 0; i < t->n_devs; i++) {
		if (t->devs[i].group >= 0 && iol_topology_group(t, t->devs[i].group))
			continue;
		if (d == NULL || d == &t->devs[i])
			json_device(j, &t->devs[i]);
	}
	iol_json_array_close(j);
	json_host(j, t);
	iol_json_array_open(j, "warnings");
	for (i = 0; i < t->n_warnings; i++)
		iol_json_string(j, NULL, t->warnings[i]);
	iol_json_array_close(j);
	iol_json_object_close(j);
	return 0;
}
