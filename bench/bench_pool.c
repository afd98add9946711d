/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_pool.h"

#define HUGE_2M (2u << 20)

int
bench_pin(const char *tool, long core)
{
	cpu_set_t set;

	if (core < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(core, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		fprintf(stderr, "%s: cannot run on core %ld: %s\n", tool, core, strerror(errno));
		return -1;
	}
	return 0;
}

uint8_t *
bench_pool_map(size_t bytes, size_t *len, bool *huge)
{
	uint8_t *pool;

	*len = (bytes + HUGE_2M - 1) / HUGE_2M * HUGE_2M;
	pool = mmap(NULL, *len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	if (huge != NULL)
		*huge = pool != MAP_FAILED;
	if (pool == MAP_FAILED && huge != NULL)
		pool = mmap(NULL, *len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return pool == MAP_FAILED ? NULL : pool;
}
