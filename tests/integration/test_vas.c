/*
 * First-class virtual address spaces (issue 12; sim/sys_vas.c, mmu/vas):
 * guest/vascalls makes every call and prints its result; the expected lines
 * are the RFC's (../shared/notes/designs.md section 1), worked out by hand:
 * ids count from 1 in creation order (a=1, the 255-byte name=2, m=3, b=4,
 * c=5, d=6, list=7; segment s=1), a name of 256 bytes without its NUL is
 * EINVAL (strndup_user), unknown ids EINVAL, unknown names ESRCH, wild
 * pointers EFAULT, mode masked with 0666, one writer or many readers
 * (EBUSY), detaching the active VAS or deleting an attached one EBUSY, a
 * VAS mapping over one of the task's EFAULT, segments page aligned with
 * end > start, and no segment change on a VAS attached anywhere (EBUSY).
 */
#include "harness.h"

TestSuite(vas, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* `guest` prints `expected` with either attach (--vas-attach): lazy fills
 * change costs, never what the guest sees. */
static void expect_lines_both_ways(const char *guest, const char *expected)
{
	static const char *const modes[] = { "eager", "lazy" };

	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
		struct result r = run_mmusim("--vas-attach", modes[i], guest, NULL);

		expect_status(&r, 0);
		cr_expect_str_eq(r.out, expected, "--vas-attach %s", modes[i]);
		result_free(&r);
	}
}

static const char expected[] =
	"create a = 1\n"
	"create a again = EEXIST\n"
	"create 256 chars = EINVAL\n"
	"create 255 chars = 2\n"
	"create wild name = EFAULT\n"
	"find a = 1\n"
	"find nope = ESRCH\n"
	"create m 0777 = 3\n"
	"getattr m = 0\n"
	"m: mode 666 user 0 group 0\n"
	"getattr 99 = EINVAL\n"
	"getattr wild = EFAULT\n"
	"setattr m = 0\n"
	"setattr wild = EFAULT\n"
	"m: mode 640 user 5 group 6\n"
	"delete m = 0\n"
	"delete m again = EINVAL\n"
	"attach bad type = EINVAL\n"
	"attach vid 99 = EINVAL\n"
	"attach pid 99999 = ESRCH\n"
	"attach a rw = 0\n"
	"attach a rw again = 0\n"
	"switch 5 = EINVAL\n"
	"active = 0\n"
	"switch 1 = 0\n"
	"switch 1 again = 0\n"
	"active = 1\n"
	"mmap in a = 1\n"
	"detach active = EBUSY\n"
	"delete attached = EBUSY\n"
	"switch 0 = 0\n"
	"original sees a's page: no\n"
	"child active = 0\n"
	"child switch 1 = EINVAL\n"
	"detach a = 0\n"
	"detach a again = EINVAL\n"
	"attach a ro = 0\n"
	"switch 1 = 0\n"
	"a's page after the merge: hello\n"
	"kernel write to ro page = EFAULT\n"
	"switch 0 = 0\n"
	"detach a = 0\n"
	"attach self ro = 0\n"
	"attach child rw = EBUSY\n"
	"attach child ro = 0\n"
	"delete while attached = EBUSY\n"
	"detach self = 0\n"
	"attach self rw after child exit = 0\n"
	"detach self = 0\n"
	"delete a = 0\n"
	"find a = ESRCH\n"
	"create b = 4\n"
	"attach b over own mapping = EFAULT\n"
	"seg create s = 1\n"
	"seg create s again = EEXIST\n"
	"seg create unaligned = EINVAL\n"
	"seg create inverted = EINVAL\n"
	"seg create wild name = EFAULT\n"
	"seg find s = 1\n"
	"seg find x = ESRCH\n"
	"seg getattr = 0\n"
	"s: mode 640 user 0 group 0\n"
	"seg setattr = 0\n"
	"seg getattr 99 = EINVAL\n"
	"seg attach bad vid = EINVAL\n"
	"seg attach bad type = EINVAL\n"
	"seg attach c = 0\n"
	"seg attach d = 0\n"
	"seg delete attached = EBUSY\n"
	"attach c = 0\n"
	"seg detach from attached c = EBUSY\n"
	"switch c = 0\n"
	"attach d = 0\n"
	"d sees: segment\n"
	"seg detach c = 0\n"
	"seg detach c again = EINVAL\n"
	"seg detach d = 0\n"
	"seg delete = 0\n"
	"seg find s = ESRCH\n"
	"find list = 7\n"
	"attach list ro = 0\n"
	"list sum: 60\n"
	;

Test(vas, every_call_answers_as_the_rfc)
{
	expect_lines_both_ways(GUEST("vascalls"), expected);
}

/* A VAS switch is an address-space switch on the running CPU, recorded as
 * switch:vas.  vascalls switches 12 times (switch 1, 0, 1, 0; b, 0; c, 0,
 * d, 0; the child into list, the parent into list: the failed and the
 * no-op calls are not switches).  The default profile at 2 GHz: tagged,
 * switch_mm_asid 150 cycles = 75 ns; untagged, switch_mm_no_asid 250 and
 * tlb_flush_all 200 = 225 ns. */
static void expect_vas_switches(const char *asid_bits, const char *line)
{
	gchar *set = g_strdup_printf("tlb.asid_bits=%s", asid_bits);
	struct result r = run_mmusim("--stats", "--set", set, GUEST("vascalls"), NULL);

	expect_status(&r, 0);
	cr_expect(g_regex_match_simple(line, r.err, G_REGEX_MULTILINE, 0),
		  "no line /%s/ in:\n%s", line, r.err);
	result_free(&r);
	g_free(set);
}

Test(vas, switches_cost_an_mm_switch_with_and_without_asids)
{
	expect_vas_switches("0", "^ +switch:vas +12 +225\\.0 .*switch_mm_no_asid 250, tlb_flush_all 200;");
	expect_vas_switches("16", "^ +switch:vas +12 +75\\.0 .*switch_mm_asid 150;");
}

/* vasswitch 10 rounds: 10 switches into the VAS and 10 back (20 switch:vas),
 * 20 thread switches of the futex ping-pong and 20 process switches of the
 * pipe ping-pong (one CPU: every hand-over is a switch); then 10 creates
 * (vas_attach: 1 for the switches + 10) and 10 forks, each child run when
 * its parent waits and the parent again when it exits: 20 more process
 * switches. */
Test(vas, benchmark_switches_by_kind)
{
	struct result r = run_mmusim("--cpus", "1", "--stats", GUEST("vasswitch"), "10", "2", NULL);

	expect_status(&r, 0);
	expect_contains("stdout", r.out, "vas switch");
	expect_contains("stdout", r.out, "vas create");
	expect_contains("stdout", r.out, "fork");
	cr_expect(g_regex_match_simple("^ +switch:vas +20 ", r.err, G_REGEX_MULTILINE, 0), "%s", r.err);
	cr_expect(g_regex_match_simple("^ +switch:thread +20 ", r.err, G_REGEX_MULTILINE, 0), "%s", r.err);
	cr_expect(g_regex_match_simple("^ +switch:process +40 ", r.err, G_REGEX_MULTILINE, 0), "%s", r.err);
	cr_expect(g_regex_match_simple("^ +syscall:vas_attach +11 ", r.err, G_REGEX_MULTILINE, 0), "%s", r.err);
	result_free(&r);
}

/* Threads share their process's VASes and each has its own active one (the
 * RFC's vas_context, shared by CLONE_VM, and tsk->active_vas).  The lines
 * follow the RFC's vas_detach, which refuses only the target thread's own
 * active VAS: detaching v while the sibling runs in it succeeds, the sibling
 * keeps running in that mm (reads what it wrote), still names v (1) as
 * active, switches back to 0, and can no longer switch to v; the detach
 * merged the sibling's page into v; the sibling's exit leaves w attached
 * (only the last thread detaches everything). */
static const char threads_expected[] =
	"attach v = 0\n"
	"attach w = 0\n"
	"sibling active = 0\n"
	"sibling switch v = 0\n"
	"main active = 0\n"
	"delete v = EBUSY\n"
	"detach v under the sibling = 0\n"
	"sibling active after detach = 1\n"
	"sibling still reads: written by the sibling\n"
	"sibling switch 0 = 0\n"
	"sibling active = 0\n"
	"sibling switch v = EINVAL\n"
	"switch w after the sibling's exit = 0\n"
	"switch 0 = 0\n"
	"attach v ro = 0\n"
	"switch v = 0\n"
	"v holds: written by the sibling\n"
	"switch 0 = 0\n"
	"detach v = 0\n"
	"delete v = 0\n";

Test(vas, threads_share_vases_and_a_sibling_survives_a_detach)
{
	expect_lines_both_ways(GUEST("vasthreads"), threads_expected);
}

/* guest/vasperm: the mode bits against the caller's effective ids.  Root
 * makes VAS p (1) and segment q (1), mode 0640, owner 5 group 7.  Owner
 * (uid 5): rw from the owner bits 6.  Group (uid 6 gid 7): the group bits 4
 * let it attach read-only only; setattr, delete and a segment attach need
 * write to the VAS: EACCES.  Other (uid 6 gid 8): bits 0, but find and
 * getattr need no permission.  A supplementary group 7 counts as the group.
 * A VAS made by uid 6 gid 8 belongs to 6:8.  Root (CAP_DAC_OVERRIDE)
 * attaches a 0600 VAS of uid 5.  Attaching to another process checks only
 * the mode bits (the RFC's weak spot): uid 6 attaches VAS 3, mode 0666, to
 * root's process, which then detaches it. */
static const char perm_expected[] =
	"create p = 1\n"
	"seg create q = 1\n"
	"give p to 5:7 = 0\n"
	"give q to 5:7 = 0\n"
	"owner attach rw = 0\n"
	"owner detach = 0\n"
	"owner seg attach rw = 0\n"
	"owner seg detach = 0\n"
	"owner setattr = 0\n"
	"group attach ro = 0\n"
	"group detach = 0\n"
	"group attach rw = EACCES\n"
	"group attach wo = EACCES\n"
	"group seg attach ro = EACCES\n"
	"group setattr = EACCES\n"
	"group delete = EACCES\n"
	"group seg delete = EACCES\n"
	"other find = 1\n"
	"other getattr = 0\n"
	"other attach ro = EACCES\n"
	"other seg setattr = EACCES\n"
	"supplementary attach rw = EACCES\n"
	"supplementary attach ro = 0\n"
	"uid 6 create = 2\n"
	"mine: mode 600 user 6 group 8\n"
	"uid 6 attach own rw = 0\n"
	"uid 6 detach own = 0\n"
	"root attach rw of 0600 5:7 = 0\n"
	"root detach = 0\n"
	"root delete mine = 0\n"
	"root delete p = 0\n"
	"create open 0666 = 3\n"
	"uid 6 attach open to root's process = 0\n"
	"root detach open = 0\n";

Test(vas, mode_bits_deny_other_users)
{
	expect_lines_both_ways(GUEST("vasperm"), perm_expected);
}

/* guest/vasheap: one side at a time, the heap (one page at the brk of the
 * start) grown to 2 pages in v is in the original after switching out, and
 * grown to 3 outside is in v after switching in; then a thread in v grows
 * it to 8 pages while main grows the original's to 4: both copies changed
 * since the last switch, so the thread's switch out fails with EFAULT, and
 * again at the next try, and it stays in v (1), the RFC's known failure. */
static const char heap_expected[] =
	"start: heap 1 pages\n"
	"attach v = 0\n"
	"switch v = 0\n"
	"in v: heap 2 pages\n"
	"switch 0 = 0\n"
	"original reads: grown in v\n"
	"original: heap 3 pages\n"
	"switch v = 0\n"
	"v reads: grown in v, grown outside\n"
	"switch 0 = 0\n"
	"thread switch v = 0\n"
	"thread in v: heap 8 pages\n"
	"main outside: heap 4 pages\n"
	"thread switch 0 = EFAULT\n"
	"thread switch 0 again = EFAULT\n"
	"thread active = 1\n";

Test(vas, heap_grown_on_both_sides_fails_the_next_switch)
{
	expect_lines_both_ways(GUEST("vasheap"), heap_expected);
}

/* Eager attach copies every entry at vas_attach: no VMA is ever filled
 * lazily and no fault finds its entry already there.  Lazy attach leaves
 * all but code to the first fault, which fills the VMA and then finds the
 * entry present (a spurious fault with pte_install steps). */
Test(vas, lazy_attach_takes_faults_eager_does_not)
{
	struct result eager = run_mmusim("--stats", GUEST("vascalls"), NULL);
	struct result lazy = run_mmusim("--stats", "--vas-attach", "lazy", GUEST("vascalls"), NULL);

	expect_status(&eager, 0);
	expect_status(&lazy, 0);
	cr_expect(g_regex_match_simple("^ +lazy fills +0$", eager.err, G_REGEX_MULTILINE, 0), "%s", eager.err);
	expect_not_contains("eager stats", eager.err, "fault:spurious");
	cr_expect(g_regex_match_simple("^ +lazy fills +[1-9]", lazy.err, G_REGEX_MULTILINE, 0), "%s", lazy.err);
	cr_expect(g_regex_match_simple("^ +fault:spurious +[1-9].*pte_install", lazy.err,
				       G_REGEX_MULTILINE, 0), "%s", lazy.err);
	result_free(&eager);
	result_free(&lazy);
}

Test(vas, vas_attach_option_takes_eager_or_lazy)
{
	struct result r = run_mmusim("--vas-attach", "sometimes", GUEST("vascalls"), NULL);

	expect_status(&r, 2);
	expect_contains("stderr", r.err, "--vas-attach sometimes: expected eager or lazy");
	result_free(&r);
}

/* guest/vasfiles: VAS files (1) "files" 0640 and "other" (2), segment "sg"
 * (1) of two pages at 0x300000000000 mode 0600 attached to files, files
 * attached read-only by the guest (pid 100, root): /sys/kernel/vas lists
 * both VASes by id and segments/, each with its attributes (mode in octal,
 * one reader, the segment's id; the segment's bounds in hex, one VAS);
 * /proc/self/vas lists the one attach, its status as the RFC prints it
 * (type ro), its link to the sysfs directory, and its mappings hold the
 * segment without write (r--s); VAS 3 and an attach the process does not
 * have do not exist; after the detach the directory is empty and the VAS
 * has no reader. */
static const char files_expected[] =
	"ls /sys/kernel/vas: 1 2 segments\n"
	"ls /sys/kernel/vas/1: group mode name readers segments user writers\n"
	"/sys/kernel/vas/1/name: files\n"
	"/sys/kernel/vas/1/mode: 0640\n"
	"/sys/kernel/vas/1/user: 0\n"
	"/sys/kernel/vas/1/group: 0\n"
	"/sys/kernel/vas/1/readers: 1\n"
	"/sys/kernel/vas/1/writers: 0\n"
	"/sys/kernel/vas/1/segments: 1\n"
	"ls /sys/kernel/vas/segments: 1\n"
	"/sys/kernel/vas/segments/1/name: sg\n"
	"/sys/kernel/vas/segments/1/start: 0x300000000000\n"
	"/sys/kernel/vas/segments/1/end: 0x300000002000\n"
	"/sys/kernel/vas/segments/1/mode: 0600\n"
	"/sys/kernel/vas/segments/1/user: 0\n"
	"/sys/kernel/vas/segments/1/group: 0\n"
	"/sys/kernel/vas/segments/1/vases: 1\n"
	"/sys/kernel/vas/3/name: (none)\n"
	"ls /proc/self/vas: 1\n"
	"ls /proc/self/vas/1: mappings status vas\n"
	"/proc/self/vas/1/status: pid:  100\n"
	"vid:  1\n"
	"type: ro\n"
	"/proc/self/vas/1/vas -> /sys/kernel/vas/1\n"
	"/proc/self/vas/1/mappings has: 300000000000-300000002000 r--s\n"
	"/proc/self/vas/2/status: (none)\n"
	"ls /proc/self/vas:\n"
	"/sys/kernel/vas/1/readers: 0\n"
	;

Test(vas, sysfs_and_procfs_show_vases_segments_and_attaches)
{
	expect_lines_both_ways(GUEST("vasfiles"), files_expected);
}
