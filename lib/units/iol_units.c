/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iol_units.h"

/* The value of @p c as a digit in @p base, or -1. */
static int
digit_value(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)d < base ? d : -1;
}

/*
 * The digits of a number: hex after one 0x, else decimal. A leading 0 is
 * not octal: people write 010 for ten, and "0x" for hex. Digits only, read
 * here rather than by strtoull(), which would take spaces, signs and a
 * second 0x ("0x0x40").
 */
static int
parse_digits(const char *s, uint64_t *v, const char **rest)
{
	unsigned int base = 10;
	uint64_t n = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (digit_value(*s, base) < 0)
		return -1;      /* signs, spaces, nothing, "0x" alone */
	for (; (d = digit_value(*s, base)) >= 0; s++) {
		if (n > (UINT64_MAX - (unsigned int)d) / base)
			return -1;      /* overflow */
		n = n * base + (unsigned int)d;
	}
	*v = n;
	*rest = s;
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

/* Longest message kept: longer ones are cut. */
#define MSG_MAX 1024

int
iol_verrf(char *err, size_t len, const char *fmt, va_list ap)
{
	char msg[MSG_MAX];

	if (err == NULL || len == 0)
		return -1;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(err, len, "%s", msg);
	return -1;
}

int
iol_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	iol_verrf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

void
iol_errf_append(char *err, size_t len, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;
	size_t n;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strnlen(err, len - 1);
	snprintf(err + n, len - n, "%s", msg);
}
