/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology as text (iol_topology_print(): lspci-like, for people) and
 * as JSON (iol_topology_json(), schema in doc/iovaloop-info.md). Every
 * string in a snapshot was sanitised when it was read: nothing here
 * escapes again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "iol_iommu.h"
#include "iol_units.h"

static const char *
kind_name(enum iol_iommu_kind k)
{
	switch (k) {
	case IOL_IOMMU_INTEL: return "intel-vt-d";
	case IOL_IOMMU_AMD: return "amd-vi";
	case IOL_IOMMU_ARM_SMMU: return "arm-smmu";
	case IOL_IOMMU_VIRTIO: return "virtio-iommu";
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

/*
 * The heading of devices in no group; on arm64 (an SMMU) an unbound PCI
 * device has no group until a driver binds it (DMA set up at probe).
 */
static void
print_ungrouped_header(const struct iol_topology *t, FILE *out)
{
	fprintf(out, "No IOMMU group%s:\n", iol_topology_has_unit(t, IOL_IOMMU_ARM_SMMU) ?
		" (arm64: a PCI device gets one when a driver binds it, e.g. "
		"dpdk-devbind.py -b vfio-pci BDF)" : "");
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
			print_ungrouped_header(t, out);
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
			fprintf(out, "unknown (%s)%s%s", u->width_source[0] != '\0' ?
				u->width_source : "cap unreadable",
				u->width_hint != NULL ? ", " : "",
				u->width_hint != NULL ? u->width_hint : "");
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
			fprintf(out, "\thugepages %s: total %" PRIu64 " free %" PRIu64,
				sz, h->total, h->free);
		else
			fprintf(out, "\thugepages %s node %d: total %" PRIu64
				" free %" PRIu64, sz, h->node, h->total, h->free);
		if (h->resv != 0)
			fprintf(out, " (%" PRIu64 " of them reserved)", h->resv);
		fputc('\n', out);
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
			print_ungrouped_header(t, out);
			print_device(d, out);
		}
	} else {
		if (t->n_groups == 0)
			fprintf(out, "No IOMMU groups: %s%s\n",
				t->n_units > 0 ? "IOMMU present but no device is in a group" :
				"the IOMMU is not enabled (no /sys/class/iommu entry, "
				"no /sys/kernel/iommu_groups)",
				iol_topology_has_unit(t, IOL_IOMMU_ARM_SMMU) ?
				" (arm64: devices get one when a driver binds them)" : "");
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
		iol_json_string(j, "width_hint", u->width_hint);
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
	if (t->unsafe_interrupts >= 0)
		iol_json_bool(j, "allow_unsafe_interrupts", t->unsafe_interrupts);
	else
		iol_json_null(j, "allow_unsafe_interrupts");
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
		iol_json_u64(j, "reserved", h->resv);
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
	iol_json_string(j, "kernel_release", t->kernel_release[0] != '\0' ?
		t->kernel_release : NULL);
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
