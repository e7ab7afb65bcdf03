/*
 * exec: execve(2), after Linux's fs/exec.c.  The new image is built in a new
 * address space first; only when it has loaded does the task give up the
 * old one (so a failed execve returns to the caller intact).  Then the other
 * threads of the process end, close-on-exec descriptors close, caught
 * signals go back to their default action, and the task enters the new
 * program.  The first program of a run is loaded the same way.
 */
#include "sim/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mmu/uaccess.h"
#include "sim/exit.h"
#include "sim/loader.h"
#include "sim/sched.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define PATH_MAX_GUEST 4096
#define MAX_ARG_STRINGS 0x7fffffff
#define ARG_MAX_BYTES (UINT64_C(2) << 20)

/* A NULL-terminated guest array of strings, or NULL with *err set. */
static GPtrArray *copy_strings(struct task *t, uint64_t uarray, long *err)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	uint64_t total = 0;

	*err = 0;
	for (uint64_t i = 0; uarray; i++) {
		uint64_t ptr;
		char *s = g_malloc(PATH_MAX_GUEST * 32);
		long len;

		if (copy_from_user(t->mm, &ptr, uarray + i * 8, sizeof(ptr))) {
			*err = -EFAULT;
		} else if (ptr) {
			len = strncpy_from_user(t->mm, s, ptr, PATH_MAX_GUEST * 32);
			*err = len < 0 ? (len == -ENAMETOOLONG ? -E2BIG : len) : 0;
			total += (uint64_t)len + 1;
			if (!*err && total > ARG_MAX_BYTES)
				*err = -E2BIG;
		}
		if (*err || !ptr) {
			g_free(s);
			break;
		}
		g_ptr_array_add(v, g_realloc(s, strlen(s) + 1));
	}
	if (*err) {
		g_ptr_array_free(v, TRUE);
		return NULL;
	}
	g_ptr_array_add(v, NULL);
	return v;
}

/* The file to run, a host file (the loader checks what it is): its host
 * descriptor (a duplicate) or -errno, and the guest path it was found at
 * (the end of the links: /proc/self/exe is the running program's own). */
static int open_program(struct machine *m, struct task *t, const char *path, char **guest_path)
{
	char *joined = vfs_join(t->fs->cwd, path);
	struct file *f;
	int fd = vfs_open(&m->vfs, t, joined, O_RDONLY, 0, &f);

	g_free(joined);
	if (fd)
		return fd;
	fd = file_host_fd(f) < 0 ? -EACCES : fcntl(file_host_fd(f), F_DUPFD_CLOEXEC, 3);
	if (fd >= 0)
		*guest_path = g_strdup(f->path);
	file_put(f);
	return fd;
}

/* The parts of the task exec replaces or resets, once the image is loaded. */
static void flush_old_exec(struct machine *m, struct task *t, struct mm *mm)
{
	struct sighand *sh;

	for (GList *l = t->proc->threads, *next; l; l = next) {
		next = l->next;
		if (l->data != t)
			do_exit(m, l->data);
	}
	task_exec_mm(t, mm);
	if (t->files->refs > 1) {
		struct files_struct *own = files_copy(t->files);

		files_put(t->files);
		t->files = own;
	}
	for (int fd = 0; fd < FD_MAX; fd++)
		if (t->files->fdt.cloexec[fd])
			fd_close(&t->files->fdt, fd);
	sh = sighand_copy(t->sighand);
	sighand_put(t->sighand);
	t->sighand = sh;
	for (int sig = 1; sig <= G_NSIG; sig++)
		if (sh->action[sig].handler != G_SIG_IGN)
			sh->action[sig] = (struct guest_sigaction){ 0 };
	t->altstack_sp = t->altstack_size = 0;
	t->clear_child_tid = t->robust_list = t->rseq = 0;
	if (t->vfork_parent) {
		sched_wake(m, t->vfork_parent);
		t->vfork_parent = NULL;
	}
}

int load_program(struct machine *m, const struct program *prog, struct mm **out,
		 struct exec_image *image, GString *error)
{
	uint8_t random16[16];
	int err;

	for (size_t i = 0; i < sizeof(random16); i++)
		random16[i] = (uint8_t)g_rand_int_range(m->rand, 0, 256);
	err = machine_new_mm(m, out);
	if (err) {
		g_string_printf(error, "%s: out of simulated memory while creating the address space",
				prog->name);
		return err;
	}
	err = load_elf(*out, &(struct exec_args){ prog->fd, prog->name, prog->execfn, prog->argv,
						 prog->envp, random16 }, image, error);
	if (err)
		g_clear_pointer(out, mmput);
	return err;
}

SYSCALL(execve)
{
	char path[PATH_MAX_GUEST], *guest_path = NULL;
	long len = strncpy_from_user(t->mm, path, a[0], sizeof(path)), err;
	GPtrArray *argv = NULL, *envp = NULL;
	GString *error = g_string_new(NULL);
	struct exec_image image;
	struct mm *mm = NULL;
	int fd = -1;

	if (len <= 0) {
		err = len ? len : -ENOENT;	/* "" names nothing */
		goto out;
	}
	argv = copy_strings(t, a[1], &err);
	if (!err)
		envp = copy_strings(t, a[2], &err);
	if (!err)
		err = fd = open_program(m, t, path, &guest_path);
	if (err < 0)
		goto out;
	err = load_program(m, &(struct program){ fd, guest_path, guest_path, (char *const *)argv->pdata,
						 (char *const *)envp->pdata }, &mm, &image, error);
	if (err) {
		/* The guest sees ENOEXEC & co.; the reason goes to mmusim's log. */
		if (err == -ENOEXEC)
			machine_warn_once(m, guest_path, "execve: %s", error->str);
		goto out;
	}
	flush_old_exec(m, t, mm);
	mmput(mm);
	process_set_exe(t->proc, guest_path);
	m->sched.execs++;
	cpu_context_init_user(m->cpu, t->ctx, image.entry, image.sp);
	cpu_load_context(m->cpu, t->ctx, t->mm);
	err = SYSCALL_NORETURN;
out:
	if (fd >= 0)
		close(fd);
	g_free(guest_path);
	if (argv)
		g_ptr_array_free(argv, TRUE);
	if (envp)
		g_ptr_array_free(envp, TRUE);
	g_string_free(error, TRUE);
	return err;
}

const struct syscall_desc exec_syscalls[] = {
	SYSCALL_DESC(221, execve, "spp"),
	{ 0 }
};
