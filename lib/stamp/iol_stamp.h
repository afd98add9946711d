/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_STAMP_H
#define IOL_STAMP_H

/**
 * @file
 * The iovaloop packet format: stamping a frame and verifying it on
 * reception, and the per-flow sequence window that tells lost,
 * duplicated, reordered and stale packets apart.
 *
 * A frame is a prefix (the encapsulation, enum iol_stamp_encap: an
 * Ethernet header of EtherType IOL_STAMP_ETHERTYPE, or Ethernet, IPv4 and
 * UDP), the iovaloop header below, then a payload whose every byte follows
 * from (run id, sequence number, offset), so a receiver in another process
 * or on another host needs nothing but the frame to verify it. All
 * iovaloop header fields are little-endian; the prefix is in network
 * order, as its protocols are.
 *
 * Nothing here touches an mbuf: the functions take a pointer and the
 * number of bytes that may be read, and never read past it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash_crc.h>

#ifdef __cplusplus
extern "C" {
#endif

/** IEEE 802 "local experimental" EtherType. */
#define IOL_STAMP_ETHERTYPE 0x88B5
/** Bytes "I2" (frame format 2): a data frame. */
#define IOL_STAMP_MAGIC 0x3249u
/** Bytes "E2": the end of a flow; its @c seq is the number of frames sent. */
#define IOL_STAMP_MAGIC_END 0x3245u
/** First four header bytes "IOL1" of a data frame of frame format 1. */
#define IOL_STAMP_FORMAT1_MAGIC 0x314c4f49u
/** First four header bytes "IOLE" of an end frame of frame format 1. */
#define IOL_STAMP_FORMAT1_MAGIC_END 0x454c4f49u
/** Destination port or queue that matches any receiver. */
#define IOL_STAMP_ANY 0xff
/** iol_stamp_info flag: write an end-of-flow frame (IOL_STAMP_MAGIC_END). */
#define IOL_STAMP_F_END 0x01
/** Size of the Ethernet header that starts every frame. */
#define IOL_STAMP_ETH_LEN 14
/** IPv4 header of a UDP frame: no options. */
#define IOL_STAMP_IPV4_LEN 20
#define IOL_STAMP_UDP_HDR_LEN 8
/** Longest prefix: Ethernet, IPv4 and UDP. */
#define IOL_STAMP_PREFIX_MAX (IOL_STAMP_ETH_LEN + IOL_STAMP_IPV4_LEN + IOL_STAMP_UDP_HDR_LEN)
/**
 * UDP destination port of every iovaloop UDP frame (0x88B5, the number of
 * the raw EtherType): how a receiver knows the datagram is iovaloop's.
 */
#define IOL_STAMP_UDP_PORT 0x88B5
/** TTL of a UDP frame: it never leaves the link. */
#define IOL_STAMP_IPV4_TTL 64
/** Header bytes the CRC covers: all before the CRC itself. */
#define IOL_STAMP_CRC_COVERED 38
/** Initial value of the header CRC (no final inversion). */
#define IOL_STAMP_CRC_INIT 0xffffffffu

/**
 * The header after the Ethernet header (frame format 2), 42 bytes, so that
 * a 64-byte frame carries exactly one payload word. Read as five
 * little-endian 64-bit words at offsets 0, 8, 16, 24 and 32, it is
 * w0 = magic | flow << 16 | run_id << 32, w1 = seq, w2 = tx_tsc,
 * w3 = tx_iova, w4 = len | ports << 16 in its low 48 bits (the high 16
 * bits are the low half of @c crc).
 */
struct iol_stamp_hdr {
	uint16_t magic;     /**< IOL_STAMP_MAGIC or IOL_STAMP_MAGIC_END */
	uint16_t flow;      /**< Flow the sequence numbers belong to. */
	uint32_t run_id;    /**< Sender's run; other runs are foreign. */
	uint64_t seq;       /**< Sequence number within the flow. */
	uint64_t tx_tsc;    /**< Sender's TSC when stamped. */
	uint64_t tx_iova;   /**< IOVA of the data the sender's NIC read. */
	uint16_t len;       /**< Frame length as sent, without FCS. */
	uint8_t src_port;   /**< Sending port. */
	uint8_t src_queue;  /**< Sending TX queue. */
	uint8_t dst_port;   /**< Expected receiving port, or IOL_STAMP_ANY. */
	uint8_t dst_queue;  /**< Expected RX queue, or IOL_STAMP_ANY. */
	uint32_t crc;       /**< iol_stamp_hdr_crc() of the 38 bytes above. */
} __rte_packed;

/**
 * Smallest raw frame: Ethernet and iovaloop headers. The payload code
 * (iol_stamp_payload_*(), struct iol_payload_ops) sees every frame laid
 * out as a raw one: payload word k at IOL_STAMP_MIN_LEN + 8k of the bytes
 * it is given. A frame with a longer prefix passes them its bytes from
 * iol_stamp_shift() on, so the payload is the same whatever carries it.
 */
#define IOL_STAMP_MIN_LEN (IOL_STAMP_ETH_LEN + sizeof(struct iol_stamp_hdr))

/* The fast path and the payload offsets are written for exactly this. */
_Static_assert(sizeof(struct iol_stamp_hdr) == 42, "header of frame format 2");
_Static_assert(offsetof(struct iol_stamp_hdr, crc) == IOL_STAMP_CRC_COVERED,
	"the CRC follows the bytes it covers");
_Static_assert(IOL_STAMP_MIN_LEN == 56, "a 64-byte frame holds one payload word");

/**
 * How a frame carries the iovaloop header (--frame). The receiver expects
 * one: a frame of the other is foreign, named as such.
 */
enum iol_stamp_encap {
	/** Ethernet, EtherType IOL_STAMP_ETHERTYPE: what any NIC sends. */
	IOL_ENCAP_RAW,
	/**
	 * Ethernet, IPv4 (no options, DF, header checksum, protocol 17) and
	 * UDP to IOL_STAMP_UDP_PORT with checksum 0 (legal over IPv4): RSS
	 * hashes its addresses and ports, tcpdump and Wireshark read it.
	 */
	IOL_ENCAP_UDP,
};

/** Where the iovaloop header starts in a frame of @p encap: its prefix's length. */
static inline uint32_t
iol_stamp_hdr_off(enum iol_stamp_encap encap)
{
	return encap == IOL_ENCAP_UDP ? IOL_STAMP_PREFIX_MAX : IOL_STAMP_ETH_LEN;
}

/** Smallest frame of @p encap: its prefix and the iovaloop header. */
static inline uint32_t
iol_stamp_min_len(enum iol_stamp_encap encap)
{
	return iol_stamp_hdr_off(encap) + (uint32_t)sizeof(struct iol_stamp_hdr);
}

/** Prefix bytes beyond a raw frame's: where the payload code's view starts. */
static inline uint32_t
iol_stamp_shift(enum iol_stamp_encap encap)
{
	return iol_stamp_hdr_off(encap) - IOL_STAMP_ETH_LEN;
}

/** The two ends of a frame, as its prefix names them (host byte order). */
struct iol_stamp_ends {
	uint8_t dst_mac[6], src_mac[6];
	uint32_t src_ip, dst_ip;    /**< UDP frames only */
	uint16_t src_port;          /**< UDP frames only; the destination is IOL_STAMP_UDP_PORT */
};

/**
 * A frame's prefix, the same on every frame a queue sends in a run (the
 * frame length is fixed): built once, copied in front of each header.
 */
struct iol_stamp_prefix {
	enum iol_stamp_encap encap;
	uint32_t len;               /**< iol_stamp_hdr_off(encap) */
	uint8_t bytes[IOL_STAMP_PREFIX_MAX];
};

/**
 * Build the prefix of @p len-byte frames (at least iol_stamp_min_len())
 * from @p ends: IPv4 total length, header checksum and UDP length follow
 * from @p len.
 */
void iol_stamp_prefix_build(struct iol_stamp_prefix *p, enum iol_stamp_encap encap,
		const struct iol_stamp_ends *ends, uint16_t len);

/** What the sender puts in a frame. */
struct iol_stamp_info {
	uint32_t run_id;
	uint64_t seq;
	uint64_t tx_tsc;
	uint64_t tx_iova;
	uint16_t flow;
	uint16_t len;
	uint8_t src_port, src_queue, dst_port, dst_queue;
	uint8_t flags;
};

/** How deeply the receiver looks. */
enum iol_verify_level {
	IOL_VERIFY_NONE,    /**< Count only. */
	IOL_VERIFY_HEADER,  /**< Header, sequence and buffer IOVA. */
	IOL_VERIFY_FULL,    /**< And every payload byte. */
};

/** Verdict of iol_stamp_check(). */
enum iol_stamp_class {
	IOL_STAMP_OK,
	/**
	 * Not an iovaloop frame of this run: EtherType, IPv4 and UDP (a
	 * frame of the other encapsulation is named as such), magic (frame
	 * format 1 is named as such), or a run id that passed the CRC.
	 */
	IOL_STAMP_FOREIGN,
	/** Shorter than the header, or than the length it was sent with. */
	IOL_STAMP_TRUNCATED,
	/**
	 * Header CRC (hdr_valid false: nothing in it can be trusted), or,
	 * after a good CRC, a length field below the header size, a frame
	 * longer than sent, an IPv4 header checksum, IPv4 or UDP length or
	 * UDP checksum other than sent, or payload bytes.
	 */
	IOL_STAMP_CORRUPTED,
	/** Ours, with a good CRC, but meant for another port/queue. */
	IOL_STAMP_MISDELIVERED,
};

/** What the receiver expects. */
struct iol_stamp_expect {
	uint32_t run_id;
	uint8_t rx_port;
	uint8_t rx_queue;
	enum iol_verify_level level;
	enum iol_stamp_encap encap;
};

/** Details of a verdict, for the error report. */
struct iol_stamp_result {
	enum iol_stamp_class cls;
	bool hdr_valid;            /**< The header passed its CRC: its sequence can be trusted. */
	bool end;                  /**< An end-of-flow frame (OK only). */
	struct iol_stamp_hdr hdr;  /**< Header as received (valid from FOREIGN on if magic matched). */
	const char *why;           /**< Short reason for a non-OK verdict. */
	uint32_t bad_offset;       /**< CORRUPTED payload: first differing byte (offset in the frame). */
	uint32_t bad_bytes;        /**< CORRUPTED payload: number of differing bytes. */
	uint8_t expected[8];       /**< Bytes expected from bad_offset on. */
	uint8_t seen[8];           /**< Bytes seen from bad_offset on. */
	uint8_t n_shown;           /**< Valid bytes in expected/seen. */
};

/**
 * Write a frame of @p info->len bytes at @p frame: the prefix @p p (built
 * for that length), the header and the payload. @p info->len must be at
 * least iol_stamp_min_len(p->encap).
 */
void iol_stamp_write(uint8_t *frame, const struct iol_stamp_prefix *p,
		const struct iol_stamp_info *info);

/**
 * Rewrite only the header of a frame of @p encap already written with the
 * same run id and length, and the payload for the new sequence number.
 * Used to send a received frame again without touching its prefix.
 */
void iol_stamp_restamp(uint8_t *frame, enum iol_stamp_encap encap,
		const struct iol_stamp_info *info);

/**
 * Verify a received frame of @p len readable bytes.
 *
 * At IOL_VERIFY_NONE nothing is read and the result is OK. The result
 * classifies the frame; sequence checks are left to iol_seq_update(), for
 * frames with @c hdr_valid only: a header that fails its CRC says nothing
 * about its sequence number.
 */
void iol_stamp_check(const uint8_t *frame, uint32_t len,
		const struct iol_stamp_expect *exp, struct iol_stamp_result *res);

/** The header CRC's state after word 0 (see iol_stamp_hdr_crc()). */
static inline uint32_t
iol_stamp_hdr_crc_w0(uint64_t w0)
{
	return rte_hash_crc_8byte(rte_le_to_cpu_64(w0), IOL_STAMP_CRC_INIT);
}

/**
 * The header CRC from @p c, the CRC after word 0 (iol_stamp_hdr_crc_w0()):
 * a sender or receiver whose word 0 never changes computes that once.
 */
static inline uint32_t
iol_stamp_hdr_crc_rest(uint32_t c, const uint64_t w[5])
{
	uint64_t w4 = rte_le_to_cpu_64(w[4]);

	c = rte_hash_crc_8byte(rte_le_to_cpu_64(w[1]), c);
	c = rte_hash_crc_8byte(rte_le_to_cpu_64(w[2]), c);
	c = rte_hash_crc_8byte(rte_le_to_cpu_64(w[3]), c);
	c = rte_hash_crc_4byte((uint32_t)w4, c);
	return rte_hash_crc_2byte((uint16_t)(w4 >> 32), c);
}

/**
 * CRC32C (Castagnoli) of a header, DPDK's rte_hash_crc() of its first
 * IOL_STAMP_CRC_COVERED bytes from IOL_STAMP_CRC_INIT: hardware CRC on
 * x86 (SSE4.2) and arm64, six CRC instructions. Unlike a check word that
 * folds with XOR, it sees every error of up to 5 bits and every burst up
 * to 32 bits in the 42 header bytes.
 *
 * @param w
 *   The header's five 64-bit words as they lie in the frame (little-endian,
 *   at header offsets 0, 8, 16, 24 and 32); only the low 48 bits of w[4]
 *   are covered, its high 16 bits being part of the CRC itself.
 * @return
 *   The CRC, to compare with the little-endian 32-bit @c crc at header
 *   offset 38.
 */
static inline uint32_t
iol_stamp_hdr_crc(const uint64_t w[5])
{
	return iol_stamp_hdr_crc_rest(iol_stamp_hdr_crc_w0(w[0]), w);
}

#define IOL_STAMP_GOLDEN 0x9e3779b97f4a7c15ull

/**
 * Seed of the payload of (@p run_id, @p seq): payload word k (8 bytes
 * from frame offset IOL_STAMP_MIN_LEN + 8k, little-endian) is
 * seed + k * IOL_STAMP_GOLDEN. One multiply: the hot loop writes and
 * checks a payload on every frame.
 */
static inline uint64_t
iol_stamp_payload_seed(uint32_t run_id, uint64_t seq)
{
	uint64_t z = ((((uint64_t)run_id << 32) ^ seq) + 1) * IOL_STAMP_GOLDEN;

	return z ^ (z >> 29);
}

/** Write the payload of (@p run_id, @p seq) into a frame of @p len bytes. */
static inline void
iol_stamp_payload_write(uint8_t *frame, uint32_t run_id, uint64_t seq, uint32_t len)
{
	uint64_t seed = iol_stamp_payload_seed(run_id, seq), w;
	uint32_t off = IOL_STAMP_MIN_LEN, k = 0;

	for (; off + 8 <= len; off += 8, k++) {
		w = rte_cpu_to_le_64(seed + k * IOL_STAMP_GOLDEN);
		memcpy(frame + off, &w, 8);
	}
	for (w = seed + k * IOL_STAMP_GOLDEN; off < len; off++, w >>= 8)
		frame[off] = (uint8_t)w;
}

/** True when the payload of a frame of @p len bytes is that of (@p run_id, @p seq). */
static inline bool
iol_stamp_payload_intact(const uint8_t *frame, uint32_t len, uint32_t run_id, uint64_t seq)
{
	uint64_t seed = iol_stamp_payload_seed(run_id, seq), w, got;
	uint32_t off = IOL_STAMP_MIN_LEN, k = 0;

	for (; off + 8 <= len; off += 8, k++) {
		memcpy(&got, frame + off, 8);
		if (rte_le_to_cpu_64(got) != seed + k * IOL_STAMP_GOLDEN)
			return false;
	}
	for (w = seed + k * IOL_STAMP_GOLDEN; off < len; off++, w >>= 8)
		if (frame[off] != (uint8_t)w)
			return false;
	return true;
}

/**
 * One implementation of the hot loop's payload work: scalar, or SIMD
 * chosen at start-up from the CPU's flags (lib/stamp/iol_payload.c). Each
 * gives frames byte-identical to the scalar oracle above and reads and
 * writes nothing past @p len.
 */
struct iol_payload_ops {
	const char *name;           /**< "scalar", "sse4.1", "avx2", "avx512" */
	unsigned int simd_bits;     /**< Vector width; 0 for scalar. */
	/** True when the payload of a frame of @p len bytes is the one of @p seed. */
	bool (*intact)(const uint8_t *frame, uint32_t len, uint64_t seed);
	/**
	 * Check the payload against @p seed_rx and rewrite it as @p seed_tx's,
	 * in one pass. True when it was intact; when not, the frame is left
	 * exactly as it arrived (for the slow path's report).
	 */
	bool (*restamp)(uint8_t *frame, uint32_t len, uint64_t seed_rx, uint64_t seed_tx);
	/** Write the payload of @p seed. */
	void (*write)(uint8_t *frame, uint32_t len, uint64_t seed);
	/** The CPU runs it. */
	bool (*usable)(void);
};

/**
 * The loop's payload pass: @p ops->restamp(), but a payload of one word
 * (a 64-byte frame) inline, where the call and the vector set-up cost
 * more than the word (bench/payload_ref: 21 cycles a call for it).
 */
static inline bool
iol_payload_restamp(const struct iol_payload_ops *ops, uint8_t *frame, uint32_t len,
		uint64_t seed_rx, uint64_t seed_tx)
{
	uint64_t w;

	if (len != IOL_STAMP_MIN_LEN + 8)
		return ops->restamp(frame, len, seed_rx, seed_tx);
	memcpy(&w, frame + IOL_STAMP_MIN_LEN, 8);
	if (rte_le_to_cpu_64(w) != seed_rx)
		return false;
	w = rte_cpu_to_le_64(seed_tx);
	memcpy(frame + IOL_STAMP_MIN_LEN, &w, 8);
	return true;
}

/** Every variant built in, widest first (some may not run on this CPU). */
const struct iol_payload_ops *iol_payload_variants(unsigned int *n);

/**
 * The widest variant the CPU runs within DPDK's SIMD limit
 * (rte_vect_get_max_simd_bitwidth(): the EAL's --force-max-simd-bitwidth).
 */
const struct iol_payload_ops *iol_payload_best(void);

/** The payload byte at frame offset @p off (for reports and tests). */
uint8_t iol_stamp_payload_byte(uint32_t run_id, uint64_t seq, uint32_t off);

/** Name of a class, e.g. "corrupted". */
const char *iol_stamp_class_name(enum iol_stamp_class cls);

/** Width of the sequence window, in packets (a power of two). */
#define IOL_SEQ_WINDOW 4096
/**
 * Runs of lost numbers a flow remembers below its window, one range each.
 * When one more is needed, the oldest is forgotten and the horizon moves
 * up past it: from then on its numbers are stale.
 */
#define IOL_SEQ_LOST_RANGES 16
/** How far behind @c next the history of a flow reaches at most: 2^63 - 1. */
#define IOL_SEQ_HISTORY_MAX (UINT64_MAX >> 1)

_Static_assert((IOL_SEQ_WINDOW & (IOL_SEQ_WINDOW - 1)) == 0 && IOL_SEQ_WINDOW >= 64,
	"whole 64-bit words of window");

/** Sequence numbers lo, lo + 1, ..., hi - 1 (modulo 2^64). */
struct iol_seq_range {
	uint64_t lo;
	uint64_t hi;
};

/**
 * Receiver state of one flow.
 *
 * Sequence numbers are compared modulo 2^64 (serial number arithmetic, as
 * in RFC 1982): @c seq is ahead of @c next when (seq - next) mod 2^64 is
 * below 2^63 and behind it otherwise, so a flow may run from 2^64 - 1 on
 * to 0. What the flow knows of a number n, from the oldest on:
 *
 * - behind @c horizon: nothing; n is IOL_SEQ_STALE;
 * - from @c horizon up to the window: n arrived, unless it lies in one of
 *   @c lost_ranges (it was counted lost);
 * - the window, the @c span numbers below @c next: bit n % IOL_SEQ_WINDOW
 *   of @c window is set if n arrived, and every other bit is clear; a
 *   number still missing when it leaves the window is lost;
 * - @c next and ahead: not received yet.
 *
 * A fast path may take the number @c next by incrementing @c next alone
 * when the window bit of @c next is set: that bit then belongs to
 * next - IOL_SEQ_WINDOW, which arrived, so nothing is lost and the bit
 * stays set for the new number. Anything else goes to iol_seq_update().
 *
 * Counters saturate at UINT64_MAX; a saturated @c lost stays saturated.
 */
struct iol_seq {
	uint64_t next;          /**< One past the newest number received. */
	uint64_t horizon;       /**< Oldest number whose history is known. */
	uint32_t span;          /**< Numbers the window holds, up to IOL_SEQ_WINDOW. */
	uint32_t n_lost_ranges; /**< Entries of @c lost_ranges in use. */
	bool started;           /**< First number known: given, or first packet. */
	uint64_t lost;          /**< Counted lost, less those that came after all. */
	uint64_t duplicated;    /**< IOL_SEQ_DUPLICATE verdicts. */
	uint64_t reordered;     /**< IOL_SEQ_LATE and IOL_SEQ_RECOVERED verdicts. */
	uint64_t stale;         /**< IOL_SEQ_STALE verdicts. */
	/** Numbers counted lost behind the window, oldest first, never adjacent. */
	struct iol_seq_range lost_ranges[IOL_SEQ_LOST_RANGES];
	uint64_t window[IOL_SEQ_WINDOW / 64];
};

/** What iol_seq_update() made of a sequence number. */
enum iol_seq_verdict {
	/**
	 * @c next, or ahead of it by at most max_ahead: the numbers skipped
	 * are holes, lost if still missing when they leave the window.
	 */
	IOL_SEQ_IN_ORDER,
	/** Behind, filled a hole of the window: reordered. */
	IOL_SEQ_LATE,
	/**
	 * Behind the window, and counted lost: it was only late. Lost goes
	 * down by one, reordered up by one. (Apart from IOL_SEQ_LATE because
	 * the caller wrote the frame off already when it was counted lost.)
	 */
	IOL_SEQ_RECOVERED,
	/** Behind, and known to have arrived before: duplicated. */
	IOL_SEQ_DUPLICATE,
	/**
	 * Behind the horizon: older than the flow's first number, or than the
	 * history kept (IOL_SEQ_LOST_RANGES, IOL_SEQ_HISTORY_MAX). Whether it
	 * is a duplicate or was lost cannot be told, so it is neither: it is
	 * counted in @c stale alone.
	 */
	IOL_SEQ_STALE,
	/**
	 * Ahead of @c next by more than max_ahead: not believed (a damaged or
	 * forged number would otherwise write off the whole flow). Nothing is
	 * changed; the caller counts the frame as corrupted.
	 */
	IOL_SEQ_IMPLAUSIBLE,
};

/**
 * Start tracking a flow. With @p first_known the first sequence number is
 * @p first (the sender is known to start there, numbers behind it are
 * stale); otherwise the first packet received sets it.
 */
void iol_seq_init(struct iol_seq *s, bool first_known, uint64_t first);

/**
 * Account sequence number @p seq. Takes at most IOL_SEQ_WINDOW steps,
 * however far @p seq is from the numbers before.
 *
 * @param max_ahead
 *   Largest jump ahead of @c next believed; UINT64_MAX for no bound.
 * @param newly_lost
 *   Incremented (saturating) by the number of packets this update
 *   confirmed lost.
 */
enum iol_seq_verdict iol_seq_update(struct iol_seq *s, uint64_t seq,
		uint64_t max_ahead, uint64_t *newly_lost);

/**
 * End of a flow: the sender has sent every sequence number behind
 * @p sent_next. The holes of the window and the numbers from @c next up
 * to @p sent_next are counted lost and recorded in the history (as far as
 * IOL_SEQ_LOST_RANGES holds, the horizon moving up beyond that); the
 * window is emptied and @c next becomes @p sent_next, so a second end
 * frame with the same count finds nothing. Takes at most IOL_SEQ_WINDOW
 * steps.
 *
 * A flow that never started (no first number given, nothing received)
 * has nothing to judge: it starts at @p sent_next, nothing is counted
 * lost, and anything behind it is stale from then on.
 *
 * @param max_ahead
 *   Largest count ahead of @c next believed; UINT64_MAX for no bound.
 * @param newly_lost
 *   Incremented (saturating) by the number of packets confirmed lost.
 * @return
 *   0; or -1, with nothing changed, when @p sent_next is behind @c next
 *   (fewer sent than received: a count that cannot be true) or ahead of
 *   it by more than @p max_ahead. The caller counts a refused end frame
 *   as corrupted.
 */
int iol_seq_flush(struct iol_seq *s, uint64_t sent_next, uint64_t max_ahead,
		uint64_t *newly_lost);

#ifdef __cplusplus
}
#endif

#endif /* IOL_STAMP_H */
