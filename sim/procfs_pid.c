/*
 * procfs_pid: the text of a process's files in the guest's /proc (status,
 * stat, statm, cmdline, environ, comm, fdinfo/N) and its memory as a file
 * (mem), all from the simulated process.  The layouts are Linux 6.x's
 * (fs/proc/array.c, base.c, fd.c).  What mmusim does not keep is shown as
 * Linux shows the quantity being zero or absent: no per-task CPU times,
 * start time or fault counts (0), no recorded peak RSS (VmHWM is the
 * current RSS; VmPeak is the mm's hiwater_vm), no dynamic libraries (VmLib 0: every
 * executable VMA is the program's, VmExe).  The guest runs as root with
 * every capability; every simulated CPU is allowed.
 */
#include <errno.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/statfs.h>

#include "mmu/pagewalk.h"
#include "mmu/uaccess.h"
#include "sim/abi.h"
#include "sim/procfs_internal.h"

#define KB(bytes) ((bytes) >> 10)

/* Address-space sizes by kind, as Linux's vm_stat_account() counts them
 * (bytes). */
struct vm_counts {
	uint64_t total, data, stack, exec;
	uint64_t locked;	/* VM_LOCKED mappings: Linux's locked_vm */
	uint64_t start_code, end_code;
};

static void count_vm(struct mm *mm, struct vm_counts *c)
{
	*c = (struct vm_counts){ 0 };
	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		uint64_t size = vma->end - vma->start;

		c->total += size;
		if (vma->flags & VM_LOCKED)
			c->locked += size;
		if (vma->flags & VM_GROWSDOWN) {
			c->stack += size;
		} else if ((vma->prot & (VM_EXEC | VM_WRITE)) == VM_EXEC) {
			c->exec += size;
			c->start_code = c->start_code ? c->start_code : vma->start;
			c->end_code = vma->end;
		} else if ((vma->prot & VM_WRITE) && !(vma->flags & VM_SHARED)) {
			c->data += size;
		}
	}
}

static int live_threads(const struct process *proc)
{
	int n = 0;

	for (GList *l = proc->threads; l; l = l->next)
		n += ((struct task *)l->data)->state != TASK_DEAD;
	return n;
}

static int parent_pid(const struct process *proc)
{
	return proc->parent ? proc->parent->pid : 1;	/* as getppid() answers */
}

static char state_letter(const struct task *t)
{
	return t->state == TASK_BLOCKED ? 'S' : 'R';
}

/* Ignored and caught signals (bit signo-1). */
static void signal_dispositions(const struct task *t, uint64_t *ignored, uint64_t *caught)
{
	*ignored = *caught = 0;
	for (int sig = 1; sig <= G_NSIG; sig++) {
		uint64_t handler = t->sighand->action[sig].handler;

		if (handler == G_SIG_IGN)
			*ignored |= UINT64_C(1) << (sig - 1);
		else if (handler > G_SIG_IGN)
			*caught |= UINT64_C(1) << (sig - 1);
	}
}

/* A mask of the first `n` CPUs as Linux's %*pb prints it: hex, in groups
 * of 32 bits separated by commas, the first group as wide as needed. */
static void print_cpu_mask(GString *out, int n)
{
	for (int group = (n - 1) / 32; group >= 0; group--) {
		int bits = MIN(32, n - group * 32);
		uint32_t mask = bits == 32 ? UINT32_MAX : (UINT32_C(1) << bits) - 1;

		if (group == (n - 1) / 32)
			g_string_append_printf(out, "%0*x", (bits + 3) / 4, mask);
		else
			g_string_append_printf(out, ",%08x", mask);
	}
}

static void put_kb(GString *out, const char *name, uint64_t bytes)
{
	g_string_append_printf(out, "%s:\t%8" G_GUINT64_FORMAT " kB\n", name, KB(bytes));
}

/* The ids of thread `tid` of `proc` with credentials `c`, Tgid to Kthread;
 * `fdsize` descriptors. */
static void status_ids(struct process *proc, int tid, const struct cred *c, int fdsize, GString *out)
{
	g_string_append_printf(out, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", proc->pid,
			       tid, parent_pid(proc));
	g_string_append_printf(out, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid,
			       c->suid, c->fsuid, c->gid, c->egid, c->sgid, c->fsgid);
	g_string_append_printf(out, "FDSize:\t%d\nGroups:\t", fdsize);
	for (int i = 0; c->groups && i < c->groups->ngroups; i++)
		g_string_append_printf(out, "%s%u", i ? " " : "", c->groups->gid[i]);
	g_string_append(out, " \n");	/* Linux's trailing space */
	g_string_append_printf(out, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", proc->pid,
			       tid, proc->pgid, proc->sid);
}

static void status_memory(struct task *t, GString *out)
{
	struct mem_size_stats mss = { 0 };
	struct vm_counts vm;

	count_vm(t->mm, &vm);
	smap_gather_mm(t->mm, &mss);
	put_kb(out, "VmPeak", t->mm->hiwater_vm);
	put_kb(out, "VmSize", vm.total);
	put_kb(out, "VmLck", vm.locked);
	put_kb(out, "VmPin", 0);
	put_kb(out, "VmHWM", mss.resident);
	put_kb(out, "VmRSS", mss.resident);
	put_kb(out, "RssAnon", mss.anonymous);
	put_kb(out, "RssFile", mss.file_rss);
	put_kb(out, "RssShmem", mss.shmem_rss);
	put_kb(out, "VmData", vm.data);
	put_kb(out, "VmStk", vm.stack);
	put_kb(out, "VmExe", vm.exec);
	put_kb(out, "VmLib", 0);
	put_kb(out, "VmPTE", mm_own_pgtable_pages(t->mm) * PAGE_SIZE);
	put_kb(out, "VmSwap", 0);
	put_kb(out, "HugetlbPages", 0);
	g_string_append(out, "CoreDumping:\t0\nTHP_enabled:\t0\nuntag_mask:\t0xffffffffffffffff\n");
}

static void status_signals(struct task *t, GString *out)
{
	uint64_t ignored, caught;

	signal_dispositions(t, &ignored, &caught);
	g_string_append_printf(out, "Threads:\t%d\n", live_threads(t->proc));
	g_string_append_printf(out, "SigQ:\t%d/%" G_GUINT64_FORMAT "\n",
			       __builtin_popcountll(t->pending.set | t->proc->shared_pending.set),
			       t->proc->rlimits[11].cur);	/* RLIMIT_SIGPENDING */
	g_string_append_printf(out, "SigPnd:\t%016" G_GINT64_MODIFIER "x\nShdPnd:\t%016" G_GINT64_MODIFIER "x\n",
			       t->pending.set, t->proc->shared_pending.set);
	g_string_append_printf(out, "SigBlk:\t%016" G_GINT64_MODIFIER "x\nSigIgn:\t%016" G_GINT64_MODIFIER
			       "x\nSigCgt:\t%016" G_GINT64_MODIFIER "x\n", t->blocked, ignored, caught);
}

/* Every capability Linux 6.x has (CAP_LAST_CAP 40). */
#define ALL_CAPS "000001ffffffffff"

/* Capabilities to Mems_allowed_list. */
static void status_caps(struct machine *m, const struct cred *c, int no_new_privs, GString *out)
{
	g_string_append_printf(out, "CapInh:\t%016" G_GINT64_MODIFIER "x\nCapPrm:\t%016" G_GINT64_MODIFIER
			       "x\nCapEff:\t%016" G_GINT64_MODIFIER "x\nCapBnd:\t" ALL_CAPS
			       "\nCapAmb:\t0000000000000000\n", c->cap_inheritable, c->cap_permitted,
			       c->cap_effective);
	g_string_append_printf(out, "NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", no_new_privs);
	g_string_append(out, "Cpus_allowed:\t");
	print_cpu_mask(out, m->opt.cpus);
	g_string_append_printf(out, "\nCpus_allowed_list:\t0");
	if (m->opt.cpus > 1)
		g_string_append_printf(out, "-%d", m->opt.cpus - 1);
	g_string_append(out, "\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
}

int proc_pid_status(struct machine *m, struct task *t, GString *out)
{
	g_string_append_printf(out, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\n", t->proc->comm, t->fs->umask,
			       state_letter(t), t->state == TASK_BLOCKED ? "sleeping" : "running");
	status_ids(t->proc, t->tid, &t->cred, FD_MAX, out);
	status_memory(t, out);
	status_signals(t, out);
	status_caps(m, &t->cred, t->no_new_privs, out);
	return 0;
}

/* A zombie (every thread gone, not reaped): what Linux shows of a task
 * with no mm, files, fs or signal handlers left; its ids are its last
 * thread's, kept by the process. */
int proc_zombie_status(struct machine *m, struct process *proc, GString *out)
{
	g_string_append_printf(out, "Name:\t%s\nState:\tZ (zombie)\n", proc->comm);
	status_ids(proc, proc->pid, &proc->cred, 0, out);
	g_string_append_printf(out, "Threads:\t1\nSigQ:\t%d/%" G_GUINT64_FORMAT "\n",
			       __builtin_popcountll(proc->shared_pending.set), proc->rlimits[11].cur);
	g_string_append_printf(out, "SigPnd:\t0000000000000000\nShdPnd:\t%016" G_GINT64_MODIFIER "x\n",
			       proc->shared_pending.set);
	g_string_append(out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
			     "SigCgt:\t0000000000000000\n");
	status_caps(m, &proc->cred, 0, out);
	return 0;
}

/* The signal fields of stat are obsolete: Linux shows 31 bits. */
#define OLD_SIGNALS UINT64_C(0x7fffffff)

/* USER_HZ: stat counts CPU time in 1/100 s (sim/itimer.c's times(2) too). */
#define NSEC_PER_TICK	10000000

/* One line of 52 fields (man 5 proc_pid_stat): minflt of the address
 * space, CPU times of the process and its reaped children, the nice
 * value; the fields mmusim does not keep (majflt, starttime...) are 0. */
int proc_pid_stat(struct machine *m, struct task *t, GString *out)
{
	struct process *proc = t->proc;
	struct mem_size_stats mss = { 0 };
	struct vm_counts vm;
	uint64_t ignored, caught;
	struct mm *mm = t->mm;

	count_vm(mm, &vm);
	smap_gather_mm(mm, &mss);
	signal_dispositions(t, &ignored, &caught);
	g_string_append_printf(out, "%d (%s) %c %d %d %d 0 -1 0 %" G_GUINT64_FORMAT " 0 0 0 %" G_GUINT64_FORMAT
			       " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %d %d %d 0 0 ",
			       proc->pid, proc->comm, state_letter(t), parent_pid(proc), proc->pgid, proc->sid,
			       mm->min_flt, proc->utime / NSEC_PER_TICK, proc->stime / NSEC_PER_TICK,
			       proc->cutime / NSEC_PER_TICK, proc->cstime / NSEC_PER_TICK, 20 + t->nice, t->nice,
			       live_threads(proc));
	g_string_append_printf(out, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			       " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " 0 0 ",
			       vm.total, mss.resident / PAGE_SIZE, proc->rlimits[5].cur,	/* RLIMIT_RSS */
			       vm.start_code, vm.end_code, UINT64_C(0));
	g_string_append_printf(out, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			       " %" G_GUINT64_FORMAT " 0 0 0 %d %d 0 0 0 0 0 0 0 %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
			       (t->pending.set | proc->shared_pending.set) & OLD_SIGNALS, t->blocked & OLD_SIGNALS,
			       ignored & OLD_SIGNALS, caught & OLD_SIGNALS,
			       proc->exit_signal, t->cpu, mm->start_brk, mm->arg_start);
	g_string_append_printf(out, " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " 0\n",
			       mm->arg_end, mm->env_start, mm->env_end);
	return 0;
}

/* A zombie's stat: state Z, no memory, its times, one thread, waiting
 * (wchan 1) and its wait status as exit_code; what went with its threads
 * (minflt, nice, the CPU) reads as 0. */
int proc_zombie_stat(struct machine *m, struct process *proc, GString *out)
{
	g_string_append_printf(out, "%d (%s) Z %d %d %d 0 -1 0 0 0 0 0 %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			       " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " 20 0 1 0 0 0 0 %" G_GUINT64_FORMAT,
			       proc->pid, proc->comm, parent_pid(proc), proc->pgid, proc->sid,
			       proc->utime / NSEC_PER_TICK, proc->stime / NSEC_PER_TICK,
			       proc->cutime / NSEC_PER_TICK, proc->cstime / NSEC_PER_TICK, proc->rlimits[5].cur);
	g_string_append_printf(out, " 0 0 0 0 0 0 0 0 0 1 0 0 %d 0 0 0 0 0 0 0 0 0 0 0 0 0 %d\n",
			       proc->exit_signal, proc->wait_status);
	return 0;
}

/* Pages: size resident shared text lib data dt (man 5 proc_pid_statm). */
int proc_pid_statm(struct machine *m, struct task *t, GString *out)
{
	struct mem_size_stats mss = { 0 };
	struct vm_counts vm;

	count_vm(t->mm, &vm);
	smap_gather_mm(t->mm, &mss);
	g_string_append_printf(out, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			       " %" G_GUINT64_FORMAT " 0 %" G_GUINT64_FORMAT " 0\n",
			       vm.total / PAGE_SIZE, mss.resident / PAGE_SIZE,
			       (mss.file_rss + mss.shmem_rss) / PAGE_SIZE, vm.exec / PAGE_SIZE,
			       (vm.data + vm.stack) / PAGE_SIZE);
	return 0;
}

/* Strings the process left in its memory, [start, end). */
static int copy_strings(struct task *t, uint64_t start, uint64_t end, GString *out)
{
	if (end <= start)
		return 0;
	g_string_set_size(out, (gsize)(end - start));
	return copy_from_user(t->mm, out->str, start, (size_t)(end - start)) ? -EFAULT : 0;
}

int proc_pid_cmdline(struct machine *m, struct task *t, GString *out)
{
	return copy_strings(t, t->mm->arg_start, t->mm->arg_end, out);
}

int proc_pid_environ(struct machine *m, struct task *t, GString *out)
{
	return copy_strings(t, t->mm->env_start, t->mm->env_end, out);
}

int proc_pid_comm(struct machine *m, struct task *t, GString *out)
{
	g_string_append_printf(out, "%s\n", t->proc->comm);
	return 0;
}

/* pos, flags (the guest's O_* values, octal, O_CLOEXEC from the
 * descriptor) and inode, as Linux's seq_show() starts. */
int proc_fdinfo(struct task *t, int fd, GString *out)
{
	struct file *f = fd_get(&t->files->fdt, fd);
	struct statx stx = { 0 };
	int flags;

	if (!f)
		return -ENOENT;
	flags = host_open_flags_to_guest(f->f_flags) | (t->files->fdt.cloexec[fd] ? G_O_CLOEXEC : 0);
	f->f_op->getattr(f, &stx);
	g_string_append_printf(out, "pos:\t%" G_GINT64_FORMAT "\nflags:\t0%o\nino:\t%" G_GUINT64_FORMAT "\n",
			       f->f_pos, (unsigned)flags, (uint64_t)stx.stx_ino);
	return 0;
}

/* mem: page by page, as Linux's mem_rw(): a short count at the first page
 * that cannot be had, EIO if it is the first; writes are forced into
 * read-only private pages (FOLL_FORCE, as a kernel with the default
 * proc_mem.force_override=always). */
long proc_mem_rw(struct task *t, void *buf, size_t len, uint64_t addr, bool write)
{
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done;
		size_t chunk = MIN(len - done, PAGE_SIZE - (at & ~PAGE_MASK));
		char *p = (char *)buf + done;

		if (at >= TASK_SIZE || access_remote_vm(t->mm, at, p, chunk, write))
			break;
		done += chunk;
	}
	return done || !len ? (long)done : -EIO;
}

/* The type Linux would name for the host file system under --root (its
 * magic number), for /proc/PID/mounts. */
static const char *root_fs_type(int root_fd)
{
	static const struct { long magic; const char *name; } types[] = {
		{ EXT4_SUPER_MAGIC, "ext4" }, { TMPFS_MAGIC, "tmpfs" }, { XFS_SUPER_MAGIC, "xfs" },
		{ BTRFS_SUPER_MAGIC, "btrfs" }, { OVERLAYFS_SUPER_MAGIC, "overlay" },
	};
	struct statfs sfs;

	if (fstatfs(root_fd, &sfs) == 0)
		for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
			if (sfs.f_type == types[i].magic)
				return types[i].name;
	return "rootfs";
}

/* A mount point as mounts shows it: space, tab, newline and backslash as
 * octal escapes (Linux's mangle). */
static void put_mangled(GString *out, const char *path)
{
	for (const char *c = path; *c; c++) {
		if (strchr(" \t\n\\", *c))
			g_string_append_printf(out, "\\%03o", (unsigned char)*c);
		else
			g_string_append_c(out, *c);
	}
}

/* mounts: the root (the --root directory, rw with --writable), then
 * mmusim's mounts in the order they were made (/proc, /sys, --tmpfs), in
 * Linux's show_vfsmnt layout: source, point, type, options, "0 0". */
int proc_pid_mounts(struct machine *m, struct task *t, GString *out)
{
	(void)t;
	g_string_append_printf(out, "/dev/root / %s %s,relatime 0 0\n", root_fs_type(m->vfs.root_fd),
			       m->vfs.writable ? "rw" : "ro");
	for (guint i = 0; i < m->vfs.mounts->len; i++) {
		const struct vfs_mount *mnt = g_ptr_array_index(m->vfs.mounts, i);
		const char *type = mnt->type->name;
		bool pseudo = strcmp(type, "tmpfs") != 0;

		g_string_append_printf(out, "%s ", type);
		put_mangled(out, mnt->point);
		g_string_append_printf(out, " %s rw,%srelatime 0 0\n", type, pseudo ? "nosuid,nodev,noexec," : "");
	}
	return 0;
}
