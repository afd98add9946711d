/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for lib/stamp. The first input byte chooses what the
 * rest is:
 *
 * - even: a frame for iol_stamp_check(), in a heap buffer of exactly its
 *   length so that AddressSanitizer sees any read past it. Bit 1: put a
 *   good CRC in the header first (to get past it to the later checks);
 *   bits 2-3: the verify level; bit 4: accept any run id; bit 5: a
 *   receiver of UDP frames (IOL_ENCAP_UDP), else of raw ones.
 * - odd: operations on a sequence window (see seq_ops()), each checked
 *   against the reference model (seq_model.c): verdicts, counters, next,
 *   horizon, the lost ranges and the window bits.
 *
 * Any difference abort()s with a description: libFuzzer reports it as a
 * crash and keeps the input.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iol_stamp.h"
#include "crc32c_ref.h"
#include "seq_model.h"

#define RUN_ID 0x1234abcdu

#define FAIL(...) do {						\
	fprintf(stderr, "fuzz_stamp: " __VA_ARGS__);		\
	fputc('\n', stderr);					\
	abort();						\
} while (0)

static uint64_t
le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void
check_frame(uint8_t mode, const uint8_t *data, size_t size)
{
	const uint8_t *h = NULL;
	struct iol_stamp_expect exp = {
		.run_id = mode & 0x10 ? 0 : RUN_ID,
		.rx_port = 1,
		.rx_queue = 1,
		.level = (enum iol_verify_level)((mode >> 2) & 3),
		.encap = mode & 0x20 ? IOL_ENCAP_UDP : IOL_ENCAP_RAW,
	};
	uint32_t off = iol_stamp_hdr_off(exp.encap);
	struct iol_stamp_result r;
	struct iol_stamp_info info;
	struct iol_stamp_prefix prefix;
	uint32_t len = (uint32_t)size, crc;
	uint8_t *f = malloc(size ? size : 1), *again;
	bool ours, good_crc;

	if (f == NULL)
		FAIL("out of memory");
	memcpy(f, data, size);
	if (exp.level > IOL_VERIFY_FULL)
		exp.level = IOL_VERIFY_FULL;
	if ((mode & 2) && len >= off + 42) {
		crc = crc32c_ref(f + off, IOL_STAMP_CRC_COVERED);
		for (unsigned int k = 0; k < 4; k++)
			f[off + IOL_STAMP_CRC_COVERED + k] = (uint8_t)(crc >> 8 * k);
	}
	iol_stamp_check(f, len, &exp, &r);
	if (exp.level == IOL_VERIFY_NONE) {
		if (r.cls != IOL_STAMP_OK)
			FAIL("verify none read the frame");
		goto out;
	}
	if ((r.cls == IOL_STAMP_OK) != (r.why == NULL))
		FAIL("class %d with reason %s", r.cls, r.why ? r.why : "(none)");

	/* The CRC is trusted exactly when a whole format 2 header carries a good one. */
	/* Written out from the format, not taken from lib/stamp. */
	ours = len >= off + 42 && (exp.encap == IOL_ENCAP_RAW ?
		f[12] == 0x88 && f[13] == 0xb5 :
		f[12] == 0x08 && f[13] == 0x00 && f[14] == 0x45 && f[23] == 17 &&
		(f[20] & 0x3f) == 0 && f[21] == 0 && f[36] == 0x88 && f[37] == 0xb5);
	if (ours) {
		h = f + off;
		ours = le(h, 2) == IOL_STAMP_MAGIC || le(h, 2) == IOL_STAMP_MAGIC_END;
	}
	good_crc = ours && crc32c_ref(h, IOL_STAMP_CRC_COVERED) ==
		le(h + IOL_STAMP_CRC_COVERED, 4);
	if (r.hdr_valid != good_crc)
		FAIL("hdr_valid %d, reference CRC says %d", r.hdr_valid, good_crc);
	if (!good_crc) {
		if (r.cls == IOL_STAMP_OK)
			FAIL("a frame without a good header passed");
		goto out;
	}
	if (r.hdr.magic != le(h, 2) || r.hdr.flow != le(h + 2, 2) ||
	    r.hdr.run_id != le(h + 4, 4) || r.hdr.seq != le(h + 8, 8) ||
	    r.hdr.tx_tsc != le(h + 16, 8) || r.hdr.tx_iova != le(h + 24, 8) ||
	    r.hdr.len != le(h + 32, 2) || r.hdr.crc != le(h + 38, 4))
		FAIL("header fields differ from the bytes");
	if (r.end != (r.hdr.magic == IOL_STAMP_MAGIC_END))
		FAIL("end flag");
	if (r.cls != IOL_STAMP_OK)
		goto out;

	/* A frame that passed is exactly what the sender writes for its header. */
	if (r.hdr.len < off + 42 || r.hdr.len > len)
		FAIL("passed with length field %u for %u bytes", r.hdr.len, len);
	if (exp.encap == IOL_ENCAP_UDP) {
		uint32_t sum = 0;

		for (unsigned int k = 14; k < 34; k += 2)
			sum += (uint32_t)f[k] << 8 | f[k + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		if (sum != 0xffff || (f[16] << 8 | f[17]) != r.hdr.len - 14 ||
		    (f[38] << 8 | f[39]) != r.hdr.len - 34 || f[40] != 0 || f[41] != 0)
			FAIL("a UDP frame passed with a bad IPv4 checksum, length or UDP field");
	}
	info = (struct iol_stamp_info){
		.run_id = r.hdr.run_id, .seq = r.hdr.seq, .tx_tsc = r.hdr.tx_tsc,
		.tx_iova = r.hdr.tx_iova, .flow = r.hdr.flow, .len = r.hdr.len,
		.src_port = h[34], .src_queue = h[35], .dst_port = h[36], .dst_queue = h[37],
		.flags = r.end ? IOL_STAMP_F_END : 0,
	};
	again = malloc(r.hdr.len);
	if (again == NULL)
		FAIL("out of memory");
	/* The prefix as it came (addresses and TTL are not checked), rebuilt behind it. */
	prefix.encap = exp.encap;
	prefix.len = off;
	memcpy(prefix.bytes, f, off);
	iol_stamp_write(again, &prefix, &info);
	if (memcmp(again, f, exp.level == IOL_VERIFY_FULL ? r.hdr.len : off + 42) != 0)
		FAIL("passed, but is not the frame its header describes");
	free(again);
out:
	free(f);
}

/* Input bytes as numbers; zeros once it runs out. */
struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t
get(struct reader *rd, unsigned int n)
{
	uint64_t v = 0;
	unsigned int k;

	for (k = 0; k < n && rd->left > 0; k++, rd->left--)
		v |= (uint64_t)*rd->p++ << 8 * k;
	return v;
}

static uint64_t
pick_max_ahead(struct reader *rd)
{
	static const uint64_t bound[] = {
		UINT64_MAX, 0, 1, IOL_SEQ_WINDOW - 1, IOL_SEQ_WINDOW, IOL_SEQ_WINDOW + 1,
		1000, UINT64_C(1) << 32, UINT64_C(1) << 62, (UINT64_C(1) << 63) - 1,
		UINT64_C(1) << 63,
	};
	unsigned int i = (unsigned int)get(rd, 1) % (RTE_DIM(bound) + 1);

	return i < RTE_DIM(bound) ? bound[i] : get(rd, 8);
}

struct pair {
	struct iol_seq s;
	struct seq_model m;
	unsigned int op;
	unsigned int frames;    /* updates left for this input */
};

/* Enough for a few windows of frames, few enough to keep runs quick. */
#define MAX_OPS 512
#define MAX_FRAMES (8 * IOL_SEQ_WINDOW)

/*
 * Counters and next; with @p whole also the horizon, the span and the lost
 * ranges, with @p bits_too also the window bits.
 */
static void
compare(const struct pair *p, bool whole, bool bits_too)
{
	const struct iol_seq *s = &p->s;
	const struct seq_model *m = &p->m;
	uint64_t lo, hi, bits[IOL_SEQ_WINDOW / 64];
	unsigned int k;

	if (s->started != m->started || s->next != m->next || s->lost != m->lost ||
	    s->duplicated != m->duplicated || s->reordered != m->reordered ||
	    s->stale != m->stale)
		FAIL("op %u: state: next %" PRIu64 "/%" PRIu64 " lost %" PRIu64 "/%" PRIu64
			" dup %" PRIu64 "/%" PRIu64 " reord %" PRIu64 "/%" PRIu64
			" stale %" PRIu64 "/%" PRIu64 " (iol_seq/model)", p->op,
			s->next, m->next, s->lost, m->lost, s->duplicated, m->duplicated,
			s->reordered, m->reordered, s->stale, m->stale);
	/* A fast path leaves bounding the history to the next update. */
	if (!whole || s->next - s->horizon > IOL_SEQ_HISTORY_MAX)
		return;
	if (s->horizon != m->horizon || s->span != m->span)
		FAIL("op %u: horizon %" PRIu64 "/%" PRIu64 " span %u/%" PRIu64, p->op,
			s->horizon, m->horizon, s->span, m->span);
	for (k = 0; model_lost_run(m, k, &lo, &hi); k++)
		if (k >= s->n_lost_ranges || s->lost_ranges[k].lo != lo ||
		    s->lost_ranges[k].hi != hi)
			FAIL("op %u: lost range %u: model [%" PRIu64 ", %" PRIu64 ")", p->op, k, lo, hi);
	if (k != s->n_lost_ranges)
		FAIL("op %u: %u lost ranges, model %u", p->op, s->n_lost_ranges, k);
	if (!bits_too)
		return;
	model_window(m, bits);
	if (memcmp(bits, s->window, sizeof(bits)) != 0)
		FAIL("op %u: window bits", p->op);
}

static void
update(struct pair *p, uint64_t seq, uint64_t max_ahead)
{
	uint64_t lost_s = 0, lost_m = 0;
	enum iol_seq_verdict vs, vm;

	if (p->frames == 0)
		return;
	p->frames--;
	vs = iol_seq_update(&p->s, seq, max_ahead, &lost_s);
	vm = model_update(&p->m, seq, max_ahead, &lost_m);

	if (vs != vm || lost_s != lost_m)
		FAIL("op %u: update %" PRIu64 " max_ahead %" PRIu64 ": verdict %d/%d newly lost %"
			PRIu64 "/%" PRIu64 " (iol_seq/model)", p->op, seq, max_ahead, vs, vm,
			lost_s, lost_m);
	compare(p, false, false);
}

static void
flush(struct pair *p, uint64_t sent_next, uint64_t max_ahead)
{
	uint64_t lost_s = 0, lost_m = 0;
	int rs = iol_seq_flush(&p->s, sent_next, max_ahead, &lost_s);
	int rm = model_flush(&p->m, sent_next, max_ahead, &lost_m);

	if (rs != rm || lost_s != lost_m)
		FAIL("op %u: flush %" PRIu64 " max_ahead %" PRIu64 ": %d/%d newly lost %" PRIu64
			"/%" PRIu64 " (iol_seq/model)", p->op, sent_next, max_ahead, rs, rm,
			lost_s, lost_m);
}

/*
 * What a fast path may do (iol_stamp.h): take next by incrementing it when
 * the window bit of next is set, which must mean next - W arrived.
 */
static void
fast(struct pair *p)
{
	uint64_t seq = p->s.next, lost = 0;
	bool bit = (p->s.window[(seq / 64) % (IOL_SEQ_WINDOW / 64)] >> (seq % 64)) & 1;
	bool may = p->m.span == IOL_SEQ_WINDOW &&
		model_label_of(&p->m, seq - IOL_SEQ_WINDOW) == M_RECEIVED;

	if (bit != may)
		FAIL("op %u: fast path bit %d, model says %d", p->op, bit, may);
	if (!bit || p->frames == 0)
		return;
	p->frames--;
	p->s.next++;
	if (model_update(&p->m, seq, 0, &lost) != IOL_SEQ_IN_ORDER || lost != 0)
		FAIL("op %u: fast path frame not in order for the model", p->op);
	compare(p, false, false);
}

/* next + int16 */
static uint64_t
near_next(const struct pair *p, struct reader *rd)
{
	return p->s.next + (uint64_t)(int64_t)(int16_t)get(rd, 2);
}

/* next + 2^u8 + int8 */
static uint64_t
far_from_next(const struct pair *p, struct reader *rd)
{
	uint64_t seq = p->s.next + (UINT64_C(1) << (get(rd, 1) % 64));

	return seq + (uint64_t)(int64_t)(int8_t)get(rd, 1);
}

/*
 * Operations, one byte each and then their arguments (little-endian):
 *   0 seq = next + int16           4 flush at next + int16
 *   1 seq = u64                    5 flush at next + 2^u8 + int8
 *   2 seq = next + 2^u8 + int8     6 u8 + 1 fast path frames
 *   3 u16 % 3W frames in order, skipping every u8-th and the u16-th
 *   7 a number behind: in lost run u8 at u64 (odd u8), else next - 1 - u16 * u8
 * each update or flush followed by its max_ahead (u8 index, or u64).
 * The input starts with first_known (u8, odd: yes) and first (u64).
 */
static void
seq_ops(const uint8_t *data, size_t size)
{
	struct reader rd = { data, size };
	static struct pair p;
	uint64_t seq, n, i, every, skip, lo, hi;
	bool first_known = get(&rd, 1) & 1;
	uint64_t first = get(&rd, 8);

	iol_seq_init(&p.s, first_known, first);
	model_init(&p.m, first_known, first);
	p.frames = MAX_FRAMES;
	for (p.op = 0; rd.left > 0 && p.op < MAX_OPS && p.frames > 0; p.op++) {
		switch (get(&rd, 1) % 8) {
		case 0:
			seq = near_next(&p, &rd);
			update(&p, seq, pick_max_ahead(&rd));
			break;
		case 1:
			seq = get(&rd, 8);
			update(&p, seq, pick_max_ahead(&rd));
			break;
		case 2:
			seq = far_from_next(&p, &rd);
			update(&p, seq, pick_max_ahead(&rd));
			break;
		case 3:
			n = get(&rd, 2) % (3 * IOL_SEQ_WINDOW);
			every = get(&rd, 1);
			skip = get(&rd, 2);
			seq = p.s.next;
			for (i = 0; i < n; i++)
				if (i != skip && (every == 0 || i % every != every - 1))
					update(&p, seq + i, UINT64_MAX);
			break;
		case 4:
			seq = near_next(&p, &rd);
			flush(&p, seq, pick_max_ahead(&rd));
			break;
		case 5:
			seq = far_from_next(&p, &rd);
			flush(&p, seq, pick_max_ahead(&rd));
			break;
		case 6:
			for (n = get(&rd, 1) + 1; n > 0; n--)
				fast(&p);
			break;
		default:
			i = get(&rd, 1);
			if ((i & 1) && model_lost_run(&p.m, (unsigned int)(i >> 1), &lo, &hi))
				seq = lo + get(&rd, 8) % (hi - lo);
			else
				seq = p.s.next - 1 - get(&rd, 2) * (i + 1);
			update(&p, seq, pick_max_ahead(&rd));
			break;
		}
		/* The window bits take IOL_SEQ_WINDOW steps: every 16th operation. */
		compare(&p, true, p.op % 16 == 15);
	}
	compare(&p, true, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		seq_ops(data + 1, size - 1);
	else
		check_frame(data[0], data + 1, size - 1);
	return 0;
}
