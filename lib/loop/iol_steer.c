/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering: which RX queue a frame reaches. On a NIC with --queues > 1
 * iovaloop configures RSS itself and predicts each flow's queue from what
 * it reads back (key, flow types, redirection table); the frame carries
 * the queue it was steered to, so a frame elsewhere is misdelivered and
 * a wrong prediction cannot pass unseen.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_errno.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_thash.h>

#include "iol_lane.h"
#include "iol_units.h"

const uint8_t iol_steer_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Flow types iovaloop's UDP frames are: addresses and ports, or addresses alone. */
#define HF_L4 RTE_ETH_RSS_NONFRAG_IPV4_UDP
#define HF_L3 (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER)
/*
 * Candidates searched for a flow (ports 50000 to 58191): any queue the
 * table names is hit long before.
 */
#define SEARCH_SPAN 8192u

const char *
iol_steer_kind_name(enum iol_steer_kind k)
{
	switch (k) {
	case IOL_STEER_NONE: return "none";
	case IOL_STEER_QUEUE: return "queue-to-queue";
	case IOL_STEER_RSS: return "rss-predicted";
	}
	return "?";
}

uint32_t
iol_steer_hash(const struct iol_steer *st, uint32_t src_ip, uint32_t dst_ip, uint16_t sport,
		uint16_t dport)
{
	/* rte_softrss() takes the tuple in host order and the key as the device has it. */
	struct rte_ipv4_tuple t = {
		.src_addr = src_ip, .dst_addr = dst_ip,
		.sport = sport, .dport = dport,
	};

	return rte_softrss((uint32_t *)&t, st->l4 ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN,
		st->key);
}

int
iol_steer_choose(const struct iol_steer *st, uint16_t queue, struct iol_stamp_ends *ends)
{
	uint32_t v, ip;
	uint16_t port;

	if (st->kind != IOL_STEER_RSS) {
		ends->src_port = (uint16_t)(IOL_STEER_PORT_BASE + queue);
		return 0;
	}
	for (v = 0; v < SEARCH_SPAN; v++) {
		port = st->l4 ? (uint16_t)(IOL_STEER_PORT_BASE + v) : IOL_STEER_PORT_BASE;
		ip = st->l4 ? ends->src_ip : IOL_STEER_IP_SEARCH + v;
		if (st->reta[iol_steer_hash(st, ip, ends->dst_ip, port, IOL_STAMP_UDP_PORT) %
				st->reta_size] == queue) {
			ends->src_port = port;
			ends->src_ip = ip;
			return 0;
		}
	}
	return -1;
}

static bool
is_virtual(const struct rte_eth_dev_info *info)
{
	return info->device != NULL &&
		strcmp(rte_bus_name(rte_dev_bus(info->device)), "vdev") == 0;
}

enum iol_steer_kind
steer_kind(const struct iol_config *cfg, const struct rte_eth_dev_info *info)
{
	if (cfg->queues == 1)
		return IOL_STEER_NONE;
	return is_virtual(info) ? IOL_STEER_QUEUE : IOL_STEER_RSS;
}

void
steer_caps(const struct rte_eth_dev_info *info, struct iol_port_caps *caps)
{
	caps->rss_offloads = info->flow_type_rss_offloads;
	caps->is_virtual = is_virtual(info);
}

void
steer_conf(const struct iol_config *cfg, const struct rte_eth_dev_info *info,
		struct rte_eth_conf *conf, uint8_t *key)
{
	uint64_t hf = info->flow_type_rss_offloads;

	if (steer_kind(cfg, info) != IOL_STEER_RSS)
		return;
	/* The key fills the device's length: bytes past 40 hash nothing of IPv4. */
	memset(key, 0, IOL_STEER_KEY_MAX);
	memcpy(key, iol_steer_key, sizeof(iol_steer_key));
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_key = key;
	conf->rx_adv_conf.rss_conf.rss_key_len = info->hash_key_size == 0 ?
		(uint8_t)sizeof(iol_steer_key) :
		RTE_MIN(info->hash_key_size, (uint8_t)IOL_STEER_KEY_MAX);
	conf->rx_adv_conf.rss_conf.rss_hf = (hf & HF_L4) ? HF_L4 : hf & HF_L3;
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
}

int
steer_read(uint16_t port, const struct iol_config *cfg, struct iol_steer *st,
		char *err, size_t errlen)
{
	struct rte_eth_rss_reta_entry64 groups[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_rss_conf rc = { .rss_key = st->key, .rss_key_len = IOL_STEER_KEY_MAX };
	struct rte_eth_dev_info info;
	unsigned int i;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return iol_errf(err, errlen, "port %u: cannot read device info: %s", port,
			rte_strerror(-ret));
	st->kind = steer_kind(cfg, &info);
	if (st->kind != IOL_STEER_RSS)
		return 0;
	/* What the device hashes with, as it says: not what was asked. */
	ret = rte_eth_dev_rss_hash_conf_get(port, &rc);
	if (ret < 0)
		return iol_errf(err, errlen, "port %u: cannot read the RSS key back: %s; "
			"steering over --queues %u cannot be predicted (accepts --queues 1)",
			port, rte_strerror(-ret), cfg->queues);
	st->key_len = rc.rss_key_len;
	st->rss_hf = rc.rss_hf;
	st->l4 = (rc.rss_hf & HF_L4) != 0;
	st->hash_in_mbuf = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) != 0;
	if (!st->l4 && !(rc.rss_hf & HF_L3))
		return iol_errf(err, errlen, "port %u: the device hashes neither IPv4/UDP nor "
			"IPv4 (RSS flow types 0x%" PRIx64 "); accepts --queues 1", port, rc.rss_hf);
	if (info.reta_size == 0 || info.reta_size > RTE_ETH_RSS_RETA_SIZE_512)
		return iol_errf(err, errlen, "port %u: an RSS redirection table of %u entries; "
			"iovaloop reads 1 to %u (accepts --queues 1)", port, info.reta_size,
			RTE_ETH_RSS_RETA_SIZE_512);
	memset(groups, 0, sizeof(groups));
	for (i = 0; i < info.reta_size; i++)
		groups[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
	ret = rte_eth_dev_rss_reta_query(port, groups, info.reta_size);
	if (ret < 0)
		return iol_errf(err, errlen, "port %u: cannot read the RSS redirection table "
			"back: %s; steering over --queues %u cannot be predicted (accepts "
			"--queues 1)", port, rte_strerror(-ret), cfg->queues);
	st->reta_size = info.reta_size;
	for (i = 0; i < info.reta_size; i++)
		st->reta[i] = groups[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	if (!st->l4)
		LOG(NOTICE, "port %u: RSS hashes IPv4 addresses only, not UDP ports: flows "
			"differ by source address (198.19.0.0/16) instead", port);
	LOG(INFO, "port %u: RSS over %u queues read back: %s hashed, key %u bytes, "
		"redirection table %u entries, device hash %s", port, cfg->queues,
		st->l4 ? "IPv4/UDP" : "IPv4", st->key_len, st->reta_size,
		st->hash_in_mbuf ? "checked on every frame" : "not offered");
	return 0;
}
