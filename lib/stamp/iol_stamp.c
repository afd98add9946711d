/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_branch_prediction.h>

#include "iol_stamp.h"

/* Frames shorter than this are padded by the sender's NIC. */
#define MIN_WIRE_LEN 60

uint8_t
iol_stamp_payload_byte(uint32_t run_id, uint64_t seq, uint32_t off)
{
	uint32_t p = off - IOL_STAMP_MIN_LEN;
	uint64_t w = iol_stamp_payload_seed(run_id, seq) + (p / 8) * IOL_STAMP_GOLDEN;

	return (uint8_t)(w >> (8 * (p % 8)));
}

/* Check word of a header as it lies in the frame (little-endian). */
static uint16_t
hdr_check(const struct iol_stamp_hdr *h)
{
	uint64_t w[5];

	memcpy(w, h, sizeof(w));
	return rte_cpu_to_le_16(iol_stamp_check_word(w));
}

void
iol_stamp_restamp(uint8_t *frame, const struct iol_stamp_info *info)
{
	struct iol_stamp_hdr h = {
		.magic = rte_cpu_to_le_32(info->flags & IOL_STAMP_F_END ?
			IOL_STAMP_MAGIC_END : IOL_STAMP_MAGIC),
		.run_id = rte_cpu_to_le_32(info->run_id),
		.seq = rte_cpu_to_le_64(info->seq),
		.tx_tsc = rte_cpu_to_le_64(info->tx_tsc),
		.tx_iova = rte_cpu_to_le_64(info->tx_iova),
		.flow = rte_cpu_to_le_16(info->flow),
		.len = rte_cpu_to_le_16(info->len),
		.src_port = info->src_port,
		.src_queue = info->src_queue,
		.dst_port = info->dst_port,
		.dst_queue = info->dst_queue,
	};

	h.check = hdr_check(&h);
	memcpy(frame + IOL_STAMP_ETH_LEN, &h, sizeof(h));
	iol_stamp_payload_write(frame, info->run_id, info->seq, info->len);
}

void
iol_stamp_write(uint8_t *frame, const uint8_t *dst_mac,
		const uint8_t *src_mac, const struct iol_stamp_info *info)
{
	uint16_t type = rte_cpu_to_be_16(IOL_STAMP_ETHERTYPE);

	memcpy(frame, dst_mac, 6);
	memcpy(frame + 6, src_mac, 6);
	memcpy(frame + 12, &type, 2);
	iol_stamp_restamp(frame, info);
}

static void
hdr_from_le(struct iol_stamp_hdr *h)
{
	h->magic = rte_le_to_cpu_32(h->magic);
	h->run_id = rte_le_to_cpu_32(h->run_id);
	h->seq = rte_le_to_cpu_64(h->seq);
	h->tx_tsc = rte_le_to_cpu_64(h->tx_tsc);
	h->tx_iova = rte_le_to_cpu_64(h->tx_iova);
	h->flow = rte_le_to_cpu_16(h->flow);
	h->len = rte_le_to_cpu_16(h->len);
}

/* Slow path, once a payload word differed: find which bytes. */
static void
describe_payload_damage(const uint8_t *frame, uint32_t len,
		const struct iol_stamp_hdr *h, struct iol_stamp_result *res)
{
	uint32_t off;
	uint8_t want;

	res->bad_bytes = 0;
	res->n_shown = 0;
	for (off = IOL_STAMP_MIN_LEN; off < len; off++) {
		want = iol_stamp_payload_byte(h->run_id, h->seq, off);
		if (frame[off] == want)
			continue;
		if (res->bad_bytes++ == 0)
			res->bad_offset = off;
	}
	for (off = res->bad_offset; off < len && res->n_shown < 8; off++) {
		res->expected[res->n_shown] =
			iol_stamp_payload_byte(h->run_id, h->seq, off);
		res->seen[res->n_shown++] = frame[off];
	}
}

static inline void
verdict(struct iol_stamp_result *res, enum iol_stamp_class cls, const char *why)
{
	res->cls = cls;
	res->why = why;
}

void
iol_stamp_check(const uint8_t *frame, uint32_t len,
		const struct iol_stamp_expect *exp, struct iol_stamp_result *res)
{
	struct iol_stamp_hdr *h = &res->hdr;
	uint16_t type;
	uint32_t magic;

	verdict(res, IOL_STAMP_OK, NULL);
	res->hdr_valid = false;
	res->end = false;
	if (exp->level == IOL_VERIFY_NONE)
		return;

	memset(h, 0, sizeof(*h));
	if (unlikely(len < IOL_STAMP_ETH_LEN + sizeof(magic)))
		return verdict(res, IOL_STAMP_FOREIGN, "too short for an iovaloop frame");
	memcpy(&type, frame + 12, 2);
	memcpy(&magic, frame + IOL_STAMP_ETH_LEN, sizeof(magic));
	if (unlikely(type != rte_cpu_to_be_16(IOL_STAMP_ETHERTYPE)))
		return verdict(res, IOL_STAMP_FOREIGN, "not the iovaloop EtherType");
	res->end = magic == rte_cpu_to_le_32(IOL_STAMP_MAGIC_END);
	if (unlikely(magic != rte_cpu_to_le_32(IOL_STAMP_MAGIC) && !res->end))
		return verdict(res, IOL_STAMP_FOREIGN, "bad magic");
	if (unlikely(len < IOL_STAMP_MIN_LEN)) {
		memcpy(h, frame + IOL_STAMP_ETH_LEN, len - IOL_STAMP_ETH_LEN);
		hdr_from_le(h);
		return verdict(res, IOL_STAMP_TRUNCATED, "shorter than the header");
	}

	memcpy(h, frame + IOL_STAMP_ETH_LEN, sizeof(*h));
	if (unlikely(hdr_check(h) != h->check)) {
		hdr_from_le(h);
		return verdict(res, IOL_STAMP_CORRUPTED, "header checksum");
	}
	hdr_from_le(h);
	res->hdr_valid = true;
	if (unlikely(exp->run_id != 0 && h->run_id != exp->run_id))
		return verdict(res, IOL_STAMP_FOREIGN, "another run");
	if (unlikely(h->len < IOL_STAMP_MIN_LEN))
		return verdict(res, IOL_STAMP_CORRUPTED, "length field below the header size");
	if (unlikely(len < h->len))
		return verdict(res, IOL_STAMP_TRUNCATED, "shorter than sent");
	if (unlikely(len > h->len && (h->len >= MIN_WIRE_LEN || len > MIN_WIRE_LEN)))
		return verdict(res, IOL_STAMP_CORRUPTED, "longer than sent");
	if (unlikely((h->dst_port != IOL_STAMP_ANY && h->dst_port != exp->rx_port) ||
		     (h->dst_queue != IOL_STAMP_ANY && h->dst_queue != exp->rx_queue)))
		return verdict(res, IOL_STAMP_MISDELIVERED, "meant for another port or queue");
	if (exp->level == IOL_VERIFY_FULL &&
	    unlikely(!iol_stamp_payload_intact(frame, h->len, h->run_id, h->seq))) {
		describe_payload_damage(frame, h->len, h, res);
		return verdict(res, IOL_STAMP_CORRUPTED, "payload");
	}
}

const char *
iol_stamp_class_name(enum iol_stamp_class cls)
{
	switch (cls) {
	case IOL_STAMP_OK: return "ok";
	case IOL_STAMP_FOREIGN: return "foreign";
	case IOL_STAMP_TRUNCATED: return "truncated";
	case IOL_STAMP_CORRUPTED: return "corrupted";
	case IOL_STAMP_MISDELIVERED: return "misdelivered";
	}
	return "?";
}
