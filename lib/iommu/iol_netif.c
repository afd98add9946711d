/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network interfaces of PCI devices, whether each is up, and the
 * routes through it: what tells a NIC that carries this machine's own
 * traffic (the doctor then gives no bind command) from a free one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iol_sysfs.h"
#include "iol_topology_read.h"

static int
cmp_netif(const void *a, const void *b)
{
	return strcmp(((const struct iol_netif *)a)->name,
		((const struct iol_netif *)b)->name);
}

/* Whether interface @p n is up: IFF_UP in its flags, else its operstate. */
static void
read_netif_state(struct sysfs_ctx *c, struct iol_netif *n, const char *dev)
{
	char path[PATH_MAX], buf[32], q[SYSFS_QUOTE_MAX];
	uint64_t flags;
	int ret;

	if (sysfs_mkpath(c, path, sizeof(path), "/sys/class/net/%s/operstate",
			n->name) == 0) {
		ret = sysfs_read_line(path, n->operstate, sizeof(n->operstate));
		if (ret < 0)
			sysfs_warn(c, "%s: interface %s: %s could not be read: %s", dev,
				n->name, path, sysfs_errstr(-ret));
	}
	if (sysfs_mkpath(c, path, sizeof(path), "/sys/class/net/%s/flags",
			n->name) < 0)
		return;
	ret = sysfs_read_line(path, buf, sizeof(buf));
	if (ret == 0 && strncmp(buf, "0x", 2) == 0 &&
	    sysfs_parse_u64(buf + 2, 16, &flags) == 0) {
		n->up = flags & 1; /* IFF_UP */
		return;
	}
	if (ret < 0)
		sysfs_warn(c, "%s: interface %s: %s could not be read: %s", dev,
			n->name, path, sysfs_errstr(-ret));
	else
		sysfs_warn(c, "%s: interface %s: %s holds garbage: '%s'", dev,
			n->name, path, sysfs_quote(q, buf));
	n->up = strcmp(n->operstate, "up") == 0;
}

/* One interface of @p netdir (DEV/net or DEV/virtioN/net). */
static int
fill_netif(struct sysfs_ctx *c, void *elem, const char *netdir,
	const char *name, void *dev)
{
	struct iol_netif *n = elem;

	(void)netdir;
	sysfs_copy_str(n->name, sizeof(n->name), name);
	read_netif_state(c, n, ((const struct iol_device *)dev)->name);
	return 0;
}

void
topo_read_netifs(struct sysfs_ctx *c, struct iol_device *dev, const char *dir)
{
	char path[PATH_MAX];
	unsigned int n, i;
	char **names;
	int err;

	/* Most devices are no NIC: no net/ is no news. */
	sysfs_cat_path(path, sizeof(path), dir, "net");
	sysfs_read_dir(c, path, dev->name, true, &dev->netifs, &dev->n_netifs,
		sizeof(*dev->netifs), fill_netif, dev, NULL);
	names = sysfs_list_dir(c, dir, &n, &err);
	for (i = 0; i < n; i++) {
		if (strncmp(names[i], "virtio", 6) != 0 ||
		    !sysfs_canonical_uint(names[i] + 6))
			continue;
		sysfs_cat_path3(path, sizeof(path), dir, names[i], "net");
		sysfs_read_dir(c, path, dev->name, true, &dev->netifs,
			&dev->n_netifs, sizeof(*dev->netifs), fill_netif, dev,
			NULL);
	}
	sysfs_free_names(names, n);
	if (dev->n_netifs > 0)
		qsort(dev->netifs, dev->n_netifs, sizeof(*dev->netifs),
			cmp_netif);
}

/* The interface of the topology named @p name, NULL when none is. */
static struct iol_netif *
find_netif(struct iol_topology *t, const char *name)
{
	unsigned int i, k;

	for (i = 0; i < t->n_devs; i++)
		for (k = 0; k < t->devs[i].n_netifs; k++)
			if (strcmp(t->devs[i].netifs[k].name, name) == 0)
				return &t->devs[i].netifs[k];
	return NULL;
}

/* RTF_UP, RTF_REJECT and RTF_LOCAL of the kernel's route flags. */
#define ROUTE_UP 0x0001u
#define ROUTE_REJECT 0x0200u
#define ROUTE_LOCAL 0x80000000u

/*
 * /proc/net/route: "Iface Destination Gateway Flags ...", the destination
 * in the kernel's byte order as hex. Routes to 169.254.0.0/16 are left
 * out, as dpdk-devbind.py leaves them out when it marks an interface
 * with routes *Active*.
 */
static void
route4_line(char *line, void *arg)
{
	char ifname[32], dst[16], gw[16];
	struct iol_netif *n;
	unsigned int flags;
	uint64_t d;

	if (sscanf(line, "%31s %15s %15s %x", ifname, dst, gw, &flags) != 4 ||
	    sysfs_parse_u64(dst, 16, &d) < 0 || !(flags & ROUTE_UP) ||
	    (flags & ROUTE_REJECT))
		return;
	d = ntohl((uint32_t)d);
	if ((d >> 16) == 0xa9fe)
		return;
	n = find_netif(arg, ifname);
	if (n != NULL)
		n->n_routes++;
}

/*
 * /proc/net/ipv6_route: "DST PLEN SRC PLEN NEXTHOP METRIC REFCNT USE
 * FLAGS IFACE". Link-local (fe80::/10) and multicast (ff00::/8) routes
 * exist on every interface that is up, and local ones are its own
 * addresses: none of them says traffic goes there.
 */
static void
route6_line(char *line, void *arg)
{
	char dst[40], ifname[32];
	struct iol_netif *n;
	unsigned int flags;

	if (sscanf(line, "%39s %*x %*s %*x %*s %*x %*x %*x %x %31s", dst, &flags,
			ifname) != 3 || strlen(dst) != 32 ||
	    !(flags & ROUTE_UP) || (flags & (ROUTE_REJECT | ROUTE_LOCAL)) ||
	    strncasecmp(dst, "ff", 2) == 0 ||
	    (strncasecmp(dst, "fe", 2) == 0 && strchr("89abAB", dst[2]) != NULL))
		return;
	n = find_netif(arg, ifname);
	if (n != NULL)
		n->n_routes++;
}

/* Count the routes through each interface the devices carry. */
void
topo_read_routes(struct sysfs_ctx *c)
{
	static const struct {
		const char *file;
		void (*line)(char *line, void *arg);
	} tables[] = {
		{ "/proc/net/route", route4_line },
		{ "/proc/net/ipv6_route", route6_line },
	};
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < c->t->n_devs && c->t->devs[i].n_netifs == 0; i++)
		;
	if (i == c->t->n_devs)
		return;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (sysfs_mkpath(c, path, sizeof(path), "%s", tables[i].file) < 0)
			continue;
		ret = sysfs_for_each_line(path, SYSFS_READ_MAX, tables[i].line, c->t);
		/* No IPv6 in the kernel: no ipv6_route. */
		if (ret < 0 && ret != -ENOENT)
			sysfs_warn(c, "routes: %s could not be read%s: %s", path,
				ret == -EFBIG ? " to the end" : "", sysfs_errstr(-ret));
	}
}
