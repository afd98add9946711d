/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>

#include "iol_units.h"

int
iol_parse_scaled(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return -1;
	}
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

const char *
iol_size_str(uint64_t bytes, enum iol_size_style style, char *buf, size_t len)
{
	static const struct { unsigned int shift; const char *human, *shortname; } units[] = {
		{ 30, "GiB", "G" }, { 20, "MiB", "M" }, { 10, "KiB", "k" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t unit = 1ull << units[i].shift;

		if (bytes < unit || bytes % unit != 0)
			continue;
		if (style == IOL_SIZE_HUMAN)
			snprintf(buf, len, "%" PRIu64 " %s", bytes >> units[i].shift, units[i].human);
		else
			snprintf(buf, len, "%" PRIu64 "%s", bytes >> units[i].shift, units[i].shortname);
		return buf;
	}
	snprintf(buf, len, style == IOL_SIZE_HUMAN ? "%" PRIu64 " bytes" : "%" PRIu64, bytes);
	return buf;
}
