/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A NIC through DPDK's VFIO layer, for iovaloop's own driver: the device
 * fd from rte_vfio_setup_device() (in the default container, or in the
 * caller's, into which its group is bound), BAR0 mapped from that fd,
 * bus mastering through config space, the rings in DPDK memory (mapped
 * into a private container here; DPDK maps its memory into the default
 * one itself). Every step is undone in reverse on the way out, and on
 * every failure halfway.
 *
 * The device must be bound to vfio-pci and not driven by one of DPDK's
 * PMDs in this process: the EAL probes every vfio-pci device it sees,
 * unless started with -b BDF (or --no-pci, or -a of other devices only).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_io.h>
#include <rte_memzone.h>
#include <rte_vfio.h>

#include "iol_iommu.h"
#include "iol_nic.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

struct nic_vfio {
	struct iol_nic nic;
	char bdf[IOL_PCI_ADDR_LEN];
	int container_fd;             /* RTE_VFIO_DEFAULT_CONTAINER_FD or the caller's */
	int group;                    /* IOMMU group number, bound to container_fd */
	int dev_fd;
	off_t cfg_off;                /* config space in the device fd */
	uint16_t pci_cmd;             /* PCI command register as found */
	void *bar;
	size_t bar_len;
	const struct rte_memzone *mz[2]; /* TX ring, RX ring */
	unsigned int mapped;          /* rings mapped into a private container */
	struct nic_vfio *next;        /* in open_nics */
};

/* The NICs open as engines in this process. VFIO would hand out a second
 * fd of an open device, and two engines would share one NIC's rings.
 */
static struct nic_vfio *open_nics;

static uint32_t
mmio_read(void *bar, uint32_t reg)
{
	return rte_read32((uint8_t *)bar + reg);
}

static void
mmio_write(void *bar, uint32_t reg, uint32_t val)
{
	rte_write32(val, (uint8_t *)bar + reg);
}

/* One line of a sysfs file of the device; 0 or -errno. */
static int
sysfs_line(const char *bdf, const char *leaf, char *out, size_t size)
{
	char path[128];
	FILE *f;
	int e = 0;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", bdf, leaf);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	if (fgets(out, (int)size, f) == NULL)
		e = -EIO;
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return e;
}

/* The model of the device at @p bdf, bound to vfio-pci; NULL after a message. */
static const struct iol_nic_model *
check_device(const char *spec, const char *bdf, char *err, size_t errlen, int *rc)
{
	const struct iol_nic_model *m;
	char vendor[16], device[16], link[256], path[128];
	const char *drv;
	ssize_t k;
	uint16_t port;

	*rc = -ENODEV;
	if (sysfs_line(bdf, "vendor", vendor, sizeof(vendor)) < 0 ||
	    sysfs_line(bdf, "device", device, sizeof(device)) < 0) {
		nic_err(err, errlen, ENODEV, "%s: no PCI device %s on this host (" SYSFS_PCI ")", spec, bdf);
		return NULL;
	}
	m = strcmp(vendor, "0x8086") == 0 ? iol_nic_model_find((uint16_t)strtoul(device, NULL, 16)) : NULL;
	if (m == NULL) {
		nic_err(err, errlen, ENODEV, "%s: %s is %s:%s, not a NIC this back end drives (it drives %s)",
			spec, bdf, vendor + 2, device + 2, iol_nic_models_usage());
		return NULL;
	}
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", bdf);
	k = readlink(path, link, sizeof(link) - 1);
	link[k > 0 ? k : 0] = '\0';
	drv = strrchr(link, '/') != NULL ? strrchr(link, '/') + 1 : "no driver";
	if (strcmp(drv, "vfio-pci") != 0) {
		nic_err(err, errlen, ENODEV, "%s: %s (%s) is bound to %s, not vfio-pci: dpdk-devbind.py -b vfio-pci %s",
			spec, bdf, m->name, drv, bdf);
		return NULL;
	}
	if (rte_eth_dev_get_port_by_name(bdf, &port) == 0) {
		*rc = -EBUSY;
		nic_err(err, errlen, EBUSY, "%s: DPDK's PMD drives %s (port %u): start the EAL with -b %s (or --no-pci) to leave it to iovaloop's driver",
			spec, bdf, port, bdf);
		return NULL;
	}
	return m;
}

static int
region(int fd, uint32_t index, struct vfio_region_info *r)
{
	memset(r, 0, sizeof(*r));
	r->argsz = sizeof(*r);
	r->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, r) < 0 ? -errno : 0;
}

static int
cfg_rw16(struct nic_vfio *v, bool write, uint32_t off, uint16_t *val)
{
	ssize_t k = write ? pwrite(v->dev_fd, val, 2, v->cfg_off + off) :
		pread(v->dev_fd, val, 2, v->cfg_off + off);

	return k == 2 ? 0 : -EIO;
}

/* What open has done so far; unwind() undoes it in reverse. */
enum nic_step { STEP_NONE, STEP_BOUND, STEP_DEVICE, STEP_BAR, STEP_MASTER, STEP_RINGS };

static void
unwind(struct nic_vfio *v, enum nic_step done)
{
	unsigned int i;

	switch (done) {
	case STEP_RINGS:
		for (i = v->mapped; i-- > 0;)
			rte_vfio_container_dma_unmap(v->container_fd, v->mz[i]->addr_64,
				v->mz[i]->iova, v->mz[i]->len);
		for (i = RTE_DIM(v->mz); i-- > 0;)
			rte_memzone_free(v->mz[i]);
		/* fall through */
	case STEP_MASTER:
		cfg_rw16(v, true, PCI_COMMAND, &v->pci_cmd);
		/* fall through */
	case STEP_BAR:
		munmap(v->bar, v->bar_len);
		/* fall through */
	case STEP_DEVICE:
		/* Closing the group's last device also takes the group out of
		 * its container (rte_vfio_release_device): no unbind after it.
		 */
		rte_vfio_release_device(SYSFS_PCI, v->bdf, v->dev_fd);
		break;
	case STEP_BOUND:
		rte_vfio_container_group_unbind(v->container_fd, v->group);
		break;
	case STEP_NONE:
		break;
	}
	free(v);
}

static void
vfio_release(struct iol_nic *n)
{
	struct nic_vfio **p;

	for (p = &open_nics; *p != n->owner; p = &(*p)->next)
		;
	*p = (*p)->next;
	unwind(n->owner, STEP_RINGS);
}

/* The device fd, in the caller's container if it is not DPDK's. */
static int
open_device(struct nic_vfio *v, const char *spec, enum nic_step *step, char *err, size_t errlen)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int rc;

	if (!rte_vfio_is_enabled("vfio"))
		return nic_err(err, errlen, ENODEV, "%s: VFIO is not enabled in this process (load vfio-pci before the EAL starts: modprobe vfio-pci)",
			spec);
	if (v->container_fd != RTE_VFIO_DEFAULT_CONTAINER_FD) {
		if (rte_vfio_get_group_num(SYSFS_PCI, v->bdf, &v->group) <= 0)
			return nic_err(err, errlen, ENODEV, "%s: %s has no IOMMU group", spec, v->bdf);
		if (rte_vfio_container_group_bind(v->container_fd, v->group) < 0)
			return nic_err(err, errlen, EBUSY, "%s: cannot bind IOMMU group %d to VFIO container %d (the EAL's log says why)",
				spec, v->group, v->container_fd);
		*step = STEP_BOUND;
	}
	rc = rte_vfio_setup_device(SYSFS_PCI, v->bdf, &v->dev_fd, &info);
	if (rc != 0)
		return nic_err(err, errlen, rc > 0 ? ENODEV : EBUSY,
			"%s: rte_vfio_setup_device(%s) failed (the EAL's log says why): its IOMMU group must be viable (every device of it bound to vfio-pci or to nothing), open in no other process, and the NIC probed by no PMD here (EAL -b %s, or --no-pci)",
			spec, v->bdf, v->bdf);
	*step = STEP_DEVICE;
	return 0;
}

/* BAR0 mapped, bus mastering on (the command register kept to restore). */
static int
map_device(struct nic_vfio *v, const char *spec, enum nic_step *step, char *err, size_t errlen)
{
	struct vfio_region_info r;
	uint16_t cmd;
	int rc;

	rc = region(v->dev_fd, VFIO_PCI_BAR0_REGION_INDEX, &r);
	if (rc < 0 || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP) || r.size < 0x10000)
		return nic_err(err, errlen, EIO, "%s: BAR0 of %s cannot be mapped (%s)", spec, v->bdf,
			rc < 0 ? strerror(-rc) : "VFIO offers no mmap of 64 KiB or more");
	v->bar = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, v->dev_fd, (off_t)r.offset);
	if (v->bar == MAP_FAILED)
		return nic_err(err, errlen, errno, "%s: mmap of BAR0 of %s: %s", spec, v->bdf, strerror(errno));
	v->bar_len = r.size;
	*step = STEP_BAR;

	rc = region(v->dev_fd, VFIO_PCI_CONFIG_REGION_INDEX, &r);
	v->cfg_off = (off_t)r.offset;
	if (rc < 0 || cfg_rw16(v, false, PCI_COMMAND, &v->pci_cmd) < 0)
		return nic_err(err, errlen, EIO, "%s: the config space of %s cannot be read", spec, v->bdf);
	cmd = v->pci_cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (cfg_rw16(v, true, PCI_COMMAND, &cmd) < 0)
		return nic_err(err, errlen, EIO, "%s: bus mastering cannot be enabled on %s", spec, v->bdf);
	*step = STEP_MASTER;
	return 0;
}

/* The rings in DPDK memory, in the device's container. */
static int
alloc_rings(struct nic_vfio *v, const char *spec, enum nic_step *step, char *err, size_t errlen)
{
	char name[RTE_MEMZONE_NAMESIZE];
	unsigned int i;

	for (i = 0; i < RTE_DIM(v->mz); i++) {
		snprintf(name, sizeof(name), "iol_nic_%s_%s", v->bdf, i == 0 ? "tx" : "rx");
		v->mz[i] = rte_memzone_reserve_aligned(name, NIC_RING * NIC_DESC_SIZE, SOCKET_ID_ANY,
			RTE_MEMZONE_IOVA_CONTIG, 4096);
		if (v->mz[i] == NULL) {
			while (i-- > 0)
				rte_memzone_free(v->mz[i]);
			return nic_err(err, errlen, ENOMEM, "%s: no DPDK memory for the rings (%s): %s",
				spec, name, rte_strerror(rte_errno));
		}
	}
	*step = STEP_RINGS;
	if (v->container_fd == RTE_VFIO_DEFAULT_CONTAINER_FD)
		return 0;
	for (; v->mapped < RTE_DIM(v->mz); v->mapped++) {
		const struct rte_memzone *mz = v->mz[v->mapped];

		if (rte_vfio_container_dma_map(v->container_fd, mz->addr_64, mz->iova, mz->len) < 0)
			return nic_err(err, errlen, EIO, "%s: cannot DMA-map the rings into VFIO container %d (IOVA 0x%" PRIx64 ", %zu bytes; the EAL's log says why)",
				spec, v->container_fd, mz->iova, mz->len);
	}
	return 0;
}

int
iol_nic_open(const char *spec, int container_fd, struct iol_dma_engine *e, char *err, size_t errlen)
{
	enum nic_step step = STEP_NONE;
	const struct iol_nic_model *m;
	char bdf[IOL_PCI_ADDR_LEN], msg[256];
	struct nic_vfio *v;
	struct iol_nic *n;
	int rc;

	if (strncmp(spec, "nic:", 4) != 0)
		return 1;
	if (iol_pci_addr_canon(spec + 4, bdf) < 0)
		return nic_err(err, errlen, EINVAL, "%s: \"%s\" is no PCI address (accepted: nic:" IOL_PCI_ADDR_FORMS ")",
			spec, spec + 4);
	for (v = open_nics; v != NULL; v = v->next)
		if (strcmp(v->bdf, bdf) == 0)
			return nic_err(err, errlen, EBUSY, "%s: %s is open already, as another engine of this process",
				spec, bdf);
	m = check_device(spec, bdf, err, errlen, &rc);
	if (m == NULL)
		return rc;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return nic_err(err, errlen, ENOMEM, "%s: out of memory", spec);
	memcpy(v->bdf, bdf, sizeof(bdf));
	v->container_fd = container_fd;
	v->dev_fd = -1;

	rc = open_device(v, spec, &step, err, errlen);
	if (rc == 0)
		rc = map_device(v, spec, &step, err, errlen);
	if (rc == 0)
		rc = alloc_rings(v, spec, &step, err, errlen);
	if (rc < 0) {
		unwind(v, step);
		return rc;
	}

	n = &v->nic;
	n->io = (struct iol_nic_io){ .read = mmio_read, .write = mmio_write, .ctx = v->bar };
	n->model = m;
	n->tx_ring = v->mz[0]->addr;
	n->tx_iova = v->mz[0]->iova;
	n->rx_ring = v->mz[1]->addr;
	n->rx_iova = v->mz[1]->iova;
	n->link_ms = NIC_LINK_MS;
	n->release = vfio_release;
	n->owner = v;
	rc = iol_nic_start(n, msg, sizeof(msg));
	if (rc < 0) {
		unwind(v, step);
		return nic_err(err, errlen, -rc, "%s: %s", spec, msg);
	}
	v->next = open_nics;
	open_nics = v;
	iol_nic_engine_init(e, n, !rte_vfio_noiommu_is_enabled());
	snprintf(e->name, sizeof(e->name), "nic:%s", bdf);
	return 0;
}
