#include "sim/abi.h"

#include <fcntl.h>
#include <stddef.h>

/* Flags whose values differ between the guest ABI and the host, in pairs. */
static const struct { int guest, host; } open_flag_map[] = {
	{ G_O_CREAT, O_CREAT }, { G_O_EXCL, O_EXCL }, { G_O_NOCTTY, O_NOCTTY },
	{ G_O_TRUNC, O_TRUNC }, { G_O_APPEND, O_APPEND }, { G_O_NONBLOCK, O_NONBLOCK },
	{ G_O_DSYNC, O_DSYNC }, { G_O_DIRECTORY, O_DIRECTORY }, { G_O_NOFOLLOW, O_NOFOLLOW },
	{ G_O_DIRECT, O_DIRECT }, { G_O_LARGEFILE, O_LARGEFILE }, { G_O_NOATIME, O_NOATIME },
	{ G_O_CLOEXEC, O_CLOEXEC }, { G_O_SYNC & ~G_O_DSYNC, O_SYNC & ~O_DSYNC },
	{ G_O_PATH, O_PATH }, { G_O_TMPFILE & ~G_O_DIRECTORY, O_TMPFILE & ~O_DIRECTORY },
};

int guest_open_flags_to_host(int guest)
{
	int host = guest & G_O_ACCMODE;

	for (size_t i = 0; i < sizeof(open_flag_map) / sizeof(open_flag_map[0]); i++)
		if (guest & open_flag_map[i].guest)
			host |= open_flag_map[i].host;
	return host;
}

int host_open_flags_to_guest(int host)
{
	int guest = host & O_ACCMODE;

	for (size_t i = 0; i < sizeof(open_flag_map) / sizeof(open_flag_map[0]); i++)
		if (host & open_flag_map[i].host)
			guest |= open_flag_map[i].guest;
	return guest;
}

static const char *const signal_names[] = {
	[G_SIGHUP] = "SIGHUP", [G_SIGINT] = "SIGINT", [G_SIGQUIT] = "SIGQUIT",
	[G_SIGILL] = "SIGILL", [G_SIGTRAP] = "SIGTRAP", [G_SIGABRT] = "SIGABRT",
	[G_SIGBUS] = "SIGBUS", [G_SIGFPE] = "SIGFPE", [G_SIGKILL] = "SIGKILL",
	[G_SIGUSR1] = "SIGUSR1", [G_SIGSEGV] = "SIGSEGV", [G_SIGUSR2] = "SIGUSR2",
	[G_SIGPIPE] = "SIGPIPE", [G_SIGALRM] = "SIGALRM", [G_SIGTERM] = "SIGTERM",
	[G_SIGSTKFLT] = "SIGSTKFLT", [G_SIGCHLD] = "SIGCHLD", [G_SIGCONT] = "SIGCONT",
	[G_SIGSTOP] = "SIGSTOP", [G_SIGTSTP] = "SIGTSTP", [G_SIGTTIN] = "SIGTTIN",
	[G_SIGTTOU] = "SIGTTOU", [G_SIGURG] = "SIGURG", [G_SIGXCPU] = "SIGXCPU",
	[G_SIGXFSZ] = "SIGXFSZ", [G_SIGVTALRM] = "SIGVTALRM", [G_SIGPROF] = "SIGPROF",
	[G_SIGWINCH] = "SIGWINCH", [G_SIGIO] = "SIGIO", [G_SIGPWR] = "SIGPWR", [G_SIGSYS] = "SIGSYS",
};

const char *guest_signal_name(int sig)
{
	if (sig > 0 && sig <= G_SIGSYS)
		return signal_names[sig];
	return "SIGRT";
}

#define NSEC_PER_SEC UINT64_C(1000000000)

struct guest_timespec guest_timespec_of_ns(uint64_t ns)
{
	return (struct guest_timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

bool guest_timespec_to_ns(const struct guest_timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || (uint64_t)ts->tv_nsec >= NSEC_PER_SEC)
		return false;
	*ns = (uint64_t)ts->tv_sec >= (uint64_t)INT64_MAX / NSEC_PER_SEC ? (uint64_t)INT64_MAX :
	      (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
	return true;
}
