/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_TOPOLOGY_READ_H
#define IOL_TOPOLOGY_READ_H

/*
 * Private to lib/iommu: the readers iol_topology_read() (iol_topology.c)
 * calls that live in files of their own, each for one thing it reads.
 */

#include "iol_iommu.h"
#include "iol_sysfs.h"

/* iol_netif.c: the interfaces of the PCI device whose directory is @p dir. */
void topo_read_netifs(struct sysfs_ctx *c, struct iol_device *dev,
	const char *dir);
/* iol_netif.c: the routes through each interface the devices carry. */
void topo_read_routes(struct sysfs_ctx *c);

/*
 * iol_host.c: kernel command line, vfio modules and their parameters,
 * /dev/vfio (which marks noiommu groups: after the groups), hugepages and
 * hugetlbfs mounts, this process' memlock limit.
 */
void topo_read_host(struct sysfs_ctx *c);

/* iol_pciids.c: vendor, device and class names from pci.ids. */
void topo_read_pci_ids(struct sysfs_ctx *c);

#endif /* IOL_TOPOLOGY_READ_H */
