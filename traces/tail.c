/*
 * tail: what follows the fixed arguments of the records that carry more
 * (docs/trace-format.md, "The journal"): a name, a cost, a list of mms.
 * Written as the writer's varints; read with every field checked.
 */
#include <inttypes.h>
#include <string.h>

#include "traces/format.h"

#define COST_RELATIVE 1u	/* the cost's flags: relative to the CPU's last switch */

static void write_name(struct trace_writer *w, const char *name)
{
	size_t n = strnlen(name, TRACE_MAX_NAME + 1);

	if (!n || n > TRACE_MAX_NAME) {
		trace_writer_fail(w, "a latency kind's name is empty or longer than 255 bytes");
		n = MIN(MAX(n, 1), TRACE_MAX_NAME);
	}
	trace_put_varint(w, n);
	for (size_t i = 0; i < n; i++)
		trace_put_byte(w, name[i] ? (uint8_t)name[i] : '?');
}

static void write_cost(struct trace_writer *w, const struct trace_cost *c)
{
	uint64_t mask = 0;

	for (int s = 0; s < TRACE_MAX_STEPS; s++)
		mask |= (uint64_t)(c->cycles[s] != 0) << s;
	trace_put_varint(w, c->relative ? COST_RELATIVE : 0);
	trace_put_varint(w, mask);
	for (int s = 0; s < TRACE_MAX_STEPS; s++)
		if (mask >> s & 1)
			trace_put_varint(w, c->cycles[s]);
	trace_put_varint(w, c->total);
	trace_put_varint(w, c->indirect);
	trace_put_varint(w, c->refills);
}

void tail_write(struct trace_writer *w, enum trace_type type, const uint64_t *args,
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
			trace_writer_fail(w, "a flush of more than 64 address spaces at once");
		for (uint64_t i = 0; i < MIN(args[3], TRACE_MAX_MMS); i++)
			trace_put_varint(w, mms[i]);
		break;
	case TAIL_NONE:
		break;
	}
}

static int read_name(struct trace_reader *r, struct trace_record *rec, GString *error)
{
	uint64_t n;
	uint8_t b = 0;

	if (trace_get_varint(r, rec->offset, &n, error))
		return -1;
	if (!n || n > TRACE_MAX_NAME)
		return trace_fail(r, error, rec->offset, "a kind name of 0 or more than 255 bytes");
	for (uint64_t i = 0; i < n; i++) {
		if (trace_get_byte(r, rec->offset, &b, error))
			return -1;
		if (!b)
			return trace_fail(r, error, rec->offset, "a NUL byte inside a kind name");
		rec->name[i] = (char)b;
	}
	rec->name[n] = '\0';
	return 0;
}

static int read_cost(struct trace_reader *r, struct trace_record *rec, GString *error)
{
	struct trace_cost *c = &rec->cost;
	uint64_t flags, mask;

	if (trace_get_varint(r, rec->offset, &flags, error) ||
	    trace_get_varint(r, rec->offset, &mask, error))
		return -1;
	if (flags & ~(uint64_t)COST_RELATIVE)
		return trace_fail(r, error, rec->offset, "a cost with unknown flags");
	c->relative = flags & COST_RELATIVE;
	for (int s = 0; s < TRACE_MAX_STEPS; s++) {
		c->cycles[s] = 0;
		if (mask >> s & 1 && trace_get_varint(r, rec->offset, &c->cycles[s], error))
			return -1;
	}
	if (trace_get_varint(r, rec->offset, &c->total, error) ||
	    trace_get_varint(r, rec->offset, &c->indirect, error) ||
	    trace_get_varint(r, rec->offset, &c->refills, error))
		return -1;
	return 0;
}

int tail_read(struct trace_reader *r, struct trace_record *rec, GString *error)
{
	switch (trace_type_tail(rec->type)) {
	case TAIL_NAME:
		return read_name(r, rec, error);
	case TAIL_COST:
		return read_cost(r, rec, error);
	case TAIL_MMS:
		if (rec->args[3] > TRACE_MAX_MMS)
			return trace_fail(r, error, rec->offset, "a flush of more than 64 address spaces");
		for (uint64_t i = 0; i < rec->args[3]; i++)
			if (trace_get_varint(r, rec->offset, &rec->mms[i], error))
				return -1;
		return 0;
	case TAIL_NONE:
		break;
	}
	return 0;
}
