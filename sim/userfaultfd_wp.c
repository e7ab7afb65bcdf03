/*
 * UFFDIO_WRITEPROTECT: struct uffdio_writeprotect { range, mode } (24
 * bytes); mode WP protects, 0 resolves and wakes, DONTWAKE resolves
 * without waking, WP with DONTWAKE and unknown bits are EINVAL, as Linux's
 * userfaultfd_writeprotect.  The memory side is mmu/userfault/wp.
 */
#include <errno.h>

#include "mmu/uaccess.h"
#include "mmu/userfault/wp.h"
#include "sim/userfaultfd_file.h"

#define UFFDIO_WRITEPROTECT_MODE_WP		UINT64_C(1)
#define UFFDIO_WRITEPROTECT_MODE_DONTWAKE	UINT64_C(2)

long uffd_ioctl_writeprotect(struct userfault_ctx *ctx, struct mm *mm, uint64_t arg)
{
	uint64_t w[3];	/* range start, len; mode */
	bool wp, dontwake;

	if (ctx->mmap_changing)
		return -EAGAIN;
	if (copy_from_user(mm, w, arg, sizeof(w)))
		return -EFAULT;
	wp = w[2] & UFFDIO_WRITEPROTECT_MODE_WP;
	dontwake = w[2] & UFFDIO_WRITEPROTECT_MODE_DONTWAKE;
	if (userfault_validate_range(w[0], w[1]) ||
	    (w[2] & ~(UFFDIO_WRITEPROTECT_MODE_WP | UFFDIO_WRITEPROTECT_MODE_DONTWAKE)) || (wp && dontwake))
		return -EINVAL;
	return userfault_writeprotect(ctx, w[0], w[1], wp, !dontwake);
}
