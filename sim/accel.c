/*
 * accel: /dev/accelN.  A launch binds the device to the caller's address
 * space and runs the kernel at once on the device's clock, which starts no
 * earlier than the caller's; a wait moves the caller's clock on to the
 * kernel's end.  Nothing here resolves a device fault: the design in force
 * does (struct device_mm_ops).
 */
#include "sim/accel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/accel.h"
#include "mmu/device/device.h"
#include "mmu/figures.h"
#include "mmu/gmem/gmem.h"
#include "mmu/hmm/mirror.h"
#include "mmu/uaccess.h"
#include "report/model.h"
#include "sim/chardev.h"
#include "sim/file.h"
#include "sim/machine.h"
#include "sim/record.h"
#include "sim/task.h"
#include "sim/vfs.h"

struct accel {
	struct device dev;
	struct chardev cdev;		/* /dev/accelN */
	struct machine *m;
	bool launched;
	struct accel_wait last;
};

struct accel_state {
	int nr;
	struct accel accels[PHYS_MAX_NODES - 1];
	struct gmem_stats gmem;
};

static const struct { const char *name; const struct device_mm_ops *ops; } designs[] = {
	{ "hmm", &hmm_mirror_ops },
	{ "gmem", &gmem_device_ops },
};

const struct device_mm_ops *accel_design_named(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(designs); i++)
		if (!strcmp(designs[i].name, name))
			return designs[i].ops;
	return NULL;
}

static long launch(struct accel *a, struct task *t, uint64_t arg)
{
	struct device *dev = &a->dev;
	struct agent *cpu = a->m->this_cpu->agent;
	struct accel_launch l;
	struct device_kernel k;
	int err;

	if (copy_from_user(t->mm, &l, arg, sizeof(l)))
		return -EFAULT;
	k = (struct device_kernel){ .start = l.addr, .size = l.size, .pattern = l.pattern,
				    .stride = l.stride, .seed = l.seed, .access = l.access,
				    .reps = l.reps };
	device_bind(dev, t->mm);
	agent_wait_for(&dev->agent, cpu);
	a->last = (struct accel_wait){ 0 };
	err = device_run(dev, &k, &a->last.checksum, &a->last.fault_addr);
	if (err == -EINVAL)
		return err;
	agent_mark_done(&dev->agent);
	a->launched = true;
	a->last.status = err;
	a->last.clock_ns = dev->agent.done;
	return 0;
}

static long wait_kernel(struct accel *a, struct task *t, uint64_t arg)
{
	struct agent *cpu = a->m->this_cpu->agent;

	if (!a->launched)
		return -ENOENT;
	if (copy_to_user(t->mm, arg, &a->last, sizeof(a->last)))
		return -EFAULT;
	if (a->last.clock_ns)	/* 0: the last launch was refused, nothing to wait for */
		agent_wait_done(cpu, &a->dev.agent);
	return 0;
}

static void fill_counters(const struct device *dev, struct accel_counters *c)
{
	const struct device_counters *d = &dev->counters;
	struct device_figures f;

	figures_device_agent(&dev->agent, &f);
	*c = (struct accel_counters){
		.kernels = d->kernels, .accesses = d->accesses, .faults = d->faults,
		.to_device = d->to_device, .to_cpu = d->to_cpu, .zero_pages = d->zero_pages,
		.mirrored = d->mirrored, .pte_updates = d->pte_updates, .inval_pages = d->inval_pages,
		.inval_ranges = d->inval_ranges, .link_bytes = d->link_bytes,
		.tlb_hits = f.tlb_hits, .tlb_misses = f.tlb_misses, .clock_ns = f.clock_ns,
	};
}

static long accel_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct accel *a = f->private_data;
	struct accel_counters c;

	switch (cmd) {
	case ACCEL_IOC_LAUNCH:
		return launch(a, t, arg);
	case ACCEL_IOC_WAIT:
		return wait_kernel(a, t, arg);
	case ACCEL_IOC_COUNTERS:
		fill_counters(&a->dev, &c);
		return copy_to_user(t->mm, arg, &c, sizeof(c)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

/* A character device of mmusim's own: crw-rw-rw- 240:N (the first of the
 * major numbers Linux leaves to local use). */
static int accel_getattr(struct file *f, struct statx *stx)
{
	struct accel *a = f->private_data;

	chardev_getattr(&a->cdev, stx);
	return 0;
}

static const struct file_ops accel_ops = {
	.ioctl = accel_ioctl,
	.getattr = accel_getattr,
};

static void accel_destroy(void *state)
{
	struct accel_state *s = state;

	for (int i = 0; i < s->nr; i++)
		device_fini(&s->accels[i].dev);
	g_free(s);
}

/* Page-table memory at its peak, table by table: the CPU's (node 0),
 * each device's own (its node), gmem's logical table (entries and radix
 * nodes, gmem_report); the accounting point. */
static void table_memory_report(struct report_node *sec, struct machine *m, const struct accel_state *s)
{
	struct report_node *t = report_add_section(sec, "table_bytes", "peak page-table bytes", TEXT_LINE);

	report_add_count(t, "cpu", "CPU tables", phys_node_pgtable_peak(m->phys, 0) * PAGE_SIZE);
	for (int i = 0; i < s->nr; i++) {
		char key[16], label[32];

		snprintf(key, sizeof(key), "accel%d", i);
		snprintf(label, sizeof(label), "accel%d table", i);
		report_add_count(t, key, label, phys_node_pgtable_peak(m->phys, s->accels[i].dev.node) * PAGE_SIZE);
	}
	if (s->accels[0].dev.ops == &gmem_device_ops)
		report_add_count(t, "gmem", "gmem table", s->gmem.peak_bytes);
}

static void gmem_report(struct report_node *sec, const struct gmem_stats *g)
{
	struct report_node *gm = report_add_section(sec, "gmem", "gmem logical page table", TEXT_LINE);

	report_add_count(gm, "peak_entries", "peak entries", g->peak_entries);
	report_add_count(gm, "peak_nodes", "peak radix nodes", g->peak_nodes);
	report_add_count(gm, "peak_bytes", "peak bytes", g->peak_bytes);
	report_add_count(gm, "cpu_faults", "CPU faults back", g->cpu_faults);
	report_add_count(gm, "prefetched", "pages prefetched", g->prefetched);
	report_add_count(gm, "dropped", "pages dropped", g->dropped);
	report_add_count(gm, "unmapped_entries", "munmap freed", g->unmapped_entries);
}

/* `dev`'s row of the report (and of a recording's totals). */
static void read_figures(struct machine *m, const struct device *dev, struct device_figures *f)
{
	f->counters = dev->counters;
	figures_device_agent(&dev->agent, f);
	f->peak_frames = phys_node_peak(m->phys, dev->node);
	f->peak_pt_frames = phys_node_pgtable_peak(m->phys, dev->node);
}

/* The "devices" member of --report and --stats (docs/report-format.md). */
static void accel_report(struct machine *m, void *state, struct report_node *root)
{
	struct accel_state *s = state;
	struct report_node *sec = report_add_section(root, "devices", "devices", TEXT_LINE);
	struct device_figures figures[G_N_ELEMENTS(s->accels)];

	report_add_string(sec, "design", m->opt.device_mm);
	if (s->accels[0].dev.ops == &gmem_device_ops)
		gmem_report(sec, &s->gmem);
	report_add_string(sec, "invalidation", m->opt.device_coalesce ? "coalesced" : "page");
	table_memory_report(sec, m, s);
	for (int i = 0; i < s->nr; i++)
		read_figures(m, &s->accels[i].dev, &figures[i]);
	figures_accelerators(sec, figures, s->nr);
}

static const struct design_ops accel_design = {
	.name = "devices",
	.destroy = accel_destroy,
	.report = accel_report,
};

void accel_mount(struct machine *m)
{
	const struct device_mm_ops *ops;
	struct accel_state *s;

	if (!m->opt.devices)
		return;
	ops = accel_design_named(m->opt.device_mm ? m->opt.device_mm : "hmm");
	s = g_new0(struct accel_state, 1);
	for (int i = 0; i < m->opt.devices; i++) {
		struct accel *a = &s->accels[i];
		gchar *path = g_strdup_printf("/dev/accel%d", i);
		int err = device_init(&a->dev, &m->domain, i, i + 1, ops);

		g_assert(!err);		/* nodes and the [device] geometry were checked */
		a->dev.coalesce = m->opt.device_coalesce;
		a->m = m;
		a->cdev = (struct chardev){ &accel_ops, a, 0666, 240, (unsigned)i };
		s->nr++;
		chardev_mount(&m->vfs, path, &a->cdev);
		g_free(path);
	}
	machine_add_design(m, &accel_design, s);
}

static struct accel_state *state_of(struct machine *m)
{
	return machine_design(m, &accel_design);
}

struct device *accel_device_of_node(struct machine *m, int node)
{
	struct accel_state *s = state_of(m);

	return s && node >= 1 && node <= s->nr ? &s->accels[node - 1].dev : NULL;
}

struct gmem_stats *accel_gmem_stats(struct machine *m)
{
	struct accel_state *s = state_of(m);

	return s && s->accels[0].dev.ops == &gmem_device_ops ? &s->gmem : NULL;
}

void accel_record_totals(struct machine *m, struct recorder *r)
{
	struct accel_state *s = state_of(m);
	struct device_figures f;

	for (int i = 0; r && s && i < s->nr; i++) {
		read_figures(m, &s->accels[i].dev, &f);
		recorder_write_device(r, i, &f);
	}
}
