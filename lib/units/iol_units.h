/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_UNITS_H
#define IOL_UNITS_H

/**
 * @file
 * Numbers and sizes as people write them, read and written the same way
 * by iovaloop and iovaloop-info (which must not need DPDK).
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Parse a whole number: decimal digits (a leading 0 is still decimal) or
 * one 0x (or 0X) followed by hex digits. Nothing else: signs, spaces, a
 * second 0x, exponents, fractions, suffixes and overflow are refused.
 *
 * @return 0 with the value in @p out, or -1.
 */
int iol_parse_u64(const char *s, uint64_t *out);

/**
 * Parse a number as iol_parse_u64() does, with an optional suffix k/K,
 * m/M or g/G (powers of 1024): "4096", "0x50200000", "64M".
 *
 * @return 0 with the value in @p out, or -1.
 */
int iol_parse_scaled(const char *s, uint64_t *out);

/** How iol_size_str() writes a size. */
enum iol_size_style {
	IOL_SIZE_HUMAN, /**< "2 MiB", "1 GiB", "4 KiB", "1000 bytes" */
	IOL_SIZE_SHORT, /**< "2M", "1G", "4k", "1000": as the kernel writes page sizes (hugepagesz=1G) */
};

/**
 * Write @p bytes in the largest unit that divides it exactly.
 *
 * @return @p buf.
 */
const char *iol_size_str(uint64_t bytes, enum iol_size_style style, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* IOL_UNITS_H */
