/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * payload_ref: what the payload pass costs outside the loop, against the
 * memory it runs on (bench/verify_speed.sh prints it after the sweep).
 *
 * Over a pool of N buffers of BUF bytes (2 KiB unless --buf-size) on 2 MiB
 * hugepages (as memcpy_ref's: iovaloop's working set), frames of SIZE
 * bytes, in buffer order (--order seq, as memcpy_ref) or in one fixed
 * shuffled order (--order random: as frames circulate in the loop, where
 * the hardware prefetcher cannot guess the next buffer):
 *
 *   memcpy   glibc memcpy() from the i-th buffer to the (i + N/2)-th (memcpy_ref's copy)
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
 *   payload_ref --size SIZE --buffers N [--buf-size BUF] [--order seq|random]
 *               [--batches B] [--core C]
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
	fprintf(stderr, "usage: %s --size SIZE --buffers N [--buf-size BUF] [--order seq|random]\n"
		"  [--batches B] [--core C]\n"
		"  SIZE %u bytes up to BUF a frame, N >= 2 buffers (even) of BUF bytes\n"
		"  (%u-%u, default %u), visited in address order or one fixed shuffled order (seq),\n"
		"  B batches of N frames timed (400), C the core to run on (1, -1: any)\n",
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

/* The N buffers of BUF bytes, visited in @c order (buffer numbers). */
struct pool {
	uint8_t *base;
	uint32_t n, buf;
	const uint32_t *order;
};

/* One batch: op over the N frames; seq numbers the batch. Cycles per frame. */
static double
batch(const struct iol_payload_ops *v, enum op op, const struct pool *p, uint32_t size,
		uint64_t seq, uint32_t *bad)
{
	uint64_t t0 = rte_rdtsc();
	uint32_t i, n = p->n;

	for (i = 0; i < n; i++) {
		/* Payloads are the buffer's, whatever the order visits it in. */
		uint32_t b = p->order[i];
		uint8_t *f = p->base + (size_t)b * p->buf;

		switch (op) {
		case OP_MEMCPY:
			memcpy(p->base + (size_t)p->order[(i + n / 2) % n] * p->buf, f, size);
			break;
		case OP_READ:
			*bad += !v->intact(f, size, iol_stamp_payload_seed(1, b));
			break;
		case OP_WRITE:
			v->write(f, size, iol_stamp_payload_seed(1, b));
			break;
		case OP_RESTAMP:
			*bad += !v->restamp(f, size, iol_stamp_payload_seed(1, seq * n + b),
				iol_stamp_payload_seed(1, (seq + 1) * n + b));
			break;
		}
	}
	return (double)(rte_rdtsc() - t0) / n;
}

/* Buffer numbers 0 to n - 1, shuffled when @p shuffled (always the same way). */
static void
order_fill(uint32_t *order, uint32_t n, bool shuffled)
{
	uint64_t x = 0x2545f4914f6cdd1dull;
	uint32_t i, j, t;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; shuffled && i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (uint32_t)(x % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "buffers", required_argument, NULL, 'n' },
		{ "buf-size", required_argument, NULL, 'u' },
		{ "order", required_argument, NULL, 'o' },
		{ "batches", required_argument, NULL, 'b' },
		{ "core", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const struct iol_payload_ops *v;
	uint32_t size = 0, n = 0, buf = BUF_DEFAULT, batches = 400, i, bad;
	unsigned int n_var, k;
	bool memcpy_done = false, shuffled = false;
	long core = 1;
	size_t pool_len;
	uint32_t *order;
	struct pool p;
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
		case 'o':
			if (strcmp(optarg, "seq") != 0 && strcmp(optarg, "random") != 0)
				usage(argv[0]);
			shuffled = optarg[0] == 'r';
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
	p = (struct pool){ .n = n, .buf = buf };
	p.base = bench_pool_map((size_t)n * buf, &pool_len, NULL);
	if (p.base == NULL) {
		fprintf(stderr, "payload_ref: no %zu bytes of 2 MiB hugepages: %s\n", pool_len,
			strerror(errno));
		return 1;
	}
	t = malloc(batches * sizeof(*t));
	order = malloc(n * sizeof(*order));
	if (t == NULL || order == NULL) {
		fprintf(stderr, "payload_ref: out of memory\n");
		free(order);
		free(t);
		munmap(p.base, pool_len);
		return 1;
	}
	order_fill(order, n, shuffled);
	p.order = order;
	v = iol_payload_variants(&n_var);
	for (k = 0; k < n_var; k++) {
		if (!v[k].usable())
			continue;
		/* memcpy once, before the first variant the CPU runs. */
		for (o = memcpy_done ? OP_READ : OP_MEMCPY; o <= OP_RESTAMP; o++) {
			/* Seq 0's payload in every buffer: read checks it, restamp starts from it. */
			for (i = 0; i < n; i++)
				v[k].write(p.base + (size_t)i * buf, size, iol_stamp_payload_seed(1, i));
			bad = 0;
			for (i = 0; i < batches; i++)
				t[i] = batch(&v[k], (enum op)o, &p, size, i, &bad);
			qsort(t, batches, sizeof(*t), cmp_double);
			printf("variant=%s op=%s size=%u buffers=%u batches=%u min=%.1f p10=%.1f "
			       "median=%.1f bad=%u buf_size=%u order=%s\n",
			       o == OP_MEMCPY ? "glibc" : v[k].name, op_names[o], size, n, batches,
			       t[0], t[batches / 10], t[batches / 2], bad, buf,
			       shuffled ? "random" : "seq");
		}
		memcpy_done = true;
	}
	free(order);
	free(t);
	munmap(p.base, pool_len);
	return 0;
}
