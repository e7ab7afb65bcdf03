#include "sim/crash.h"

#include <inttypes.h>
#include <stdarg.h>

#include "sim/disasm.h"

#define EX_SOFTWARE 70

static const char *code_name(int signo, int code)
{
	if (signo == G_SIGSEGV)
		return code == G_SEGV_MAPERR ? "SEGV_MAPERR: no mapping at the address" :
		       code == G_SEGV_ACCERR ? "SEGV_ACCERR: the mapping forbids this access" : NULL;
	if (signo == G_SIGBUS)
		return code == G_BUS_ADRERR ? "BUS_ADRERR" :
		       code == G_BUS_ADRALN ? "BUS_ADRALN: misaligned address" :
		       code == G_BUS_OBJERR ? "BUS_OBJERR: hardware error" :
		       code == G_BUS_MCEERR_AR ? "BUS_MCEERR_AR: the page is poisoned" : NULL;
	if (signo == G_SIGILL && code == G_ILL_ILLOPC)
		return "ILL_ILLOPC";
	if (signo == G_SIGTRAP && code == G_TRAP_BRKPT)
		return "TRAP_BRKPT";
	return NULL;
}

void report_fatal_signal(struct machine *m, struct task *t, int signo, int code, uint64_t addr,
			 const char *why)
{
	GString *out = g_string_new(NULL);
	const char *cname = code_name(signo, code);
	uint64_t pc = cpu_reg(m->cpu, CPU_REG_PC);
	bool fault = signo == G_SIGSEGV || signo == G_SIGBUS || signo == G_SIGILL ||
		     signo == G_SIGTRAP || (signo == G_SIGKILL && addr);

	g_string_printf(out, "mmusim: task %d killed by %s", t->tid, guest_signal_name(signo));
	if (cname)
		g_string_append_printf(out, " (%s)", cname);
	if (why)
		g_string_append_printf(out, ": %s", why);
	g_string_append_c(out, '\n');
	if (fault) {
		g_string_append_printf(out, "  fault address %#" PRIx64 "\n  pc %#" PRIx64 ": ", addr, pc);
		disassemble_at(t->mm, pc, out);
		g_string_append(out, "\n  memory map:\n");
		mm_format_maps(t->mm, out);
	}
	fputs(out->str, m->log);
	g_string_free(out, TRUE);
}

void report_budget_exhausted(struct machine *m, struct task *t)
{
	fprintf(m->log, "mmusim: task %d stopped after %" PRIu64 " instructions (--max-insns %" PRIu64
		"), pc %#" PRIx64 "\n", t->tid, cpu_insns(m->cpu), m->opt.max_insns,
		cpu_reg(m->cpu, CPU_REG_PC));
}

void report_internal_error(struct machine *m, const char *fmt, ...)
{
	va_list ap;

	fputs("mmusim: internal error: ", m->log);
	va_start(ap, fmt);
	vfprintf(m->log, fmt, ap);
	va_end(ap);
	fputc('\n', m->log);
	machine_exit(m, EX_SOFTWARE);
}
