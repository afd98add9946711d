/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The payload pass of the hot loop, scalar and SIMD. Word k of a payload
 * is seed + k * IOL_STAMP_GOLDEN, so the next frame's word is the
 * received one plus (seed_tx - seed_rx): one pass reads each word once,
 * folds its difference from the expected word into an accumulator (no
 * branch per word) and stores it plus that delta. Addition is invertible:
 * a damaged payload is put back exactly as it arrived by subtracting the
 * delta again, so the slow path still reports the bytes seen. The tail
 * below 8 bytes takes the low bytes of the next word, and the low bytes of
 * a sum depend on the low bytes of its terms only, so it adds the same way.
 *
 * The scalar code (iol_stamp_payload_intact() and _write() in the header)
 * is the oracle: payload_autotest runs every variant against it.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "iol_stamp.h"

#define G IOL_STAMP_GOLDEN

/*
 * Words from @p off on, one by one, and the tail: the scalar variant
 * entire, and the remainder of the vector ones. @p want is the expected
 * word at @p off; with @p delta 0 and @p store false it only checks.
 */
static __rte_always_inline uint64_t
words_pass(uint8_t *f, uint32_t off, uint32_t len, uint64_t want, uint64_t delta,
		bool store)
{
	uint64_t diff = 0, w, t = 0;
	uint32_t i, n;

	for (; off + 8 <= len; off += 8, want += G) {
		memcpy(&w, f + off, 8);
		w = rte_le_to_cpu_64(w);
		diff |= w ^ want;
		if (store) {
			w = rte_cpu_to_le_64(w + delta);
			memcpy(f + off, &w, 8);
		}
	}
	n = len - off;
	if (n == 0)
		return diff;
	for (i = 0; i < n; i++)
		t |= (uint64_t)f[off + i] << (8 * i);
	diff |= (t ^ want) & ((1ull << (8 * n)) - 1);
	if (store)
		for (t += delta, i = 0; i < n; i++)
			f[off + i] = (uint8_t)(t >> (8 * i));
	return diff;
}

/* Put a payload back as it arrived, after a restamp found it damaged. */
static void
undo_restamp(uint8_t *f, uint32_t len, uint64_t seed_rx, uint64_t seed_tx)
{
	words_pass(f, IOL_STAMP_MIN_LEN, len, 0, seed_rx - seed_tx, true);
}

static bool
intact_scalar(const uint8_t *f, uint32_t len, uint64_t seed)
{
	return words_pass((uint8_t *)(uintptr_t)f, IOL_STAMP_MIN_LEN, len, seed, 0, false) == 0;
}

static bool
restamp_scalar(uint8_t *f, uint32_t len, uint64_t seed_rx, uint64_t seed_tx)
{
	if (likely(words_pass(f, IOL_STAMP_MIN_LEN, len, seed_rx, seed_tx - seed_rx, true) == 0))
		return true;
	undo_restamp(f, len, seed_rx, seed_tx);
	return false;
}

static __rte_always_inline void
write_scalar(uint8_t *f, uint32_t len, uint64_t seed)
{
	uint64_t w;
	uint32_t off = IOL_STAMP_MIN_LEN;

	for (; off + 8 <= len; off += 8, seed += G) {
		w = rte_cpu_to_le_64(seed);
		memcpy(f + off, &w, 8);
	}
	for (w = seed; off < len; off++, w >>= 8)
		f[off] = (uint8_t)w;
}

static bool
always(void)
{
	return true;
}

#ifdef RTE_ARCH_X86
/*
 * Where the vector loop of width @p vec bytes starts: past the scalar
 * words that bring the payload to that alignment, so that no vector access
 * splits a cache line (a frame not 8-byte aligned, or too short, starts at
 * once, unaligned).
 */
static __rte_always_inline uint32_t
lead_in(const uint8_t *f, uint32_t len, uint32_t vec)
{
	uint32_t lead = (uint32_t)(-(uintptr_t)(f + IOL_STAMP_MIN_LEN) & (vec - 1));

	if (lead % 8 != 0 || IOL_STAMP_MIN_LEN + lead + vec > len)
		return IOL_STAMP_MIN_LEN;
	return IOL_STAMP_MIN_LEN + lead;
}

/*
 * One body for every vector width: VEC is the vector type, LANES its
 * 64-bit lanes, and the macros the width's load, store, add, xor, or and
 * "all zero" test. The loop is the scalar one on LANES words at a time.
 */
#define VECTOR_VARIANT(sfx, attr, VEC, LANES, SET, SET1, LOAD, STORE, ADD, XOR, OR, ZERO, ISZERO) \
static attr bool \
intact_##sfx(const uint8_t *f, uint32_t len, uint64_t seed) \
{ \
	uint8_t *p = (uint8_t *)(uintptr_t)f; \
	uint32_t off = lead_in(f, len, 8 * LANES); \
	uint64_t diff = words_pass(p, IOL_STAMP_MIN_LEN, off, seed, 0, false); \
	VEC want = SET(seed + (uint64_t)(off - IOL_STAMP_MIN_LEN) / 8 * G); \
	VEC step = SET1(LANES * G), acc = ZERO(); \
\
	for (; off + 8 * LANES <= len; off += 8 * LANES) { \
		acc = OR(acc, XOR(LOAD(f + off), want)); \
		want = ADD(want, step); \
	} \
	diff |= words_pass(p, off, len, seed + (uint64_t)(off - IOL_STAMP_MIN_LEN) / 8 * G, 0, false); \
	return diff == 0 && ISZERO(acc); \
} \
\
static attr bool \
restamp_##sfx(uint8_t *f, uint32_t len, uint64_t seed_rx, uint64_t seed_tx) \
{ \
	uint32_t off = lead_in(f, len, 8 * LANES); \
	uint64_t rest = words_pass(f, IOL_STAMP_MIN_LEN, off, seed_rx, seed_tx - seed_rx, true); \
	VEC want, step = SET1(LANES * G), acc = ZERO(); \
	VEC delta = SET1(seed_tx - seed_rx), v; \
\
	want = SET(seed_rx + (uint64_t)(off - IOL_STAMP_MIN_LEN) / 8 * G); \
	/* Four vectors a turn: a quarter fewer cycles in the loop at 1514 B (benchmarks.md). */ \
	for (; off + 32 * LANES <= len; off += 32 * LANES) { \
		VEC v0 = LOAD(f + off), v1 = LOAD(f + off + 8 * LANES); \
		VEC v2 = LOAD(f + off + 16 * LANES), v3 = LOAD(f + off + 24 * LANES); \
		VEC w1 = ADD(want, step), w2 = ADD(w1, step), w3 = ADD(w2, step); \
\
		acc = OR(acc, OR(OR(XOR(v0, want), XOR(v1, w1)), OR(XOR(v2, w2), XOR(v3, w3)))); \
		STORE(f + off, ADD(v0, delta)); \
		STORE(f + off + 8 * LANES, ADD(v1, delta)); \
		STORE(f + off + 16 * LANES, ADD(v2, delta)); \
		STORE(f + off + 24 * LANES, ADD(v3, delta)); \
		want = ADD(w3, step); \
	} \
	for (; off + 8 * LANES <= len; off += 8 * LANES) { \
		v = LOAD(f + off); \
		acc = OR(acc, XOR(v, want)); \
		STORE(f + off, ADD(v, delta)); \
		want = ADD(want, step); \
	} \
	rest |= words_pass(f, off, len, seed_rx + (uint64_t)(off - IOL_STAMP_MIN_LEN) / 8 * G, \
		seed_tx - seed_rx, true); \
	if (likely(ISZERO(acc) && rest == 0)) \
		return true; \
	undo_restamp(f, len, seed_rx, seed_tx); \
	return false; \
} \
\
static attr void \
write_##sfx(uint8_t *f, uint32_t len, uint64_t seed) \
{ \
	uint32_t off = lead_in(f, len, 8 * LANES); \
	VEC w, step = SET1(LANES * G); \
\
	write_scalar(f, off, seed); \
	w = SET(seed + (uint64_t)(off - IOL_STAMP_MIN_LEN) / 8 * G); \
	for (; off + 8 * LANES <= len; off += 8 * LANES) { \
		STORE(f + off, w); \
		w = ADD(w, step); \
	} \
	write_scalar(f + (off - IOL_STAMP_MIN_LEN), len - (off - IOL_STAMP_MIN_LEN), \
		seed + (uint64_t)(off - IOL_STAMP_MIN_LEN) / 8 * G); \
}

/* SSE4.1 (Debian's DPDK builds for corei7: SSE4.2 is the baseline). */
#define SSE_SET(s) _mm_set_epi64x((long long)((s) + G), (long long)(s))
#define SSE_SET1(x) _mm_set1_epi64x((long long)(x))
#define SSE_LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define SSE_STORE(p, v) _mm_storeu_si128((__m128i *)(void *)(p), v)
#define SSE_ISZERO(v) _mm_testz_si128(v, v)
VECTOR_VARIANT(sse, __attribute__((target("sse4.1"))), __m128i, 2, SSE_SET, SSE_SET1,
	SSE_LOAD, SSE_STORE, _mm_add_epi64, _mm_xor_si128, _mm_or_si128, _mm_setzero_si128,
	SSE_ISZERO)

#define AVX2_SET(s) _mm256_set_epi64x((long long)((s) + 3 * G), (long long)((s) + 2 * G), \
	(long long)((s) + G), (long long)(s))
#define AVX2_SET1(x) _mm256_set1_epi64x((long long)(x))
#define AVX2_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define AVX2_STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)
#define AVX2_ISZERO(v) _mm256_testz_si256(v, v)
VECTOR_VARIANT(avx2, __attribute__((target("avx2,tune=haswell"))), __m256i, 4, AVX2_SET, AVX2_SET1,
	AVX2_LOAD, AVX2_STORE, _mm256_add_epi64, _mm256_xor_si256, _mm256_or_si256,
	_mm256_setzero_si256, AVX2_ISZERO)

#define AVX512_SET(s) _mm512_set_epi64((long long)((s) + 7 * G), (long long)((s) + 6 * G), \
	(long long)((s) + 5 * G), (long long)((s) + 4 * G), (long long)((s) + 3 * G), \
	(long long)((s) + 2 * G), (long long)((s) + G), (long long)(s))
#define AVX512_SET1(x) _mm512_set1_epi64((long long)(x))
#define AVX512_LOAD(p) _mm512_loadu_si512((const void *)(p))
#define AVX512_STORE(p, v) _mm512_storeu_si512((void *)(p), v)
#define AVX512_ISZERO(v) (_mm512_test_epi64_mask(v, v) == 0)
VECTOR_VARIANT(avx512, __attribute__((target("avx512f,tune=skylake-avx512"))), __m512i, 8, AVX512_SET,
	AVX512_SET1, AVX512_LOAD, AVX512_STORE, _mm512_add_epi64, _mm512_xor_si512,
	_mm512_or_si512, _mm512_setzero_si512, AVX512_ISZERO)

static bool
has_sse41(void)
{
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_1) > 0;
}

static bool
has_avx2(void)
{
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
}

static bool
has_avx512(void)
{
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0;
}
#endif /* RTE_ARCH_X86 */

/* Widest first: iol_payload_best() takes the first the machine allows. */
static const struct iol_payload_ops variants[] = {
#ifdef RTE_ARCH_X86
	{ "avx512", 512, intact_avx512, restamp_avx512, write_avx512, has_avx512 },
	{ "avx2", 256, intact_avx2, restamp_avx2, write_avx2, has_avx2 },
	{ "sse4.1", 128, intact_sse, restamp_sse, write_sse, has_sse41 },
#endif
	{ "scalar", 0, intact_scalar, restamp_scalar, write_scalar, always },
};

const struct iol_payload_ops *
iol_payload_variants(unsigned int *n)
{
	*n = RTE_DIM(variants);
	return variants;
}

const struct iol_payload_ops *
iol_payload_best(void)
{
	unsigned int i, bits = rte_vect_get_max_simd_bitwidth();

	for (i = 0; i < RTE_DIM(variants); i++)
		if (variants[i].simd_bits <= bits && variants[i].usable())
			return &variants[i];
	return &variants[RTE_DIM(variants) - 1];
}
