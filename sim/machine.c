/*
 * machine: set-up, the run loop, and how the simulation ends.
 *
 * The loop asks the scheduler for the CPU to run next, loads that CPU's
 * task into the engine, finishes a system call the task was blocked in,
 * delivers its signals, and runs it for at most a quantum.  The event that
 * ends the slice (system call, fault, budget) is handled before the next
 * pick.  Each CPU's clock advances by the instructions it ran.
 */
#include "sim/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "mmu/fault.h"
#include "sim/abort.h"
#include "sim/crash.h"
#include "sim/exit.h"
#include "sim/futex.h"
#include "sim/loader.h"
#include "sim/sched.h"
#include "sim/signal.h"
#include "sim/syscall.h"
#include "sim/tlbmodel.h"

/* The same abort repeating this often means the emulator and the model
 * disagree about a translation: a simulator bug, reported as such. */
#define MAX_SPURIOUS_REPEATS 16

static void flush_tlb_hook(void *ctx, struct mm *mm, uint64_t start, uint64_t end)
{
	struct machine *m = ctx;

	if (cpu_current_mm(m->cpu) == mm)
		cpu_flush_tlb(m->cpu);
	tlbmodel_flush(m, mm, start, end);
}

static void invalidate_code_hook(void *ctx, struct mm *mm, uint64_t start, uint64_t end)
{
	struct machine *m = ctx;

	if (cpu_current_mm(m->cpu) == mm)
		cpu_invalidate_code(m->cpu, start, end);
}

static int wire_mm(struct machine *m, struct mm *mm)
{
	mm->notifier = (struct mm_notifier){ flush_tlb_hook, invalidate_code_hook, m };
	return cpu_prepare_mm(m->cpu, mm);
}

int machine_new_mm(struct machine *m, struct mm **out)
{
	int err = mm_create(m->phys, &m->vmstats, out);

	if (!err && (err = wire_mm(m, *out)))
		mmput(*out);
	return err;
}

int machine_dup_mm(struct machine *m, struct mm *old, struct mm **out)
{
	int err = mm_dup(old, out);

	if (!err && (err = wire_mm(m, *out)))
		mmput(*out);
	return err;
}

static int load_profile(struct machine *m, GString *error)
{
	GError *e = NULL;
	int err = cost_profile_load(m->opt.profile ? m->opt.profile : "default", &m->profile, &e);

	for (char **set = m->opt.sets; !err && set && *set; set++)
		err = cost_profile_set(&m->profile, *set, &e);
	if (err) {
		g_string_assign(error, e->message);
		g_error_free(e);
	}
	return err;
}

void machine_charge(struct machine *m, struct event_cost *ev, enum cost_step step, uint64_t count)
{
	event_charge(ev, &m->profile, step, count);
}

void machine_pay(struct machine *m, struct sim_cpu *c, const struct event_cost *ev)
{
	c->clock += cost_ns(&m->profile, ev->total);
}

void machine_account(struct machine *m, struct sim_cpu *c, const char *kind,
		     const struct event_cost *ev)
{
	machine_pay(m, c, ev);
	latency_record(m->latency, kind, ev);
}

void machine_account_handler(struct machine *m, const char *kind, struct event_cost *ev)
{
	event_add(ev, &m->work);
	m->work = (struct event_cost){ 0 };
	machine_account(m, m->this_cpu, kind, ev);
}

/* Work no handler claimed is still paid for, by the CPU that did it. */
static void pay_unclaimed_work(struct machine *m)
{
	machine_pay(m, m->this_cpu, &m->work);
	m->work = (struct event_cost){ 0 };
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
	m->tasks = g_hash_table_new(g_direct_hash, g_direct_equal);
	m->next_pid = FIRST_PID;
	m->latency = latency_recorder_new();
	sched_init(m);
	err = load_profile(m, error);
	if (!err && (err = phys_create(opt->mem, &m->phys)))
		g_string_printf(error, "cannot reserve %" PRIu64 " bytes of simulated memory: %s",
				opt->mem, g_strerror(-err));
	if (!err)
		err = cpu_create(m->phys, &m->cpu, error);
	if (!err)
		err = tlbmodel_init(m, error);
	if (!err)
		err = vfs_init(&m->vfs, opt->root, opt->writable, error);
	if (err) {
		machine_destroy(m);
		return err;
	}
	*out = m;
	return 0;
}

static void free_dead_tasks(struct machine *m)
{
	g_list_free_full(m->dead, (GDestroyNotify)task_free);
	m->dead = NULL;
}

void machine_destroy(struct machine *m)
{
	GList *live;

	if (!m)
		return;
	/* Forget who waits for what first: closing the tasks' pipes below
	 * wakes waiters, and they are being freed too. */
	g_list_free(m->blocked);
	m->blocked = NULL;
	g_queue_clear(&m->runqueue);
	live = g_hash_table_get_values(m->tasks);
	for (GList *l = live; l; l = l->next)
		task_free(l->data);
	g_list_free(live);
	free_dead_tasks(m);
	g_list_free_full(m->processes, (GDestroyNotify)process_free);
	futex_table_free(m);
	g_hash_table_destroy(m->tasks);
	latency_recorder_free(m->latency);
	tlbmodel_fini(m);
	cost_profile_clear(&m->profile);
	cpu_destroy(m->cpu);
	phys_destroy(m->phys);
	vfs_fini(&m->vfs);
	g_rand_free(m->rand);
	g_hash_table_destroy(m->warned);
	g_free(m);
}

uint64_t machine_now_ns(const struct machine *m)
{
	return m->this_cpu->clock;
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
	if (m->exited)
		return;
	m->exited = true;
	m->exit_status = status;
}

/* The modelled work of a page fault of `kind` that allocated `tables` table pages. */
static void cost_fault(struct machine *m, enum fault_kind kind, uint64_t tables)
{
	struct event_cost ev = { 0 };
	char name[48];

	machine_charge(m, &ev, COST_TRAP_ENTRY, 1);
	machine_charge(m, &ev, COST_PGTABLE_ALLOC, tables);
	switch (kind) {
	case FAULT_KIND_ANON:
	case FAULT_KIND_SHMEM:
		machine_charge(m, &ev, COST_PAGE_ZERO, 1);
		machine_charge(m, &ev, COST_PTE_INSTALL, 1);
		break;
	case FAULT_KIND_FILE:
		machine_charge(m, &ev, COST_PAGE_COPY, 1);	/* the file's bytes into the frame */
		machine_charge(m, &ev, COST_PTE_INSTALL, 1);
		break;
	case FAULT_KIND_COW_COPY:	/* the flush of the old entry is in m->work */
		machine_charge(m, &ev, COST_PAGE_COPY, 1);
		machine_charge(m, &ev, COST_PTE_INSTALL, 1);
		break;
	case FAULT_KIND_COW_REUSE:
		machine_charge(m, &ev, COST_PTE_INSTALL, 1);
		break;
	default:	/* spurious, or a signal follows (costed when delivered) */
		break;
	}
	machine_charge(m, &ev, COST_TRAP_EXIT, 1);
	snprintf(name, sizeof(name), "fault:%s", fault_kind_name(kind));
	machine_account_handler(m, name, &ev);
}

static void handle_abort(struct machine *m, struct task *t, const struct cpu_exit *e,
			 unsigned *repeats)
{
	enum fault_access access = e->event == CPU_INSN_ABORT ? FAULT_EXEC :
				   e->write ? FAULT_WRITE : FAULT_READ;
	uint64_t tables_before = phys_in_use(m->phys, FRAME_PGTABLE);
	enum fault_kind kind;
	enum vm_fault result;

	if (do_bad_abort(m, t, e))	/* not a page fault */
		return;
	result = handle_mm_fault(t->mm, e->addr, access, &kind);

	/* A fault only ever adds table pages. */
	cost_fault(m, kind, phys_in_use(m->phys, FRAME_PGTABLE) - tables_before);
	switch (result) {
	case VM_FAULT_DONE:
		if (kind != FAULT_KIND_SPURIOUS)
			*repeats = 0;
		else if (++*repeats > MAX_SPURIOUS_REPEATS)
			report_internal_error(m, "the emulated MMU keeps faulting at %#" PRIx64 " (pc %#"
					      PRIx64 ", syndrome %#x) although the page tables allow "
					      "the access", e->addr, e->pc, e->syndrome);
		break;
	case VM_FAULT_SIGSEGV:
		force_fault_signal(m, t, G_SIGSEGV,
				   kind == FAULT_KIND_MAPERR ? G_SEGV_MAPERR : G_SEGV_ACCERR, e->addr);
		break;
	case VM_FAULT_SIGBUS:
		force_fault_signal(m, t, G_SIGBUS, G_BUS_ADRERR, e->addr);
		break;
	case VM_FAULT_OOM:
		report_fatal_signal(m, t, G_SIGKILL, 0, e->addr, "out of simulated memory (raise --mem)");
		kill_process_by_signal(m, t->proc, G_SIGKILL);
		break;
	}
}

/* Whether the instruction budget of --max-insns is spent. */
static bool budget_spent(struct machine *m, struct task *t)
{
	if (!m->opt.max_insns || cpu_insns(m->cpu) < m->opt.max_insns)
		return false;
	report_budget_exhausted(m, t);
	machine_exit(m, 128 + G_SIGXCPU);
	return true;
}

static void handle_event(struct machine *m, struct task *t, const struct cpu_exit *e,
			 bool last_budget, unsigned *repeats)
{
	switch (e->event) {
	case CPU_SYSCALL:
		do_syscall(m, t);
		break;
	case CPU_DATA_ABORT:
	case CPU_INSN_ABORT:
		handle_abort(m, t, e, repeats);
		break;
	case CPU_UNDEFINED:
		force_fault_signal(m, t, G_SIGILL, G_ILL_ILLOPC, e->pc);
		break;
	case CPU_BREAKPOINT:
		force_fault_signal(m, t, G_SIGTRAP, G_TRAP_BRKPT, e->pc);
		break;
	case CPU_BUDGET:
		/* The next block does not fit: in what is left of --max-insns,
		 * or in the quantum. */
		if (last_budget) {
			report_budget_exhausted(m, t);
			machine_exit(m, 128 + G_SIGXCPU);
		} else {
			sched_preempt(m, m->this_cpu);
		}
		break;
	case CPU_NO_EVENT:
	case CPU_ERROR:
		report_internal_error(m, "%s", e->message);
		break;
	}
}

static void run_slice(struct machine *m, struct sim_cpu *c, unsigned *repeats)
{
	struct task *t = c->current;
	uint64_t before, budget = m->opt.quantum;
	bool last_budget = false;
	struct cpu_exit e;

	sched_load(m, t);
	if (t->syscall_nr >= 0) {
		retry_syscall(m, t);
		if (m->exited || c->current != t)
			return;
	}
	do_signal(m, t);
	if (m->exited || c->current != t || budget_spent(m, t))
		return;
	if (m->opt.max_insns && m->opt.max_insns - cpu_insns(m->cpu) < budget) {
		budget = m->opt.max_insns - cpu_insns(m->cpu);
		last_budget = true;
	}
	before = cpu_insns(m->cpu);
	cpu_run(m->cpu, budget, &e);
	c->clock += cost_ns(&m->profile, (cpu_insns(m->cpu) - before) * m->profile.cycles[COST_INSTRUCTION] +
			    tlbmodel_take_cycles(c));
	handle_event(m, t, &e, last_budget, repeats);
	pay_unclaimed_work(m);
}

static void run(struct machine *m)
{
	unsigned repeats = 0;
	struct sim_cpu *c;

	while (!m->exited && (c = sched_pick(m))) {
		run_slice(m, c, &repeats);
		free_dead_tasks(m);
	}
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

/* The first task: process FIRST_PID, standard descriptors, the host's cwd
 * when the root is the host's /. */
static struct task *create_init_task(struct machine *m, const char *exe, struct mm *mm)
{
	struct process *proc = process_new(m->next_pid, NULL, exe);
	struct task *t = task_alloc(m->next_pid++, proc, m->cpu);
	char *cwd = g_get_current_dir();

	m->init = proc;
	m->processes = g_list_append(m->processes, proc);
	task_attach_mm(t, mm);
	t->mm = mm;
	t->fs = fs_new(strcmp(m->opt.root, "/") ? "/" : cwd);
	t->files = files_new();
	fdtable_init_stdio(&t->files->fdt);
	t->sighand = sighand_new();
	g_hash_table_insert(m->tasks, GINT_TO_POINTER(t->tid), t);
	m->nr_tasks++;
	g_free(cwd);
	return t;
}

int machine_run_program(struct machine *m, char *const *argv, char *const *envp)
{
	char *exe = guest_exe_path(m, argv[0]);
	GString *error = g_string_new(NULL);
	struct exec_image image;
	uint8_t random16[16];
	struct mm *mm = NULL;
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	int err = fd < 0 ? -errno : machine_new_mm(m, &mm);

	for (size_t i = 0; i < sizeof(random16); i++)
		random16[i] = (uint8_t)g_rand_int_range(m->rand, 0, 256);
	if (fd < 0)
		g_string_printf(error, "%s: %s", argv[0], g_strerror(-err));
	else if (err)
		g_string_printf(error, "out of simulated memory while creating the address space");
	else
		err = load_elf(mm, &(struct exec_args){ fd, argv[0], exe, argv, envp, random16 }, &image, error);
	if (fd >= 0)
		close(fd);
	if (err) {
		fprintf(m->log, "mmusim: %s\n", error->str);
		g_string_free(error, TRUE);
		g_free(exe);
		mmput(mm);
		return err == -ENOENT ? 127 : 126;
	}
	g_string_free(error, TRUE);
	cpu_context_init_user(m->cpu, create_init_task(m, exe, mm)->ctx, image.entry, image.sp);
	mmput(mm);
	g_free(exe);
	sched_add_new(m, g_hash_table_lookup(m->tasks, GINT_TO_POINTER(m->init->pid)));
	run(m);
	tlbmodel_close_switches(m);
	return m->exit_status;
}
