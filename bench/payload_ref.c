/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * payload_ref: what the payload pass costs outside the loop, against the
 * memory it runs on (bench/verify_speed.sh prints it after the sweep).
 *
 * Over a pool of N buffers of BUF bytes (2 KiB unless --buf-size) on 2 MiB
 * hugepages (as memcpy_ref's: iovaloop's working set), frames of SIZE
 * bytes, in buffer order:
 *
 *   memcpy   glibc memcpy() from buffer i to buffer i + N/2 (memcpy_ref's copy)
 *   read     the variant's check alone (intact): every payload byte loaded
 *   write    the variant's payload write alone: every payload byte stored
 *   restamp  the variant's fused pass: check and rewrite in place, as the loop
 *
 * for every payload variant the CPU runs. Each is timed in batches of N
 * frames with the TSC; the machine is shared, so a batch that was
 * preempted is slow, not wrong: min, 10th percentile and median of the
 * batches' cycles per frame are printed, the minimum being the cost on an
 * idle core. One line per variant and operation:
 *
 *   payload_ref --size SIZE --buffers N [--buf-size BUF] [--batches B] [--core C]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>

#include "bench_pool.h"
#include "iol_stamp.h"

#define BUF_DEFAULT 2048u
/* The largest mbuf iovaloop makes: its longest frame, 32 bytes, to 1 KiB. */
#define BUF_MAX 10240u

enum op { OP_MEMCPY, OP_READ, OP_WRITE, OP_RESTAMP };
static const char *const op_names[] = { "memcpy", "read", "write", "restamp" };

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s --size SIZE --buffers N [--buf-size BUF] [--batches B] "
		"[--core C]\n"
		"  SIZE %u bytes up to BUF a frame, N >= 2 buffers (even) of BUF bytes\n"
		"  (%u-%u, default %u), B batches of N frames timed (400), C the core to run on\n"
		"  (1, -1: any)\n",
		prog, (unsigned int)IOL_STAMP_MIN_LEN + 1, (unsigned int)IOL_STAMP_MIN_LEN + 1,
		BUF_MAX, BUF_DEFAULT);
	exit(2);
}

static unsigned long
parse_ul(const char *s, unsigned long lo, unsigned long hi, const char *prog)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi)
		usage(prog);
	return v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One batch: op over the N frames; seq numbers the batch. Cycles per frame. */
static double
batch(const struct iol_payload_ops *v, enum op op, uint8_t *pool, uint32_t n,
		uint32_t buf, uint32_t size, uint64_t seq, uint32_t *bad)
{
	uint64_t t0 = rte_rdtsc();
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint8_t *f = pool + (size_t)i * buf;

		switch (op) {
		case OP_MEMCPY:
			memcpy(pool + (size_t)((i + n / 2) % n) * buf, f, size);
			break;
		case OP_READ:
			*bad += !v->intact(f, size, iol_stamp_payload_seed(1, i));
			break;
		case OP_WRITE:
			v->write(f, size, iol_stamp_payload_seed(1, i));
			break;
		case OP_RESTAMP:
			*bad += !v->restamp(f, size, iol_stamp_payload_seed(1, seq * n + i),
				iol_stamp_payload_seed(1, (seq + 1) * n + i));
			break;
		}
	}
	return (double)(rte_rdtsc() - t0) / n;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "buffers", required_argument, NULL, 'n' },
		{ "buf-size", required_argument, NULL, 'u' },
		{ "batches", required_argument, NULL, 'b' },
		{ "core", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const struct iol_payload_ops *v;
	uint32_t size = 0, n = 0, buf = BUF_DEFAULT, batches = 400, i, bad;
	unsigned int n_var, k;
	bool memcpy_done = false;
	long core = 1;
	size_t pool_len;
	uint8_t *pool;
	double *t;
	int opt, o;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			size = (uint32_t)parse_ul(optarg, IOL_STAMP_MIN_LEN + 1, BUF_MAX, argv[0]);
			break;
		case 'u':
			buf = (uint32_t)parse_ul(optarg, IOL_STAMP_MIN_LEN + 1, BUF_MAX, argv[0]);
			break;
		case 'n':
			n = (uint32_t)parse_ul(optarg, 2, 1u << 20, argv[0]);
			if (n % 2)
				usage(argv[0]);
			break;
		case 'b':
			batches = (uint32_t)parse_ul(optarg, 1, 1u << 20, argv[0]);
			break;
		case 'c':
			core = strcmp(optarg, "-1") == 0 ? -1 :
				(long)parse_ul(optarg, 0, CPU_SETSIZE - 1, argv[0]);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || size == 0 || n == 0 || size > buf)
		usage(argv[0]);
	if (bench_pin("payload_ref", core) < 0)
		return 1;
	pool = bench_pool_map((size_t)n * buf, &pool_len, NULL);
	if (pool == NULL) {
		fprintf(stderr, "payload_ref: no %zu bytes of 2 MiB hugepages: %s\n", pool_len,
			strerror(errno));
		return 1;
	}
	t = malloc(batches * sizeof(*t));
	if (t == NULL) {
		munmap(pool, pool_len);
		return 1;
	}
	v = iol_payload_variants(&n_var);
	for (k = 0; k < n_var; k++) {
		if (!v[k].usable())
			continue;
		/* memcpy once, before the first variant the CPU runs. */
		for (o = memcpy_done ? OP_READ : OP_MEMCPY; o <= OP_RESTAMP; o++) {
			/* Seq 0's payload in every buffer: read checks it, restamp starts from it. */
			for (i = 0; i < n; i++)
				v[k].write(pool + (size_t)i * buf, size, iol_stamp_payload_seed(1, i));
			bad = 0;
			for (i = 0; i < batches; i++)
				t[i] = batch(&v[k], (enum op)o, pool, n, buf, size, i, &bad);
			qsort(t, batches, sizeof(*t), cmp_double);
			printf("variant=%s op=%s size=%u buffers=%u batches=%u min=%.1f p10=%.1f "
			       "median=%.1f bad=%u buf_size=%u\n", o == OP_MEMCPY ? "glibc" : v[k].name,
			       op_names[o], size, n, batches, t[0], t[batches / 10], t[batches / 2], bad,
			       buf);
		}
		memcpy_done = true;
	}
	free(t);
	munmap(pool, pool_len);
	return 0;
}
