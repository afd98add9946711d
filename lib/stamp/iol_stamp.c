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

/* CRC of a header as it lies in the frame (little-endian). */
static uint32_t
hdr_crc(const struct iol_stamp_hdr *h)
{
	uint64_t w[5];

	memcpy(w, h, sizeof(w));
	return rte_cpu_to_le_32(iol_stamp_hdr_crc(w));
}

void
iol_stamp_restamp(uint8_t *frame, const struct iol_stamp_info *info)
{
	struct iol_stamp_hdr h = {
		.magic = rte_cpu_to_le_16(info->flags & IOL_STAMP_F_END ?
			IOL_STAMP_MAGIC_END : IOL_STAMP_MAGIC),
		.flow = rte_cpu_to_le_16(info->flow),
		.run_id = rte_cpu_to_le_32(info->run_id),
		.seq = rte_cpu_to_le_64(info->seq),
		.tx_tsc = rte_cpu_to_le_64(info->tx_tsc),
		.tx_iova = rte_cpu_to_le_64(info->tx_iova),
		.len = rte_cpu_to_le_16(info->len),
		.src_port = info->src_port,
		.src_queue = info->src_queue,
		.dst_port = info->dst_port,
		.dst_queue = info->dst_queue,
	};

	h.crc = hdr_crc(&h);
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
	h->magic = rte_le_to_cpu_16(h->magic);
	h->flow = rte_le_to_cpu_16(h->flow);
	h->run_id = rte_le_to_cpu_32(h->run_id);
	h->seq = rte_le_to_cpu_64(h->seq);
	h->tx_tsc = rte_le_to_cpu_64(h->tx_tsc);
	h->tx_iova = rte_le_to_cpu_64(h->tx_iova);
	h->len = rte_le_to_cpu_16(h->len);
	h->crc = rte_le_to_cpu_32(h->crc);
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

/* The class of a frame, with its reason in res->why. */
static enum iol_stamp_class
classify(const uint8_t *frame, uint32_t len, const struct iol_stamp_expect *exp,
		struct iol_stamp_result *res)
{
	struct iol_stamp_hdr *h = &res->hdr;
	uint16_t type, magic;
	uint32_t format1;

	memset(h, 0, sizeof(*h));
	if (unlikely(len < IOL_STAMP_ETH_LEN + sizeof(magic))) {
		res->why = "too short for an iovaloop frame";
		return IOL_STAMP_FOREIGN;
	}
	memcpy(&type, frame + 12, 2);
	if (unlikely(type != rte_cpu_to_be_16(IOL_STAMP_ETHERTYPE))) {
		res->why = "not the iovaloop EtherType";
		return IOL_STAMP_FOREIGN;
	}
	memcpy(&magic, frame + IOL_STAMP_ETH_LEN, sizeof(magic));
	res->end = magic == rte_cpu_to_le_16(IOL_STAMP_MAGIC_END);
	if (unlikely(magic != rte_cpu_to_le_16(IOL_STAMP_MAGIC) && !res->end)) {
		if (len >= IOL_STAMP_ETH_LEN + sizeof(format1)) {
			memcpy(&format1, frame + IOL_STAMP_ETH_LEN, sizeof(format1));
			format1 = rte_le_to_cpu_32(format1);
			if (format1 == IOL_STAMP_FORMAT1_MAGIC ||
			    format1 == IOL_STAMP_FORMAT1_MAGIC_END) {
				res->why = "a frame of iovaloop frame format 1 (an older iovaloop)";
				return IOL_STAMP_FOREIGN;
			}
		}
		res->why = "bad magic";
		return IOL_STAMP_FOREIGN;
	}
	if (unlikely(len < IOL_STAMP_MIN_LEN)) {
		memcpy(h, frame + IOL_STAMP_ETH_LEN, len - IOL_STAMP_ETH_LEN);
		hdr_from_le(h);
		res->why = "shorter than the header";
		return IOL_STAMP_TRUNCATED;
	}

	memcpy(h, frame + IOL_STAMP_ETH_LEN, sizeof(*h));
	res->hdr_valid = hdr_crc(h) == h->crc;
	hdr_from_le(h);
	if (unlikely(!res->hdr_valid)) {
		res->why = "header CRC";
		return IOL_STAMP_CORRUPTED;
	}
	if (unlikely(exp->run_id != 0 && h->run_id != exp->run_id)) {
		res->why = "another run";
		return IOL_STAMP_FOREIGN;
	}
	if (unlikely(h->len < IOL_STAMP_MIN_LEN)) {
		res->why = "length field below the header size";
		return IOL_STAMP_CORRUPTED;
	}
	if (unlikely(len < h->len)) {
		res->why = "shorter than sent";
		return IOL_STAMP_TRUNCATED;
	}
	if (unlikely(len > h->len && (h->len >= MIN_WIRE_LEN || len > MIN_WIRE_LEN))) {
		res->why = "longer than sent";
		return IOL_STAMP_CORRUPTED;
	}
	if (unlikely((h->dst_port != IOL_STAMP_ANY && h->dst_port != exp->rx_port) ||
		     (h->dst_queue != IOL_STAMP_ANY && h->dst_queue != exp->rx_queue))) {
		res->why = "meant for another port or queue";
		return IOL_STAMP_MISDELIVERED;
	}
	if (exp->level == IOL_VERIFY_FULL &&
	    unlikely(!iol_stamp_payload_intact(frame, h->len, h->run_id, h->seq))) {
		describe_payload_damage(frame, h->len, h, res);
		res->why = "payload";
		return IOL_STAMP_CORRUPTED;
	}
	return IOL_STAMP_OK;
}

void
iol_stamp_check(const uint8_t *frame, uint32_t len,
		const struct iol_stamp_expect *exp, struct iol_stamp_result *res)
{
	res->why = NULL;
	res->hdr_valid = false;
	res->end = false;
	res->cls = exp->level == IOL_VERIFY_NONE ? IOL_STAMP_OK :
		classify(frame, len, exp, res);
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
