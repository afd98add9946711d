/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intel 82574L (e1000e, 8086:10d3; QEMU's -device e1000e): legacy TX and
 * RX descriptors (82574L datasheet 7.1.4, 7.2.10), one 16 KiB RX buffer
 * per descriptor (RCTL.BSEX with BSIZE 01b), so that a jumbo frame of up
 * to 9018 bytes with its CRC (the 82574L's limit, 9014 without) lands in
 * one descriptor, at the destination IOVA.
 */
#include <rte_atomic.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "iol_nic.h"

#define E1000E_RCTL_BSIZE_16K ((1u << 25) | (1u << 16))

/* TX: address, length, command; the status byte is written back. */
#define TXD_CMD_EOP  0x01u
#define TXD_CMD_IFCS 0x02u
/* RX write-back: length (offset 8), status (12), errors (13). */
#define RXD_STAT_DD  0x01u
/* CRC, symbol, sequence, carrier extension, RX data errors. */
#define RXD_ERR_FRAME 0x97u

static void
e1000e_fill(struct iol_nic *n, uint32_t slot, rte_iova_t src, rte_iova_t dst, uint32_t len)
{
	volatile uint64_t *tx = (volatile uint64_t *)(n->tx_ring + slot * NIC_DESC_SIZE);
	volatile uint64_t *rx = (volatile uint64_t *)(n->rx_ring + slot * NIC_DESC_SIZE);

	rx[0] = rte_cpu_to_le_64(dst);
	rx[1] = 0;
	tx[0] = rte_cpu_to_le_64(src);
	/* No RS: nothing waits for TX write-backs, the RX one says it all. */
	tx[1] = rte_cpu_to_le_64(len | (uint64_t)(TXD_CMD_EOP | TXD_CMD_IFCS) << 24);
}

static int
e1000e_done(const struct iol_nic *n, uint32_t slot, uint32_t *len)
{
	const volatile uint8_t *rx = n->rx_ring + slot * NIC_DESC_SIZE;
	uint8_t status = rx[12];

	if (!(status & RXD_STAT_DD))
		return -1;
	/* The rest of the write-back only after DD was seen. */
	rte_rmb();
	*len = rte_le_to_cpu_16(*(const volatile uint16_t *)(rx + 8));
	return (rx[13] & RXD_ERR_FRAME) != 0;
}

const struct iol_nic_model iol_nic_82574l = {
	.name = "82574L",
	.device_id = 0x10d3,
	.max_copy = 9014,
	.rx_base = 0x2800,
	.tx_base = 0x3800,
	.rctl = E1000E_RCTL_BSIZE_16K,
	.eimc = 0,
	.queues_on = NULL,
	.fill = e1000e_fill,
	.done = e1000e_done,
};
