/*
 * The guest's /proc and /sys (sim/procfs*.c, sim/sysfs.c) against
 * independently known answers: smaps counts and pagemap bits of a known
 * layout, hand-computed and equal to what this host's kernel answers to
 * the same program built for it; the errno of bad requests, as the host
 * kernel gives them; the layout of status and smaps, as the host kernel
 * prints them (keys and number formats, not values); and busybox ps, free
 * and top seeing exactly the simulated machine.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

TestSuite(procfs, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* Two pages of data, written and synced to disk, so that the host kernel
 * too maps clean file pages. */
static gchar *clean_two_page_file(void)
{
	gchar *path = tmp_path("data");
	char page[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	cr_assert_geq(fd, 0);
	for (int i = 0; i < 2; i++) {
		memset(page, 'a' + i, sizeof(page));
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	}
	cr_assert_eq(fsync(fd), 0);
	close(fd);
	return path;
}

/* Hand-computed (kB; a page is 4): 3 written anonymous pages of 8, private
 * and dirty; 2 written shared anonymous pages (not Anonymous); 2 read file
 * pages, clean.  In the child both share the anonymous and shared pages
 * (Pss half); once it writes anon page 0 that page is its own. */
static const char procmem_expected[] =
	"parent anon   Rss=12 Pss=12 Pss_Dirty=12 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 Private_Dirty=12 Anonymous=12\n"
	"parent shared Rss=8 Pss=8 Pss_Dirty=8 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 Private_Dirty=8 Anonymous=0\n"
	"parent file   Rss=8 Pss=8 Pss_Dirty=0 Shared_Clean=0 Shared_Dirty=0 Private_Clean=8 Private_Dirty=0 Anonymous=0\n"
	"parent anon   pagemap p--x ---- p--x ---- ---- p--x ---- ----\n"
	"parent shared pagemap p-fx p-fx ---- ----\n"
	"parent file   pagemap p-fx p-fx\n"
	"frames of anon pages 0 and 2 differ: yes\n"
	"child anon   Rss=12 Pss=6 Pss_Dirty=6 Shared_Clean=0 Shared_Dirty=12 Private_Clean=0 Private_Dirty=0 Anonymous=12\n"
	"child shared Rss=8 Pss=4 Pss_Dirty=4 Shared_Clean=0 Shared_Dirty=8 Private_Clean=0 Private_Dirty=0 Anonymous=0\n"
	"child anon   pagemap p--- ---- p--- ---- ---- p--- ---- ----\n"
	"child shared pagemap p-f- p-f- ---- ----\n"
	"child shares the frame of anon page 2: yes\n"
	"written anon   Rss=12 Pss=8 Pss_Dirty=8 Shared_Clean=0 Shared_Dirty=8 Private_Clean=0 Private_Dirty=4 Anonymous=12\n"
	"written anon   pagemap p--x ---- p--- ---- ---- p--- ---- ----\n"
	"child's anon page 0 has a new frame: yes\n";

Test(procfs, smaps_and_pagemap_of_a_known_layout)
{
	gchar *data = clean_two_page_file();
	struct result m = run_mmusim(GUEST("procmem"), data, NULL);
	struct result h = run_argv((const char *const[]){ HOST_PROCMEM_PATH, data, NULL });

	expect_status(&m, 0);
	cr_expect_str_eq(m.out, procmem_expected);
	cr_expect_str_eq(h.out, procmem_expected, "the host kernel says:\n%s", h.out);
	result_free(&m);
	result_free(&h);
	g_free(data);
}

Test(procfs, bad_requests_get_the_kernels_errno)
{
	struct result m = run_mmusim(GUEST("procerr"), NULL);
	struct result h = run_argv((const char *const[]){ HOST_PROCERR_PATH, NULL });

	expect_status(&m, 0);
	expect_contains("mmusim", m.out, "open /proc/2147483647/status                 ENOENT\n");
	expect_contains("mmusim", m.out, "pagemap pread at offset 3                    EINVAL\n");
	expect_contains("mmusim", m.out, "mem pread of an unmapped page                EIO\n");
	expect_contains("mmusim", m.out, "it reads back                                yes\n");
	/* Forced writes (FOLL_FORCE): copy-on-write into read-only private
	 * pages, which stay read-only; none into a read-only shared one. */
	expect_contains("mmusim", m.out, "the page holds                               A\n");
	expect_contains("mmusim", m.out, "a store of its own faults                    SIGSEGV\n");
	expect_contains("mmusim", m.out, "made readable, it holds                      C\n");
	expect_contains("mmusim", m.out, "another read-only page reads                 0\n");
	/* A zombie keeps its directory until reaped (proc(5)); /proc/mounts
	 * is a link to self/mounts. */
	expect_contains("mmusim", m.out, "zombie: stat /proc/PID                       ok\n");
	expect_contains("mmusim", m.out, "zombie: stat state                           Z\n");
	expect_contains("mmusim", m.out, "zombie: stat exit_code                       768\n");
	expect_contains("mmusim", m.out, "zombie: status State                         Z (zombie)\n");
	expect_contains("mmusim", m.out, "zombie: maps bytes                           0\n");
	expect_contains("mmusim", m.out, "reaped: stat /proc/PID                       ENOENT\n");
	expect_contains("mmusim", m.out, "readlink /proc/mounts                        self/mounts\n");
	expect_contains("mmusim", m.out, "VmPeak counts an unmapped 64 MB mapping      yes\n");
	expect_contains("mmusim", m.out, "VmSize is back                               yes\n");
	expect_contains("mmusim", m.out, "mem pwrite to a read-only shared page        EIO\n");
	expect_contains("mmusim", m.out, "the mapping has it, the file and another not yes\n");
	cr_expect_str_eq(m.out, h.out);
	result_free(&m);
	result_free(&h);
}

/* What a value looks like: "kB" (a tab, then a number right-aligned in 8
 * columns and " kB"), "hex16", "number" (decimal, hex or a mask), or
 * "text". */
static const char *value_kind(const char *value)
{
	size_t len = strlen(value);

	if (len == 12 && value[0] == '\t' && g_str_has_suffix(value, " kB"))
		return "kB";
	if (len == 17 && value[0] == '\t' && strspn(value + 1, "0123456789abcdef") == 16)
		return "hex16";
	if (value[0] == '\t' && len > 1 && strspn(value + 1, "0123456789abcdefx,") == len - 1)
		return "number";
	return "text";
}

/* Every "Key:value" line of `ours` must be in `theirs`, in the same order
 * and with a value of the same kind. */
static void expect_same_layout(const char *ours, const char *theirs)
{
	gchar **mine = g_strsplit(ours, "\n", -1), **host = g_strsplit(theirs, "\n", -1);
	int j = 0;

	for (int i = 0; mine[i] && mine[i][0]; i++) {
		const char *colon = strchr(mine[i], ':');
		size_t key_len = colon ? (size_t)(colon - mine[i] + 1) : 0;

		cr_assert(colon, "no key in '%s'", mine[i]);
		while (host[j] && strncmp(host[j], mine[i], key_len))
			j++;
		cr_assert(host[j], "'%.*s' is not in the host's file, or out of order", (int)key_len, mine[i]);
		if (strcmp(value_kind(host[j] + key_len), "text"))
			cr_expect_str_eq(value_kind(mine[i] + key_len), value_kind(host[j] + key_len),
					 "'%s' is laid out unlike the host's '%s'", mine[i], host[j]);
		j++;
	}
	g_strfreev(mine);
	g_strfreev(host);
}

Test(procfs, status_is_laid_out_as_linux_prints_it)
{
	struct result m = run_mmusim(GUEST("catproc"), "/proc/self/status", NULL);
	struct result h = run_argv((const char *const[]){ HOST_CATPROC_PATH, "/proc/self/status", NULL });

	expect_status(&m, 0);
	expect_same_layout(m.out, h.out);
	/* The guest runs as root; its parent is outside (as getppid says). */
	expect_contains("status", m.out, "\nUid:\t0\t0\t0\t0\n");
	expect_contains("status", m.out, "\nPid:\t100\nPPid:\t1\n");
	expect_contains("status", m.out, "\nCpus_allowed_list:\t0-3\n");
	result_free(&m);
	result_free(&h);
}

/* The block of the first VMA of an smaps text, up to VmFlags. */
static gchar *first_block(const char *smaps)
{
	const char *end = strstr(smaps, "VmFlags:");

	cr_assert(end, "no VmFlags line in:\n%s", smaps);
	return g_strndup(strchr(smaps, '\n') + 1, (gsize)(end - strchr(smaps, '\n') - 1));
}

Test(procfs, smaps_has_linuxs_fields_in_order)
{
	struct result m = run_mmusim(GUEST("catproc"), "/proc/self/smaps", NULL);
	struct result h = run_argv((const char *const[]){ HOST_CATPROC_PATH, "/proc/self/smaps", NULL });
	gchar *ours, *theirs, **keys_m, **keys_h;
	GString *km = g_string_new(NULL), *kh = g_string_new(NULL);

	expect_status(&m, 0);
	ours = first_block(m.out);
	theirs = first_block(h.out);
	keys_m = g_strsplit(ours, "\n", -1);
	keys_h = g_strsplit(theirs, "\n", -1);
	for (int i = 0; keys_m[i]; i++)
		g_string_append_printf(km, "%.*s|", (int)strcspn(keys_m[i], ":"), keys_m[i]);
	for (int i = 0; keys_h[i]; i++)
		g_string_append_printf(kh, "%.*s|", (int)strcspn(keys_h[i], ":"), keys_h[i]);
	cr_expect_str_eq(km->str, kh->str);
	expect_same_layout(ours, theirs);
	g_strfreev(keys_m);
	g_strfreev(keys_h);
	g_string_free(km, TRUE);
	g_string_free(kh, TRUE);
	g_free(ours);
	g_free(theirs);
	result_free(&m);
	result_free(&h);
}

/* ps lists exactly the simulated processes: the shell (100) and ps (101)
 * (a command after it keeps the shell from exec'ing ps). */
Test(procfs, busybox_ps_lists_the_simulated_processes)
{
	struct result r = run_mmusim(BB, "sh", "-c", BB " ps -o pid,ppid,comm; exit", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "PID   PPID  COMMAND\n"
				"  100     1 busybox\n"
				"  101   100 busybox\n");
	result_free(&r);
}

/* /proc/PID/stat's CPU times are the ones times(2) reports (the shell's
 * `times` prints them in seconds, stat in 1/100 s), its minflt the
 * address space's faults, its priority 20 + nice. */
Test(procfs, stat_shows_cpu_times_faults_and_nice)
{
	struct result r = run_mmusim(BB, "sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; "
				     "times; cat /proc/$$/stat", NULL);
	unsigned um, us, uf, sm, ss, sf;
	char **line, **field;

	expect_status(&r, 0);
	line = g_strsplit(r.out, "\n", -1);
	cr_assert(g_strv_length(line) >= 3, "%s", r.out);
	cr_assert_eq(sscanf(line[0], "%um%u.%3us %um%u.%3us", &um, &us, &uf, &sm, &ss, &sf), 6, "%s", line[0]);
	field = g_strsplit(line[2], " ", -1);
	cr_assert(g_strv_length(field) == 52, "%s", line[2]);
	cr_expect_gt(atoll(field[13]), 0, "the loop took CPU time: %s", line[2]);
	cr_expect_eq(atoll(field[13]), (um * 60 + us) * 100 + uf / 10, "utime: %s vs %s", line[0], line[2]);
	cr_expect_eq(atoll(field[14]), (sm * 60 + ss) * 100 + sf / 10, "stime: %s vs %s", line[0], line[2]);
	cr_expect_gt(atoll(field[9]), 0, "minflt: %s", line[2]);
	cr_expect_str_eq(field[17], "20");
	cr_expect_str_eq(field[18], "0");
	g_strfreev(field);
	g_strfreev(line);
	result_free(&r);
}

/* free and top read /proc/meminfo: the total is --mem. */
Test(procfs, busybox_free_and_top_see_the_simulated_memory)
{
	struct result r = run_mmusim("--mem", "64M", BB, "free", NULL);

	expect_status(&r, 0);
	expect_contains("free", r.out, "Mem:          65536 ");
	expect_contains("free", r.out, "Swap:             0           0           0\n");
	result_free(&r);

	r = run_mmusim("--mem", "64M", BB, "sh", "-c", BB " top -n 1 -b; exit", NULL);
	expect_status(&r, 0);
	expect_contains("top", r.out, "Load average: 0.00 0.00 0.00 1/2 101\n");
	expect_contains("top", r.out, "\n  100     1 root     S");
	expect_contains("top", r.out, "\n  101   100 root     R");
	result_free(&r);
}

Test(procfs, system_files_describe_the_machine)
{
	struct result r = run_mmusim("--mem", "64M", "--cpus", "3", GUEST("catproc"), "/proc/meminfo",
				     "/sys/devices/system/cpu/online", "/sys/devices/system/cpu/possible",
				     "/proc/sys/vm/overcommit_memory", "/proc/sys/vm/max_map_count", NULL);

	expect_status(&r, 0);
	cr_expect(g_str_has_prefix(r.out, "MemTotal:          65536 kB\n"), "%s", r.out);
	expect_contains("cat", r.out, "\nSwapTotal:             0 kB\n");
	expect_contains("cat", r.out, "0-2\n0-2\n0\n65530\n");
	result_free(&r);

	r = run_mmusim("--cpus", "3", BB, "ls", "/sys/devices/system/cpu", "/sys/kernel/mm", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "/sys/devices/system/cpu:\ncpu0\ncpu1\ncpu2\nkernel_max\nonline\npossible\npresent\n\n"
				"/sys/kernel/mm:\n");
	result_free(&r);

	/* A kernel without CONFIG_TRANSPARENT_HUGEPAGE has no such directory. */
	r = run_mmusim(BB, "ls", "/sys/kernel/mm/transparent_hugepage", NULL);
	expect_status(&r, 1);
	expect_contains("ls", r.err, "No such file or directory");
	result_free(&r);
}

/* fd/ lists the guest's descriptors only; task/ its threads; the
 * simulated time is the same on every run. */
Test(procfs, descriptors_threads_and_time_are_the_guests)
{
	struct result r = run_mmusim(BB, "sh", "-c", "exec 7</dev/null; " BB " ls /proc/self/fd /proc/self/task; "
				     BB " readlink /proc/self/fd/7", NULL);
	struct result a, b;

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "/proc/self/fd:\n0\n1\n2\n3\n7\n\n/proc/self/task:\n101\n/dev/null\n");
	result_free(&r);

	a = run_mmusim(GUEST("catproc"), "/proc/uptime", "/proc/stat", NULL);
	b = run_mmusim(GUEST("catproc"), "/proc/uptime", "/proc/stat", NULL);
	expect_status(&a, 0);
	cr_expect_str_eq(a.out, b.out);
	result_free(&a);
	result_free(&b);
}

/* /proc/self/mounts lists mmusim's mount table in the layout of proc(5):
 * the root first (read-only without --writable), then /proc, /sys, the
 * designs' and each --tmpfs in the order they were made, a space in a
 * mount point as \040. */
Test(procfs, mounts_list_the_simulated_mount_table)
{
	struct result r = run_mmusim("--tmpfs", "/scratch", "--tmpfs", "/a b", BB, "cat", "/proc/self/mounts", NULL);
	const char *proc = strstr(r.out, "\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
	const char *sys = strstr(r.out, "\nsysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n");
	const char *scratch = strstr(r.out, "\ntmpfs /scratch tmpfs rw,relatime 0 0\n");
	const char *spaced = strstr(r.out, "\ntmpfs /a\\040b tmpfs rw,relatime 0 0\n");

	expect_status(&r, 0);
	cr_expect(g_str_has_prefix(r.out, "/dev/root / ") && strstr(r.out, " ro,relatime 0 0\n") &&
		  strchr(r.out, '\n') == strstr(r.out, " ro,relatime 0 0\n") + 16,
		  "the root first, read-only:\n%s", r.out);
	cr_expect(proc && sys && scratch && spaced && proc < sys && sys < scratch && scratch < spaced,
		  "/proc, /sys, /scratch, /a b in order:\n%s", r.out);
	result_free(&r);
}
