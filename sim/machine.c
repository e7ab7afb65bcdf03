/*
 * machine: the state of one simulation, its set-up and teardown, and the
 * few services every part of the kernel model uses (simulated time, the
 * running agent, warnings, the end of the simulation, new address spaces).
 * The run loop is sim/run.c.
 */
#include "sim/machine.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "sim/fastpath_check.h"
#include "sim/region.h"
#include "sim/record.h"
#include "sim/tlbmodel.h"

/* The emulator and the TLB model subscribe to a new mm's changes. */
static int wire_mm(struct machine *m, struct mm *mm)
{
	int err = cpu_prepare_mm(m->cpu, mm);

	mm->tunables = &m->profile.vm;
	if (!err)
		domain_attach_mm(&m->domain, mm);
	return err;
}

int machine_new_mm(struct machine *m, struct mm **out)
{
	int err = mm_create(m->phys, &m->vmstats, out);

	if (!err && (err = wire_mm(m, *out)))
		mmput(*out);
	if (!err)
		recorder_attach_mm(m->recorder, *out, NULL);
	return err;
}

/* fork's copy of an address space; the caller pays fork_mm, the set-up
 * of a task and mm that the steps of the copied entries leave out. */
int machine_dup_mm(struct machine *m, struct mm *old, struct mm **out)
{
	int err = mm_dup(old, out);

	agent_charge(machine_agent(m), COST_FORK_MM, 1);
	if (!err && (err = wire_mm(m, *out)))
		mmput(*out);
	if (!err)
		recorder_attach_mm(m->recorder, *out, old);
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

struct agent *machine_agent(const struct machine *m)
{
	return m->this_cpu->agent;
}

/* The simulated CPUs: the agents of the domain, CPU 0 first to run (it
 * loads the first program). */
static void init_cpus(struct machine *m)
{
	for (int i = 0; i < m->opt.cpus; i++)
		m->cpus[i] = (struct sim_cpu){ .id = i, .agent = &m->domain.agents[i] };
	m->this_cpu = &m->cpus[0];
	m->domain.current = m->this_cpu->agent;
	g_queue_init(&m->runqueue);
}

/* The store fast path (sim/fastpath.c), proven first on a CPU of its own;
 * if it cannot be used, one warning and the library's plain path. */
static void enable_fastpath(struct machine *m)
{
	g_autoptr(GString) why = g_string_new(NULL);

	if (fastpath_self_test(why) || cpu_enable_fastpath(m->cpu, why))
		machine_warn_once(m, "fastpath", "%s; guest loads and stores take the Unicorn "
				  "library's slow path (--no-fastpath turns the fast path off)", why->str);
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
	err = load_profile(m, error);
	if (!err && (err = phys_create_coherent(opt->mem, opt->devices, opt->device_mem,
						 opt->device_coherent, &m->phys)))
		g_string_printf(error, "--mem: cannot reserve %" PRIu64 " bytes of simulated memory: %s",
				opt->mem, g_strerror(-err));
	if (!err)
		err = domain_init(&m->domain, m->phys, &m->profile, opt->cpus, !opt->tlb_off, error);
	if (!err)
		init_cpus(m);
	if (!err)
		err = cpu_create(m->phys, &m->cpu, error);
	if (!err && !opt->no_fastpath)
		enable_fastpath(m);
	if (!err && !opt->tlb_off)
		err = tlbmodel_hook(m->cpu, &m->domain, error);
	if (!err)
		err = vfs_init(&m->vfs, opt->root, opt->writable, error);
	if (err) {
		machine_destroy(m);
		return err;
	}
	*out = m;
	return 0;
}

void *machine_design(const struct machine *m, const struct design_ops *ops)
{
	return m->designs ? g_hash_table_lookup(m->designs, ops) : NULL;
}

static void destroy_design(gpointer key, gpointer value, gpointer unused)
{
	const struct design_ops *ops = key;

	(void)unused;
	if (ops->destroy)
		ops->destroy(value);
}

static void free_designs(GHashTable *designs)
{
	g_hash_table_foreach(designs, destroy_design, NULL);
	g_hash_table_unref(designs);
}

void machine_add_design(struct machine *m, const struct design_ops *ops, void *state)
{
	if (!m->designs)
		m->designs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, NULL);
	g_hash_table_insert(m->designs, (gpointer)ops, state);
}

void machine_release_task(struct machine *m, struct task *t)
{
	GHashTableIter it;
	gpointer ops, state;

	if (!m->designs)
		return;
	g_hash_table_iter_init(&it, m->designs);
	while (g_hash_table_iter_next(&it, &ops, &state))
		if (((const struct design_ops *)ops)->task_release)
			((const struct design_ops *)ops)->task_release(m, t, state);
}

static gint compare_design_names(gconstpointer a, gconstpointer b)
{
	const struct design_ops *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void machine_report_designs(struct machine *m, struct report_node *root)
{
	GList *designs;

	if (!m->designs)
		return;
	designs = g_list_sort(g_hash_table_get_keys(m->designs), compare_design_names);
	for (GList *l = designs; l; l = l->next) {
		const struct design_ops *ops = l->data;

		if (ops->report)
			ops->report(m, g_hash_table_lookup(m->designs, ops), root);
	}
	g_list_free(designs);
}

void machine_free_dead_tasks(struct machine *m)
{
	g_list_free_full(m->dead, (GDestroyNotify)task_free);
	m->dead = NULL;
}

int machine_start_recording(struct machine *m, const char *path, const struct trace_header *h,
			    GString *error)
{
	if (m->opt.tlb_off) {
		g_string_printf(error, "--record %s: recording needs the TLB model (--tlb exact)", path);
		return -EINVAL;
	}
	if (!(m->recorder = recorder_open(path, h, &m->domain, m->phys, error)))
		return -EIO;
	cpu_set_recorder(m->cpu, m->recorder);
	return 0;
}

int machine_finish_recording(struct machine *m, GString *error)
{
	recorder_write_totals(m->recorder, &m->vmstats);
	return recorder_finish(m->recorder, error) ? -EIO : 0;
}

void machine_destroy(struct machine *m)
{
	GList *live;

	if (!m)
		return;
	/* Forget who waits for what first: closing the tasks' pipes below
	 * wakes waiters, and they are being freed too. */
	g_list_free(m->blocked);
	g_list_free(m->timers.timers);
	m->blocked = NULL;
	m->timers.timers = NULL;
	g_queue_clear(&m->runqueue);
	live = g_hash_table_get_values(m->tasks);
	for (GList *l = live; l; l = l->next)
		task_free(l->data);
	g_list_free(live);
	machine_free_dead_tasks(m);
	g_list_free_full(m->processes, (GDestroyNotify)process_free);
	g_clear_pointer(&m->designs, free_designs);
	if (m->futexes)
		g_hash_table_destroy(m->futexes);
	g_clear_pointer(&m->unix_names, g_hash_table_destroy);
	g_clear_pointer(&m->flocks, g_hash_table_destroy);
	g_hash_table_destroy(m->tasks);
	domain_fini(&m->domain);
	g_clear_pointer(&m->syscall_counts, g_hash_table_destroy);
	g_clear_pointer(&m->region, region_free);
	if (m->snapshots)
		g_array_free(m->snapshots, TRUE);
	cost_profile_clear(&m->profile);
	vfs_fini(&m->vfs);	/* before the frames: a tmpfs gives its pages back */
	cpu_destroy(m->cpu);
	g_clear_pointer(&m->recorder, recorder_free);	/* every mm it watched is gone */
	phys_destroy(m->phys);
	g_rand_free(m->rand);
	g_hash_table_destroy(m->warned);
	g_free(m);
}

char *machine_initial_cwd(const struct machine *m)
{
	return strcmp(m->opt.root, "/") ? g_strdup("/") : g_get_current_dir();
}

uint64_t machine_now_ns(const struct machine *m)
{
	return m->timers.now ? m->timers.now : m->this_cpu->agent->clock;
}

uint64_t machine_simulated_ns(const struct machine *m)
{
	uint64_t latest = 0;

	for (int i = 0; i < m->opt.cpus; i++)
		latest = MAX(latest, m->cpus[i].agent->clock);
	return latest;
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

