/*
 * zstream: zstd's buffer-less decompression into a ring (zstream.h).
 *
 * The memory, from z->mem on:
 *
 *     [ keep room: keep_max | ring: ring_size ............... | slack ]
 *                  ^ ring               ^ buf + len: the write point
 *
 * zstd writes each block at the write point and finds its window (the
 * blocks before, up to the frame's window size) where it wrote them, so
 * nothing is copied out of zstd (its streaming API decompresses into a
 * buffer of its own and copies from there).  The ring holds a window and
 * two blocks at least (ZSTD_decodingBufferSize_min), and a record's
 * keep_max bytes and a block.  Invariants:
 *
 *   - buf + len is the write point, inside the ring or at its end;
 *   - pos <= len; base + pos is the stream offset of the next byte to read;
 *   - before a block, the write point has block_max bytes of room after it
 *     or the ring wraps: the bytes not read yet (fewer than keep_max: the
 *     reader asks for more only within a record) are copied into the keep
 *     room, ending where the ring starts, and buf points at them.  The
 *     bytes overwritten from the ring's start are the oldest, further back
 *     than any window reaches.
 *
 * A frame starts at the ring's start (so a larger window may take a new
 * buffer).  The file is read into `in`, from which each step of zstd gets
 * exactly the bytes it asks for (ZSTD_nextSrcSizeToDecompress).
 */
#define ZSTD_STATIC_LINKING_ONLY	/* the buffer-less API: docs/design.md */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <zstd.h>

#include "traces/zstream.h"

#define IN_SIZE (2 * ZSTD_BLOCKSIZE_MAX)	/* a block and its header fit, and more */
#define WINDOW_MAX (UINT64_C(1) << 27)		/* zstd's own default limit: 128 MiB */

static int fail(struct zstream *z, GString *error, uint64_t offset, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static int fail(struct zstream *z, GString *error, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	g_string_printf(error, "%s: file offset %" PRIu64 ": ", z->path, offset);
	va_start(ap, fmt);
	g_string_append_vprintf(error, fmt, ap);
	va_end(ap);
	return -1;
}

static int truncated(struct zstream *z, GString *error)
{
	return fail(z, error, z->file_offset, "truncated: the compressed stream stops inside a frame");
}

void zstream_open(struct zstream *z, FILE *file, const char *path, uint64_t offset,
		  size_t keep_max, size_t slack)
{
	*z = (struct zstream){ .file = file, .path = path, .keep_max = keep_max, .slack = slack,
			       .file_offset = offset };
	z->mem = g_malloc0(keep_max + slack);
	z->buf = z->mem + keep_max;
	z->dctx = ZSTD_createDCtx();
	z->in = g_malloc(IN_SIZE);
}

/* Up to `want` bytes (at most IN_SIZE) in in[in_pos, in_len), fewer only at
 * the end of the file: 0, or -1 for an error reading it. */
static int fill_input(struct zstream *z, size_t want, GString *error)
{
	size_t n;

	if (z->in_len - z->in_pos >= want || z->file_done)
		return 0;
	memmove(z->in, z->in + z->in_pos, z->in_len - z->in_pos);
	z->in_len -= z->in_pos;
	z->in_pos = 0;
	while (z->in_len < want && !z->file_done) {
		n = fread(z->in + z->in_len, 1, IN_SIZE - z->in_len, z->file);
		z->in_len += n;
		z->file_offset += n;
		if (n == 0 && ferror(z->file))
			return fail(z, error, z->file_offset, "reading: %s", strerror(errno));
		z->file_done = n == 0;
	}
	return 0;
}

/* The first byte of the ring. */
static uint8_t *ring(const struct zstream *z)
{
	return z->mem + z->keep_max;
}

/* The write point back at the ring's start, in a ring of `size` bytes at
 * least (a new buffer if the ring is smaller); the bytes not read yet
 * moved into the keep room, to end where the ring starts. */
static void wrap(struct zstream *z, size_t size)
{
	size_t keep = z->len - z->pos;
	uint8_t *from = z->buf + z->pos, *mem = z->mem;

	g_assert(keep <= z->keep_max);
	if (size > z->ring_size) {
		mem = g_malloc0(z->keep_max + size + z->slack);
		z->ring_size = size;
	}
	memmove(mem + z->keep_max - keep, from, keep);
	if (mem != z->mem) {
		g_free(z->mem);
		z->mem = mem;
	}
	z->base += z->pos;
	z->buf = ring(z) - keep;
	z->pos = 0;
	z->len = keep;
}

/* `n` bytes of the file skipped (a skippable frame's): 0, or -1. */
static int skip_input(struct zstream *z, uint64_t n, GString *error)
{
	while (n) {
		size_t step;

		if (fill_input(z, 1, error))
			return -1;
		if (z->in_pos == z->in_len)
			return truncated(z, error);
		step = (size_t)MIN(n, (uint64_t)(z->in_len - z->in_pos));
		z->in_pos += step;
		n -= step;
	}
	return 0;
}

/* The next frame begun, skippable frames before it skipped: 1; 0 if the
 * file has no more bytes; -1. */
static int start_frame(struct zstream *z, GString *error)
{
	ZSTD_frameHeader fh;
	size_t ret;

	for (;;) {
		if (fill_input(z, ZSTD_FRAMEHEADERSIZE_MAX, error))
			return -1;
		if (z->in_pos == z->in_len)
			return 0;
		ret = ZSTD_getFrameHeader(&fh, z->in + z->in_pos, z->in_len - z->in_pos);
		if (ZSTD_isError(ret))
			return fail(z, error, zstream_file_offset(z), "corrupted compressed data: %s",
				    ZSTD_getErrorName(ret));
		if (ret)	/* the file ends inside a frame header */
			return truncated(z, error);
		if (fh.frameType != ZSTD_skippableFrame)
			break;
		if (skip_input(z, ZSTD_SKIPPABLEHEADERSIZE + fh.frameContentSize, error))
			return -1;
	}
	if (fh.windowSize > WINDOW_MAX)
		return fail(z, error, zstream_file_offset(z), "corrupted compressed data: a frame "
			    "whose window is %llu bytes (at most 128 MiB)", fh.windowSize);
	wrap(z, MAX(ZSTD_decodingBufferSize_min(fh.windowSize, fh.frameContentSize),
		    z->keep_max + fh.blockSizeMax));
	ZSTD_decompressBegin(z->dctx);
	z->block_max = fh.blockSizeMax;
	z->in_frame = z->frames = true;
	return 1;
}

/* The next step of the frame: its header, a block (decompressed at the
 * write point, its bytes in *got) or its checksum; the frame ended after
 * the last.  0, or -1. */
static int step_frame(struct zstream *z, size_t *got, GString *error)
{
	size_t need = ZSTD_nextSrcSizeToDecompress(z->dctx), room;
	uint64_t at;

	if (!need) {
		z->in_frame = false;
		return 0;
	}
	if (need > IN_SIZE)	/* zstd checks a block's size against the frame's */
		return fail(z, error, zstream_file_offset(z),
			    "corrupted compressed data: a step of %zu bytes", need);
	if (fill_input(z, need, error))
		return -1;
	if (z->in_len - z->in_pos < need)
		return truncated(z, error);
	if ((size_t)(ring(z) + z->ring_size - (z->buf + z->len)) < z->block_max)
		wrap(z, z->ring_size);
	room = (size_t)(ring(z) + z->ring_size - (z->buf + z->len));
	at = zstream_file_offset(z);
	*got = ZSTD_decompressContinue(z->dctx, z->buf + z->len, room, z->in + z->in_pos, need);
	if (ZSTD_isError(*got))
		return fail(z, error, at, "corrupted compressed data: %s", ZSTD_getErrorName(*got));
	z->in_pos += need;
	z->len += *got;
	return 0;
}

int zstream_refill(struct zstream *z, GString *error)
{
	size_t got = 0;
	int ret;

	while (!got) {
		if (!z->in_frame && (ret = start_frame(z, error)) <= 0)
			return ret < 0 ? -1 : z->frames ? 0 : truncated(z, error);
		if (step_frame(z, &got, error))
			return -1;
	}
	return 1;
}

uint64_t zstream_file_offset(const struct zstream *z)
{
	return z->file_offset - (z->in_len - z->in_pos);
}

void zstream_close(struct zstream *z)
{
	ZSTD_freeDCtx(z->dctx);
	g_free(z->mem);
	g_free(z->in);
}
