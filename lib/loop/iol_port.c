/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <stdio.h>

#include <rte_ethdev.h>

#include "iol_lane.h"
#include "iol_units.h"


static void
free_rings(struct iol_ring_pair *rp)
{
	unsigned int d, q;

	for (d = 0; d < 2; d++)
		for (q = 0; q < IOL_MAX_QUEUES; q++) {
			rte_ring_free(rp->rings[d][q]);
			rp->rings[d][q] = NULL;
		}
}

int
iol_ring_pair_create(struct iol_ring_pair *rp, unsigned int queues,
		unsigned int ring_size, int socket, char *err, size_t errlen)
{
	/* Each pair gets new names: ring ports cannot be re-created under an old one. */
	static unsigned int generation;
	unsigned int gen = __atomic_fetch_add(&generation, 1, __ATOMIC_RELAXED);
	char name[RTE_RING_NAMESIZE];
	unsigned int d, q;
	int ret;

	memset(rp, 0, sizeof(*rp));
	rp->queues = queues;
	for (d = 0; d < 2; d++)
		for (q = 0; q < queues; q++) {
			snprintf(name, sizeof(name), "iol%u_%u_%u", gen, d, q);
			rp->rings[d][q] = rte_ring_create(name, ring_size, socket,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (rp->rings[d][q] == NULL) {
				ret = rte_errno;
				free_rings(rp);
				return iol_errf(err, errlen, "cannot create ring %s of %u slots: %s",
					name, ring_size, rte_strerror(ret));
			}
		}
	for (d = 0; d < 2; d++) {
		/* The ring PMD names its device "net_ring_" + the name given. */
		snprintf(name, sizeof(name), "iol%u_%c", gen, 'a' + d);
		snprintf(rp->names[d], sizeof(rp->names[d]), "net_ring_%s", name);
		/* Port 0 receives what port 1 sends (ring 1->0) and sends on 0->1. */
		ret = rte_eth_from_rings(name, rp->rings[1 - d], queues,
			rp->rings[d], queues, socket);
		if (ret < 0) {
			ret = rte_errno;
			if (d == 1)
				rte_vdev_uninit(rp->names[0]);
			free_rings(rp);
			return iol_errf(err, errlen, "cannot create ring port %s: %s",
				rp->names[d], rte_strerror(ret));
		}
		rp->ports[d] = (uint16_t)ret;
	}
	return 0;
}

void
iol_ring_pair_destroy(struct iol_ring_pair *rp)
{
	int d;

	/* Removing the device closes its port if iol_port_teardown() did not. */
	for (d = 1; d >= 0; d--)
		rte_vdev_uninit(rp->names[d]);
	free_rings(rp);
}

/*
 * The largest frame @p info lets through, without FCS: its max MTU plus
 * the Ethernet header, within its largest RX length (which counts the FCS).
 */
static uint32_t
max_frame(const struct rte_eth_dev_info *info)
{
	uint32_t by_mtu = (uint32_t)info->max_mtu + RTE_ETHER_HDR_LEN;
	uint32_t by_len = info->max_rx_pktlen - RTE_MIN(info->max_rx_pktlen,
		(uint32_t)RTE_ETHER_CRC_LEN);

	return RTE_MIN(RTE_MIN(by_mtu, by_len), (uint32_t)UINT16_MAX);
}

int
iol_port_caps_get(uint16_t port, struct iol_port_caps *caps)
{
	struct rte_eth_dev_info info;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return ret;
	caps->max_rx_queues = info.max_rx_queues;
	caps->max_tx_queues = info.max_tx_queues;
	caps->max_frame = (uint16_t)max_frame(&info);
	caps->max_mtu = info.max_mtu;
	caps->max_rx_pktlen = info.max_rx_pktlen;
	caps->max_segs = RTE_MIN(RTE_MIN(info.tx_desc_lim.nb_seg_max,
		info.tx_desc_lim.nb_mtu_seg_max), info.rx_desc_lim.nb_mtu_seg_max);
	caps->tx_multi_segs = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	caps->rx_scatter = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0;
	caps->rx_desc_max = info.rx_desc_lim.nb_max;
	caps->rx_desc_min = info.rx_desc_lim.nb_min;
	caps->tx_desc_max = info.tx_desc_lim.nb_max;
	caps->tx_desc_min = info.tx_desc_lim.nb_min;
	return 0;
}

/*
 * The MTU a port had before iovaloop raised it for --pkt-size, by port id
 * (0: not changed), for iol_port_teardown() to put back.
 */
static uint16_t mtu_before[RTE_MAX_ETHPORTS];

/*
 * Frames and segments as the options ask (iol_config_check_ports() checked
 * the device offers them): an MTU that carries --pkt-size, multi-segment TX
 * and scattered RX when a frame is longer than an mbuf.
 */
static void
conf_frames(uint16_t port, const struct iol_config *cfg, struct rte_eth_conf *conf)
{
	uint16_t mtu = RTE_ETHER_MTU;

	mtu_before[port] = 0;
	if (rte_eth_dev_get_mtu(port, &mtu) < 0 || mtu == 0)
		mtu = RTE_ETHER_MTU;
	if (cfg->pkt_size > mtu + RTE_ETHER_HDR_LEN) {
		mtu_before[port] = mtu;
		mtu = (uint16_t)(cfg->pkt_size - RTE_ETHER_HDR_LEN);
	}
	conf->rxmode.mtu = mtu;
	if (cfg->pkt_size <= cfg->mbuf_size)
		return;
	if (cfg->mode != IOL_MODE_RXONLY)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (cfg->mode != IOL_MODE_TXONLY)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
}

/*
 * A raised MTU is in the configuration, which PMDs apply at start; a PMD
 * whose MTU lives elsewhere (af_packet: its interface's) takes it through
 * mtu_set. Without mtu_set the configuration is all there is.
 */
static int
raise_mtu(uint16_t port, const struct iol_config *cfg, char *err, size_t errlen)
{
	uint16_t mtu = (uint16_t)(cfg->pkt_size - RTE_ETHER_HDR_LEN);
	int ret;

	if (mtu_before[port] == 0)
		return 0;
	ret = rte_eth_dev_set_mtu(port, mtu);
	if (ret < 0 && ret != -ENOTSUP)
		return iol_errf(err, errlen, "port %u: cannot raise the MTU from %u to %u "
			"for --pkt-size %u: %s", port, mtu_before[port], mtu, cfg->pkt_size,
			rte_strerror(-ret));
	return 0;
}

int
iol_port_setup(uint16_t port, const struct iol_config *cfg,
		struct rte_mempool *mp, char *err, size_t errlen)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t rxd = cfg->rxd, txd = cfg->txd, q;
	int socket = rte_eth_dev_socket_id(port);
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return iol_errf(err, errlen, "port %u: cannot read device info: %s",
			port, rte_strerror(-ret));
	/* Every mbuf comes from one pool with refcnt 1: the PMD may free fast. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	conf_frames(port, cfg, &conf);
	if (cfg->queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = 0;
	}
	ret = rte_eth_dev_configure(port, cfg->queues, cfg->queues, &conf);
	if (ret < 0)
		return iol_errf(err, errlen, "port %u: configure with %u queues, MTU %u: %s",
			port, cfg->queues, conf.rxmode.mtu, rte_strerror(-ret));
	if (raise_mtu(port, cfg, err, errlen) < 0)
		return -1;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (ret < 0)
		return iol_errf(err, errlen, "port %u: descriptors: %s", port, rte_strerror(-ret));
	if (rxd < cfg->inflight)
		return iol_errf(err, errlen, "port %u: --inflight %u does not fit in the "
			"%u RX descriptors the device allows", port, cfg->inflight, rxd);
	for (q = 0; q < cfg->queues; q++) {
		ret = rte_eth_rx_queue_setup(port, q, rxd, socket, NULL, mp);
		if (ret < 0)
			return iol_errf(err, errlen, "port %u: RX queue %u: %s", port, q,
				rte_strerror(-ret));
		ret = rte_eth_tx_queue_setup(port, q, txd, socket, NULL);
		if (ret < 0)
			return iol_errf(err, errlen, "port %u: TX queue %u: %s", port, q,
				rte_strerror(-ret));
	}
	ret = rte_eth_dev_start(port);
	if (ret < 0)
		return iol_errf(err, errlen, "port %u: start: %s", port, rte_strerror(-ret));
	/* Frames carry the peer's MAC, but a NIC in a lab may have another. */
	ret = rte_eth_promiscuous_enable(port);
	if (ret < 0 && ret != -ENOTSUP) {
		rte_eth_dev_stop(port);
		return iol_errf(err, errlen, "port %u: promiscuous mode: %s", port,
			rte_strerror(-ret));
	}
	return 0;
}

int
iol_ports_wait_link(const uint16_t *ports, unsigned int n, double timeout,
		char *err, size_t errlen)
{
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t deadline = start + (uint64_t)(timeout * hz), said = start;
	struct rte_eth_link link;
	char down[128];
	unsigned int i;
	size_t len;

	for (;;) {
		down[0] = '\0';
		len = 0;
		for (i = 0; i < n; i++) {
			memset(&link, 0, sizeof(link));
			if (rte_eth_link_get_nowait(ports[i], &link) == 0 &&
			    link.link_status == RTE_ETH_LINK_UP)
				continue;
			len += snprintf(down + len, len < sizeof(down) ? sizeof(down) - len : 0,
				"%s%u", len ? ", " : "", ports[i]);
		}
		if (len == 0)
			return 0;
		if (rte_get_timer_cycles() > deadline)
			return iol_errf(err, errlen, "link still down after %.1f s on port %s "
				"(--link-timeout; check the cable or the peer)", timeout, down);
		/* A wait of seconds is said, once a second: never silent. */
		if (rte_get_timer_cycles() - said >= hz) {
			said = rte_get_timer_cycles();
			LOG(NOTICE, "waiting for link up on port %s: %.0f s of %.0f "
				"(--link-timeout)", down, (double)(said - start) / hz, timeout);
		}
		usleep(50 * 1000);
	}
}

void
iol_port_teardown(uint16_t port)
{
	rte_eth_dev_stop(port);
	/* A PMD without mtu_set forgets its MTU with its configuration at close. */
	if (mtu_before[port] != 0) {
		rte_eth_dev_set_mtu(port, mtu_before[port]);
		mtu_before[port] = 0;
	}
	rte_eth_dev_close(port);
}
