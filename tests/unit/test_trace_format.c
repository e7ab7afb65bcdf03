/*
 * traces/: the format of docs/trace-format.md.  A file's decompressed bytes
 * compared with the bytes the document specifies, written by hand; records
 * written and read back; and every kind of bad input (empty, not a trace,
 * another version, every truncation, corrupted bytes, bad records built by
 * hand) rejected with the file, the offset and the cause.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "traces/trace.h"

static char path[64];

static void make_path(void)
{
	snprintf(path, sizeof(path), "/tmp/traces-unit-%d.trace", (int)getpid());
}

static void remove_path(void)
{
	unlink(path);
}

TestSuite(trace, .init = make_path, .fini = remove_path);

static const struct trace_header header = { "prog arg", "--tlb exact", "default" };

static gchar *slurp(size_t *len)
{
	gchar *data = NULL;

	cr_assert(g_file_get_contents(path, &data, len, NULL));
	return data;
}

static void spill(const void *data, size_t len)
{
	cr_assert(g_file_set_contents(path, data, (gssize)len, NULL));
}

/* A file of the given version whose stream is `raw` compressed. */
static void spill_raw(uint32_t version, const void *raw, size_t len)
{
	size_t cap = ZSTD_compressBound(len);
	uint8_t *buf = g_malloc(12 + cap);
	size_t n;

	memcpy(buf, "MMUTRACE", 8);
	memcpy(buf + 8, &version, 4);	/* little-endian host */
	n = ZSTD_compress(buf + 12, cap, raw, len, 1);
	cr_assert(!ZSTD_isError(n));
	spill(buf, 12 + n);
	g_free(buf);
}

/* Read the whole file; the error, or "" after a clean end. */
static gchar *read_all(uint64_t *records)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r = trace_reader_open(path, &h, error);
	struct trace_record rec;
	int ret = 0;

	if (r) {
		while ((ret = trace_read(r, &rec, error)) > 0)
			;
		if (records)
			*records = trace_reader_records(r);
		trace_reader_close(r);
		trace_header_clear(&h);
	}
	cr_assert(r ? ret == 0 || error->len : error->len > 0);
	return g_string_free(error, FALSE);
}

static void expect_error(const char *cause)
{
	gchar *msg = read_all(NULL);

	cr_expect(strstr(msg, path) == msg, "message names the file: %s", msg);
	cr_expect(strstr(msg, cause), "message '%s' gives the cause '%s'", msg, cause);
	g_free(msg);
}

Test(trace, bytes_as_the_format_document_says)
{
	GString *error = g_string_new(NULL);
	struct trace_header h = { "g", "o", "p" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	uint64_t mm = 1;
	/* header strings; a block of one access: read of 8 at 0x1000
	 * (descriptor kind 0, class 1, size 8: 0x1008; delta 0x1000 in 2
	 * bytes); a cpu record (CPU 2); a block of three: write of 64 at
	 * 0xff8 (0x5040, its own delta from 0: 0xff8), fetch of 4 at 0xfff
	 * (0x9004, +0xfff) then at 0xffb (0x8004, class 0: -4 in a byte); a
	 * switch to mm 1; the end record counting 6. */
	const uint8_t want[] = {
		1, 'g', 1, 'o', 1, 'p',
		0x7e, 1, 2, 0x08, 0x10, 0x00, 0x10,
		0x01, 2,
		0x7e, 3, 5, 0x40, 0x50, 0x04, 0x90, 0x04, 0x80, 0xf8, 0x0f, 0xff, 0x0f, 0xfc,
		0x06, 1,
		0x00, 6,
	};
	gchar *file;
	size_t len;
	uint8_t out[64];
	size_t n;

	cr_assert_not_null(w);
	trace_write_access(w, 0, TRACE_READ, 0x1000, 8);
	trace_write_access(w, 2, TRACE_WRITE, 0xff8, 64);
	trace_write_access(w, 2, TRACE_FETCH, 0xfff, 4);
	trace_write_access(w, 2, TRACE_FETCH, 0xffb, 4);
	trace_write_event(w, 2, TRACE_SWITCH, &mm);
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	file = slurp(&len);
	cr_assert(len > 12);
	cr_expect(!memcmp(file, "MMUTRACE\3\0\0\0", 12));
	n = ZSTD_decompress(out, sizeof(out), file + 12, len - 12);
	cr_assert(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
	cr_assert_eq(n, sizeof(want));
	cr_expect(!memcmp(out, want, n));
	g_free(file);
	g_string_free(error, TRUE);
}

/* Many records on several CPUs, read back field by field. */
Test(trace, records_read_back)
{
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(path, &header, error);
	struct trace_header h;
	struct trace_reader *r;
	struct trace_record rec;
	uint64_t args[6] = { 7, 0x400000, UINT64_MAX, 3, 0x22, 0x400000 };
	const int n = 200000;

	cr_assert_not_null(w);
	for (int i = 0; i < n; i++) {
		uint64_t addr = (uint64_t)i * 0x9e3779b97f4a7c15u;

		if (i % 1000 == 0)
			trace_write_event(w, i % 3, TRACE_MMAP, args);
		trace_write_access(w, i % 3, (enum trace_kind)(i % 3), addr % (UINT64_MAX - 300),
				   1 + (uint64_t)i % 300);
	}
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);

	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	cr_expect_str_eq(h.guest, "prog arg");
	cr_expect_str_eq(h.options, "--tlb exact");
	cr_expect_str_eq(h.profile, "default");
	for (int i = 0; i < n; i++) {
		uint64_t addr = (uint64_t)i * 0x9e3779b97f4a7c15u;

		if (i % 1000 == 0) {
			cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
			if (rec.type == TRACE_CPU)
				cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
			cr_assert_eq(rec.type, TRACE_MMAP);
			cr_assert_eq(rec.cpu, i % 3);
			cr_assert(!memcmp(rec.args, args, sizeof(args)));
		}
		cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
		if (rec.type == TRACE_CPU)
			cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
		cr_assert_eq(rec.type, TRACE_ACCESS);
		cr_assert_eq(rec.cpu, i % 3);
		cr_assert_eq(rec.kind, (enum trace_kind)(i % 3));
		cr_assert_eq(rec.addr, addr % (UINT64_MAX - 300), "record %d", i);
		cr_assert_eq(rec.size, 1 + (uint64_t)i % 300);
	}
	cr_assert_eq(trace_read(r, &rec, error), 0, "%s", error->str);
	cr_assert_eq(trace_read(r, &rec, error), 0);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

Test(trace, empty_file)
{
	spill("", 0);
	expect_error("file offset 0: empty file");
}

Test(trace, missing_file)
{
	unlink(path);
	expect_error("cannot open: No such file");
}

/* A directory opens, but reading it fails (EISDIR): not "empty". */
Test(trace, a_directory)
{
	unlink(path);
	cr_assert_eq(mkdir(path, 0700), 0);
	expect_error("file offset 0: reading: Is a directory");
	rmdir(path);
}

Test(trace, not_a_trace)
{
	spill("#!/bin/sh\necho hello\n", 21);
	expect_error("file offset 0: not an mmusim trace");
}

#define HDR 0, 0, 0	/* three empty header strings */

/* The journal example of the format document, byte for byte, and read
 * back: a kind, a store, an event with a charge and a cost, a fault. */
/* The stream of the file written at `path` (after its 12-byte prefix) is
 * exactly `want`. */
static void expect_stream(const uint8_t *want, size_t want_len)
{
	size_t len, n;
	gchar *file = slurp(&len);
	uint8_t *out = g_malloc(want_len + 1);

	n = ZSTD_decompress(out, want_len + 1, file + 12, len - 12);
	cr_assert(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
	cr_assert_eq(n, want_len);
	cr_expect(!memcmp(out, want, n));
	g_free(out);
	g_free(file);
}

Test(trace, journal_bytes_as_the_format_document_says)
{
	GString *error = g_string_new(NULL);
	struct trace_header h = { "g", "o", "p" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	struct trace_cost cost = { .total = 240 };
	const uint8_t want[] = {
		1, 'g', 1, 'o', 1, 'p',
		0x0e, 0x01, 0x07, 'f', 'a', 'u', 'l', 't', ':', 'x',
		0x1e, 0x88, 0xa0, 0x01, 0xc3, 0x9e, 0x81, 0x80, 0x80, 0x80, 0x80, 0x30,
		0x01, 2, 0x0f,
		0x10, 0x09, 0x02,
		0x11, 0x00, 0x90, 0x04, 0xc8, 0x01, 0x28, 0xf0, 0x01, 0x00, 0x00,
		0x1b, 0x02,
		0x12, 0x01,
		0x00, 8,
	};
	struct trace_reader *r;
	struct trace_record rec;

	cost.cycles[4] = 200;
	cost.cycles[9] = 40;
	cr_assert_not_null(w);
	trace_write_tailed(w, -1, TRACE_KIND, (uint64_t[]){ 1 }, "fault:x", NULL, NULL);
	trace_write_event(w, -1, TRACE_PTE, (uint64_t[]){ 0x5008, UINT64_C(0x60000000004f43) });
	trace_write_event(w, 2, TRACE_BEGIN, NULL);
	trace_write_event(w, 2, TRACE_CHARGE, (uint64_t[]){ 9, 2 });
	trace_write_tailed(w, 2, TRACE_CHARGE_COST, NULL, NULL, &cost, NULL);
	trace_write_event(w, -1, TRACE_FAULT, (uint64_t[]){ 2 });
	trace_write_event(w, 2, TRACE_END_EVENT, (uint64_t[]){ 1 });
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	expect_stream(want, sizeof(want));
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	cr_assert_eq(trace_read(r, &rec, error), 1);
	cr_expect_eq(rec.type, TRACE_KIND);
	cr_expect_str_eq(rec.name, "fault:x");
	for (int i = 0; i < 4; i++)	/* pte, cpu, begin, charge */
		cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
	cr_assert_eq(trace_read(r, &rec, error), 1);
	cr_expect_eq(rec.type, TRACE_CHARGE_COST);
	cr_expect(!rec.cost.relative);
	cr_expect_eq(rec.cost.steps, 1u << 4 | 1u << 9, "steps %#" PRIx64, rec.cost.steps);
	cr_expect_eq(trace_cost_cycles(&rec.cost, 4), 200);
	cr_expect_eq(trace_cost_cycles(&rec.cost, 9), 40);
	cr_expect_eq(trace_cost_cycles(&rec.cost, 5), 0);
	cr_expect_eq(rec.cost.total, 240);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

/* An mm operation and the run's totals: brk of mm 1 returning 0x403000
 * (a varint: 0x80 0xe0 0x80 0x02), then
 * vm-counts 152 fault-around pages (0x98 0x01) and 40 flushes, then memory
 * 0 data, 0 tables, 2 simulator frames, peaks 203 (0xcb 0x01), 18, 18. */
Test(trace, totals_bytes_as_the_format_document_says)
{
	GString *error = g_string_new(NULL);
	struct trace_header h = { "g", "o", "p" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	const uint8_t want[] = {
		1, 'g', 1, 'o', 1, 'p',
		0x0a, 0x01, 0x80, 0xe0, 0x80, 0x02,
		0x21, 0x98, 0x01, 0x28,
		0x22, 0x00, 0x00, 0x02, 0xcb, 0x01, 0x12, 0x12,
		0x00, 3,
	};
	struct trace_reader *r;
	struct trace_record rec;

	cr_assert_not_null(w);
	trace_write_event(w, -1, TRACE_BRK, (uint64_t[]){ 1, 0x403000 });
	trace_write_event(w, -1, TRACE_VM_COUNTS, (uint64_t[]){ 152, 40 });
	trace_write_event(w, -1, TRACE_MEMORY, (uint64_t[]){ 0, 0, 2, 203, 18, 18 });
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	expect_stream(want, sizeof(want));
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
	cr_expect_eq(rec.type, TRACE_BRK);
	cr_expect_str_eq(trace_type_name(rec.type), "brk");
	cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
	cr_expect_str_eq(trace_type_name(rec.type), "vm-counts");
	cr_expect_eq(rec.args[0], 152);
	cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
	cr_expect_str_eq(trace_type_name(rec.type), "memory");
	cr_expect_eq(rec.args[3], 203);
	cr_expect_eq(rec.args[5], 18);
	cr_assert_eq(trace_read(r, &rec, error), 0, "%s", error->str);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

/* Journal records decode with every field checked. */
Test(trace, bad_journal_records)
{
	const uint8_t empty_name[] = { HDR, 0x0e, 1, 0, 0, 1 };
	const uint8_t nul_name[] = { HDR, 0x0e, 1, 2, 'a', 0, 0, 1 };
	const uint8_t cost_flags[] = { HDR, 0x13, 2, 0, 0, 0, 0, 0, 1 };
	const uint8_t many_mms[] = { HDR, 0x19, 1, 0, 0, 65, 0, 1 };
	const uint8_t cut_cost[] = { HDR, 0x13, 0, 1 };

	spill_raw(2, empty_name, sizeof(empty_name));
	expect_error("stream offset 3: a kind name of 0 or more than 255 bytes");
	spill_raw(2, nul_name, sizeof(nul_name));
	expect_error("stream offset 3: a NUL byte inside a kind name");
	spill_raw(2, cost_flags, sizeof(cost_flags));
	expect_error("stream offset 3: a cost with unknown flags");
	spill_raw(2, many_mms, sizeof(many_mms));
	expect_error("stream offset 3: a flush of more than 64 address spaces");
	spill_raw(2, cut_cost, sizeof(cut_cost));
	expect_error("stream offset 3: truncated");
	spill_raw(1, empty_name, sizeof(empty_name));
	expect_error("stream offset 3: unknown record tag 0xe");
}

/* The device records of docs/trace-format.md's worked example: device 0's
 * table at 0x800000, CPU 1 starting a kernel on it, a lookup of
 * 0x400000, the fault's 20000 cycles (0xa0 0x9c 0x01), a flush of the
 * page, the kernel's end, CPU 1 waiting for it, and the device's figures
 * at the end (512 accesses: 0x80 0x04). */
Test(trace, device_bytes_as_the_format_document_says)
{
	GString *error = g_string_new(NULL);
	struct trace_header h = { "g", "o", "p" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	const uint8_t want[] = {
		1, 'g', 1, 'o', 1, 'p',
		0x23, 0x00, 0x80, 0x80, 0x80, 0x04,
		0x01, 0x01, 0x29, 0x00,
		0x24, 0x00, 0x80, 0x80, 0x80, 0x02,
		0x25, 0x00, 0xa0, 0x9c, 0x01,
		0x26, 0x00, 0x80, 0x80, 0x80, 0x02,
		0x2a, 0x00,
		0x2b, 0x00,
		0x2c, 0x00, 0x01, 0x80, 0x04, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00,
		0x03, 0x04,
		0x00, 9,
	};
	struct trace_reader *r;
	struct trace_record rec;

	cr_assert_not_null(w);
	trace_write_event(w, -1, TRACE_DEV_ROOT, (uint64_t[]){ 0, 0x800000 });
	trace_write_event(w, 1, TRACE_DEV_START, (uint64_t[]){ 0 });
	trace_write_event(w, -1, TRACE_DEV_LOOKUP, (uint64_t[]){ 0, 0x400000 });
	trace_write_event(w, -1, TRACE_DEV_PAY, (uint64_t[]){ 0, 20000 });
	trace_write_event(w, -1, TRACE_DEV_FLUSH, (uint64_t[]){ 0, 0x400000 });
	trace_write_event(w, -1, TRACE_DEV_DONE, (uint64_t[]){ 0 });
	trace_write_event(w, 1, TRACE_DEV_WAIT, (uint64_t[]){ 0 });
	trace_write_event(w, -1, TRACE_DEV_COUNTS,
			  (uint64_t[]){ 0, 1, 512, 1, 0, 0, 0, 1, 1, 1, 0, 0, 3, 4 });
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	expect_stream(want, sizeof(want));
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	for (int i = 0; i < 8; i++)	/* dev-root ... dev-wait */
		cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
	cr_expect_str_eq(trace_type_name(rec.type), "dev-wait");
	cr_expect_eq(rec.cpu, 1);
	cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
	cr_expect_str_eq(trace_type_name(rec.type), "dev-counts");
	cr_expect_eq(rec.args[2], 512);
	cr_expect_eq(rec.args[13], 4);
	cr_assert_eq(trace_read(r, &rec, error), 0, "%s", error->str);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

/* Device records cut short, and in a version 1 file (no journal). */
Test(trace, bad_device_records)
{
	const uint8_t cut_counts[] = { HDR, 0x2c, 0, 1, 2 };
	const uint8_t cut_lookup[] = { HDR, 0x24, 0, 0x80 };
	const uint8_t root[] = { HDR, 0x23, 0, 1, 0, 1 };

	spill_raw(2, cut_counts, sizeof(cut_counts));
	expect_error("stream offset 3: truncated: the record there is incomplete");
	spill_raw(2, cut_lookup, sizeof(cut_lookup));
	expect_error("stream offset 3: truncated: the record there is incomplete");
	spill_raw(1, root, sizeof(root));
	expect_error("stream offset 3: unknown record tag 0x23");
}

Test(trace, wrong_version)
{
	const uint8_t raw[] = { 0, 0, 0, 0, 0 };

	spill_raw(4, raw, sizeof(raw));
	expect_error("file offset 8: trace format version 4; this mmusim reads versions 1 to 3");
	spill_raw(0, raw, sizeof(raw));
	expect_error("file offset 8: trace format version 0; this mmusim reads versions 1 to 3");
}

/* Every prefix of a good file is an error, never a crash or a success. */
Test(trace, every_truncation)
{
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(path, &header, error);
	gchar *file;
	size_t len;

	for (int i = 0; i < 50; i++)
		trace_write_access(w, i % 2, TRACE_READ, 0x1000u * (uint64_t)i, 8);
	cr_assert_eq(trace_writer_close(w, error), 0);
	file = slurp(&len);
	for (size_t cut = 1; cut < len; cut++) {
		gchar *msg;

		spill(file, cut);
		msg = read_all(NULL);
		cr_expect(strstr(msg, "truncated") || strstr(msg, "corrupted"), "cut at %zu: '%s'",
			  cut, msg);
		g_free(msg);
	}
	g_free(file);
	g_string_free(error, TRUE);
}

/* Each byte of the compressed stream flipped: an error (the frame's
 * checksum, or zstd's own checks), never a crash or a success. */
Test(trace, every_corrupted_byte)
{
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(path, &header, error);
	gchar *file;
	size_t len;

	for (int i = 0; i < 50; i++)
		trace_write_access(w, 0, TRACE_WRITE, 0x1000u * (uint64_t)i, 8);
	cr_assert_eq(trace_writer_close(w, error), 0);
	file = slurp(&len);
	for (size_t at = 12; at < len; at++) {
		gchar *msg;

		file[at] ^= 0x55;
		spill(file, len);
		msg = read_all(NULL);
		cr_expect(msg[0], "byte %zu flipped read as a good trace", at);
		g_free(msg);
		file[at] ^= 0x55;
	}
	g_free(file);
	g_string_free(error, TRUE);
}


Test(trace, no_end_record)
{
	const uint8_t raw[] = { HDR, 0x88, 0x10 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 5: truncated: no end record after 1 records");
}

Test(trace, record_cut_short)
{
	const uint8_t raw[] = { HDR, 0x07, 1, 2 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 3: truncated: the record there is incomplete");
}

Test(trace, unknown_tag)
{
	const uint8_t raw[] = { HDR, 0x88, 0x10, 0x70, 0, 1 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 5: unknown record tag 0x70");
}

Test(trace, unknown_access_kind)
{
	const uint8_t raw[] = { HDR, 0xe8, 0x10, 0, 1 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 3: an access of unknown kind");
}

Test(trace, access_of_no_bytes)
{
	const uint8_t raw[] = { HDR, 0x80, 0, 0x10, 0, 1 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 3: an access of 0 bytes");
}

Test(trace, access_past_the_top)
{
	/* 8 bytes at 2^64 - 4: zigzag(-4) = 7 */
	const uint8_t raw[] = { HDR, 0x88, 0x07, 0, 1 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 3: an access past the end of the address space");
}

Test(trace, number_too_long)
{
	const uint8_t raw[] = { HDR, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				0x02, 0, 1 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 3: a number longer than 64 bits");
}

Test(trace, cpu_out_of_range)
{
	const uint8_t raw[] = { HDR, 0x01, 64, 0, 1 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 3: CPU 64 (at most 64 CPUs)");
}

Test(trace, end_count_wrong)
{
	const uint8_t raw[] = { HDR, 0x88, 0x10, 0, 2 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 5: the end record counts 2 records, 1 came before it");
}

Test(trace, data_after_end)
{
	const uint8_t raw[] = { HDR, 0, 0, 0x88 };

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 5: data after the end record");
}

Test(trace, header_string_too_long)
{
	const uint8_t raw[] = { 0x81, 0x80, 0x04 };	/* 65537 */

	spill_raw(1, raw, sizeof(raw));
	expect_error("stream offset 0: a header string of 65537 bytes");
}

/* ---- trace_read_accesses(): runs of accesses decoded a batch at a time ---- */

/* The access records of `records_read_back`'s trace, read in batches of
 * `batch` (cycling through 1, 3 and 512 when 0) with trace_read() for
 * the rest; each compared with what was written.  The decompressed stream
 * is several buffers long, so records are cut by the ends of buffers: those
 * come through trace_read(). */
static void read_back_in_batches(size_t batch)
{
	static const size_t sizes[] = { 1, 3, 512 };
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(path, &header, error);
	struct trace_accesses got;
	struct trace_header h;
	struct trace_reader *r;
	struct trace_record rec;
	uint64_t one = 1, records = 0;
	const int n = 200000;
	int i = 0, batched = 0, single = 0, cpu = 0, last = 0;

	cr_assert_not_null(w);
	for (int j = 0; j < n; j++) {
		uint64_t addr = (uint64_t)j * 0x9e3779b97f4a7c15u >> (j % 64);

		if (j % 1000 == 0) {	/* an insns record on CPU j % 3 */
			trace_write_event(w, j % 3, TRACE_INSNS, &one);
			records += 1 + (last != j % 3);	/* and a cpu record if it changed */
			last = j % 3;
		}
		trace_write_access(w, j / 1000 % 3, (enum trace_kind)(j % 3), addr % (UINT64_MAX - 300),
				   1 + (uint64_t)j % 40);
		records += 1 + (last != j / 1000 % 3);
		last = j / 1000 % 3;
	}
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	for (int k = 0;; k++) {
		size_t m = trace_read_accesses(r, &got, batch ? batch : sizes[k % 3]), c;
		int ret;

		for (c = 0; c < m; c++, i++, batched++) {
			uint64_t addr = (uint64_t)i * 0x9e3779b97f4a7c15u >> (i % 64);

			cr_assert_eq(cpu, i / 1000 % 3, "access %d on CPU %d", i, cpu);
			cr_assert_eq(TRACE_DESC_KIND(got.desc[c]), (enum trace_kind)(i % 3), "access %d", i);
			cr_assert_eq(got.addr[c], addr % (UINT64_MAX - 300), "access %d", i);
			cr_assert_eq(TRACE_DESC_SIZE(got.desc[c]), 1 + (uint64_t)i % 40, "access %d", i);
		}
		if (m)
			continue;
		ret = trace_read(r, &rec, error);
		cr_assert_geq(ret, 0, "%s", error->str);
		if (!ret)
			break;
		if (rec.type == TRACE_CPU)
			cpu = rec.cpu;
		if (rec.type != TRACE_ACCESS)
			continue;
		cr_assert_eq(rec.addr, ((uint64_t)i * 0x9e3779b97f4a7c15u >> (i % 64)) % (UINT64_MAX - 300),
			     "access %d", i);
		cr_assert_eq(rec.cpu, i / 1000 % 3);
		i++;
		single++;
	}
	cr_expect_eq(i, n);
	cr_expect_gt(batched, n / 2, "%d accesses came in batches", batched);
	cr_expect_gt(single, 0, "the ends of buffers cut records: trace_read() reads them");
	cr_expect_eq(trace_reader_records(r), records, "%" PRIu64 " records, %" PRIu64 " written",
		     trace_reader_records(r), records);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

Test(trace, batches_read_back)
{
	read_back_in_batches(0);
}

Test(trace, batches_of_one_read_back)
{
	read_back_in_batches(1);
}

/* Read with trace_read_accesses() first; the error, or "" after the end. */
static gchar *read_all_batched(void)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r = trace_reader_open(path, &h, error);
	struct trace_accesses batch;
	struct trace_record rec;

	cr_assert_not_null(r, "%s", error->str);
	do
		while (trace_read_accesses(r, &batch, 64))
			;
	while (trace_read(r, &rec, error) > 0);
	trace_reader_close(r);
	trace_header_clear(&h);
	return g_string_free(error, FALSE);
}

/* 100 reads of 8 bytes at 8, 16, ... (tag 0x88, zigzag delta 0x10), then
 * the record `bad` at stream offset 3 + 200 = 203, 20 more reads and the
 * end record;
 * read, it gives the error `cause` (NULL: none). */
static void expect_batched_error(const uint8_t *bad, size_t len, const char *cause)
{
	uint8_t raw[512] = { HDR };
	size_t n = 3;
	gchar *msg;

	for (int i = 0; i < 100; i++) {
		raw[n++] = 0x88;
		raw[n++] = 0x10;
	}
	memcpy(raw + n, bad, len);
	n += len;
	for (int i = 0; i < 20; i++) {	/* so that `bad` is not among the last bytes */
		raw[n++] = 0x88;
		raw[n++] = 0x10;
	}
	raw[n++] = 0;
	raw[n++] = 121;
	spill_raw(TRACE_VERSION, raw, n);
	msg = read_all_batched();
	if (cause)
		cr_expect(strstr(msg, cause), "message '%s' gives the cause '%s'", msg, cause);
	else
		cr_expect_str_eq(msg, "");
	g_free(msg);
}

Test(trace, batched_bad_records)
{
	/* 0x320 is the last read: 8 bytes at -4 is a delta of -0x324,
	 * zigzag 0x647 */
	const uint8_t past_top[] = { 0x88, 0xc7, 0x0c };
	const uint8_t too_long[] = { 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	const uint8_t tenth_byte_one[] = { 0x88, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
					   0x01 };
	const uint8_t kind3[] = { 0xe8, 0x10 };
	const uint8_t small_varint_size[] = { 0x80, 31, 0x10 };
	const uint8_t tag_unknown[] = { 0x70 };

	expect_batched_error(past_top, sizeof(past_top),
			     "stream offset 203: an access past the end of the address space");
	expect_batched_error(too_long, sizeof(too_long),
			     "stream offset 203: a number longer than 64 bits");
	expect_batched_error(kind3, sizeof(kind3), "stream offset 203: an access of unknown kind");
	expect_batched_error(small_varint_size, sizeof(small_varint_size),
			     "stream offset 203: an access of 31 bytes");
	expect_batched_error(tag_unknown, sizeof(tag_unknown),
			     "stream offset 203: unknown record tag 0x70");
	/* zigzag 2^63 (+2^62) in 10 bytes, the 10th 1: valid, and the end
	 * record's count holds */
	expect_batched_error(tenth_byte_one, sizeof(tenth_byte_one), NULL);
}

/* Deltas of every length from 1 to 10 bytes, in a run long enough for the
 * batch path: the addresses written come back. */
Test(trace, batched_deltas_of_every_length)
{
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(path, &header, error);
	struct trace_accesses got;
	struct trace_header h;
	struct trace_reader *r;
	uint64_t addrs[200];
	size_t m;

	cr_assert_not_null(w);
	for (int i = 0; i < 200; i++) {
		/* up 2^(7k), k = 0 ... 9, then back to 0: zigzag deltas of
		 * k + 1 bytes (2^(7k + 1) and 2^(7k + 1) - 1; all ones for k = 9) */
		addrs[i] = i % 2 ? 0 : UINT64_C(1) << (7 * (i / 2 % 10));
		trace_write_access(w, 0, TRACE_WRITE, addrs[i], 1);
	}
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	m = trace_read_accesses(r, &got, 256);
	cr_assert_gt(m, 150, "the run came in a batch (%zu)", m);
	for (size_t i = 0; i < m; i++) {
		cr_assert_eq(got.addr[i], addrs[i], "access %zu: %#" PRIx64 " for %#" PRIx64, i,
			     got.addr[i], addrs[i]);
		cr_assert_eq(TRACE_DESC_KIND(got.desc[i]), TRACE_WRITE);
	}
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

/* ---- access blocks (tag 0x7e) ---- */

/* The records of the stream `raw`, read with trace_read() into recs (room
 * for `max`): how many; the error, or "", in *msg. */
static size_t read_records(const uint8_t *raw, size_t len, struct trace_record *recs, size_t max,
			   gchar **msg)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r;
	size_t n = 0;

	spill_raw(2, raw, len);
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	while (n < max && trace_read(r, &recs[n], error) > 0)
		n++;
	trace_reader_close(r);
	trace_header_clear(&h);
	*msg = g_string_free(error, FALSE);
	return n;
}

/* The worked example of docs/trace-format.md in both of its forms: the
 * same records, those the document describes. */
Test(trace, blocks_and_single_records_read_alike)
{
	const uint8_t blocks[] = {
		1, 'g', 1, 'o', 1, 'p',
		0x7e, 1, 2, 0x08, 0x10, 0x00, 0x10,
		0x01, 2,
		0x7e, 3, 5, 0x40, 0x50, 0x04, 0x90, 0x04, 0x80, 0xf8, 0x0f, 0xff, 0x0f, 0xfc,
		0x06, 1,
		0x00, 6,
	};
	const uint8_t singles[] = {
		1, 'g', 1, 'o', 1, 'p',
		0x88, 0x80, 0x40,
		0x01, 2, 0xa0, 64, 0xf0, 0x3f,
		0xc4, 0xfe, 0x3f, 0xc4, 0x07,
		0x06, 1,
		0x00, 6,
	};
	const struct { enum trace_type type; int cpu; enum trace_kind kind; uint64_t addr, size; } want[] = {
		{ TRACE_ACCESS, 0, TRACE_READ, 0x1000, 8 },
		{ TRACE_CPU, 2, 0, 0, 0 },
		{ TRACE_ACCESS, 2, TRACE_WRITE, 0xff8, 64 },
		{ TRACE_ACCESS, 2, TRACE_FETCH, 0xfff, 4 },
		{ TRACE_ACCESS, 2, TRACE_FETCH, 0xffb, 4 },
		{ TRACE_SWITCH, 2, 0, 0, 0 },
	};
	const struct { const uint8_t *raw; size_t len; } forms[] = {
		{ blocks, sizeof(blocks) }, { singles, sizeof(singles) },
	};

	for (int f = 0; f < 2; f++) {
		struct trace_record recs[8];
		gchar *msg;
		size_t n = read_records(forms[f].raw, forms[f].len, recs, 8, &msg);

		cr_assert_str_eq(msg, "", "form %d: %s", f, msg);
		cr_assert_eq(n, 6, "form %d: %zu records", f, n);
		for (int i = 0; i < 6; i++) {
			cr_expect_eq(recs[i].type, want[i].type, "form %d record %d", f, i);
			cr_expect_eq(recs[i].cpu, want[i].cpu, "form %d record %d", f, i);
			if (want[i].type != TRACE_ACCESS)
				continue;
			cr_expect_eq(recs[i].kind, want[i].kind, "form %d record %d", f, i);
			cr_expect_eq(recs[i].addr, want[i].addr, "form %d record %d", f, i);
			cr_expect_eq(recs[i].size, want[i].size, "form %d record %d", f, i);
		}
		cr_expect_eq(recs[5].args[0], 1);
		g_free(msg);
	}
}

/* One thing written: an access (kind 0-2) or, with kind -1, an insns
 * event on `cpu` counting `addr`. */
struct op {
	int cpu, kind;
	uint64_t addr, size;
};

/* Write `ops`, then read them back with trace_read_accesses() in batches
 * cycling through `batches` and trace_read() for the rest: each compared
 * with what was written.  How many accesses of blocks trace_read() gave
 * (sizes below 4096: the first of a block cut by the end of the reader's
 * buffer, or bigger than the batch). */
static int round_trip(const struct op *ops, size_t n, const size_t *batches, size_t nb)
{
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(path, &header, error);
	struct trace_accesses got;
	struct trace_header h;
	struct trace_reader *r;
	struct trace_record rec;
	uint64_t kinds[2][3] = { { 0 } };	/* written, counted by the reader */
	size_t i = 0;
	int cpu = 0, single = 0;

	cr_assert_not_null(w);
	for (size_t j = 0; j < n; j++)
		if (ops[j].kind < 0)
			trace_write_event(w, ops[j].cpu, TRACE_INSNS, &ops[j].addr);
		else
			trace_write_access(w, ops[j].cpu, (enum trace_kind)ops[j].kind, ops[j].addr,
					   ops[j].size);
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	for (size_t k = 0;; k++) {
		size_t m = trace_read_accesses(r, &got, batches[k % nb]);
		int ret;

		cr_assert_leq(m, batches[k % nb]);
		for (size_t c = 0; c < m; c++, i++) {
			cr_assert_lt(i, n);
			cr_assert_eq(ops[i].kind, (int)TRACE_DESC_KIND(got.desc[c]), "op %zu", i);
			cr_assert_eq(ops[i].cpu, cpu, "op %zu on CPU %d", i, cpu);
			cr_assert_eq(ops[i].addr, got.addr[c], "op %zu: %#" PRIx64 " for %#" PRIx64, i,
				     got.addr[c], ops[i].addr);
			cr_assert_eq(ops[i].size, TRACE_DESC_SIZE(got.desc[c]), "op %zu", i);
		}
		if (m)
			continue;
		ret = trace_read(r, &rec, error);
		cr_assert_geq(ret, 0, "%s", error->str);
		if (!ret)
			break;
		if (rec.type == TRACE_CPU) {
			cpu = rec.cpu;
			continue;
		}
		cr_assert_lt(i, n);
		cr_assert_eq(ops[i].cpu, rec.cpu, "op %zu", i);
		if (rec.type == TRACE_ACCESS) {
			cr_assert_eq(ops[i].kind, (int)rec.kind, "op %zu", i);
			cr_assert_eq(ops[i].addr, rec.addr, "op %zu", i);
			cr_assert_eq(ops[i].size, rec.size, "op %zu", i);
			single += rec.size <= 4095;	/* from a block */
		} else {
			cr_assert_eq(rec.type, TRACE_INSNS, "op %zu", i);
			cr_assert_eq(ops[i].kind, -1, "op %zu: an event where an access was written", i);
			cr_assert_eq(rec.args[0], ops[i].addr, "op %zu", i);
		}
		i++;
	}
	cr_expect_eq(i, n, "%zu of %zu read back", i, n);
	for (size_t j = 0; j < n; j++)
		if (ops[j].kind >= 0)
			kinds[0][ops[j].kind]++;
	trace_reader_kinds(r, kinds[1]);
	for (int k = 0; k < 3; k++)
		cr_expect_eq(kinds[1][k], kinds[0][k], "kind %d: %" PRIu64 " counted, %" PRIu64
			     " written", k, kinds[1][k], kinds[0][k]);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
	return single;
}

/* Deltas at every edge of every length class (1, 2, 4, 8 bytes, and
 * around 2^64), sizes at the edges of the block's 12 bits (4095 in a
 * block, 4096 and more as single records), each kind on its own and
 * interleaved, events and CPU changes between them. */
Test(trace, block_round_trip_of_every_edge)
{
	static const int64_t deltas[] = {
		0, 1, -1, 127, 128, -128, -129, 32767, 32768, -32768, -32769,
		INT32_MAX, (int64_t)INT32_MAX + 1, INT32_MIN, (int64_t)INT32_MIN - 1,
		INT64_MAX, INT64_MIN, INT64_MIN + 1,
	};
	static const uint64_t sizes[] = { 1, 8, 31, 32, 64, 4095, 4096, 65536, 1 };
	static const size_t batches[] = { 1, 7, 512, 4096, 3 };
	struct op ops[2000];
	uint64_t last[2][3] = { { 0 } };
	size_t n = 0;

	for (int round = 0; round < 4; round++)
		for (size_t d = 0; d < G_N_ELEMENTS(deltas); d++)
			for (int kind = 0; kind < 3; kind++) {
				int cpu = round % 2;
				uint64_t size = sizes[(d + (size_t)kind) % G_N_ELEMENTS(sizes)];
				uint64_t addr = last[cpu][kind] + (uint64_t)deltas[d];

				if (addr + size - 1 < addr)	/* would wrap: the top instead */
					addr = UINT64_MAX - size + 1;
				if (round == 3 && d % 5 == 0)
					ops[n++] = (struct op){ cpu, -1, d + 1, 0 };
				ops[n++] = (struct op){ cpu, round == 2 ? 0 : kind, addr, size };
				last[cpu][ops[n - 1].kind] = addr;
			}
	ops[n++] = (struct op){ 1, TRACE_READ, 0, UINT64_MAX };	/* the largest size */
	ops[n++] = (struct op){ 1, TRACE_READ, UINT64_MAX, 1 };	/* the last byte */
	round_trip(ops, n, batches, G_N_ELEMENTS(batches));
}

/* 300,000 random accesses (deltas of random bit lengths, CPU changes now
 * and then, events between them): a stream of several of the reader's
 * buffers, so blocks are cut by their ends and trace_read() reads them. */
Test(trace, block_round_trip_random)
{
	static const uint64_t sizes[] = { 1, 2, 4, 8, 16, 32, 48, 100, 4095, 4096 };
	static const size_t batches[] = { 512, 1, 100, 4096, 511, 513 };
	const size_t n = 300000;
	struct op *ops = g_new(struct op, n);
	uint64_t last[4][3] = { { 0 } };
	GRand *rand = g_rand_new_with_seed(16);
	int cpu = 0, single;

	for (size_t i = 0; i < n; i++) {
		int kind = g_rand_int_range(rand, 0, 3), bits = g_rand_int_range(rand, 0, 65);
		uint64_t size = sizes[g_rand_int_range(rand, 0, G_N_ELEMENTS(sizes))];
		uint64_t delta = ((uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand)) >>
				 (64 - bits) % 64 * (bits > 0), addr;

		if (!bits)
			delta = 0;
		if (g_rand_int_range(rand, 0, 700) == 0)
			cpu = g_rand_int_range(rand, 0, 4);
		if (g_rand_int_range(rand, 0, 500) == 0) {
			ops[i] = (struct op){ cpu, -1, i, 0 };
			continue;
		}
		addr = last[cpu][kind] + (g_rand_boolean(rand) ? delta : -delta);
		if (addr + size - 1 < addr)
			addr = 0;
		last[cpu][kind] = addr;
		ops[i] = (struct op){ cpu, kind, addr, size };
	}
	single = round_trip(ops, n, batches, G_N_ELEMENTS(batches));
	cr_expect_gt(single, 0, "blocks cut by the end of the buffer came through trace_read()");
	g_rand_free(rand);
	g_free(ops);
}

/* The end record counts each access of a block. */
Test(trace, end_count_of_a_block)
{
	const uint8_t raw[] = { HDR, 0x7e, 2, 2, 0x08, 0x00, 0x08, 0x00, 0x10, 0x10, 0, 3 };

	spill_raw(2, raw, sizeof(raw));
	expect_error("stream offset 12: the end record counts 3 records, 2 came before it");
}

Test(trace, block_cut_short)
{
	const uint8_t raw[] = { HDR, 0x88, 0x10, 0x7e, 2, 2, 0x08, 0x00 };

	spill_raw(2, raw, sizeof(raw));
	expect_error("stream offset 5: truncated: the record there is incomplete");
}

/* Each bad access block at stream offset 203, after 100 reads (the last at
 * 0x320), read in batches and record by record: its error. */
Test(trace, bad_blocks)
{
	static const struct {
		uint8_t bytes[24];
		size_t len;
		const char *cause;
	} bad[] = {
		{ { 0x7e, 0, 0 }, 3, "an access block of 0 accesses (1 to 4096)" },
		{ { 0x7e, 0x81, 0x20, 0 }, 4, "an access block of 4097 accesses (1 to 4096)" },
		{ { 0x7e, 1, 9, 0x08, 0x30 }, 5,
		  "an access block of 1 accesses stating 9 bytes of deltas (at most 8 an access)" },
		{ { 0x7e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 1 }, 12,
		  "a number longer than 64 bits" },
		{ { 0x7e, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 }, 12,
		  "a number longer than 64 bits" },
		/* kind 3, in the last descriptors and in a full word of four */
		{ { 0x7e, 2, 2, 0x08, 0x00, 0x08, 0xc0, 0x10, 0x10 }, 9,
		  "access 1 of an access block: an access of unknown kind (descriptor 0xc008)" },
		{ { 0x7e, 5, 5, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00, 0x08, 0xc0, 0x08, 0x00, 0x10, 0x10,
		    0x10, 0x10, 0x10 }, 18,
		  "access 3 of an access block: an access of unknown kind (descriptor 0xc008)" },
		{ { 0x7e, 3, 3, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x10, 0x10, 0x10 }, 12,
		  "access 2 of an access block: an access of 0 bytes" },
		{ { 0x7e, 4, 4, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00, 0x10, 0x10, 0x10, 0x10 },
		  15, "access 0 of an access block: an access of 0 bytes" },
		/* the classes make fewer or more bytes than stated */
		{ { 0x7e, 1, 2, 0x08, 0x00, 0x10, 0x00 }, 7,
		  "an access block's length classes make 1 bytes of deltas, it states 2" },
		{ { 0x7e, 1, 1, 0x08, 0x30, 0x10 }, 6,
		  "an access block's length classes make 8 bytes of deltas, it states 1" },
		{ { 0x7e, 4, 5, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00, 0x10, 0x10, 0x10, 0x10,
		    0x10 }, 16, "an access block's length classes make 4 bytes of deltas, it states 5" },
		/* +0x10 to 0x330, then -0x334 (0xfccc in 2 bytes): 8 bytes at 2^64 - 4 */
		{ { 0x7e, 2, 3, 0x08, 0x00, 0x08, 0x10, 0x10, 0xcc, 0xfc }, 10,
		  "an access past the end of the address space (access 1 of the block)" },
		/* 4095 bytes (0x1fff: class 1) at 2^64 - 4094 (-0x131e: 0xece2) */
		{ { 0x7e, 1, 2, 0xff, 0x1f, 0xe2, 0xec }, 7,
		  "an access past the end of the address space (access 0 of the block)" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		gchar *cause = g_strdup_printf("stream offset 203: %s", bad[i].cause);

		expect_batched_error(bad[i].bytes, bad[i].len, cause);
		g_free(cause);
	}
}

/* A block of 17 reads of 8 bytes (two vectors of eight descriptors and
 * one more), one of its descriptors bad, at each place in turn: of kind 3
 * (0xc008), or of 0 bytes (0x0000); then all of them of kind 3.  Its error
 * names the (first) bad access. */
Test(trace, a_bad_descriptor_anywhere_in_a_block)
{
	uint8_t block[3 + 2 * 17 + 17] = { 0x7e, 17, 17 };

	for (unsigned bad = 0; bad < 17; bad++)
		for (int zero = 0; zero < 2; zero++) {
			gchar *cause;

			for (unsigned i = 0; i < 17; i++) {
				block[3 + 2 * i] = i != bad || !zero ? 0x08 : 0x00;
				block[3 + 2 * i + 1] = i != bad || zero ? 0x00 : 0xc0;
				block[3 + 2 * 17 + i] = 0x08;
			}
			cause = zero ? g_strdup_printf("stream offset 203: access %u of an access "
						       "block: an access of 0 bytes", bad) :
				       g_strdup_printf("stream offset 203: access %u of an access "
						       "block: an access of unknown kind (descriptor "
						       "0xc008)", bad);
			expect_batched_error(block, sizeof(block), cause);
			g_free(cause);
		}
	/* all of them of kind 3: a loop of bad accesses, the first named */
	for (unsigned i = 0; i < 17; i++)
		block[3 + 2 * i] = 0x08, block[3 + 2 * i + 1] = 0xc0;
	expect_batched_error(block, sizeof(block), "stream offset 203: access 0 of an access "
			     "block: an access of unknown kind (descriptor 0xc008)");
}

/* Good blocks among single records: read in batches, the end record's
 * count holds (each access a record), the top byte reachable. */
Test(trace, good_blocks_among_single_records)
{
	const uint8_t one[] = { 0x7e, 1, 1, 0x08, 0x00, 0x10 };
	/* 0x330 (+0x10 in 1 byte), then 2^64 - 8 (-0x338 in 2 bytes: 0xfcc8),
	 * both 8 bytes: the last byte of the address space, no wrap */
	const uint8_t top[] = { 0x7e, 2, 3, 0x08, 0x00, 0x08, 0x10, 0x10, 0xc8, 0xfc };

	/* 4095 bytes at 2^64 - 4095 (-0x131f: 0xece1), the reads after it
	 * 0x10 apart, up to 2^64 - 4095 + 320 */
	const uint8_t largest[] = { 0x7e, 1, 2, 0xff, 0x1f, 0xe1, 0xec };

	expect_batched_error(one, sizeof(one), NULL);
	expect_batched_error(largest, sizeof(largest), NULL);
	/* the 20 reads that follow (+0x10 from 2^64 - 8: 8, 0x18, ...) and
	 * the end record at 213 + 40, which counts one access too few */
	expect_batched_error(top, sizeof(top),
			     "stream offset 253: the end record counts 121 records, 122 came before it");
}

/* Eleven accesses of 4 bytes, fetch, read, write in turn, each delta
 * written in the class of the descriptor's high byte `classes[i]` (0: one
 * byte, a narrow block if all are), read back in one batch: the addresses
 * worked out by hand below, whatever the classes. */
static void expect_block_addresses(const uint8_t classes[11])
{
	static const int8_t delta[11] = { 0x40, 0x10, 0x20, -4, 8, -0x80, 0x7f, -1, 1, 2, 0x50 };
	static const uint64_t want[11] = {
		0x40, 0x10, 0x20,		/* fetch, read, write from 0 */
		0x3c, 0x18, -(uint64_t)0x60,	/* -4, +8, -0x80 */
		0xbb, 0x17, -(uint64_t)0x5f,	/* +0x7f, -1, +1 */
		0xbd, 0x67,			/* +2, +0x50 */
	};
	uint8_t raw[256] = { HDR, 0x7e, 11, 0 };
	size_t n = 6, d = 0;
	GString *error = g_string_new(NULL);
	struct trace_accesses got;
	struct trace_header h;
	struct trace_reader *r;

	for (int i = 0; i < 11; i++) {
		raw[n++] = 0x04;	/* 4 bytes */
		raw[n++] = (uint8_t)((2 + i) % 3 << 6 | classes[i] << 4);	/* fetch, read, write */
	}
	for (int i = 0; i < 11; i++)
		for (int b = 0; b < 1 << classes[i]; b++, d++)	/* sign-extended, little-endian */
			raw[n++] = (uint8_t)((uint64_t)(int64_t)delta[i] >> (8 * b));
	raw[5] = (uint8_t)d;	/* under 128: one byte */
	raw[n++] = 0;
	raw[n++] = 11;
	spill_raw(TRACE_VERSION, raw, n);
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	cr_assert_eq(trace_read_accesses(r, &got, 64), 11);
	for (int i = 0; i < 11; i++) {
		cr_expect_eq(got.addr[i], want[i], "access %d: %#" PRIx64 " for %#" PRIx64, i,
			     got.addr[i], want[i]);
		cr_expect_eq(TRACE_DESC_KIND(got.desc[i]), (2 + i) % 3);
		cr_expect_eq(TRACE_DESC_SIZE(got.desc[i]), 4);
	}
	cr_expect_eq(trace_read(r, &(struct trace_record){ 0 }, error), 0, "%s", error->str);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

/* A narrow block (every delta one byte: its own loop) and the same block
 * with one wider delta among the first eight descriptors (checked as a
 * vector) or the last three (one by one) give the same addresses. */
Test(trace, narrow_and_wide_blocks_decode_alike)
{
	const uint8_t narrow[11] = { 0 }, wide_last[11] = { [10] = 1 }, wide_first[11] = { [3] = 2 },
		      widest[11] = { [0] = 3 };

	expect_block_addresses(narrow);
	expect_block_addresses(wide_last);
	expect_block_addresses(wide_first);
	expect_block_addresses(widest);
}

/* A narrow block at the top of the address space: to its last byte, and
 * past it (at stream offset 206, after a read moved to 2^64 - 0x10 by a
 * delta of -0x330, zigzag 0x65f). */
Test(trace, narrow_blocks_at_the_top)
{
	/* 8 bytes at 2^64 - 12, then 2^64 - 8: no wrap; the 20 reads after
	 * (+0x10 from there) and the end record at 215 + 40, which counts
	 * two accesses too few */
	const uint8_t top[] = { 0x88, 0xdf, 0x0c, 0x7e, 2, 2, 0x08, 0x00, 0x08, 0x00, 0x04, 0x04 };
	/* 8 bytes at 2^64 - 12, then 2^64 - 4: past 2^64 */
	const uint8_t past[] = { 0x88, 0xdf, 0x0c, 0x7e, 2, 2, 0x08, 0x00, 0x08, 0x00, 0x04, 0x08 };

	expect_batched_error(top, sizeof(top),
			     "stream offset 255: the end record counts 121 records, 123 came before it");
	expect_batched_error(past, sizeof(past), "stream offset 206: an access past the end of "
			     "the address space (access 1 of the block)");
}

/* An access of a block being built: kind, size, delta. */
struct acc {
	unsigned kind, size;
	int delta;
};

/* Into raw: the header, a block of the n (< 128) accesses `a`, every
 * delta in one byte (a narrow block) or, `wide`, the first in two, then
 * the `tail` bytes and the end record counting `records` (< 128).  Its
 * length. */
static size_t block_stream(uint8_t *raw, const struct acc *a, unsigned n, bool wide,
			   const uint8_t *tail, size_t tail_len, unsigned records)
{
	size_t len = 0, d = n + wide;

	raw[len++] = 0, raw[len++] = 0, raw[len++] = 0;
	raw[len++] = 0x7e;
	raw[len++] = (uint8_t)n;
	raw[len++] = (uint8_t)(d | 0x80), raw[len++] = (uint8_t)(d >> 7);	/* 2-byte varint */
	for (unsigned i = 0; i < n; i++) {
		unsigned desc = a[i].kind << 14 | (wide && !i) << 12 | a[i].size;

		raw[len++] = (uint8_t)desc, raw[len++] = (uint8_t)(desc >> 8);
	}
	for (unsigned i = 0; i < n; i++) {
		raw[len++] = (uint8_t)a[i].delta;
		if (wide && !i)
			raw[len++] = (uint8_t)(a[i].delta >> 8);
	}
	if (tail_len)
		memcpy(raw + len, tail, tail_len);
	len += tail_len;
	raw[len++] = 0;
	raw[len++] = (uint8_t)records;
	return len;
}

/* Every access of the file, read in batches (and, cut by the buffer's end,
 * one at a time), its address into addrs and its descriptor (kind and
 * size) into descs, either NULL, the first max of them; the reader's count
 * of each kind into kinds (if not NULL): how many accesses; the end
 * reached without an error. */
static size_t read_accesses(uint64_t *addrs, uint16_t *descs, size_t max, uint64_t kinds[3])
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r = trace_reader_open(path, &h, error);
	struct trace_accesses got;
	struct trace_record rec;
	size_t n = 0, m;
	int ret;

	cr_assert_not_null(r, "%s", error->str);
	do {
		while ((m = trace_read_accesses(r, &got, 512)))
			for (size_t i = 0; i < m && n < max; i++, n++) {
				if (addrs)
					addrs[n] = got.addr[i];
				if (descs)
					descs[n] = got.desc[i];
			}
		if ((ret = trace_read(r, &rec, error)) > 0 && rec.type == TRACE_ACCESS && n < max) {
			if (addrs)
				addrs[n] = rec.addr;
			if (descs)
				descs[n] = (uint16_t)((unsigned)rec.kind << 14 | rec.size);
			n++;
		}
	} while (ret > 0);
	cr_assert_eq(ret, 0, "%s", error->str);
	if (kinds)
		trace_reader_kinds(r, kinds);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
	return n;
}

/* The 93 accesses `a` as one block (wide: deltas of two bytes and more),
 * a single record a byte after the last of each kind after it (`after`):
 * read back, the 96 addresses are `want`. */
static void expect_loop_block(const struct acc *a, bool wide, const uint64_t want[96],
			      const char *what)
{
	static const uint8_t after[] = { 0xa8, 2, 0x88, 2, 0xd0, 2 };	/* +1 each */
	uint64_t got[100];
	uint8_t raw[512];

	spill_raw(TRACE_VERSION, raw, block_stream(raw, a, 93, wide, after, sizeof(after), 96));
	cr_assert_eq(read_accesses(got, NULL, 100, NULL), 96, "%s", what);
	for (int i = 0; i < 96; i++)
		cr_expect_eq(got[i], want[i], "%s, access %d: %#" PRIx64 " for %#" PRIx64, what, i,
			     got[i], want[i]);
}

/* A loop's block: a write at 100, a fetch at 40, a read at 4, then 30
 * times a read 64 up, a write 3 down and the fetch again (accesses 3 to
 * 92 repeat those 3 before them: decoded by strides), then single
 * records a byte after the last of each kind.  The same with the first
 * delta in two bytes (decoded one by one); and with the writes only
 * before the loop (period 2), whose last write the single write follows;
 * and with two reads in the period. */
Test(trace, a_loops_block_by_strides)
{
	struct acc a[93] = { { TRACE_WRITE, 8, 100 }, { TRACE_FETCH, 32, 40 }, { TRACE_READ, 8, 4 } };
	uint64_t want[96];

	for (unsigned t = 1; t <= 30; t++) {
		a[3 * t] = (struct acc){ TRACE_READ, 8, 64 };
		a[3 * t + 1] = (struct acc){ TRACE_WRITE, 8, -3 };
		a[3 * t + 2] = (struct acc){ TRACE_FETCH, 32, 0 };
		want[3 * t] = 4 + 64 * t;
		want[3 * t + 1] = 100 - 3 * t;
		want[3 * t + 2] = 40;
	}
	want[0] = 100, want[1] = 40, want[2] = 4;
	want[93] = 100 - 90 + 1, want[94] = 4 + 64 * 30 + 1, want[95] = 41;
	expect_loop_block(a, false, want, "narrow");
	expect_loop_block(a, true, want, "wide");
	/* a write, a fetch, a read, then 45 times a read 64 up and the fetch */
	for (unsigned t = 1; t <= 45; t++) {
		a[2 * t + 1] = (struct acc){ TRACE_READ, 8, 64 };
		a[2 * t + 2] = (struct acc){ TRACE_FETCH, 32, 0 };
		want[2 * t + 1] = 4 + 64 * t;
		want[2 * t + 2] = 40;
	}
	want[93] = 101, want[94] = 4 + 64 * 45 + 1, want[95] = 41;
	expect_loop_block(a, false, want, "period 2");
	/* then 30 times two reads 8 up and the fetch: the single read follows
	 * the second */
	for (unsigned t = 1; t <= 30; t++) {
		a[3 * t] = a[3 * t + 1] = (struct acc){ TRACE_READ, 8, 8 };
		a[3 * t + 2] = (struct acc){ TRACE_FETCH, 32, 0 };
		want[3 * t] = 4 + 16 * t - 8;
		want[3 * t + 1] = 4 + 16 * t;
		want[3 * t + 2] = 40;
	}
	want[93] = 101, want[94] = 4 + 16 * 30 + 1, want[95] = 41;
	expect_loop_block(a, false, want, "two reads");
}

/* Blocks of 2 to 60 accesses, a write of 4 bytes then a loop of a read of
 * 8, a write of 2 and a fetch of 16 (period 3), narrow and wide: every
 * access's kind and size given out, and the reader counts 1 + n / 3
 * writes, (n + 1) / 3 reads and (n - 1) / 3 fetches (of the loop's n - 1
 * accesses, those at 1, 4, 7, ... are reads, at 2, 5, ... writes, at 3,
 * 6, ... fetches). */
Test(trace, a_loops_block_counted_by_kind)
{
	static const unsigned kinds[3] = { TRACE_READ, TRACE_WRITE, TRACE_FETCH };
	static const unsigned sizes[3] = { 8, 2, 16 };
	struct acc a[60] = { { TRACE_WRITE, 4, 8 } };
	uint16_t descs[64];
	uint64_t counts[3];
	uint8_t raw[512];

	for (unsigned i = 1; i < 60; i++)
		a[i] = (struct acc){ kinds[(i - 1) % 3], sizes[(i - 1) % 3], (int)(i - 1) % 3 };
	for (unsigned n = 2; n <= 60; n++)
		for (int wide = 0; wide < 2; wide++) {
			spill_raw(TRACE_VERSION, raw, block_stream(raw, a, n, wide, NULL, 0, n));
			cr_assert_eq(read_accesses(NULL, descs, 64, counts), n);
			for (unsigned i = 0; i < n; i++) {
				cr_expect_eq(TRACE_DESC_KIND(descs[i]), a[i].kind,
					     "n %u wide %d access %u: kind", n, wide, i);
				cr_expect_eq(TRACE_DESC_SIZE(descs[i]), a[i].size,
					     "n %u wide %d access %u: size", n, wide, i);
			}
			cr_expect_eq(counts[TRACE_WRITE], 1 + n / 3, "n %u wide %d: %" PRIu64
				     " writes", n, wide, counts[TRACE_WRITE]);
			cr_expect_eq(counts[TRACE_READ], (n + 1) / 3, "n %u wide %d: %" PRIu64
				     " reads", n, wide, counts[TRACE_READ]);
			cr_expect_eq(counts[TRACE_FETCH], (n - 1) / 3, "n %u wide %d: %" PRIu64
				     " fetches", n, wide, counts[TRACE_FETCH]);
		}
}

/* Blocks whose last accesses repeat for less than two periods: a read,
 * a write and a fetch 1, 2 and 3 up, then the read again (period 3 from
 * access 3); the same with the write again (accesses 3 and 4). */
Test(trace, a_loops_block_of_less_than_two_periods)
{
	struct acc a[5] = { { TRACE_READ, 8, 1 }, { TRACE_WRITE, 8, 2 }, { TRACE_FETCH, 4, 3 },
			    { TRACE_READ, 8, 1 }, { TRACE_WRITE, 8, 2 } };
	static const uint64_t want[5] = { 1, 2, 3, 2, 4 };
	uint64_t got[8];
	uint8_t raw[64];

	for (unsigned n = 4; n <= 5; n++) {
		spill_raw(TRACE_VERSION, raw, block_stream(raw, a, n, false, NULL, 0, n));
		cr_assert_eq(read_accesses(got, NULL, 8, NULL), n);
		for (unsigned i = 0; i < n; i++)
			cr_expect_eq(got[i], want[i], "%u accesses, access %u: %#" PRIx64 " for %#"
				     PRIx64, n, i, got[i], want[i]);
	}
}

/* The block of the n accesses `a` after a single read: the error. */
static gchar *read_after_single(const uint8_t *single, size_t single_len, const struct acc *a,
				unsigned n)
{
	uint8_t raw[512] = { HDR };
	size_t len;

	/* the block after the header and the single read: block_stream's
	 * own empty header (zeros) goes just before it, under the read */
	len = block_stream(raw + single_len, a, n, false, NULL, 0, n + 1);
	memcpy(raw + 3, single, single_len);
	spill_raw(TRACE_VERSION, raw, len + single_len);
	return read_all_batched();
}

/* n reads of 8 bytes, the first delta0 up, the others delta up each; or,
 * `fetches`, each after a fetch of 4 bytes at 0. */
static unsigned reads(struct acc *a, unsigned n, int delta0, int delta, bool fetches)
{
	for (unsigned i = 0, r = 0; i < n; i++)
		a[i] = fetches && i % 2 == 0 ? (struct acc){ TRACE_FETCH, 4, 0 } :
					       (struct acc){ TRACE_READ, 8, r++ ? delta : delta0 };
	return n;
}

/* Narrow blocks of reads past 2^64, at stream offset 3 + the single read
 * before them: in the accesses decoded by strides (from 2^64 - 5004,
 * zigzag 10007: reads 100 apart, read 49 at 2^64 - 4, none before it in
 * the last 4095 bytes); the same with a fetch before each read (from
 * 2^64 - 4304, zigzag 8607: read 42, access 85, at 2^64 - 4, the reads
 * the second of each pair of accesses written at once); before the
 * strides (from 2^64 - 0x10, zigzag 0x1f: read 0 at 2^64 - 4, the others
 * 16 apart from there, past 2^64 to 12, 28, ...). */
Test(trace, a_loops_block_past_the_top)
{
	static const uint8_t far[] = { 0x88, 0x97, 0x4e }, farther[] = { 0x88, 0x9f, 0x43 },
			     near[] = { 0x88, 0x1f };
	struct acc a[100];
	gchar *msg = read_after_single(far, sizeof(far), a, reads(a, 60, 100, 100, false));

	cr_expect(strstr(msg, "stream offset 6: an access past the end of the address space "
			 "(access 49 of the block)"), "%s", msg);
	g_free(msg);
	msg = read_after_single(farther, sizeof(farther), a, reads(a, 100, 100, 100, true));
	cr_expect(strstr(msg, "stream offset 6: an access past the end of the address space "
			 "(access 85 of the block)"), "%s", msg);
	g_free(msg);
	msg = read_after_single(near, sizeof(near), a, reads(a, 41, 12, 16, false));
	cr_expect(strstr(msg, "stream offset 5: an access past the end of the address space "
			 "(access 0 of the block)"), "%s", msg);
	g_free(msg);
}

/* 40 reads 12 apart but for access k, a write (12: the first) with the
 * same delta and size, or a read 20 up: the block repeats only from
 * access k + 2 on; k in the first and in the second half of eight
 * accesses compared at once. */
Test(trace, a_loops_block_broken_by_an_access)
{
	static const uint64_t at[] = { 18, 22 };
	struct acc a[40];
	uint64_t got[48];
	uint8_t raw[512];

	for (int write = 0; write < 2; write++) {
		for (size_t j = 0; j < G_N_ELEMENTS(at); j++) {
			for (uint64_t i = 0; i < 40; i++)
				a[i] = (struct acc){ TRACE_READ, 8, 12 };
			a[at[j]] = write ? (struct acc){ TRACE_WRITE, 8, 12 } : (struct acc){ TRACE_READ, 8, 20 };
			spill_raw(TRACE_VERSION, raw, block_stream(raw, a, 40, false, NULL, 0, 40));
			cr_assert_eq(read_accesses(got, NULL, 48, NULL), 40);
			for (uint64_t i = 0; i < 40; i++) {
				uint64_t want = i < at[j] ? 12 * (i + 1) :
						write ? (i == at[j] ? 12 : 12 * i) : 12 * (i + 1) + 8;

				cr_expect_eq(got[i], want, "%s at %" PRIu64 ", access %" PRIu64
					     ": %#" PRIx64 " for %#" PRIx64, write ? "write" : "read",
					     at[j], i, got[i], want);
			}
		}
	}
}

/* ---- events among a block's accesses (tag 0x7d, version 3) ---- */

/* Four reads of 8 bytes in a block (+0x1000 in 2 bytes, +8 and -0x10 in
 * one, +0x12345678 in 4), insns records placed before its accesses 1 and
 * 3 (gaps 1 and 2), one more after it as a plain record, the end record
 * (7 records). */
static const uint8_t events_block[] = {
	HDR,
	0x7d, 4, 8, 2,
	0x08, 0x10, 0x08, 0x00, 0x08, 0x00, 0x08, 0x20,
	0x00, 0x10, 0x08, 0xf0, 0x78, 0x56, 0x34, 0x12,
	1, 2,
	0x02, 5, 0x02, 7,
	0x02, 9,
	0x00, 7,
};

/* What it holds, in order: an access's address, or an insns record's
 * count (with 0 for address), and each one's stream offset. */
static const struct { uint64_t addr, insns, offset; } events_block_records[] = {
	{ 0x1000, 0, 3 }, { 0, 5, 25 }, { 0x1008, 0, 3 }, { 0xff8, 0, 3 },
	{ 0, 7, 27 }, { 0x12346670, 0, 3 }, { 0, 9, 29 },
};

Test(trace, events_among_a_block_record_by_record)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r;
	struct trace_record rec;
	uint64_t kinds[3];
	size_t i = 0;
	int ret;

	spill_raw(3, events_block, sizeof(events_block));
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	while ((ret = trace_read(r, &rec, error)) > 0) {
		cr_assert_lt(i, G_N_ELEMENTS(events_block_records));
		cr_expect_eq(rec.offset, events_block_records[i].offset, "record %zu at %" PRIu64, i,
			     rec.offset);
		if (events_block_records[i].insns) {
			cr_expect_eq(rec.type, TRACE_INSNS, "record %zu", i);
			cr_expect_eq(rec.args[0], events_block_records[i].insns, "record %zu", i);
		} else {
			cr_expect_eq(rec.type, TRACE_ACCESS, "record %zu", i);
			cr_expect_eq(rec.addr, events_block_records[i].addr, "record %zu: %#" PRIx64, i,
				     rec.addr);
			cr_expect_eq(rec.kind, TRACE_READ);
			cr_expect_eq(rec.size, 8);
		}
		i++;
	}
	cr_assert_eq(ret, 0, "%s", error->str);
	cr_expect_eq(i, G_N_ELEMENTS(events_block_records));
	trace_reader_kinds(r, kinds);
	cr_expect_eq(kinds[TRACE_READ], 4);
	cr_expect_eq(kinds[TRACE_WRITE] + kinds[TRACE_FETCH], 0);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

/* In batches of 4, the runs stop at the events' places: 1 access, the
 * event, 2, the event, 1, the record after the block. */
Test(trace, events_among_a_block_in_batches)
{
	static const size_t runs[] = { 1, 2, 1 };
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r;
	struct trace_record rec;
	struct trace_accesses got;
	size_t i = 0;

	spill_raw(3, events_block, sizeof(events_block));
	r = trace_reader_open(path, &h, error);
	cr_assert_not_null(r, "%s", error->str);
	for (int k = 0; k < 3; k++) {
		size_t m = trace_read_accesses(r, &got, 4);

		cr_assert_eq(m, runs[k], "run %d: %zu accesses", k, m);
		for (size_t c = 0; c < m; c++, i++)
			cr_expect_eq(got.addr[c], events_block_records[i].addr, "record %zu", i);
		cr_assert_eq(trace_read_accesses(r, &got, 4), 0, "an event is due");
		cr_assert_eq(trace_read(r, &rec, error), 1, "%s", error->str);
		cr_expect_eq(rec.type, TRACE_INSNS);
		cr_expect_eq(rec.args[0], events_block_records[i].insns, "record %zu", i);
		i++;
	}
	cr_expect_eq(trace_read(r, &rec, error), 0, "%s", error->str);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
}

/* The writer holds an insns record among a block's accesses: the bytes of
 * a read of 8 at 0x1000, insns 5, a read of 8 at 0x1008 (+8: class 0). */
Test(trace, writer_holds_a_payment_in_the_block)
{
	GString *error = g_string_new(NULL);
	struct trace_header h = { "g", "o", "p" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	const uint8_t want[] = {
		1, 'g', 1, 'o', 1, 'p',
		0x7d, 2, 3, 1, 0x08, 0x10, 0x08, 0x00, 0x00, 0x10, 0x08, 1,
		0x02, 5,
		0x00, 3,
	};
	uint64_t five = 5;
	uint8_t out[64];
	gchar *file;
	size_t len, n;

	cr_assert_not_null(w);
	trace_write_access(w, 0, TRACE_READ, 0x1000, 8);
	trace_write_event(w, 0, TRACE_INSNS, &five);
	trace_write_access(w, 0, TRACE_READ, 0x1008, 8);
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	file = slurp(&len);
	n = ZSTD_decompress(out, sizeof(out), file + 12, len - 12);
	cr_assert(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
	cr_assert_eq(n, sizeof(want), "%zu bytes", n);
	cr_expect(!memcmp(out, want, n));
	g_free(file);
	g_string_free(error, TRUE);
}

/* Bad blocks with events at stream offset 203 (after 100 reads), and
 * what comes where an event is due: each one's error. */
Test(trace, bad_events_among_a_block)
{
	static const struct {
		uint8_t bytes[16];
		size_t len;
		const char *cause;
	} bad[] = {
		{ { 0x7d, 1, 1, 0 }, 4, "203: an access block of 0 events among its accesses (1 to 4096)" },
		{ { 0x7d, 1, 1, 0x81, 0x20 }, 5,
		  "203: an access block of 4097 events among its accesses (1 to 4096)" },
		{ { 0x7d, 1, 1, 1, 0x08, 0x00, 0x10, 1 }, 8,
		  "203: event 0 of an access block placed after its last access (1 accesses)" },
		{ { 0x7d, 3, 3, 2, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00, 0x10, 0x10, 0x10, 2, 1 }, 15,
		  "203: event 1 of an access block placed after its last access (3 accesses)" },
		/* an access, a cpu record, a block and the end where the event is due */
		{ { 0x7d, 2, 2, 1, 0x08, 0x00, 0x08, 0x00, 0x10, 0x10, 1 }, 11,
		  "214: record tag 0x88 where an access block's event is due (before its access 1)" },
		{ { 0x7d, 2, 2, 1, 0x08, 0x00, 0x08, 0x00, 0x10, 0x10, 1, 0x01, 0 }, 13,
		  "214: record tag 0x1 where an access block's event is due" },
		{ { 0x7d, 2, 2, 1, 0x08, 0x00, 0x08, 0x00, 0x10, 0x10, 1, 0x7e, 1, 1, 0x08, 0x00 }, 16,
		  "214: record tag 0x7e where an access block's event is due" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		gchar *cause = g_strdup_printf("stream offset %s", bad[i].cause);

		expect_batched_error(bad[i].bytes, bad[i].len, cause);
		g_free(cause);
	}
}

/* The end record where an event is due; a block with events in a
 * version 2 trace, whose format has none. */
Test(trace, events_block_cut_or_of_another_version)
{
	/* a read of 8 at +0x10 (class 0), an event placed before it */
	const uint8_t end_due[] = { HDR, 0x7d, 1, 1, 1, 0x08, 0x00, 0x10, 0, 0, 1 };

	spill_raw(3, end_due, sizeof(end_due));
	expect_error("stream offset 11: record tag 0 where an access block's event is due "
		     "(before its access 0)");
	spill_raw(2, events_block, sizeof(events_block));
	expect_error("stream offset 3: unknown record tag 0x7d");
}

/* A loop of 1000 accesses, 40 times round: the writer's blocks end at the
 * same places of the loop each time (content-defined), not every 512
 * accesses, whose places would run through the loop (125 of them). */
Test(trace, blocks_repeat_with_a_loop)
{
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(path, &header, error);
	GHashTable *places = g_hash_table_new(g_direct_hash, g_direct_equal);
	size_t len, n, at = 0, pos;
	uint8_t *out;
	gchar *file;

	cr_assert_not_null(w);
	for (int round = 0; round < 40; round++)
		for (uint64_t i = 0; i < 1000; i++) {	/* addresses all over */
			uint64_t x = (i + 1) * 0x9e3779b97f4a7c15u;

			x = (x ^ x >> 31) * 0xbf58476d1ce4e5b9u;
			trace_write_access(w, 0, (enum trace_kind)(i % 3), (x ^ x >> 29) >> 20 << 3, 8);
		}
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	file = slurp(&len);
	out = g_malloc(1 << 20);
	n = ZSTD_decompress(out, 1 << 20, file + 12, len - 12);
	cr_assert(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
	pos = 1 + 8 + 1 + 11 + 1 + 7;	/* the header: "prog arg", "--tlb exact", "default" */
	while (out[pos] == 0x7e) {	/* tag, n, d: varints */
		uint64_t count = 0, bytes = 0;
		int shift = 0;

		pos++;
		do
			count |= (uint64_t)(out[pos] & 0x7f) << shift, shift += 7;
		while (out[pos++] & 0x80);
		shift = 0;
		do
			bytes |= (uint64_t)(out[pos] & 0x7f) << shift, shift += 7;
		while (out[pos++] & 0x80);
		pos += 2 * count + bytes;
		if (at >= 2000)	/* after two rounds */
			g_hash_table_add(places, GSIZE_TO_POINTER(at % 1000 + 1));
		at += count;
	}
	cr_assert_eq(at, 40000, "%zu accesses in blocks", at);
	cr_expect_leq(g_hash_table_size(places), 16, "blocks start at %u places of the loop",
		      g_hash_table_size(places));
	g_hash_table_destroy(places);
	g_free(out);
	g_free(file);
	g_string_free(error, TRUE);
}

/* One step of log_writes_as_its_accesses_would: an access appended to the
 * log (on the log's CPU), an access or an event given to the writer, or the
 * log turned to another CPU. */
struct log_op {
	enum { LOGGED, GIVEN, EVENT, TURN } what;
	int cpu, kind;
	uint64_t addr, size;
};

/* Write `ops` to `file`, through the log where they say so (as sim/ does).
 * In `behind` how many records other than logged accesses found the log
 * holding some, in `full` how many logged accesses filled it. */
static void write_log_ops(const char *file, const struct log_op *ops, size_t n, bool use_log,
			  int *behind, int *full)
{
	GString *error = g_string_new(NULL);
	struct trace_writer *w = trace_writer_open(file, &header, error);
	struct trace_log *log = NULL;
	int log_cpu = 0;

	cr_assert_not_null(w);
	if (use_log)
		log = trace_writer_log(w, log_cpu);
	for (size_t i = 0; i < n; i++) {
		const struct log_op *op = &ops[i];

		if (op->what != LOGGED && log && log->n)
			(*behind)++;
		if (op->what == LOGGED && log && log->n == TRACE_LOG_SIZE - 1)
			(*full)++;
		switch (op->what) {
		case LOGGED:
			if (log)
				trace_log_put(log, (enum trace_kind)op->kind, op->addr, op->size);
			else
				trace_write_access(w, log_cpu, (enum trace_kind)op->kind, op->addr,
						   op->size);
			break;
		case GIVEN:
			trace_write_access(w, op->cpu, (enum trace_kind)op->kind, op->addr, op->size);
			break;
		case EVENT:	/* a payment, held in the block, or a fault, which ends it */
			trace_write_event(w, op->cpu, op->kind ? TRACE_INSNS : TRACE_FAULT,
					  &op->addr);
			break;
		case TURN:
			log_cpu = op->cpu;
			if (log)
				log = trace_writer_log(w, log_cpu);
			break;
		}
	}
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
}

/* The access log (trace.h) writes the very bytes its accesses would have
 * written given to trace_write_access in turn: runs of logged accesses
 * longer than the log (whose blocks end where their content says, or
 * full), accesses of other CPUs and of sizes no block holds, events on a
 * CPU and on none (-1: the CPU of the record before, which must be the
 * last logged one), held in the block or ending it, and turns of the log
 * to another CPU between them, and the end. */
Test(trace, log_writes_as_its_accesses_would)
{
	static const uint64_t sizes[] = { 1, 2, 4, 8, 16, 64, 4095 };
	const size_t n = 20000;
	struct log_op *ops = g_new(struct log_op, n);
	GRand *rand = g_rand_new_with_seed(17);
	gchar *plain = g_strconcat(path, ".plain", NULL), *a, *b;
	size_t alen, blen;
	int log_cpu = 0, behind = 0, full = 0, unused = 0;

	for (size_t i = 0; i < n; i++) {
		int r = g_rand_int_range(rand, 0, 100);
		bool run = i / 1500 % 2 && i % 1500 < 1400;	/* logged only: the log fills */
		struct log_op *op = &ops[i];

		op->what = run || r < 60 ? LOGGED : r < 80 ? GIVEN : r < 95 ? EVENT : TURN;
		op->cpu = op->what == EVENT ? g_rand_int_range(rand, -1, 3) :
			  g_rand_int_range(rand, 0, 3);
		op->kind = g_rand_int_range(rand, 0, 3);
		op->addr = 0x400000 + (uint64_t)g_rand_int_range(rand, 0, 1 << 20) * 8;
		/* now and then one no block holds; blocks long enough to end by their content */
		op->size = g_rand_int_range(rand, 0, 200) ?
				   sizes[g_rand_int_range(rand, 0, G_N_ELEMENTS(sizes))] : 4096;
		if (op->what == LOGGED)
			op->cpu = log_cpu;
		if (op->what == TURN)
			log_cpu = op->cpu;
	}
	write_log_ops(plain, ops, n, false, &unused, &unused);
	write_log_ops(path, ops, n, true, &behind, &full);
	cr_assert_gt(behind, 1000, "the log held accesses when other records came only %d times",
		     behind);
	cr_assert_gt(full, 10, "the log was full only %d times", full);
	cr_assert(g_file_get_contents(plain, &a, &alen, NULL));
	cr_assert(g_file_get_contents(path, &b, &blen, NULL));
	cr_expect(alen == blen && !memcmp(a, b, alen),
		  "the trace written through the log differs from the one written access by access");
	unlink(plain);
	g_free(a);
	g_free(b);
	g_free(plain);
	g_free(ops);
	g_rand_free(rand);
}
