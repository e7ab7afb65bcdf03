/*
 * hostsig: the host signals that end a run early (see hostsig.h).
 */
#include "sim/hostsig.h"

#include <glib.h>
#include <signal.h>
#include <unistd.h>

static const struct { int signo; const char *name; } stop_signals[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGPIPE, "SIGPIPE" }, { SIGTERM, "SIGTERM" },
};

static volatile sig_atomic_t stop_signal;

static void note_signal(int signo, siginfo_t *info, void *context)
{
	(void)context;
	/* The kernel's answer to a write of ours to a pipe without readers:
	 * SI_USER from this process.  The write itself fails with EPIPE. */
	if (signo == SIGPIPE && info->si_code == SI_USER && info->si_pid == getpid())
		return;
	if (!stop_signal)
		stop_signal = signo;
}

void hostsig_install(void)
{
	struct sigaction sa = { 0 }, old;

	sa.sa_sigaction = note_signal;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: blocking host I/O ends with EINTR */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < G_N_ELEMENTS(stop_signals); i++) {
		int signo = stop_signals[i].signo;

		if (sigaction(signo, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(signo, &sa, NULL);
	}
}

int hostsig_pending(void)
{
	return stop_signal;
}

const char *hostsig_name(int signo)
{
	for (size_t i = 0; i < G_N_ELEMENTS(stop_signals); i++)
		if (stop_signals[i].signo == signo)
			return stop_signals[i].name;
	return "?";
}
