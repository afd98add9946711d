/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_UNITS_H
#define IOL_UNITS_H

/**
 * @file
 * Numbers, sizes and messages as people write and read them, the same way
 * in iovaloop and iovaloop-info (which must not need DPDK).
 */

#include <stdarg.h>
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

/**
 * Room for one error message of a run: the longest, a hugepage shortage
 * with the doctor's fix, runs past 300 characters, and 256 cut its
 * command in half.
 */
#define IOL_ERR_LEN 512

/**
 * Write a message into @p err (@p len bytes, always terminated). Its
 * arguments may include @p err itself (a message built on the one a
 * failed call left there).
 *
 * @return -1, so that `return iol_errf(err, len, ...);` reports a failure.
 */
int iol_errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** iol_errf() with a va_list, for functions that take a format of their own. */
int iol_verrf(char *err, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/** Append to the message already in @p err, as iol_errf() writes it. */
void iol_errf_append(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* IOL_UNITS_H */
