/*
 * writer: records encoded into a buffer, compressed with zstd a buffer at a
 * time, appended to the file (docs/trace-format.md).  A CPU's consecutive
 * accesses are gathered into an access block, which ends where its
 * accesses say (content-defined, so that a program's loop makes the same
 * blocks each time round and zstd finds them again), when it is full,
 * when the CPU changes, before an access no block holds, before an event
 * of the program's work (a fault, a page-table store, an mm operation:
 * these come at the same places of a loop too) and at the end.  The
 * payments of a CPU's slices (insns, pay), which come on the simulated
 * clock wherever the program is, are held with their places among the
 * block's accesses and written after it instead of ending it.  The access
 * log (trace.h) is written, whole and first, at every entry below: the
 * accesses appended to it come before whatever is given to the writer next.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "traces/format.h"
#include "traces/trace.h"

#define RAW_SIZE (64 * 1024)
#define BLOCK_WRITE 512		/* accesses a block gathers at most: replay's batch */
#define BLOCK_MIN 64		/* and at least, unless something else ends it */
#define HELD_MAX (16 * 1024)	/* bytes of events held before the block is written */
#define EVENT_MAX 1024		/* room for the longest event record (below) */
/* The longest events: a cost record (its tag, an argument, the flags, the
 * mask, 64 steps, the total, indirect cycles and refills), a flush of 64
 * mms after its 4 arguments, a record of TRACE_MAX_ARGS arguments, a kind
 * record (its tag, its argument, its name's length and 255 bytes). */
_Static_assert(EVENT_MAX >= 1 + VARINT_MAX * (1 + 2 + TRACE_MAX_STEPS + 3), "a cost record");
_Static_assert(EVENT_MAX >= 1 + VARINT_MAX * (4 + TRACE_MAX_MMS), "a flush of mms");
_Static_assert(EVENT_MAX >= 1 + VARINT_MAX * TRACE_MAX_ARGS, "the most arguments");
_Static_assert(EVENT_MAX >= 1 + 2 * VARINT_MAX + TRACE_MAX_NAME, "a kind record");

/* The access block being gathered, its fields apart until written, and
 * the events among its accesses: their places (the accesses before each)
 * and their bytes. */
struct block {
	unsigned n;
	uint8_t descs[2 * BLOCK_WRITE];
	uint8_t deltas[8 * BLOCK_WRITE];
	size_t deltas_len;
	unsigned m;
	uint16_t places[BLOCK_EVENTS];
	uint8_t held[HELD_MAX + EVENT_MAX];
	size_t held_len;
	bool holding;			/* the bytes put go to held */
};

struct trace_writer {
	FILE *file;
	char *path;
	ZSTD_CCtx *cctx;
	uint8_t raw[RAW_SIZE];
	size_t len;
	uint8_t *out;
	size_t out_size;
	int cpu;			/* of the last access or event */
	uint64_t prev[TRACE_MAX_CPUS][3];	/* last address per CPU and kind */
	uint64_t records;
	struct block block;
	struct trace_log log;
	int log_cpu;			/* the CPU of the log's accesses */
	GString *error;			/* the first error; empty: none */
};

static void fail(struct trace_writer *w, const char *what, int err)
{
	if (!w->error->len)
		g_string_printf(w->error, "%s: %s: %s", w->path, what, strerror(err));
}

/* Compress what is buffered; with `end`, finish the frame. */
static void drain(struct trace_writer *w, bool end)
{
	ZSTD_inBuffer in = { w->raw, w->len, 0 };
	size_t left;

	do {
		ZSTD_outBuffer out = { w->out, w->out_size, 0 };

		left = ZSTD_compressStream2(w->cctx, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(left)) {
			if (!w->error->len)
				g_string_printf(w->error, "%s: compressing: %s", w->path,
						ZSTD_getErrorName(left));
			break;
		}
		if (out.pos && fwrite(w->out, 1, out.pos, w->file) != out.pos)
			fail(w, "writing", errno);
	} while (in.pos < in.size || (end && left));
	w->len = 0;
}

/* Room for `n` more bytes in raw (or in the held events, which have room
 * for one event): where they go. */
static inline uint8_t *reserve(struct trace_writer *w, size_t n)
{
	if (w->block.holding)
		return w->block.held + w->block.held_len;
	if (RAW_SIZE - w->len < n)
		drain(w, false);
	return w->raw + w->len;
}

/* The bytes put into reserve()'s room end at p. */
static inline void commit(struct trace_writer *w, const uint8_t *p)
{
	if (w->block.holding)
		w->block.held_len = (size_t)(p - w->block.held);
	else
		w->len = (size_t)(p - w->raw);
}

static void put_byte(struct trace_writer *w, uint8_t b)
{
	uint8_t *p = reserve(w, 1);

	*p = b;
	commit(w, p + 1);
}

/* `v` as a varint at `p`, which has room for it: the byte after it. */
static inline uint8_t *encode_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static void put_varint(struct trace_writer *w, uint64_t v)
{
	commit(w, encode_varint(reserve(w, VARINT_MAX), v));
}

static void put_string(struct trace_writer *w, const char *s)
{
	size_t n = s ? strnlen(s, TRACE_MAX_STRING) : 0;

	put_varint(w, n);
	for (size_t i = 0; i < n; i++)
		put_byte(w, (uint8_t)s[i]);
}

/* Records that follow are about `cpu`. */
static void select_cpu(struct trace_writer *w, int cpu)
{
	if (cpu == w->cpu)
		return;
	w->cpu = cpu;
	put_byte(w, TRACE_CPU);
	put_varint(w, (uint64_t)cpu);
	w->records++;
}

struct trace_writer *trace_writer_open(const char *path, const struct trace_header *h,
				       GString *error)
{
	struct trace_writer *w = g_new0(struct trace_writer, 1);
	uint8_t prefix[TRACE_PREFIX_SIZE];
	uint32_t version = TRACE_VERSION;

	w->path = g_strdup(path);
	w->error = g_string_new(NULL);
	w->file = fopen(path, "wb");
	if (!w->file) {
		g_string_printf(error, "%s: cannot create: %s", path, strerror(errno));
		g_string_free(w->error, TRUE);
		g_free(w->path);
		g_free(w);
		return NULL;
	}
	w->cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	w->out_size = ZSTD_CStreamOutSize();
	w->out = g_malloc(w->out_size);
	memcpy(prefix, TRACE_MAGIC, 8);
	for (int i = 0; i < 4; i++)
		prefix[8 + i] = (uint8_t)(version >> (8 * i));
	if (fwrite(prefix, 1, sizeof(prefix), w->file) != sizeof(prefix))
		fail(w, "writing", errno);
	put_string(w, h->guest);
	put_string(w, h->options);
	put_string(w, h->profile);
	return w;
}

/* The gathered block as a record: tag, n, the bytes of deltas, the
 * events among its accesses (m, those whose place is before its last
 * access), the descriptors, the deltas, the places of those m; then the
 * events held, those m and any after its last access, as they came.  Its
 * accesses and events were counted as records. */
static void flush_block(struct trace_writer *w)
{
	struct block *b = &w->block;
	unsigned m = 0, last = 0;
	uint8_t *p;

	if (!b->n)
		return;
	while (m < b->m && b->places[m] < b->n)
		m++;
	p = reserve(w, 1 + 3 * VARINT_MAX + 2 * b->n + b->deltas_len + m * VARINT_MAX);
	*p++ = m ? EVENTS_BLOCK_TAG : ACCESS_BLOCK_TAG;
	p = encode_varint(p, b->n);
	p = encode_varint(p, b->deltas_len);
	if (m)
		p = encode_varint(p, m);
	p = mempcpy(p, b->descs, 2 * b->n);
	p = mempcpy(p, b->deltas, b->deltas_len);
	for (unsigned k = 0; k < m; k++) {
		p = encode_varint(p, b->places[k] - last);
		last = b->places[k];
	}
	commit(w, p);
	if (b->held_len) {
		p = reserve(w, b->held_len);
		commit(w, mempcpy(p, b->held, b->held_len));
	}
	b->n = 0;
	b->deltas_len = 0;
	b->m = 0;
	b->held_len = 0;
}

/* The length class of delta `d`: the fewest of 1, 2, 4 or 8 bytes (1 <<
 * class) that hold it, sign-extended. */
static unsigned delta_class(int64_t d)
{
	return d == (int8_t)d ? 0 : d == (int16_t)d ? 1 : d == (int32_t)d ? 2 : 3;
}

/* Whether a block may end after the access of descriptor `desc` and
 * delta `delta`: for one access in 256, by a hash of them (the same
 * accesses end blocks wherever they come). */
static bool cut_after(unsigned desc, uint64_t delta)
{
	return ((desc * UINT64_C(0x9e3779b97f4a7c15) ^ delta) * UINT64_C(0xff51afd7ed558ccd)) >> 56 == 0;
}

/* Access `n` of the block, after `*len` bytes of deltas: its descriptor
 * and its delta's bytes (all 8 stored, *len moved past its length).  Its
 * descriptor.  The counts are the caller's to keep (in registers across a
 * batch: the block's byte stores may alias anything in memory). */
static inline __attribute__((always_inline)) unsigned
encode_gathered(struct block *b, unsigned n, size_t *len, enum trace_kind kind, uint64_t size,
		uint64_t delta)
{
	unsigned c = delta_class((int64_t)delta), desc = BLOCK_DESC(kind, c, size);
	uint64_t le = GUINT64_TO_LE(delta);

	b->descs[2 * n] = (uint8_t)desc;
	b->descs[2 * n + 1] = (uint8_t)(desc >> 8);
	memcpy(b->deltas + *len, &le, 8);
	*len += 1u << c;
	return desc;
}

/* Whether the block ends after its access `n` (counted from 1). */
static inline bool block_ends(unsigned n, unsigned desc, uint64_t delta)
{
	return n == BLOCK_WRITE || (n >= BLOCK_MIN && cut_after(desc, delta));
}

/* The access added to the block; the block written if it ends there. */
static void gather_access(struct trace_writer *w, enum trace_kind kind, uint64_t size,
			  uint64_t delta)
{
	struct block *b = &w->block;
	unsigned desc = encode_gathered(b, b->n, &b->deltas_len, kind, size, delta);

	if (block_ends(++b->n, desc, delta))
		flush_block(w);
}

/* A single access record, for a size no block holds. */
static void put_access(struct trace_writer *w, enum trace_kind kind, uint64_t size, uint64_t z)
{
	uint8_t *p = reserve(w, ACCESS_MAX);

	*p++ = (uint8_t)ACCESS_TAG(kind, size);
	if (size >= 32)
		p = encode_varint(p, size);
	p = encode_varint(p, z);
	commit(w, p);
}

/* Accesses that follow are `cpu`'s: the block is another CPU's no more. */
static inline void select_access_cpu(struct trace_writer *w, int cpu)
{
	if (cpu != w->cpu) {
		flush_block(w);
		select_cpu(w, cpu);
	}
}

/* An access of the selected CPU whose size no block holds: alone. */
static void put_alone(struct trace_writer *w, enum trace_kind kind, uint64_t size,
		      uint64_t delta)
{
	flush_block(w);
	put_access(w, kind, size, zigzag((int64_t)delta));
}

/* The log's accesses, in order, as trace_write_access would write them:
 * gathered with the block's counts in registers. */
static __attribute__((noinline)) void write_log(struct trace_writer *w)
{
	const struct trace_access *a = w->log.entries, *end = a + w->log.n;
	uint64_t *prev = w->prev[w->log_cpu];
	struct block *b = &w->block;
	unsigned n, desc;
	size_t len;

	select_access_cpu(w, w->log_cpu);
	w->records += w->log.n;
	n = b->n;
	len = b->deltas_len;
	for (; a < end; a++) {
		uint64_t delta = a->addr - prev[a->kind];

		prev[a->kind] = a->addr;
		if (__builtin_expect(a->size - 1 < BLOCK_SIZE_MAX, 1)) {
			desc = encode_gathered(b, n, &len, a->kind, a->size, delta);
			if (!block_ends(++n, desc, delta))
				continue;
		}
		b->n = n;
		b->deltas_len = len;
		if (a->size - 1 < BLOCK_SIZE_MAX)
			flush_block(w);
		else
			put_alone(w, a->kind, a->size, delta);
		n = b->n;
		len = b->deltas_len;
	}
	b->n = n;
	b->deltas_len = len;
	w->log.n = 0;
}

/* Every entry's first step: what the log holds goes before. */
static inline void write_logged(struct trace_writer *w)
{
	if (w->log.n)
		write_log(w);
}

void trace_write_access(struct trace_writer *w, int cpu, enum trace_kind kind, uint64_t addr,
			uint64_t size)
{
	uint64_t *prev = &w->prev[cpu][kind], delta;

	write_logged(w);	/* first: it may move *prev */
	select_access_cpu(w, cpu);
	delta = addr - *prev;
	*prev = addr;
	w->records++;
	if (size - 1 < BLOCK_SIZE_MAX)
		gather_access(w, kind, size, delta);
	else
		put_alone(w, kind, size, delta);
}

void trace_log_write(struct trace_log *log)
{
	write_logged((struct trace_writer *)((char *)log - offsetof(struct trace_writer, log)));
}

struct trace_log *trace_writer_log(struct trace_writer *w, int cpu)
{
	write_logged(w);
	w->log_cpu = cpu;
	return &w->log;
}

void trace_write_event(struct trace_writer *w, int cpu, enum trace_type type,
		       const uint64_t *args)
{
	trace_write_tailed(w, cpu, type, args, NULL, NULL, NULL);
}

/* The first error of the writer (trace_writer_close reports it). */
static void fail_cause(struct trace_writer *w, const char *cause)
{
	if (!w->error->len)
		g_string_printf(w->error, "%s: %s", w->path, cause);
}

/* A kind record's name at p (room for its length and TRACE_MAX_NAME
 * bytes): the byte after. */
static uint8_t *encode_name(struct trace_writer *w, uint8_t *p, const char *name)
{
	size_t n = strnlen(name, TRACE_MAX_NAME + 1);

	if (!n || n > TRACE_MAX_NAME) {
		fail_cause(w, "a latency kind's name is empty or longer than 255 bytes");
		n = MIN(MAX(n, 1), TRACE_MAX_NAME);
	}
	p = encode_varint(p, n);
	for (size_t i = 0; i < n; i++)
		*p++ = name[i] ? (uint8_t)name[i] : '?';
	return p;
}

/* A cost at p: its flags, the mask of its steps that have cycles, their
 * cycles, the total, indirect cycles and refills.  The byte after. */
static uint8_t *encode_cost(uint8_t *p, const struct trace_cost *c)
{
	uint64_t mask = 0;

	for (int s = 0; s < TRACE_MAX_STEPS; s++)
		mask |= (uint64_t)(c->cycles[s] != 0) << s;
	p = encode_varint(p, c->relative ? TRACE_COST_RELATIVE : 0);
	p = encode_varint(p, mask);
	for (; mask; mask &= mask - 1)	/* the steps named, lowest first */
		p = encode_varint(p, c->cycles[__builtin_ctzll(mask)]);
	p = encode_varint(p, c->total);
	p = encode_varint(p, c->indirect);
	return encode_varint(p, c->refills);
}

/* What follows the fixed arguments of a record of `type` (its
 * trace_type_tail), at p: a name, a cost or a list of mms.  The byte
 * after. */
static uint8_t *encode_tail(struct trace_writer *w, uint8_t *p, enum trace_type type,
			    const uint64_t *args, const char *name,
			    const struct trace_cost *cost, const uint64_t *mms)
{
	switch (trace_type_tail(type)) {
	case TAIL_NAME:
		return encode_name(w, p, name);
	case TAIL_COST:
		return encode_cost(p, cost);
	case TAIL_MMS:
		if (args[3] > TRACE_MAX_MMS)
			fail_cause(w, "a flush of more than 64 address spaces at once");
		for (uint64_t i = 0; i < MIN(args[3], TRACE_MAX_MMS); i++)
			p = encode_varint(p, mms[i]);
		return p;
	case TAIL_NONE:
		break;
	}
	return p;
}

void trace_write_tailed(struct trace_writer *w, int cpu, enum trace_type type,
			const uint64_t *args, const char *name, const struct trace_cost *cost,
			const uint64_t *mms)
{
	struct block *b = &w->block;
	uint8_t *p;

	write_logged(w);
	if (cpu >= 0 && cpu != w->cpu) {
		flush_block(w);
		select_cpu(w, cpu);
	} else if (type != TRACE_INSNS && type != TRACE_PAY) {
		flush_block(w);
	}
	if (b->n) {	/* a payment, held at its place among the block's accesses */
		b->places[b->m++] = (uint16_t)b->n;
		b->holding = true;
	}
	p = reserve(w, EVENT_MAX);	/* the whole record, in one piece */
	*p++ = (uint8_t)type;
	for (int i = 0; i < trace_type_nargs(type); i++)
		p = encode_varint(p, args[i]);
	commit(w, encode_tail(w, p, type, args, name, cost, mms));
	w->records++;
	if (b->holding) {
		b->holding = false;
		if (b->held_len >= HELD_MAX || b->m == BLOCK_EVENTS)
			flush_block(w);
	}
}

int trace_writer_close(struct trace_writer *w, GString *error)
{
	int ret;

	write_logged(w);
	flush_block(w);
	put_byte(w, TRACE_END);
	put_varint(w, w->records);
	drain(w, true);
	if (fclose(w->file))
		fail(w, "closing", errno);
	ret = w->error->len ? -1 : 0;
	if (ret)
		g_string_assign(error, w->error->str);
	ZSTD_freeCCtx(w->cctx);
	g_string_free(w->error, TRUE);
	g_free(w->out);
	g_free(w->path);
	g_free(w);
	return ret;
}
