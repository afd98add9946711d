/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_CRC32C_REF_H
#define IOL_CRC32C_REF_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC32C (Castagnoli, reflected polynomial 0x82f63b78) bit by bit from its
 * definition, from 0xffffffff, no final inversion: what frame format 2's
 * header CRC must be, computed without DPDK, for the tests to compare.
 */
static inline uint32_t
crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffff;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return crc;
}

#endif /* IOL_CRC32C_REF_H */
