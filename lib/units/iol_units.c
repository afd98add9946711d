/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "iol_units.h"

/*
 * The digits of a number: hex after 0x, else decimal. A leading 0 is not
 * octal: people write 010 for ten, and "0x" for hex.
 */
static int
parse_digits(const char *s, uint64_t *v, const char **rest)
{
	unsigned long long n;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return -1;
	} else if (!isdigit((unsigned char)*s)) {
		return -1;      /* signs, spaces, nothing */
	}
	errno = 0;
	n = strtoull(s, &end, base);
	if (errno != 0)
		return -1;
	*v = n;
	*rest = end;
	return 0;
}

int
iol_parse_u64(const char *s, uint64_t *out)
{
	const char *rest;
	uint64_t v;

	if (parse_digits(s, &v, &rest) < 0 || *rest != '\0')
		return -1;
	*out = v;
	return 0;
}

int
iol_parse_scaled(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	const char *rest;
	uint64_t v;

	if (parse_digits(s, &v, &rest) < 0)
		return -1;
	switch (*rest) {
	case '\0': break;
	case 'k': case 'K': shift = 10; rest++; break;
	case 'm': case 'M': shift = 20; rest++; break;
	case 'g': case 'G': shift = 30; rest++; break;
	default: return -1;
	}
	if (*rest != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
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
