/*
 * UFFDIO_CONTINUE: struct uffdio_continue { range; mode; s64 mapped } (32
 * bytes), as Linux 6.12's userfaultfd_continue: while an event waits to be
 * read, -EAGAIN (also written to mapped) before the struct is read; then
 * the range must be valid and the mode only DONTWAKE and WP (else EINVAL);
 * `mapped` gets the bytes mapped or the error, the call 0 when all of the
 * range was mapped, -EAGAIN when part was.  The memory side is
 * mmu/userfault/minor.
 */
#include <errno.h>

#include "mmu/uaccess.h"
#include "mmu/userfault/userfault.h"
#include "sim/userfaultfd_file.h"
#include "sim/userfaultfd_fill.h"

#define UFFDIO_CONTINUE_MODE_DONTWAKE	UINT64_C(1)
#define UFFDIO_CONTINUE_MODE_WP		UINT64_C(2)

long uffd_ioctl_continue(struct machine *m, struct userfault_ctx *ctx, struct mm *mm, uint64_t arg)
{
	uint64_t c[3];		/* range start, len; mode; then mapped */
	struct userfault_work work = { 0 };
	long ret;

	if (ctx->mmap_changing)
		return uffd_fill_result(mm, arg + sizeof(c), -EAGAIN, 0);
	if (copy_from_user(mm, c, arg, sizeof(c)))
		return -EFAULT;
	ret = userfault_validate_range(c[0], c[1]);
	if (ret)
		return ret;
	if (c[2] & ~(UFFDIO_CONTINUE_MODE_DONTWAKE | UFFDIO_CONTINUE_MODE_WP))
		return -EINVAL;
	ret = userfault_continue(ctx, c[0], c[1],
				 (c[2] & UFFDIO_CONTINUE_MODE_DONTWAKE ? 0 : USERFAULT_FILL_WAKE) |
					 (c[2] & UFFDIO_CONTINUE_MODE_WP ? USERFAULT_FILL_WP : 0),
				 &work);
	uffd_charge_work(m, &work);
	return uffd_fill_result(mm, arg + sizeof(c), ret, c[1]);
}
