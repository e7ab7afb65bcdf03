/*
 * sigqueue: generating signals (see sigqueue.h).
 */
#include "sim/sigqueue.h"

#include "sim/poll.h"
#include "sim/sched.h"

enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case G_SIGQUIT: case G_SIGILL: case G_SIGTRAP: case G_SIGABRT: case G_SIGBUS:
	case G_SIGFPE: case G_SIGSEGV: case G_SIGXCPU: case G_SIGXFSZ: case G_SIGSYS:
		return SIG_CORE;
	case G_SIGCHLD: case G_SIGCONT: case G_SIGURG: case G_SIGWINCH:
	case G_SIGSTOP: case G_SIGTSTP: case G_SIGTTIN: case G_SIGTTOU:	/* stop: not modelled */
		return SIG_IGNORE;
	default:
		return SIG_TERM;
	}
}

bool sig_ignored(const struct task *t, int sig)
{
	uint64_t handler = t->sighand->action[sig].handler;

	return handler == G_SIG_IGN || (handler == G_SIG_DFL && sig_default_action(sig) == SIG_IGNORE);
}

const char sigqueue_channel;

/* A signal already pending keeps its first instance (Linux's
 * legacy_queue(): a second one is dropped). */
static void add_pending(struct machine *m, struct sigpending *p, const struct sig_info *info)
{
	if (p->set & sigmask_of(info->signo))
		return;
	p->set |= sigmask_of(info->signo);
	p->info[info->signo] = *info;
	poll_notify(m, &sigqueue_channel);
}

void send_signal_to_task(struct machine *m, struct task *t, const struct sig_info *info)
{
	if (t->state == TASK_DEAD || (info->signo != G_SIGKILL && sig_ignored(t, info->signo) &&
				      !(t->blocked & sigmask_of(info->signo))))
		return;
	add_pending(m, &t->pending, info);
	if (!(t->blocked & sigmask_of(info->signo)) || (t->sigwait_set & sigmask_of(info->signo)))
		sched_interrupt(m, t, info->signo == G_SIGKILL);
}

void send_signal_to_process(struct machine *m, struct process *p, const struct sig_info *info)
{
	struct task *first = p->threads ? p->threads->data : NULL;

	/* A blocked signal is never ignored: its handler may change before
	 * it is unblocked, and signalfd reads it (Linux's sig_ignored()). */
	if (!first || (info->signo != G_SIGKILL && sig_ignored(first, info->signo) &&
		       !(first->blocked & sigmask_of(info->signo))))
		return;
	add_pending(m, &p->shared_pending, info);
	/* Wake one thread that does not block it, as complete_signal() does. */
	for (GList *l = p->threads; l; l = l->next) {
		struct task *t = l->data;

		if (!(t->blocked & sigmask_of(info->signo)) || (t->sigwait_set & sigmask_of(info->signo))) {
			sched_interrupt(m, t, info->signo == G_SIGKILL);
			break;
		}
	}
}

void force_fault_signal(struct machine *m, struct task *t, int signo, int code, uint64_t addr)
{
	struct sig_info info = { .signo = signo, .code = code, .addr = addr, .fault = true };
	struct guest_sigaction *act = &t->sighand->action[signo];

	if ((t->blocked & sigmask_of(signo)) || act->handler == G_SIG_IGN) {
		t->blocked &= ~sigmask_of(signo);
		act->handler = G_SIG_DFL;
	}
	add_pending(m, &t->pending, &info);
}
