/*
 * reader: a trace file decompressed a block at a time (traces/zstream.h)
 * and decoded record by record where the bytes lie, every field checked
 * (docs/trace-format.md).  Errors name the file, the offset and the
 * cause; after one, the reader only fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "traces/format.h"
#include "traces/trace.h"
#include "traces/zstream.h"

struct trace_reader {
	FILE *file;
	char *path;
	struct zstream z;		/* the stream decompressed: z.buf[z.pos, z.len) not read yet */
	int cpu;
	uint64_t prev[TRACE_MAX_CPUS][3];
	uint64_t records;
	uint64_t kinds[3];		/* accesses of each kind decoded */
	uint32_t version;		/* of the file: 1 has no journal records */
	bool ended, failed;
	uint64_t *addrs;		/* the run of accesses decoded (BLOCK_MAX) */
	uint16_t *descs;		/* and their descriptors */
	size_t run_pos, run_len;	/* given out so far, decoded */
	uint64_t run_offset;		/* of the tag of the block they came from */
	uint16_t *places;		/* of its events (BLOCK_EVENTS): accesses before each */
	size_t events, event_next;	/* its events, read so far */
};

/* An error at `offset` of the decompressed stream, or of the file (see
 * file_fail). */
static int fail_at(struct trace_reader *r, GString *error, const char *where, uint64_t offset,
		   const char *fmt, va_list ap)
{
	g_string_printf(error, "%s: %s %" PRIu64 ": ", r->path, where, offset);
	g_string_append_vprintf(error, fmt, ap);
	r->failed = true;
	return -1;
}

static int fail(struct trace_reader *r, GString *error, uint64_t offset, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
static int file_fail(struct trace_reader *r, GString *error, uint64_t offset, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static int file_fail(struct trace_reader *r, GString *error, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_at(r, error, "file offset", offset, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail(struct trace_reader *r, GString *error, uint64_t offset, const char *fmt, ...)
{
	va_list ap;


	va_start(ap, fmt);
	fail_at(r, error, "stream offset", offset, fmt, ap);
	va_end(ap);
	return -1;
}

/* More of the stream after what is not read yet: 1: some more bytes, 0:
 * the end of the stream, -1. */
static int refill(struct trace_reader *r, GString *error)
{
	int ret = zstream_refill(&r->z, error);

	r->failed |= ret < 0;
	return ret;
}

static uint64_t offset_now(const struct trace_reader *r)
{
	return r->z.base + r->z.pos;
}

/* One byte of the record that started at `start`. */
static int get_byte(struct trace_reader *r, uint64_t start, uint8_t *b, GString *error)
{
	if (r->z.pos == r->z.len) {
		int ret = refill(r, error);

		if (ret < 0)
			return -1;
		if (!ret)
			return fail(r, error, start, "truncated: the record there is incomplete");
	}
	*b = r->z.buf[r->z.pos++];
	return 0;
}

static inline int get_varint(struct trace_reader *r, uint64_t start, uint64_t *v, GString *error);

static int get_string(struct trace_reader *r, char **s, GString *error)
{
	uint64_t start = offset_now(r), n;
	uint8_t b = 0;

	if (get_varint(r, start, &n, error))
		return -1;
	if (n > TRACE_MAX_STRING)
		return fail(r, error, start, "a header string of %" PRIu64 " bytes (at most %d)", n,
			    TRACE_MAX_STRING);
	*s = g_malloc(n + 1);
	for (uint64_t i = 0; i < n; i++) {
		if (get_byte(r, start, &b, error))
			return -1;
		if (!b)
			return fail(r, error, start, "a NUL byte inside a header string");
		(*s)[i] = (char)b;
	}
	(*s)[n] = '\0';
	return 0;
}

static int check_prefix(struct trace_reader *r, GString *error)
{
	uint8_t prefix[TRACE_PREFIX_SIZE];
	size_t n = fread(prefix, 1, sizeof(prefix), r->file);
	uint32_t version = 0;

	if (n < sizeof(prefix) && ferror(r->file))
		return file_fail(r, error, n, "reading: %s", strerror(errno));
	if (n == 0)
		return file_fail(r, error, 0, "empty file, not an mmusim trace");
	if (memcmp(prefix, TRACE_MAGIC, MIN(n, 8)))
		return file_fail(r, error, 0, "not an mmusim trace (no \"%s\" at the start)", TRACE_MAGIC);
	if (n < sizeof(prefix))
		return file_fail(r, error, n, "truncated: the file ends inside its prefix");
	for (int i = 0; i < 4; i++)
		version |= (uint32_t)prefix[8 + i] << (8 * i);
	if (version < 1 || version > TRACE_VERSION)
		return file_fail(r, error, 8, "trace format version %u; this mmusim reads versions 1 to %d",
			    version, TRACE_VERSION);
	r->version = version;
	return 0;
}

/* The longest access block: its tag, n, d and m, 2 bytes of descriptor
 * and 8 of delta an access, a varint an event.  The longest record the
 * reader reads in place, so the most bytes a refill keeps. */
#define BLOCK_RECORD_MAX (1 + 3 * VARINT_MAX + 10 * BLOCK_MAX + VARINT_MAX * BLOCK_EVENTS)

struct trace_reader *trace_reader_open(const char *path, struct trace_header *h,
				       GString *error)
{
	struct trace_reader *r = g_new0(struct trace_reader, 1);

	memset(h, 0, sizeof(*h));
	r->path = g_strdup(path);
	r->file = fopen(path, "rb");
	if (!r->file) {
		g_string_printf(error, "%s: cannot open: %s", path, strerror(errno));
		trace_reader_close(r);
		return NULL;
	}
	r->addrs = g_new(uint64_t, BLOCK_MAX);
	r->descs = g_new(uint16_t, BLOCK_MAX);
	r->places = g_new(uint16_t, BLOCK_EVENTS);
	/* The stream after the prefix.  + 8 BLOCK_MAX + 8: the deltas of a
	 * block whose classes add up to more than it states are read (and
	 * then rejected), each as 8 bytes. */
	zstream_open(&r->z, r->file, r->path, TRACE_PREFIX_SIZE, BLOCK_RECORD_MAX,
		     8 * BLOCK_MAX + 8);
	if (check_prefix(r, error) || get_string(r, &h->guest, error) ||
	    get_string(r, &h->options, error) || get_string(r, &h->profile, error)) {
		trace_header_clear(h);
		trace_reader_close(r);
		return NULL;
	}
	return r;
}

static int read_access(struct trace_reader *r, uint8_t tag, struct trace_record *rec,
		       GString *error)
{
	uint64_t delta;

	if (ACCESS_KIND(tag) > TRACE_FETCH)
		return fail(r, error, rec->offset, "an access of unknown kind (tag %#x)", tag);
	rec->type = TRACE_ACCESS;
	rec->kind = (enum trace_kind)ACCESS_KIND(tag);
	rec->size = ACCESS_SIZE(tag);
	if (!rec->size && get_varint(r, rec->offset, &rec->size, error))
		return -1;
	if (rec->size == 0 || rec->size < 32 * !ACCESS_SIZE(tag))
		return fail(r, error, rec->offset, "an access of %" PRIu64 " bytes", rec->size);
	if (get_varint(r, rec->offset, &delta, error))
		return -1;
	rec->addr = r->prev[r->cpu][rec->kind] + (uint64_t)unzigzag(delta);
	if (rec->addr + rec->size - 1 < rec->addr)
		return fail(r, error, rec->offset, "an access past the end of the address space");
	r->prev[r->cpu][rec->kind] = rec->addr;
	return 0;
}

/* After the end record: nothing more, and the frame complete (its checksum
 * checked). */
static int check_end(struct trace_reader *r, const struct trace_record *rec, GString *error)
{
	int ret;

	if (rec->args[0] != r->records)
		return fail(r, error, rec->offset,
			    "the end record counts %" PRIu64 " records, %" PRIu64 " came before it",
			    rec->args[0], r->records);
	if (r->z.pos < r->z.len)
		return fail(r, error, offset_now(r), "data after the end record");
	ret = refill(r, error);
	if (ret < 0)
		return -1;
	if (ret)
		return fail(r, error, r->z.base, "data after the end record");
	r->ended = true;
	return 0;
}

/* The varint of `len` bytes (1 to 8) at `p`, 8 bytes readable there: its
 * 7-bit groups shifted together, without a branch. */
static inline uint64_t varint_of(const uint8_t *p, unsigned len)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
	x = GUINT64_FROM_LE(x) & ~UINT64_C(0) >> (64 - 8 * len);
	return (x & 0x7f) | (x >> 1 & UINT64_C(0x7f) << 7) | (x >> 2 & UINT64_C(0x7f) << 14) |
	       (x >> 3 & UINT64_C(0x7f) << 21) | (x >> 4 & UINT64_C(0x7f) << 28) |
	       (x >> 5 & UINT64_C(0x7f) << 35) | (x >> 6 & UINT64_C(0x7f) << 42) |
	       (x >> 7 & UINT64_C(0x7f) << 49);
}

/* What decoding from memory found. */
enum decoded { DECODED, CUT, INVALID };

/* The varint at *p, which must end before `end`: *p moved past it; CUT if
 * it does not, INVALID if it is longer than 64 bits. */
static enum decoded bounded_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (int i = 0; i < VARINT_MAX; i++) {
		if (*p + i == end)
			return CUT;
		if (i == VARINT_MAX - 1 && (*p)[i] > 1)
			return INVALID;
		x |= (uint64_t)((*p)[i] & 0x7f) << (7 * i);
		if (!((*p)[i] & 0x80)) {
			*v = x;
			*p += i + 1;
			return DECODED;
		}
	}
	return INVALID;
}

/* The varint at `p`, whose VARINT_MAX bytes the caller knows are in the
 * buffer: the byte after it, or NULL if it is longer than 64 bits (the
 * checked path says so).  Most deltas take one or two bytes; one of three
 * to eight (an address far from the last of its kind) ends at the first
 * of its bytes whose top bit is clear, found without a loop. */
static inline const uint8_t *fast_varint(const uint8_t *p, uint64_t *v)
{
	uint64_t x, stops;
	unsigned len;

	if (p[0] < 0x80) {
		*v = p[0];
		return p + 1;
	}
	if (p[1] < 0x80) {
		*v = (p[0] & 0x7fu) | (uint64_t)p[1] << 7;
		return p + 2;
	}
	memcpy(&x, p, sizeof(x));
	stops = ~GUINT64_FROM_LE(x) & UINT64_C(0x8080808080808080);
	if (!stops) {	/* 9 or 10 bytes, or too long */
		if (bounded_varint(&p, p + VARINT_MAX, &x) != DECODED)
			return NULL;
		*v = x;		/* x, not *v: kept in a register */
		return p;
	}
	len = ((unsigned)__builtin_ctzll(stops) + 1) / 8;
	*v = varint_of(p, len);
	return p + len;
}

/* bounded_varint, straight from memory when the longest fits before
 * `end`. */
static inline enum decoded take_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *q;

	if (end - *p < VARINT_MAX)
		return bounded_varint(p, end, v);
	if (!(q = fast_varint(*p, v)))
		return INVALID;
	*p = q;
	return DECODED;
}

/* A varint of the record that started at `start`, a byte at a time (it
 * may be cut by the end of the buffer). */
static G_GNUC_NO_INLINE int get_varint_slow(struct trace_reader *r, uint64_t start, uint64_t *v,
					    GString *error)
{
	uint8_t b = 0;

	*v = 0;
	for (int i = 0; i < VARINT_MAX; i++) {
		if (get_byte(r, start, &b, error))
			return -1;
		if (i == VARINT_MAX - 1 && b > 1)
			break;
		*v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return 0;
	}
	return fail(r, error, start, "a number longer than 64 bits");
}

/* A varint of the record that started at `start`: straight from the buffer
 * when the longest fits in what is left of it, else get_varint_slow. */
static inline __attribute__((always_inline)) int
get_varint(struct trace_reader *r, uint64_t start, uint64_t *v, GString *error)
{
	const uint8_t *q;

	if (r->z.len - r->z.pos < VARINT_MAX)
		return get_varint_slow(r, start, v, error);
	if (!(q = fast_varint(r->z.buf + r->z.pos, v)))
		return fail(r, error, start, "a number longer than 64 bits");
	r->z.pos = (size_t)(q - r->z.buf);
	return 0;
}

/* The last address of each kind on the CPU, in registers while a batch is
 * decoded: through memory, each access would wait for the store of the
 * last one of its kind. */
struct last {
	uint64_t read, write, fetch;
};

/* The access of `kind` and `size` at zigzag `delta` from the last of its
 * kind: its address into *out; false if it wraps past 2^64. */
static inline bool add_access(struct last *l, unsigned kind, uint64_t size, uint64_t delta,
			      uint64_t *out)
{
	uint64_t addr = (kind == TRACE_READ ? l->read : kind == TRACE_WRITE ? l->write : l->fetch) +
			(uint64_t)unzigzag(delta);

	if (addr + size - 1 < addr)
		return false;
	l->read = kind == TRACE_READ ? addr : l->read;
	l->write = kind == TRACE_WRITE ? addr : l->write;
	l->fetch = kind == TRACE_FETCH ? addr : l->fetch;
	*out = addr;
	return true;
}

/* The access record at *p, of up to BLOCK_SIZE_MAX bytes, varints of up
 * to VARINT_MAX bytes, ACCESS_MAX bytes there: its address and descriptor
 * (class 0) into *addr and *desc; false for another record, a bigger
 * access or an invalid one. */
static inline bool decode_one(const uint8_t **p, struct last *l, uint64_t *addr, uint16_t *desc)
{
	const uint8_t *q = *p + 1;
	unsigned tag = **p, kind = ACCESS_KIND(tag);
	uint64_t size = ACCESS_SIZE(tag), delta;

	if (tag - 0x80u >= 0x60u)	/* an event, or an access of kind 3 */
		return false;
	if (!size && (!(q = fast_varint(q, &size)) || size < 32 || size > BLOCK_SIZE_MAX))
		return false;
	if (!(q = fast_varint(q, &delta)) || !add_access(l, kind, size, delta, addr))
		return false;
	*desc = (uint16_t)BLOCK_DESC(kind, 0, size);
	*p = q;
	return true;
}

/* ---- access blocks (tag 0x7e) ---- */

/* Where the fields of an access block are. */
struct block {
	unsigned n, m;			/* accesses, events among them */
	unsigned kinds[3];		/* its accesses of each kind */
	bool narrow;			/* every delta of one byte (class 0) */
	unsigned period, repeat;	/* its loop (repeat_start): 0 and n if none */
	const uint8_t *descs, *deltas, *end;	/* end: of the deltas */
	const uint8_t *after;		/* the block's end: its events' places read */
};

static enum decoded explain(GString *why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* INVALID, and why in `why` (if not NULL: the fast path needs no words). */
static enum decoded explain(GString *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		g_string_vprintf(why, fmt, ap);
		va_end(ap);
	}
	return INVALID;
}

#define PERIOD_MAX 8	/* the longest period of a loop's accesses looked for */

/* Whether access i of the block `b`, descriptor and byte of deltas, is
 * access i - p: read from the block itself (equal in either byte order),
 * before its descriptors are checked. */
static bool repeats(const struct block *b, unsigned i, unsigned p)
{
	uint16_t d, e;

	memcpy(&d, b->descs + 2 * i, 2);
	memcpy(&e, b->descs + 2 * (i - p), 2);
	return d == e && b->deltas[i] == b->deltas[i - p];
}

/* Sixteen bytes: a vector of the compiler's. */
typedef uint8_t byte_vec __attribute__((vector_size(16)));

/* Whether the 16 accesses of the block `b` before i are those p before
 * them (as repeats): their descriptors and bytes of deltas XORed with
 * those p before, in three vectors ORed, all zero. */
static inline bool repeats16(const struct block *b, unsigned i, unsigned p)
{
	byte_vec d0, d1, e0, e1, x, y, diff;
	uint64_t half[2];

	memcpy(&d0, b->descs + 2 * (i - 16), 16);
	memcpy(&d1, b->descs + 2 * (i - 8), 16);
	memcpy(&e0, b->descs + 2 * (i - 16 - p), 16);
	memcpy(&e1, b->descs + 2 * (i - 8 - p), 16);
	memcpy(&x, b->deltas + i - 16, 16);
	memcpy(&y, b->deltas + i - 16 - p, 16);
	diff = (d0 ^ e0) | (d1 ^ e1) | (x ^ y);
	memcpy(half, &diff, 16);
	return !(half[0] | half[1]);
}

/* Where the block `b` starts repeating its accesses every p (p < n): the
 * first access i such that every access from i on is access i - p, and
 * i >= p; n if the last is not.  Looked for backwards, sixteen accesses
 * at a time while they repeat.  (Of a narrow block's accesses, a loop;
 * of a wide one's, only its descriptors are known to repeat.) */
static unsigned repeat_start(const struct block *b, unsigned p)
{
	unsigned i = b->n;

	while (i >= p + 16 && repeats16(b, i, p))
		i -= 16;
	while (i > p && repeats(b, i - 1, p))
		i--;
	return i;
}

/* The period of the block `b`'s last accesses: the smallest p (1 to
 * PERIOD_MAX) at which its last access repeats; 0 if none. */
static unsigned period_of(const struct block *b)
{
	for (unsigned p = 1; p <= PERIOD_MAX && p < b->n; p++)
		if (repeats(b, b->n - 1, p))
			return p;
	return 0;
}

/* Eight descriptors: a vector of the compiler's (SSE2 on x86-64, NEON on
 * AArch64, plain integers elsewhere). */
typedef uint16_t desc_vec __attribute__((vector_size(16)));

/* Whether descriptor d is of kind 3 or of size 0. */
static inline bool desc_fault(unsigned d)
{
	return BLOCK_DESC_KIND(d) == 3 || !BLOCK_DESC_SIZE(d);
}

/* The eight lanes of x added up, or ORed, by halving: two shuffles of the
 * vector, then its first two lanes. */
static inline unsigned sum_lanes(desc_vec x)
{
	x += __builtin_shufflevector(x, x, 4, 5, 6, 7, 0, 1, 2, 3);
	x += __builtin_shufflevector(x, x, 2, 3, 0, 1, 2, 3, 0, 1);
	return (uint16_t)(x[0] + x[1]);
}

static inline uint16_t or_lanes(desc_vec x)
{
	x |= __builtin_shufflevector(x, x, 4, 5, 6, 7, 0, 1, 2, 3);
	x |= __builtin_shufflevector(x, x, 2, 3, 0, 1, 2, 3, 0, 1);
	return x[0] | x[1];
}

/* The descriptors of `b` that repeat (from b->repeat on, as those
 * b->period before them, checked) copied into desc, in the host's order,
 * and counted by kind into b->kinds: each of the last period checked
 * stands for the accesses at its place in the periods after. */
static void copy_repeat(struct block *b, uint16_t *desc)
{
	unsigned s = b->repeat, p = b->period;

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	memcpy(desc + s, b->descs + 2 * s, 2 * (b->n - s));
#else
	for (unsigned i = s; i < b->n; i++)
		desc[i] = desc[i - p];
#endif
	for (unsigned j = 0; j < p; j++)	/* 0 for a place past n */
		b->kinds[BLOCK_DESC_KIND(desc[s - p + j])] += (b->n - s - j + p - 1) / p;
}

/* The descriptors of `b` copied into desc, in the host's order, checked
 * (true: one is of kind 3 or of size 0), counted by kind into b->kinds and
 * their classes ORed (b->narrow: all of them 0), eight at a time: those
 * before b->repeat; the rest, which repeat them, by copy_repeat.  A bad
 * one sets the top bit of `bad`: its size minus one, or its kind's bits
 * ANDed (x & x << 1). */
static bool check_descs(struct block *b, uint16_t *desc)
{
	desc_vec x, sum = { 0 }, fetches = { 0 }, classes = { 0 }, bad = { 0 };
	unsigned i, n = b->repeat, total, fetched;

	for (i = 0; i + 8 <= n; i += 8) {	/* a lane's sum: 3 BLOCK_MAX / 8 at most */
		memcpy(&x, b->descs + 2 * i, sizeof(x));
#if G_BYTE_ORDER == G_BIG_ENDIAN
		x = x << 8 | x >> 8;
#endif
		memcpy(desc + i, &x, sizeof(x));
		bad |= ((x & BLOCK_SIZE_MAX) - 1) | (x & x << 1);
		sum += x >> 14;
		fetches += x >> 15;
		classes |= x;
	}
	total = sum_lanes(sum);
	fetched = sum_lanes(fetches);
	bad[0] = or_lanes(bad) >> 15;
	classes[0] = or_lanes(classes);
	for (; i < n; i++) {
		uint16_t d;

		memcpy(&d, b->descs + 2 * i, sizeof(d));
		desc[i] = GUINT16_FROM_LE(d);
		bad[0] |= desc_fault(desc[i]);
		classes[0] |= desc[i];
		total += BLOCK_DESC_KIND(desc[i]);
		fetched += BLOCK_DESC_KIND(desc[i]) >> 1;
	}
	b->kinds[TRACE_WRITE] = total - 2 * fetched;
	b->kinds[TRACE_FETCH] = fetched;
	b->kinds[TRACE_READ] = n - b->kinds[TRACE_WRITE] - fetched;
	b->narrow = !BLOCK_DESC_CLASS(classes[0]);
	if (!bad[0] && b->repeat < b->n)	/* a bad one is among those checked */
		copy_repeat(b, desc);
	return bad[0];
}

/* Why the first bad one of the n descriptors at desc is. */
static enum decoded explain_desc(const uint16_t *desc, GString *why)
{
	unsigned i = 0;

	while (!desc_fault(desc[i]))
		i++;
	if (BLOCK_DESC_KIND(desc[i]) == 3)
		return explain(why, "access %u of an access block: an access of unknown kind "
			       "(descriptor %#x)", i, desc[i]);
	return explain(why, "access %u of an access block: an access of 0 bytes", i);
}

/* The places of the m events of the block `b` (its deltas read), from
 * b->end, into places: each before its last access.  b->after past them. */
static enum decoded parse_places(struct block *b, const uint8_t *end, uint16_t *places,
				 GString *why)
{
	const uint8_t *p = b->end;
	uint64_t gap, at = 0;
	enum decoded ret;

	for (unsigned k = 0; k < b->m; k++) {
		if ((ret = take_varint(&p, end, &gap)))
			return ret == CUT ? CUT : explain(why, "a number longer than 64 bits");
		if (gap >= b->n - at)
			return explain(why, "event %u of an access block placed after its last "
				       "access (%u accesses)", k, b->n);
		at += gap;
		places[k] = (uint16_t)at;
	}
	b->after = p;
	return DECODED;
}

/* Check the fields of the access block whose tag is at p (either tag):
 * all of them before `end` (else CUT), every descriptor of kind 0-2 and
 * size 1 or more (check_descs, which counts them by kind; the loop the
 * block's last accesses make found first, period_of and repeat_start, so
 * that those repeating checked ones are copied, not checked), the places
 * of its events in order and before its last access.  Their places and
 * counts in `b`, the descriptors copied into desc (room for BLOCK_MAX),
 * the events' places into places (room for BLOCK_EVENTS).  That the length
 * classes add up to the bytes of deltas stated, and the addresses, are
 * checked as they are decoded. */
static enum decoded parse_block(const uint8_t *p, const uint8_t *end, struct block *b,
				uint16_t *desc, uint16_t *places, GString *why)
{
	uint64_t n, d, m = 0;
	bool events = *p == EVENTS_BLOCK_TAG;
	enum decoded ret;

	p++;
	if ((ret = take_varint(&p, end, &n)) || (ret = take_varint(&p, end, &d)) ||
	    (events && (ret = take_varint(&p, end, &m))))
		return ret == CUT ? CUT : explain(why, "a number longer than 64 bits");
	if (n == 0 || n > BLOCK_MAX)
		return explain(why, "an access block of %" PRIu64 " accesses (1 to %d)", n, BLOCK_MAX);
	if (d > 8 * n)
		return explain(why, "an access block of %" PRIu64 " accesses stating %" PRIu64
			       " bytes of deltas (at most 8 an access)", n, d);
	if (events && (m == 0 || m > BLOCK_EVENTS))
		return explain(why, "an access block of %" PRIu64 " events among its accesses "
			       "(1 to %d)", m, BLOCK_EVENTS);
	if ((uint64_t)(end - p) < 2 * n + d)
		return CUT;
	*b = (struct block){ .n = (unsigned)n, .m = (unsigned)m, .descs = p, .deltas = p + 2 * n,
			     .end = p + 2 * n + d, .after = p + 2 * n + d };
	if ((ret = parse_places(b, end, places, why)))
		return ret;
	b->period = period_of(b);
	b->repeat = b->period ? repeat_start(b, b->period) : b->n;
	return check_descs(b, desc) ? explain_desc(desc, why) : DECODED;
}

/* The first of the n accesses at `addr` and `desc` that wraps past 2^64:
 * its index. */
static unsigned first_wrap(const uint64_t *addr, const uint16_t *desc, unsigned n)
{
	unsigned i = 0;

	while (i < n && addr[i] + BLOCK_DESC_SIZE(desc[i]) - 1 >= addr[i])
		i++;
	return i;
}

/* Indexed by a descriptor's top four bits (kind, class): the bytes of
 * its delta, and the shift that sign-extends them from the top of 64 bits. */
static const uint8_t class_len[16] = { 1, 2, 4, 8, 1, 2, 4, 8, 1, 2, 4, 8, 1, 2, 4, 8 };
static const uint8_t class_shift[16] = { 56, 48, 32, 0, 56, 48, 32, 0,
					 56, 48, 32, 0, 56, 48, 32, 0 };

/* The accesses of the block `b`, whose descriptors parse_block checked
 * and copied into desc, into addr, from the last addresses *l (updated):
 * the OR of their addresses, and in *bytes the bytes of deltas their
 * length classes make (valid only if the block states as many).  Without
 * a pointer chain through memory and in few operations an access: its
 * descriptor's top four bits index the length and the sign-extending
 * shift of its delta (8 bytes read, the buffer having room for 8
 * BLOCK_MAX beyond its end: the classes are added up by decoding); the
 * last address of each kind is in a register, chosen by a branch (a
 * program's kinds come in patterns the branch predictor learns: through
 * an array indexed by kind, each access would wait for the store of the
 * last of its kind). */
static G_GNUC_NO_INLINE uint64_t decode_wide(const struct block *b, struct last *l, uint64_t *addr,
			    const uint16_t *desc, uint64_t *bytes)
{
	uint64_t r = l->read, w = l->write, f = l->fetch, any = 0, a;
	const uint8_t *q = b->deltas;

#pragma GCC unroll 4
	for (unsigned i = 0; i < b->n; i++) {
		unsigned top = desc[i] >> 12;
		uint64_t x;

		memcpy(&x, q, sizeof(x));
		q += class_len[top];
		x = (uint64_t)((int64_t)(GUINT64_FROM_LE(x) << class_shift[top]) >> class_shift[top]);
		if (top < 4)
			a = r += x;
		else if (top < 8)
			a = w += x;
		else
			a = f += x;
		addr[i] = a;
		any |= a;
	}
	*l = (struct last){ r, w, f };
	*bytes = (uint64_t)(q - b->deltas);
	return any;
}

/* The first n accesses of a narrow block (b->narrow: every delta of one
 * byte, as a program's loop makes them), as decode_wide does them: access
 * i's delta is byte i of the deltas. */
static uint64_t decode_narrow(const struct block *b, unsigned n, struct last *l, uint64_t *addr,
			      const uint16_t *desc)
{
	uint64_t r = l->read, w = l->write, f = l->fetch, any = 0, a;
	const int8_t *q = (const int8_t *)b->deltas;

#pragma GCC unroll 4
	for (unsigned i = 0; i < n; i++) {
		unsigned kind = BLOCK_DESC_KIND(desc[i]);
		uint64_t x = (uint64_t)(int64_t)q[i];

		if (kind == TRACE_READ)
			a = r += x;
		else if (kind == TRACE_WRITE)
			a = w += x;
		else
			a = f += x;
		addr[i] = a;
		any |= a;
	}
	*l = (struct last){ r, w, f };
	return any;
}

/* Two addresses, a vector of the compiler's (as desc_vec). */
typedef uint64_t addr_pair __attribute__((vector_size(16)));

/* addr[i] = addr[i - p] + inc[(i - s) % p] for i from s to n, addr[s - p]
 * to addr[s - 1] given: one period one by one, then two periods at a
 * time, each pair of addresses a vector in a register, the one 2p before
 * plus two periods' increments (p a constant where this is inlined: the
 * pairs unrolled), the rest one by one.  The OR of the addresses. */
static inline __attribute__((always_inline)) uint64_t
fill_period(uint64_t *addr, unsigned s, unsigned n, const uint64_t *inc, unsigned p)
{
	addr_pair v[PERIOD_MAX], c[PERIOD_MAX], vany = { 0, 0 };
	uint64_t any = 0;
	unsigned i;

	for (i = s; i < n && i < s + p; i++)
		any |= addr[i] = addr[i - p] + inc[i - s];
	if (i + 2 * p <= n) {	/* the 2p addresses before i known */
#pragma GCC unroll 8
		for (unsigned j = 0; j < p; j++) {
			v[j] = (addr_pair){ addr[i - 2 * p + 2 * j], addr[i - 2 * p + 2 * j + 1] };
			c[j] = (addr_pair){ 2 * inc[2 * j % p], 2 * inc[(2 * j + 1) % p] };
		}
		for (; i + 2 * p <= n; i += 2 * p) {
#pragma GCC unroll 8
			for (unsigned j = 0; j < p; j++) {
				v[j] += c[j];
				memcpy(addr + i + 2 * j, &v[j], sizeof(v[j]));
				vany |= v[j];
			}
		}
	}
	for (; i < n; i++)
		any |= addr[i] = addr[i - p] + inc[(i - s) % p];
	return any | vany[0] | vany[1];
}

/* The accesses of the narrow block `b` from s on, which repeat those p
 * before them (repeat_start), the accesses before s decoded into addr:
 * each the one p before plus what one period of the accesses adds to its
 * kind (a program's loop over memory: read, write, fetch, each a constant
 * step from its last), written without a load or a branch an access
 * (fill_period).  The last address of each kind into *l: the last p
 * accesses taken in order, each into the register of its kind (a kind
 * the period lacks keeps decode_narrow's); the OR of their addresses. */
static uint64_t repeat_period(const struct block *b, unsigned s, unsigned p, struct last *l,
			      uint64_t *addr, const uint16_t *desc)
{
	const int8_t *q = (const int8_t *)b->deltas;
	uint64_t step[3] = { 0 }, inc[PERIOD_MAX], r = l->read, w = l->write, f = l->fetch, any;

	for (unsigned t = s - p; t < s; t++)
		step[BLOCK_DESC_KIND(desc[t])] += (uint64_t)(int64_t)q[t];
	for (unsigned t = 0; t < p; t++)
		inc[t] = step[BLOCK_DESC_KIND(desc[s - p + t])];
	switch (p) {
	case 1: any = fill_period(addr, s, b->n, inc, 1); break;
	case 2: any = fill_period(addr, s, b->n, inc, 2); break;
	case 3: any = fill_period(addr, s, b->n, inc, 3); break;
	case 4: any = fill_period(addr, s, b->n, inc, 4); break;
	case 5: any = fill_period(addr, s, b->n, inc, 5); break;
	case 6: any = fill_period(addr, s, b->n, inc, 6); break;
	case 7: any = fill_period(addr, s, b->n, inc, 7); break;
	default: any = fill_period(addr, s, b->n, inc, PERIOD_MAX); break;
	}
	for (unsigned i = b->n - p; i < b->n; i++) {	/* the last period, in order */
		unsigned kind = BLOCK_DESC_KIND(desc[i]);

		r = kind == TRACE_READ ? addr[i] : r;
		w = kind == TRACE_WRITE ? addr[i] : w;
		f = kind == TRACE_FETCH ? addr[i] : f;
	}
	*l = (struct last){ r, w, f };
	return any;
}

/* The accesses of a narrow block: those before its last period that
 * repeats (if any) one by one (decode_narrow), those after by strides
 * (repeat_period).  The OR of their addresses; the classes make n bytes. */
static G_GNUC_NO_INLINE uint64_t decode_narrow_block(const struct block *b, struct last *l,
						     uint64_t *addr, const uint16_t *desc,
						     uint64_t *bytes)
{
	unsigned p = b->period, s = b->repeat;
	uint64_t any = decode_narrow(b, s, l, addr, desc);

	*bytes = b->n;
	return s < b->n ? any | repeat_period(b, s, p, l, addr, desc) : any;
}

/* The accesses of the block `b` decoded (decode_narrow_block or decode_wide)
 * into addr: the bytes of deltas their classes make, and in *wrap the
 * index of the first that wraps past 2^64 (b->n: none), looked for one
 * by one only when the OR of the addresses reaches the last
 * BLOCK_SIZE_MAX bytes below 2^64. */
static uint64_t decode_block(const struct block *b, struct last *l, uint64_t *addr,
			     const uint16_t *desc, unsigned *wrap)
{
	uint64_t bytes, any;

	any = b->narrow ? decode_narrow_block(b, l, addr, desc, &bytes) :
			  decode_wide(b, l, addr, desc, &bytes);
	*wrap = any >= -(uint64_t)BLOCK_SIZE_MAX ? first_wrap(addr, desc, b->n) : b->n;
	return bytes;
}

/* Whether decode_block() found `b` good: the bytes of deltas stated, no
 * access past 2^64. */
static bool decoded_whole(const struct block *b, uint64_t bytes, unsigned wrap)
{
	return bytes == (uint64_t)(b->end - b->deltas) && wrap == b->n;
}

/* The block `b`, decoded, is the run: its kinds counted. */
static void count_block(struct trace_reader *r, const struct block *b)
{
	for (int k = 0; k < 3; k++)
		r->kinds[k] += b->kinds[k];
}

/* The access block at *p, whole before `end` and valid, into the run; *p
 * past it.  How many accesses; 0 for a block that trace_read must read. */
static size_t take_block(struct trace_reader *r, const uint8_t **p, const uint8_t *end,
			 struct last *l)
{
	struct last before = *l;
	struct block b;
	uint64_t bytes;
	unsigned wrap;

	if (parse_block(*p, end, &b, r->descs, r->places, NULL) != DECODED)
		return 0;
	bytes = decode_block(&b, l, r->addrs, r->descs, &wrap);
	if (!decoded_whole(&b, bytes, wrap)) {
		*l = before;
		return 0;
	}
	r->run_offset = r->z.base + (uint64_t)(*p - r->z.buf);
	r->events = b.m;
	count_block(r, &b);
	*p = b.after;
	return b.n;
}

/* Decode the block `b` at `start`: 0, or -1 naming what is wrong with it. */
static int decode_checked(struct trace_reader *r, GString *error, uint64_t start,
			  const struct block *b, struct last *l)
{
	uint64_t stated = (uint64_t)(b->end - b->deltas), bytes;
	unsigned wrap;

	bytes = decode_block(b, l, r->addrs, r->descs, &wrap);
	if (bytes != stated)
		return fail(r, error, start, "an access block's length classes make %" PRIu64
			    " bytes of deltas, it states %" PRIu64, bytes, stated);
	if (wrap < b->n)
		return fail(r, error, start, "an access past the end of the address space "
			    "(access %u of the block)", wrap);
	return 0;
}

/* The access block at the current offset `start`, whose tag the fast path
 * left: made whole in the buffer, checked, decoded into the run.  0, or -1
 * with the cause in `error`. */
static int read_block(struct trace_reader *r, uint64_t start, GString *error)
{
	uint64_t *prev = r->prev[r->cpu];
	struct last l = { prev[TRACE_READ], prev[TRACE_WRITE], prev[TRACE_FETCH] };
	GString *why = g_string_new(NULL);
	enum decoded ret;
	struct block b;
	int more = 1;

	while ((ret = parse_block(r->z.buf + r->z.pos, r->z.buf + r->z.len, &b, r->descs,
				  r->places, why)) == CUT && (more = refill(r, error)) > 0)
		;	/* a block fits in the buffer: refill keeps what was not read */
	if (ret == INVALID)
		fail(r, error, start, "%s", why->str);
	else if (!more)
		fail(r, error, start, "truncated: the record there is incomplete");
	else if (ret == DECODED)
		decode_checked(r, error, start, &b, &l);
	g_string_free(why, TRUE);
	if (ret != DECODED || r->failed)
		return -1;
	prev[TRACE_READ] = l.read;
	prev[TRACE_WRITE] = l.write;
	prev[TRACE_FETCH] = l.fetch;
	r->z.pos = (size_t)(b.after - r->z.buf);
	r->run_offset = start;
	r->run_len = b.n;
	r->run_pos = 0;
	r->events = b.m;
	r->event_next = 0;
	count_block(r, &b);
	return 0;
}

/* Whether p is the tag of an access block, of either form (events among
 * its accesses from version 3 on). */
static bool block_tag(const struct trace_reader *r, const uint8_t *p)
{
	return *p == ACCESS_BLOCK_TAG || (*p == EVENTS_BLOCK_TAG && r->version >= 3);
}

/* The run of accesses at the current offset, straight from the buffer,
 * into the reader's arrays: an access block whole in the buffer, or up to
 * `max` single records while the longest fits in what is left of it (one
 * check of the bounds a record); anything read_access or read_block would
 * reject left to them. */
static void decode_run(struct trace_reader *r, size_t max)
{
	const uint8_t *p = r->z.buf + r->z.pos, *end = r->z.buf + r->z.len;
	uint64_t *prev = r->prev[r->cpu];
	struct last l = { prev[TRACE_READ], prev[TRACE_WRITE], prev[TRACE_FETCH] };
	size_t n = 0;

	max = MIN(max, BLOCK_MAX);
	r->events = r->event_next = 0;
	if (p < end && block_tag(r, p))
		n = take_block(r, &p, end, &l);
	else
		while (n < max && end - p >= ACCESS_MAX &&
		       decode_one(&p, &l, &r->addrs[n], &r->descs[n]))
			r->kinds[BLOCK_DESC_KIND(r->descs[n++])]++;
	prev[TRACE_READ] = l.read;
	prev[TRACE_WRITE] = l.write;
	prev[TRACE_FETCH] = l.fetch;
	r->z.pos = (size_t)(p - r->z.buf);
	r->run_len = n;
	r->run_pos = 0;
}

/* Where the run stops next: at its next event's place, or its end. */
static size_t next_event(const struct trace_reader *r)
{
	return r->event_next < r->events ? r->places[r->event_next] : r->run_len;
}

size_t trace_read_accesses(struct trace_reader *r, struct trace_accesses *out, size_t max)
{
	size_t n;

	if (r->failed || r->ended)
		return 0;
	if (r->run_pos == r->run_len) {
		if (r->z.pos < r->z.len && r->z.buf[r->z.pos] < EVENTS_BLOCK_TAG)
			return 0;	/* an event, a cpu or the end record */
		decode_run(r, max);
	}
	n = MIN(max, next_event(r) - r->run_pos);
	*out = (struct trace_accesses){ r->addrs + r->run_pos, r->descs + r->run_pos };
	r->run_pos += n;
	r->records += n;
	return n;
}

/* Whether `tag` is that of an event an access block may hold among its
 * accesses: a record of neither accesses, a CPU nor the end. */
static bool event_tag(uint8_t tag)
{
	return tag > TRACE_CPU && tag < TRACE_NR_TYPES;
}

/* The first access of `a` as the record `rec`: 1. */
static int access_record(const struct trace_reader *r, const struct trace_accesses *a,
			 struct trace_record *rec)
{
	rec->type = TRACE_ACCESS;
	rec->cpu = r->cpu;
	rec->kind = TRACE_DESC_KIND(a->desc[0]);
	rec->addr = a->addr[0];
	rec->size = TRACE_DESC_SIZE(a->desc[0]);
	return 1;
}

static int read_name(struct trace_reader *r, struct trace_record *rec, GString *error)
{
	uint64_t n;
	uint8_t b = 0;

	if (get_varint(r, rec->offset, &n, error))
		return -1;
	if (!n || n > TRACE_MAX_NAME)
		return fail(r, error, rec->offset, "a kind name of 0 or more than 255 bytes");
	for (uint64_t i = 0; i < n; i++) {
		if (get_byte(r, rec->offset, &b, error))
			return -1;
		if (!b)
			return fail(r, error, rec->offset, "a NUL byte inside a kind name");
		rec->name[i] = (char)b;
	}
	rec->name[n] = '\0';
	return 0;
}

static int read_cost(struct trace_reader *r, struct trace_record *rec, GString *error)
{
	struct trace_cost *c = &rec->cost;
	uint64_t flags, mask;

	if (get_varint(r, rec->offset, &flags, error) ||
	    get_varint(r, rec->offset, &mask, error))
		return -1;
	if (flags & ~(uint64_t)TRACE_COST_RELATIVE)
		return fail(r, error, rec->offset, "a cost with unknown flags");
	c->relative = flags & TRACE_COST_RELATIVE;
	c->steps = mask;
	for (; mask; mask &= mask - 1)	/* the steps named, lowest first */
		if (get_varint(r, rec->offset, &c->cycles[__builtin_ctzll(mask)], error))
			return -1;
	if (get_varint(r, rec->offset, &c->total, error) ||
	    get_varint(r, rec->offset, &c->indirect, error) ||
	    get_varint(r, rec->offset, &c->refills, error))
		return -1;
	return 0;
}

/* What follows the fixed arguments of `rec` (its trace_type_tail), every field
 * checked. */
static int read_tail(struct trace_reader *r, struct trace_record *rec, GString *error)
{
	switch (trace_type_tail(rec->type)) {
	case TAIL_NAME:
		return read_name(r, rec, error);
	case TAIL_COST:
		return read_cost(r, rec, error);
	case TAIL_MMS:
		if (rec->args[3] > TRACE_MAX_MMS)
			return fail(r, error, rec->offset, "a flush of more than 64 address spaces");
		for (uint64_t i = 0; i < rec->args[3]; i++)
			if (get_varint(r, rec->offset, &rec->mms[i], error))
				return -1;
		return 0;
	case TAIL_NONE:
		break;
	}
	return 0;
}

int trace_read(struct trace_reader *r, struct trace_record *rec, GString *error)
{
	struct trace_accesses one;
	uint8_t tag;
	bool event;	/* one of a block's events is due */
	int ret;

	if (r->failed)
		return fail(r, error, offset_now(r), "read after an error");
	if (r->ended)
		return 0;
	rec->offset = r->run_pos < r->run_len ? r->run_offset : offset_now(r);
	if (trace_read_accesses(r, &one, 1))
		return access_record(r, &one, rec);
	event = r->run_pos < r->run_len;	/* and no access given: an event is due */
	if (event)
		rec->offset = offset_now(r);
	if (r->z.pos == r->z.len) {
		ret = refill(r, error);
		if (ret < 0)
			return -1;
		if (!ret)
			return fail(r, error, rec->offset,
				    "truncated: no end record after %" PRIu64 " records", r->records);
	}
	if (event && !event_tag(r->z.buf[r->z.pos]))
		return fail(r, error, rec->offset, "record tag %#x where an access block's event "
			    "is due (before its access %zu): only events come among its accesses",
			    r->z.buf[r->z.pos], r->run_pos);
	if (event)
		r->event_next++;
	if (block_tag(r, r->z.buf + r->z.pos)) {
		if (read_block(r, rec->offset, error))
			return -1;
		trace_read_accesses(r, &one, 1);
		return access_record(r, &one, rec);
	}
	tag = r->z.buf[r->z.pos++];	/* in the buffer: refilled above */
	rec->cpu = r->cpu;
	if (tag & 0x80) {
		if (read_access(r, tag, rec, error))
			return -1;
		r->kinds[rec->kind]++;
		r->records++;
		return 1;
	}
	if (tag >= TRACE_NR_TYPES || (r->version < 2 && tag >= TRACE_KIND))
		return fail(r, error, rec->offset, "unknown record tag %#x", tag);
	rec->type = (enum trace_type)tag;
	for (int i = 0; i < trace_types[tag].nargs; i++)
		if (get_varint(r, rec->offset, &rec->args[i], error))
			return -1;
	if (trace_types[tag].tail != TAIL_NONE && read_tail(r, rec, error))
		return -1;
	if (rec->type == TRACE_END)
		return check_end(r, rec, error) ? -1 : 0;
	if (rec->type == TRACE_CPU) {
		if (rec->args[0] >= TRACE_MAX_CPUS)
			return fail(r, error, rec->offset, "CPU %" PRIu64 " (at most %d CPUs)",
				    rec->args[0], TRACE_MAX_CPUS);
		r->cpu = rec->cpu = (int)rec->args[0];
	}
	r->records++;
	return 1;
}

uint64_t trace_reader_offset(const struct trace_reader *r)
{
	return offset_now(r);
}

uint64_t trace_reader_file_offset(const struct trace_reader *r)
{
	return zstream_file_offset(&r->z);
}

uint32_t trace_reader_version(const struct trace_reader *r)
{
	return r->version;
}

uint64_t trace_reader_records(const struct trace_reader *r)
{
	return r->records;
}

void trace_reader_kinds(const struct trace_reader *r, uint64_t kinds[3])
{
	memcpy(kinds, r->kinds, sizeof(r->kinds));
}

void trace_reader_close(struct trace_reader *r)
{
	if (r->file)
		fclose(r->file);
	zstream_close(&r->z);
	g_free(r->addrs);
	g_free(r->descs);
	g_free(r->places);
	g_free(r->path);
	g_free(r);
}

void trace_header_clear(struct trace_header *h)
{
	g_free(h->guest);
	g_free(h->options);
	g_free(h->profile);
	memset(h, 0, sizeof(*h));
}
