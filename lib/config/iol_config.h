/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_CONFIG_H
#define IOL_CONFIG_H

/**
 * @file
 * iovaloop's own options (those after "--"), parsed and checked before
 * any device is touched. Every rejection is one line that names the
 * option and what it accepts.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iol_stamp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IOL_MAX_BURST 512
#define IOL_MAX_QUEUES 16
#define IOL_MAX_PORTS 32
#define IOL_MAX_FAULTS 8
/** Largest frame: a jumbo frame of 9000 bytes (a device's max MTU may cap it lower). */
#define IOL_MAX_PKT_SIZE 9000
/** Frame bytes an mbuf holds unless --mbuf-size says otherwise (DPDK's default data room). */
#define IOL_DEFAULT_MBUF_SIZE 2048
/**
 * Room a NIC's RX buffer may need beyond the frame (FCS, two VLAN tags: igb
 * wants 28 bytes); NICs size RX buffers in 1 KiB steps, rounding down.
 */
#define IOL_MBUF_SLACK 32
#define IOL_MBUF_ALIGN 1024
/** Largest --mbuf-size: a pool's data room (headroom included) is 16 bits. */
#define IOL_MAX_MBUF_SIZE (UINT16_MAX - RTE_PKTMBUF_HEADROOM)

enum iol_mode { IOL_MODE_LOOP, IOL_MODE_TXONLY, IOL_MODE_RXONLY, IOL_MODE_DMA, IOL_MODE_PROBE };
enum iol_mem_kind { IOL_MEM_DPDK, IOL_MEM_XMEM };

/**
 * A test-only fault, applied to the frame with sequence number @p at sent
 * on the first port's queue 0 (loop and txonly; rxonly sends nothing).
 * iol_config_parse() accepts only faults that apply exactly as written
 * here: one fault a frame, no fault at N+1 after a swap at N, corrupt
 * only with a payload byte (--pkt-size >= IOL_FAULT_CORRUPT_MIN_LEN), no
 * fault with --verify none in the loop. Each fault gives exactly one error
 * in the report (corrupt: with --verify full; --verify header does not
 * read the payload).
 */
struct iol_fault {
	enum iol_fault_kind {
		IOL_FAULT_CORRUPT,  /**< Flip bit 0x40 of the frame's last byte (a payload byte): one corrupted. */
		IOL_FAULT_DROP,     /**< Do not send it; it is still counted sent: one lost. */
		IOL_FAULT_DUP,      /**< Send it, then a copy right after it: one duplicated. */
		IOL_FAULT_SWAP,     /**< Hold it and send it right after frame N+1: one reordered. */
	} kind;
	uint64_t at;
};

/** Largest --copy-size of the dma mode. */
#define IOL_MAX_COPY_SIZE (64u << 10)

/** Smallest --pkt-size a corrupt fault needs with raw frames: one payload byte to flip. */
#define IOL_FAULT_CORRUPT_MIN_LEN (IOL_STAMP_MIN_LEN + 1)

struct iol_config {
	enum iol_mode mode;
	enum iol_verify_level verify;
	uint32_t inflight;          /**< Frames circulating per queue pair. */
	uint16_t burst;
	uint16_t pkt_size;          /**< Frame length without FCS. */
	/**
	 * --frame; not given: udp with --queues above 1 (RSS can spread
	 * it), raw with one queue (64-byte frames fit).
	 */
	enum iol_stamp_encap frame;
	/**
	 * Frame bytes one mbuf holds (its data room after the headroom):
	 * --mbuf-size, or (parsed without it) IOL_DEFAULT_MBUF_SIZE, or when
	 * larger --pkt-size + IOL_MBUF_SLACK rounded up to IOL_MBUF_ALIGN: by
	 * default a frame is one segment, on a NIC too.
	 */
	uint16_t mbuf_size;
	uint16_t queues;
	uint16_t rxd, txd;
	double duration;            /**< Seconds; 0 runs until a signal. */
	double stats_period;        /**< Seconds; 0 disables the live line. */
	uint32_t loss_timeout_ms;   /**< Silence after which in-flight frames are lost. */
	double link_timeout;        /**< Seconds to wait for link up. */
	const char *json_path;
	uint32_t run_id;            /**< 0: random (rxonly: learnt from the first frame). */
	uint64_t tx_rate;           /**< txonly: frames per second per queue; 0 unpaced. */
	uint16_t ports[IOL_MAX_PORTS];
	unsigned int n_ports;       /**< 0: every port there is. */

	enum iol_mem_kind mem;
	uint64_t xmem_size;
	uint64_t page_size;
	uint64_t iova_base;         /**< Meaningful when iova_base_set. */
	bool iova_base_set;
	bool allow_noiommu;

	const char *probe_peer;     /**< --probe-peer: the other container's device, NULL none. */

	bool test_no_dma_map;       /**< Test only: register xmem, map nothing. */

	const char *dma;            /**< dma and probe modes: the engine (--dma). */
	uint32_t copy_size;         /**< dma mode: bytes a copy (--copy-size). */

	struct iol_fault faults[IOL_MAX_FAULTS];
	unsigned int n_faults;
};

/** Segments (mbufs) one frame of @p cfg spans. */
static inline unsigned int
iol_config_segs(const struct iol_config *cfg)
{
	return ((unsigned int)cfg->pkt_size + cfg->mbuf_size - 1) / cfg->mbuf_size;
}

/** Fill @p cfg with the defaults. */
void iol_config_defaults(struct iol_config *cfg);

/**
 * Parse the options after "--". argv[0] is the program name.
 *
 * @return 0 on success, 1 if help was asked for (usage printed to
 *   stdout), -1 on a bad option with the reason in @p err.
 */
int iol_config_parse(struct iol_config *cfg, int argc, char **argv,
		char *err, size_t errlen);

/** Print the options. */
void iol_config_usage(FILE *out, const char *prog);

/** What a port can do, for iol_config_check_ports(). */
struct iol_port_caps {
	uint16_t max_rx_queues;
	uint16_t max_tx_queues;
	uint64_t rss_offloads;      /**< Flow types the device can hash (0: no RSS). */
	bool is_virtual;            /**< A vdev (ring, af_packet): queue q's frames reach queue q. */
	uint16_t max_frame;         /**< Largest frame without FCS: max MTU and max RX length. */
	uint16_t max_mtu;           /**< The device's largest MTU, L3 bytes. */
	uint32_t max_rx_pktlen;     /**< Its largest frame received, FCS included. */
	uint16_t max_segs;          /**< Segments a frame may span (TX and RX descriptor limits). */
	bool tx_multi_segs;         /**< RTE_ETH_TX_OFFLOAD_MULTI_SEGS offered. */
	bool rx_scatter;            /**< RTE_ETH_RX_OFFLOAD_SCATTER offered. */
	uint16_t rx_desc_max, tx_desc_max;
	uint16_t rx_desc_min, tx_desc_min;
};

/**
 * Check the options against the ports that will be used (in order), once
 * the devices are known and before any is configured.
 *
 * @return 0, or -1 with the reason in @p err.
 */
int iol_config_check_ports(const struct iol_config *cfg,
		const struct iol_port_caps *caps, unsigned int n_ports,
		char *err, size_t errlen);

/** Parse a size such as 4096, 64K, 2M or 1G. @return 0 or -1. */
int iol_parse_size(const char *s, uint64_t *out);

/** Names as the options write them ("loop", "full", "xmem", "swap", "udp"); "?" out of range. */
const char *iol_mode_name(enum iol_mode m);
const char *iol_frame_name(enum iol_stamp_encap f);
const char *iol_verify_name(enum iol_verify_level v);
const char *iol_mem_name(enum iol_mem_kind m);
const char *iol_fault_kind_name(enum iol_fault_kind k);

#ifdef __cplusplus
}
#endif

#endif /* IOL_CONFIG_H */
