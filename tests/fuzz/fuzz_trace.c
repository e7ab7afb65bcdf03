/*
 * fuzz_trace: libFuzzer target for the trace reader (traces/reader.c).  The
 * first byte of an input says what the rest is:
 *
 *	even: a whole trace file, as found on disk (so most mutations meet the
 *	      prefix check and zstd's frame and checksum checks);
 *	1 mod 4: the decompressed stream (header and records): the target
 *	      adds the prefix and compresses it, so mutations reach the record
 *	      decoder itself;
 *	3 mod 4: records only, after three empty header strings, repeated to
 *	      LONG_STREAM bytes: records then straddle the place where the
 *	      reader's ring wraps (traces/zstream.c: 128 KiB blocks in a ring
 *	      of the stream's size).
 *
 * Bits 2-7 of the first byte, when not 0, are the batch in which
 * trace_read_accesses() reads the runs of accesses before each
 * trace_read() (0: trace_read() alone).
 *
 * The file is written to a memfd and read to the end, every record and
 * batch also replayed exactly (traces/journal_replay.c) on a small replay
 * of two CPUs until the replay rejects one.  Besides the sanitizers, the
 * target checks the reader's contract: it ends cleanly (trace_read 0) or
 * with an error that starts with the file's name and gives an offset; after
 * an error it keeps failing; every access it returns lies inside the
 * address space and is of a known kind; a CPU is below TRACE_MAX_CPUS; a
 * rejected record gives a message with its offset.  A broken check aborts,
 * which libFuzzer reports as a crash.  Built and run by scripts/fuzz.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "traces/journal.h"
#include "traces/replay.h"
#include "traces/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LONG_STREAM (320 * 1024)
#define REPLAY_MEM (UINT64_C(16) << 20)

static int memfd = -1;
static char path[64];

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_trace: broken: %s\n", what);
		abort();
	}
}

static void put(const void *bytes, size_t n)
{
	check(pwrite(memfd, bytes, n, lseek(memfd, 0, SEEK_END)) == (ssize_t)n, "write the memfd");
}

/* The input as the file to read. */
static void write_input(const uint8_t *data, size_t size)
{
	check(ftruncate(memfd, 0) == 0, "truncate the memfd");
	if (data[0] % 2 == 0) {
		put(data + 1, size - 1);
	} else {
		uint8_t *stream = malloc(LONG_STREAM + 3);
		size_t len = size - 1;
		size_t cap, n;
		void *buf;

		if (data[0] % 4 == 3 && len) {	/* empty header, records repeated */
			memset(stream, 0, 3);
			for (len = 3; len + size - 1 <= LONG_STREAM + 3; len += size - 1)
				memcpy(stream + len, data + 1, size - 1);
		} else {
			memcpy(stream, data + 1, MIN(len, (size_t)LONG_STREAM));
			len = MIN(len, (size_t)LONG_STREAM);
		}
		cap = ZSTD_compressBound(len);
		buf = malloc(cap);
		n = ZSTD_compress(buf, cap, stream, len, 1);
		check(!ZSTD_isError(n), "compress the stream");
		put("MMUTRACE", 8);
		put((const uint8_t[]){ TRACE_VERSION, 0, 0, 0 }, 4);
		put(buf, n);
		free(buf);
		free(stream);
	}
}

static void check_access(enum trace_kind kind, uint64_t addr, uint64_t size)
{
	check(kind <= TRACE_FETCH, "a known access kind");
	check(size > 0 && addr + size - 1 >= addr, "an access in range");
}

/* The exact replay the records go to until it rejects one. */
struct replaying {
	struct replay replay;
	bool on;
};

/* A replay's answer: a rejection names the stream offset, and ends it. */
static void replayed(struct replaying *p, int ret, GString *error)
{
	if (!ret)
		return;
	check(!strncmp(error->str, "stream offset ", 14), "a rejection gives the offset");
	g_string_truncate(error, 0);
	p->on = false;
}

/* The runs of accesses trace_read_accesses() gives in batches of `max`. */
static void read_batches(struct trace_reader *r, size_t max, struct replaying *p, GString *error)
{
	struct trace_accesses batch;
	uint64_t offset = trace_reader_offset(r);
	size_t n;

	while (max && (n = trace_read_accesses(r, &batch, max))) {
		check(n <= max, "a batch within its size");
		for (size_t i = 0; i < n; i++)
			check_access(TRACE_DESC_KIND(batch.desc[i]), batch.addr[i],
				     TRACE_DESC_SIZE(batch.desc[i]));
		if (p->on)
			replayed(p, replay_accesses(&p->replay, &batch, n, offset, error), error);
		offset = trace_reader_offset(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r;
	struct trace_record rec;
	size_t max = size ? data[0] >> 2 : 0;
	static struct cost_profile profile;
	static bool loaded;
	struct replaying p;
	GError *e = NULL;
	int ret = -1;

	if (size < 1)
		return 0;
	if (!loaded)
		check(!cost_profile_load("default", &profile, &e), "the default profile");
	loaded = true;
	p.on = !replay_init_exact(&p.replay, &profile, REPLAY_MEM, 2, error);
	if (memfd < 0) {
		memfd = memfd_create("fuzz.trace", 0);
		check(memfd >= 0, "memfd_create");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	write_input(data, size);
	r = trace_reader_open(path, &h, error);
	if (r) {
		while (read_batches(r, max, &p, error), (ret = trace_read(r, &rec, error)) > 0) {
			check(rec.cpu >= 0 && rec.cpu < TRACE_MAX_CPUS, "a CPU in range");
			if (rec.type == TRACE_ACCESS) {
				check_access(rec.kind, rec.addr, rec.size);
			} else {
				check(trace_type_nargs(rec.type) >= 0, "a known record type");
			}
			if (p.on)
				replayed(&p, replay_record(&p.replay, &rec, error), error);
		}
		if (ret < 0)
			check(trace_read(r, &rec, error) < 0, "an error repeats");
		else
			check(trace_read(r, &rec, error) == 0, "the end repeats");
		trace_reader_close(r);
		trace_header_clear(&h);
	}
	if (p.on)
		replay_finish(&p.replay);
	replay_fini(&p.replay);
	if (ret < 0) {
		check(!strncmp(error->str, path, strlen(path)), "the error names the file");
		check(strstr(error->str, "offset ") || strstr(error->str, "cannot open"),
		      "the error gives an offset");
	}
	g_string_free(error, TRUE);
	return 0;
}
