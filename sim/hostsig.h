/*
 * hostsig: the host signals that end a run early.
 *
 * SIGINT, SIGTERM, SIGHUP and SIGPIPE sent to mmusim only note which signal
 * came (the handler is async-signal-safe and does nothing else).  The run
 * loop looks between two slices and stops the guest there; mmusim then
 * prints --stats, writes the report (marked interrupted) and exits with
 * 128+signo.  A signal mmusim was started with ignored stays ignored.
 *
 * The SIGPIPE the kernel raises when mmusim itself writes to a pipe nobody
 * reads is not a request to stop: that write fails with EPIPE, and a guest
 * whose write it was sees EPIPE and its own SIGPIPE, as on Linux.
 *
 * No SA_RESTART: a host read or write that blocks (a terminal, a pipe) ends
 * with EINTR when a signal comes, so the slice ends and the loop stops.
 */
#ifndef SIM_HOSTSIG_H
#define SIM_HOSTSIG_H

/* Install the handlers. */
void hostsig_install(void);
/* The first stopping signal received, or 0. */
int hostsig_pending(void);
/* "SIGINT" for a signal hostsig handles. */
const char *hostsig_name(int signo);

#endif
