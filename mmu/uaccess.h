/*
 * uaccess: the simulator reading and writing guest memory on the guest's
 * behalf (system-call buffers, the initial stack), as copy_{from,to}_user do
 * in the kernel: through the mm's own page tables, faulting pages in as the
 * guest would.  A pointer the guest may not use gives -EFAULT; exhausted
 * simulated memory gives -ENOMEM.
 */
#ifndef MMU_UACCESS_H
#define MMU_UACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "mmu/mm.h"

int copy_from_user(struct mm *mm, void *dst, uint64_t src, size_t len);
int copy_to_user(struct mm *mm, uint64_t dst, const void *src, size_t len);
/* copy_to_user for a caller that can sleep and copy the rest later (a
 * read(2)): a page whose fault must wait (a userfaultfd range) stops the
 * copy with -EAGAIN and the channel the fault waits on; *done counts the
 * bytes copied (before an error too). */
int copy_to_user_sleepable(struct mm *mm, uint64_t dst, const void *src, size_t len,
			   size_t *done, const void **channel);
/* Copy a NUL-terminated string of at most size-1 bytes; returns its length,
 * -EFAULT, or -ENAMETOOLONG when no NUL comes within `size` bytes. */
long strncpy_from_user(struct mm *mm, char *dst, uint64_t src, size_t size);
/* A debugger's access within one page (/proc/PID/mem, Linux's
 * access_remote_vm with FOLL_FORCE): a write may go to a private mapping
 * the guest may not write, copying the page first (copy-on-write); the
 * entry and the VMA stay read-only.  A shared mapping must be writable.
 * Reads are copy_from_user's.  0 or -EFAULT/-ENOMEM. */
int access_remote_vm(struct mm *mm, uint64_t addr, void *buf, size_t len, bool write);
/* The same reads without faulting anything in or counting a fault, after
 * Linux's *_nofault (for --strace, which must not change the run it
 * watches): -EFAULT unless every byte needed is already mapped. */
int copy_from_user_nofault(struct mm *mm, void *dst, uint64_t src, size_t len);
long strncpy_from_user_nofault(struct mm *mm, char *dst, uint64_t src, size_t size);
/* Like copy_from_user_nofault within one page, but a page not in memory
 * (never touched, or not faulted in for want of memory) reads as a fault
 * would fill it: its file's bytes, zeros for anonymous memory.  Nothing is
 * allocated.  -EFAULT outside a VMA the guest may read or execute, and for
 * shared memory. */
int peek_user_backing(struct mm *mm, void *dst, uint64_t src, size_t len);

#endif
