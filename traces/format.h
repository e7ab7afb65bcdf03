/*
 * format: the encoding details the writer and the reader share
 * (docs/trace-format.md): the file's plain prefix, the access tag's bits,
 * zigzag deltas.  Not for users of traces/trace.h.
 */
#ifndef TRACES_FORMAT_H
#define TRACES_FORMAT_H

#include <stdint.h>

#include "traces/trace.h"

/* The plain prefix: the 8-byte magic, then the version, 4 bytes little-endian. */
#define TRACE_PREFIX_SIZE 12

/* An access tag: 1 kk sssss, kind k, size s (0: a varint size follows). */
#define ACCESS_KIND(tag)	(((tag) >> 5) & 3u)
#define ACCESS_SIZE(tag)	((tag) & 31u)
#define ACCESS_TAG(kind, size)	(0x80u | (unsigned)(kind) << 5 | ((size) < 32 ? (unsigned)(size) : 0u))

/* The longest varint: 10 bytes of 7 bits. */
#define VARINT_MAX 10
/* The longest access record: its tag, a size and a delta. */
#define ACCESS_MAX (1 + 2 * VARINT_MAX)

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
