/*
 * zstream: a file's zstd frames decompressed straight into a ring buffer, a
 * block at a time, for a reader that decodes records where they lie
 * (traces/reader.c).  The bytes not read yet are always contiguous at
 * buf[pos, len), however the ring wraps, so a record of up to `keep_max`
 * bytes is read in place.
 *
 * Errors name the file, the file offset and the cause.  Every frame's
 * checksum is checked (by zstd) as the frame ends; skippable frames are
 * skipped.  Not for users of traces/trace.h.
 */
#ifndef TRACES_ZSTREAM_H
#define TRACES_ZSTREAM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct zstream {
	/* For the reader: buf[pos, len) decompressed, not read yet; base the
	 * offset of buf[0] in the decompressed stream; `slack` bytes
	 * readable (with no meaning) after buf + len. */
	uint8_t *buf;
	size_t pos, len;
	uint64_t base;

	/* zstream's own. */
	FILE *file;
	const char *path;
	size_t keep_max, slack;
	uint8_t *mem;			/* keep_max bytes of room, the ring, the slack */
	size_t ring_size;
	size_t block_max;		/* of the frame: room a block needs in the ring */
	struct ZSTD_DCtx_s *dctx;
	bool in_frame, frames;		/* inside a frame; one begun yet */
	uint8_t *in;			/* read from the file: in[in_pos, in_len) not decompressed */
	size_t in_pos, in_len;
	uint64_t file_offset;		/* of in[in_len] */
	bool file_done;			/* the file has no more bytes */
};

/* Read `file` (called `path` in errors) from `offset` on, where the stream
 * starts: a record read in place is at most keep_max bytes, and the reader
 * loads up to `slack` bytes past the last decompressed. */
void zstream_open(struct zstream *z, FILE *file, const char *path, uint64_t offset,
		  size_t keep_max, size_t slack);

/* More bytes after buf + len, those not read yet (at most keep_max) kept
 * before them: 1; 0 at the end of the stream; -1 with the cause in
 * `error`. */
int zstream_refill(struct zstream *z, GString *error);

/* The offset in the file of the first byte not decompressed yet. */
uint64_t zstream_file_offset(const struct zstream *z);

void zstream_close(struct zstream *z);

#endif
