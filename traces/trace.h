/*
 * trace: the memory trace of a run, as docs/trace-format.md describes it:
 * a header (guest, options, profile) and a stream of records, per simulated
 * CPU, of data accesses, instruction fetches and the events the MMU model
 * needs to run them again without the emulator (address spaces made,
 * copied and dropped, mm operations with their arguments, context
 * switches).  Addresses are delta encoded per CPU and kind, a CPU's
 * consecutive accesses gathered in blocks whose descriptors locate
 * every field, other numbers variable-length; the whole stream is
 * zstd-compressed; it is written and read as a stream, in constant memory.
 *
 * The writer takes records as they happen and reports the first I/O error
 * at trace_writer_close().  The reader validates everything: a file that is
 * not a trace, of another version, empty, truncated or corrupted gives an
 * error naming the file, the offset (in the file for what the compressor
 * finds, in the decompressed stream for a bad record) and the cause.
 *
 * No emulator and no machine here: traces/ drives mmu/ only.
 */
#ifndef TRACES_TRACE_H
#define TRACES_TRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define TRACE_MAGIC	"MMUTRACE"
#define TRACE_VERSION	3
#define TRACE_MAX_CPUS	64
#define TRACE_MAX_ARGS	14
#define TRACE_MAX_STRING 65536	/* a header string's longest */
#define TRACE_MAX_STEPS	64	/* cost steps a cost may name */
#define TRACE_STEP_DEVICE_WAIT 63	/* a cost's step 63: event_cost.device_wait */
#define TRACE_MAX_MMS	64	/* mms of one flush-shared record */
#define TRACE_MAX_NAME	255	/* a kind record's name, bytes */
#define TRACE_MAX_DEVICES 8	/* devices the dev-* records may name */

/* Exit status for a trace that cannot be read (sysexits' EX_DATAERR). */
#define TRACE_EXIT_DATAERR 65

/* What a record is.  The numbers are the record tags of the format. */
enum trace_type {
	TRACE_END = 0,		/* (records before it): the last record */
	TRACE_CPU = 1,		/* (cpu): the CPU the records that follow are about */
	TRACE_INSNS = 2,	/* (count): instructions the CPU ran */
	TRACE_MM_NEW = 3,	/* (mm): an empty address space made */
	TRACE_MM_DUP = 4,	/* (parent, child): fork's copy of an address space */
	TRACE_MM_DROP = 5,	/* (mm): its last user gone */
	TRACE_SWITCH = 6,	/* (mm): the CPU enters mm */
	TRACE_MMAP = 7,		/* (mm, addr, len, prot, flags, result) */
	TRACE_MUNMAP = 8,	/* (mm, addr, len) */
	TRACE_MPROTECT = 9,	/* (mm, addr, len, prot) */
	TRACE_BRK = 10,		/* (mm, addr) */
	TRACE_MREMAP = 11,	/* (mm, old_addr, old_len, new_len, flags, result) */
	TRACE_MADVISE = 12,	/* (mm, addr, len, advice) */
	TRACE_EXEC = 13,	/* (old mm, new mm): the CPU's task replaced its mm */
	/* The journal of the run's cost and switch calls and page-table
	 * stores (traces/journal.h), for the exact replay. */
	TRACE_KIND = 14,	/* (id) name: a latency kind's name, for the records below */
	TRACE_BEGIN = 15,	/* (): agent_begin_event */
	TRACE_CHARGE = 16,	/* (step, count): agent_charge */
	TRACE_CHARGE_COST = 17,	/* () cost: agent_charge_cost */
	TRACE_END_EVENT = 18,	/* (kind id, 0: none): agent_end_event */
	TRACE_PAY = 19,		/* () cost: agent_pay */
	TRACE_PAY_CYCLES = 20,	/* (cycles): agent_pay_cycles */
	TRACE_ACCOUNT = 21,	/* (kind id) cost: agent_account */
	TRACE_OPEN_SWITCH = 22,	/* (kind id) cost: agent_open_switch */
	TRACE_CLOSE_SWITCHES = 23, /* (): domain_close_switches */
	TRACE_FLUSH = 24,	/* (mm, start, end): a shootdown the CPU initiated */
	TRACE_FLUSH_SHARED = 25, /* (mask, start, end, n) n mms: domain_flush_shared */
	TRACE_TAKE_STALE = 26,	/* (mm, start, end): domain_take_stale */
	TRACE_FAULT = 27,	/* (kind): a fault counted (enum fault_kind) */
	TRACE_ROOT = 28,	/* (mm, pa): the mm's page-table root */
	TRACE_TABLE = 29,	/* (pa): a page-table frame handed out, zeroed */
	TRACE_PTE = 30,		/* (pa, value): a store into a page-table entry */
	TRACE_WAIT = 31,	/* (ns): agent_wait_until */
	TRACE_LATENCY = 32,	/* (kind id) cost: domain_record_latency */
	TRACE_VM_COUNTS = 33,	/* (fault-around pages, TLB flushes): the run's, at its end */
	TRACE_MEMORY = 34,	/* (struct memory_figures, in order): the run's, at its end */
	/* devices (mmu/device): agents with a table of their own, no CPU */
	TRACE_DEV_ROOT = 35,	/* (dev, pa): the device's table root */
	TRACE_DEV_LOOKUP = 36,	/* (dev, va): agent_lookup_table */
	TRACE_DEV_PAY = 37,	/* (dev, cycles): agent_pay_cycles */
	TRACE_DEV_FLUSH = 38,	/* (dev, va): agent_flush_page */
	TRACE_DEV_FLUSH_ALL = 39, /* (dev): agent_flush_all */
	TRACE_DEV_TAKE = 40,	/* (dev, start, end): agent_take_range */
	TRACE_DEV_START = 41,	/* (dev): agent_wait_for(device, CPU) */
	TRACE_DEV_DONE = 42,	/* (dev): agent_mark_done */
	TRACE_DEV_WAIT = 43,	/* (dev): agent_wait_done(CPU, device) */
	TRACE_DEV_COUNTS = 44,	/* (dev, struct device_counters, peaks): the run's, at its end */
	TRACE_NR_TYPES,
	TRACE_ACCESS = 0x80,	/* an access: tags 0x80-0xff (see trace-format.md) */
};

enum trace_kind { TRACE_READ, TRACE_WRITE, TRACE_FETCH };

struct trace_header {
	char *guest;		/* the program and its arguments */
	char *options;		/* the run's options */
	char *profile;		/* the cost profile's name */
};

/* What follows a record's fixed arguments (docs/trace-format.md). */
enum trace_tail { TAIL_NONE, TAIL_NAME, TAIL_COST, TAIL_MMS };

/* A cost a record carries: the cycles of each step, their total, indirect
 * cycles and refills; relative: to be added to what the CPU's last switch
 * (its switch record) cost in the replay.  The writer reads every step's
 * cycles and names the steps that have some; the reader sets `steps` (bit
 * s: step s named) and the cycles of the steps named only, not the others
 * (a record names a few of the 64). */
struct trace_cost {
	bool relative;
	uint64_t steps;
	uint64_t cycles[TRACE_MAX_STEPS];
	uint64_t total, indirect, refills;
};

/* The cycles of step s of a cost read: 0 if the record does not name it. */
static inline uint64_t trace_cost_cycles(const struct trace_cost *c, int s)
{
	return c->steps >> s & 1 ? c->cycles[s] : 0;
}

struct trace_record {
	enum trace_type type;
	int cpu;		/* the CPU it happened on */
	enum trace_kind kind;	/* TRACE_ACCESS */
	uint64_t addr, size;	/* TRACE_ACCESS */
	uint64_t args[TRACE_MAX_ARGS];
	uint64_t offset;	/* where it starts in the decompressed stream */
	char name[TRACE_MAX_NAME + 1];	/* TAIL_NAME */
	struct trace_cost cost;		/* TAIL_COST */
	uint64_t mms[TRACE_MAX_MMS];	/* TAIL_MMS: args[3] of them */
};

/* An access of a batch (replay's single-record form): what a TRACE_ACCESS
 * record says, on the CPU of the last record read. */
struct trace_access {
	uint64_t addr, size;
	enum trace_kind kind;
};

/* A run of accesses as trace_read_accesses() gives it, as arrays: access
 * i is at addr[i], of kind TRACE_DESC_KIND(desc[i]) and of
 * TRACE_DESC_SIZE(desc[i]) bytes (1-4095; the other bits of a descriptor
 * are the format's, docs/trace-format.md).  The arrays are the reader's,
 * valid until its next call. */
struct trace_accesses {
	const uint64_t *addr;
	const uint16_t *desc;
};

#define TRACE_DESC_KIND(d)	((enum trace_kind)((unsigned)(d) >> 14))
#define TRACE_DESC_SIZE(d)	((unsigned)(d) & 0xfffu)

/* The arguments a record of `type` has, what follows them, and its name in
 * messages. */
int trace_type_nargs(enum trace_type type);
enum trace_tail trace_type_tail(enum trace_type type);
const char *trace_type_name(enum trace_type type);

struct trace_writer;

/* Create `path` (or truncate it) and write the header.  NULL with the cause
 * in `error`. */
struct trace_writer *trace_writer_open(const char *path, const struct trace_header *h,
				       GString *error);
void trace_write_access(struct trace_writer *w, int cpu, enum trace_kind kind, uint64_t addr,
			uint64_t size);

/*
 * The writer's access log: accesses of one CPU that a recording run appends
 * with hardly a call (trace_log_put, on the emulator's inline paths),
 * written as if each had been given to trace_write_access in turn.  THE
 * ORDER: the writer writes what the log holds before anything else reaches
 * it (every trace_write_* entry, trace_writer_log and trace_writer_close
 * write it first), so a logged access keeps its place before every record
 * given to the writer after it.  The log is written too as soon as it is
 * full (trace_log_write), so it always has room for the next access.
 */
#define TRACE_LOG_SIZE	512

struct trace_log {
	unsigned n;
	struct trace_access entries[TRACE_LOG_SIZE];
};

/* The log, its accesses now on `cpu` (what it held before is written). */
struct trace_log *trace_writer_log(struct trace_writer *w, int cpu);
/* Write what `log` holds now (it is empty after). */
void trace_log_write(struct trace_log *log);

static inline void trace_log_put(struct trace_log *log, enum trace_kind kind, uint64_t addr,
				 uint64_t size)
{
	struct trace_access *a = &log->entries[log->n];

	a->addr = addr;
	a->size = size;
	a->kind = kind;
	if (++log->n == TRACE_LOG_SIZE)
		trace_log_write(log);
}

/* A record of `type` (not an access) on `cpu` (-1: whichever CPU the
 * last record was on, for events of no CPU) with its trace_type_nargs()
 * arguments. */
void trace_write_event(struct trace_writer *w, int cpu, enum trace_type type,
		       const uint64_t *args);
/* The same for a record with a tail: `name` (TAIL_NAME), `cost`
 * (TAIL_COST) or `mms` (TAIL_MMS, args[3] of them, at most
 * TRACE_MAX_MMS); the others NULL. */
void trace_write_tailed(struct trace_writer *w, int cpu, enum trace_type type,
			const uint64_t *args, const char *name, const struct trace_cost *cost,
			const uint64_t *mms);
/* Write the end record, finish the stream and close.  0, or -1 with the
 * first error met while writing in `error`. */
int trace_writer_close(struct trace_writer *w, GString *error);

struct trace_reader;

/* Open `path`, check its magic and version (1 to 3), read its header into `h`
 * (trace_header_clear frees it).  NULL with the cause in `error`. */
struct trace_reader *trace_reader_open(const char *path, struct trace_header *h,
				       GString *error);
/* The next record: 1, 0 after the end record (which must end the file), -1
 * with the cause in `error`. */
int trace_read(struct trace_reader *r, struct trace_record *rec, GString *error);
/* The accesses that come next, decoded in a tight loop into the reader's
 * arrays, given in `out`: up to `max` of them, stopping before any other
 * record, after an access block (one bigger than `max` is given out over
 * the calls that follow), before an access the checked path must read (one
 * that may be cut by the end of the buffer of decompressed bytes, or that
 * is invalid, or of 4096 bytes or more) and at an error or the end.  The
 * number given (counted in trace_reader_records()); 0 says: the next
 * record is for trace_read(), which reads it or names what is wrong with
 * it.  All of them are on the CPU of the last record trace_read() gave. */
size_t trace_read_accesses(struct trace_reader *r, struct trace_accesses *out, size_t max);
/* Decompressed bytes, bytes of the file and records read so far. */
uint64_t trace_reader_offset(const struct trace_reader *r);
uint64_t trace_reader_file_offset(const struct trace_reader *r);
uint64_t trace_reader_records(const struct trace_reader *r);
/* The accesses of each kind (enum trace_kind) decoded so far: given out,
 * or in the run trace_read_accesses() is giving out.  Counted from the
 * descriptors as an access block is checked. */
void trace_reader_kinds(const struct trace_reader *r, uint64_t kinds[3]);
/* The file's format version: TRACE_VERSION, or 1 (no journal: replayed
 * in synthetic spaces only). */
uint32_t trace_reader_version(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);
void trace_header_clear(struct trace_header *h);

#endif
