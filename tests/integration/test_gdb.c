/*
 * The gdb stub (sim/gdbstub.c, docs/gdb.md): gdb-multiarch -batch sessions
 * against `mmusim run --gdb 0`, and a raw client that sends what gdb never
 * would (noise, bad checksums, wild addresses, a hang-up).
 *
 * Known answers:
 *  - guest/gdbtarget sets gdb_counter to 40 + argc = 41 and calls
 *    bump(2, 1.5); the AArch64 procedure call standard passes 2 in x0 and
 *    1.5 in v0 and keeps sp 16-byte aligned; bump adds 2 (43) and main
 *    prints "gdb_counter 43" and "gdb_scale 1.5";
 *  - one AArch64 instruction is 4 bytes, so a single step from bump's
 *    first instruction (straight-line code) leaves pc at bump + 4;
 *  - the 4 KiB-granule table indices of an address are its bits 47-39,
 *    38-30, 29-21 and 20-12 (Arm ARM D8.2), computed here from the address
 *    gdb prints, and its page offset the bits below;
 *  - tids: the first process is pid 100 (mmusim's FIRST_PID, docs/design.md)
 *    and its second thread tid 101;
 *  - a killed guest gives 128 + SIGKILL = 137.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

TestSuite(gdb, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define LISTENING "waiting for gdb on 127.0.0.1:"

/* An mmusim run --gdb 0 in the background. */
struct stub {
	GPid pid;
	int port;
	gchar *out_path, *err_path;
};

static void stub_child_setup(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int open_output(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert(fd >= 0, "cannot create %s", path);
	return fd;
}

/* Start `mmusim run --gdb 0 ARGS...` (options, the program and its
 * arguments: NULL-terminated); returns once it listens. */
static void start_stub_with(struct stub *s, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	GError *error = NULL;
	gchar *text = NULL;
	int out, err;

	s->out_path = tmp_path("stub.out");
	s->err_path = tmp_path("stub.err");
	out = open_output(s->out_path);
	err = open_output(s->err_path);
	g_ptr_array_add(argv, (gpointer)MMUSIM_PATH);
	g_ptr_array_add(argv, (gpointer)"run");
	g_ptr_array_add(argv, (gpointer)"--gdb");
	g_ptr_array_add(argv, (gpointer)"0");
	for (const char *const *a = args; *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	g_ptr_array_add(argv, NULL);
	cr_assert(g_spawn_async_with_fds(tmp_dir(), (gchar **)argv->pdata, NULL,
					 G_SPAWN_DO_NOT_REAP_CHILD, stub_child_setup, NULL, &s->pid, -1,
					 out, err, &error),
		  "cannot start mmusim: %s", error ? error->message : "?");
	g_ptr_array_free(argv, TRUE);
	close(out);
	close(err);
	s->port = 0;
	for (int i = 0; i < 600 && !s->port; i++) {
		const char *at;

		g_free(text);
		text = NULL;
		if (g_file_get_contents(s->err_path, &text, NULL, NULL) && (at = strstr(text, LISTENING)))
			s->port = atoi(at + strlen(LISTENING));
		else
			g_usleep(50 * 1000);
	}
	cr_assert(s->port > 0, "mmusim never listened; it said: %s", text ? text : "");
	g_free(text);
}

static void start_stub(struct stub *s, const char *program)
{
	const char *const args[] = { program, NULL };

	start_stub_with(s, args);
}

/* Wait for the stub's mmusim to end (it must, within a minute). */
static struct result finish_stub(struct stub *s)
{
	struct result r = { 0 };
	int wait_status = 0;
	pid_t got = 0;

	for (int i = 0; i < 1200 && !got; i++) {
		got = waitpid(s->pid, &wait_status, WNOHANG);
		if (!got)
			g_usleep(50 * 1000);
	}
	if (!got) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &wait_status, 0);
		cr_assert_fail("mmusim did not end after the debugger let it go");
	}
	r.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
	r.host_signal = WIFSIGNALED(wait_status);
	g_file_get_contents(s->out_path, &r.out, NULL, NULL);
	g_file_get_contents(s->err_path, &r.err, NULL, NULL);
	g_free(s->out_path);
	g_free(s->err_path);
	return r;
}

/* gdb-multiarch -batch on `program`, connected to the stub, running each
 * of the NULL-terminated `cmds`. */
static struct result run_gdb(const struct stub *s, const char *program, const char *const *cmds)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	struct result r;

	g_ptr_array_add(argv, g_strdup(GDB_PATH));
	g_ptr_array_add(argv, g_strdup("-batch"));
	g_ptr_array_add(argv, g_strdup("-nx"));
	g_ptr_array_add(argv, g_strdup("-ex"));
	g_ptr_array_add(argv, g_strdup_printf("file %s", program));
	g_ptr_array_add(argv, g_strdup("-ex"));
	g_ptr_array_add(argv, g_strdup_printf("target remote 127.0.0.1:%d", s->port));
	for (const char *const *c = cmds; *c; c++) {
		g_ptr_array_add(argv, g_strdup("-ex"));
		g_ptr_array_add(argv, g_strdup(*c));
	}
	g_ptr_array_add(argv, NULL);
	r = run_argv((const char *const *)argv->pdata);
	g_ptr_array_free(argv, TRUE);
	return r;
}

/* A gdb session with `cmds` against a stub running `program`: what gdb
 * and what mmusim did. */
static void debug_session(const char *program, const char *const *cmds, struct result *g,
			  struct result *r)
{
	struct stub s;

	start_stub(&s, program);
	*g = run_gdb(&s, program, cmds);
	*r = finish_stub(&s);
}

/* The value gdb printed after `label` (e.g. "(long *) "), as a number. */
static uint64_t value_after(const char *text, const char *label)
{
	const char *at = text ? strstr(text, label) : NULL;

	cr_assert(at, "gdb did not print '%s':\n%s", label, text ? text : "");
	return g_ascii_strtoull(at + strlen(label), NULL, 0);
}

Test(gdb, break_registers_step_memory_walk)
{
	static const char *const cmds[] = {
		"break *bump", "continue",
		"print gdb_counter", "print $x0", "print $pc == (long)bump", "print (long)$sp % 16",
		"stepi", "print (long)$pc - (long)bump",
		"print &gdb_counter", "eval \"monitor walk %p\", &gdb_counter", "monitor vmas",
		"print $v0.d.f[0]", "set var $v0.d.f[0] = 2.5", "set var gdb_counter = 100", "continue",
		NULL,
	};
	struct result g, r;
	uint64_t va, page;
	gchar *line;

	debug_session(GUEST("gdbtarget"), cmds, &g, &r);
	expect_contains("gdb", g.out, "Breakpoint 1, ");
	expect_contains("gdb: the global before bump's addition", g.out, "$1 = 41\n");
	expect_contains("gdb: x0, bump's argument", g.out, "$2 = 2\n");
	expect_contains("gdb: pc at the breakpoint", g.out, "$3 = 1\n");
	expect_contains("gdb: sp aligned", g.out, "$4 = 0\n");
	expect_contains("gdb: pc after one instruction", g.out, "$5 = 4\n");
	/* monitor walk: the indices by hand, every level read, the leaf a
	 * writable EL0 page (main wrote the global), and the VMA.  gdb
	 * writes what a monitor command says to its standard error. */
	va = value_after(g.out, "$6 = (long *) ");
	line = g_strdup_printf("  address %#" PRIx64 " = [L0 %u][L1 %u][L2 %u][L3 %u] + %#" PRIx64 "\n",
			       va, (unsigned)(va >> 39) & 511, (unsigned)(va >> 30) & 511,
			       (unsigned)(va >> 21) & 511, (unsigned)(va >> 12) & 511, va & 0xfff);
	expect_contains("monitor walk", g.err, line);
	g_free(line);
	for (int level = 0; level < 3; level++) {
		line = g_strdup_printf("    L%d  table 0x", level);
		expect_contains("monitor walk", g.err, line);
		g_free(line);
	}
	expect_contains("monitor walk: the leaf", g.err, "AF nG AP=rw (EL0 rw) UXN PXN\n");
	page = value_after(strstr(g.err, "    L3  table"), "page ");
	line = g_strdup_printf("    -> translates to %#" PRIx64 "\n", page + (va & 0xfff));
	expect_contains("monitor walk: the output address", g.err, line);
	g_free(line);
	expect_contains("monitor walk: the VMA", g.err, "  vma: ");
	expect_contains("monitor vmas", g.err, "r-xp 00000000");
	expect_contains("monitor vmas", g.err, "[stack]\n");
	expect_contains("gdb", g.out, "exited normally");
	/* bump's second argument, in v0 (the FP/SIMD registers' feature). */
	expect_contains("gdb: v0, bump's second argument", g.out, "$7 = 1.5\n");
	/* The debugger's writes reached the guest: 100 + 2, and v0 before
	 * bump stored it (its first instruction only moved sp). */
	expect_contains("guest output", r.out, "gdb_counter 102\ngdb_scale 2.5\n");
	expect_status(&r, 0);
	result_free(&g);
	result_free(&r);
}

/* The text of the line of `text` that starts with `prefix`, after its
 * `nth` (from 0) occurrence (g_free it). */
static gchar *line_of(const char *text, const char *prefix, int nth)
{
	const char *at = text;

	for (int i = 0; at && i <= nth; i++)
		if ((at = strstr(at, prefix)) && i < nth)
			at += strlen(prefix);
	cr_assert(at, "no line %d starting '%s' in:\n%s", nth, prefix, text ? text : "");
	return g_strndup(at, strcspn(at, "\n"));
}

/* Reading memory faults nothing in, and nothing moves while gdb holds the
 * guest: the stats before and after read and walk agree. */
Test(gdb, reads_fault_nothing_in_and_time_stands_still)
{
	static const char *const cmds[] = {
		"break bump", "continue", "monitor stats", "print gdb_untouched[500000]",
		"eval \"monitor walk %p\", &gdb_untouched[500000]", "x/2gx &gdb_counter",
		"monitor stats", "continue", NULL,
	};
	static const char *const same[] = { "  instructions", "  simulated time (ns)", "  page faults" };
	struct result g, r;

	debug_session(GUEST("gdbtarget"), cmds, &g, &r);
	expect_contains("gdb: untouched memory reads as zeros", g.out, "$1 = 0 '\\000'\n");
	expect_contains("monitor walk: still unmapped", g.err, "    -> translation fault at level ");
	for (size_t i = 0; i < G_N_ELEMENTS(same); i++) {
		gchar *before = line_of(g.err, same[i], 0), *after = line_of(g.err, same[i], 1);

		cr_expect_str_eq(before, after, "monitor stats moved while gdb held the guest");
		g_free(before);
		g_free(after);
	}
	expect_contains("guest output", r.out, "gdb_counter 43\n");
	expect_status(&r, 0);
	result_free(&g);
	result_free(&r);
}

/* A session that only continues changes nothing the run reports (the
 * plain run's output goes to a file too, as the stub's does: the guest's C
 * library asks what its standard output is). */
Test(gdb, continuing_keeps_the_run_exact)
{
	const char *const args[] = { "--clear-env", "--report", "gdb.json", GUEST("gdbtarget"), NULL };
	static const char *const cmds[] = { "continue", NULL };
	const char *const sh[] = { "/bin/sh", "-c", "exec \"$0\" run --clear-env --report plain.json "
				   "\"$1\" > plain.out 2> plain.err", MMUSIM_PATH, GUEST("gdbtarget"), NULL };
	struct result plain = run_argv(sh);
	gchar *plain_path = tmp_path("plain.json"), *gdb_path = tmp_path("gdb.json");
	gchar *want, *got;
	struct result g, r;
	struct stub s;

	start_stub_with(&s, args);
	g = run_gdb(&s, GUEST("gdbtarget"), cmds);
	r = finish_stub(&s);
	expect_status(&plain, 0);
	expect_status(&r, 0);
	want = report_before_host(plain_path);
	got = report_before_host(gdb_path);
	cr_expect_str_eq(got, want, "the report under gdb differs from the plain run's");
	g_free(want);
	g_free(got);
	g_free(plain_path);
	g_free(gdb_path);
	result_free(&plain);
	result_free(&g);
	result_free(&r);
}

Test(gdb, source_step_and_finish)
{
	static const char *const cmds[] = {
		"break bump", "continue", "next", "print gdb_counter", "finish", "continue", NULL,
	};
	struct result g, r;

	debug_session(GUEST("gdbtarget"), cmds, &g, &r);
	expect_contains("gdb", g.out, "Breakpoint 1, bump (by=2, scale=1.5)");
	expect_contains("gdb: after the addition", g.out, "$1 = 43\n");
	expect_contains("gdb: bump's result", g.out, "Value returned is $2 = 43\n");
	expect_contains("guest output", r.out, "gdb_counter 43\n");
	expect_status(&r, 0);
	result_free(&g);
	result_free(&r);
}

Test(gdb, two_threads)
{
	static const char *const cmds[] = {
		"break both_running", "continue", "info threads", "thread 2", "bt", "continue", NULL,
	};
	struct result g, r;

	debug_session(GUEST("gdbthreads"), cmds, &g, &r);
	expect_contains("info threads", g.out, "1    Thread 100 (pid 100 gdbthreads) both_running ()");
	expect_contains("info threads", g.out, "2    Thread 101 (pid 100 gdbthreads)");
	expect_contains("the worker's stack", g.out, " in worker (");
	expect_contains("guest output", r.out, "joined\n");
	expect_status(&r, 0);
	result_free(&g);
	result_free(&r);
}

Test(gdb, kill_ends_mmusim)
{
	static const char *const cmds[] = { "break bump", "continue", "kill", NULL };
	struct result g, r;

	debug_session(GUEST("gdbtarget"), cmds, &g, &r);
	expect_contains("gdb", g.out, "Breakpoint 1, ");
	expect_not_contains("guest output", r.out, "gdb_counter");
	expect_contains("mmusim", r.err, "mmusim: gdb killed the guest\n");
	expect_status(&r, 137);
	result_free(&g);
	result_free(&r);
}

Test(gdb, detach_lets_the_guest_run_on)
{
	static const char *const cmds[] = { "break bump", "continue", "detach", NULL };
	struct result g, r;

	debug_session(GUEST("gdbtarget"), cmds, &g, &r);
	expect_contains("gdb", g.out, "Breakpoint 1, ");
	expect_contains("guest output", r.out, "gdb_counter 43\n");
	expect_contains("mmusim", r.err, "mmusim: gdb detached; the guest runs on\n");
	expect_status(&r, 0);
	result_free(&g);
	result_free(&r);
}

/* ---- a raw client ---- */

static int connect_raw(const struct stub *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
		  "cannot connect to the stub: %s", g_strerror(errno));
	return fd;
}

static void send_raw(int fd, const char *bytes)
{
	cr_assert(send(fd, bytes, strlen(bytes), MSG_NOSIGNAL) == (ssize_t)strlen(bytes));
}

/* $payload#checksum, the checksum computed here. */
static void send_packet(int fd, const char *payload)
{
	unsigned sum = 0;
	gchar *frame;

	for (const char *p = payload; *p; p++)
		sum += (unsigned char)*p;
	frame = g_strdup_printf("$%s#%02x", payload, sum & 0xff);
	send_raw(fd, frame);
	g_free(frame);
}

/* Read into `seen` until it holds `needle` (10 s at most). */
static void read_until(int fd, GString *seen, const char *needle)
{
	char buf[4096];

	for (int i = 0; i < 100 && !strstr(seen->str, needle); i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		g_string_append_len(seen, buf, n);
	}
	cr_assert(strstr(seen->str, needle), "the stub did not answer '%s'; it sent: %s", needle,
		  seen->str);
}

/* Read a reply holding `needle`, acknowledge it, forget what was read. */
static void expect_reply(int fd, GString *seen, const char *needle)
{
	read_until(fd, seen, needle);
	send_raw(fd, "+");
	g_string_truncate(seen, 0);
}

Test(gdb, garbage_and_bad_checksums)
{
	struct stub s;
	struct result r;
	GString *seen = g_string_new(NULL);
	GString *huge = g_string_new("$");
	int fd;

	start_stub(&s, GUEST("gdbtarget"));
	fd = connect_raw(&s);
	send_raw(fd, "noise before any packet +-+");
	send_raw(fd, "$m400000,4#00");		/* a wrong checksum */
	read_until(fd, seen, "-");
	g_string_truncate(seen, 0);
	for (int i = 0; i < 40000; i++)		/* longer than any packet may be */
		g_string_append_c(huge, 'a');
	send_raw(fd, huge->str);
	send_raw(fd, "$?#zz");			/* not hex */
	read_until(fd, seen, "--");
	g_string_truncate(seen, 0);
	send_packet(fd, "?");			/* still served: the first stop */
	expect_reply(fd, seen, "$T05thread:64;#");
	send_packet(fd, "m0,8");		/* nothing is mapped at 0 */
	expect_reply(fd, seen, "$E14#");
	send_packet(fd, "mfffffffffffffff8,100");	/* wraps around the address space */
	expect_reply(fd, seen, "$E14#");
	send_packet(fd, "Z0,400002,4");		/* not an instruction boundary */
	expect_reply(fd, seen, "$E22#");
	send_packet(fd, "Z0,1000000000000,4");	/* beyond the user range */
	expect_reply(fd, seen, "$E22#");
	send_packet(fd, "pzz");
	expect_reply(fd, seen, "$E22#");
	send_packet(fd, "qRcmd,7a7a");		/* monitor zz: told so, in text */
	expect_reply(fd, seen, "$O6d6f6e69746f723a20756e6b6e6f776e20636f6d6d616e642027");
	expect_reply(fd, seen, "$OK#");
	send_packet(fd, "k");
	r = finish_stub(&s);
	close(fd);
	expect_status(&r, 137);
	expect_not_contains("guest output", r.out, "gdb_counter");
	g_string_free(seen, TRUE);
	g_string_free(huge, TRUE);
	result_free(&r);
}

Test(gdb, disconnect_mid_session)
{
	struct stub s;
	struct result r;
	GString *seen = g_string_new(NULL);
	int fd;

	start_stub(&s, GUEST("gdbtarget"));
	fd = connect_raw(&s);
	send_packet(fd, "?");
	read_until(fd, seen, "$T05thread:64;#");
	close(fd);				/* gone while holding the guest */
	r = finish_stub(&s);
	expect_contains("guest output", r.out, "gdb_counter 43\n");
	expect_contains("mmusim", r.err, "mmusim: gdb closed the connection; the guest runs on\n");
	expect_status(&r, 0);
	g_string_free(seen, TRUE);
	result_free(&r);
}

/* The address of `symbol` in `program`, from objdump's symbol table. */
static uint64_t symbol_address(const char *program, const char *symbol)
{
	const char *const argv[] = { GUEST_OBJDUMP_PATH, "-t", program, NULL };
	struct result r = run_argv(argv);
	gchar *tail = g_strdup_printf(" %s\n", symbol);
	const char *end = strstr(r.out, tail), *line = end;
	uint64_t addr;

	cr_assert(end, "objdump lists no %s in %s", symbol, program);
	while (line > r.out && line[-1] != '\n')
		line--;
	addr = g_ascii_strtoull(line, NULL, 16);
	g_free(tail);
	result_free(&r);
	return addr;
}

/* Little-endian hex of a 64-bit register, as `p` answers (g_free it). */
static gchar *le_hex(uint64_t value)
{
	GString *out = g_string_new(NULL);

	for (int i = 0; i < 8; i++)
		g_string_append_printf(out, "%02x", (unsigned)(value >> (8 * i)) & 0xff);
	return g_string_free(out, FALSE);
}

/* A client that resumes without removing the breakpoint it stopped at:
 * the stub steps over it (bump runs once, so the next stop is the end),
 * and the registers are x0-x30, sp and pc (8 bytes each), cpsr (4),
 * v0-v31 (16) and fpsr and fpcr (4): 788 bytes, in hex. */
Test(gdb, resume_from_a_breakpoint)
{
	uint64_t bump = symbol_address(GUEST("gdbtarget"), "bump");
	gchar *packet = g_strdup_printf("Z0,%" PRIx64 ",4", bump), *pc = le_hex(bump), *want;
	GString *seen = g_string_new(NULL);
	struct result r;
	struct stub s;
	int fd;

	start_stub(&s, GUEST("gdbtarget"));
	fd = connect_raw(&s);
	send_packet(fd, "?");
	expect_reply(fd, seen, "$T05thread:64;#");
	send_packet(fd, packet);
	expect_reply(fd, seen, "$OK#");
	send_packet(fd, "c");
	expect_reply(fd, seen, "$T05thread:64;#");
	send_packet(fd, "p20");			/* pc */
	want = g_strdup_printf("$%s#", pc);
	expect_reply(fd, seen, want);
	send_packet(fd, "g");
	read_until(fd, seen, "#");
	cr_expect_eq(strcspn(strchr(seen->str, '$') + 1, "#"), (size_t)2 * (33 * 8 + 4 + 32 * 16 + 2 * 4),
		     "g answered %s", seen->str);
	send_raw(fd, "+");
	g_string_truncate(seen, 0);
	send_packet(fd, "c");
	expect_reply(fd, seen, "$W00#");
	r = finish_stub(&s);
	close(fd);
	expect_contains("guest output", r.out, "gdb_counter 43\n");
	expect_status(&r, 0);
	g_free(want);
	g_free(packet);
	g_free(pc);
	g_string_free(seen, TRUE);
	result_free(&r);
}

/* Ctrl-C (a 0x03 byte) stops a running guest: SIGINT's stop reply. */
Test(gdb, interrupt_a_running_guest)
{
	GString *seen = g_string_new(NULL);
	struct result r;
	struct stub s;
	int fd;

	start_stub(&s, GUEST("loop"));
	fd = connect_raw(&s);
	send_packet(fd, "?");
	expect_reply(fd, seen, "$T05thread:64;#");
	send_packet(fd, "c");
	read_until(fd, seen, "+");
	g_usleep(200 * 1000);			/* let it run */
	send_raw(fd, "\x03");
	expect_reply(fd, seen, "$T02thread:64;#");
	send_packet(fd, "k");
	r = finish_stub(&s);
	close(fd);
	expect_contains("guest output", r.out, "looping forever\n");
	expect_status(&r, 137);
	g_string_free(seen, TRUE);
	result_free(&r);
}

/* A port that is no number, too big, or taken is a usage error. */
Test(gdb, bad_ports)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct result r;
	gchar *port, *want;

	r = run_mmusim("--gdb", "http", GUEST("gdbtarget"), NULL);
	expect_status(&r, 2);
	expect_contains("stderr", r.err, "--gdb http: expected a TCP port number, 0 to 65535");
	result_free(&r);
	r = run_mmusim("--gdb", "65536", GUEST("gdbtarget"), NULL);
	expect_status(&r, 2);
	expect_contains("stderr", r.err, "--gdb 65536: expected a TCP port number");
	result_free(&r);
	cr_assert(fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) && !listen(fd, 1) &&
		  !getsockname(fd, (struct sockaddr *)&a, &len));
	port = g_strdup_printf("%d", ntohs(a.sin_port));
	r = run_mmusim("--gdb", port, GUEST("gdbtarget"), NULL);
	expect_status(&r, 2);
	want = g_strdup_printf("--gdb %s: cannot listen on 127.0.0.1:%s: Address already in use", port,
			       port);
	expect_contains("stderr", r.err, want);
	expect_not_contains("guest output", r.out, "gdb_counter");
	close(fd);
	g_free(want);
	g_free(port);
	result_free(&r);
}

/* A guest killed by a signal: gdb hears which, in its own numbering
 * (SIGBUS is Linux's 7 but GDB's 10; SIGSEGV 11 in both). */
Test(gdb, killed_by_a_signal)
{
	static const char *const cmds[] = { "continue", NULL };
	const char *const bus[] = { BB, "sh", "-c", "kill -BUS $$", NULL };
	const char *const segv[] = { GUEST("segv"), NULL };
	struct result g, r;
	struct stub s;

	start_stub_with(&s, bus);
	g = run_gdb(&s, BB, cmds);
	r = finish_stub(&s);
	expect_contains("gdb", g.out, "Program terminated with signal SIGBUS, Bus error.");
	expect_status(&r, 128 + 7);
	result_free(&g);
	result_free(&r);
	start_stub_with(&s, segv);
	g = run_gdb(&s, GUEST("segv"), cmds);
	r = finish_stub(&s);
	expect_contains("gdb", g.out, "Program terminated with signal SIGSEGV, Segmentation fault.");
	expect_status(&r, 128 + 11);
	result_free(&g);
	result_free(&r);
}

/* The stub's standard error must come to hold `needle` (10 s at most). */
static void wait_for_stderr(const struct stub *s, const char *needle)
{
	gchar *text = NULL;

	for (int i = 0; i < 200; i++) {
		g_free(text);
		text = NULL;
		if (g_file_get_contents(s->err_path, &text, NULL, NULL) && strstr(text, needle))
			break;
		g_usleep(50 * 1000);
	}
	cr_assert(text && strstr(text, needle), "mmusim did not say '%s'; it said: %s", needle,
		  text ? text : "");
	g_free(text);
}

/* A client gone while the guest runs: the stub notices at the next slice
 * and lets the guest run on (guest/loop never ends: SIGTERM ends mmusim,
 * with 128 + 15). */
Test(gdb, disconnect_while_running)
{
	uint64_t at = symbol_address(GUEST("loop"), "main");
	gchar *packet = g_strdup_printf("Z0,%" PRIx64 ",4", at);
	GString *seen = g_string_new(NULL);
	struct result r;
	struct stub s;
	int fd;

	start_stub(&s, GUEST("loop"));
	fd = connect_raw(&s);
	send_packet(fd, "?");
	expect_reply(fd, seen, "$T05thread:64;#");
	send_packet(fd, packet);
	expect_reply(fd, seen, "$OK#");
	send_packet(fd, "c");
	expect_reply(fd, seen, "$T05thread:64;#");
	send_packet(fd, "c");
	read_until(fd, seen, "+");
	close(fd);
	wait_for_stderr(&s, "mmusim: gdb closed the connection; the guest runs on\n");
	kill(s.pid, SIGTERM);
	r = finish_stub(&s);
	expect_contains("guest output", r.out, "looping forever\n");
	expect_contains("mmusim", r.err, "SIGTERM: stopped the guest after ");
	expect_status(&r, 128 + 15);
	g_free(packet);
	g_string_free(seen, TRUE);
	result_free(&r);
}
