/*
 * uffdminor: userfaultfd MINOR mode on shmem (UFFD_FEATURE_MINOR_SHMEM).
 * A memfd is mapped shared twice: `m` registered MINOR, `alias` not, as a
 * VM's guest memory and its manager's view.  A page the object holds but
 * `m` does not map faults to the handler (flag MINOR, and WRITE for a
 * write), one page at a time (no fault-around), a fallocated page too; the
 * handler changes the page through the alias and maps it with CONTINUE.
 * A page the object lacks faults as usual.  CONTINUE's errors (EFAULT
 * without a page, EEXIST over an entry, EINVAL, ENOENT) and its partial
 * count; a private mapping of the memfd and shared anonymous memory; MINOR
 * on private anonymous memory is EINVAL.  Every line is the same on a real
 * kernel (tests/host-uffdminor).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create, fallocate */
#endif
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>

#include "uffdlog.h"

#define PAGE 4096
#define PAGES 4
#define FAULTS 6	/* what the handler serves */
#define CONTINUE_MODE_WP (UINT64_C(1) << 1)	/* UFFDIO_CONTINUE_MODE_WP (Linux 6.12) */

static char *m, *alias, *private_map, *anon;
static int uffd;

/* CONTINUE [at, at + len): the ioctl's result; its "mapped" in *mapped. */
static long cont(char *at, long len, uint64_t mode, int64_t *mapped)
{
	struct uffdio_continue c = { .range = { (uintptr_t)at, (uint64_t)len }, .mode = mode };
	long ret = ioctl(uffd, UFFDIO_CONTINUE, &c);

	*mapped = c.mapped;
	return ret;
}

/* The main thread's CONTINUE: two lines, the result and "mapped". */
static void show_cont(const char *what, char *at, long len, uint64_t mode)
{
	int64_t mapped;

	show(what, cont(at, len, mode, &mapped));
	errno = (int)-mapped;
	show("  mapped", mapped < 0 ? -1 : mapped);
}

/* Serve FAULTS minor faults: a page of `m` gets 'A' + its index through
 * the alias first; the other ranges' pages are mapped as they are. */
static void *handler(void *arg)
{
	(void)arg;
	for (int n = 0; n < FAULTS; n++) {
		struct pollfd pfd = { .fd = uffd, .events = POLLIN };
		struct uffd_msg msg;
		const char *where;
		int64_t mapped;
		char *page, *base;

		if (poll(&pfd, 1, -1) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg)) {
			note("read", -1);
			return NULL;
		}
		page = (char *)(uintptr_t)(msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1));
		base = page >= m && page < m + PAGES * PAGE ? m : page >= anon && page < anon + PAGE ? anon : private_map;
		where = base == m ? "fault in m, page" : base == anon ? "fault in anon, page" : "fault in private, page";
		note(where, (long)((page - base) / PAGE));
		note("flags", (long)msg.arg.pagefault.flags);
		if (base == m)
			alias[page - m] = (char)('A' + (page - m) / PAGE);
		note("continue", cont(page, PAGE, 0, &mapped));
		errno = (int)-mapped;
		note("  mapped", mapped < 0 ? -1 : mapped);
	}
	return NULL;
}

static long reg(char *at, long len, uint64_t mode, uint64_t *ioctls)
{
	struct uffdio_register r = { .range = { (uintptr_t)at, (uint64_t)len }, .mode = mode };
	long ret = ioctl(uffd, UFFDIO_REGISTER, &r);

	if (ioctls)
		*ioctls = r.ioctls;
	return ret;
}

int main(void)
{
	int fd = memfd_create("uffdminor", 0);
	uint64_t offered, ioctls = 0;
	char *priv_anon, *missing_map;
	pthread_t th;

	setvbuf(stdout, NULL, _IONBF, 0);
	uffd = uffd_open(0, &offered);
	show("MINOR_SHMEM offered", !!(offered & UFFD_FEATURE_MINOR_SHMEM));
	show("ftruncate", ftruncate(fd, PAGES * PAGE));
	m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	alias = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	private_map = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	anon = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	priv_anon = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	missing_map = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	alias[0] = 'a';
	alias[PAGE] = 'b';
	show("fallocate page 3", fallocate(fd, 0, 3 * PAGE, PAGE));
	show("register MINOR on private anonymous memory", reg(priv_anon, PAGE, UFFDIO_REGISTER_MODE_MINOR, NULL));
	show("register MISSING on private anonymous memory", reg(priv_anon, PAGE, UFFDIO_REGISTER_MODE_MISSING, NULL));
	show("register m", reg(m, PAGES * PAGE, UFFDIO_REGISTER_MODE_MINOR, &ioctls));
	show("  CONTINUE in its ioctls", !!(ioctls & (UINT64_C(1) << _UFFDIO_CONTINUE)));
	show("  WRITEPROTECT in its ioctls", !!(ioctls & (UINT64_C(1) << _UFFDIO_WRITEPROTECT)));
	show("register private", reg(private_map, PAGES * PAGE, UFFDIO_REGISTER_MODE_MINOR, NULL));
	show("register missing_map MISSING", reg(missing_map, PAGES * PAGE, UFFDIO_REGISTER_MODE_MISSING, &ioctls));
	show("  CONTINUE in its ioctls", !!(ioctls & (UINT64_C(1) << _UFFDIO_CONTINUE)));
	show_cont("continue where the object has no page", m + 2 * PAGE, PAGE, 0);
	show_cont("continue on private anonymous memory", priv_anon, PAGE, 0);
	show_cont("continue outside any range", alias, PAGE, 0);
	show_cont("continue with an unknown mode", m, PAGE, 4);
	show_cont("continue with mode WP", m, PAGE, CONTINUE_MODE_WP);
	show_cont("continue unaligned", m + 1, PAGE, 0);
	show_cont("continue in a MISSING range", missing_map, PAGE, 0);
	show("  missing_map page 0", missing_map[0]);

	pthread_create(&th, NULL, handler, NULL);
	show("m page 2: not in the object, no fault, no fault-around", m[2 * PAGE]);
	show("m page 0", m[0]);					/* fault 1 */
	show("m page 1", m[PAGE]);				/* fault 2 */
	m[3 * PAGE] = 'w';					/* fault 3: fallocated */
	show("m page 3 written", m[3 * PAGE]);
	show("alias page 3", alias[3 * PAGE]);
	show_cont("continue over a mapped page", m, PAGE, 0);
	show("private page 1", private_map[PAGE]);		/* fault 4 */
	private_map[PAGE] = 'p';				/* a private copy */
	show("private page 1 written", private_map[PAGE]);
	show("alias page 1: not the private copy", alias[PAGE]);
	private_map[2 * PAGE] = 'q';				/* fault 5 */
	show("alias page 2", alias[2 * PAGE]);
	anon[0] = 's';
	show("zap anon", madvise(anon, PAGE, MADV_DONTNEED));
	show("register anon", reg(anon, PAGE, UFFDIO_REGISTER_MODE_MINOR, NULL));
	show("anon page 0", anon[0]);				/* fault 6 */
	pthread_join(th, NULL);
	print_log();

	show("zap m pages 0-1", madvise(m, 2 * PAGE, MADV_DONTNEED));
	show_cont("continue pages 0-1, DONTWAKE", m, 2 * PAGE, UFFDIO_CONTINUE_MODE_DONTWAKE);
	show("m page 1", m[PAGE]);
	show("zap m pages 0-1", madvise(m, 2 * PAGE, MADV_DONTNEED));
	show("punch hole over page 1", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PAGE, PAGE));
	show_cont("continue pages 0-1", m, 2 * PAGE, 0);
	show("m page 0", m[0]);
	show("m page 1: a new page, no fault", m[PAGE]);
	return 0;
}
