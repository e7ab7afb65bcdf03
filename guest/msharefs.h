/*
 * msharefs.h: the uapi of the mshare RFC v3 (2024), <linux/msharefs.h>,
 * which no released kernel has: the ioctls of a region file on msharefs
 * (mounted at /sys/fs/mshare).  mmusim serves them (sim/msharefs.c).
 */
#ifndef GUEST_MSHAREFS_H
#define GUEST_MSHAREFS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MSHAREFS_GET_SIZE	_IOR('x', 0,  struct mshare_info)
#define MSHAREFS_SET_SIZE	_IOW('x', 1,  struct mshare_info)
#define MSHAREFS_CREATE_MAPPING	_IOW('x', 2,  struct mshare_create)

struct mshare_info {
	__u64 start;
	__u64 size;
};

struct mshare_create {
	__u64 addr;
	__u64 size;
	__u64 offset;
	__u32 prot;
	__u32 flags;
	__u32 fd;
};

#define MSHARE_MAGIC 0x4d534852	/* "MSHR", the RFC's <linux/magic.h> */

#endif
