/*
 * Files served by mmusim itself: the guest's /proc, checked against what
 * the guest's own ELF headers say its layout must be, against qemu's
 * answers (cmdline, exe) and against the kernel's rules (ENOENT for names
 * mmusim does not serve, never the host's /proc); and the socket calls on
 * descriptors that are not sockets, against the same program built for
 * this host and run on its kernel.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

TestSuite(files, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define PAGE 4096u
#define TRUNC(x) ((x) & ~(uint64_t)(PAGE - 1))
#define ROUND(x) TRUNC((x) + PAGE - 1)

struct maps_line {
	uint64_t start, end, offset, ino;
	char perms[5];
	unsigned major, minor;
	const char *name;	/* "" for none */
};

/* Parse /proc/PID/maps text; each line must have Linux's layout: the name,
 * if any, from column 74. */
static GArray *parse_maps(const char *text)
{
	GArray *lines = g_array_new(FALSE, TRUE, sizeof(struct maps_line));
	gchar **rows = g_strsplit(text, "\n", -1);

	for (int i = 0; rows[i] && rows[i][0]; i++) {
		struct maps_line l = { 0 };
		int used = 0;

		cr_assert_eq(sscanf(rows[i], "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
				    &l.start, &l.end, l.perms, &l.offset, &l.major, &l.minor, &l.ino, &used),
			     7, "not a maps line: '%s'", rows[i]);
		cr_expect(used == (int)strlen(rows[i]) || used == 73,
			  "name not at column 74 in '%s'", rows[i]);
		l.name = g_strdup(rows[i] + used);
		g_array_append_val(lines, l);
	}
	g_strfreev(rows);
	return lines;
}

static const struct maps_line *line_at(GArray *lines, uint64_t addr)
{
	for (guint i = 0; i < lines->len; i++) {
		const struct maps_line *l = &g_array_index(lines, struct maps_line, i);

		if (l->start <= addr && addr < l->end)
			return l;
	}
	return NULL;
}

/* The program headers of a static ELF64 file. */
static Elf64_Phdr *read_phdrs(const char *path, int *count)
{
	gchar *data;
	gsize len;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;

	cr_assert(g_file_get_contents(path, &data, &len, NULL), "cannot read %s", path);
	memcpy(&eh, data, sizeof(eh));
	ph = g_new(Elf64_Phdr, eh.e_phnum);
	memcpy(ph, data + eh.e_phoff, eh.e_phnum * sizeof(*ph));
	*count = eh.e_phnum;
	g_free(data);
	return ph;
}

/* busybox cat /proc/self/maps: every page of each PT_LOAD segment mapped
 * from the file at the right offset with the segment's permissions (the
 * PT_GNU_RELRO pages made read-only by the C library), bss anonymous, the
 * heap right after the highest segment, the stack on top; nothing of the
 * host's (mmusim's own x86-64 mappings). */
Test(files, proc_self_maps_is_the_guests_layout)
{
	struct result r = run_mmusim(BB, "cat", "/proc/self/maps", NULL);
	int nph;
	Elf64_Phdr *ph = read_phdrs(BB, &nph);
	uint64_t relro_start = 0, relro_end = 0, top = 0;
	GArray *lines;
	const struct maps_line *heap = NULL, *last;

	expect_status(&r, 0);
	expect_not_contains("stdout", r.out, MMUSIM_PATH);
	lines = parse_maps(r.out);
	cr_assert_gt(lines->len, 3);
	for (int i = 0; i < nph; i++) {
		if (ph[i].p_type == PT_GNU_RELRO) {
			relro_start = TRUNC(ph[i].p_vaddr);
			relro_end = TRUNC(ph[i].p_vaddr + ph[i].p_memsz);
		}
	}
	for (int i = 0; i < nph; i++) {
		uint64_t va = ph[i].p_vaddr;

		if (ph[i].p_type != PT_LOAD)
			continue;
		top = MAX(top, ROUND(va + ph[i].p_memsz));
		for (uint64_t page = TRUNC(va); page < ROUND(va + ph[i].p_memsz); page += PAGE) {
			const struct maps_line *l = line_at(lines, page);
			bool from_file = page < ROUND(va + ph[i].p_filesz);
			bool relro = page >= relro_start && page < relro_end;
			char perms[5] = {
				ph[i].p_flags & PF_R ? 'r' : '-',
				ph[i].p_flags & PF_W && !relro ? 'w' : '-',
				ph[i].p_flags & PF_X ? 'x' : '-', 'p', 0,
			};

			cr_assert_not_null(l, "page %#" PRIx64 " of segment %d not in maps:\n%s", page, i, r.out);
			cr_expect_str_eq(l->perms, perms, "page %#" PRIx64, page);
			if (from_file) {
				cr_expect_str_eq(l->name, BB, "page %#" PRIx64, page);
				cr_expect_eq(l->offset + (page - l->start), TRUNC(ph[i].p_offset) + (page - TRUNC(va)),
					     "file offset of page %#" PRIx64, page);
				cr_expect_neq(l->ino, 0);
			} else {
				cr_expect_str_eq(l->name, "", "bss page %#" PRIx64, page);
				cr_expect(l->ino == 0 && l->major == 0 && l->minor == 0);
			}
		}
	}
	for (guint i = 0; i < lines->len; i++)
		if (!strcmp(g_array_index(lines, struct maps_line, i).name, "[heap]"))
			heap = &g_array_index(lines, struct maps_line, i);
	cr_assert_not_null(heap, "no [heap] in:\n%s", r.out);
	cr_expect_eq(heap->start, top, "the heap starts at %#" PRIx64 ", not after the bss (%#" PRIx64 ")",
		     heap->start, top);
	cr_expect_str_eq(heap->perms, "rw-p");
	last = &g_array_index(lines, struct maps_line, lines->len - 1);
	cr_expect_str_eq(last->name, "[stack]");
	cr_expect_str_eq(last->perms, "rw-p");
	cr_expect_leq(last->end, UINT64_C(1) << 48, "beyond AArch64's 48-bit user space: %#" PRIx64, last->end);
	for (guint i = 0; i < lines->len; i++)
		g_free((gchar *)g_array_index(lines, struct maps_line, i).name);
	g_array_free(lines, TRUE);
	g_free(ph);
	result_free(&r);
}

/* /proc/self is the caller's pid: the shell's $$, which exec keeps. */
Test(files, proc_self_links_to_the_callers_pid)
{
	struct result r = run_mmusim(BB, "sh", "-c", "echo $$; exec " BB " readlink /proc/self", NULL);
	gchar **pids;

	expect_status(&r, 0);
	pids = g_strsplit(r.out, "\n", -1);
	cr_assert(pids[0] && pids[1], "two lines expected: %s", r.out);
	cr_expect(pids[0][0] >= '1' && pids[0][0] <= '9', "not a pid: %s", pids[0]);
	cr_expect_str_eq(pids[1], pids[0]);
	g_strfreev(pids);
	result_free(&r);
	/* And it is a directory of the process's files. */
	r = run_mmusim(BB, "ls", "/proc/self/", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "cmdline\ncomm\ncwd\nenviron\nexe\nfd\nfdinfo\nmaps\nmem\nmounts\npagemap\nsmaps\n"
				"smaps_rollup\nstat\nstatm\nstatus\ntask\n");
	result_free(&r);
}

/* cmdline and exe as qemu (which serves its own /proc/self) gives them. */
Test(files, proc_self_cmdline_and_exe_as_qemu)
{
	struct result r = expect_same_as_qemu((const char *const[]){ BB, "od", "-c", "/proc/self/cmdline", NULL });

	result_free(&r);
	r = expect_same_as_qemu((const char *const[]){ BB, "readlink", "/proc/self/exe", NULL });
	cr_expect_str_eq(r.out, BB "\n");
	result_free(&r);
}

/* Names mmusim does not serve are ENOENT, never the host's files (which
 * all exist on this host: pid 1 is its init). */
Test(files, unknown_proc_files_are_enoent)
{
	const char *paths[] = { "/proc/version", "/proc/self/oom_score", "/proc/self/fd/99", "/proc/1/maps",
				"/proc/sys/vm/swappiness", "/proc/self/../1/cmdline", "/sys/kernel/mm/ksm" };

	for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
		struct result r = run_mmusim(BB, "cat", paths[i], NULL);

		expect_status(&r, 1);
		cr_expect_str_eq(r.out, "", "cat %s read something", paths[i]);
		expect_contains("stderr", r.err, "No such file or directory");
		result_free(&r);
	}
}

/* man 2 getpeername: EBADF for what is no descriptor (O_PATH ones
 * included), ENOTSOCK for one that is not a socket; the host's kernel
 * gives the same answers to the same program built for it. */
Test(files, getpeername_on_non_sockets)
{
	const char *expected = "closed descriptor: EBADF\n"
			       "negative descriptor: EBADF\n"
			       "descriptor beyond every table: EBADF\n"
			       "standard output: ENOTSOCK\n"
			       "regular file: ENOTSOCK\n"
			       "directory: ENOTSOCK\n"
			       "O_PATH descriptor: EBADF\n"
			       "pipe read end: ENOTSOCK\n"
			       "pipe write end: ENOTSOCK\n";
	struct result m = run_mmusim(GUEST("notsock"), NULL);
	struct result h = run_argv((const char *const[]){ HOST_NOTSOCK_PATH, NULL });

	expect_status(&m, 0);
	cr_expect_str_eq(h.out, expected, "the host kernel says:\n%s", h.out);
	cr_expect_str_eq(m.out, h.out);
	cr_expect_str_eq(m.err, "");
	result_free(&m);
	result_free(&h);
}

/* readlink of what is not a link is EINVAL (man 2 readlink), for a host
 * file as for a /proc file: as under qemu (the kernel's answer), where
 * busybox says "not a symlink". */
Test(files, readlink_of_a_non_link_is_einval)
{
	const char *paths[] = { "/etc/passwd", "/proc/self/maps" };

	for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
		struct result r = expect_same_as_qemu((const char *const[]){ BB, "readlink", "-v", paths[i], NULL });

		expect_contains("stderr", r.err, "not a symlink");
		result_free(&r);
	}
}
