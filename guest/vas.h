/*
 * vas.h: first-class virtual address spaces under mmusim, the interface of
 * the 2017 RFC ("Introduce first class virtual address spaces", Till
 * Smejkal): its sixteen calls with mmusim's numbers (MMUSIM_SYSCALL_BASE +
 * 0..15 in the RFC's order; its own 291-306 are taken on arm64 today) and
 * the structures of its <linux/vas.h>.  A program written for the RFC's
 * interface builds with this header and runs unchanged.
 */
#ifndef MMUSIM_GUEST_VAS_H
#define MMUSIM_GUEST_VAS_H

#include "mmusim.h"

#define __NR_vas_create		(MMUSIM_SYSCALL_BASE + 0)
#define __NR_vas_delete		(MMUSIM_SYSCALL_BASE + 1)
#define __NR_vas_find		(MMUSIM_SYSCALL_BASE + 2)
#define __NR_vas_attach		(MMUSIM_SYSCALL_BASE + 3)
#define __NR_vas_detach		(MMUSIM_SYSCALL_BASE + 4)
#define __NR_vas_switch		(MMUSIM_SYSCALL_BASE + 5)
#define __NR_active_vas		(MMUSIM_SYSCALL_BASE + 6)
#define __NR_vas_getattr	(MMUSIM_SYSCALL_BASE + 7)
#define __NR_vas_setattr	(MMUSIM_SYSCALL_BASE + 8)
#define __NR_vas_seg_create	(MMUSIM_SYSCALL_BASE + 9)
#define __NR_vas_seg_delete	(MMUSIM_SYSCALL_BASE + 10)
#define __NR_vas_seg_find	(MMUSIM_SYSCALL_BASE + 11)
#define __NR_vas_seg_attach	(MMUSIM_SYSCALL_BASE + 12)
#define __NR_vas_seg_detach	(MMUSIM_SYSCALL_BASE + 13)
#define __NR_vas_seg_getattr	(MMUSIM_SYSCALL_BASE + 14)
#define __NR_vas_seg_setattr	(MMUSIM_SYSCALL_BASE + 15)

#define SYS_vas_create		__NR_vas_create
#define SYS_vas_delete		__NR_vas_delete
#define SYS_vas_find		__NR_vas_find
#define SYS_vas_attach		__NR_vas_attach
#define SYS_vas_detach		__NR_vas_detach
#define SYS_vas_switch		__NR_vas_switch
#define SYS_active_vas		__NR_active_vas
#define SYS_vas_getattr		__NR_vas_getattr
#define SYS_vas_setattr		__NR_vas_setattr
#define SYS_vas_seg_create	__NR_vas_seg_create
#define SYS_vas_seg_delete	__NR_vas_seg_delete
#define SYS_vas_seg_find	__NR_vas_seg_find
#define SYS_vas_seg_attach	__NR_vas_seg_attach
#define SYS_vas_seg_detach	__NR_vas_seg_detach
#define SYS_vas_seg_getattr	__NR_vas_seg_getattr
#define SYS_vas_seg_setattr	__NR_vas_seg_setattr

#define VAS_MAX_NAME_LENGTH 256		/* with the terminating NUL */

/* As the RFC's uapi: __kernel_mode_t, __kernel_uid_t, __kernel_gid_t are
 * 32-bit unsigned on arm64. */
struct vas_attr {
	unsigned int mode;
	unsigned int user;
	unsigned int group;
};

struct vas_seg_attr {
	unsigned int mode;
	unsigned int user;
	unsigned int group;
};

#endif
