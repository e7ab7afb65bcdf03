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
#include <sys/stat.h>
#include <unistd.h>

#include "mmu/uaccess.h"
#include "sim/binfmt_script.h"
#include "sim/exit.h"
#include "sim/loader.h"
#include "sim/permission.h"
#include "sim/posix_timer.h"
#include "sim/record.h"
#include "sim/sched.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define PATH_MAX_GUEST 4096
#define MAX_ARG_STRINGS 0x7fffffff
#define ARG_MAX_BYTES (UINT64_C(2) << 20)
#define MAX_INTERP_DEPTH 5	/* interpreters of interpreters (exec_binprm) */

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

/* The file execve runs: a host descriptor, the name it was asked by (for
 * messages, and the script's name in an interpreter's argv) and its guest
 * path (the end of the links: /proc/self/exe is the running program's). */
struct binary {
	int fd;
	char *name;
	char *exe;
};

static void binary_clear(struct binary *bin)
{
	if (bin->fd >= 0)
		close(bin->fd);
	bin->fd = -1;
	g_clear_pointer(&bin->name, g_free);
	g_clear_pointer(&bin->exe, g_free);
}

/* Open the guest path `path` (from t's working directory) to run it. */
static int open_program(struct machine *m, struct task *t, const char *path, struct binary *bin)
{
	char *joined = vfs_join(t->fs->cwd, path);
	struct file *f;
	int fd = vfs_open(&m->vfs, t, joined, O_RDONLY, 0, &f);

	g_free(joined);
	if (fd)
		return fd;
	/* Root's rule, some x bit, is the loader's and check_executable's. */
	fd = permission_bypassed(&t->cred) ? 0 : file_permission(&t->cred, f, MAY_EXEC);
	if (!fd)
		fd = file_host_fd(f) < 0 ? -EACCES : fcntl(file_host_fd(f), F_DUPFD_CLOEXEC, 3);
	if (fd >= 0) {
		bin->fd = fd;
		bin->name = g_strdup(path);
		bin->exe = g_canonicalize_filename(f->path, "/");
	}
	file_put(f);
	return fd < 0 ? fd : 0;
}

/* A file execve may run at all: regular, with an execute bit (root may
 * run a file with any). */
static int check_executable(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EACCES;
	return st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH) ? 0 : -EACCES;
}

/* argv for the interpreter: its name, its argument, the script's name (in
 * place of argv[0]), the rest. */
static void splice_interpreter(GPtrArray *argv, const char *interp, const char *arg, const char *script)
{
	if (argv->len > 1)	/* the last element is the NULL */
		g_ptr_array_remove_index(argv, 0);
	g_ptr_array_insert(argv, 0, g_strdup(script));
	if (arg)
		g_ptr_array_insert(argv, 0, g_strdup(arg));
	g_ptr_array_insert(argv, 0, g_strdup(interp));
}

/* Replace a "#!" script `bin` by its interpreter, looked up in the guest's
 * file system, as many times as it takes (Linux's exec_binprm: the fifth
 * interpreter may not be a script again: ELOOP); anything else is left to
 * the ELF loader.  Returns how many scripts there were, or -errno with
 * `error` saying why, naming the script. */
static int follow_scripts(struct machine *m, struct task *t, struct binary *bin, GPtrArray *argv,
			  GString *error)
{
	for (int depth = 0;;) {
		char buf[BINPRM_BUF_SIZE] = { 0 }, *interp, *arg, *script;
		int err;

		if (pread(bin->fd, buf, sizeof(buf), 0) < 2 || buf[0] != '#' || buf[1] != '!')
			return depth;
		err = check_executable(bin->fd);
		if (!err)
			err = script_parse(buf, &interp, &arg);
		if (err) {
			g_string_printf(error, "%s: %s", bin->name, err == -ENOEXEC ? "a bad #! line"
				       : "no execute permission");
			return err;
		}
		splice_interpreter(argv, interp, arg, bin->name);
		script = g_strdup(bin->name);
		binary_clear(bin);
		err = open_program(m, t, interp, bin);
		if (err)
			g_string_printf(error, "%s: interpreter %s: %s", script, interp, g_strerror(-err));
		else if (++depth > MAX_INTERP_DEPTH)
			g_string_printf(error, "%s: %s", script, g_strerror(ELOOP));
		g_free(script);
		g_free(interp);
		g_free(arg);
		if (err || depth > MAX_INTERP_DEPTH)
			return err ? err : -ELOOP;
	}
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
	machine_release_task(m, t);
	mm_inherit_flags(mm, t->mm);
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
	cred_exec(&t->cred);
	t->proc->dumpable = true;
	t->proc->membarrier = 0;	/* registrations belong to the old mm */
	exit_posix_timers(m, t->proc);	/* setitimer's stay */
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
	char path[PATH_MAX_GUEST];
	long len = strncpy_from_user(t->mm, path, a[0], sizeof(path)), err;
	GPtrArray *argv = NULL, *envp = NULL;
	GString *error = g_string_new(NULL);
	struct binary bin = { .fd = -1 };
	struct exec_image image;
	struct mm *mm = NULL;

	if (len <= 0) {
		err = len ? len : -ENOENT;	/* "" names nothing */
		goto out;
	}
	argv = copy_strings(t, a[1], &err);
	if (!err)
		envp = copy_strings(t, a[2], &err);
	if (!err)
		err = open_program(m, t, path, &bin);
	if (!err)
		err = follow_scripts(m, t, &bin, argv, error);
	if (err < 0)
		goto out;
	err = 0;
	err = load_program(m, &(struct program){ bin.fd, bin.exe, bin.exe, (char *const *)argv->pdata,
						 (char *const *)envp->pdata }, &mm, &image, error);
	if (err) {
		/* The guest sees ENOEXEC & co.; the reason goes to mmusim's log. */
		if (err == -ENOEXEC)
			machine_warn_once(m, bin.exe, "execve: %s", error->str);
		goto out;
	}
	recorder_mm_op(m->recorder, TRACE_EXEC, (uint64_t[]){ t->mm->id, mm->id });
	flush_old_exec(m, t, mm);
	mmput(mm);
	process_set_exe(t->proc, bin.exe);
	m->sched.execs++;
	cpu_context_init_user(m->cpu, t->ctx, image.entry, image.sp);
	cpu_load_context(m->cpu, t->ctx, t->mm);
	err = SYSCALL_NORETURN;
out:
	binary_clear(&bin);
	if (argv)
		g_ptr_array_free(argv, TRUE);
	if (envp)
		g_ptr_array_free(envp, TRUE);
	g_string_free(error, TRUE);
	return err;
}

/* The guest's name for the program at host path `path` outside the guest's
 * file system: its absolute path below the root, or its absolute host path
 * when it lies outside the root (as Linux names a file beyond a chroot). */
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
		exe = g_strdup(abs);
	g_free(abs);
	g_free(root);
	g_free(cwd);
	return exe;
}

/* PROGRAM as a host path, for a program outside --root. */
static int open_host_program(struct machine *m, const char *path, struct binary *bin)
{
	bin->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (bin->fd < 0)
		return -errno;
	bin->name = g_strdup(path);
	bin->exe = guest_exe_path(m, path);
	return 0;
}

int exec_first_program(struct machine *m, struct task *t, char *const *argv, char *const *envp,
		       struct exec_image *image, GString *error)
{
	GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
	struct binary bin = { .fd = -1 };
	struct mm *mm = NULL;
	int err, scripts = 0;

	for (int i = 0; argv[i]; i++)
		g_ptr_array_add(args, g_strdup(argv[i]));
	g_ptr_array_add(args, NULL);
	err = open_program(m, t, argv[0], &bin);
	if (err == -ENOENT && strcmp(m->opt.root, "/"))
		err = open_host_program(m, argv[0], &bin);
	if (err)
		g_string_printf(error, "%s: %s", argv[0], g_strerror(-err));
	else
		err = scripts = follow_scripts(m, t, &bin, args, error);
	if (err >= 0) {
		err = load_program(m, &(struct program){ bin.fd, bin.name, bin.exe, (char *const *)args->pdata,
							 envp }, &mm, image, error);
		if (err && scripts) {
			char *script = g_strdup_printf("%s: interpreter ", argv[0]);

			g_string_prepend(error, script);
			g_free(script);
		}
	}
	if (!err) {
		task_exec_mm(t, mm);
		mmput(mm);
		process_set_exe(t->proc, bin.exe);
	}
	binary_clear(&bin);
	g_ptr_array_free(args, TRUE);
	return err;
}

const struct syscall_desc exec_syscalls[] = {
	SYSCALL_DESC(221, execve, "spp"),
	{ 0 }
};
