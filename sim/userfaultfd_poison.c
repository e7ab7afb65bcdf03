/*
 * UFFDIO_POISON: struct uffdio_poison { range, mode; s64 updated } (32
 * bytes), as Linux 6.12's userfaultfd_poison: -EAGAIN (also written to
 * `updated`) while an event is not read; the range must be page aligned
 * and inside the user address space, mode only DONTWAKE (else EINVAL,
 * `updated` untouched); then the count poisoned goes to `updated` and the
 * answer is 0, -EAGAIN for part of the range, or the error.  The memory
 * side is mmu/userfault/poison.
 */
#include <errno.h>

#include "mmu/uaccess.h"
#include "mmu/userfault/poison.h"
#include "sim/userfaultfd_file.h"
#include "sim/userfaultfd_fill.h"

#define UFFDIO_POISON_MODE_DONTWAKE	UINT64_C(1)

long uffd_ioctl_poison(struct machine *m, struct userfault_ctx *ctx, struct mm *mm, uint64_t arg)
{
	uint64_t p[3];		/* range start, len; mode; then updated */
	struct userfault_work work = { 0 };
	long ret;

	if (ctx->mmap_changing)
		return uffd_fill_result(mm, arg + sizeof(p), -EAGAIN, 0);
	if (copy_from_user(mm, p, arg, sizeof(p)))
		return -EFAULT;
	ret = userfault_validate_range(p[0], p[1]);
	if (ret)
		return ret;
	if (p[2] & ~UFFDIO_POISON_MODE_DONTWAKE)
		return -EINVAL;
	ret = userfault_poison(ctx, p[0], p[1], !(p[2] & UFFDIO_POISON_MODE_DONTWAKE), &work);
	uffd_charge_work(m, &work);
	return uffd_fill_result(mm, arg + sizeof(p), ret, p[1]);
}
