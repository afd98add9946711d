/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology: PCI devices, IOMMU groups with their reserved regions,
 * IOMMU instances, read below a root directory (iol_topology_read()),
 * and the queries on a snapshot. What the host adds (vfio, hugepages)
 * is read by iol_host.c, names by iol_pciids.c, interfaces by iol_netif.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iol_iommu.h"
#include "iol_sysfs.h"
#include "iol_topology_read.h"

/* "0000:00:03.0" */
static bool
looks_like_bdf(const char *s)
{
	unsigned int d, b, s2, f;
	char tail;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &s2, &f, &tail) == 4 &&
		strlen(s) == 12;
}

/* Read one device's attributes from its sysfs directory @p dir. */
static void
read_device(struct sysfs_ctx *c, struct iol_device *dev, const char *dir)
{
	char path[PATH_MAX], buf[64], q[SYSFS_QUOTE_MAX];
	uint64_t v, d, cl;
	struct stat st;
	int ret;

	dev->numa_node = -1;
	dev->group = -1;
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			sysfs_warn(c, "device %s: its sysfs directory %s is gone "
				"(removed while reading?)", dev->name, dir);
		else
			sysfs_warn(c, "device %s: its sysfs directory %s could not be "
				"read: %s", dev->name, dir, sysfs_errstr(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		sysfs_warn(c, "device %s: %s is not a directory", dev->name, dir);
		return;
	}
	dev->present = true;
	if (dev->is_pci) {
		bool ok = true;

		sysfs_cat_path(path, sizeof(path), dir, "vendor");
		ok &= sysfs_read_u64_warn(c, path, 16, &v, dev->name) == 0 && v <= 0xffff;
		sysfs_cat_path(path, sizeof(path), dir, "device");
		ok &= sysfs_read_u64_warn(c, path, 16, &d, dev->name) == 0 && d <= 0xffff;
		sysfs_cat_path(path, sizeof(path), dir, "class");
		ok &= sysfs_read_u64_warn(c, path, 16, &cl, dev->name) == 0 &&
			cl <= 0xffffff;
		if (ok) {
			dev->has_ids = true;
			dev->vendor = v;
			dev->device = d;
			dev->class_code = cl;
		}
		sysfs_cat_path(path, sizeof(path), dir, "numa_node");
		ret = sysfs_read_line(path, buf, sizeof(buf));
		if (ret == 0) {
			char *end;
			long n = strtol(buf, &end, 10);

			if (*end != '\0' || end == buf || n < -1 || n > 4096)
				sysfs_warn(c, "%s: %s holds garbage: '%s'",
					dev->name, path, sysfs_quote(q, buf));
			else
				dev->numa_node = n;
		} else if (ret != -ENOENT) {
			sysfs_warn(c, "%s: %s could not be read: %s", dev->name,
				path, sysfs_errstr(-ret));
		}
	}
	sysfs_cat_path(path, sizeof(path), dir, "driver");
	sysfs_read_link_base(path, dev->driver, sizeof(dev->driver));
	sysfs_cat_path(path, sizeof(path), dir, "iommu_group");
	if (sysfs_read_link_base(path, buf, sizeof(buf)) == 0) {
		if (sysfs_parse_u64(buf, 10, &v) == 0 && v <= INT_MAX)
			dev->group = v;
		else
			sysfs_warn(c, "%s: iommu_group link points to '%s', not a group",
				dev->name, sysfs_quote(q, buf));
	}
	sysfs_cat_path(path, sizeof(path), dir, "iommu");
	sysfs_read_link_base(path, dev->iommu, sizeof(dev->iommu));
	if (dev->is_pci)
		topo_read_netifs(c, dev, dir);
}

static int
cmp_dev(const void *a, const void *b)
{
	return strcmp(((const struct iol_device *)a)->name,
		((const struct iol_device *)b)->name);
}

static int
fill_pci_device(struct sysfs_ctx *c, void *elem, const char *dir,
	const char *name, void *arg)
{
	struct iol_device *dev = elem;
	char path[PATH_MAX];

	(void)arg;
	sysfs_copy_str(dev->name, sizeof(dev->name), name);
	dev->is_pci = true;
	sysfs_cat_path(path, sizeof(path), dir, name);
	read_device(c, dev, path);
	return 0;
}

static void
read_pci_devices(struct sysfs_ctx *c)
{
	char path[PATH_MAX];

	/* Every host with PCI has the directory: its absence is news. */
	if (sysfs_mkpath(c, path, sizeof(path), "/sys/bus/pci/devices") == 0)
		sysfs_read_dir(c, path, "PCI devices", false, &c->t->devs,
			&c->t->n_devs, sizeof(*c->t->devs), fill_pci_device, NULL,
			cmp_dev);
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
	if (n != 3 || sysfs_parse_u64(tok[0], 16, &r->start) < 0 ||
	    sysfs_parse_u64(tok[1], 16, &r->end) < 0 || r->start > r->end ||
	    strlen(tok[2]) >= sizeof(r->type_name))
		return -1;
	sysfs_copy_str(r->type_name, sizeof(r->type_name), tok[2]);
	r->type = IOL_RESV_UNKNOWN;
	for (i = 0; i < sizeof(resv_types) / sizeof(resv_types[0]); i++)
		if (strcmp(resv_types[i].name, tok[2]) == 0)
			r->type = resv_types[i].type;
	return 0;
}

static void
read_resv(struct sysfs_ctx *c, struct iol_iommu_group *g, const char *gdir)
{
	char path[PATH_MAX], what[32], *s, *line, *next;
	unsigned int lineno = 0;

	sysfs_cat_path(path, sizeof(path), gdir, "reserved_regions");
	snprintf(what, sizeof(what), "IOMMU group %d", g->id);
	s = sysfs_slurp_warn(c, path, what);
	if (s == NULL)
		return;
	/* Line by line, blank ones counted too, so that warnings name the
	 * line an editor shows.
	 */
	for (line = s; *line != '\0'; line = next) {
		struct iol_resv_region r, *slot;
		char q[SYSFS_QUOTE_MAX];

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		lineno++;
		sysfs_quote(q, line);
		sysfs_rstrip(line);
		if (line[0] == '\0')
			continue;
		if (parse_resv_line(line, &r) < 0) {
			sysfs_warn(c, "IOMMU group %d: reserved_regions line %u is not "
				"'START END TYPE': '%s'", g->id, lineno, q);
			continue;
		}
		if (r.type == IOL_RESV_UNKNOWN)
			sysfs_warn(c, "IOMMU group %d: reserved region type '%s' unknown, "
				"treated as reserved", g->id, r.type_name);
		slot = sysfs_grow(c, &g->resv, &g->n_resv, sizeof(*slot));
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
read_group(struct sysfs_ctx *c, struct iol_iommu_group *g, const char *gdir)
{
	char path[PATH_MAX], dpath[PATH_MAX], name[IOL_DEV_NAME_LEN];
	unsigned int n, i;
	char **names;
	int err, ret;

	sysfs_cat_path(path, sizeof(path), gdir, "type");
	ret = sysfs_read_line(path, g->type, sizeof(g->type));
	if (ret < 0 && ret != -ENOENT)
		sysfs_warn(c, "IOMMU group %d: %s could not be read: %s", g->id, path,
			sysfs_errstr(-ret));
	/* vfio names the groups it makes for noiommu mode; the
	 * /dev/vfio/noiommu-N node may be missing (no udev, no devtmpfs)
	 * while the group still gives no isolation.
	 */
	sysfs_cat_path(path, sizeof(path), gdir, "name");
	ret = sysfs_read_line(path, name, sizeof(name));
	if (ret == 0 && strcmp(name, "vfio-noiommu") == 0)
		g->noiommu = true;
	else if (ret < 0 && ret != -ENOENT)
		sysfs_warn(c, "IOMMU group %d: %s could not be read: %s", g->id, path,
			sysfs_errstr(-ret));
	read_resv(c, g, gdir);

	sysfs_cat_path(path, sizeof(path), gdir, "devices");
	names = sysfs_list_dir(c, path, &n, &err);
	if (err != 0) {
		sysfs_warn(c, "IOMMU group %d: %s could not be read: %s", g->id, path,
			sysfs_errstr(err));
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned int *slot;
		int idx;

		/* Device names are stored sanitised: compare likewise. */
		sysfs_copy_str(name, sizeof(name), names[i]);
		idx = find_dev(c->t, name);

		if (idx < 0) {
			/* Not a PCI device listed on the bus: a platform
			 * device, or one removed since the bus was listed.
			 */
			struct iol_device *dev = sysfs_grow(c, &c->t->devs,
				&c->t->n_devs, sizeof(*dev));

			if (dev == NULL)
				break;
			sysfs_copy_str(dev->name, sizeof(dev->name), names[i]);
			dev->is_pci = looks_like_bdf(dev->name);
			sysfs_cat_path(dpath, sizeof(dpath), path, names[i]);
			read_device(c, dev, dpath);
			idx = c->t->n_devs - 1;
		}
		if (c->t->devs[idx].group >= 0 && c->t->devs[idx].group != g->id)
			sysfs_warn(c, "device %s: its iommu_group link says group %d "
				"but it is listed in group %d", name,
				c->t->devs[idx].group, g->id);
		c->t->devs[idx].group = g->id;
		slot = sysfs_grow(c, &g->devs, &g->n_devs, sizeof(*slot));
		if (slot == NULL)
			break;
		*slot = idx;
	}
	sysfs_free_names(names, n);
}

static int
fill_group(struct sysfs_ctx *c, void *elem, const char *dir, const char *name,
	void *arg)
{
	struct iol_iommu_group *g = elem;
	char gdir[PATH_MAX], q[SYSFS_QUOTE_MAX];
	uint64_t id;

	(void)arg;
	/* The kernel writes group numbers in canonical decimal; "02" or
	 * "+2" would make a second group 2.
	 */
	if (!sysfs_canonical_uint(name) || sysfs_parse_u64(name, 10, &id) < 0 ||
	    id > INT_MAX) {
		sysfs_warn(c, "IOMMU groups: '%s' in %s is not a group number",
			sysfs_quote(q, name), dir);
		return -1;
	}
	g->id = id;
	sysfs_cat_path(gdir, sizeof(gdir), dir, name);
	read_group(c, g, gdir);
	return 0;
}

static void
read_groups(struct sysfs_ctx *c)
{
	char path[PATH_MAX];

	/* Kernels without IOMMU support have no such directory. */
	if (sysfs_mkpath(c, path, sizeof(path), "/sys/kernel/iommu_groups") == 0)
		sysfs_read_dir(c, path, "IOMMU groups", true, &c->t->groups,
			&c->t->n_groups, sizeof(*c->t->groups), fill_group, NULL,
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

/* Intel VT-d: the address width from the capability register. */
static void
read_intel_unit(struct sysfs_ctx *c, struct iol_iommu_unit *u,
	const char *dir, const char *what)
{
	char path[PATH_MAX];
	uint64_t cap;

	u->kind = IOL_IOMMU_INTEL;
	sysfs_cat_path(path, sizeof(path), dir, "intel-iommu/cap");
	if (sysfs_read_u64_warn(c, path, 16, &cap, what) < 0)
		return;
	u->has_cap = true;
	u->cap = cap;
	/* MGAW, bits 21:16, is the width minus one; DPDK sizes its DMA
	 * mask from the same field.
	 */
	u->addr_width = ((cap >> 16) & 0x3f) + 1;
	snprintf(u->width_source, sizeof(u->width_source), "VT-d cap MGAW");
}

/* The kernel's release, "6.1.0-27-amd64": major and minor, 0 when unknown. */
static bool
kernel_at_least(const struct iol_topology *t, unsigned int major,
	unsigned int minor)
{
	unsigned int ma, mi;

	if (sscanf(t->kernel_release, "%u.%u", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

static bool
kernel_known(const struct iol_topology *t)
{
	unsigned int ma, mi;

	return sscanf(t->kernel_release, "%u.%u", &ma, &mi) == 2;
}

/*
 * AMD-Vi: the address width from the extended feature register (EFR).
 * The features file is "EFR" up to Linux 5.19, "EFR2:EFR" from 6.0 to
 * 6.6 (iommu->features2 first) and "EFR:EFR2" from 6.7 (amd_iommu_efr
 * first): taking the first half on Debian 12's 6.1 read EFR2, 0 on QEMU,
 * and gave 48 bits for QEMU's 64. Without a kernel release the half that
 * is not 0 is EFR (EFR2 is 0 or nearly so); both non-zero: unknown.
 */
static void
read_amd_unit(struct sysfs_ctx *c, struct iol_iommu_unit *u, const char *dir,
	const char *what)
{
	char path[PATH_MAX], buf[128], q[SYSFS_QUOTE_MAX], *colon;
	uint64_t cap, cap2 = 0;
	int ret;

	u->kind = IOL_IOMMU_AMD;
	sysfs_cat_path(path, sizeof(path), dir, "amd-iommu/features");
	ret = sysfs_read_line(path, buf, sizeof(buf));
	if (ret < 0) {
		sysfs_warn(c, "%s: %s could not be read: %s", what, path,
			sysfs_errstr(-ret));
		return;
	}
	sysfs_quote(q, buf);
	colon = strchr(buf, ':');
	if (colon != NULL)
		*colon++ = '\0';
	if (sysfs_parse_u64(buf, 16, &cap) < 0 ||
	    (colon != NULL && sysfs_parse_u64(colon, 16, &cap2) < 0)) {
		sysfs_warn(c, "%s: %s holds garbage: '%s'", what, path, q);
		return;
	}
	if (colon != NULL) {
		/* Two halves: which one is EFR depends on the kernel. */
		bool efr_first;

		if (kernel_known(c->t))
			efr_first = kernel_at_least(c->t, 6, 7);
		else if ((cap == 0) != (cap2 == 0))
			efr_first = cap != 0;
		else {
			sysfs_warn(c, "%s: %s holds two registers '%s' and the kernel "
				"release is unknown (6.0-6.6 print EFR2:EFR, 6.7 on "
				"EFR:EFR2): width unknown", what, path, q);
			return;
		}
		if (!efr_first)
			cap = cap2;
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
}

/* One entry of /sys/class/iommu: its family and address width. */
static int
fill_unit(struct sysfs_ctx *c, void *elem, const char *units, const char *name,
	void *arg)
{
	struct iol_iommu_unit *u = elem;
	char path[PATH_MAX], dir[PATH_MAX], what[96];

	(void)arg;
	sysfs_copy_str(u->name, sizeof(u->name), name);
	sysfs_cat_path(dir, sizeof(dir), units, name);
	snprintf(what, sizeof(what), "IOMMU %s", u->name);
	sysfs_cat_path(path, sizeof(path), dir, "intel-iommu");
	if (sysfs_is_dir(path) || strncmp(u->name, "dmar", 4) == 0) {
		read_intel_unit(c, u, dir, what);
		return 0;
	}
	sysfs_cat_path(path, sizeof(path), dir, "amd-iommu");
	if (sysfs_is_dir(path) || strncmp(u->name, "ivhd", 4) == 0) {
		read_amd_unit(c, u, dir, what);
		return 0;
	}
	/*
	 * ARM SMMU: "smmu3.0x0000000009050000" (v3), "smmu.0x..." (v2) or
	 * a name with arm-smmu. Its input address size (ias) is printed at
	 * probe, "arm-smmu-v3 9050000.smmuv3: ias 44-bit, oas 44-bit", and is
	 * in no sysfs file of Linux 6.1; the kernel log is not read here
	 * (reading /dev/kmsg or dmesg is neither a file under the root nor
	 * free of side effects for other readers of the ring buffer).
	 */
	sysfs_cat_path(path, sizeof(path), dir, "device/driver");
	if (strstr(u->name, "smmu") != NULL) {
		u->kind = IOL_IOMMU_ARM_SMMU;
		u->width_hint = "see dmesg 'ias'";
	} else if (strncmp(u->name, "virtio", 6) == 0 ||
		   (sysfs_read_link_base(path, what, sizeof(what)) == 0 &&
		    strcmp(what, "virtio_iommu") == 0)) {
		/* virtio-iommu: QEMU's is 64 bits wide; sysfs does not say. */
		u->kind = IOL_IOMMU_VIRTIO;
	} else {
		u->kind = IOL_IOMMU_OTHER;
	}
	snprintf(u->width_source, sizeof(u->width_source),
		"not exposed by sysfs");
	return 0;
}

const char *
iol_iommu_family(enum iol_iommu_kind k)
{
	switch (k) {
	case IOL_IOMMU_INTEL: return "Intel VT-d";
	case IOL_IOMMU_AMD: return "AMD-Vi";
	case IOL_IOMMU_ARM_SMMU: return "ARM SMMU";
	case IOL_IOMMU_VIRTIO: return "virtio-iommu";
	default: return "IOMMU";
	}
}

/* The kernel release under the root, for formats that changed. */
static void
read_release(struct sysfs_ctx *c)
{
	char path[PATH_MAX];

	if (sysfs_mkpath(c, path, sizeof(path), "/proc/sys/kernel/osrelease") == 0 &&
	    sysfs_read_line(path, c->t->kernel_release,
		    sizeof(c->t->kernel_release)) < 0)
		c->t->kernel_release[0] = '\0';
}

static int
cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct iol_iommu_unit *)a)->name,
		((const struct iol_iommu_unit *)b)->name);
}

static void
read_units(struct sysfs_ctx *c)
{
	char path[PATH_MAX];

	/* No IOMMU, or not enabled: no such directory. */
	if (sysfs_mkpath(c, path, sizeof(path), "/sys/class/iommu") == 0)
		sysfs_read_dir(c, path, "IOMMU instances", true, &c->t->units,
			&c->t->n_units, sizeof(*c->t->units), fill_unit, NULL,
			cmp_unit);
}

struct iol_topology *
iol_topology_read(const char *root)
{
	struct iol_topology *t = calloc(1, sizeof(*t));
	struct sysfs_ctx c = { .t = t };

	if (t == NULL)
		return NULL;
	if (root == NULL || root[0] == '\0')
		root = "/";
	t->dma_entry_limit = -1;
	t->noiommu_mode = -1;
	t->unsafe_interrupts = -1;
	if (strlen(root) >= sizeof(t->root)) {
		char q[SYSFS_QUOTE_MAX];

		/* Reading below a cut name would read another directory. */
		sysfs_copy_str(t->root, sizeof(t->root), root);
		sysfs_warn(&c, "root directory name too long (%zu bytes, at most %zu), "
			"nothing read: '%s...'", strlen(root), sizeof(t->root) - 1,
			sysfs_quote(q, root));
		goto out;
	}
	/* Kept as given (not sanitised): every path is built from it. */
	memcpy(t->root, root, strlen(root) + 1);
	if (!sysfs_is_dir(root))
		sysfs_warn(&c, "root %s is not a readable directory", root);

	read_pci_devices(&c);
	read_groups(&c);
	topo_read_routes(&c);
	sort_group_devs(t);
	read_release(&c);
	read_units(&c);
	topo_read_host(&c);
	topo_read_pci_ids(&c);
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
	sysfs_free_names(t->cmdline_opts, t->n_cmdline_opts);
	free(t->params);
	free(t->nodes);
	free(t->hugepages);
	free(t->mounts);
	sysfs_free_names(t->warnings, t->n_warnings);
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
iol_topology_has_unit(const struct iol_topology *t, enum iol_iommu_kind k)
{
	unsigned int i;

	for (i = 0; i < t->n_units; i++)
		if (t->units[i].kind == k)
			return true;
	return false;
}

const struct iol_hugepages *
iol_topology_hugepages(const struct iol_topology *t, int node,
	uint64_t page_size)
{
	unsigned int i;

	for (i = 0; i < t->n_hugepages; i++)
		if (t->hugepages[i].node == node &&
		    t->hugepages[i].page_size == page_size)
			return &t->hugepages[i];
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
