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

/*
 * An access block (tag 0x7e): n accesses of the current CPU.  Its fields:
 * n and the bytes of deltas (varints), n descriptors of 16 bits
 * little-endian (kind, the length class of the delta, size), then the
 * deltas, each the difference from the last address of its kind, two's
 * complement, little-endian, in 1 << class bytes.  Where each field is
 * follows from the descriptors, not from scanning varints.
 */
#define ACCESS_BLOCK_TAG	0x7eu
/* An access block with events among its accesses (version 3): after n and
 * d, m (a varint, 1 to BLOCK_EVENTS), after the deltas m varints, each the
 * accesses between one event's place and the last's (the first: from the
 * block's start), every place before the block's last access; the m
 * events are the records that follow the block. */
#define EVENTS_BLOCK_TAG	0x7du
#define BLOCK_EVENTS		4096	/* events among a block's accesses, at most */
#define BLOCK_MAX		4096	/* accesses in a block, at most */
#define BLOCK_SIZE_MAX		0xfffu	/* the largest size a block holds */
#define BLOCK_DESC(kind, class, size) ((unsigned)(kind) << 14 | (unsigned)(class) << 12 | (unsigned)(size))
#define BLOCK_DESC_KIND(d)	((d) >> 14)
#define BLOCK_DESC_CLASS(d)	((d) >> 12 & 3u)
#define BLOCK_DESC_SIZE(d)	((d) & BLOCK_SIZE_MAX)

/* What each record type is (trace_type_nargs, trace_type_tail and
 * trace_type_name read it), for the reader's loop to read without a call. */
struct trace_type_info {
	const char *name;
	int nargs;
	enum trace_tail tail;
};

extern const struct trace_type_info trace_types[TRACE_NR_TYPES];

/* The longest varint: 10 bytes of 7 bits. */
#define VARINT_MAX 10
/* The longest access record: its tag, a size and a delta. */
#define ACCESS_MAX (1 + 2 * VARINT_MAX)

/* A cost record's flags (docs/trace-format.md, "The journal"): its cycles are
 * relative to the CPU's last switch. */
#define TRACE_COST_RELATIVE 1u

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
