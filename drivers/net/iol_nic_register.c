/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "nic:BDF" back end of iol_dma_open(). Alone in its object, so that
 * a program linking drivers/net for its functions only (iovaloop-test's
 * ring tests) does not pull the registration, and with it lib/dma; a
 * program that opens engines by name links drivers/net whole (meson:
 * iol_drivers), as DPDK links its PMDs.
 */
#include <rte_common.h>

#include "iol_nic.h"

static const struct iol_dma_backend nic_backend = {
	.kind = "nic",
	.usage = "nic:BDF (an Intel 82574L, 82576 or I350 bound to vfio-pci, e.g. nic:0000:00:03.0)",
	.open = iol_nic_open,
};

RTE_INIT(iol_nic_register)
{
	iol_dma_backend_register(&nic_backend);
}
