/*
 * lackey: the memory trace Valgrind's lackey tool prints
 * (`valgrind --tool=lackey --trace-mem=yes PROGRAM`), read a line at a time
 * in constant memory.  Records (addresses in hex, sizes in decimal):
 *
 *	I  0400d7d4,8		an instruction fetched
 *	 L 7ff000398,8		a load
 *	 S 7ff000390,8		a store
 *	 M 0601060,4		a modify: a load, then a store, of the same bytes
 *
 * Valgrind's own lines (starting "==PID==") and blank lines are skipped;
 * anything else is an error naming the file, the line and what is wrong.
 */
#ifndef TRACES_LACKEY_H
#define TRACES_LACKEY_H

#include <glib.h>
#include <stdint.h>

#include "traces/trace.h"

#define LACKEY_MAX_LINE 4096
#define LACKEY_MAX_SIZE 4096	/* bytes of one access */

struct lackey_access {
	enum trace_kind kind;
	uint64_t addr, size;
};

struct lackey_reader;

/* NULL with the cause in `error`. */
struct lackey_reader *lackey_open(const char *path, GString *error);
/* The next access: 1, 0 at the end of the file, -1 with the cause in
 * `error`. */
int lackey_read(struct lackey_reader *l, struct lackey_access *out, GString *error);
/* Bytes of the file read so far. */
uint64_t lackey_offset(struct lackey_reader *l);
void lackey_close(struct lackey_reader *l);

#endif
