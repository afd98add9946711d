/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the 82574L and the 82576/I350 share: the reset, the PHY over MDIO,
 * loopback on and off, the rings, and the engine on top of them.
 *
 * Loopback is the PHY's (BMCR.LOOPBACK at 1000 Mb/s full duplex, the MAC
 * forced to match), as Linux's ethtool self-test does it on both models:
 * the 82576 has no MAC loopback, and a PHY in loopback also keeps frames
 * from the wire out. QEMU's e1000e and igb loop frames on BMCR.LOOPBACK too,
 * but let a frame in only once STATUS.LU is set, which their link comes to
 * after an autonegotiation: so autonegotiation is restarted first, and the
 * link awaited, then the PHY put in loopback. A reset (CTRL.RST, or VFIO's)
 * leaves the PHY alone, in QEMU as on the chip: iol_nic_stop() writes the
 * BMCR found at start back, else the next driver of the NIC gets a PHY that
 * loops everything it sends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_common.h>

#include "iol_nic.h"
#include "iol_units.h"

#define NIC_RESET_MS 100
#define NIC_MDIC_MS 100

int
nic_err(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	iol_verrf(err, errlen, fmt, ap);
	va_end(ap);
	return -e;
}

int
nic_wait(const struct iol_nic *n, uint32_t reg, uint32_t mask, uint32_t want, unsigned int ms)
{
	unsigned int i;

	for (i = 0; i <= ms; i++) {
		if ((nic_rd(n, reg) & mask) == want)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static int
phy_op(const struct iol_nic *n, uint32_t op, uint32_t reg, uint16_t val, uint16_t *out)
{
	uint32_t mdic;

	nic_wr(n, NIC_MDIC, op | val | reg << NIC_MDIC_REG_SHIFT |
		NIC_PHY_ADDR << NIC_MDIC_PHY_SHIFT);
	if (nic_wait(n, NIC_MDIC, NIC_MDIC_READY, NIC_MDIC_READY, NIC_MDIC_MS) < 0)
		return -ETIMEDOUT;
	mdic = nic_rd(n, NIC_MDIC);
	if (mdic & NIC_MDIC_ERROR)
		return -EIO;
	if (out != NULL)
		*out = (uint16_t)mdic;
	return 0;
}

static int
phy_write(const struct iol_nic *n, uint32_t reg, uint16_t val)
{
	return phy_op(n, NIC_MDIC_OP_WRITE, reg, val, NULL);
}

static void
mask_irqs(const struct iol_nic *n)
{
	nic_wr(n, NIC_IMC, UINT32_MAX);
	if (n->model->eimc != 0)
		nic_wr(n, n->model->eimc, UINT32_MAX);
}

/* Device reset: MAC registers to their defaults (not the PHY's). */
static int
reset(const struct iol_nic *n)
{
	int rc;

	mask_irqs(n);
	nic_wr(n, NIC_RCTL, 0);
	nic_wr(n, NIC_TCTL, 0);
	nic_wr(n, NIC_CTRL, nic_rd(n, NIC_CTRL) | NIC_CTRL_RST);
	/* Nothing may touch the device for 1 ms after RST (both datasheets). */
	usleep(1000);
	rc = nic_wait(n, NIC_CTRL, NIC_CTRL_RST, 0, NIC_RESET_MS);
	mask_irqs(n);
	return rc;
}

static void
ring_on(const struct iol_nic *n, uint32_t base, rte_iova_t iova)
{
	nic_wr(n, base + NIC_Q_BAL, (uint32_t)iova);
	nic_wr(n, base + NIC_Q_BAH, (uint32_t)(iova >> 32));
	nic_wr(n, base + NIC_Q_LEN, NIC_RING * NIC_DESC_SIZE);
	nic_wr(n, base + NIC_Q_HEAD, 0);
	nic_wr(n, base + NIC_Q_TAIL, 0);
}

int
iol_nic_start(struct iol_nic *n, char *err, size_t errlen)
{
	const struct iol_nic_model *m = n->model;
	uint32_t ctrl;
	int rc;

	n->head = n->tail = 0;
	memset((void *)(uintptr_t)n->tx_ring, 0, NIC_RING * NIC_DESC_SIZE);
	memset((void *)(uintptr_t)n->rx_ring, 0, NIC_RING * NIC_DESC_SIZE);
	if (reset(n) < 0)
		return nic_err(err, errlen, EIO, "the %s does not come out of reset (CTRL.RST still set after %d ms)",
			m->name, NIC_RESET_MS);
	rc = phy_op(n, NIC_MDIC_OP_READ, NIC_PHY_BMCR, 0, &n->bmcr);
	if (rc < 0)
		return nic_err(err, errlen, -rc, "the %s's PHY does not answer on MDIO (BMCR read: %s)",
			m->name, strerror(-rc));

	rc = phy_write(n, NIC_PHY_BMCR, NIC_BMCR_ANENABLE | NIC_BMCR_ANRESTART |
		NIC_BMCR_SPEED1000 | NIC_BMCR_FD);
	if (rc == 0 && nic_wait(n, NIC_STATUS, NIC_STATUS_LU, NIC_STATUS_LU, n->link_ms) < 0)
		rc = -ENOLINK;
	if (rc == 0)
		rc = phy_write(n, NIC_PHY_BMCR, NIC_BMCR_LOOPBACK | NIC_BMCR_SPEED1000 | NIC_BMCR_FD);
	if (rc < 0) {
		iol_nic_stop(n);
		if (rc == -ENOLINK)
			return nic_err(err, errlen, ENOLINK, "the %s's link does not come up (STATUS.LU still 0 %u s after an autonegotiation): no loopback without it",
				m->name, n->link_ms / 1000);
		return nic_err(err, errlen, -rc, "the %s's PHY refuses a BMCR write: %s",
			m->name, strerror(-rc));
	}
	/* The MAC at the PHY's forced speed, link up, no flow control (a
	 * copy that looks like a PAUSE frame must be delivered, not obeyed),
	 * no VLAN stripping.
	 */
	ctrl = nic_rd(n, NIC_CTRL);
	ctrl &= ~(NIC_CTRL_SPD_MASK | NIC_CTRL_RFCE | NIC_CTRL_TFCE | NIC_CTRL_VME);
	ctrl |= NIC_CTRL_FRCSPD | NIC_CTRL_FRCDPX | NIC_CTRL_SPD_1000 | NIC_CTRL_FD | NIC_CTRL_SLU;
	nic_wr(n, NIC_CTRL, ctrl);

	ring_on(n, m->tx_base, n->tx_iova);
	ring_on(n, m->rx_base, n->rx_iova);
	/* No checksum offload: a copy's bytes are no IP packet to judge. */
	nic_wr(n, NIC_RXCSUM, 0);
	nic_wr(n, NIC_RCTL, NIC_RCTL_EN | NIC_RCTL_UPE | NIC_RCTL_MPE | NIC_RCTL_BAM |
		NIC_RCTL_LPE | NIC_RCTL_PMCF | NIC_RCTL_SECRC | m->rctl);
	nic_wr(n, NIC_TCTL, NIC_TCTL_EN | NIC_TCTL_PSP | NIC_TCTL_CT | NIC_TCTL_COLD);
	rc = m->queues_on != NULL ? m->queues_on(n, err, errlen) : 0;
	if (rc < 0)
		iol_nic_stop(n);
	return rc;
}

void
iol_nic_stop(struct iol_nic *n)
{
	uint16_t bmcr = n->bmcr;

	nic_wr(n, NIC_RCTL, 0);
	nic_wr(n, NIC_TCTL, 0);
	/* A PHY taken out of forced loopback renegotiates only when told. */
	if (bmcr & NIC_BMCR_ANENABLE)
		bmcr |= NIC_BMCR_ANRESTART;
	phy_write(n, NIC_PHY_BMCR, bmcr);
	reset(n);
}

/* --- the engine ----------------------------------------------------------- */

static int
nic_enqueue(struct iol_dma_engine *e, rte_iova_t src, rte_iova_t dst, uint32_t len,
		uint64_t cookie)
{
	struct iol_nic *n = e->priv;
	uint32_t slot = n->tail % NIC_RING;

	if (unlikely(n->tail - n->head >= NIC_RING - 1))
		return -ENOSPC;
	if (unlikely(len < NIC_MIN_COPY || len > n->model->max_copy))
		return -EINVAL;
	n->model->fill(n, slot, src, dst, len);
	n->cookie[slot] = cookie;
	n->len[slot] = len;
	n->tail++;
	return 0;
}

static void
nic_submit(struct iol_dma_engine *e)
{
	struct iol_nic *n = e->priv;
	uint32_t tail = n->tail % NIC_RING;

	/* The descriptors before the doorbells; RX first, so that each looped
	 * frame finds its RX descriptor ready.
	 */
	rte_wmb();
	nic_wr(n, n->model->rx_base + NIC_Q_TAIL, tail);
	nic_wr(n, n->model->tx_base + NIC_Q_TAIL, tail);
}

static uint16_t
nic_completed(struct iol_dma_engine *e, struct iol_dma_done *done, uint16_t max)
{
	struct iol_nic *n = e->priv;
	uint16_t k = 0;
	uint32_t slot, got;
	int rc;

	while (k < max && n->head != n->tail) {
		slot = n->head % NIC_RING;
		rc = n->model->done(n, slot, &got);
		if (rc < 0)
			break;
		done[k].cookie = n->cookie[slot];
		done[k].len = got;
		done[k].status = rc == 0 && got == n->len[slot] ? IOL_DMA_OK : IOL_DMA_ERROR;
		k++;
		n->head++;
	}
	return k;
}

static void
nic_close(struct iol_dma_engine *e)
{
	struct iol_nic *n = e->priv;

	iol_nic_stop(n);
	n->release(n);
}

static const struct iol_dma_ops nic_ops = {
	.kind = "nic",
	.enqueue = nic_enqueue,
	.submit = nic_submit,
	.completed = nic_completed,
	.close = nic_close,
};

void
iol_nic_engine_init(struct iol_dma_engine *e, struct iol_nic *n, bool behind_iommu)
{
	e->ops = &nic_ops;
	e->caps = (struct iol_dma_caps){
		.min_copy = NIC_MIN_COPY,
		.max_copy = n->model->max_copy,
		.depth = NIC_RING - 1,
		.va_only = false,
		.behind_iommu = behind_iommu,
	};
	e->priv = n;
}

/* --- the models ------------------------------------------------------------ */

static const struct iol_nic_model *const models[] = {
	&iol_nic_82574l, &iol_nic_82576, &iol_nic_i350,
};

const struct iol_nic_model *
iol_nic_model_find(uint16_t device_id)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(models); i++)
		if (models[i]->device_id == device_id)
			return models[i];
	return NULL;
}

const char *
iol_nic_models_usage(void)
{
	static char usage[128];
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(models) && off < sizeof(usage); i++)
		off += snprintf(usage + off, sizeof(usage) - off, "%s8086:%04x (%s)",
			i ? ", " : "", models[i]->device_id, models[i]->name);
	return usage;
}
