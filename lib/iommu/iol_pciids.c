/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vendor, device and class names from pci.ids (as lspci shows them),
 * streamed with a cap: the file is the largest one read and, like every
 * other, untrusted.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "iol_sysfs.h"
#include "iol_topology_read.h"

/*
 * pci.ids is streamed, not read whole: about 1.3 MB today, so 8 MiB
 * leaves room to grow while a huge or endless file costs 8 MiB of reading.
 */
#define PCI_IDS_MAX (8u << 20)

/*
 * A pci.ids entry: @p n hex digits, one or more spaces, then a non-empty
 * name. Anything else (a short line, a stray tab) is no entry, so that
 * the name is never taken from beyond the end of the line.
 */
static const char *
ids_entry(const char *s, unsigned int n, unsigned int *id)
{
	int v = sysfs_parse_hex(s, n);

	if (v < 0 || s[n] != ' ')
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
ids_assign(struct sysfs_ctx *c, enum ids_field field, int vendor, int cls,
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
			sysfs_sanitize(*slot);
	}
}

/* State of the pci.ids parser between lines. */
struct ids_state {
	struct sysfs_ctx *c;
	int vendor;                /* vendor of the device lines that follow */
	int cls;                   /* class of the subclass lines that follow */
};

static void
ids_line(char *line, void *arg)
{
	struct ids_state *st = arg;
	const char *name;
	unsigned int id;

	sysfs_rstrip(line);
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

void
topo_read_pci_ids(struct sysfs_ctx *c)
{
	static const char *const paths[] = {
		"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids",
	};
	struct ids_state st = { .c = c, .vendor = -1, .cls = -1 };
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (sysfs_mkpath(c, path, sizeof(path), "%s", paths[i]) < 0)
			continue;
		ret = sysfs_for_each_line(path, PCI_IDS_MAX, ids_line, &st);
		if (ret == -ENOENT)
			continue;
		if (ret == -EFBIG)
			sysfs_warn(c, "pci.ids: %s is larger than %u MiB: only its first "
				"%u MiB are read, names past them are not found",
				path, PCI_IDS_MAX >> 20, PCI_IDS_MAX >> 20);
		else if (ret < 0)
			sysfs_warn(c, "pci.ids: %s could not be read: %s", path,
				sysfs_errstr(-ret));
		return;
	}
	/* No pci.ids: devices are shown by number only, as lspci -n does. */
}
