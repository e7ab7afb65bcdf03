#include "sim/sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* pseudo_node.entry: a table entry (index), or the directory of CPU `id`. */
enum sys_kind { SYS_ROOT, SYS_ENTRY, SYS_CPU };

/* The simulated CPUs as a list: "0", or "0-N". */
static int show_cpu_list(void *data, GString *out)
{
	struct machine *m = data;

	if (m->opt.cpus > 1)
		g_string_append_printf(out, "0-%d\n", m->opt.cpus - 1);
	else
		g_string_append(out, "0\n");
	return 0;
}

static int show_kernel_max(void *data, GString *out)
{
	g_string_append_printf(out, "%d\n", MAX_CPUS - 1);
	return 0;
}

#define CPU_DIR "devices/system/cpu"

static const struct pseudo_entry sys_entries[] = {
	{ "devices", S_IFDIR | 0755, NULL },
	{ "devices/system", S_IFDIR | 0755, NULL },
	{ CPU_DIR, S_IFDIR | 0755, NULL },
	{ CPU_DIR "/kernel_max", S_IFREG | 0444, show_kernel_max },
	{ CPU_DIR "/online", S_IFREG | 0444, show_cpu_list },
	{ CPU_DIR "/possible", S_IFREG | 0444, show_cpu_list },
	{ CPU_DIR "/present", S_IFREG | 0444, show_cpu_list },
	{ "kernel", S_IFDIR | 0755, NULL },
	{ "kernel/mm", S_IFDIR | 0755, NULL },
};

static struct pseudo_node make_node(unsigned mode, enum sys_kind kind, int id, int index)
{
	return (struct pseudo_node){ mode, 1 + ((uint64_t)kind << 32) + ((uint64_t)id << 16) + (uint64_t)index,
				     kind, id, index, .in_place = false };
}

static struct pseudo_node entry_node(int index)
{
	return make_node(sys_entries[index].mode, SYS_ENTRY, 0, index);
}

static void sys_root(struct pseudo_node *out)
{
	*out = make_node(S_IFDIR | 0555, SYS_ROOT, 0, 0);
}

static bool is_cpu_dir(const struct pseudo_node *dir)
{
	return dir->entry == SYS_ENTRY && !strcmp(sys_entries[dir->index].path, CPU_DIR);
}

/* "cpuN" of a simulated CPU: N, else -1. */
static int parse_cpu(struct machine *m, const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "cpu", 3) || name[3] < '0' || name[3] > '9' || (name[3] == '0' && name[4]))
		return -1;
	n = strtol(name + 3, &end, 10);
	return *end || n >= m->opt.cpus ? -1 : (int)n;
}

static int sys_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
		      struct pseudo_node *out)
{
	int i, cpu;

	if (dir->entry == SYS_CPU)
		return -ENOENT;
	i = pseudo_table_lookup(sys_entries, G_N_ELEMENTS(sys_entries), dir->entry == SYS_ROOT ? -1 : dir->index,
				name);
	if (i >= 0) {
		*out = entry_node(i);
		return 0;
	}
	cpu = is_cpu_dir(dir) ? parse_cpu(data, name) : -1;
	if (cpu < 0)
		return -ENOENT;
	*out = make_node(S_IFDIR | 0755, SYS_CPU, cpu, 0);
	return 0;
}

static void sys_readdir(void *data, const struct pseudo_node *dir,
			void (*emit)(void *arg, const char *name, const struct pseudo_node *node), void *arg)
{
	struct machine *m = data;
	char name[16];

	if (dir->entry == SYS_CPU)
		return;
	if (is_cpu_dir(dir)) {
		for (int cpu = 0; cpu < m->opt.cpus; cpu++) {
			struct pseudo_node node = make_node(S_IFDIR | 0755, SYS_CPU, cpu, 0);

			snprintf(name, sizeof(name), "cpu%d", cpu);
			emit(arg, name, &node);
		}
	}
	pseudo_table_list(sys_entries, G_N_ELEMENTS(sys_entries), dir->entry == SYS_ROOT ? -1 : dir->index,
			  entry_node, emit, arg);
}

static int sys_readlink(void *data, struct task *t, const struct pseudo_node *link, GString *out)
{
	return -EINVAL;	/* no links */
}

static int sys_show(void *data, const struct pseudo_node *node, GString *out)
{
	return sys_entries[node->index].show(data, out);
}

static const struct fs_type sys_fs = {
	.name = "sysfs",
	.root = sys_root,
	.lookup = sys_lookup,
	.readdir = sys_readdir,
	.readlink = sys_readlink,
	.show = sys_show,
};

void sysfs_mount(struct machine *m)
{
	vfs_mount(&m->vfs, "/sys", &sys_fs, m);
}
