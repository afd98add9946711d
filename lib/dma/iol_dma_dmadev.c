/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dmadev back end: any device DPDK's dmadev library has (dma_skeleton,
 * Intel IOAT/DSA, ...), named as the EAL named it or by its id. One vchan,
 * memory to memory, and a ring of cookies alongside the device's: dmadev
 * numbers its copies with a 16-bit ring index, iovaloop with 64-bit copy
 * numbers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "iol_dma.h"

/* The ring asked of the device: deep enough for any --inflight, and small. */
#define DMADEV_RING 4096

/* Drivers that take the IOVA of a copy as a pointer (so IOVA must be VA). */
static const char *const va_only_drivers[] = { "dma_skeleton" };

struct dmadev {
	int16_t id;
	uint16_t ring_mask;         /**< Of cookies[]: the device's ring size - 1. */
	uint16_t tail;              /**< Ring index of the oldest copy in flight. */
	uint32_t *len;              /**< Each copy's length, by ring index. */
	uint64_t *cookies;
	enum rte_dma_status_code *status;
};

static int
dmadev_enqueue(struct iol_dma_engine *e, rte_iova_t src, rte_iova_t dst, uint32_t len,
		uint64_t cookie)
{
	struct dmadev *d = e->priv;
	int idx = rte_dma_copy(d->id, 0, src, dst, len, 0);

	if (unlikely(idx < 0))
		return idx;
	d->cookies[idx & d->ring_mask] = cookie;
	d->len[idx & d->ring_mask] = len;
	return 0;
}

static void
dmadev_submit(struct iol_dma_engine *e)
{
	struct dmadev *d = e->priv;

	rte_dma_submit(d->id, 0);
}

static uint16_t
dmadev_completed(struct iol_dma_engine *e, struct iol_dma_done *done, uint16_t max)
{
	struct dmadev *d = e->priv;
	uint16_t last, n, i, k;

	n = rte_dma_completed_status(d->id, 0, RTE_MIN(max, e->caps.depth), &last, d->status);
	for (i = 0; i < n; i++) {
		k = (uint16_t)(d->tail + i) & d->ring_mask;
		done[i].cookie = d->cookies[k];
		done[i].len = d->len[k];
		done[i].status = d->status[i] == RTE_DMA_STATUS_SUCCESSFUL ?
			IOL_DMA_OK : IOL_DMA_ERROR;
	}
	d->tail = (uint16_t)(d->tail + n);
	return n;
}

static void
dmadev_free(struct dmadev *d)
{
	rte_free(d->status);
	rte_free(d->cookies);
	rte_free(d->len);
	rte_free(d);
}

/*
 * Stopped, not closed: DPDK 22.11's rte_dma_close() releases the dmadev
 * for the rest of the process (no later open could find it again), and
 * a stopped device is configured afresh by the next open.
 */
static void
dmadev_close(struct iol_dma_engine *e)
{
	struct dmadev *d = e->priv;

	rte_dma_stop(d->id);
	dmadev_free(d);
}

static const struct iol_dma_ops dmadev_ops = {
	.kind = "dmadev",
	.enqueue = dmadev_enqueue,
	.submit = dmadev_submit,
	.completed = dmadev_completed,
	.close = dmadev_close,
};

/* "dma_skeleton (id 0), ...", or "none" when there is none. */
static void
dmadev_list(char *buf, size_t len)
{
	struct rte_dma_info info;
	size_t n = 0;
	int16_t id;

	snprintf(buf, len, "none");
	RTE_DMA_FOREACH_DEV(id)
		if (rte_dma_info_get(id, &info) == 0 && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s (id %d)", n ? ", " : "",
				info.dev_name, id);
}

/* The id @p spec names: a dmadev name, or a decimal id; -1 when none. */
static int16_t
dmadev_find(const char *spec)
{
	char *end;
	long id;
	int ret = rte_dma_get_dev_id_by_name(spec);

	if (ret >= 0)
		return (int16_t)ret;
	errno = 0;
	id = strtol(spec, &end, 10);
	if (errno != 0 || end == spec || *end != '\0' || id < 0 || id > INT16_MAX ||
	    !rte_dma_is_valid((int16_t)id))
		return -1;
	return (int16_t)id;
}

/* True when the driver of dmadev @p name treats IOVAs as pointers. */
static bool
va_only(const char *name)
{
	struct rte_dev_iterator it;
	struct rte_device *dev;
	const char *drv = NULL;
	unsigned int i;

	RTE_DEV_FOREACH(dev, "bus=vdev", &it)
		if (strcmp(rte_dev_name(dev), name) == 0 && rte_dev_driver(dev) != NULL)
			drv = rte_driver_name(rte_dev_driver(dev));
	for (i = 0; drv != NULL && i < RTE_DIM(va_only_drivers); i++)
		if (strcmp(drv, va_only_drivers[i]) == 0)
			return true;
	return false;
}

/* The device's ring: DMADEV_RING within its limits, a power of two (skeleton needs one). */
static uint16_t
ring_size(const struct rte_dma_info *info)
{
	uint32_t n = DMADEV_RING;

	while (n > info->max_desc && n > 1)
		n /= 2;
	return n >= info->min_desc ? (uint16_t)n : 0;
}

static int
dmadev_open(const char *spec, int container_fd, struct iol_dma_engine *e, char *err,
		size_t errlen)
{
	const struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf = { .direction = RTE_DMA_DIR_MEM_TO_MEM };
	struct rte_dma_info info;
	struct dmadev *d;
	char list[192];
	int16_t id;
	int ret;

	RTE_SET_USED(container_fd);
	id = dmadev_find(spec);
	if (id < 0) {
		dmadev_list(list, sizeof(list));
		snprintf(err, errlen, "no dmadev of that name or id (dmadevs: %s%s)", list,
			rte_dma_count_avail() == 0 && rte_eal_iova_mode() == RTE_IOVA_PA ?
			"; dma_skeleton is probed in IOVA-as-VA mode only: --iova-mode=va" : "");
		return 1;
	}
	ret = rte_dma_info_get(id, &info);
	if (ret < 0) {
		snprintf(err, errlen, "--dma %s: cannot read the device's capabilities: %s",
			spec, strerror(-ret));
		return ret;
	}
	if (!(info.dev_capa & RTE_DMA_CAPA_MEM_TO_MEM) || info.max_vchans < 1) {
		snprintf(err, errlen, "--dma %s: the device does not copy memory to memory "
			"(capabilities 0x%" PRIx64 ", %u vchans)", spec, info.dev_capa,
			info.max_vchans);
		return -ENOTSUP;
	}
	vconf.nb_desc = ring_size(&info);
	if (vconf.nb_desc < 2) {
		snprintf(err, errlen, "--dma %s: the device takes %u to %u descriptors, "
			"no power of two up to %u", spec, info.min_desc, info.max_desc, DMADEV_RING);
		return -ENOTSUP;
	}
	d = rte_zmalloc("iol_dmadev", sizeof(*d), 0);
	if (d != NULL) {
		d->cookies = rte_calloc("iol_dmadev", vconf.nb_desc, sizeof(*d->cookies), 0);
		d->len = rte_calloc("iol_dmadev", vconf.nb_desc, sizeof(*d->len), 0);
		d->status = rte_calloc("iol_dmadev", vconf.nb_desc, sizeof(*d->status), 0);
	}
	if (d == NULL || d->cookies == NULL || d->len == NULL || d->status == NULL) {
		if (d != NULL)
			dmadev_free(d);
		snprintf(err, errlen, "--dma %s: out of memory for a ring of %u", spec,
			vconf.nb_desc);
		return -ENOMEM;
	}
	d->id = id;
	d->ring_mask = (uint16_t)(vconf.nb_desc - 1);
	ret = rte_dma_configure(id, &conf);
	if (ret == 0)
		ret = rte_dma_vchan_setup(id, 0, &vconf);
	if (ret == 0)
		ret = rte_dma_start(id);
	if (ret < 0) {
		snprintf(err, errlen, "--dma %s: the device refused one memory-to-memory "
			"vchan of %u descriptors: %s", spec, vconf.nb_desc, strerror(-ret));
		dmadev_free(d);
		return ret;
	}
	e->ops = &dmadev_ops;
	e->priv = d;
	/* Some drivers keep one slot free to tell a full ring from an empty one. */
	e->caps = (struct iol_dma_caps){
		.min_copy = 1,
		.max_copy = UINT32_MAX,
		.depth = (uint16_t)(vconf.nb_desc - 1),
		.va_only = va_only(info.dev_name),
		.behind_iommu = false,
	};
	return 0;
}

const struct iol_dma_backend iol_dma_dmadev_backend = {
	.kind = "dmadev",
	.usage = "a dmadev name or id (the EAL's, e.g. --vdev dma_skeleton)",
	.open = dmadev_open,
};
