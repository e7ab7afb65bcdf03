/*
 * traces/zstream: a file's zstd frames decompressed into the ring.  Known
 * bytes are compressed here in frames of every kind (one long frame, many
 * small ones, empty and skippable frames, with and without a content size
 * or a checksum) and read back the way the trace reader reads them: a
 * record at a time, each asked for whole, so that the bytes kept across a
 * refill (and the ring's wraps) are checked against the bytes compressed.
 * Bad frames (a window too large, a wrong checksum, a cut) are errors
 * naming the file offset.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "traces/zstream.h"

#define KEEP_MAX 70000		/* the longest record of these tests */
#define SLACK 4096
#define DATA_SIZE (6u << 20)	/* well past a ring of a 512 KiB window */

static char path[64];
static uint8_t *data;		/* the bytes every stream here holds */

/* Bytes a compressor finds matches in, as a trace's: runs that repeat
 * with a step, among bytes of an LCG. */
static void make_data(void)
{
	uint64_t x = 1;

	data = g_malloc(DATA_SIZE);
	for (size_t i = 0; i < DATA_SIZE; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		data[i] = (i / 4096) % 3 ? (uint8_t)(i % 251 + i / 65536) : (uint8_t)(x >> 56);
	}
}

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/zstream-unit-%d", (int)getpid());
	make_data();
}

static void teardown(void)
{
	unlink(path);
	g_free(data);
}

TestSuite(zstream, .init = setup, .fini = teardown);

/* Bytes [from, to) of the data as one frame: a content size or not, a
 * checksum or not, appended to `file`. */
static void add_frame(GByteArray *file, size_t from, size_t to, bool size, bool checksum)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(to - from), n;
	uint8_t *out = g_malloc(cap);
	ZSTD_inBuffer in = { data + from, to - from, 0 };
	ZSTD_outBuffer o = { out, cap, 0 };

	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, size);
	if (size)
		ZSTD_CCtx_setPledgedSrcSize(c, to - from);
	n = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
	cr_assert_eq(n, 0, "%s", ZSTD_getErrorName(n));
	g_byte_array_append(file, out, (guint)o.pos);
	g_free(out);
	ZSTD_freeCCtx(c);
}

/* A skippable frame of `n` bytes. */
static void add_skippable(GByteArray *file, uint32_t n)
{
	uint8_t head[8] = { 0x5a, 0x2a, 0x4d, 0x18, (uint8_t)n, (uint8_t)(n >> 8),
			    (uint8_t)(n >> 16), (uint8_t)(n >> 24) };

	g_byte_array_append(file, head, sizeof(head));
	for (uint32_t i = 0; i < n; i++)
		g_byte_array_append(file, (const uint8_t *)"s", 1);
}

/* The first `len` bytes of `file` written, opened as a zstream from
 * their start. */
static FILE *open_file(struct zstream *z, GByteArray *file, guint len)
{
	FILE *f;

	cr_assert(g_file_set_contents(path, (const gchar *)file->data, len, NULL));
	f = fopen(path, "rb");
	cr_assert_not_null(f);
	zstream_open(z, f, path, 0, KEEP_MAX, SLACK);
	return f;
}

/* The whole stream read as a reader reads it: records of 1 to KEEP_MAX
 * bytes (sizes of an LCG), each made whole in the buffer before it is
 * compared with the data, a refill keeping the start of a record.  The
 * slack after the bytes decompressed is read too (ASan finds it
 * missing).  The bytes read, or -1 with the cause in `error`. */
static int64_t read_records(struct zstream *z, GString *error)
{
	uint64_t x = 7;
	volatile uint8_t sink = 0;
	int ret = 1;

	for (;;) {
		size_t want;

		x = x * 6364136223846793005u + 1442695040888963407u;
		want = x >> 60 ? 1 + (x >> 33) % 300 : 1 + (x >> 33) % KEEP_MAX;
		while (z->len - z->pos < want && (ret = zstream_refill(z, error)) > 0)
			sink ^= z->buf[z->len + SLACK - 1];
		if (ret < 0)
			return -1;
		if (z->len - z->pos < want)
			want = z->len - z->pos;	/* the last record */
		if (!want)
			return (int64_t)(z->base + z->pos);
		cr_assert_leq(z->base + z->pos + want, DATA_SIZE);
		cr_assert(!memcmp(z->buf + z->pos, data + z->base + z->pos, want),
			  "bytes %" PRIu64 " to %" PRIu64 " differ", z->base + z->pos,
			  z->base + z->pos + want);
		z->pos += want;
	}
}

/* The file read whole: every byte of the data, and the file's every byte
 * consumed. */
static void expect_data(GByteArray *file)
{
	GString *error = g_string_new(NULL);
	struct zstream z;
	FILE *f = open_file(&z, file, file->len);

	cr_expect_eq(read_records(&z, error), (int64_t)DATA_SIZE, "%s", error->str);
	cr_expect_eq(zstream_file_offset(&z), file->len);
	zstream_close(&z);
	fclose(f);
	g_string_free(error, TRUE);
}

/* The first `len` bytes of the file read until an error: its message. */
static void expect_error(GByteArray *file, guint len, const char *cause)
{
	GString *error = g_string_new(NULL);
	struct zstream z;
	FILE *f = open_file(&z, file, len);

	cr_expect_eq(read_records(&z, error), -1);
	cr_expect(strstr(error->str, path) == error->str, "names the file: %s", error->str);
	cr_expect(strstr(error->str, cause), "'%s' says '%s'", error->str, cause);
	zstream_close(&z);
	fclose(f);
	g_string_free(error, TRUE);
}

/* As the trace writer makes it: one frame, no content size, a checksum. */
Test(zstream, one_long_frame)
{
	GByteArray *file = g_byte_array_new();

	add_frame(file, 0, DATA_SIZE, false, true);
	expect_data(file);
	g_byte_array_free(file, TRUE);
}

/* Frames of 1 byte to 1 MiB, with and without content size and checksum,
 * empty and skippable frames among them: each new frame starts the ring
 * again, and a record may span several frames. */
Test(zstream, frames_of_every_kind)
{
	static const size_t sizes[] = { 1, 2, 3, 100, 5000, 70001, 1 << 20, 17, 300000 };
	GByteArray *file = g_byte_array_new();
	size_t at = 0;

	for (unsigned k = 0; at < DATA_SIZE; k++) {
		size_t to = MIN(DATA_SIZE, at + sizes[k % G_N_ELEMENTS(sizes)]);

		if (k % 5 == 1)
			add_skippable(file, k % 3 ? 0 : 40000);
		if (k % 7 == 2)
			add_frame(file, at, at, k % 2, true);	/* empty */
		add_frame(file, at, to, k % 2, k % 3 != 0);
		at = to;
	}
	expect_data(file);
	g_byte_array_free(file, TRUE);
}

Test(zstream, no_frame)
{
	GByteArray *file = g_byte_array_new();

	expect_error(file, 0, "file offset 0: truncated: the compressed stream stops inside a frame");
	add_skippable(file, 10);
	expect_error(file, file->len,
		     "file offset 18: truncated: the compressed stream stops inside a frame");
	g_byte_array_free(file, TRUE);
}

/* Cut anywhere but between frames: in a frame's header, a block, the
 * checksum, or a skippable frame: an error at the end of the file. */
Test(zstream, cut)
{
	GByteArray *file = g_byte_array_new();
	guint first, second;

	add_frame(file, 0, 200000, false, true);
	first = file->len;
	add_skippable(file, 100);
	second = file->len;
	add_frame(file, 200000, 400000, true, true);
	for (guint cut = 1; cut < file->len; cut += cut < 300 ? 1 : 997) {
		gchar *cause = g_strdup_printf("file offset %u: truncated: the compressed stream "
					       "stops inside a frame", cut);

		if (cut != first && cut != second)
			expect_error(file, cut, cause);
		g_free(cause);
	}
	g_byte_array_free(file, TRUE);
}

Test(zstream, wrong_checksum)
{
	GByteArray *file = g_byte_array_new();

	add_frame(file, 0, DATA_SIZE, false, true);
	file->data[file->len - 1] ^= 1;
	expect_error(file, file->len, "corrupted compressed data: Restored data doesn't match "
		     "checksum");
	g_byte_array_free(file, TRUE);
}

/* A frame header (magic, descriptor 0x04: a checksum, no content size)
 * whose window descriptor 0x90 says 2^(10 + 18) bytes. */
Test(zstream, window_too_large)
{
	static const uint8_t head[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x90, 0, 0, 0 };
	GByteArray *file = g_byte_array_new();

	add_frame(file, 0, 1000, true, true);
	g_byte_array_append(file, head, sizeof(head));
	expect_error(file, file->len, "corrupted compressed data: a frame whose window is "
		     "268435456 bytes (at most 128 MiB)");
	g_byte_array_free(file, TRUE);
}
