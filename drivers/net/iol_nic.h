/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_NIC_H
#define IOL_NIC_H

/*
 * Private to drivers/net (and test/test_nic.c): an Intel NIC of the e1000
 * family in PHY loopback as a DMA engine (doc/drivers.md). Copy i is TX
 * descriptor i, which reads the source, and RX descriptor i, which the
 * looped frame is written through to the destination. The parts:
 *   iol_nic.c       the registers both models share: reset, PHY, loopback
 *                   on and off, the rings; the engine's enqueue, submit,
 *                   completed
 *   iol_nic_vfio.c  the device through DPDK's VFIO layer: open, BAR0,
 *                   config space, rings in DPDK memory; close
 *   iol_e1000e.c    82574L: legacy descriptors
 *   iol_igb.c       82576 and I350: advanced descriptors, queue enables
 *   iol_nic_register.c  the "nic:BDF" back end for iol_dma_open()
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_memory.h>

#include "iol_dma.h"

/* Descriptors per ring: a power of two (free-running indices), and the
 * ring 8 KiB, a multiple of the 128 bytes RDLEN/TDLEN require.
 */
#define NIC_RING 512
#define NIC_DESC_SIZE 16
/* The NIC pads shorter frames to 60 bytes (TCTL.PSP): a shorter copy
 * would write padding past its end.
 */
#define NIC_MIN_COPY 60
/* Link after an autonegotiation: 500 ms in QEMU, a few seconds on copper;
 * TCG stretches it.
 */
#define NIC_LINK_MS 10000

/* Registers both models share (82574L datasheet ch. 10, 82576 ch. 8). */
#define NIC_CTRL 0x0000
#define   NIC_CTRL_FD       (1u << 0)
#define   NIC_CTRL_SLU      (1u << 6)
#define   NIC_CTRL_SPD_MASK (3u << 8)
#define   NIC_CTRL_SPD_1000 (2u << 8)
#define   NIC_CTRL_FRCSPD   (1u << 11)
#define   NIC_CTRL_FRCDPX   (1u << 12)
#define   NIC_CTRL_RST      (1u << 26)
#define   NIC_CTRL_RFCE     (1u << 27)
#define   NIC_CTRL_TFCE     (1u << 28)
#define   NIC_CTRL_VME      (1u << 30)
#define NIC_STATUS 0x0008
#define   NIC_STATUS_LU     (1u << 1)
#define NIC_MDIC 0x0020
#define   NIC_MDIC_REG_SHIFT 16
#define   NIC_MDIC_PHY_SHIFT 21
#define   NIC_MDIC_OP_WRITE (1u << 26)
#define   NIC_MDIC_OP_READ  (2u << 26)
#define   NIC_MDIC_READY    (1u << 28)
#define   NIC_MDIC_ERROR    (1u << 30)
#define NIC_IMC 0x00D8
#define NIC_RCTL 0x0100
#define   NIC_RCTL_EN       (1u << 1)
#define   NIC_RCTL_UPE      (1u << 3)
#define   NIC_RCTL_MPE      (1u << 4)
#define   NIC_RCTL_LPE      (1u << 5)
#define   NIC_RCTL_LBM_MASK (3u << 6)
#define   NIC_RCTL_BAM      (1u << 15)
#define   NIC_RCTL_PMCF     (1u << 23)
#define   NIC_RCTL_SECRC    (1u << 26)
#define NIC_TCTL 0x0400
#define   NIC_TCTL_EN       (1u << 1)
#define   NIC_TCTL_PSP      (1u << 3)
#define   NIC_TCTL_CT       (0x0fu << 4)
#define   NIC_TCTL_COLD     (0x3fu << 12)
#define NIC_RXCSUM 0x5000
/* A ring's registers, from its base: address, length, head, tail. */
#define NIC_Q_BAL  0x00
#define NIC_Q_BAH  0x04
#define NIC_Q_LEN  0x08
#define NIC_Q_HEAD 0x10
#define NIC_Q_TAIL 0x18
#define NIC_Q_DCTL 0x28

/* The PHY (IEEE 802.3 clause 22), at MDIO address 1 on both models. */
#define NIC_PHY_ADDR 1
#define NIC_PHY_BMCR 0
#define   NIC_BMCR_SPEED1000 (1u << 6)
#define   NIC_BMCR_FD        (1u << 8)
#define   NIC_BMCR_ANRESTART (1u << 9)
#define   NIC_BMCR_ANENABLE  (1u << 12)
#define   NIC_BMCR_LOOPBACK  (1u << 14)

/* Register access: the mapped BAR0, or a test's register file. */
struct iol_nic_io {
	uint32_t (*read)(void *ctx, uint32_t reg);
	void (*write)(void *ctx, uint32_t reg, uint32_t val);
	void *ctx;
};

struct iol_nic;

/* What differs between the models. */
struct iol_nic_model {
	const char *name;             /* "82574L", for messages */
	uint16_t device_id;           /* PCI device ID (vendor 8086) */
	uint32_t max_copy;            /* bytes one frame carries (no CRC) */
	uint32_t rx_base, tx_base;    /* queue 0's ring registers */
	uint32_t rctl;                /* RCTL bits of its own: the RX buffer size */
	uint32_t eimc;                /* extended interrupt mask clear, 0: none */
	/* After the rings are set: turn the queues on (NULL: they are); 0 or -errno. */
	int (*queues_on)(struct iol_nic *n, char *err, size_t errlen);
	/* Write TX and RX descriptor @p slot for one copy. */
	void (*fill)(struct iol_nic *n, uint32_t slot, rte_iova_t src, rte_iova_t dst,
			uint32_t len);
	/* RX descriptor @p slot: -1 not written back yet, 0 received, 1 received
	 * with a frame error; *len the bytes written.
	 */
	int (*done)(const struct iol_nic *n, uint32_t slot, uint32_t *len);
};

extern const struct iol_nic_model iol_nic_82574l;
extern const struct iol_nic_model iol_nic_82576;
extern const struct iol_nic_model iol_nic_i350;

/* One NIC as an engine. */
struct iol_nic {
	/* Set by the opener before iol_nic_start(). */
	struct iol_nic_io io;
	const struct iol_nic_model *model;
	volatile uint8_t *tx_ring, *rx_ring;  /* NIC_RING descriptors each */
	rte_iova_t tx_iova, rx_iova;
	unsigned int link_ms;                 /* how long start waits for the link */
	void (*release)(struct iol_nic *n);   /* undo what the opener did */
	void *owner;                          /* the opener's */
	/* The device's and the rings' state. */
	uint16_t bmcr;                        /* the PHY's BMCR as found */
	/* Free-running counters: copies enqueued (tail) and handed back
	 * (head); in flight = tail - head, slot = counter % NIC_RING.
	 */
	uint32_t head, tail;
	uint64_t cookie[NIC_RING];
	uint32_t len[NIC_RING];
};

static inline uint32_t
nic_rd(const struct iol_nic *n, uint32_t reg)
{
	return n->io.read(n->io.ctx, reg);
}

static inline void
nic_wr(const struct iol_nic *n, uint32_t reg, uint32_t val)
{
	n->io.write(n->io.ctx, reg, val);
}

/* -e after one message line in @p err (iol_errf()). */
int nic_err(char *err, size_t errlen, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Poll @p reg until (value & mask) == want, every 1 ms for @p ms; 0 or -ETIMEDOUT. */
int nic_wait(const struct iol_nic *n, uint32_t reg, uint32_t mask, uint32_t want,
		unsigned int ms);

/* The model of an Intel device ID, or NULL. */
const struct iol_nic_model *iol_nic_model_find(uint16_t device_id);
/* "8086:10d3 (82574L), ...": the devices the back end drives, for messages. */
const char *iol_nic_models_usage(void);

/*
 * Reset the device, save its BMCR, bring the link up, turn PHY loopback
 * on, set the rings (n->tx_ring and friends) and turn RX and TX on:
 * promiscuous, CRC stripped, long frames. On failure the device is left
 * as iol_nic_stop() leaves it. 0 or -errno with one line in @p err.
 */
int iol_nic_start(struct iol_nic *n, char *err, size_t errlen);

/* RX and TX off, BMCR as found, reset, interrupts masked. */
void iol_nic_stop(struct iol_nic *n);

/* Make @p e the engine of the started @p n (ops, caps, priv). */
void iol_nic_engine_init(struct iol_dma_engine *e, struct iol_nic *n, bool behind_iommu);

/*
 * The back end's open (struct iol_dma_backend): "nic:BDF" through DPDK's
 * VFIO layer in @p container_fd. 1 when @p spec is not "nic:...".
 */
int iol_nic_open(const char *spec, int container_fd, struct iol_dma_engine *e,
		char *err, size_t errlen);

#endif /* IOL_NIC_H */
