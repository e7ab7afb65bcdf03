/*
 * machine: set-up, the run loop, and how a guest ends.
 */
#include "sim/machine.h"

#include <inttypes.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "mmu/fault.h"
#include "sim/crash.h"
#include "sim/loader.h"
#include "sim/syscall.h"

/* The same abort repeating this often means the emulator and the model
 * disagree about a translation: a simulator bug, reported as such. */
#define MAX_SPURIOUS_REPEATS 16

static void flush_tlb_hook(void *ctx, struct mm *mm, uint64_t start, uint64_t end)
{
	struct machine *m = ctx;

	if (cpu_current_mm(m->cpu) == mm)
		cpu_flush_tlb(m->cpu);
}

static void invalidate_code_hook(void *ctx, struct mm *mm, uint64_t start, uint64_t end)
{
	struct machine *m = ctx;

	if (cpu_current_mm(m->cpu) == mm)
		cpu_invalidate_code(m->cpu, start, end);
}

int machine_create(const struct options *opt, struct machine **out, GString *error)
{
	struct machine *m = g_new0(struct machine, 1);
	int err;

	m->opt = *opt;
	m->log = stderr;
	m->vfs.root_fd = -1;
	m->host_start = g_get_monotonic_time() / 1e6;
	m->rand = g_rand_new_with_seed((guint32)opt->seed);
	m->warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	err = phys_create(opt->mem, &m->phys);
	if (err)
		g_string_printf(error, "cannot reserve %" PRIu64 " bytes of simulated memory: %s",
				opt->mem, g_strerror(-err));
	if (!err)
		err = cpu_create(m->phys, &m->cpu, error);
	if (!err)
		err = vfs_init(&m->vfs, opt->root, opt->writable, error);
	if (err) {
		machine_destroy(m);
		return err;
	}
	*out = m;
	return 0;
}

static void task_destroy(struct task *t)
{
	if (!t)
		return;
	fdtable_close_all(&t->files);
	mm_destroy(t->mm);
	g_free(t->cwd);
	g_free(t->exe);
	g_free(t);
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	task_destroy(m->task);
	cpu_destroy(m->cpu);
	phys_destroy(m->phys);
	vfs_fini(&m->vfs);
	g_rand_free(m->rand);
	g_hash_table_destroy(m->warned);
	g_free(m);
}

uint64_t machine_now_ns(const struct machine *m)
{
	return cpu_insns(m->cpu) + m->sleep_ns;
}

void machine_warn_once(struct machine *m, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (g_hash_table_contains(m->warned, key))
		return;
	g_hash_table_add(m->warned, g_strdup(key));
	fputs("mmusim: warning: ", m->log);
	va_start(ap, fmt);
	vfprintf(m->log, fmt, ap);
	va_end(ap);
	fputc('\n', m->log);
}

void machine_exit(struct machine *m, int status)
{
	m->exited = true;
	m->exit_status = status;
}

void machine_kill(struct machine *m, int signo, int code, uint64_t addr, const char *why)
{
	report_fatal_signal(m, m->task, signo, code, addr, why);
	machine_exit(m, 128 + signo);
}

static void handle_abort(struct machine *m, struct task *t, const struct cpu_exit *e,
			 unsigned *repeats)
{
	enum fault_access access = e->event == CPU_INSN_ABORT ? FAULT_EXEC :
				   e->write ? FAULT_WRITE : FAULT_READ;
	enum fault_kind kind;

	switch (handle_mm_fault(t->mm, e->addr, access, &kind)) {
	case VM_FAULT_DONE:
		if (kind != FAULT_KIND_SPURIOUS)
			*repeats = 0;
		else if (++*repeats > MAX_SPURIOUS_REPEATS)
			report_internal_error(m, "the emulated MMU keeps faulting at %#" PRIx64 " (pc %#"
					      PRIx64 ", syndrome %#x) although the page tables allow "
					      "the access", e->addr, e->pc, e->syndrome);
		break;
	case VM_FAULT_SIGSEGV:
		machine_kill(m, G_SIGSEGV, kind == FAULT_KIND_MAPERR ? G_SEGV_MAPERR : G_SEGV_ACCERR,
			     e->addr, NULL);
		break;
	case VM_FAULT_SIGBUS:
		machine_kill(m, G_SIGBUS, G_BUS_ADRERR, e->addr, "access beyond the end of a mapped file");
		break;
	case VM_FAULT_OOM:
		machine_kill(m, G_SIGKILL, 0, e->addr, "out of simulated memory (raise --mem)");
		break;
	}
}

static void run(struct machine *m, struct task *t)
{
	struct cpu_exit e;
	unsigned repeats = 0;

	while (!m->exited) {
		uint64_t budget = 0;

		if (m->opt.max_insns) {
			if (cpu_insns(m->cpu) >= m->opt.max_insns) {
				report_budget_exhausted(m, t);
				machine_exit(m, 128 + G_SIGXCPU);
				break;
			}
			budget = m->opt.max_insns - cpu_insns(m->cpu);
		}
		cpu_run(m->cpu, budget, &e);
		switch (e.event) {
		case CPU_SYSCALL:
			do_syscall(m, t);
			break;
		case CPU_DATA_ABORT:
		case CPU_INSN_ABORT:
			handle_abort(m, t, &e, &repeats);
			break;
		case CPU_UNDEFINED:
			machine_kill(m, G_SIGILL, G_ILL_ILLOPC, e.pc, "undefined instruction");
			break;
		case CPU_BREAKPOINT:
			machine_kill(m, G_SIGTRAP, G_TRAP_BRKPT, e.pc, "breakpoint instruction");
			break;
		case CPU_BUDGET:
			report_budget_exhausted(m, t);
			machine_exit(m, 128 + G_SIGXCPU);
			break;
		case CPU_NO_EVENT:
		case CPU_ERROR:
			report_internal_error(m, "%s", e.message);
			break;
		}
	}
}

static struct task *task_create(struct machine *m, const char *exe)
{
	struct task *t = g_new0(struct task, 1);
	char *cwd = g_get_current_dir();

	t->tid = t->pid = GUEST_PID;
	t->ppid = 1;
	t->umask = 022;
	/* With the host's root, the guest starts where mmusim was started. */
	t->cwd = strcmp(m->opt.root, "/") ? g_strdup("/") : g_strdup(cwd);
	t->exe = g_strdup(exe);
	g_strlcpy(t->comm, strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe, sizeof(t->comm));
	for (int r = 0; r < NR_RLIMITS; r++)
		t->rlimits[r] = (struct rlimit64_pair){ UINT64_MAX, UINT64_MAX };
	t->rlimits[3] = (struct rlimit64_pair){ STACK_SIZE, UINT64_MAX };	/* RLIMIT_STACK */
	t->rlimits[7] = (struct rlimit64_pair){ FD_MAX, FD_MAX };		/* RLIMIT_NOFILE */
	fdtable_init_stdio(&t->files);
	g_free(cwd);
	return t;
}

/* The guest's name for the program at host path `path`: its absolute path
 * below the root, or the name as given when it lies outside the root. */
static char *guest_exe_path(struct machine *m, const char *path)
{
	char *cwd = g_get_current_dir();
	char *abs = g_canonicalize_filename(path, cwd);
	char *root = g_canonicalize_filename(m->opt.root, cwd);
	size_t len = strlen(root);
	char *exe;

	if (!strcmp(root, "/"))
		exe = g_strdup(abs);
	else if (!strncmp(abs, root, len) && abs[len] == '/')
		exe = g_strdup(abs + len);
	else
		exe = g_strdup(path);
	g_free(abs);
	g_free(root);
	g_free(cwd);
	return exe;
}

int machine_run_program(struct machine *m, char *const *argv, char *const *envp)
{
	char *exe = guest_exe_path(m, argv[0]);
	struct task *t = m->task = task_create(m, exe);
	GString *error = g_string_new(NULL);
	struct exec_image image;
	uint8_t random16[16];
	struct exec_args args = { argv[0], exe, argv, envp, random16 };
	int err = mm_create(m->phys, &m->vmstats, &t->mm);

	for (size_t i = 0; i < sizeof(random16); i++)
		random16[i] = (uint8_t)g_rand_int_range(m->rand, 0, 256);
	t->mm->notifier = (struct mm_notifier){ flush_tlb_hook, invalidate_code_hook, m };
	if (!err)
		err = cpu_prepare_mm(m->cpu, t->mm);
	if (err)
		g_string_printf(error, "out of simulated memory while creating the address space");
	if (!err)
		err = load_elf(t->mm, &args, &image, error);
	g_free(exe);
	if (err) {
		fprintf(m->log, "mmusim: %s\n", error->str);
		g_string_free(error, TRUE);
		return err == -ENOENT ? 127 : 126;
	}
	g_string_free(error, TRUE);
	cpu_switch_mm(m->cpu, t->mm);
	cpu_enter_user(m->cpu, image.entry, image.sp);
	run(m, t);
	return m->exit_status;
}
