/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iol_json.h"

void
iol_json_init(struct iol_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->overflow = false;
}

/*
 * Length of the well-formed UTF-8 sequence at @p p (1 to 4), or 0. The
 * string ends in a NUL, which stops a truncated sequence before its end.
 */
static unsigned int
utf8_len(const unsigned char *p)
{
	unsigned int n, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past Unicode are not UTF-8. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * Strings often come from files (sysfs, pci.ids) that may hold anything:
 * control characters and bytes that are not UTF-8 are escaped, so the
 * output is always valid JSON (a stray byte 0xNN becomes \u00NN).
 */
static void
put_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int n;

	fputc('"', out);
	while (*p != '\0') {
		switch (*p) {
		case '"': fputs("\\\"", out); p++; continue;
		case '\\': fputs("\\\\", out); p++; continue;
		case '\n': fputs("\\n", out); p++; continue;
		case '\r': fputs("\\r", out); p++; continue;
		case '\t': fputs("\\t", out); p++; continue;
		}
		n = utf8_len(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p);
			p++;
			continue;
		}
		fwrite(p, 1, n, out);
		p += n;
	}
	fputc('"', out);
}

/* Separator, indentation and key before any value. */
static void
begin_value(struct iol_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (j->depth > 0)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
	if (key != NULL) {
		put_string(j->out, key);
		fputs(": ", j->out);
	}
}

static void
open_container(struct iol_json *j, const char *key, char c)
{
	begin_value(j, key);
	fputc(c, j->out);
	if (j->depth == IOL_JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	j->first[++j->depth] = true;
}

static void
close_container(struct iol_json *j, char c)
{
	bool empty;

	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
	fputc(c, j->out);
}

void
iol_json_object_open(struct iol_json *j, const char *key)
{
	open_container(j, key, '{');
}

void
iol_json_object_close(struct iol_json *j)
{
	close_container(j, '}');
}

void
iol_json_array_open(struct iol_json *j, const char *key)
{
	open_container(j, key, '[');
}

void
iol_json_array_close(struct iol_json *j)
{
	close_container(j, ']');
}

void
iol_json_string(struct iol_json *j, const char *key, const char *val)
{
	begin_value(j, key);
	if (val == NULL)
		fputs("null", j->out);
	else
		put_string(j->out, val);
}

void
iol_json_u64(struct iol_json *j, const char *key, uint64_t val)
{
	begin_value(j, key);
	fprintf(j->out, "%" PRIu64, val);
}

void
iol_json_i64(struct iol_json *j, const char *key, int64_t val)
{
	begin_value(j, key);
	fprintf(j->out, "%" PRId64, val);
}

void
iol_json_double(struct iol_json *j, const char *key, double val)
{
	begin_value(j, key);
	if (isfinite(val))
		fprintf(j->out, "%.6g", val);
	else
		fputs("null", j->out);
}

void
iol_json_bool(struct iol_json *j, const char *key, bool val)
{
	begin_value(j, key);
	fputs(val ? "true" : "false", j->out);
}

void
iol_json_null(struct iol_json *j, const char *key)
{
	begin_value(j, key);
	fputs("null", j->out);
}

void
iol_json_hex(struct iol_json *j, const char *key, uint64_t val)
{
	begin_value(j, key);
	fprintf(j->out, "\"0x%" PRIx64 "\"", val);
}

int
iol_json_finish(struct iol_json *j)
{
	fputc('\n', j->out);
	if (j->overflow || j->depth != 0 || ferror(j->out))
		return -1;
	return 0;
}

static mode_t
current_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

int
iol_json_file_open(struct iol_json_file *jf, const char *path, char *err, size_t errlen)
{
	int fd, e;

	jf->f = NULL;
	jf->path = path;
	if ((size_t)snprintf(jf->tmp, sizeof(jf->tmp), "%s.XXXXXX", path) >= sizeof(jf->tmp)) {
		snprintf(err, errlen, "the path %s is too long", path);
		return -1;
	}
	fd = mkstemp(jf->tmp);
	if (fd < 0 || (jf->f = fdopen(fd, "w")) == NULL) {
		e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(jf->tmp);
		}
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -1;
	}
	/* mkstemp's 0600 is for secrets: a report is as readable as any file. */
	fchmod(fd, 0666 & ~current_umask());
	return 0;
}

int
iol_json_file_commit(struct iol_json_file *jf, bool written)
{
	int e;

	written &= fflush(jf->f) == 0 && fsync(fileno(jf->f)) == 0;
	written &= fclose(jf->f) == 0;
	jf->f = NULL;
	if (written && rename(jf->tmp, jf->path) == 0)
		return 0;
	e = errno;
	unlink(jf->tmp);
	errno = e;
	return -1;
}

void
iol_json_file_discard(struct iol_json_file *jf)
{
	if (jf->f == NULL)
		return;
	fclose(jf->f);
	unlink(jf->tmp);
	jf->f = NULL;
}
