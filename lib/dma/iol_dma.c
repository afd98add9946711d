/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The back-end registry: iol_dma_open() asks each registered back end in
 * turn whether the name is one of its own. The dmadev back end is asked
 * last, as any name can be a dmadev's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "iol_dma.h"

#define MAX_BACKENDS 8

static const struct iol_dma_backend *backends[MAX_BACKENDS];
static unsigned int n_backends;

/* The dmadev back end (iol_dma_dmadev.c): the fallback for every name. */
extern const struct iol_dma_backend iol_dma_dmadev_backend;

void
iol_dma_backend_register(const struct iol_dma_backend *b)
{
	/* Registration runs in constructors, before any message can be read. */
	RTE_VERIFY(n_backends < MAX_BACKENDS);
	backends[n_backends++] = b;
}

/* "a dmadev name or id, or nic:BDF": every back end's usage, dmadev's last. */
static void
usage_list(char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n_backends && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s, ", backends[i]->usage);
	if (n < len)
		snprintf(buf + n, len - n, "%s%s", n_backends > 0 ? "or " : "",
			iol_dma_dmadev_backend.usage);
}

int
iol_dma_open(const char *spec, int container_fd, struct iol_dma_engine *e,
		char *err, size_t errlen)
{
	char usage[256];
	unsigned int i;
	int ret = 1;

	memset(e, 0, sizeof(*e));
	if (spec == NULL || spec[0] == '\0' || strlen(spec) >= sizeof(e->name)) {
		usage_list(usage, sizeof(usage));
		snprintf(err, errlen, "--dma: an engine name of 1 to %zu characters is "
			"needed: %s", sizeof(e->name) - 1, usage);
		return -EINVAL;
	}
	for (i = 0; i < n_backends && ret == 1; i++)
		ret = backends[i]->open(spec, container_fd, e, err, errlen);
	if (ret == 1)
		ret = iol_dma_dmadev_backend.open(spec, container_fd, e, err, errlen);
	if (ret == 1) {
		/* dmadev's err says what it has; add what every back end takes. */
		char why[160];

		snprintf(why, sizeof(why), "%s", err);
		usage_list(usage, sizeof(usage));
		snprintf(err, errlen, "--dma %s: %s; engines: %s", spec, why, usage);
		ret = -ENODEV;
	}
	if (ret == 0)
		snprintf(e->name, sizeof(e->name), "%s", spec);
	else
		memset(e, 0, sizeof(*e));
	return ret;
}

void
iol_dma_close(struct iol_dma_engine *e)
{
	if (e->ops != NULL)
		e->ops->close(e);
	memset(e, 0, sizeof(*e));
}
