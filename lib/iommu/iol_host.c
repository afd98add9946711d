/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's side of the topology: the kernel command line, the vfio
 * modules and their parameters, /dev/vfio, hugepage pools and hugetlbfs
 * mounts below the root, and this process' memlock limit.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iol_sysfs.h"
#include "iol_topology_read.h"
#include "iol_units.h"

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
read_cmdline(struct sysfs_ctx *c)
{
	char path[PATH_MAX], *s, *tok, *save = NULL;

	if (sysfs_mkpath(c, path, sizeof(path), "/proc/cmdline") < 0)
		return;
	s = sysfs_slurp_warn(c, path, "kernel command line");
	if (s == NULL)
		return;
	c->t->cmdline_read = true;
	for (tok = strtok_r(s, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		char **slot;

		/* What follows "--" belongs to init, not to the kernel. */
		if (strcmp(tok, "--") == 0)
			break;
		if (!cmdline_relevant(tok))
			continue;
		slot = sysfs_grow(c, &c->t->cmdline_opts, &c->t->n_cmdline_opts,
			sizeof(*slot));
		if (slot == NULL)
			break;
		*slot = strdup(tok);
		if (*slot == NULL) {
			c->oom = true;
			c->t->n_cmdline_opts--;
			break;
		}
		sysfs_sanitize(*slot);
	}
	free(s);
}

/* One parameter of a vfio module: its value, and the two the doctor uses. */
static int
fill_param(struct sysfs_ctx *c, void *elem, const char *dir, const char *name,
	void *mod)
{
	struct iol_module_param *p = elem;
	char file[PATH_MAX], q[SYSFS_QUOTE_MAX];
	uint64_t v;
	int ret;

	sysfs_copy_str(p->module, sizeof(p->module), mod);
	sysfs_copy_str(p->name, sizeof(p->name), name);
	sysfs_cat_path(file, sizeof(file), dir, name);
	ret = sysfs_read_line(file, p->value, sizeof(p->value));
	if (ret < 0) {
		sysfs_warn(c, "module %s: parameter %s could not be read: %s",
			(const char *)mod, name, sysfs_errstr(-ret));
		snprintf(p->value, sizeof(p->value), "?");
		return 0;
	}
	if (strcmp(name, "dma_entry_limit") == 0) {
		if (sysfs_parse_u64(p->value, 10, &v) == 0 && v <= INT64_MAX)
			c->t->dma_entry_limit = v;
		else
			sysfs_warn(c, "module %s: dma_entry_limit holds garbage: "
				"'%s'", (const char *)mod, sysfs_quote(q, p->value));
	} else if (strcmp(name, "allow_unsafe_interrupts") == 0) {
		if (strcmp(p->value, "Y") == 0 || strcmp(p->value, "1") == 0)
			c->t->unsafe_interrupts = 1;
		else if (strcmp(p->value, "N") == 0 || strcmp(p->value, "0") == 0)
			c->t->unsafe_interrupts = 0;
		else
			sysfs_warn(c, "module %s: allow_unsafe_interrupts holds "
				"garbage: '%s'", (const char *)mod,
				sysfs_quote(q, p->value));
	} else if (strcmp(name, "enable_unsafe_noiommu_mode") == 0) {
		if (strcmp(p->value, "Y") == 0 || strcmp(p->value, "1") == 0)
			c->t->noiommu_mode = 1;
		else if (strcmp(p->value, "N") == 0 || strcmp(p->value, "0") == 0)
			c->t->noiommu_mode = 0;
		else
			sysfs_warn(c, "module %s: enable_unsafe_noiommu_mode "
				"holds garbage: '%s'", (const char *)mod,
				sysfs_quote(q, p->value));
	}
	return 0;
}

static void
read_module(struct sysfs_ctx *c, const char *mod, bool *loaded)
{
	char path[PATH_MAX], what[64];

	if (sysfs_mkpath(c, path, sizeof(path), "/sys/module/%s", mod) < 0)
		return;
	*loaded = sysfs_is_dir(path);
	if (!*loaded)
		return;
	if (sysfs_mkpath(c, path, sizeof(path), "/sys/module/%s/parameters", mod) < 0)
		return;
	snprintf(what, sizeof(what), "module %s", mod);
	sysfs_read_dir(c, path, what, true, &c->t->params, &c->t->n_params,
		sizeof(*c->t->params), fill_param, (void *)(uintptr_t)mod, NULL);
}

/* The vfio modules, and noiommu mode from the command line if not loaded. */
static void
read_modules(struct sysfs_ctx *c)
{
	struct iol_topology *t = c->t;
	unsigned int i;

	read_module(c, "vfio", &t->mod_vfio);
	read_module(c, "vfio_iommu_type1", &t->mod_vfio_type1);
	read_module(c, "vfio_pci", &t->mod_vfio_pci);
	/* The module reads its options from the command line when loaded. */
	for (i = 0; i < t->n_cmdline_opts && t->unsafe_interrupts < 0; i++) {
		const char *o = t->cmdline_opts[i];
		static const char k[] = "vfio_iommu_type1.allow_unsafe_interrupts=";

		if (strncmp(o, k, sizeof(k) - 1) == 0)
			t->unsafe_interrupts = o[sizeof(k) - 1] != '\0' &&
				strchr("1yY", o[sizeof(k) - 1]) != NULL;
	}
	if (t->noiommu_mode >= 0)
		return;
	for (i = 0; i < t->n_cmdline_opts; i++) {
		const char *o = t->cmdline_opts[i];

		if (strncmp(o, "vfio.enable_unsafe_noiommu_mode=", 32) == 0)
			t->noiommu_mode = strchr("1yY", o[32]) != NULL &&
				o[32] != '\0';
	}
}

static int
cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct iol_vfio_node *)a)->name,
		((const struct iol_vfio_node *)b)->name);
}

/* One node of /dev/vfio: who may open it. */
static int
fill_node(struct sysfs_ctx *c, void *elem, const char *dir, const char *name,
	void *arg)
{
	struct iol_vfio_node *v = elem;
	char file[PATH_MAX];
	struct stat st;

	(void)arg;
	sysfs_cat_path(file, sizeof(file), dir, name);
	if (stat(file, &st) < 0) {
		sysfs_warn(c, "/dev/vfio: %s could not be read: %s", file,
			sysfs_errstr(errno));
		return -1;
	}
	sysfs_copy_str(v->name, sizeof(v->name), name);
	v->mode = st.st_mode;
	v->uid = st.st_uid;
	v->gid = st.st_gid;
	v->usable = access(file, R_OK | W_OK) == 0;
	return 0;
}

static void
read_dev_vfio(struct sysfs_ctx *c)
{
	struct iol_topology *t = c->t;
	char path[PATH_MAX];
	unsigned int i, g;
	uint64_t id;

	if (sysfs_mkpath(c, path, sizeof(path), "/dev/vfio") < 0)
		return;
	if (sysfs_read_dir(c, path, "/dev/vfio", true, &t->nodes, &t->n_nodes,
			sizeof(*t->nodes), fill_node, NULL, cmp_node) != 0)
		return;
	t->has_dev_vfio = true;
	for (i = 0; i < t->n_nodes; i++) {
		if (strncmp(t->nodes[i].name, "noiommu-", 8) != 0 ||
		    !sysfs_canonical_uint(t->nodes[i].name + 8) ||
		    sysfs_parse_u64(t->nodes[i].name + 8, 10, &id) < 0)
			continue;
		for (g = 0; g < t->n_groups; g++)
			if ((uint64_t)t->groups[g].id == id)
				t->groups[g].noiommu = true;
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
	if (sysfs_parse_u64(num, 10, size) < 0 || *size == 0 || *size > (UINT64_MAX >> 10))
		return -1;
	*size <<= 10;
	return 0;
}

/* Where a pool's counts are, for warnings and fill_pool(). */
struct pool_dir {
	int node;                  /* -1: host-wide */
	char what[64];             /* "hugepages" or "hugepages on node N" */
};

/* One hugepages-<size>kB directory: its page size and counts. */
static int
fill_pool(struct sysfs_ctx *c, void *elem, const char *dir, const char *name,
	void *arg)
{
	const struct pool_dir *pd = arg;
	struct iol_hugepages *hp = elem;
	char file[PATH_MAX];

	hp->node = pd->node;
	if (parse_hp_dir(name, &hp->page_size) < 0) {
		sysfs_warn(c, "%s: '%s' in %s is not a page size", pd->what,
			name, dir);
		return -1;
	}
	sysfs_cat_path3(file, sizeof(file), dir, name, "nr_hugepages");
	if (sysfs_read_u64_warn(c, file, 10, &hp->total, pd->what) < 0)
		return -1;
	sysfs_cat_path3(file, sizeof(file), dir, name, "free_hugepages");
	if (sysfs_read_u64_warn(c, file, 10, &hp->free, pd->what) < 0)
		return -1;
	/* Host-wide pools have it, per-node ones not. */
	sysfs_cat_path3(file, sizeof(file), dir, name, "resv_hugepages");
	if (pd->node < 0 && access(file, F_OK) == 0 &&
	    sysfs_read_u64_warn(c, file, 10, &hp->resv, pd->what) < 0)
		hp->resv = 0;
	return 0;
}

static void
read_hp_pools(struct sysfs_ctx *c, const char *path, int node)
{
	struct pool_dir pd = { .node = node };

	if (node < 0)
		snprintf(pd.what, sizeof(pd.what), "hugepages");
	else
		snprintf(pd.what, sizeof(pd.what), "hugepages on node %d", node);
	sysfs_read_dir(c, path, "hugepages", true, &c->t->hugepages,
		&c->t->n_hugepages, sizeof(*c->t->hugepages), fill_pool, &pd,
		NULL);
}

static int
cmp_hp(const void *a, const void *b)
{
	const struct iol_hugepages *x = a, *y = b;

	if (x->node != y->node)
		return x->node - y->node;
	return x->page_size < y->page_size ? -1 : x->page_size > y->page_size;
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

/* The default hugepage size, Hugepagesize of /proc/meminfo. */
static void
read_meminfo(struct sysfs_ctx *c)
{
	char path[PATH_MAX], *s, *hp;
	uint64_t kb;

	if (sysfs_mkpath(c, path, sizeof(path), "/proc/meminfo") < 0)
		return;
	s = sysfs_slurp_warn(c, path, "hugepages");
	if (s == NULL)
		return;
	hp = strstr(s, "Hugepagesize:");
	if (hp != NULL && sscanf(hp, "Hugepagesize: %" SCNu64 " kB", &kb) == 1 &&
	    kb < (UINT64_MAX >> 10))
		c->t->default_hugepage_size = kb << 10;
	free(s);
}

/* The host-wide pools, then each NUMA node's. */
static void
read_pools(struct sysfs_ctx *c)
{
	char path[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err;

	if (sysfs_mkpath(c, path, sizeof(path), "/sys/kernel/mm/hugepages") == 0)
		read_hp_pools(c, path, -1);
	if (sysfs_mkpath(c, path, sizeof(path), "/sys/devices/system/node") == 0) {
		names = sysfs_list_dir(c, path, &n, &err);
		/* No NUMA in the kernel: no such directory, host pools serve. */
		if (err != 0 && err != ENOENT)
			sysfs_warn(c, "hugepages: %s could not be read: %s", path,
				sysfs_errstr(err));
		for (i = 0; i < n; i++) {
			char hp[PATH_MAX];
			uint64_t node;

			if (strncmp(names[i], "node", 4) != 0 ||
			    sysfs_parse_u64(names[i] + 4, 10, &node) < 0 || node > 4096)
				continue;
			sysfs_cat_path3(hp, sizeof(hp), path, names[i], "hugepages");
			read_hp_pools(c, hp, node);
		}
		sysfs_free_names(names, n);
	}
	if (c->t->n_hugepages > 0)
		qsort(c->t->hugepages, c->t->n_hugepages,
			sizeof(*c->t->hugepages), cmp_hp);
}

/* hugetlbfs mounts of /proc/mounts and the page size of each. */
static void
read_mounts(struct sysfs_ctx *c)
{
	char path[PATH_MAX], *s, *line, *save = NULL;

	if (sysfs_mkpath(c, path, sizeof(path), "/proc/mounts") < 0)
		return;
	s = sysfs_slurp_warn(c, path, "hugetlbfs mounts");
	if (s == NULL)
		return;
	for (line = strtok_r(s, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char dev[256], dir[256], type[64], opts[512], *o, *osave = NULL;
		char q[SYSFS_QUOTE_MAX];
		struct iol_hugetlbfs_mount *m;
		uint64_t size;

		if (sscanf(line, "%255s %255s %63s %511s", dev, dir, type, opts) != 4) {
			if (strstr(line, "hugetlbfs") != NULL)
				sysfs_warn(c, "hugetlbfs mounts: truncated line in %s: "
					"'%s'", path, sysfs_quote(q, line));
			continue;
		}
		if (strcmp(type, "hugetlbfs") != 0)
			continue;
		size = c->t->default_hugepage_size;
		for (o = strtok_r(opts, ",", &osave); o != NULL;
		     o = strtok_r(NULL, ",", &osave))
			if (strncmp(o, "pagesize=", 9) == 0 &&
			    iol_parse_scaled(o + 9, &size) < 0) {
				sysfs_warn(c, "hugetlbfs mount %s: pagesize '%s' unreadable",
					dir, sysfs_quote(q, o + 9));
				size = 0;
			}
		m = sysfs_grow(c, &c->t->mounts, &c->t->n_mounts, sizeof(*m));
		if (m == NULL)
			break;
		unescape_mount(dir);
		sysfs_copy_str(m->path, sizeof(m->path), dir);
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
	s = sysfs_slurp("/proc/self/status");
	if (s == NULL)
		return;
	cap = strstr(s, "\nCapEff:");
	if (cap != NULL && sscanf(cap, "\nCapEff: %" SCNx64, &eff) == 1)
		*cap_ipc_lock = (eff >> 14) & 1; /* CAP_IPC_LOCK */
	free(s);
}

void
topo_read_host(struct sysfs_ctx *c)
{
	read_cmdline(c);
	read_modules(c);
	read_dev_vfio(c);
	read_meminfo(c);
	read_pools(c);
	read_mounts(c);
	iol_memlock_get(&c->t->memlock_limit, &c->t->cap_ipc_lock);
}
