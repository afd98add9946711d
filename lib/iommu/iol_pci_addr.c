/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI addresses as people type them, in the one form sysfs names devices:
 * iovaloop's -a and iovaloop-info's --check and --device go through here,
 * so that both accept the same addresses and look up the same device.
 */
#include <stdio.h>
#include <string.h>

#include "iol_iommu.h"
#include "iol_sysfs.h"

int
iol_pci_addr_canon(const char *in, char out[IOL_PCI_ADDR_LEN])
{
	int dom = 0, bus, dev, fn;
	size_t len = strlen(in);

	/* BB:DD.F is domain 0, as the EAL takes it. */
	if (len == 12 && in[4] == ':') {
		dom = sysfs_parse_hex(in, 4);
		in += 5;
	} else if (len != 7) {
		return -1;
	}
	if (in[2] != ':' || in[5] != '.')
		return -1;
	bus = sysfs_parse_hex(in, 2);
	dev = sysfs_parse_hex(in + 3, 2);
	fn = sysfs_parse_hex(in + 6, 1);
	/* The digits only, as the EAL's parser: 00:77.0 is no device of
	 * this host ("not found"), not a typo to refuse.
	 */
	if (dom < 0 || bus < 0 || dev < 0 || fn < 0)
		return -1;
	/* The digits bound each field (gcc 14 cannot see it: narrow types say so). */
	snprintf(out, IOL_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", (uint16_t)dom, (uint8_t)bus,
		(uint8_t)dev, (uint8_t)(fn & 0xf));
	return 0;
}
