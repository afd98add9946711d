/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_IOMMU_H
#define IOL_IOMMU_H

/**
 * @file
 * IOMMU groups, reserved regions and a doctor for userspace DMA.
 *
 * iol_topology_read() takes a snapshot of what sysfs and procfs say about
 * the IOMMU, the PCI devices, the vfio modules, /dev/vfio and hugepages,
 * below a root directory ("/" on a real host, a fixture tree in tests).
 * Nothing read from those files is trusted: a missing, unreadable or
 * malformed file, or a device removed while it is read, becomes one
 * message in iol_topology::warnings and the rest of the snapshot is kept.
 *
 * iol_doctor_run() checks a snapshot against a plan (devices, memory to
 * pin, DMA mappings, IOVA ranges) and says PASS, WARN or FAIL for each
 * prerequisite of VFIO, with the exact fix for each WARN and FAIL.
 *
 * There is no global state: any number of snapshots may live at once.
 * Every result is freed with its matching free function.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "iol_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Length of a PCI address "DDDD:BB:DD.F" plus room for other device names. */
#define IOL_DEV_NAME_LEN 64

/** Type of an IOMMU reserved region, as the kernel names it. */
enum iol_resv_type {
	IOL_RESV_DIRECT = 0,       /**< "direct": identity mapped, not mappable. */
	IOL_RESV_DIRECT_RELAXABLE, /**< "direct-relaxable": VFIO may map over it. */
	IOL_RESV_RESERVED,         /**< "reserved": never mappable. */
	IOL_RESV_MSI,              /**< "msi": the MSI doorbell window. */
	IOL_RESV_UNKNOWN,          /**< A type this code does not know. */
};

/** One line of /sys/kernel/iommu_groups/N/reserved_regions. */
struct iol_resv_region {
	uint64_t start;            /**< First byte. */
	uint64_t end;              /**< Last byte (inclusive). */
	enum iol_resv_type type;   /**< Parsed type. */
	char type_name[24];        /**< Type as the kernel wrote it. */
};

/**
 * A network interface of a PCI device: its net/ directory in sysfs, or
 * that of its virtio device (virtioN/net/) for virtio-net.
 */
struct iol_netif {
	char name[32];             /**< e.g. "eth0". */
	bool up;                   /**< IFF_UP in /sys/class/net/IF/flags
	                                (unreadable: operstate "up"). */
	char operstate[16];        /**< operstate as read, "" when unreadable. */
	unsigned int n_routes;     /**< Routes through it in /proc/net/route and
	                                /proc/net/ipv6_route (not link-local,
	                                multicast, local or reject ones). */
};

/** One device: a PCI function, or any other member of an IOMMU group. */
struct iol_device {
	char name[IOL_DEV_NAME_LEN]; /**< PCI address or sysfs name. */
	bool is_pci;               /**< Found under /sys/bus/pci/devices. */
	bool present;              /**< Its sysfs directory could be read. */
	bool has_ids;              /**< vendor, device and class were read. */
	uint16_t vendor;           /**< PCI vendor ID. */
	uint16_t device;           /**< PCI device ID. */
	uint32_t class_code;       /**< 24-bit class code (class, subclass, prog-if). */
	int numa_node;             /**< NUMA node, -1 when none or unknown. */
	char driver[64];           /**< Bound driver, "" when unbound. */
	int group;                 /**< IOMMU group number, -1 when none. */
	char iommu[64];            /**< Name of the IOMMU serving it, "" when unknown. */
	char *vendor_name;         /**< From pci.ids, NULL when unknown. */
	char *device_name;         /**< From pci.ids, NULL when unknown. */
	char *class_name;          /**< From pci.ids, NULL when unknown. */
	struct iol_netif *netifs;  /**< Its network interfaces, sorted by name. */
	unsigned int n_netifs;
};

/** One IOMMU group. */
struct iol_iommu_group {
	int id;                    /**< Group number. */
	char type[32];             /**< Content of its "type" file, "" when absent. */
	unsigned int *devs;        /**< Indexes into iol_topology::devs. */
	unsigned int n_devs;       /**< Number of devices. */
	struct iol_resv_region *resv; /**< Reserved regions, sorted by start. */
	unsigned int n_resv;       /**< Number of reserved regions. */
	bool noiommu;              /**< A vfio noiommu group (/dev/vfio/noiommu-N). */
};

/** Kind of an IOMMU instance. */
enum iol_iommu_kind {
	IOL_IOMMU_INTEL,           /**< Intel VT-d (dmarN). */
	IOL_IOMMU_AMD,             /**< AMD-Vi (ivhdN). */
	IOL_IOMMU_ARM_SMMU,        /**< ARM SMMU (smmu..., smmu3...). */
	IOL_IOMMU_OTHER,           /**< Anything else in /sys/class/iommu. */
	IOL_IOMMU_VIRTIO,          /**< virtio-iommu (driver virtio_iommu, or virtioN). */
};

/** One IOMMU instance from /sys/class/iommu. */
struct iol_iommu_unit {
	char name[64];             /**< e.g. "dmar0". */
	enum iol_iommu_kind kind;  /**< Which family. */
	bool has_cap;              /**< cap was read. */
	uint64_t cap;              /**< Capability register (Intel cap, AMD features). */
	unsigned int addr_width;   /**< Input address width in bits, 0 when unknown. */
	char width_source[48];     /**< Where addr_width came from. */
	const char *width_hint;    /**< Where to look when unknown (SMMU: dmesg
	                                "ias"), NULL otherwise. */
};

/** A parameter of a vfio module. */
struct iol_module_param {
	char module[32];           /**< e.g. "vfio_iommu_type1". */
	char name[48];             /**< e.g. "dma_entry_limit". */
	char value[64];            /**< Its value as read. */
};

/** A node in /dev/vfio. */
struct iol_vfio_node {
	char name[64];             /**< "vfio", "12", "noiommu-0", ... */
	mode_t mode;               /**< st_mode. */
	uid_t uid;                 /**< Owner. */
	gid_t gid;                 /**< Group. */
	bool usable;               /**< This process may open it read-write. */
};

/** Hugepage counts for one page size, host-wide or on one NUMA node. */
struct iol_hugepages {
	uint64_t page_size;        /**< Bytes. */
	int node;                  /**< NUMA node, -1 for the host-wide count. */
	uint64_t total;            /**< nr_hugepages. */
	uint64_t free;             /**< free_hugepages. */
	uint64_t resv;             /**< resv_hugepages: free pages promised to
	                                mappings that have not faulted them in,
	                                so not free for a new one. Host-wide only
	                                (the kernel keeps no count per node): 0
	                                on nodes and when the file is absent. */
};

/** A hugetlbfs mount from /proc/mounts. */
struct iol_hugetlbfs_mount {
	char path[256];            /**< Mount point. */
	uint64_t page_size;        /**< Bytes (pagesize= or the default size). */
};

/** Everything read from one root. Build with iol_topology_read(). */
struct iol_topology {
	char root[256];            /**< The root it was read from. */
	struct iol_device *devs;   /**< PCI devices sorted by name, then group-only devices. */
	unsigned int n_devs;
	struct iol_iommu_group *groups; /**< Sorted by group number. */
	unsigned int n_groups;
	struct iol_iommu_unit *units; /**< Sorted by name. */
	unsigned int n_units;
	char **cmdline_opts;       /**< IOMMU, vfio and hugepage options of /proc/cmdline. */
	unsigned int n_cmdline_opts;
	bool cmdline_read;         /**< /proc/cmdline was read. */
	bool mod_vfio;             /**< /sys/module/vfio exists. */
	bool mod_vfio_type1;       /**< /sys/module/vfio_iommu_type1 exists. */
	bool mod_vfio_pci;         /**< /sys/module/vfio_pci exists. */
	struct iol_module_param *params; /**< Parameters of those modules. */
	unsigned int n_params;
	int64_t dma_entry_limit;   /**< -1 when unknown. */
	int noiommu_mode;          /**< enable_unsafe_noiommu_mode: 1, 0, -1 unknown. */
	int unsafe_interrupts;     /**< vfio_iommu_type1 allow_unsafe_interrupts (the
	                                loaded module's, else the command line's):
	                                1, 0, -1 unknown. */
	char kernel_release[64];   /**< proc/sys/kernel/osrelease, "" unknown. */
	bool has_dev_vfio;         /**< /dev/vfio is a directory. */
	struct iol_vfio_node *nodes; /**< /dev/vfio entries sorted by name. */
	unsigned int n_nodes;
	uint64_t default_hugepage_size; /**< Hugepagesize of /proc/meminfo, 0 unknown. */
	struct iol_hugepages *hugepages; /**< Host-wide then per node, by size. */
	unsigned int n_hugepages;
	struct iol_hugetlbfs_mount *mounts;
	unsigned int n_mounts;
	uint64_t memlock_limit;    /**< RLIMIT_MEMLOCK of this process (UINT64_MAX: unlimited). */
	bool cap_ipc_lock;         /**< This process has CAP_IPC_LOCK. */
	char **warnings;           /**< What could not be read, one sentence each. */
	unsigned int n_warnings;
};

/**
 * Read the topology below @p root.
 *
 * @param root
 *   Directory holding sys/, proc/, dev/ and usr/share/ ("/" or NULL for
 *   the running host).
 * @return
 *   The snapshot (free with iol_topology_free()), or NULL when out of
 *   memory. Read problems never fail the call; they are listed in
 *   iol_topology::warnings.
 */
struct iol_topology *iol_topology_read(const char *root);

/** Free a snapshot; NULL is allowed. */
void iol_topology_free(struct iol_topology *topo);

/** The family's name: "Intel VT-d", "AMD-Vi", "ARM SMMU", "virtio-iommu", "IOMMU". */
const char *iol_iommu_family(enum iol_iommu_kind k);

/** Find a device by name (PCI address), NULL when absent. */
const struct iol_device *iol_topology_device(const struct iol_topology *topo,
	const char *name);

/** Find a group by number, NULL when absent. */
const struct iol_iommu_group *iol_topology_group(const struct iol_topology *topo,
	int id);

/** Whether the host has an IOMMU of kind @p k. */
bool iol_topology_has_unit(const struct iol_topology *topo, enum iol_iommu_kind k);

/**
 * The pool of @p page_size pages on NUMA node @p node (-1: the host-wide
 * pool), NULL when there is none.
 */
const struct iol_hugepages *iol_topology_hugepages(
	const struct iol_topology *topo, int node, uint64_t page_size);

/**
 * Whether the host has a real IOMMU: an instance in /sys/class/iommu or
 * an IOMMU group that is not a vfio noiommu group.
 */
bool iol_topology_iommu_enabled(const struct iol_topology *topo);

/** Size of a canonical PCI address "DDDD:BB:DD.F" with its NUL. */
#define IOL_PCI_ADDR_LEN 13

/** The forms iol_pci_addr_canon() accepts, for messages. */
#define IOL_PCI_ADDR_FORMS \
	"DDDD:BB:DD.F or BB:DD.F (hex digits, e.g. 0000:00:03.0 or 00:03.0)"

/**
 * A PCI address in the form sysfs names devices: "DDDD:BB:DD.F", lower
 * case. Accepts that form and "BB:DD.F" (domain 0), hex digits in either
 * case; nothing else (no other number of digits, no surrounding space,
 * no ",param" suffix).
 *
 * @return 0 with @p out set, or -1 when @p in is no such address.
 */
int iol_pci_addr_canon(const char *in, char out[IOL_PCI_ADDR_LEN]);

/**
 * Print the listing: "IOMMU Group N:" then each device and each reserved
 * region, groups in numeric order, then the host section.
 *
 * @param device
 *   NULL for every group; otherwise only this device and its group.
 * @return 0, or -1 when @p device is not found (nothing is printed).
 */
int iol_topology_print(const struct iol_topology *topo, FILE *out,
	const char *device);

/**
 * Write the topology as one JSON object (schema in doc/iovaloop-info.md).
 *
 * @param device NULL for everything, or only this device and its group.
 * @return 0, or -1 when @p device is not found.
 */
int iol_topology_json(const struct iol_topology *topo, struct iol_json *j,
	const char *device);

/**
 * RLIMIT_MEMLOCK of the calling process and whether it has CAP_IPC_LOCK
 * (with which VFIO type1 skips locked-page accounting).
 *
 * @param limit Bytes; UINT64_MAX when unlimited.
 * @param cap_ipc_lock Set when CAP_IPC_LOCK is in the effective set.
 */
void iol_memlock_get(uint64_t *limit, bool *cap_ipc_lock);

/** A planned IOVA range, both ends inclusive. */
struct iol_iova_range {
	uint64_t start;            /**< First byte. */
	uint64_t end;              /**< Last byte. */
};

/** What a run will do; set with iol_doctor_plan_init() then fill. */
struct iol_doctor_plan {
	const char *const *devices; /**< PCI addresses; may be empty. */
	unsigned int n_devices;
	uint64_t pin_bytes;        /**< Memory that will be pinned for DMA. */
	uint64_t mappings;         /**< DMA mappings the run needs (0: not checked). */
	uint64_t hugepage_size;    /**< Page size used; 0: the default size. */
	uint64_t hugepage_bytes;   /**< Bytes needed on each device's node (0: one page). */
	const struct iol_iova_range *iova; /**< Planned IOVA ranges; may be empty. */
	unsigned int n_iova;
	bool allow_noiommu;        /**< The user accepts unsafe noiommu mode. */
	uint64_t memlock_limit;    /**< Bytes; UINT64_MAX unlimited. */
	bool cap_ipc_lock;         /**< The process has CAP_IPC_LOCK. */
};

/**
 * Zero @p plan and fill memlock_limit and cap_ipc_lock from the calling
 * process (tests may override both afterwards).
 */
void iol_doctor_plan_init(struct iol_doctor_plan *plan);

/**
 * Address width in bits of the narrowest IOMMU unit serving @p devs (all
 * units when a device's unit is unknown), as the doctor's IOVA checks
 * judge it; 0 when no unit's width is known.
 */
unsigned int iol_doctor_dma_width(const struct iol_topology *t,
		const char *const *devs, unsigned int n_devs);

/** Verdict of one check. */
enum iol_verdict {
	IOL_PASS = 0,
	IOL_WARN,
	IOL_FAIL,
};

/** One check of the doctor. */
struct iol_check {
	char *name;                /**< Stable id: "iommu", "driver", "group-viable", ... */
	char *subject;             /**< Device it is about, NULL for host checks. */
	enum iol_verdict verdict;
	char *message;             /**< One line: what was found. */
	char *fix;                 /**< For WARN and FAIL: what to do; else NULL. */
};

/** The checks in the order they were run. */
struct iol_doctor_report {
	struct iol_check *checks;
	unsigned int n_checks;
	unsigned int n_fail;       /**< Checks that FAILed. */
	unsigned int n_warn;       /**< Checks that WARNed. */
};

/**
 * Check every prerequisite of @p plan against @p topo.
 *
 * Host checks: iommu, noiommu, vfio-modules, unsafe-interrupts, memlock,
 * dma-entry-limit, hugepages (when no device is given). Per device: device, driver,
 * group-viable, vfio-node, hugepages. Then iova-width and iova-reserved
 * for each planned range.
 *
 * @return The report (free with iol_doctor_report_free()), NULL when out
 *   of memory.
 */
struct iol_doctor_report *iol_doctor_run(const struct iol_topology *topo,
	const struct iol_doctor_plan *plan);

/**
 * Check only IOVA ranges: each must lie below the narrowest address width
 * of the IOMMUs serving @p devices and outside their groups' reserved
 * regions. With no device, every IOMMU and every group is used.
 *
 * @return A report of "iova-width" and "iova-reserved" checks, NULL when
 *   out of memory.
 */
struct iol_doctor_report *iol_doctor_check_iova(const struct iol_topology *topo,
	const char *const *devices, unsigned int n_devices,
	const struct iol_iova_range *iova, unsigned int n_iova);

/**
 * Check only hugepages: the doctor's "hugepages" check, as iol_doctor_run()
 * makes it for each NUMA node of the devices, for @p bytes (0: one page)
 * of @p page_size pages (0: the default size) on NUMA node @p node (-1:
 * the host). Pages reserved by other mappings (resv_hugepages) are not
 * free; on a node, the host's free pages less its reserved ones must
 * cover the need too. A node without its own counts is checked against
 * the host's.
 *
 * @return A report of one "hugepages" check, NULL when out of memory.
 */
struct iol_doctor_report *iol_doctor_check_hugepages(
	const struct iol_topology *topo, uint64_t page_size, uint64_t bytes,
	int node);

/** "PASS", "WARN" or "FAIL". */
const char *iol_verdict_name(enum iol_verdict v);

/** Print one line a check: "FAIL  message; fix: ...". */
void iol_doctor_report_print(const struct iol_doctor_report *rep, FILE *out);

/** Write the report as a JSON object {"checks": [...], "fail": N, "warn": N}. */
void iol_doctor_report_json(const struct iol_doctor_report *rep,
	struct iol_json *j);

/** Free a report; NULL is allowed. */
void iol_doctor_report_free(struct iol_doctor_report *rep);

#ifdef __cplusplus
}
#endif

#endif /* IOL_IOMMU_H */
