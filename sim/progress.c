/*
 * progress: the terminal's progress line (see progress.h).
 */
#include "sim/progress.h"

#include <glib.h>
#include <inttypes.h>
#include <unistd.h>

void progress_init(struct progress *p, enum progress_mode mode, FILE *out)
{
	*p = (struct progress){ .forced = mode == PROGRESS_ON, .out = out };
	p->on = mode == PROGRESS_ON || (mode == PROGRESS_AUTO && isatty(fileno(out)));
	p->start_us = g_get_monotonic_time();
	p->next_us = p->start_us + PROGRESS_PERIOD_US;
}

/* "\r" and the line, cleared to its end ("\033[K") over a longer one. */
static void show(struct progress *p, int64_t now_us, uint64_t instructions, uint64_t simulated_ns)
{
	double seconds = (now_us - p->start_us) / 1e6;

	fprintf(p->out, "\rmmusim: %" PRIu64 " instructions, %.6f s simulated, %.1f MIPS\033[K",
		instructions, simulated_ns / 1e9, seconds > 0 ? instructions / seconds / 1e6 : 0.0);
	fflush(p->out);
	p->shown = true;
}

void progress_tick(struct progress *p, uint64_t instructions, uint64_t simulated_ns)
{
	int64_t now;

	if (!p->on)
		return;
	now = g_get_monotonic_time();
	if (now < p->next_us)
		return;
	p->next_us = now + PROGRESS_PERIOD_US;
	show(p, now, instructions, simulated_ns);
}

void progress_finish(struct progress *p, uint64_t instructions, uint64_t simulated_ns)
{
	if (!p->on || !(p->shown || p->forced))
		return;
	show(p, g_get_monotonic_time(), instructions, simulated_ns);
	fputc('\n', p->out);
	fflush(p->out);
}
