/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <math.h>

#include "iol_json.h"

void
iol_json_init(struct iol_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->overflow = false;
}

static void
put_string(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
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
