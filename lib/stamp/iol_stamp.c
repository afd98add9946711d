/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

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
iol_stamp_prefix_build(struct iol_stamp_prefix *p, enum iol_stamp_encap encap,
		const struct iol_stamp_ends *ends, uint16_t len)
{
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16((uint16_t)(len - IOL_STAMP_ETH_LEN)),
		.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = IOL_STAMP_IPV4_TTL,
		.next_proto_id = IPPROTO_UDP,
		.src_addr = rte_cpu_to_be_32(ends->src_ip),
		.dst_addr = rte_cpu_to_be_32(ends->dst_ip),
	};
	struct rte_udp_hdr udp = {
		.src_port = rte_cpu_to_be_16(ends->src_port),
		.dst_port = rte_cpu_to_be_16(IOL_STAMP_UDP_PORT),
		.dgram_len = rte_cpu_to_be_16((uint16_t)(len - IOL_STAMP_ETH_LEN -
			IOL_STAMP_IPV4_LEN)),
	};

	memset(p, 0, sizeof(*p));
	p->encap = encap;
	p->len = iol_stamp_hdr_off(encap);
	memcpy(eth.dst_addr.addr_bytes, ends->dst_mac, 6);
	memcpy(eth.src_addr.addr_bytes, ends->src_mac, 6);
	eth.ether_type = rte_cpu_to_be_16(encap == IOL_ENCAP_UDP ? RTE_ETHER_TYPE_IPV4 :
		IOL_STAMP_ETHERTYPE);
	memcpy(p->bytes, &eth, sizeof(eth));
	if (encap != IOL_ENCAP_UDP)
		return;
	ip.hdr_checksum = rte_ipv4_cksum(&ip);
	memcpy(p->bytes + IOL_STAMP_ETH_LEN, &ip, sizeof(ip));
	memcpy(p->bytes + IOL_STAMP_ETH_LEN + IOL_STAMP_IPV4_LEN, &udp, sizeof(udp));
}

void
iol_stamp_restamp(uint8_t *frame, enum iol_stamp_encap encap,
		const struct iol_stamp_info *info)
{
	uint32_t shift = iol_stamp_shift(encap);

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
	memcpy(frame + iol_stamp_hdr_off(encap), &h, sizeof(h));
	iol_stamp_payload_write(frame + shift, info->run_id, info->seq, info->len - shift);
}

void
iol_stamp_write(uint8_t *frame, const struct iol_stamp_prefix *p,
		const struct iol_stamp_info *info)
{
	memcpy(frame, p->bytes, p->len);
	iol_stamp_restamp(frame, p->encap, info);
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

/*
 * Slow path, once a payload word differed: find which bytes. @p frame and
 * @p len are the payload code's view (iol_stamp_shift()); the offsets
 * reported are the frame's own, @p shift further.
 */
static void
describe_payload_damage(const uint8_t *frame, uint32_t len, uint32_t shift,
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
	res->bad_offset += shift;
}

/* Whether the IPv4 and UDP headers at @p frame (of at least IOL_STAMP_PREFIX_MAX bytes) are iovaloop's. */
static bool
is_iovaloop_udp(const uint8_t *frame)
{
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr udp;
	uint16_t type;

	memcpy(&type, frame + 12, 2);
	memcpy(&ip, frame + IOL_STAMP_ETH_LEN, sizeof(ip));
	memcpy(&udp, frame + IOL_STAMP_ETH_LEN + IOL_STAMP_IPV4_LEN, sizeof(udp));
	return type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
		ip.version_ihl == RTE_IPV4_VHL_DEF && ip.next_proto_id == IPPROTO_UDP &&
		udp.dst_port == rte_cpu_to_be_16(IOL_STAMP_UDP_PORT);
}

/*
 * The encapsulation the receiver expects, up to the iovaloop header: why
 * not (FOREIGN), or NULL. A frame of the other encapsulation is named.
 */
static const char *
foreign_prefix(const uint8_t *frame, uint32_t len, enum iol_stamp_encap encap)
{
	struct rte_ipv4_hdr ip;
	uint16_t type;

	if (len < iol_stamp_hdr_off(encap) + sizeof(uint16_t))
		return encap == IOL_ENCAP_UDP ? "too short for an iovaloop UDP frame" :
			"too short for an iovaloop frame";
	memcpy(&type, frame + 12, 2);
	if (encap == IOL_ENCAP_RAW) {
		if (type == rte_cpu_to_be_16(IOL_STAMP_ETHERTYPE))
			return NULL;
		if (len >= IOL_STAMP_PREFIX_MAX && is_iovaloop_udp(frame))
			return "an iovaloop UDP frame (--frame udp) where raw ones were expected";
		return "not the iovaloop EtherType";
	}
	if (type == rte_cpu_to_be_16(IOL_STAMP_ETHERTYPE))
		return "a raw iovaloop frame (--frame raw) where UDP ones were expected";
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return "neither IPv4 nor the iovaloop EtherType";
	memcpy(&ip, frame + IOL_STAMP_ETH_LEN, sizeof(ip));
	if (ip.version_ihl != RTE_IPV4_VHL_DEF)
		return "not IPv4 without options";
	if (ip.next_proto_id != IPPROTO_UDP)
		return "IPv4 but not UDP";
	if (ip.fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return "an IPv4 fragment";
	if (!is_iovaloop_udp(frame))
		return "UDP to another port than iovaloop's";
	return NULL;
}

/*
 * After a good header: the IPv4 and UDP fields that follow from the
 * length sent. Why they are damaged (CORRUPTED), or NULL.
 */
static const char *
damaged_udp_prefix(const uint8_t *frame, uint16_t sent_len)
{
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr udp;

	memcpy(&ip, frame + IOL_STAMP_ETH_LEN, sizeof(ip));
	memcpy(&udp, frame + IOL_STAMP_ETH_LEN + IOL_STAMP_IPV4_LEN, sizeof(udp));
	/* Summed with its checksum, a header sums to all ones: complemented, 0. */
	if (rte_ipv4_cksum(&ip) != 0)
		return "IPv4 header checksum";
	if (rte_be_to_cpu_16(ip.total_length) != sent_len - IOL_STAMP_ETH_LEN)
		return "IPv4 total length other than sent";
	if (rte_be_to_cpu_16(udp.dgram_len) != sent_len - IOL_STAMP_ETH_LEN - IOL_STAMP_IPV4_LEN)
		return "UDP length other than sent";
	if (udp.dgram_cksum != 0)
		return "UDP checksum set (iovaloop sends 0)";
	return NULL;
}

/* The class of a frame, with its reason in res->why. */
static enum iol_stamp_class
classify(const uint8_t *frame, uint32_t len, const struct iol_stamp_expect *exp,
		struct iol_stamp_result *res)
{
	struct iol_stamp_hdr *h = &res->hdr;
	uint32_t off = iol_stamp_hdr_off(exp->encap), shift = iol_stamp_shift(exp->encap);
	uint16_t magic;
	uint32_t format1;

	memset(h, 0, sizeof(*h));
	res->why = foreign_prefix(frame, len, exp->encap);
	if (unlikely(res->why != NULL))
		return IOL_STAMP_FOREIGN;
	memcpy(&magic, frame + off, sizeof(magic));
	res->end = magic == rte_cpu_to_le_16(IOL_STAMP_MAGIC_END);
	if (unlikely(magic != rte_cpu_to_le_16(IOL_STAMP_MAGIC) && !res->end)) {
		if (len >= off + sizeof(format1)) {
			memcpy(&format1, frame + off, sizeof(format1));
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
	if (unlikely(len < off + sizeof(*h))) {
		memcpy(h, frame + off, len - off);
		hdr_from_le(h);
		res->why = "shorter than the header";
		return IOL_STAMP_TRUNCATED;
	}

	memcpy(h, frame + off, sizeof(*h));
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
	if (unlikely(h->len < off + sizeof(*h))) {
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
	if (exp->encap == IOL_ENCAP_UDP &&
	    unlikely((res->why = damaged_udp_prefix(frame, h->len)) != NULL))
		return IOL_STAMP_CORRUPTED;
	if (unlikely((h->dst_port != IOL_STAMP_ANY && h->dst_port != exp->rx_port) ||
		     (h->dst_queue != IOL_STAMP_ANY && h->dst_queue != exp->rx_queue))) {
		res->why = "meant for another port or queue";
		return IOL_STAMP_MISDELIVERED;
	}
	if (exp->level == IOL_VERIFY_FULL &&
	    unlikely(!iol_stamp_payload_intact(frame + shift, h->len - shift, h->run_id,
			h->seq))) {
		describe_payload_damage(frame + shift, h->len - shift, shift, h, res);
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
