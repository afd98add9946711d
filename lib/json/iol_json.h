/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IOL_JSON_H
#define IOL_JSON_H

/**
 * @file
 * A small streaming JSON writer.
 *
 * The reports of iovaloop and iovaloop-info are written with it so that
 * every program emits the same, valid JSON: strings are escaped, commas
 * and indentation are handled here, never by the caller. Members are
 * written in call order. A @p key of NULL writes an array element (or the
 * top-level value); otherwise a named object member.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting of objects and arrays the writer accepts. */
#define IOL_JSON_MAX_DEPTH 16

/** Writer state; initialise with iol_json_init(). */
struct iol_json {
	FILE *out;                             /**< Destination. */
	int depth;                             /**< Current nesting. */
	bool first[IOL_JSON_MAX_DEPTH + 1];    /**< No member yet at depth. */
	bool overflow;                         /**< Nesting was too deep. */
};

/** Start writing one JSON document to @p out. */
void iol_json_init(struct iol_json *j, FILE *out);

/** Open an object (as member @p key, or as an element if @p key is NULL). */
void iol_json_object_open(struct iol_json *j, const char *key);
/** Close the innermost object. */
void iol_json_object_close(struct iol_json *j);
/** Open an array (as member @p key, or as an element if @p key is NULL). */
void iol_json_array_open(struct iol_json *j, const char *key);
/** Close the innermost array. */
void iol_json_array_close(struct iol_json *j);

/** Write a string; NULL writes null. */
void iol_json_string(struct iol_json *j, const char *key, const char *val);
/** Write an unsigned integer. */
void iol_json_u64(struct iol_json *j, const char *key, uint64_t val);
/** Write a signed integer. */
void iol_json_i64(struct iol_json *j, const char *key, int64_t val);
/** Write a number; NaN and infinities are written as null. */
void iol_json_double(struct iol_json *j, const char *key, double val);
/** Write true or false. */
void iol_json_bool(struct iol_json *j, const char *key, bool val);
/** Write null. */
void iol_json_null(struct iol_json *j, const char *key);
/**
 * Write an address as a string "0x..." (JSON numbers lose precision
 * above 2^53, and addresses are read as hex).
 */
void iol_json_hex(struct iol_json *j, const char *key, uint64_t val);

/**
 * End the document.
 *
 * @return 0 if every value was written, all containers closed and the
 *   stream has no error; -1 otherwise.
 */
int iol_json_finish(struct iol_json *j);

/**
 * A report file written whole or not at all: a temporary file beside
 * @c path, made at open (so an unwritable place is refused before anything
 * else is done), renamed over @c path by a commit. A run that fails before
 * its report leaves an earlier file as it was.
 */
struct iol_json_file {
	FILE *f;                    /**< Write the report here; NULL when not open. */
	const char *path;
	char tmp[4096];
};

/** Make the temporary file. @return 0, or -1 with one line in @p err ("cannot write ..."). */
int iol_json_file_open(struct iol_json_file *jf, const char *path, char *err, size_t errlen);

/**
 * Close and rename the file over its path when @p written (the report was
 * written whole); else, or when that fails, remove it.
 * @return 0, or -1 with errno set.
 */
int iol_json_file_commit(struct iol_json_file *jf, bool written);

/** Remove the temporary file, if open: no report. */
void iol_json_file_discard(struct iol_json_file *jf);

#ifdef __cplusplus
}
#endif

#endif /* IOL_JSON_H */
