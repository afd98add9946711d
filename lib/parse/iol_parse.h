/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_PARSE_H
#define IOL_PARSE_H

/**
 * @file
 * Numbers as users type them on command lines, shared by iovaloop and
 * iovaloop-info (which must not need DPDK).
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Parse a whole number, decimal or 0x-prefixed hex, with an optional
 * suffix k/K, m/M or g/G (powers of 1024): "4096", "0x50200000", "64M".
 * Signs, spaces, other suffixes and overflow are refused.
 *
 * @return 0 with the value in @p out, or -1.
 */
int iol_parse_scaled(const char *s, uint64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* IOL_PARSE_H */
