/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_PROBE_H
#define IOL_PROBE_H

/**
 * @file
 * The isolation probe (iovaloop --mode probe, doc/probe.md): a DMA engine
 * behind the IOMMU is made to read from and write to IOVAs that must be
 * blocked, and every byte of memory iovaloop owns is checked around each
 * attempt.
 *
 * Three parts, each usable alone:
 *  - the plan (iol_probe_plan()): which attempts, from the device's IOMMU
 *    group (reserved regions), its IOMMU's input width, the IOVA ranges
 *    mapped in the engine's container and the physical addresses of the
 *    probe's canary pages. A write only ever targets an IOVA that is the
 *    physical address of a canary page and is not mapped in the
 *    container, so that where isolation is broken (noiommu, an identity
 *    domain) the write lands in the canary and is seen. Every other
 *    target is read only, and the plan says why;
 *  - the verdict (iol_probe_judge()): what was seen (completion, the
 *    destination, the canaries, the IOMMU's fault line) against what a
 *    blocked attempt may show;
 *  - the run (iol_probe_run()): the engine, the memory, the second VFIO
 *    container, the kernel log, the attempts, the table.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iol_iommu.h"
#include "iol_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Canary pages of the probe: one the engine's container does not map, one another container maps. */
#define IOL_PROBE_CANARIES 2
/** The canary the unmapped-IOVA write targets, and the one mapped in the other container. */
#define IOL_PROBE_CANARY_UNMAPPED 0
#define IOL_PROBE_CANARY_OTHER 1
/** Offset of a target inside its canary page: a write a little off still lands in the page. */
#define IOL_PROBE_TARGET_OFF 0x800
/** Most attempts a plan holds (controls, targets, reserved regions). */
#define IOL_PROBE_MAX_ATTEMPTS 32
/**
 * The probe's buffer, IOVA-contiguous inside the engine's mapping: a guard
 * page, the source page, the destination page, a guard page. Copies read
 * the source at IOL_PROBE_TARGET_OFF and write the destination there.
 */
#define IOL_PROBE_PAGE 4096u
#define IOL_PROBE_BUF_LEN (4 * IOL_PROBE_PAGE)
#define IOL_PROBE_SRC_OFF (1 * IOL_PROBE_PAGE + IOL_PROBE_TARGET_OFF)
#define IOL_PROBE_DST_OFF (2 * IOL_PROBE_PAGE + IOL_PROBE_TARGET_OFF)

/** What an attempt aims at. */
enum iol_probe_target {
	IOL_PROBE_INSIDE,          /**< Control: the probe's buffer, inside the mapping. */
	IOL_PROBE_MAPPING_END,     /**< Control: the last bytes of the mapped range. */
	IOL_PROBE_PAST_END,        /**< The first byte past the mapped range. */
	IOL_PROBE_UNMAPPED,        /**< A canary page's physical address, not mapped. */
	IOL_PROBE_RESERVED,        /**< Inside a reserved region of the group. */
	IOL_PROBE_ABOVE_WIDTH,     /**< The first IOVA above the IOMMU's input width. */
	IOL_PROBE_ZERO,            /**< IOVA 0. */
	IOL_PROBE_OTHER_CONTAINER, /**< Mapped only in a second VFIO container. */
};

enum iol_probe_dir {
	IOL_PROBE_READ,            /**< The engine reads the target (copy target -> buffer). */
	IOL_PROBE_WRITE,           /**< The engine writes the target (copy buffer -> target). */
};

/** How the engine answered. */
enum iol_probe_completion {
	IOL_PROBE_NO_COMPLETION = 0, /**< Nothing within the wait. */
	IOL_PROBE_DONE_OK,         /**< The engine says it copied. */
	IOL_PROBE_DONE_ERROR,      /**< The engine reports an error for it. */
	IOL_PROBE_REFUSED,         /**< The engine refused to enqueue it (no DMA issued). */
};

/** What a read left in the destination. */
enum iol_probe_dst {
	IOL_PROBE_DST_UNCHANGED = 0, /**< Still the prefilled pattern. */
	IOL_PROBE_DST_ZEROS,       /**< Zeros: what QEMU's devices write for a refused read. */
	IOL_PROBE_DST_TARGET,      /**< The target's own bytes (a canary's pattern). */
	IOL_PROBE_DST_OTHER,       /**< Anything else: someone's memory. */
};

/** The IOMMU's fault line in the kernel log. */
enum iol_probe_fault {
	IOL_PROBE_FAULT_NONE = 0,  /**< None appeared. */
	IOL_PROBE_FAULT_SEEN,      /**< One appeared (kept in the attempt). */
	IOL_PROBE_FAULT_UNREADABLE, /**< The kernel log cannot be read. */
};

enum iol_probe_verdict {
	IOL_PROBE_PENDING = 0,     /**< Not judged yet. */
	IOL_PROBE_SKIPPED,         /**< Not attempted (the plan says why). */
	IOL_PROBE_COPIED,          /**< Control: copied, bytes as they are. */
	IOL_PROBE_VOID,            /**< Control failed: the probe proves nothing. */
	IOL_PROBE_BLOCKED,         /**< Blocked, memory untouched. */
	IOL_PROBE_NO_MEMORY,       /**< x86's interrupt window: no memory to reach, memory untouched. */
	IOL_PROBE_UNPROVEN,        /**< Memory untouched, but nothing shows the IOMMU blocked it. */
	IOL_PROBE_BROKEN,          /**< The DMA reached memory it must not reach. */
};

struct iol_probe_evidence {
	enum iol_probe_completion completion;
	int enqueue_err;           /**< For REFUSED: the negative errno. */
	enum iol_probe_dst dst;    /**< Reads only. */
	bool canaries_intact;      /**< Every canary, guard and the source unchanged. */
	char canary_note[96];      /**< When not intact: which and where. */
	enum iol_probe_fault fault;
	char fault_line[160];      /**< For SEEN: the line. */
};

struct iol_probe_attempt {
	enum iol_probe_target target;
	enum iol_probe_dir dir;
	uint64_t iova;
	char what[80];             /**< The target in words: "reserved 0xfee00000-0xfeefffff msi". */
	bool attempted;            /**< false: skip_why says why. */
	char skip_why[128];
	/** Untranslated, the target is canary page @p canary: its bytes are known. */
	bool at_canary;
	unsigned int canary;
	/**
	 * Set by the run: the target's untranslated bytes were read and are
	 * not all zeros (x86 low memory through /dev/mem), so zeros from a
	 * read there are not its bytes.
	 */
	bool bytes_known;
	/**
	 * Untranslated, no memory is at the target: it lies outside every
	 * range of /proc/iomem, or in x86's interrupt window. Zeros from a
	 * read there are nobody's bytes.
	 */
	bool no_memory;
	/**
	 * x86's interrupt address range (0xfee00000-0xfeefffff, an "msi"
	 * region): the IOMMU does not translate it (interrupt remapping
	 * does), so no fault line is expected.
	 */
	bool not_translated;
	struct iol_probe_evidence ev;
	enum iol_probe_verdict verdict;
	char why[192];             /**< The verdict's reason. */
};

/** How an IOMMU family logs a blocked DMA (a property of the kind). */
struct iol_probe_fault_log {
	const char *patterns[3];   /**< Substrings of a fault line, the most telling first. */
	bool logged;               /**< The family logs every blocked DMA (a line is required). */
	/**
	 * Where a line is required, attempts start this far apart: the kernel
	 * rate-limits the lines to 10 in 5 s (VT-d spends three per fault,
	 * virtio-iommu and the SMMU one per faulting access, a dozen for one
	 * copy), so a faster probe would lose its own evidence (seen in the lab).
	 */
	unsigned int spacing_ms;
	const char *note;          /**< For the table: what to expect. */
};

/** The fault log of an IOMMU kind. */
const struct iol_probe_fault_log *iol_probe_fault_log(enum iol_iommu_kind k);

/** Whether @p line (one kernel log line) is a fault line of @p k. */
bool iol_probe_fault_match(enum iol_iommu_kind k, const char *line);

/**
 * Which of @p k's patterns @p line matches, the most telling first (VT-d:
 * the record with the address before the "DRHD: handling fault" line);
 * -1 for none.
 */
int iol_probe_fault_rank(enum iol_iommu_kind k, const char *line);

/** What the plan is made from. */
struct iol_probe_setup {
	const struct iol_topology *topo;
	const char *device;        /**< The engine's PCI address (DDDD:BB:DD.F). */
	/** IOVA ranges mapped in the engine's container, any order. */
	const struct iol_iova_range *mapped;
	unsigned int n_mapped;
	uint64_t buf_iova;         /**< The probe's buffer (inside one mapped range). */
	uint32_t len;              /**< Bytes of each copy. */
	/** Physical address of each canary page; RTE_BAD_IOVA (~0) when unknown. */
	uint64_t canary_pa[IOL_PROBE_CANARIES];
	/** Physical ranges something decodes (top-level /proc/iomem); NULL: unknown. */
	const struct iol_iova_range *phys_used;
	unsigned int n_phys_used;
	bool other_container;      /**< The second container exists (canary OTHER mapped there at its PA). */
	const char *no_other_why;  /**< Otherwise: why not. */
};

/** What the plan found about the device. */
struct iol_probe_plan {
	char engine[64];           /**< As --dma named it. */
	char device[IOL_DEV_NAME_LEN];
	int group;                 /**< The device's IOMMU group. */
	enum iol_iommu_kind kind;  /**< Of the unit serving it (OTHER when unknown). */
	char unit[64];             /**< Its name, "" when unknown. */
	unsigned int width;        /**< Input address width, bits; 0 unknown. */
	bool log_readable;         /**< The kernel log could be read (set by the run). */
	char log_why[128];         /**< Otherwise: why. */
	struct iol_probe_attempt attempts[IOL_PROBE_MAX_ATTEMPTS];
	unsigned int n;
};

/**
 * Choose the attempts: the two controls, then for each blocked target a
 * read and a write (the write skipped unless its IOVA is a canary's
 * physical address not mapped in the container).
 *
 * @return 0, or -1 with the reason in @p err (the device has no group,
 *   the buffer is not in a mapped range).
 */
int iol_probe_plan(const struct iol_probe_setup *s, struct iol_probe_plan *p,
		char *err, size_t errlen);

/**
 * Judge one attempt from its evidence (a->ev): sets a->verdict and a->why.
 * @p fault_log is the family's; a fault line is required for BLOCKED only
 * where the family logs one and the log was readable.
 */
void iol_probe_judge(struct iol_probe_attempt *a, const struct iol_probe_fault_log *fault_log);

/** The result of a judged plan, the worst verdict first: VOID, BROKEN, UNPROVEN, else BLOCKED (no memory counts as blocked). */
enum iol_probe_verdict iol_probe_outcome(const struct iol_probe_plan *p,
		const struct iol_probe_attempt **first);

/**
 * The outcome as one line: "DMA isolation holds: ...", "DMA isolation
 * broken: attempt N (...): why", "DMA isolation not shown: ...", "probe
 * void: ...". @return the outcome.
 */
enum iol_probe_verdict iol_probe_message(const struct iol_probe_plan *p, char *buf, size_t len);

/** "blocked", "broken", ... */
const char *iol_probe_verdict_name(enum iol_probe_verdict v);
const char *iol_probe_target_name(enum iol_probe_target t);

/** The table of attempts, then the outcome line. */
void iol_probe_print(const struct iol_probe_plan *p, FILE *out);

/** The probe as the JSON object "probe" (doc/probe.md). */
void iol_probe_json(const struct iol_probe_plan *p, struct iol_json *j);

/** The kernel log, read from where it was when opened. */
struct iol_kmsg {
	int fd;                    /**< -1 when unreadable. */
	char why[128];             /**< When unreadable: why. */
};

/** Open @p path (NULL: /dev/kmsg) at its end. Never fails: see k->fd. */
void iol_kmsg_open(struct iol_kmsg *k, const char *path);

/**
 * Read every line written since the last call; the most telling fault
 * line of @p kind (iol_probe_fault_rank()) goes to @p line. @return FAULT_SEEN, NONE or UNREADABLE.
 */
enum iol_probe_fault iol_kmsg_scan(struct iol_kmsg *k, enum iol_iommu_kind kind,
		char *line, size_t len);

void iol_kmsg_close(struct iol_kmsg *k);

struct iol_config;

/** What iol_probe_run() needs besides the options; tests change it. */
struct iol_probe_env {
	FILE *out;                 /**< Table; NULL: stdout. */
	const char *sysfs_root;    /**< NULL: "/". */
	const char *kmsg_path;     /**< NULL: /dev/kmsg. */
	/** Physical address of a page (NULL: rte_mem_virt2phy, /proc/self/pagemap). */
	uint64_t (*phys)(const void *va);
	const char *device;        /**< Test only: the device when the engine is not "nic:BDF". */
};

/**
 * The whole probe (the EAL is up): open the engine cfg->dma, refuse it
 * unless it is behind the IOMMU and takes IOVAs, set up the memory, the
 * canaries and the second container (cfg->probe_peer), run the plan,
 * print the table (and cfg->json_path), undo everything in reverse.
 *
 * @return 0 every attempt blocked, 1 one was not (broken or unproven),
 *   2 bad usage, 3 set-up refused or the probe was void.
 */
int iol_probe_run(const struct iol_config *cfg, const struct iol_probe_env *env);

#ifdef __cplusplus
}
#endif

#endif /* IOL_PROBE_H */
