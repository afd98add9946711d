/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers/net, the NIC as a DMA engine (doc/drivers.md).
 *
 * nic_autotest needs no device: each model runs against a fake NIC, a
 * register file with a PHY behind MDIC and a loopback that reads TX
 * descriptors and writes RX ones the way the datasheets lay them out
 * (IOVA = VA), so the ring logic (indices, wrap-around, depth, pairing,
 * status) and the register sequence of loopback on and off are tested
 * byte for byte.
 *
 * nic_copy_autotest and nic_copy_perf drive a real NIC (IOL_NIC=BDF, bound
 * to vfio-pci, EAL with --no-pci or -b BDF): the lab's cases (test/vm/cases/
 * nic.sh). Copies of several sizes between DPDK-memory IOVAs, every byte
 * checked; a copy to an IOVA the IOMMU does not map; the figures against
 * memcpy of the same buffers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_vfio.h>

#include "iol_nic.h"
#include "test.h"

/* --- the fake NIC ---------------------------------------------------------- */

#define FAKE_REGS (0x10000 / 4)
#define FAKE_LOG 64
#define BMCR_FOUND 0x3100         /* autonegotiation on, 100 FD: not what start writes */

struct fake_nic {
	uint32_t reg[FAKE_REGS];
	uint16_t phy[32];
	const struct iol_nic_model *m;
	uint32_t tdh, rdh;          /* the device's heads */
	bool link, link_dead;       /* link dead: autonegotiation never ends */
	unsigned int frames;        /* frames looped */
	int crc_frame, short_frame; /* the frame that gets a CRC error / loses a byte; -1 */
	/* Writes to the control registers, in order. */
	struct { uint32_t reg, val; } log[FAKE_LOG];
	unsigned int nlog;
	unsigned int released;
};

static bool
is_control(uint32_t reg)
{
	return reg == NIC_CTRL || reg == NIC_RCTL || reg == NIC_TCTL || reg == NIC_IMC ||
		reg == NIC_MDIC || reg == 0x1528;
}

/* A frame the fake's loopback takes: decoded from TX descriptor @p d. */
static int
fake_tx_decode(const struct fake_nic *f, const uint8_t *d, uint64_t *addr, uint32_t *len)
{
	uint32_t dw2, dw3;

	memcpy(addr, d, 8);
	memcpy(&dw2, d + 8, 4);
	memcpy(&dw3, d + 12, 4);
	*len = dw2 & 0xffff;
	if (f->m == &iol_nic_82574l)
		/* legacy: CMD in bits 31:24, EOP and IFCS wanted, DEXT not */
		return (dw2 >> 24 & 0x23) == 0x03 ? 0 : -1;
	/* advanced data: DTYP 3, DCMD EOP IFCS DEXT, PAYLEN = length */
	if ((dw2 & 0x00f00000) != 0x00300000 || (dw2 & 0x23000000) != 0x23000000)
		return -1;
	return dw3 >> 14 == *len ? 0 : -1;
}

/* The RX buffer size the driver set: 16 KiB or the default 2 KiB. */
static uint32_t
fake_rx_bufsize(const struct fake_nic *f)
{
	uint32_t rctl = f->reg[NIC_RCTL / 4], srrctl;

	if (f->m == &iol_nic_82574l)
		return (rctl & 0x02030000) == 0x02010000 ? 16384 : 2048;
	srrctl = f->reg[(f->m->rx_base + 0x0c) / 4];
	return (srrctl & 0x7f) ? (srrctl & 0x7f) << 10 : 2048;
}

static void
fake_rx_writeback(const struct fake_nic *f, uint8_t *d, uint32_t len, bool crc)
{
	uint32_t staterr;
	uint16_t l = (uint16_t)len;

	if (f->m == &iol_nic_82574l) {
		memcpy(d + 8, &l, 2);
		d[12] = 0x03;                    /* DD, EOP */
		d[13] = crc ? 0x01 : 0;          /* CE */
		return;
	}
	staterr = 0x03 | (crc ? 0x01000000u : 0);
	memcpy(d + 8, &staterr, 4);
	memcpy(d + 12, &l, 2);
}

/* Loop every TX descriptor up to the new tail into the next RX one. */
static void
fake_transmit(struct fake_nic *f)
{
	uint32_t tdt = f->reg[(f->m->tx_base + NIC_Q_TAIL) / 4];
	uint32_t rdt = f->reg[(f->m->rx_base + NIC_Q_TAIL) / 4];
	uint8_t *txr = (uint8_t *)(uintptr_t)((uint64_t)f->reg[(f->m->tx_base + NIC_Q_BAH) / 4] << 32 |
		f->reg[(f->m->tx_base + NIC_Q_BAL) / 4]);
	uint8_t *rxr = (uint8_t *)(uintptr_t)((uint64_t)f->reg[(f->m->rx_base + NIC_Q_BAH) / 4] << 32 |
		f->reg[(f->m->rx_base + NIC_Q_BAL) / 4]);
	uint32_t ring = f->reg[(f->m->tx_base + NIC_Q_LEN) / 4] / NIC_DESC_SIZE;
	bool looping = (f->phy[NIC_PHY_BMCR] & NIC_BMCR_LOOPBACK) && f->link &&
		(f->reg[NIC_RCTL / 4] & NIC_RCTL_EN) && (f->reg[NIC_TCTL / 4] & NIC_TCTL_EN) &&
		(f->reg[NIC_RCTL / 4] & NIC_RCTL_SECRC);
	uint64_t src, dst;
	uint32_t len;
	uint8_t *rxd;

	for (; f->tdh != tdt; f->tdh = (f->tdh + 1) % ring) {
		/* A frame without a free RX descriptor, or off loopback, is gone. */
		if (fake_tx_decode(f, txr + f->tdh * NIC_DESC_SIZE, &src, &len) < 0 ||
		    !looping || f->rdh == rdt || len > fake_rx_bufsize(f))
			continue;
		rxd = rxr + f->rdh * NIC_DESC_SIZE;
		memcpy(&dst, rxd, 8);
		if ((int)f->frames == f->short_frame)
			len--;
		memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, len);
		fake_rx_writeback(f, rxd, len, (int)f->frames == f->crc_frame);
		f->frames++;
		f->rdh = (f->rdh + 1) % ring;
	}
}

static uint32_t
fake_read(void *ctx, uint32_t reg)
{
	struct fake_nic *f = ctx;

	if (reg == NIC_STATUS)
		return f->link ? NIC_STATUS_LU : 0;
	return f->reg[reg / 4];
}

static void
fake_write(void *ctx, uint32_t reg, uint32_t val)
{
	struct fake_nic *f = ctx;
	uint32_t r = val >> NIC_MDIC_REG_SHIFT & 0x1f;

	if (is_control(reg) && f->nlog < FAKE_LOG)
		f->log[f->nlog++] = (typeof(f->log[0])){ reg, val };
	if (reg == NIC_CTRL && (val & NIC_CTRL_RST)) {
		/* The MAC's registers to their defaults; the PHY and the link
		 * stay, as in QEMU.
		 */
		memset(f->reg, 0, sizeof(f->reg));
		f->tdh = f->rdh = 0;
		return;
	}
	if (reg == NIC_MDIC) {
		if ((val >> NIC_MDIC_PHY_SHIFT & 0x1f) != NIC_PHY_ADDR) {
			f->reg[reg / 4] = val | NIC_MDIC_READY | NIC_MDIC_ERROR;
			return;
		}
		if (val & NIC_MDIC_OP_WRITE) {
			f->phy[r] = (uint16_t)val;
			if (r == NIC_PHY_BMCR && (val & NIC_BMCR_ANRESTART)) {
				f->phy[r] &= ~NIC_BMCR_ANRESTART;
				f->link = !f->link_dead;
			}
		}
		f->reg[reg / 4] = (val & ~0xffffu) | f->phy[r] | NIC_MDIC_READY;
		return;
	}
	f->reg[reg / 4] = val;
	if (reg == f->m->tx_base + NIC_Q_TAIL)
		fake_transmit(f);
}

static void
fake_release(struct iol_nic *n)
{
	struct fake_nic *f = n->owner;

	f->released++;
}

/* --- a fake engine --------------------------------------------------------- */

#define SLOT 9088                 /* max_copy and a guard, 64-byte aligned */
#define SLOTS 64
#define CANARY 0xa5

struct bench {
	struct fake_nic *fake;
	struct iol_nic *nic;
	struct iol_dma_engine e;
	uint8_t *src, *dst;           /* SLOTS x SLOT each */
};

static struct bench B;

static int
fake_open(const struct iol_nic_model *m, bool link_dead, char *err, size_t errlen)
{
	int rc;

	memset(&B, 0, sizeof(B));
	B.fake = calloc(1, sizeof(*B.fake));
	B.nic = calloc(1, sizeof(*B.nic));
	B.src = aligned_alloc(64, SLOTS * SLOT);
	B.dst = aligned_alloc(64, SLOTS * SLOT);
	if (B.fake == NULL || B.nic == NULL || B.src == NULL || B.dst == NULL)
		return -ENOMEM;
	B.fake->m = m;
	B.fake->link_dead = link_dead;
	B.fake->crc_frame = B.fake->short_frame = -1;
	B.fake->phy[NIC_PHY_BMCR] = BMCR_FOUND;
	B.fake->link = true;
	B.nic->io = (struct iol_nic_io){ .read = fake_read, .write = fake_write, .ctx = B.fake };
	B.nic->model = m;
	B.nic->tx_ring = aligned_alloc(4096, NIC_RING * NIC_DESC_SIZE);
	B.nic->rx_ring = aligned_alloc(4096, NIC_RING * NIC_DESC_SIZE);
	if (B.nic->tx_ring == NULL || B.nic->rx_ring == NULL)
		return -ENOMEM;
	B.nic->tx_iova = (uintptr_t)B.nic->tx_ring;
	B.nic->rx_iova = (uintptr_t)B.nic->rx_ring;
	B.nic->link_ms = 20;
	B.nic->release = fake_release;
	B.nic->owner = B.fake;
	rc = iol_nic_start(B.nic, err, errlen);
	if (rc == 0)
		iol_nic_engine_init(&B.e, B.nic, true);
	return rc;
}

static void
fake_free(void)
{
	if (B.nic != NULL) {
		free((void *)(uintptr_t)B.nic->tx_ring);
		free((void *)(uintptr_t)B.nic->rx_ring);
	}
	free(B.nic);
	free(B.fake);
	free(B.src);
	free(B.dst);
	memset(&B, 0, sizeof(B));
}

/* Copy i's source bytes: a function of (i, offset) no two copies share. */
static void
fill_src(uint8_t *p, uint32_t len, uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ull + 1;
	uint32_t k;

	for (k = 0; k < len; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[k] = (uint8_t)x;
	}
}

static rte_iova_t
fake_iova(const void *p)
{
	return (uintptr_t)p;
}

/* --- the cases --------------------------------------------------------------- */

static const struct iol_nic_model *const fake_models[] = { &iol_nic_82574l, &iol_nic_82576 };

static uint32_t
reg_of(uint32_t reg)
{
	return B.fake->reg[reg / 4];
}

/* Loopback on: PHY loopback at 1000 FD after an autonegotiation, the MAC
 * forced to match, promiscuous, CRC stripped, long frames; off: BMCR as
 * found (renegotiating), RX and TX off, a reset, interrupts masked.
 */
static int
test_loopback_registers(void)
{
	char err[256];
	unsigned int i, m, bmcr_restored, rst_after;
	uint32_t rctl, ctrl;

	for (m = 0; m < RTE_DIM(fake_models); m++) {
		TEST_ASSERT_SUCCESS(fake_open(fake_models[m], false, err, sizeof(err)), "%s", err);
		TEST_ASSERT_EQUAL(B.nic->bmcr, BMCR_FOUND, "BMCR as found is kept");
		TEST_ASSERT_EQUAL(B.fake->phy[NIC_PHY_BMCR],
			NIC_BMCR_LOOPBACK | NIC_BMCR_SPEED1000 | NIC_BMCR_FD, "PHY in loopback");
		rctl = reg_of(NIC_RCTL);
		TEST_ASSERT((rctl & (NIC_RCTL_EN | NIC_RCTL_UPE | NIC_RCTL_MPE | NIC_RCTL_SECRC |
			NIC_RCTL_LPE)) == (NIC_RCTL_EN | NIC_RCTL_UPE | NIC_RCTL_MPE | NIC_RCTL_SECRC |
			NIC_RCTL_LPE), "RCTL 0x%x: on, promiscuous, CRC stripped, long frames", rctl);
		TEST_ASSERT_EQUAL(rctl & NIC_RCTL_LBM_MASK, 0, "no MAC loopback");
		ctrl = reg_of(NIC_CTRL);
		TEST_ASSERT((ctrl & (NIC_CTRL_SLU | NIC_CTRL_FRCSPD | NIC_CTRL_FRCDPX | NIC_CTRL_FD)) ==
			(NIC_CTRL_SLU | NIC_CTRL_FRCSPD | NIC_CTRL_FRCDPX | NIC_CTRL_FD) &&
			(ctrl & NIC_CTRL_SPD_MASK) == NIC_CTRL_SPD_1000 &&
			!(ctrl & (NIC_CTRL_RFCE | NIC_CTRL_TFCE)), "CTRL 0x%x: forced 1000 FD, link up, no flow control", ctrl);
		TEST_ASSERT_EQUAL(reg_of(fake_models[m]->tx_base + NIC_Q_LEN), NIC_RING * NIC_DESC_SIZE, "TDLEN");
		TEST_ASSERT_EQUAL(reg_of(fake_models[m]->rx_base + NIC_Q_BAL), (uint32_t)B.nic->rx_iova, "RDBAL");

		B.fake->nlog = 0;
		B.e.ops->close(&B.e);
		TEST_ASSERT_EQUAL(B.fake->released, 1, "released once");
		TEST_ASSERT_EQUAL(B.fake->phy[NIC_PHY_BMCR], BMCR_FOUND, "BMCR restored");
		TEST_ASSERT_EQUAL(reg_of(NIC_RCTL), 0, "RX off");
		TEST_ASSERT_EQUAL(reg_of(NIC_TCTL), 0, "TX off");
		TEST_ASSERT_EQUAL(reg_of(NIC_IMC), UINT32_MAX, "interrupts masked");
		if (fake_models[m]->eimc != 0)
			TEST_ASSERT_EQUAL(reg_of(fake_models[m]->eimc), UINT32_MAX, "extended interrupts masked");
		/* RX off before the PHY leaves loopback, the reset after it. */
		bmcr_restored = rst_after = 0;
		for (i = 0; i < B.fake->nlog; i++) {
			if (B.fake->log[i].reg == NIC_MDIC && (B.fake->log[i].val & NIC_MDIC_OP_WRITE)) {
				TEST_ASSERT(i > 0 && B.fake->log[0].reg == NIC_RCTL && B.fake->log[0].val == 0,
					"RX turned off first");
				TEST_ASSERT_EQUAL(B.fake->log[i].val & 0xffff, BMCR_FOUND | NIC_BMCR_ANRESTART,
					"BMCR as found, renegotiating");
				bmcr_restored = i + 1;
			}
			if (bmcr_restored && B.fake->log[i].reg == NIC_CTRL && (B.fake->log[i].val & NIC_CTRL_RST))
				rst_after = 1;
		}
		TEST_ASSERT(bmcr_restored && rst_after, "close writes BMCR, then resets");
		fake_free();
	}
	return TEST_SUCCESS;
}

/* A link that never comes up: open fails with a message and leaves the
 * PHY as found, RX and TX off.
 */
static int
test_no_link(void)
{
	char err[256] = "";

	TEST_ASSERT_EQUAL(fake_open(&iol_nic_82574l, true, err, sizeof(err)), -ENOLINK, "no link");
	TEST_ASSERT_STR_CONTAINS(err, "STATUS.LU", "says which bit");
	TEST_ASSERT_EQUAL(B.fake->phy[NIC_PHY_BMCR], BMCR_FOUND, "BMCR restored");
	TEST_ASSERT_EQUAL(reg_of(NIC_RCTL), 0, "RX off");
	TEST_ASSERT_EQUAL(B.fake->released, 0, "the opener releases, not start");
	fake_free();
	return TEST_SUCCESS;
}

/* Wait for @p want completions into @p done (the fake is synchronous). */
static uint16_t
drain(struct iol_dma_done *done, uint16_t want)
{
	uint16_t k = 0, got;

	do {
		got = iol_dma_completed(&B.e, done + k, want - k);
		k += got;
	} while (got > 0 && k < want);
	return k;
}

static const uint32_t sizes[] = { 60, 61, 64, 127, 1514, 1515, 4096, 9013, 9014 };

/* Copies of every size, 3 times round the ring in bursts of 48, each
 * checked byte for byte with the guard behind it; the doorbells wrap
 * with the ring.
 */
static int
test_copies_wrap(void)
{
	struct iol_dma_done done[SLOTS];
	uint64_t next = 0, checked = 0, total = 3 * NIC_RING + 17;
	uint32_t len[SLOTS];
	char err[256];
	unsigned int m, b, k;
	uint8_t *s, *d;
	uint16_t n;

	for (m = 0; m < RTE_DIM(fake_models); m++) {
		TEST_ASSERT_SUCCESS(fake_open(fake_models[m], false, err, sizeof(err)), "%s", err);
		TEST_ASSERT_EQUAL(B.e.caps.max_copy, 9014, "max_copy");
		TEST_ASSERT_EQUAL(B.e.caps.min_copy, 60, "min_copy");
		TEST_ASSERT_EQUAL(B.e.caps.depth, NIC_RING - 1, "depth");
		next = checked = 0;
		while (checked < total) {
			for (b = 0; b < 48 && next < total; b++, next++) {
				k = next % SLOTS;
				len[k] = sizes[next % RTE_DIM(sizes)];
				s = B.src + k * SLOT;
				d = B.dst + k * SLOT;
				fill_src(s, len[k], next);
				memset(d, CANARY, SLOT);
				TEST_ASSERT_SUCCESS(iol_dma_enqueue(&B.e, fake_iova(s), fake_iova(d), len[k], next),
					"enqueue %" PRIu64, next);
			}
			iol_dma_submit(&B.e);
			TEST_ASSERT_EQUAL(reg_of(fake_models[m]->tx_base + NIC_Q_TAIL), next % NIC_RING, "TDT");
			TEST_ASSERT_EQUAL(reg_of(fake_models[m]->rx_base + NIC_Q_TAIL), next % NIC_RING, "RDT");
			n = drain(done, (uint16_t)(next - checked));
			TEST_ASSERT_EQUAL(n, next - checked, "every copy submitted completes");
			for (b = 0; b < n; b++, checked++) {
				k = checked % SLOTS;
				TEST_ASSERT_EQUAL(done[b].cookie, checked, "in order");
				TEST_ASSERT_EQUAL(done[b].status, IOL_DMA_OK, "copy %" PRIu64, checked);
				TEST_ASSERT_EQUAL(done[b].len, len[k], "length");
				TEST_ASSERT(memcmp(B.dst + k * SLOT, B.src + k * SLOT, len[k]) == 0,
					"copy %" PRIu64 " (%u bytes) landed", checked, len[k]);
				TEST_ASSERT_EQUAL(B.dst[k * SLOT + len[k]], CANARY, "nothing past the end");
			}
		}
		TEST_ASSERT_EQUAL(B.fake->frames, total, "one frame a copy");
		B.e.ops->close(&B.e);
		fake_free();
	}
	return TEST_SUCCESS;
}

/* Depth: NIC_RING - 1 in flight, then -ENOSPC until one is handed back;
 * nothing completes before the doorbell; lengths out of range refused.
 */
static int
test_depth_and_limits(void)
{
	struct iol_dma_done done[4];
	char err[256];
	unsigned int i;

	TEST_ASSERT_SUCCESS(fake_open(&iol_nic_82576, false, err, sizeof(err)), "%s", err);
	TEST_ASSERT_EQUAL(iol_dma_enqueue(&B.e, fake_iova(B.src), fake_iova(B.dst), 59, 0), -EINVAL, "59 bytes");
	TEST_ASSERT_EQUAL(iol_dma_enqueue(&B.e, fake_iova(B.src), fake_iova(B.dst), 9015, 0), -EINVAL, "9015 bytes");
	for (i = 0; i < NIC_RING - 1; i++)
		TEST_ASSERT_SUCCESS(iol_dma_enqueue(&B.e, fake_iova(B.src), fake_iova(B.dst), 60, i), "enqueue %u", i);
	TEST_ASSERT_EQUAL(iol_dma_enqueue(&B.e, fake_iova(B.src), fake_iova(B.dst), 60, i), -ENOSPC, "full");
	TEST_ASSERT_EQUAL(iol_dma_completed(&B.e, done, 4), 0, "nothing before submit");
	iol_dma_submit(&B.e);
	TEST_ASSERT_EQUAL(iol_dma_completed(&B.e, done, 1), 1, "one");
	TEST_ASSERT_EQUAL(done[0].cookie, 0, "the oldest");
	TEST_ASSERT_SUCCESS(iol_dma_enqueue(&B.e, fake_iova(B.src), fake_iova(B.dst), 60, i), "room again");
	B.e.ops->close(&B.e);
	fake_free();
	return TEST_SUCCESS;
}

/* A frame error in the RX write-back, and a frame shorter than the copy,
 * are that copy's error; the copies around them are fine.
 */
static int
test_status(void)
{
	struct iol_dma_done done[8];
	char err[256];
	unsigned int m, i;

	for (m = 0; m < RTE_DIM(fake_models); m++) {
		TEST_ASSERT_SUCCESS(fake_open(fake_models[m], false, err, sizeof(err)), "%s", err);
		B.fake->crc_frame = 2;
		B.fake->short_frame = 5;
		for (i = 0; i < 8; i++)
			TEST_ASSERT_SUCCESS(iol_dma_enqueue(&B.e, fake_iova(B.src + i * SLOT),
				fake_iova(B.dst + i * SLOT), 100, i), "enqueue");
		iol_dma_submit(&B.e);
		TEST_ASSERT_EQUAL(drain(done, 8), 8, "all done");
		for (i = 0; i < 8; i++) {
			TEST_ASSERT_EQUAL(done[i].status, i == 2 || i == 5 ? IOL_DMA_ERROR : IOL_DMA_OK,
				"copy %u (%s)", i, fake_models[m]->name);
			TEST_ASSERT_EQUAL(done[i].len, i == 5 ? 99 : 100, "length written");
		}
		B.e.ops->close(&B.e);
		fake_free();
	}
	return TEST_SUCCESS;
}

/* Without loopback the frames go to the wire: nothing completes. */
static int
test_needs_loopback(void)
{
	struct iol_dma_done done[2];
	char err[256];

	TEST_ASSERT_SUCCESS(fake_open(&iol_nic_82574l, false, err, sizeof(err)), "%s", err);
	B.fake->phy[NIC_PHY_BMCR] = BMCR_FOUND;
	TEST_ASSERT_SUCCESS(iol_dma_enqueue(&B.e, fake_iova(B.src), fake_iova(B.dst), 64, 0), "enqueue");
	iol_dma_submit(&B.e);
	TEST_ASSERT_EQUAL(iol_dma_completed(&B.e, done, 2), 0, "a frame on the wire is no copy");
	B.e.ops->close(&B.e);
	fake_free();
	return TEST_SUCCESS;
}

static int
test_names(void)
{
	struct iol_dma_engine e;
	char err[256] = "";

	memset(&e, 0, sizeof(e));
	TEST_ASSERT_EQUAL(iol_nic_open("dma_skeleton", RTE_VFIO_DEFAULT_CONTAINER_FD, &e, err, sizeof(err)),
		1, "not a nic: name");
	TEST_ASSERT_EQUAL(iol_nic_open("nic:00:03", RTE_VFIO_DEFAULT_CONTAINER_FD, &e, err, sizeof(err)),
		-EINVAL, "bad address");
	TEST_ASSERT_STR_CONTAINS(err, "DDDD:BB:DD.F", "names the accepted forms");
	TEST_ASSERT_EQUAL(iol_nic_open("nic:ffff:ff:1f.7", RTE_VFIO_DEFAULT_CONTAINER_FD, &e, err, sizeof(err)),
		-ENODEV, "no such device");
	TEST_ASSERT_STR_CONTAINS(err, "no PCI device ffff:ff:1f.7", "says so");
	TEST_ASSERT_EQUAL(iol_nic_open("nic:FF:1F.7", RTE_VFIO_DEFAULT_CONTAINER_FD, &e, err, sizeof(err)),
		-ENODEV, "the short form");
	TEST_ASSERT_STR_CONTAINS(err, "no PCI device 0000:ff:1f.7", "in domain 0, as sysfs names it");
	TEST_ASSERT(iol_nic_model_find(0x10d3) == &iol_nic_82574l && iol_nic_model_find(0x10c9) == &iol_nic_82576 &&
		iol_nic_model_find(0x1521) == &iol_nic_i350 && iol_nic_model_find(0x100e) == NULL, "models");
	TEST_ASSERT_STR_CONTAINS(iol_nic_models_usage(), "8086:1521 (I350)", "usage");
	return TEST_SUCCESS;
}

static struct unit_test_suite nic_suite = {
	.suite_name = "drivers/net: the NIC as a DMA engine, on a fake NIC",
	.unit_test_cases = {
		TEST_CASE(test_loopback_registers),
		TEST_CASE(test_no_link),
		TEST_CASE(test_copies_wrap),
		TEST_CASE(test_depth_and_limits),
		TEST_CASE(test_status),
		TEST_CASE(test_needs_loopback),
		TEST_CASE(test_names),
		TEST_CASES_END(),
	},
};

static int
nic_autotest(void)
{
	return unit_test_suite_runner(&nic_suite);
}

REGISTER_TEST_COMMAND(nic_autotest, nic_autotest);

/* --- a real NIC (the lab) ------------------------------------------------- */

/* How long a copy may take before it counts as lost: a hang guard, far
 * above what TCG needs.
 */
#define LOST_S 5

struct dev {
	struct iol_dma_engine e;
	int container;                /* RTE_VFIO_DEFAULT_CONTAINER_FD or a private one */
	const struct rte_memzone *src, *dst;
	unsigned int mapped;          /* src and dst in the private container */
	uint8_t *page;                /* CANARY_PAGES pages the IOMMU does not map */
};

#define CANARY_PAGES 2
#define PAGE_BYTE 0x5a

static rte_iova_t
slot_iova(const struct rte_memzone *mz, unsigned int k)
{
	return mz->iova + (rte_iova_t)k * SLOT;
}

static uint8_t *
slot_va(const struct rte_memzone *mz, unsigned int k)
{
	return (uint8_t *)mz->addr + (size_t)k * SLOT;
}

static void
dev_close(struct dev *d)
{
	const struct rte_memzone *mz[2] = { d->src, d->dst };
	unsigned int i;

	for (i = d->mapped; i-- > 0;)
		rte_vfio_container_dma_unmap(d->container, mz[i]->addr_64, mz[i]->iova, mz[i]->len);
	d->mapped = 0;
	if (d->e.ops != NULL)
		d->e.ops->close(&d->e);
	d->e.ops = NULL;
	rte_memzone_free(d->dst);
	rte_memzone_free(d->src);
	d->src = d->dst = NULL;
	if (d->container != RTE_VFIO_DEFAULT_CONTAINER_FD)
		rte_vfio_container_destroy(d->container);
	d->container = RTE_VFIO_DEFAULT_CONTAINER_FD;
	if (d->page != NULL)
		munmap(d->page, CANARY_PAGES * 4096);
	d->page = NULL;
}

/* The engine IOL_NIC names (IOL_NIC_CONTAINER=private: in a container of
 * its own, the buffers mapped into it), and SLOTS x SLOT bytes of source
 * and destination in DPDK memory.
 */
static int
dev_open(struct dev *d)
{
	const char *bdf = getenv("IOL_NIC"), *ct = getenv("IOL_NIC_CONTAINER");
	const struct rte_memzone *mz[2];
	struct iol_dma_engine again;
	char spec[64], err[512];
	int rc;

	memset(d, 0, sizeof(*d));
	d->container = RTE_VFIO_DEFAULT_CONTAINER_FD;
	if (bdf == NULL)
		TEST_SKIP("no NIC: IOL_NIC=BDF names one bound to vfio-pci (the lab's nic cases)");
	d->src = rte_memzone_reserve_aligned("nic_copy_src", SLOTS * SLOT, SOCKET_ID_ANY,
		RTE_MEMZONE_IOVA_CONTIG, 4096);
	d->dst = rte_memzone_reserve_aligned("nic_copy_dst", SLOTS * SLOT, SOCKET_ID_ANY,
		RTE_MEMZONE_IOVA_CONTIG, 4096);
	TEST_ASSERT(d->src != NULL && d->dst != NULL, "no DPDK memory for the buffers");
	/* Ordinary pages of this process: DPDK maps none of them for DMA. */
	d->page = mmap(NULL, CANARY_PAGES * 4096, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (d->page == MAP_FAILED)
		d->page = NULL;
	TEST_ASSERT(d->page != NULL, "mmap");
	if (ct != NULL && strcmp(ct, "private") == 0) {
		d->container = rte_vfio_container_create();
		TEST_ASSERT(d->container >= 0, "no private VFIO container");
	}
	snprintf(spec, sizeof(spec), "nic:%s", bdf);
	rc = iol_nic_open(spec, d->container, &d->e, err, sizeof(err));
	if (rc != 0)
		d->e.ops = NULL;
	TEST_ASSERT(rc == 0, "open %s: %d: %s", spec, rc, err);
	printf("%s open: %s, %u to %u bytes a copy, %u in flight, %s, %s container\n", d->e.name,
		((struct iol_nic *)d->e.priv)->model->name, d->e.caps.min_copy,
		d->e.caps.max_copy, d->e.caps.depth, d->e.caps.behind_iommu ? "behind the IOMMU" : "no IOMMU",
		d->container == RTE_VFIO_DEFAULT_CONTAINER_FD ? "DPDK's" : "a private");
	memset(&again, 0, sizeof(again));
	TEST_ASSERT_EQUAL(iol_nic_open(spec, d->container, &again, err, sizeof(err)), -EBUSY,
		"a second engine on %s", spec);
	TEST_ASSERT_STR_CONTAINS(err, "open already", "says why");
	if (d->container == RTE_VFIO_DEFAULT_CONTAINER_FD)
		return TEST_SUCCESS;
	/* DPDK maps its memory into its own container only. */
	mz[0] = d->src;
	mz[1] = d->dst;
	for (; d->mapped < 2; d->mapped++)
		TEST_ASSERT_SUCCESS(rte_vfio_container_dma_map(d->container, mz[d->mapped]->addr_64,
			mz[d->mapped]->iova, mz[d->mapped]->len), "DMA map into the private container");
	return TEST_SUCCESS;
}

/*
 * @p count copies of @p len bytes, at most SLOTS in flight, copy i from
 * source slot i % SLOTS to the same destination slot; with @p check each
 * copy's source is written first and its destination checked byte for
 * byte, the guard behind it too. Returns the copies that completed OK, or
 * -1 after a message.
 */
static int64_t
copies(struct dev *d, uint32_t len, unsigned int count, bool check)
{
	struct iol_dma_done done[32];
	uint64_t next = 0, back = 0, deadline;
	unsigned int k, i;
	uint16_t n;
	int rc;

	deadline = rte_get_timer_cycles() + LOST_S * rte_get_timer_hz();
	while (back < count) {
		for (i = 0; i < 16 && next < count && next - back < SLOTS; i++, next++) {
			k = next % SLOTS;
			if (check) {
				fill_src(slot_va(d->src, k), len, next);
				memset(slot_va(d->dst, k), CANARY, SLOT);
			}
			rc = iol_dma_enqueue(&d->e, slot_iova(d->src, k), slot_iova(d->dst, k), len, next);
			if (rc < 0) {
				printf("enqueue of copy %" PRIu64 " (%u bytes): %s\n", next, len, strerror(-rc));
				return -1;
			}
		}
		iol_dma_submit(&d->e);
		n = iol_dma_completed(&d->e, done, RTE_DIM(done));
		if (n > 0)
			deadline = rte_get_timer_cycles() + LOST_S * rte_get_timer_hz();
		else if (rte_get_timer_cycles() > deadline) {
			printf("lost: copies %" PRIu64 " to %" PRIu64 " of %u bytes never completed (%d s)\n",
				back, next - 1, len, LOST_S);
			return -1;
		}
		for (i = 0; i < n; i++, back++) {
			k = back % SLOTS;
			if (done[i].cookie != back || done[i].status != IOL_DMA_OK || done[i].len != len) {
				printf("copy %" PRIu64 " (%u bytes): completion of %" PRIu64 ", status %d, %u bytes\n",
					back, len, done[i].cookie, done[i].status, done[i].len);
				return -1;
			}
			if (!check)
				continue;
			fill_src(slot_va(d->src, k), len, back);
			if (memcmp(slot_va(d->dst, k), slot_va(d->src, k), len) != 0 ||
			    slot_va(d->dst, k)[len] != CANARY) {
				printf("copy %" PRIu64 " (%u bytes): the destination differs from the source\n", back, len);
				return -1;
			}
		}
	}
	return (int64_t)back;
}

static const uint32_t dev_sizes[] = { 60, 64, 65, 128, 512, 1024, 1514, 1515, 2048, 4096, 8192, 9014 };

/* A copy to a page of this process the IOMMU does not map (its IOVA as the
 * EAL would give it: the VA, or the PA in PA mode). The NIC's DMA write
 * must be blocked: the pages keep their bytes. *completed: the copy did.
 */
static int
blocked_write(struct dev *d, bool *completed)
{
	struct iol_dma_done done;
	uint64_t deadline;
	rte_iova_t bad;
	size_t i;

	memset(d->page, PAGE_BYTE, CANARY_PAGES * 4096);
	bad = rte_mem_virt2iova(d->page + 4096);
	TEST_ASSERT(bad != RTE_BAD_IOVA, "no IOVA for the canary page");
	fill_src(slot_va(d->src, 0), 256, 1);
	TEST_ASSERT_SUCCESS(iol_dma_enqueue(&d->e, slot_iova(d->src, 0), bad, 256, 1), "enqueue");
	iol_dma_submit(&d->e);
	*completed = false;
	deadline = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	while (rte_get_timer_cycles() < deadline && !*completed)
		*completed = iol_dma_completed(&d->e, &done, 1) == 1;
	printf("copy to the unmapped IOVA 0x%" PRIx64 ": %s\n", bad,
		!*completed ? "no completion in 2 s" : done.status == IOL_DMA_OK ?
		"completed, status OK (the NIC does not see the IOMMU refuse its write)" : "completed, status error");
	for (i = 0; i < CANARY_PAGES * 4096; i++)
		if (d->page[i] != PAGE_BYTE)
			break;
	TEST_ASSERT(i == CANARY_PAGES * 4096,
		"DMA ISOLATION BROKEN: byte %zu of the canary pages changed by a copy to IOVA 0x%" PRIx64, i, bad);
	printf("the canary pages are untouched\n");
	return TEST_SUCCESS;
}

/* What @p len bytes at @p p hold, for the report. */
static const char *
bytes_are(const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 1; i < len && p[i] == p[0]; i++)
		;
	if (i < len)
		return "mixed bytes";
	return p[0] == CANARY ? "the canary (untouched)" : p[0] == PAGE_BYTE ? "the unmapped page's bytes" :
		p[0] == 0 ? "zeros" : "one other byte";
}

/* A copy from a page of this process the IOMMU does not map: the NIC's
 * read must be blocked, none of the page's bytes may reach the
 * destination. Last of all: a frame that never comes back would leave the
 * engine waiting for it.
 */
static int
blocked_read(struct dev *d)
{
	struct iol_dma_done done;
	uint64_t deadline;
	bool completed = false;
	rte_iova_t bad;

	memset(d->page, PAGE_BYTE, CANARY_PAGES * 4096);
	bad = rte_mem_virt2iova(d->page);
	TEST_ASSERT(bad != RTE_BAD_IOVA, "no IOVA for the page");
	memset(slot_va(d->dst, 0), CANARY, SLOT);
	TEST_ASSERT_SUCCESS(iol_dma_enqueue(&d->e, bad, slot_iova(d->dst, 0), 256, 2), "enqueue");
	iol_dma_submit(&d->e);
	deadline = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	while (rte_get_timer_cycles() < deadline && !completed)
		completed = iol_dma_completed(&d->e, &done, 1) == 1;
	printf("copy from the unmapped IOVA 0x%" PRIx64 ": %s; the destination holds %s\n", bad,
		!completed ? "no completion in 2 s" : done.status == IOL_DMA_OK ? "completed, status OK" :
		"completed, status error", bytes_are(slot_va(d->dst, 0), 256));
	TEST_ASSERT(strcmp(bytes_are(slot_va(d->dst, 0), 256), "the unmapped page's bytes") != 0,
		"DMA ISOLATION BROKEN: a copy from IOVA 0x%" PRIx64 " (not mapped) read the page there", bad);
	return TEST_SUCCESS;
}

static int
nic_copy_autotest(void)
{
	struct dev d;
	unsigned int i;
	bool completed;
	int rc;

	rc = dev_open(&d);
	if (rc != TEST_SUCCESS) {
		dev_close(&d);
		return rc;
	}
	for (i = 0; i < RTE_DIM(dev_sizes); i++) {
		if (dev_sizes[i] > d.e.caps.max_copy)
			continue;
		if (copies(&d, dev_sizes[i], 160, true) != 160) {
			dev_close(&d);
			return TEST_FAILED;
		}
		printf("%4u bytes: 160 copies, every byte checked\n", dev_sizes[i]);
	}
	rc = blocked_write(&d, &completed);
	/* A copy that did complete left the rings paired: the engine must go on. */
	if (rc == TEST_SUCCESS && completed && copies(&d, 1514, 64, true) != 64)
		rc = TEST_FAILED;
	else if (rc == TEST_SUCCESS && completed)
		printf("1514 bytes: 64 copies after it, every byte checked\n");
	if (rc == TEST_SUCCESS)
		rc = blocked_read(&d);
	dev_close(&d);
	return rc;
}

REGISTER_EAL_TEST(nic_copy_autotest, nic_copy_autotest);

/* iol_nic_open() refuses, with the fix in its message: IOL_NIC_PROBED a NIC
 * the EAL gave a PMD (-a BDF), IOL_NIC_KERNEL a NIC on a kernel driver,
 * IOL_NIC_UNSUPPORTED a device of another model.
 */
static int
nic_refusal_autotest(void)
{
	static const struct { const char *var; int rc; const char *says; } cases[] = {
		{ "IOL_NIC_PROBED", -EBUSY, "start the EAL with -b " },
		{ "IOL_NIC_KERNEL", -ENODEV, "dpdk-devbind.py -b vfio-pci " },
		{ "IOL_NIC_UNSUPPORTED", -ENODEV, "not a NIC this back end drives" },
	};
	struct iol_dma_engine e;
	char spec[64], err[512];
	unsigned int i, ran = 0;
	const char *bdf;
	int rc;

	for (i = 0; i < RTE_DIM(cases); i++) {
		bdf = getenv(cases[i].var);
		if (bdf == NULL)
			continue;
		snprintf(spec, sizeof(spec), "nic:%s", bdf);
		memset(&e, 0, sizeof(e));
		err[0] = '\0';
		rc = iol_nic_open(spec, RTE_VFIO_DEFAULT_CONTAINER_FD, &e, err, sizeof(err));
		printf("%s=%s: %d: %s\n", cases[i].var, bdf, rc, err);
		if (rc == 0)
			e.ops->close(&e);
		TEST_ASSERT_EQUAL(rc, cases[i].rc, "%s refused", spec);
		TEST_ASSERT_STR_CONTAINS(err, cases[i].says, "the fix named");
		ran++;
	}
	if (ran == 0)
		TEST_SKIP("no device named: IOL_NIC_PROBED, IOL_NIC_KERNEL, IOL_NIC_UNSUPPORTED (the lab's nic cases)");
	return TEST_SUCCESS;
}

REGISTER_EAL_TEST(nic_refusal_autotest, nic_refusal_autotest);

/* Copies/s and GB/s of the engine against memcpy of the same buffers, in
 * the same run; reported, never asserted (the perf lab case).
 */
static int
nic_copy_perf(void)
{
	static const uint32_t perf_sizes[] = { 64, 128, 256, 512, 1024, 1514, 4096, 9014 };
	unsigned int i, j, count = 2048;
	uint64_t t0, t1, t2;
	double hz = (double)rte_get_tsc_hz(), nic_s, cpu_s;
	struct dev d;
	int rc;

	rc = dev_open(&d);
	if (rc != TEST_SUCCESS) {
		dev_close(&d);
		return rc;
	}
	printf("%-8s %12s %10s %14s %10s\n", "bytes", "nic copies/s", "nic GB/s", "memcpy copies/s", "memcpy GB/s");
	for (i = 0; i < RTE_DIM(perf_sizes); i++) {
		t0 = rte_rdtsc();
		if (copies(&d, perf_sizes[i], count, false) != count) {
			dev_close(&d);
			return TEST_FAILED;
		}
		t1 = rte_rdtsc();
		for (j = 0; j < count; j++)
			memcpy(slot_va(d.dst, j % SLOTS), slot_va(d.src, j % SLOTS), perf_sizes[i]);
		t2 = rte_rdtsc();
		nic_s = (double)(t1 - t0) / hz;
		cpu_s = (double)(t2 - t1) / hz;
		printf("%-8u %12.0f %10.4f %14.0f %10.3f\n", perf_sizes[i], count / nic_s,
			count * (double)perf_sizes[i] / nic_s / 1e9, count / cpu_s,
			count * (double)perf_sizes[i] / cpu_s / 1e9);
	}
	dev_close(&d);
	return TEST_SUCCESS;
}

REGISTER_EAL_TEST(nic_copy_perf, nic_copy_perf);
