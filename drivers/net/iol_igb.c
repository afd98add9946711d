/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel 82576 (igb, 8086:10c9; QEMU 8 and later: -device igb) and I350
 * (8086:1521), which has the 82576's registers where this driver touches
 * them: advanced TX data and one-buffer RX descriptors (82576 datasheet
 * 7.2.2.3, 7.1.5), queue 0 at 0xC000/0xE000 with its enable bits, 16 KiB
 * RX buffers (SRRCTL) and long frames up to RLPML. 9014 bytes a copy, as
 * the 82574L: the 82576 takes 9.5 KB frames, but one limit for the family
 * keeps a caller's split the same on either.
 */
#include <rte_atomic.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "iol_nic.h"

#define IGB_EIMC 0x1528
#define IGB_RLPML 0x5004
#define IGB_SRRCTL 0x0c                         /* from the RX ring's base */
#define   IGB_SRRCTL_ADV_ONEBUF (1u << 25)
#define   IGB_SRRCTL_BSIZE_16K  16u               /* 1 KiB units */
#define IGB_QUEUE_ENABLE (1u << 25)             /* RXDCTL, TXDCTL */
#define IGB_QUEUE_MS 100

#define ADVTXD_DTYP_DATA (3u << 20)
#define ADVTXD_EOP  (1u << 24)
#define ADVTXD_IFCS (1u << 25)
#define ADVTXD_DEXT (1u << 29)
#define ADVTXD_PAYLEN_SHIFT 14
/* RX write-back: status and errors (offset 8), length (12). */
#define ADVRXD_STAT_DD  (1u << 0)
/* CRC, symbol, sequence, carrier extension, RX data errors. */
#define ADVRXD_ERR_FRAME 0x97000000u

static int
igb_queues_on(struct iol_nic *n, char *err, size_t errlen)
{
	const struct iol_nic_model *m = n->model;

	nic_wr(n, m->rx_base + IGB_SRRCTL, IGB_SRRCTL_ADV_ONEBUF | IGB_SRRCTL_BSIZE_16K);
	/* With RCTL.LPE the longest frame taken, CRC included. */
	nic_wr(n, IGB_RLPML, m->max_copy + 4);
	nic_wr(n, m->rx_base + NIC_Q_DCTL, IGB_QUEUE_ENABLE);
	nic_wr(n, m->tx_base + NIC_Q_DCTL, IGB_QUEUE_ENABLE);
	/* The enables read back 1 once RCTL.EN and TCTL.EN are on. */
	if (nic_wait(n, m->rx_base + NIC_Q_DCTL, IGB_QUEUE_ENABLE, IGB_QUEUE_ENABLE, IGB_QUEUE_MS) < 0 ||
	    nic_wait(n, m->tx_base + NIC_Q_DCTL, IGB_QUEUE_ENABLE, IGB_QUEUE_ENABLE, IGB_QUEUE_MS) < 0)
		return nic_err(err, errlen, EIO, "the %s does not enable its queue 0 (RXDCTL/TXDCTL.ENABLE still 0 after %d ms)",
			m->name, IGB_QUEUE_MS);
	return 0;
}

static void
igb_fill(struct iol_nic *n, uint32_t slot, rte_iova_t src, rte_iova_t dst, uint32_t len)
{
	volatile uint64_t *tx = (volatile uint64_t *)(n->tx_ring + slot * NIC_DESC_SIZE);
	volatile uint64_t *rx = (volatile uint64_t *)(n->rx_ring + slot * NIC_DESC_SIZE);
	uint32_t cmd = len | ADVTXD_DTYP_DATA | ADVTXD_EOP | ADVTXD_IFCS | ADVTXD_DEXT;

	rx[0] = rte_cpu_to_le_64(dst);
	/* The header buffer address: none (and the write-back's DD cleared). */
	rx[1] = 0;
	tx[0] = rte_cpu_to_le_64(src);
	/* No RS: nothing waits for TX write-backs, the RX one says it all. */
	tx[1] = rte_cpu_to_le_64(cmd | (uint64_t)(len << ADVTXD_PAYLEN_SHIFT) << 32);
}

static int
igb_done(const struct iol_nic *n, uint32_t slot, uint32_t *len)
{
	const volatile uint8_t *rx = n->rx_ring + slot * NIC_DESC_SIZE;
	uint32_t staterr = rte_le_to_cpu_32(*(const volatile uint32_t *)(rx + 8));

	if (!(staterr & ADVRXD_STAT_DD))
		return -1;
	/* The length only after DD was seen. */
	rte_rmb();
	*len = rte_le_to_cpu_16(*(const volatile uint16_t *)(rx + 12));
	return (staterr & ADVRXD_ERR_FRAME) != 0;
}

/* The I350 differs from the 82576 only in its name and device ID here. */
#define IGB_MODEL(model_name, id) { \
	.name = model_name, \
	.device_id = id, \
	.max_copy = 9014, \
	.rx_base = 0xc000, \
	.tx_base = 0xe000, \
	.rctl = 0, \
	.eimc = IGB_EIMC, \
	.queues_on = igb_queues_on, \
	.fill = igb_fill, \
	.done = igb_done, \
}

const struct iol_nic_model iol_nic_82576 = IGB_MODEL("82576", 0x10c9);
const struct iol_nic_model iol_nic_i350 = IGB_MODEL("I350", 0x1521);
