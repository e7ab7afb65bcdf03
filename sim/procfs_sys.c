/*
 * procfs_sys: the system-wide files of the guest's /proc, from the
 * simulated machine (Linux 6.x layouts):
 *   meminfo   MemTotal is --mem, MemFree the free frames; every data frame
 *             is anonymous memory (there is no page cache: a file page is
 *             a private copy), PageTables the table frames; no swap
 *   cpuinfo   one entry per simulated CPU, the emulated Cortex-A72
 *   stat      per-CPU times in USER_HZ ticks of each CPU's simulated clock
 *             (all of it user time: mmusim does not split it), context
 *             switches, forks, running tasks
 *   uptime    the simulated time; idle time 0 (not recorded)
 *   loadavg   load averages 0 (not computed), runnable/all tasks, last pid
 *   sys/vm/   overcommit_memory 0 (the heuristic mmu/mm applies),
 *             overcommit_ratio 50, overcommit_kbytes 0, max_map_count
 *             65530, mmap_min_addr
 *   sys/kernel/  pid_max, threads-max (--max-tasks), ostype, osrelease
 * The sysctls are read-only (mode 0444): the simulated kernel's settings
 * are fixed, so opening one for writing answers EACCES, as Linux does for
 * a read-only sysctl even to root.
 */
#include <stdio.h>

#include "mmu/cost.h"
#include "sim/procfs_internal.h"

#define USER_HZ 100
#define NS_PER_TICK (UINT64_C(1000000000) / USER_HZ)

static void meminfo_line(GString *out, const char *name, uint64_t pages)
{
	g_string_append_printf(out, "%s:%*s%8" G_GUINT64_FORMAT " kB\n", name, (int)(15 - strlen(name)), "",
			       pages * (PAGE_SIZE >> 10));
}

/* Pages the private writable mappings of every process charge (Linux's
 * Committed_AS); threads share their process's mm. */
static uint64_t committed_pages(struct machine *m)
{
	uint64_t pages = 0;

	for (GList *p = m->processes; p; p = p->next) {
		struct process *proc = p->data;
		struct task *t = proc->threads ? proc->threads->data : NULL;

		if (!t || !t->mm)
			continue;
		for (struct vma *vma = vma_first(t->mm); vma; vma = vma_next(t->mm, vma))
			if ((vma->prot & VM_WRITE) && !(vma->flags & VM_SHARED))
				pages += (vma->end - vma->start) >> PAGE_SHIFT;
	}
	return pages;
}

static int show_meminfo(void *data, GString *out)
{
	struct machine *m = data;
	uint64_t total = phys_size(m->phys) >> PAGE_SHIFT, used = 0;
	uint64_t anon = phys_in_use(m->phys, FRAME_DATA), tables = phys_in_use(m->phys, FRAME_PGTABLE);
	static const char *const zero_a[] = {
		"Buffers", "Cached", "SwapCached",
	};
	static const char *const zero_b[] = {
		"Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback",
	};
	static const char *const zero_c[] = {
		"Mapped", "Shmem", "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack",
	};

	for (int kind = FRAME_DATA; kind < FRAME_NR_KINDS; kind++)
		used += phys_in_use(m->phys, kind);
	meminfo_line(out, "MemTotal", total);
	meminfo_line(out, "MemFree", total - used);
	meminfo_line(out, "MemAvailable", total - used);
	for (size_t i = 0; i < G_N_ELEMENTS(zero_a); i++)
		meminfo_line(out, zero_a[i], 0);
	meminfo_line(out, "Active", anon);
	meminfo_line(out, "Inactive", 0);
	meminfo_line(out, "Active(anon)", anon);
	meminfo_line(out, "Inactive(anon)", 0);
	meminfo_line(out, "Active(file)", 0);
	meminfo_line(out, "Inactive(file)", 0);
	for (size_t i = 0; i < G_N_ELEMENTS(zero_b); i++)
		meminfo_line(out, zero_b[i], 0);
	meminfo_line(out, "AnonPages", anon);
	for (size_t i = 0; i < G_N_ELEMENTS(zero_c); i++)
		meminfo_line(out, zero_c[i], 0);
	meminfo_line(out, "PageTables", tables);
	meminfo_line(out, "CommitLimit", total / 2);	/* overcommit_ratio 50, no swap */
	meminfo_line(out, "Committed_AS", committed_pages(m));
	return 0;
}

/* arm64's c_show(): the hwcaps the loader advertises, the Cortex-A72's
 * MIDR (implementer 0x41 Arm, part 0xd08, r0p3); BogoMIPS from the 1 GHz
 * simulated counter. */
static int show_cpuinfo(void *data, GString *out)
{
	struct machine *m = data;

	for (int cpu = 0; cpu < m->opt.cpus; cpu++)
		g_string_append_printf(out, "processor\t: %d\nBogoMIPS\t: 2000.00\n"
				       "Features\t: fp asimd aes pmull sha1 sha2 crc32\n"
				       "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\n"
				       "CPU part\t: 0xd08\nCPU revision\t: 3\n\n", cpu);
	return 0;
}

static int runnable_tasks(struct machine *m)
{
	int n = (int)g_queue_get_length(&m->runqueue);

	for (int cpu = 0; cpu < m->opt.cpus; cpu++)
		n += m->cpus[cpu].current != NULL;
	return n;
}

static int show_stat(void *data, GString *out)
{
	struct machine *m = data;
	uint64_t total = 0;

	for (int cpu = 0; cpu < m->opt.cpus; cpu++)
		total += m->cpus[cpu].agent->clock / NS_PER_TICK;
	g_string_append_printf(out, "cpu  %" G_GUINT64_FORMAT " 0 0 0 0 0 0 0 0 0\n", total);
	for (int cpu = 0; cpu < m->opt.cpus; cpu++)
		g_string_append_printf(out, "cpu%d %" G_GUINT64_FORMAT " 0 0 0 0 0 0 0 0 0\n", cpu,
				       m->cpus[cpu].agent->clock / NS_PER_TICK);
	g_string_append_printf(out, "intr 0\nctxt %" G_GUINT64_FORMAT "\nbtime %" G_GINT64_FORMAT
			       "\nprocesses %" G_GUINT64_FORMAT "\nprocs_running %d\nprocs_blocked 0\n"
			       "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
			       m->sched.process_switches + m->sched.thread_switches, SIM_EPOCH,
			       1 + m->sched.forks + m->sched.threads_created, runnable_tasks(m));
	return 0;
}

static int show_uptime(void *data, GString *out)
{
	uint64_t ns = machine_now_ns(data);

	g_string_append_printf(out, "%" G_GUINT64_FORMAT ".%02" G_GUINT64_FORMAT " 0.00\n", ns / 1000000000,
			       ns / 10000000 % 100);
	return 0;
}

static int show_loadavg(void *data, GString *out)
{
	struct machine *m = data;

	g_string_append_printf(out, "0.00 0.00 0.00 %d/%d %d\n", runnable_tasks(m), m->nr_tasks, m->next_pid - 1);
	return 0;
}

static int show_zero(void *data, GString *out)
{
	g_string_append(out, "0\n");
	return 0;
}

static int show_overcommit_ratio(void *data, GString *out)
{
	g_string_append(out, "50\n");
	return 0;
}

static int show_max_map_count(void *data, GString *out)
{
	g_string_append(out, "65530\n");
	return 0;
}

static int show_mmap_min_addr(void *data, GString *out)
{
	g_string_append_printf(out, "%" G_GUINT64_FORMAT "\n", MMAP_MIN_ADDR);
	return 0;
}

/* Linux's default: 32768, or 1024 per possible CPU if that is more. */
static int show_pid_max(void *data, GString *out)
{
	struct machine *m = data;

	g_string_append_printf(out, "%d\n", MAX(32768, 1024 * m->opt.cpus));
	return 0;
}

static int show_threads_max(void *data, GString *out)
{
	g_string_append_printf(out, "%d\n", ((struct machine *)data)->opt.max_tasks);
	return 0;
}

static int show_ostype(void *data, GString *out)
{
	g_string_append(out, "Linux\n");
	return 0;
}

static int show_osrelease(void *data, GString *out)
{
	g_string_append(out, "6.1.0-mmusim\n");	/* as uname(2) says */
	return 0;
}

const struct pseudo_entry proc_sys_entries[] = {
	{ "cpuinfo", S_IFREG | 0444, show_cpuinfo },
	{ "loadavg", S_IFREG | 0444, show_loadavg },
	{ "meminfo", S_IFREG | 0444, show_meminfo },
	{ "stat", S_IFREG | 0444, show_stat },
	{ "uptime", S_IFREG | 0444, show_uptime },
	{ "sys", S_IFDIR | 0555, NULL },
	{ "sys/kernel", S_IFDIR | 0555, NULL },
	{ "sys/kernel/osrelease", S_IFREG | 0444, show_osrelease },
	{ "sys/kernel/ostype", S_IFREG | 0444, show_ostype },
	{ "sys/kernel/pid_max", S_IFREG | 0444, show_pid_max },
	{ "sys/kernel/threads-max", S_IFREG | 0444, show_threads_max },
	{ "sys/vm", S_IFDIR | 0555, NULL },
	{ "sys/vm/max_map_count", S_IFREG | 0444, show_max_map_count },
	{ "sys/vm/mmap_min_addr", S_IFREG | 0444, show_mmap_min_addr },
	{ "sys/vm/overcommit_kbytes", S_IFREG | 0444, show_zero },
	{ "sys/vm/overcommit_memory", S_IFREG | 0444, show_zero },
	{ "sys/vm/overcommit_ratio", S_IFREG | 0444, show_overcommit_ratio },
};
const size_t proc_sys_nr_entries = G_N_ELEMENTS(proc_sys_entries);
