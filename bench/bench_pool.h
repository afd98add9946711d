/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What memcpy_ref and payload_ref set up alike: the core they run on and
 * the pool of buffers they work over (iovaloop's working set).
 */
#ifndef BENCH_POOL_H
#define BENCH_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Run on @p core (-1: any); -1 after a message naming @p tool. */
int bench_pin(const char *tool, long core);

/*
 * @p bytes rounded up to 2 MiB (*len), mapped and populated on 2 MiB
 * hugepages; with @p huge, else on ordinary pages, *huge saying which.
 * NULL with errno.
 */
uint8_t *bench_pool_map(size_t bytes, size_t *len, bool *huge);

#endif
