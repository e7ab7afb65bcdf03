/*
 * writer: records encoded into a buffer, compressed with zstd a buffer at a
 * time, appended to the file (docs/trace-format.md).  A CPU's consecutive
 * accesses are gathered into an access block, written when it is full,
 * when the CPU changes, before any other record and at the end: every
 * record keeps its place among the accesses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "traces/format.h"
#include "traces/trace.h"

#define RAW_SIZE (64 * 1024)
#define BLOCK_WRITE 512		/* accesses a block gathers: replay's batch */

/* The access block being gathered, its fields apart until written. */
struct block {
	unsigned n;
	uint8_t descs[2 * BLOCK_WRITE];
	uint8_t deltas[8 * BLOCK_WRITE];
	size_t deltas_len;
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

static void put_byte(struct trace_writer *w, uint8_t b)
{
	if (w->len == RAW_SIZE)
		drain(w, false);
	w->raw[w->len++] = b;
}

/* Room for `n` more bytes in raw: where they go. */
static inline uint8_t *reserve(struct trace_writer *w, size_t n)
{
	if (RAW_SIZE - w->len < n)
		drain(w, false);
	return w->raw + w->len;
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
	w->len = (size_t)(encode_varint(reserve(w, VARINT_MAX), v) - w->raw);
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
 * descriptors, the deltas.  Its accesses were counted as records. */
static void flush_block(struct trace_writer *w)
{
	struct block *b = &w->block;
	uint8_t *p;

	if (!b->n)
		return;
	p = reserve(w, 1 + 2 * VARINT_MAX + 2 * b->n + b->deltas_len);
	*p++ = ACCESS_BLOCK_TAG;
	p = encode_varint(p, b->n);
	p = encode_varint(p, b->deltas_len);
	p = mempcpy(p, b->descs, 2 * b->n);
	p = mempcpy(p, b->deltas, b->deltas_len);
	w->len = (size_t)(p - w->raw);
	b->n = 0;
	b->deltas_len = 0;
}

/* The length class of delta `d`: the fewest of 1, 2, 4 or 8 bytes (1 <<
 * class) that hold it, sign-extended. */
static unsigned delta_class(int64_t d)
{
	return d == (int8_t)d ? 0 : d == (int16_t)d ? 1 : d == (int32_t)d ? 2 : 3;
}

/* The access added to the block: its descriptor, its delta's bytes (all 8
 * stored, the length kept). */
static void gather_access(struct trace_writer *w, enum trace_kind kind, uint64_t size,
			  uint64_t delta)
{
	struct block *b = &w->block;
	unsigned c = delta_class((int64_t)delta), desc = BLOCK_DESC(kind, c, size);

	b->descs[2 * b->n] = (uint8_t)desc;
	b->descs[2 * b->n + 1] = (uint8_t)(desc >> 8);
	delta = GUINT64_TO_LE(delta);
	memcpy(b->deltas + b->deltas_len, &delta, 8);
	b->deltas_len += 1u << c;
	if (++b->n == BLOCK_WRITE)
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
	w->len = (size_t)(p - w->raw);
}

void trace_write_access(struct trace_writer *w, int cpu, enum trace_kind kind, uint64_t addr,
			uint64_t size)
{
	uint64_t *prev = &w->prev[cpu][kind], delta = addr - *prev;

	if (cpu != w->cpu) {
		flush_block(w);
		select_cpu(w, cpu);
	}
	*prev = addr;
	w->records++;
	if (size - 1 < BLOCK_SIZE_MAX) {
		gather_access(w, kind, size, delta);
		return;
	}
	flush_block(w);
	put_access(w, kind, size, zigzag((int64_t)delta));
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

static void write_name(struct trace_writer *w, const char *name)
{
	size_t n = strnlen(name, TRACE_MAX_NAME + 1);

	if (!n || n > TRACE_MAX_NAME) {
		fail_cause(w, "a latency kind's name is empty or longer than 255 bytes");
		n = MIN(MAX(n, 1), TRACE_MAX_NAME);
	}
	put_varint(w, n);
	for (size_t i = 0; i < n; i++)
		put_byte(w, name[i] ? (uint8_t)name[i] : '?');
}

static void write_cost(struct trace_writer *w, const struct trace_cost *c)
{
	uint64_t mask = 0;

	for (int s = 0; s < TRACE_MAX_STEPS; s++)
		mask |= (uint64_t)(c->cycles[s] != 0) << s;
	put_varint(w, c->relative ? TRACE_COST_RELATIVE : 0);
	put_varint(w, mask);
	for (int s = 0; s < TRACE_MAX_STEPS; s++)
		if (mask >> s & 1)
			put_varint(w, c->cycles[s]);
	put_varint(w, c->total);
	put_varint(w, c->indirect);
	put_varint(w, c->refills);
}

/* What follows the fixed arguments of a record of `type` (its trace_type_tail):
 * a name, a cost or a list of mms. */
static void write_tail(struct trace_writer *w, enum trace_type type, const uint64_t *args,
		       const char *name, const struct trace_cost *cost, const uint64_t *mms)
{
	switch (trace_type_tail(type)) {
	case TAIL_NAME:
		write_name(w, name);
		break;
	case TAIL_COST:
		write_cost(w, cost);
		break;
	case TAIL_MMS:
		if (args[3] > TRACE_MAX_MMS)
			fail_cause(w, "a flush of more than 64 address spaces at once");
		for (uint64_t i = 0; i < MIN(args[3], TRACE_MAX_MMS); i++)
			put_varint(w, mms[i]);
		break;
	case TAIL_NONE:
		break;
	}
}

void trace_write_tailed(struct trace_writer *w, int cpu, enum trace_type type,
			const uint64_t *args, const char *name, const struct trace_cost *cost,
			const uint64_t *mms)
{
	flush_block(w);
	if (cpu >= 0)
		select_cpu(w, cpu);
	put_byte(w, (uint8_t)type);
	for (int i = 0; i < trace_type_nargs(type); i++)
		put_varint(w, args[i]);
	if (trace_type_tail(type) != TAIL_NONE)
		write_tail(w, type, args, name, cost, mms);
	w->records++;
}

int trace_writer_close(struct trace_writer *w, GString *error)
{
	int ret;

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
