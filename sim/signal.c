/*
 * signal: generation, delivery and the arm64 signal frame, after Linux's
 * kernel/signal.c and arch/arm64/kernel/signal.c.
 */
#include "sim/signal.h"

#include <errno.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/crash.h"
#include "sim/exit.h"
#include "sim/posix_timer.h"
#include "sim/sched.h"
#include "sim/syscall.h"

/* struct siginfo: 128 bytes; the union starts at 16. */
struct guest_siginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } chld;
		struct { int32_t pid; uint32_t uid; } kill;
		struct { int32_t tid, overrun; uint64_t value; } timer;
		uint64_t addr;
		struct { uint64_t addr; int16_t addr_lsb; } mce;	/* BUS_MCEERR_AR */
		uint8_t bytes[112];
	};
};
_Static_assert(sizeof(struct guest_siginfo) == 128, "siginfo is 128 bytes");

#define FPSIMD_MAGIC 0x46508001u

struct fpsimd_context {
	uint32_t magic, size;
	uint32_t fpsr, fpcr;
	uint64_t vregs[32][2];
};

/* struct ucontext with struct sigcontext (arch/arm64/include/uapi/asm). */
struct guest_ucontext {
	uint64_t flags, link;
	uint64_t ss_sp;
	int32_t ss_flags, ss_pad;
	uint64_t ss_size;
	uint64_t sigmask;
	uint8_t unused[120];
	uint64_t mc_pad;		/* uc_mcontext is 16-byte aligned */
	uint64_t fault_address;
	uint64_t regs[31];
	uint64_t sp, pc, pstate;
	uint8_t reserved[4096] __attribute__((aligned(16)));
};
_Static_assert(offsetof(struct guest_ucontext, fault_address) == 176, "uc_mcontext at 176");
_Static_assert(offsetof(struct guest_ucontext, reserved) == 464, "__reserved at 464");

struct rt_sigframe {
	struct guest_siginfo info;
	struct guest_ucontext uc;
};

#define G_SS_ONSTACK 1
#define G_SS_DISABLE 2
#define G_MINSIGSTKSZ 5120

int dequeue_signal(struct task *t, uint64_t allowed, struct sig_info *info)
{
	struct sigpending *queues[2] = { &t->pending, &t->proc->shared_pending };

	for (int q = 0; q < 2; q++) {
		uint64_t set = queues[q]->set & allowed;

		if (set) {
			int sig = __builtin_ctzll(set) + 1;

			queues[q]->set &= ~sigmask_of(sig);
			*info = queues[q]->info[sig];
			if (info->code == G_SI_TIMER)
				posix_timer_delivered(t->proc, info);
			return sig;
		}
	}
	return 0;
}

void kill_process_by_signal(struct machine *m, struct process *p, int signo)
{
	bool core = sig_default_action(signo) == SIG_CORE;

	do_group_exit(m, p, signo | (core ? 0x80 : 0));
}

static void to_guest_siginfo(const struct sig_info *info, struct guest_siginfo *gi)
{
	memset(gi, 0, sizeof(*gi));
	gi->signo = info->signo;
	gi->code = info->code;
	if (info->fault) {
		gi->addr = info->addr;
		if (info->signo == G_SIGBUS && info->code == G_BUS_MCEERR_AR)
			gi->mce.addr_lsb = PAGE_SHIFT;	/* one page lost */
	} else if (info->code == G_SI_TIMER) {
		gi->timer.tid = info->timerid;
		gi->timer.overrun = info->overrun;
		gi->timer.value = info->value;
	} else if (info->signo == G_SIGCHLD) {
		gi->chld.pid = info->pid;
		gi->chld.uid = (uint32_t)info->uid;
		gi->chld.status = info->status;
	} else {
		gi->kill.pid = info->pid;
		gi->kill.uid = (uint32_t)info->uid;
	}
}

static bool on_altstack(const struct task *t, uint64_t sp)
{
	return t->altstack_size && sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
}

/* Fill the frame with the interrupted state of the (loaded) task. */
static void save_state(struct machine *m, struct task *t, struct rt_sigframe *f, uint64_t sp,
		       uint64_t pc)
{
	struct fpsimd_context *fp = (struct fpsimd_context *)f->uc.reserved;
	struct cpu_fpsimd state;

	for (int r = 0; r <= 30; r++)
		f->uc.regs[r] = cpu_reg(m->cpu, r);
	f->uc.sp = sp;
	f->uc.pc = pc;
	f->uc.pstate = cpu_reg(m->cpu, CPU_REG_NZCV);
	f->uc.sigmask = t->sigsuspended ? t->saved_sigmask : t->blocked;
	f->uc.ss_sp = t->altstack_sp;
	f->uc.ss_size = t->altstack_size;
	f->uc.ss_flags = t->altstack_size ? (on_altstack(t, sp) ? G_SS_ONSTACK : 0) : G_SS_DISABLE;
	cpu_get_fpsimd(m->cpu, &state);
	fp->magic = FPSIMD_MAGIC;
	fp->size = sizeof(*fp);
	fp->fpsr = state.fpsr;
	fp->fpcr = state.fpcr;
	memcpy(fp->vregs, state.vregs, sizeof(fp->vregs));
	/* an all-zero record after it ends the list */
}

static void account_delivery(struct machine *m)
{
	struct event_cost ev = { 0 };

	event_charge(&ev, &m->profile, COST_SIGNAL_DELIVERY, 1);
	agent_account(machine_agent(m), "signal", &ev);
}

/* Enter the handler for `sig`; false if the frame could not be written
 * (the task then dies of SIGSEGV, as in Linux). */
static bool setup_frame(struct machine *m, struct task *t, int sig, const struct sig_info *info)
{
	struct guest_sigaction *act = &t->sighand->action[sig];
	uint64_t sp = cpu_reg(m->cpu, CPU_REG_SP), pc = cpu_reg(m->cpu, CPU_REG_PC);
	struct rt_sigframe *f = g_new0(struct rt_sigframe, 1);
	uint64_t record[2], frame, next;
	bool ok;

	if (t->wait.state == WAIT_RESTART) {
		t->wait.state = WAIT_RUNNING;
		if (act->flags & G_SA_RESTART) {
			pc -= 4;	/* back to the svc */
			cpu_set_reg(m->cpu, 0, t->syscall_args[0]);
		} else {
			cpu_set_reg(m->cpu, 0, (uint64_t)-EINTR);
		}
	}
	if ((act->flags & G_SA_ONSTACK) && t->altstack_size && !on_altstack(t, sp))
		sp = t->altstack_sp + t->altstack_size;
	next = (sp - sizeof(record)) & ~UINT64_C(15);	/* frame record: fp, lr */
	frame = (next - sizeof(*f)) & ~UINT64_C(15);
	to_guest_siginfo(info, &f->info);
	save_state(m, t, f, cpu_reg(m->cpu, CPU_REG_SP), pc);
	f->uc.fault_address = info->fault ? info->addr : 0;
	record[0] = f->uc.regs[29];
	record[1] = f->uc.regs[30];
	ok = !copy_to_user(t->mm, frame, f, sizeof(*f)) && !copy_to_user(t->mm, next, record, sizeof(record));
	g_free(f);
	if (!ok)
		return false;
	cpu_set_reg(m->cpu, 0, (uint64_t)sig);
	cpu_set_reg(m->cpu, 1, frame + offsetof(struct rt_sigframe, info));
	cpu_set_reg(m->cpu, 2, frame + offsetof(struct rt_sigframe, uc));
	cpu_set_reg(m->cpu, 29, next);
	cpu_set_reg(m->cpu, 30, act->flags & G_SA_RESTORER ? act->restorer : SIGRETURN_VA);
	cpu_set_reg(m->cpu, CPU_REG_SP, frame);
	cpu_set_reg(m->cpu, CPU_REG_PC, act->handler);
	t->blocked |= act->mask | (act->flags & G_SA_NODEFER ? 0 : sigmask_of(sig));
	t->blocked &= ~(sigmask_of(G_SIGKILL) | sigmask_of(G_SIGSTOP));
	t->sigsuspended = false;
	if (act->flags & G_SA_RESETHAND)
		act->handler = G_SIG_DFL;
	account_delivery(m);
	return true;
}

static void report_and_kill(struct machine *m, struct task *t, int sig, const struct sig_info *info)
{
	/* Faults always get a report; other signals only when they end the
	 * program mmusim started (a shell reports its children's deaths). */
	if (info->fault || t->proc == m->init)
		report_fatal_signal(m, t, sig, info->code, info->addr,
				    info->fault ? NULL : info->pid == t->proc->pid ? "sent by the program itself" : NULL);
	kill_process_by_signal(m, t->proc, sig);
}

void do_signal(struct machine *m, struct task *t)
{
	struct sig_info info;
	int sig;

	while ((sig = dequeue_signal(t, ~t->blocked, &info))) {
		struct guest_sigaction *act = &t->sighand->action[sig];

		if (sig_ignored(t, sig))
			continue;
		if (act->handler == G_SIG_DFL) {
			report_and_kill(m, t, sig, &info);
			return;
		}
		if (!setup_frame(m, t, sig, &info)) {
			struct sig_info segv = { .signo = G_SIGSEGV, .code = G_SI_KERNEL, .fault = true };

			report_and_kill(m, t, G_SIGSEGV, &segv);
		}
		return;
	}
	if (t->sigsuspended) {	/* no handler ran: keep the mask rt_sigsuspend replaced */
		t->blocked = t->saved_sigmask;
		t->sigsuspended = false;
	}
	/* No handler runs: an interrupted call restarts transparently. */
	if (t->wait.state == WAIT_RESTART) {
		t->wait.state = WAIT_RUNNING;
		cpu_set_reg(m->cpu, 0, t->syscall_args[0]);
		cpu_set_reg(m->cpu, CPU_REG_PC, cpu_reg(m->cpu, CPU_REG_PC) - 4);
	}
}

SYSCALL(rt_sigreturn)
{
	uint64_t frame = cpu_reg(m->cpu, CPU_REG_SP);
	struct rt_sigframe *f = g_new(struct rt_sigframe, 1);
	struct fpsimd_context *fp = (struct fpsimd_context *)f->uc.reserved;
	struct cpu_fpsimd state;

	if ((frame & 15) || copy_from_user(t->mm, f, frame, sizeof(*f))) {
		g_free(f);
		force_fault_signal(m, t, G_SIGSEGV, G_SI_KERNEL, 0);
		return SYSCALL_NORETURN;
	}
	for (int r = 0; r <= 30; r++)
		cpu_set_reg(m->cpu, r, f->uc.regs[r]);
	cpu_set_reg(m->cpu, CPU_REG_SP, f->uc.sp);
	cpu_set_reg(m->cpu, CPU_REG_PC, f->uc.pc);
	cpu_set_reg(m->cpu, CPU_REG_NZCV, f->uc.pstate & UINT64_C(0xf0000000));
	if (fp->magic == FPSIMD_MAGIC && fp->size == sizeof(*fp)) {
		memcpy(state.vregs, fp->vregs, sizeof(state.vregs));
		state.fpsr = fp->fpsr;
		state.fpcr = fp->fpcr;
		cpu_set_fpsimd(m->cpu, &state);
	}
	t->blocked = f->uc.sigmask & ~(sigmask_of(G_SIGKILL) | sigmask_of(G_SIGSTOP));
	g_free(f);
	return SYSCALL_NORETURN;
}

SYSCALL(rt_sigaction)
{
	int sig = (int)a[0];
	struct guest_sigaction act;

	if (a[3] != 8 || sig < 1 || sig > G_NSIG)
		return -EINVAL;
	if (a[1] && (sig == G_SIGKILL || sig == G_SIGSTOP))
		return -EINVAL;
	if (a[1] && copy_from_user(t->mm, &act, a[1], sizeof(act)))
		return -EFAULT;
	if (a[2] && copy_to_user(t->mm, a[2], &t->sighand->action[sig], sizeof(act)))
		return -EFAULT;
	if (!a[1])
		return 0;
	t->sighand->action[sig] = act;
	/* Setting SIG_IGN (or a default of ignore) discards what is pending. */
	if (sig_ignored(t, sig)) {
		for (GList *l = t->proc->threads; l; l = l->next)
			((struct task *)l->data)->pending.set &= ~sigmask_of(sig);
		t->proc->shared_pending.set &= ~sigmask_of(sig);
	}
	return 0;
}

#define UNBLOCKABLE (sigmask_of(G_SIGKILL) | sigmask_of(G_SIGSTOP))

SYSCALL(rt_sigprocmask)
{
	uint64_t set, old = t->blocked;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		if (copy_from_user(t->mm, &set, a[1], sizeof(set)))
			return -EFAULT;
		switch (a[0]) {
		case 0: t->blocked |= set; break;	/* SIG_BLOCK */
		case 1: t->blocked &= ~set; break;	/* SIG_UNBLOCK */
		case 2: t->blocked = set; break;	/* SIG_SETMASK */
		default: return -EINVAL;
		}
		t->blocked &= ~UNBLOCKABLE;
	}
	if (a[2] && copy_to_user(t->mm, a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL(rt_sigpending)
{
	uint64_t set = (t->pending.set | t->proc->shared_pending.set) & t->blocked;

	if (a[1] > 8)
		return -EINVAL;
	return copy_to_user(t->mm, a[0], &set, (size_t)a[1]) ? -EFAULT : 0;
}

SYSCALL(rt_sigsuspend)
{
	uint64_t mask;

	if (wait_retrying(&t->wait)) {
		/* Woken: a signal is pending; after its handler the call says EINTR. */
		if (signal_pending(t))
			return -EINTR;
	} else {
		if (a[1] != 8)
			return -EINVAL;
		if (copy_from_user(t->mm, &mask, a[0], sizeof(mask)))
			return -EFAULT;
		t->saved_sigmask = t->blocked;
		t->blocked = mask & ~UNBLOCKABLE;
		t->sigsuspended = true;
		if (signal_pending(t))
			return -EINTR;
	}
	sched_block(m, t, &(struct task_wait){ .what = "rt_sigsuspend", .resume = RESUME_SYSCALL });
	return SYSCALL_BLOCKED;
}

SYSCALL(rt_sigtimedwait)
{
	uint64_t set, wake_at = 0;
	struct guest_timespec ts;
	struct sig_info info;
	struct guest_siginfo gi;
	int sig;

	if (a[3] != 8)
		return -EINVAL;
	if (copy_from_user(t->mm, &set, a[0], sizeof(set)))
		return -EFAULT;
	sig = dequeue_signal(t, set & ~UNBLOCKABLE, &info);
	if (sig) {
		to_guest_siginfo(&info, &gi);
		if (a[1] && copy_to_user(t->mm, a[1], &gi, sizeof(gi)))
			return -EFAULT;
		return sig;
	}
	t->sigwait_set = 0;
	if (t->wait.state == WAIT_TIMED_OUT)
		return -EAGAIN;
	if (wait_retrying(&t->wait) && signal_pending(t))
		return -EINTR;
	if (a[2]) {
		if (copy_from_user(t->mm, &ts, a[2], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		if (!ts.tv_sec && !ts.tv_nsec)
			return -EAGAIN;
		wake_at = machine_now_ns(m) + (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	t->sigwait_set = set;	/* these end the wait even while blocked */
	sched_block(m, t, &(struct task_wait){ .what = "rt_sigtimedwait", .wake_at = wake_at,
					       .resume = RESUME_SYSCALL });
	return SYSCALL_BLOCKED;
}

SYSCALL(sigaltstack)
{
	struct { uint64_t sp; int32_t flags, pad; uint64_t size; } ss, old = {
		t->altstack_sp, t->altstack_size ? (on_altstack(t, cpu_reg(m->cpu, CPU_REG_SP)) ? G_SS_ONSTACK : 0)
						 : G_SS_DISABLE, 0, t->altstack_size };

	if (a[0]) {
		if (copy_from_user(t->mm, &ss, a[0], sizeof(ss)))
			return -EFAULT;
		if (old.flags == G_SS_ONSTACK)
			return -EPERM;
		if (ss.flags & ~G_SS_DISABLE)
			return -EINVAL;
		if (ss.flags & G_SS_DISABLE) {
			t->altstack_sp = t->altstack_size = 0;
		} else {
			if (ss.size < G_MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = ss.sp;
			t->altstack_size = ss.size;
		}
	}
	if (a[1] && copy_to_user(t->mm, a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* The process `pid`, a zombie (not reaped yet) included. */
static struct process *find_process(struct machine *m, int pid)
{
	struct task *t = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(pid));

	if (t && task_is_group_leader(t))
		return t->proc;
	for (GList *l = m->processes; l; l = l->next)
		if (((struct process *)l->data)->pid == pid && ((struct process *)l->data)->zombie)
			return l->data;
	return NULL;
}

static long check_signal(uint64_t sig)
{
	return sig > G_NSIG ? -EINVAL : 0;
}

/* Linux's check_kill_permission() for a signal `t` sends to `target` (a
 * live task): its own process, matching ids (kill_ok_by_cred), CAP_KILL,
 * or SIGCONT within the session; else -EPERM. */
static long check_kill_permission(const struct task *t, const struct task *target, int sig)
{
	const struct cred *c = &t->cred, *tc = &target->cred;

	if (target->proc == t->proc || c->euid == tc->suid || c->euid == tc->uid || c->uid == tc->suid ||
	    c->uid == tc->uid || cred_capable(c, CAP_KILL))
		return 0;
	return sig == G_SIGCONT && target->proc->sid == t->proc->sid ? 0 : -EPERM;
}

/* kill() of one process: a zombie takes any signal and ignores it (its
 * task is still there on Linux), a live one needs the permission. */
static long kill_process(struct machine *m, struct task *t, struct process *p, const struct sig_info *info)
{
	long err;

	if (p->zombie || !p->threads)
		return 0;
	err = check_kill_permission(t, p->threads->data, info->signo);
	if (!err && info->signo)
		send_signal_to_process(m, p, info);
	return err;
}

SYSCALL(kill)
{
	int pid = (int)a[0], sig = (int)a[1], matches = 0, hits = 0;
	long last = 0;
	struct sig_info info = { .signo = sig, .code = G_SI_USER, .pid = t->proc->pid,
				 .uid = (int)t->cred.uid };

	if (check_signal(a[1]))
		return -EINVAL;
	if (pid > 0) {
		struct process *p = find_process(m, pid);

		return p ? kill_process(m, t, p, &info) : -ESRCH;
	}
	/* 0: our process group; -1: everybody but us, where refusals are no
	 * error; < -1: group -pid, an error only if no member took it. */
	for (GList *l = m->processes; l; l = l->next) {
		struct process *p = l->data;
		bool match = pid == -1 ? p != t->proc : p->pgid == (pid ? -pid : t->proc->pgid);
		long err;

		if (!match)
			continue;
		matches++;
		err = kill_process(m, t, p, &info);
		hits += !err;
		if (err && (pid != -1 || err != -EPERM))
			last = err;
	}
	if (!matches)
		return -ESRCH;
	if (pid == -1)
		return last;
	return hits ? 0 : last;
}

static long signal_thread(struct machine *m, struct task *t, int tgid, int tid, uint64_t sig)
{
	struct task *target = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(tid));
	struct sig_info info = { .signo = (int)sig, .code = G_SI_TKILL, .pid = t->proc->pid,
				 .uid = (int)t->cred.uid };

	if (tid <= 0 || (tgid != -1 && tgid <= 0) || check_signal(sig))
		return -EINVAL;
	if (!target || (tgid != -1 && target->proc->pid != tgid))
		return -ESRCH;
	if (check_kill_permission(t, target, (int)sig))
		return -EPERM;
	if (sig)
		send_signal_to_task(m, target, &info);
	return 0;
}

SYSCALL(tgkill)
{
	return signal_thread(m, t, (int)a[0], (int)a[1], a[2]);
}

SYSCALL(tkill)
{
	return signal_thread(m, t, -1, (int)a[0], a[1]);
}

const struct syscall_desc signal_syscalls[] = {
	SYSCALL_DESC(129, kill, "dS"),
	SYSCALL_DESC(130, tkill, "dS"),
	SYSCALL_DESC(131, tgkill, "ddS"),
	SYSCALL_DESC(132, sigaltstack, "pp"),
	SYSCALL_DESC(133, rt_sigsuspend, "pu"),
	SYSCALL_DESC(134, rt_sigaction, "Sppu"),
	SYSCALL_DESC(135, rt_sigprocmask, "dppu"),
	SYSCALL_DESC(136, rt_sigpending, "pu"),
	SYSCALL_DESC(137, rt_sigtimedwait, "pppu"),
	SYSCALL_DESC(139, rt_sigreturn, ""),
	{ 0 }
};
