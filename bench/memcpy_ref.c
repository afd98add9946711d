/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memcpy_ref: the memory-speed reference of bench/verify_speed.sh.
 *
 * glibc memcpy() of frames of SIZE bytes between the buffers of a pool of
 * N buffers of BUF bytes (2 KiB unless --buf-size; iovaloop's working set:
 * N = frames in flight per lane x 2, BUF its mbuf size), round-robin:
 * copy i reads buffer i mod N and writes buffer
 * (i + N/2) mod N, so every buffer is read and written once per N copies,
 * as iovaloop reads (verifies) and writes (restamps) every frame it
 * forwards. The pool is on 2 MiB hugepages when the host has some free
 * (iovaloop's buffers are), else on ordinary pages (said in the output).
 * Runs on one core (--core, default 1: iovaloop's forwarding lcore) for
 * SECS seconds, timed with the TSC (rte_rdtsc()).
 *
 *   memcpy_ref --size SIZE --buffers N [--buf-size BUF] [--secs SECS] [--core C]
 *              [--tsc-hz HZ]
 *
 * Prints one line of key=value pairs: size, buffers, buf_size, copies, secs,
 * cycles_per_copy (TSC cycles), mcopies_per_s, gbytes_per_s (bytes copied
 * per second, 1e9), tsc_hz and where it came from, hugepages (yes/no).
 * Without --tsc-hz the TSC is calibrated the way DPDK's EAL does when the
 * CPU does not say (lib/eal/linux/eal_timer.c get_tsc_freq()): TSC ticks
 * over a 100 ms sleep on CLOCK_MONOTONIC_RAW, rounded to 10 MHz.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_cycles.h>

#include "bench_pool.h"

#define BUF_DEFAULT 2048u
#define BUF_MAX 65536u

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s --size SIZE --buffers N [--buf-size BUF] [--secs SECS] "
		"[--core C] [--tsc-hz HZ]\n"
		"  SIZE 1-BUF bytes a copy, N >= 2 buffers (even) of BUF bytes (%u, at most\n"
		"  %u), SECS (2), C the core to run on (1, -1: any), HZ the TSC frequency\n"
		"  (calibrated)\n", prog, BUF_DEFAULT, BUF_MAX);
	exit(2);
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno != 0 || end == s || *end != '\0' || s[0] == '-' ? -1 : 0;
}

static double
now_raw(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* DPDK's get_tsc_freq(): ticks over a 1/10 s sleep, rounded to 10 MHz. */
static uint64_t
calibrate_tsc(void)
{
	struct timespec sleep = { 0, 100000000 };
	double t0, t1;
	uint64_t c0, c1;
	double hz;

	t0 = now_raw();
	c0 = rte_rdtsc();
	nanosleep(&sleep, NULL);
	t1 = now_raw();
	c1 = rte_rdtsc();
	hz = (c1 - c0) / (t1 - t0);
	return (uint64_t)(hz / 1e7 + 0.5) * 10000000ull;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "buffers", required_argument, NULL, 'n' },
		{ "buf-size", required_argument, NULL, 'b' },
		{ "secs", required_argument, NULL, 't' },
		{ "core", required_argument, NULL, 'c' },
		{ "tsc-hz", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t size = 0, n = 0, buf = BUF_DEFAULT, tsc_hz = 0, copies = 0, c0, c1, deadline, i;
	double secs = 2;
	long core = 1;
	const char *hz_from = "calibrated";
	bool huge;
	int opt;
	size_t pool_len;
	uint8_t *pool;
	char *end;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (parse_u64(optarg, &size) < 0 || size == 0 || size > BUF_MAX)
				usage(argv[0]);
			break;
		case 'b':
			if (parse_u64(optarg, &buf) < 0 || buf == 0 || buf > BUF_MAX)
				usage(argv[0]);
			break;
		case 'n':
			if (parse_u64(optarg, &n) < 0 || n < 2 || n % 2 || n > (1u << 24))
				usage(argv[0]);
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (*end != '\0' || !(secs > 0))
				usage(argv[0]);
			break;
		case 'c':
			core = strtol(optarg, &end, 10);
			if (*end != '\0' || core < -1)
				usage(argv[0]);
			break;
		case 'h':
			if (parse_u64(optarg, &tsc_hz) < 0 || tsc_hz == 0)
				usage(argv[0]);
			hz_from = "given";
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || size == 0 || n == 0 || size > buf)
		usage(argv[0]);

	if (bench_pin("memcpy_ref", core) < 0)
		return 1;

	pool = bench_pool_map(n * buf, &pool_len, &huge);
	if (pool == NULL) {
		fprintf(stderr, "memcpy_ref: cannot map %zu bytes: %s\n", pool_len, strerror(errno));
		return 1;
	}
	for (i = 0; i < pool_len; i++)
		pool[i] = (uint8_t)(i * 131 + 7);

	if (tsc_hz == 0)
		tsc_hz = calibrate_tsc();

	/* Warm the pool once, then copy in rounds of N until the deadline. */
	for (i = 0; i < n; i++)
		memcpy(pool + ((i + n / 2) % n) * buf, pool + i * buf, size);
	c0 = rte_rdtsc();
	deadline = c0 + (uint64_t)(secs * tsc_hz);
	do {
		for (i = 0; i < n / 2; i++)
			memcpy(pool + (i + n / 2) * buf, pool + i * buf, size);
		for (i = n / 2; i < n; i++)
			memcpy(pool + (i - n / 2) * buf, pool + i * buf, size);
		copies += n;
		c1 = rte_rdtsc();
	} while (c1 < deadline);

	{
		double s = (double)(c1 - c0) / tsc_hz;
		unsigned int sum = 0;

		for (i = 0; i < n; i++)
			sum += pool[i * buf + size - 1];
		printf("size=%" PRIu64 " buffers=%" PRIu64 " buf_size=%" PRIu64 " copies=%" PRIu64
		       " secs=%.3f"
		       " cycles_per_copy=%.3f mcopies_per_s=%.3f gbytes_per_s=%.3f"
		       " tsc_hz=%" PRIu64 " tsc_hz_from=%s hugepages=%s check=%u\n",
		       size, n, buf, copies, s, (double)(c1 - c0) / copies, copies / s / 1e6,
		       copies * size / s / 1e9, tsc_hz, hz_from, huge ? "yes" : "no", sum & 0xff);
	}
	munmap(pool, pool_len);
	return 0;
}
