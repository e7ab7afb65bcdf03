/*
 * gdbstub: see gdbstub.h.  The protocol's framing is sim/gdb_packet.c; this
 * file holds the session: when the guest stops and resumes, and what each
 * packet reads or changes.
 *
 * While the debugger holds the guest, the task loaded in the engine has its
 * registers saved to its context, so that every task's registers are read
 * and written the same way (cpu_context_reg); the context is loaded again
 * when the guest resumes.
 */
#include "sim/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mmu/tlb.h"
#include "mmu/uaccess.h"
#include "mmu/walk_trace.h"
#include "report/text.h"
#include "sim/abi.h"
#include "sim/explain.h"
#include "sim/gdb_packet.h"
#include "sim/hostsig.h"
#include "sim/report.h"
#include "util/parse.h"

#define SERVE_POLL_MS	200	/* how often a waiting stub looks for host signals */
/* The registers in target.xml's order: x0-x30, sp, pc (8 bytes each), cpsr
 * (4), then v0-v31 (16), fpsr and fpcr (4). */
#define GDB_REG_CPSR	33
#define GDB_REG_V0	34
#define GDB_REG_FPSR	66
#define GDB_REG_FPCR	67
#define NR_GDB_REGS	68
#define GDB_REG_MAX	16	/* bytes */
#define MONITOR_CHUNK	2048	/* bytes of monitor text per `O` packet */

enum gdb_action { GDB_STAY, GDB_RESUME, GDB_DETACH, GDB_KILL };

struct gdbstub {
	int listen_fd;
	struct gdb_conn conn;
	bool connected;
	bool gone;		/* detached or lost: the guest runs on alone */
	bool asked;		/* the debugger asked '?' (the first stop is told then) */
	char *const *argv, *const *envp;
	bool stop_pending;	/* a stop to report before the next run */
	int stop_signal, stop_tid;
	int step_tid;		/* the task that runs one instruction, 0: none */
	int pass_tid;		/* resumes at the breakpoint it stopped at, 0: none */
	int g_tid;		/* Hg: the thread whose registers and memory are read */
	GHashTable *breakpoints;	/* inserted addresses (uint64_t *) */
};

int gdbstub_open(int port, char *const *argv, char *const *envp, struct gdbstub **out,
		 GString *error)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, err, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct gdbstub *g;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		err = errno;
		g_string_printf(error, "--gdb %d: cannot listen on 127.0.0.1:%d: %s", port, port,
				g_strerror(err));
		if (fd >= 0)
			close(fd);
		return -err;
	}
	g = g_new0(struct gdbstub, 1);
	g->listen_fd = fd;
	g->conn.fd = -1;
	g->argv = argv;
	g->envp = envp;
	g->breakpoints = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	fprintf(stderr, "mmusim: waiting for gdb on 127.0.0.1:%d\n", ntohs(a.sin_port));
	*out = g;
	return 0;
}

/* ---- tasks, registers, memory ---- */

static struct task *find_task(struct machine *m, int tid)
{
	struct task *t = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(tid));

	return t && t->state != TASK_DEAD && t->mm ? t : NULL;
}

static gint compare_tids(gconstpointer a, gconstpointer b)
{
	return GPOINTER_TO_INT(*(gconstpointer *)a) - GPOINTER_TO_INT(*(gconstpointer *)b);
}

/* The tids of the live tasks, ascending. */
static GPtrArray *list_tids(struct machine *m)
{
	GPtrArray *tids = g_ptr_array_new();
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &key, &value))
		if (find_task(m, GPOINTER_TO_INT(key)))
			g_ptr_array_add(tids, key);
	g_ptr_array_sort(tids, compare_tids);
	return tids;
}

/* The thread a stop is told for: the one that stopped, or (gone) the first. */
static int stop_thread(struct machine *m, struct gdbstub *g)
{
	GPtrArray *tids;
	int tid = g->stop_tid;

	if (find_task(m, tid))
		return tid;
	tids = list_tids(m);
	tid = tids->len ? GPOINTER_TO_INT(tids->pdata[0]) : 0;
	g_ptr_array_free(tids, TRUE);
	return tid;
}

/* The thread register and memory packets mean (Hg), alive. */
static struct task *g_task(struct machine *m, struct gdbstub *g)
{
	struct task *t = find_task(m, g->g_tid);

	return t ? t : find_task(m, stop_thread(m, g));
}

static int reg_size(int n)
{
	if (n == GDB_REG_CPSR || n >= GDB_REG_FPSR)
		return 4;
	return n >= GDB_REG_V0 ? 16 : 8;
}

static void put_le(uint8_t *bytes, uint64_t value, int size)
{
	for (int i = 0; i < size; i++)
		bytes[i] = (uint8_t)(value >> (8 * i));
}

static uint64_t get_le(const uint8_t *bytes, int size)
{
	uint64_t value = 0;

	for (int i = 0; i < size; i++)
		value |= (uint64_t)bytes[i] << (8 * i);
	return value;
}

/* Register `n` of `t` as the target holds it: little-endian bytes (a v
 * register's low half first). */
static void read_reg(struct task *t, int n, uint8_t *bytes)
{
	struct cpu_fpsimd fp;

	if (n < GDB_REG_V0) {
		put_le(bytes, cpu_context_reg(t->ctx, n == GDB_REG_CPSR ? CPU_REG_NZCV : n), reg_size(n));
		return;
	}
	cpu_context_fpsimd(t->ctx, &fp);
	if (n < GDB_REG_FPSR) {
		put_le(bytes, fp.vregs[n - GDB_REG_V0][0], 8);
		put_le(bytes + 8, fp.vregs[n - GDB_REG_V0][1], 8);
	} else {
		put_le(bytes, n == GDB_REG_FPSR ? fp.fpsr : fp.fpcr, 4);
	}
}

static void write_reg(struct task *t, int n, const uint8_t *bytes)
{
	struct cpu_fpsimd fp;

	if (n < GDB_REG_V0) {
		cpu_context_set_reg(t->ctx, n == GDB_REG_CPSR ? CPU_REG_NZCV : n, get_le(bytes, reg_size(n)));
		return;
	}
	cpu_context_fpsimd(t->ctx, &fp);
	if (n < GDB_REG_FPSR) {
		fp.vregs[n - GDB_REG_V0][0] = get_le(bytes, 8);
		fp.vregs[n - GDB_REG_V0][1] = get_le(bytes + 8, 8);
	} else if (n == GDB_REG_FPSR) {
		fp.fpsr = (uint32_t)get_le(bytes, 4);
	} else {
		fp.fpcr = (uint32_t)get_le(bytes, 4);
	}
	cpu_context_set_fpsimd(t->ctx, &fp);
}

static void append_hex(GString *out, const uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		g_string_append_printf(out, "%02x", bytes[i]);
}

/* `len` bytes from 2 * `len` hex digits. */
static bool parse_hex(const char *hex, uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]), lo;

		if (hi < 0 || (lo = g_ascii_xdigit_value(hex[2 * i + 1])) < 0)
			return false;
		bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Read up to `len` bytes at `addr` through `mm`'s tables, page by page,
 * faulting nothing in (a page not present reads as a fault would fill it);
 * stops at the first page that cannot be read.  Returns the bytes read. */
static size_t read_guest(struct mm *mm, uint64_t addr, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len && addr + done >= addr) {
		uint64_t at = addr + done;
		size_t chunk = MIN(len - done, PAGE_SIZE - (at & ~PAGE_MASK));

		if (peek_user_backing(mm, buf + done, at, chunk))
			break;
		done += chunk;
	}
	return done;
}

/* A debugger's write (Linux's FOLL_FORCE: a private page is copied first). */
static bool write_guest(struct mm *mm, uint64_t addr, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done;
		size_t chunk = MIN(len - done, PAGE_SIZE - (at & ~PAGE_MASK));

		if (at < addr || access_remote_vm(mm, at, (void *)(buf + done), chunk, true))
			return false;
		done += chunk;
	}
	return true;
}

/* ---- packets ---- */

static void reply(struct gdbstub *g, const char *payload)
{
	gdb_conn_send_str(&g->conn, payload);
}

static void reply_stop(struct machine *m, struct gdbstub *g)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "T%02xthread:%x;", g->stop_signal, stop_thread(m, g));
	reply(g, buf);
}

/* "ADDR,LEN" (hex) at `s`; *rest after it. */
static bool parse_addr_len(const char *s, uint64_t *addr, uint64_t *len, const char **rest)
{
	char *end;

	errno = 0;
	*addr = g_ascii_strtoull(s, &end, 16);
	if (errno || end == s || *end != ',')
		return false;
	s = end + 1;
	*len = g_ascii_strtoull(s, &end, 16);
	if (errno || end == s)
		return false;
	*rest = end;
	return true;
}

/* A thread id of H, T, vCont: hex, or -1 (all). 0 means any. */
static bool parse_tid(const char *s, int *tid)
{
	char *end;
	long v;

	if (!strcmp(s, "-1")) {
		*tid = -1;
		return true;
	}
	errno = 0;
	v = strtol(s, &end, 16);
	if (errno || end == s || (*end && *end != ';') || v < 0 || v > INT32_MAX)
		return false;
	*tid = (int)v;
	return true;
}

/* org.gnu.gdb.aarch64.fpu: each v register is a union of its lanes as
 * doubles, singles, halves, bytes and the whole quadword. */
static void fpu_xml(GString *out)
{
	static const struct { const char *id, *type; int count; } vectors[] = {
		{ "v2d", "ieee_double", 2 }, { "v2u", "uint64", 2 }, { "v2i", "int64", 2 },
		{ "v4f", "ieee_single", 4 }, { "v4u", "uint32", 4 }, { "v4i", "int32", 4 },
		{ "v8u", "uint16", 8 }, { "v8i", "int16", 8 }, { "v16u", "uint8", 16 },
		{ "v16i", "int8", 16 }, { "v1u", "uint128", 1 }, { "v1i", "int128", 1 },
	};
	static const char *const unions =
		"<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
		"<field name=\"s\" type=\"v2i\"/></union>\n"
		"<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
		"<field name=\"s\" type=\"v4i\"/></union>\n"
		"<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>\n"
		"<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
		"<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
		"<union id=\"vnv\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
		"<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
		"<field name=\"q\" type=\"vnq\"/></union>\n";

	g_string_append(out, "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n");
	for (size_t i = 0; i < G_N_ELEMENTS(vectors); i++)
		g_string_append_printf(out, "<vector id=\"%s\" type=\"%s\" count=\"%d\"/>\n",
				       vectors[i].id, vectors[i].type, vectors[i].count);
	g_string_append(out, unions);
	for (int n = 0; n < 32; n++)
		g_string_append_printf(out, "<reg name=\"v%d\" bitsize=\"128\" type=\"vnv\" regnum=\"%d\"/>\n",
				       n, GDB_REG_V0 + n);
	g_string_append_printf(out, "<reg name=\"fpsr\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n"
				    "<reg name=\"fpcr\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n"
				    "</feature>\n", GDB_REG_FPSR, GDB_REG_FPCR);
}

static void target_xml(GString *out)
{
	g_string_append(out, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
			     "<target version=\"1.0\">\n<architecture>aarch64</architecture>\n"
			     "<feature name=\"org.gnu.gdb.aarch64.core\">\n");
	for (int n = 0; n <= 30; n++)
		g_string_append_printf(out, "<reg name=\"x%d\" bitsize=\"64\" type=\"int\" regnum=\"%d\"/>\n",
				       n, n);
	g_string_append(out, "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
			     "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
			     "<reg name=\"cpsr\" bitsize=\"32\" type=\"int\"/>\n</feature>\n");
	fpu_xml(out);
	g_string_append(out, "</target>\n");
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void handle_features(struct gdbstub *g, const char *args)
{
	GString *xml, *out;
	uint64_t off, len;
	const char *rest;

	if (!g_str_has_prefix(args, "target.xml:") ||
	    !parse_addr_len(args + strlen("target.xml:"), &off, &len, &rest) || *rest) {
		reply(g, "E00");
		return;
	}
	xml = g_string_new(NULL);
	target_xml(xml);
	out = g_string_new(NULL);
	len = MIN(len, GDB_PACKET_MAX / 2);
	if (off >= xml->len) {
		g_string_append_c(out, 'l');
	} else {
		len = MIN(len, xml->len - off);
		g_string_append_c(out, off + len < xml->len ? 'm' : 'l');
		g_string_append_len(out, xml->str + off, (gssize)len);
	}
	gdb_conn_send(&g->conn, out->str, out->len);
	g_string_free(out, TRUE);
	g_string_free(xml, TRUE);
}

static void handle_threads(struct machine *m, struct gdbstub *g)
{
	GPtrArray *tids = list_tids(m);
	GString *out = g_string_new("m");

	for (guint i = 0; i < tids->len; i++)
		g_string_append_printf(out, "%s%x", i ? "," : "", GPOINTER_TO_INT(tids->pdata[i]));
	reply(g, tids->len ? out->str : "l");
	g_string_free(out, TRUE);
	g_ptr_array_free(tids, TRUE);
}

static void reply_hex_text(struct gdbstub *g, const char *text)
{
	GString *out = g_string_new(NULL);

	append_hex(out, (const uint8_t *)text, strlen(text));
	reply(g, out->str);
	g_string_free(out, TRUE);
}

static void handle_extra_info(struct machine *m, struct gdbstub *g, const char *arg)
{
	struct task *t;
	char text[64];
	int tid;

	if (!parse_tid(arg, &tid) || !(t = find_task(m, tid))) {
		reply(g, "E01");
		return;
	}
	snprintf(text, sizeof(text), "pid %d %s", t->proc->pid, t->proc->comm);
	reply_hex_text(g, text);
}

static void handle_read_regs(struct machine *m, struct gdbstub *g)
{
	struct task *t = g_task(m, g);
	GString *out = g_string_new(NULL);
	uint8_t bytes[GDB_REG_MAX];

	for (int n = 0; t && n < NR_GDB_REGS; n++) {
		read_reg(t, n, bytes);
		append_hex(out, bytes, (size_t)reg_size(n));
	}
	reply(g, t ? out->str : "E01");
	g_string_free(out, TRUE);
}

static void handle_write_regs(struct machine *m, struct gdbstub *g, const char *hex)
{
	struct task *t = g_task(m, g);
	uint8_t bytes[NR_GDB_REGS][GDB_REG_MAX];
	size_t at = 0;

	for (int n = 0; t && n < NR_GDB_REGS; at += 2 * (size_t)reg_size(n), n++) {
		if (strlen(hex) < at + 2 * (size_t)reg_size(n) ||
		    !parse_hex(hex + at, bytes[n], (size_t)reg_size(n))) {
			reply(g, "E22");
			return;
		}
	}
	for (int n = 0; t && n < NR_GDB_REGS; n++)
		write_reg(t, n, bytes[n]);
	reply(g, t ? "OK" : "E01");
}

/* p N and P N=VALUE */
static void handle_one_reg(struct machine *m, struct gdbstub *g, const char *arg, bool write)
{
	struct task *t = g_task(m, g);
	uint8_t bytes[GDB_REG_MAX];
	GString *out;
	char *end;
	long n = strtol(arg, &end, 16);
	size_t size;

	if (!t || end == arg || n < 0 || n >= NR_GDB_REGS || (write ? *end != '=' : *end != 0)) {
		reply(g, "E22");
		return;
	}
	size = (size_t)reg_size((int)n);
	if (write) {
		if (strlen(end + 1) != 2 * size || !parse_hex(end + 1, bytes, size)) {
			reply(g, "E22");
			return;
		}
		write_reg(t, (int)n, bytes);
		reply(g, "OK");
		return;
	}
	read_reg(t, (int)n, bytes);
	out = g_string_new(NULL);
	append_hex(out, bytes, size);
	reply(g, out->str);
	g_string_free(out, TRUE);
}

static void handle_read_mem(struct machine *m, struct gdbstub *g, const char *arg)
{
	struct task *t = g_task(m, g);
	uint64_t addr, len;
	const char *rest;
	uint8_t *buf;
	size_t got;
	GString *out;

	if (!parse_addr_len(arg, &addr, &len, &rest) || *rest || !t) {
		reply(g, "E22");
		return;
	}
	len = MIN(len, GDB_PACKET_MAX / 2);
	buf = g_malloc(len + 1);
	got = read_guest(t->mm, addr, buf, len);
	out = g_string_new(NULL);
	append_hex(out, buf, got);
	reply(g, got || !len ? out->str : "E14");	/* EFAULT */
	g_string_free(out, TRUE);
	g_free(buf);
}

static void handle_write_mem(struct machine *m, struct gdbstub *g, const char *arg)
{
	struct task *t = g_task(m, g);
	uint64_t addr, len;
	const char *rest;
	uint8_t *buf;
	bool ok;

	if (!parse_addr_len(arg, &addr, &len, &rest) || *rest != ':' || strlen(rest + 1) != 2 * len ||
	    !t) {
		reply(g, "E22");
		return;
	}
	buf = g_malloc(len + 1);
	ok = parse_hex(rest + 1, buf, len);
	reply(g, !ok ? "E22" : write_guest(t->mm, addr, buf, len) ? "OK" : "E14");
	g_free(buf);
}

/* Translated code of `va` goes, in every address space, so that it is
 * translated again with the breakpoint's hook. */
static void invalidate_everywhere(struct machine *m, uint64_t va)
{
	GHashTable *seen = g_hash_table_new(NULL, NULL);
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct task *t = value;

		if (t->mm && !g_hash_table_contains(seen, t->mm)) {
			g_hash_table_add(seen, t->mm);
			cpu_invalidate_code(m->cpu, t->mm, va, va + 4);
		}
	}
	g_hash_table_destroy(seen);
}

/* Z0,ADDR,KIND and z0,ADDR,KIND; other kinds are not supported (""). */
static void handle_breakpoint(struct machine *m, struct gdbstub *g, const char *arg, bool insert)
{
	uint64_t addr, kind;
	const char *rest;
	int err;

	if (arg[0] != '0' || arg[1] != ',') {
		reply(g, "");
		return;
	}
	if (!parse_addr_len(arg + 2, &addr, &kind, &rest)) {
		reply(g, "E22");
		return;
	}
	if (!insert) {
		cpu_remove_breakpoint(m->cpu, addr);
		g_hash_table_remove(g->breakpoints, &addr);
		reply(g, "OK");
		return;
	}
	err = cpu_insert_breakpoint(m->cpu, addr);
	if (err) {
		reply(g, err == -EINVAL ? "E22" : "E28");
		return;
	}
	invalidate_everywhere(m, addr);
	g_hash_table_add(g->breakpoints, g_memdup2(&addr, sizeof(addr)));
	reply(g, "OK");
}

static void remove_all_breakpoints(struct machine *m, struct gdbstub *g)
{
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, g->breakpoints);
	while (g_hash_table_iter_next(&it, &key, NULL))
		cpu_remove_breakpoint(m->cpu, *(uint64_t *)key);
	g_hash_table_remove_all(g->breakpoints);
}

/* Resume: `step_tid` runs one instruction (0: none), the rest run on. */
static enum gdb_action resume(struct machine *m, struct gdbstub *g, int step_tid)
{
	g->step_tid = step_tid;
	g->pass_tid = stop_thread(m, g);
	g->stop_pending = false;
	return GDB_RESUME;
}

/* vCont;ACTION[:TID];... : a step action names the stepping thread. */
static enum gdb_action handle_vcont(struct machine *m, struct gdbstub *g, const char *args)
{
	gchar **actions = g_strsplit(args, ";", -1);
	int step = 0, tid;
	bool ok = true;

	for (gchar **a = actions; *a && ok; a++) {
		const char *colon = strchr(*a, ':');

		if (!**a || !strchr("cCsS", **a)) {
			ok = false;
			break;
		}
		if (**a != 's' && **a != 'S')
			continue;
		if (!colon)
			step = g->g_tid ? g->g_tid : stop_thread(m, g);
		else if (parse_tid(colon + 1, &tid))
			step = tid > 0 ? tid : stop_thread(m, g);
		else
			ok = false;
	}
	g_strfreev(actions);
	if (!ok || (step && !find_task(m, step))) {
		reply(g, "E22");
		return GDB_STAY;
	}
	return resume(m, g, step);
}

/* ---- monitor commands ---- */

static void monitor_walk(struct task *t, const char *arg, GString *out)
{
	struct walk_trace w;
	struct vma *vma;
	uint64_t va;

	if (!parse_u64(arg, 0, &va)) {
		g_string_append_printf(out, "monitor walk: expected an address, got '%s'\n",
				       arg ? arg : "");
		return;
	}
	walk_trace(t->mm->phys, t->mm->pgd, va, FAULT_READ, &w);
	g_string_append_printf(out, "walk of %#" PRIx64 " for a read by task %d:\n", va, t->tid);
	explain_write_walk(out, &w);
	vma = va >> VA_BITS ? NULL : vma_lookup(t->mm, va);
	g_string_append(out, "  vma: ");
	if (vma)
		vma_format_maps_line(vma, out);
	else
		g_string_append(out, "none\n");
}

static void describe_entry(void *arg, int cache, const struct tlb_entry *e)
{
	GString *out = arg;

	g_string_append_printf(out, "    %-3s va %#014" PRIx64 " %s asid %u%s\n", tlb_cache_name(cache),
			       e->tag << e->shift, e->shift == 12 ? "4K" : e->shift == 21 ? "2M" : "1G",
			       e->asid, e->global ? " global" : "");
}

static void monitor_tlb(struct machine *m, const char *arg, GString *out)
{
	const struct tlb_stats *s;
	struct sim_cpu *c;
	uint64_t n;

	if (!parse_u64(arg, 0, &n) || n >= (uint64_t)m->opt.cpus) {
		g_string_append_printf(out, "monitor tlb: expected a CPU number from 0 to %d, got '%s'\n",
				       m->opt.cpus - 1, arg ? arg : "");
		return;
	}
	c = &m->cpus[n];
	g_string_append_printf(out, "cpu %d, running %s", c->id, c->current ? "task " : "nothing");
	if (c->current)
		g_string_append_printf(out, "%d", c->current->tid);
	if (!c->agent->tlb) {
		g_string_append(out, "\n  tlb: not modelled (--tlb off)\n");
		return;
	}
	s = tlb_stats(c->agent->tlb);
	g_string_append_printf(out, ", %s TLB\n", tlb_asid_tagged(c->agent->tlb) ? "ASID-tagged"
									: "untagged");
	for (int k = 0; k < TLB_NR_CACHES; k++)
		g_string_append_printf(out, "  %-3s %" PRIu64 " hits, %" PRIu64 " misses\n",
				       tlb_cache_name(k), s->hits[k], s->misses[k]);
	g_string_append_printf(out, "  walks %" PRIu64 " (%" PRIu64 " descriptor reads), walk cache %"
			       PRIu64 " hits, %" PRIu64 " misses\n", s->walks, s->walk_reads,
			       s->pwc_hits, s->pwc_misses);
	g_string_append_printf(out, "  flushes: %" PRIu64 " whole, %" PRIu64 " by ASID, %" PRIu64
			       " by page\n  entries:\n", s->flushes_all, s->flushes_asid, s->flushes_page);
	tlb_for_each_entry(c->agent->tlb, describe_entry, out);
}

static void monitor_stats(struct machine *m, struct gdbstub *g, GString *out)
{
	struct report_node *run = report_build(m, g->argv, g->envp, m->exit_status);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (f) {
		report_write_text(run, f);
		fclose(f);
		g_string_append(out, text);
	}
	free(text);
	report_free(run);
}

static const char monitor_help[] =
	"monitor walk ADDR   the walk of ADDR in the thread's page tables, level by level\n"
	"monitor vmas        the thread's memory map (/proc/PID/maps)\n"
	"monitor tlb CPU     what that simulated CPU's TLB model counted and holds\n"
	"monitor stats       the --stats figures of the run so far\n";

static void run_monitor(struct machine *m, struct gdbstub *g, const char *line, GString *out)
{
	gchar **words = g_strsplit_set(line, " \t", 3);
	struct task *t = g_task(m, g);
	const char *cmd = words[0] ? words[0] : "", *arg = cmd[0] ? words[1] : NULL;

	if (!t && strcmp(cmd, "stats"))
		g_string_append(out, "monitor: no live thread\n");
	else if (!strcmp(cmd, "walk"))
		monitor_walk(t, arg, out);
	else if (!strcmp(cmd, "vmas"))
		mm_format_maps(t->mm, out);
	else if (!strcmp(cmd, "tlb"))
		monitor_tlb(m, arg, out);
	else if (!strcmp(cmd, "stats"))
		monitor_stats(m, g, out);
	else if (!strcmp(cmd, "help"))
		g_string_append(out, monitor_help);
	else
		g_string_append_printf(out, "monitor: unknown command '%s'; try 'monitor help'\n", cmd);
	g_strfreev(words);
}

/* qRcmd,HEX: the command's text goes back in `O` packets, then OK. */
static void handle_rcmd(struct machine *m, struct gdbstub *g, const char *hex)
{
	GString *line = g_string_new(NULL), *out = g_string_new(NULL);
	uint8_t byte;

	for (; hex[0] && hex[1]; hex += 2) {
		if (!parse_hex(hex, &byte, 1) || !byte)
			break;
		g_string_append_c(line, (char)byte);
	}
	if (*hex) {
		reply(g, "E22");
	} else {
		run_monitor(m, g, line->str, out);
		for (size_t at = 0; at < out->len; at += MONITOR_CHUNK) {
			GString *packet = g_string_new("O");

			append_hex(packet, (const uint8_t *)out->str + at, MIN(MONITOR_CHUNK, out->len - at));
			gdb_conn_send(&g->conn, packet->str, packet->len);
			g_string_free(packet, TRUE);
		}
		reply(g, "OK");
	}
	g_string_free(line, TRUE);
	g_string_free(out, TRUE);
}

/* ---- the session ---- */

static enum gdb_action handle_query(struct machine *m, struct gdbstub *g, const char *p)
{
	char buf[80];

	if (g_str_has_prefix(p, "qSupported")) {
		snprintf(buf, sizeof(buf), "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+",
			 GDB_PACKET_MAX);
		reply(g, buf);
	} else if (!strcmp(p, "QStartNoAckMode")) {
		reply(g, "OK");
		g->conn.noack = true;
	} else if (g_str_has_prefix(p, "qXfer:features:read:")) {
		handle_features(g, p + strlen("qXfer:features:read:"));
	} else if (g_str_has_prefix(p, "qAttached")) {
		reply(g, "0");	/* mmusim started the program: quitting gdb kills it */
	} else if (!strcmp(p, "qC")) {
		snprintf(buf, sizeof(buf), "QC%x", stop_thread(m, g));
		reply(g, buf);
	} else if (!strcmp(p, "qfThreadInfo")) {
		handle_threads(m, g);
	} else if (!strcmp(p, "qsThreadInfo")) {
		reply(g, "l");
	} else if (g_str_has_prefix(p, "qThreadExtraInfo,")) {
		handle_extra_info(m, g, p + strlen("qThreadExtraInfo,"));
	} else if (g_str_has_prefix(p, "qRcmd,")) {
		handle_rcmd(m, g, p + strlen("qRcmd,"));
	} else if (g_str_has_prefix(p, "qSymbol")) {
		reply(g, "OK");
	} else {
		reply(g, "");
	}
	return GDB_STAY;
}

/* H[gc]TID: g chooses the registers' and memory's thread; c is taken by
 * s and c (vCont names its own). */
static void handle_set_thread(struct machine *m, struct gdbstub *g, const char *p)
{
	int tid;

	if ((p[0] != 'g' && p[0] != 'c') || !parse_tid(p + 1, &tid) || (tid > 0 && !find_task(m, tid))) {
		reply(g, "E01");
		return;
	}
	if (p[0] == 'g')
		g->g_tid = tid > 0 ? tid : 0;
	reply(g, "OK");
}

static enum gdb_action handle_packet(struct machine *m, struct gdbstub *g, const char *p)
{
	int tid;

	switch (p[0]) {
	case '?':
		g->asked = true;
		reply_stop(m, g);
		return GDB_STAY;
	case 'q':
	case 'Q':
		return handle_query(m, g, p);
	case 'H':
		handle_set_thread(m, g, p + 1);
		return GDB_STAY;
	case 'T':
		reply(g, parse_tid(p + 1, &tid) && find_task(m, tid) ? "OK" : "E01");
		return GDB_STAY;
	case 'g':
		handle_read_regs(m, g);
		return GDB_STAY;
	case 'G':
		handle_write_regs(m, g, p + 1);
		return GDB_STAY;
	case 'p':
	case 'P':
		handle_one_reg(m, g, p + 1, p[0] == 'P');
		return GDB_STAY;
	case 'm':
		handle_read_mem(m, g, p + 1);
		return GDB_STAY;
	case 'M':
		handle_write_mem(m, g, p + 1);
		return GDB_STAY;
	case 'Z':
	case 'z':
		handle_breakpoint(m, g, p + 1, p[0] == 'Z');
		return GDB_STAY;
	case 'c':
		return resume(m, g, 0);
	case 's':
		return resume(m, g, g->g_tid ? g->g_tid : stop_thread(m, g));
	case 'v':
		if (!strcmp(p, "vCont?")) {
			reply(g, "vCont;c;C;s;S");
			return GDB_STAY;
		}
		if (g_str_has_prefix(p, "vCont;"))
			return handle_vcont(m, g, p + strlen("vCont;"));
		reply(g, "");
		return GDB_STAY;
	case 'D':
		reply(g, "OK");
		return GDB_DETACH;
	case 'k':
		return GDB_KILL;
	default:
		reply(g, "");
		return GDB_STAY;
	}
}

/* The debugger is gone (detached, or the connection lost): its
 * breakpoints go too, and the guest runs on as without it. */
static void hang_up(struct machine *m, struct gdbstub *g)
{
	remove_all_breakpoints(m, g);
	g->step_tid = g->pass_tid = 0;
	g->stop_pending = false;
	g->gone = true;
	gdb_conn_close(&g->conn);
}

static void let_go(struct machine *m, struct gdbstub *g, const char *why)
{
	hang_up(m, g);
	fprintf(m->log, "mmusim: gdb %s; the guest runs on\n", why);
}

/* Serve the debugger while it holds the guest; `t` is loaded. */
static enum gdb_action serve(struct machine *m, struct gdbstub *g, struct task *t)
{
	GString *packet = g_string_new(NULL);
	enum gdb_action action = GDB_STAY;

	cpu_save_context(m->cpu, t->ctx);
	if (g->asked)
		reply_stop(m, g);
	while (action == GDB_STAY) {
		switch (gdb_conn_recv(&g->conn, packet, SERVE_POLL_MS)) {
		case GDB_RECV_PACKET:
			action = handle_packet(m, g, packet->str);
			break;
		case GDB_RECV_CLOSED:
			let_go(m, g, "closed the connection");
			action = GDB_DETACH;
			break;
		case GDB_RECV_NONE:
			if (hostsig_pending())
				action = GDB_KILL;
			break;
		}
	}
	g_string_free(packet, TRUE);
	cpu_load_context(m->cpu, t->ctx, t->mm);	/* with what the debugger wrote */
	if (action == GDB_DETACH && !g->gone)
		let_go(m, g, "detached");
	return action;
}

static void stop_for(struct gdbstub *g, int tid, int signal)
{
	g->stop_pending = true;
	g->stop_tid = tid;
	g->stop_signal = signal;
}

/* Accept the debugger's connection; false if a host signal came first. */
static bool accept_debugger(struct gdbstub *g)
{
	struct pollfd p = { .fd = g->listen_fd, .events = POLLIN };
	int fd, one = 1;

	for (;;) {
		if (hostsig_pending())
			return false;
		if (poll(&p, 1, SERVE_POLL_MS) <= 0)
			continue;
		fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	gdb_conn_init(&g->conn, fd);
	g->connected = true;
	return true;
}

/* While the guest runs: an interrupt (Ctrl-C) stops it, a lost connection
 * lets it go. */
static void look_for_interrupt(struct machine *m, struct gdbstub *g, struct task *t)
{
	GString *ignored = g_string_new(NULL);

	if (gdb_conn_recv(&g->conn, ignored, 0) == GDB_RECV_CLOSED)
		let_go(m, g, "closed the connection");
	else if (g->conn.interrupt)
		stop_for(g, t->tid, G_SIGINT);
	g->conn.interrupt = false;
	g_string_free(ignored, TRUE);
}

bool gdbstub_before_run(struct machine *m, struct task *t)
{
	struct gdbstub *g = m->gdb;
	enum gdb_action action = GDB_RESUME;

	if (g->gone)
		return true;
	if (!g->connected) {
		if (!accept_debugger(g))
			return false;
		stop_for(g, t->tid, G_SIGTRAP);
		g->g_tid = t->tid;
	} else if (!g->stop_pending) {
		look_for_interrupt(m, g, t);
	}
	if (g->stop_pending)
		action = serve(m, g, t);
	if (action == GDB_KILL) {
		if (!hostsig_pending()) {
			fprintf(m->log, "mmusim: gdb killed the guest\n");
			machine_exit(m, 128 + G_SIGKILL);
		}
		hang_up(m, g);
		return false;
	}
	if (!g->gone)
		cpu_debug_next_run(m->cpu, t->tid == g->step_tid,
				   t->tid == g->step_tid || t->tid == g->pass_tid);
	return true;
}

void gdbstub_after_run(struct machine *m, struct task *t, const struct cpu_exit *e,
		       uint64_t insns_before)
{
	struct gdbstub *g = m->gdb;
	bool retired = cpu_insns(m->cpu) > insns_before;	/* the first instruction ran */

	if (g->gone)
		return;
	if (t->tid == g->pass_tid && retired)
		g->pass_tid = 0;
	if (t->tid == g->step_tid && retired)
		g->step_tid = 0;
	else if (e->event != CPU_DEBUG_STOP)
		return;
	stop_for(g, t->tid, G_SIGTRAP);
}

/* GDB's number for a Linux signal: its protocol numbers signals as the old
 * Unix systems did (gdb/signals.def); the ones below 16 but BUS, USR1 and
 * USR2 agree with Linux's (and G_SIGINT, G_SIGTRAP are sent as they are). */
static int gdb_signal(int signo)
{
	switch (signo) {
	case G_SIGBUS: return 10;
	case G_SIGUSR1: return 30;
	case G_SIGUSR2: return 31;
	case G_SIGSTKFLT: return 143;	/* GDB_SIGNAL_UNKNOWN */
	case G_SIGCHLD: return 20;
	case G_SIGCONT: return 19;
	case G_SIGSTOP: return 17;
	case G_SIGTSTP: return 18;
	case G_SIGURG: return 16;
	case G_SIGIO: return 23;
	case G_SIGPWR: return 32;
	case G_SIGSYS: return 12;
	default: return signo;
	}
}

void gdbstub_close(struct machine *m, int status)
{
	struct gdbstub *g = m->gdb;
	struct process *p = m->init;
	char buf[16];

	if (!g)
		return;
	if (g->connected && !g->gone) {
		if (p && p->zombie && (p->wait_status & 0x7f))
			snprintf(buf, sizeof(buf), "X%02x", gdb_signal(p->wait_status & 0x7f));
		else if (p && p->zombie)
			snprintf(buf, sizeof(buf), "W%02x", (p->wait_status >> 8) & 0xff);
		else if (status > 128)
			snprintf(buf, sizeof(buf), "X%02x", gdb_signal(status - 128));
		else
			snprintf(buf, sizeof(buf), "W%02x", status & 0xff);
		reply(g, buf);
	}
	gdb_conn_close(&g->conn);
	close(g->listen_fd);
	g_hash_table_destroy(g->breakpoints);
	g_free(g);
	m->gdb = NULL;
}
