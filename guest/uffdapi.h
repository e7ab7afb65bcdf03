/*
 * uffdapi: the parts of Linux 6.12's <linux/userfaultfd.h> newer than the
 * headers the guests are built with (Debian bookworm's): UFFDIO_MOVE,
 * UFFDIO_POISON, and the features WP_HUGETLBFS_SHMEM, WP_UNPOPULATED and
 * WP_ASYNC.
 * Facts of the uapi, defined only where the header lacks them.
 */
#ifndef GUEST_UFFDAPI_H
#define GUEST_UFFDAPI_H

#include <linux/userfaultfd.h>

#ifndef UFFD_FEATURE_WP_HUGETLBFS_SHMEM
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM		(1 << 12)
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED		(1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC			(1 << 15)
#endif
#ifndef UFFDIO_POISON
#define UFFD_FEATURE_POISON			(1 << 14)
#define _UFFDIO_POISON				0x08
#define UFFDIO_POISON_MODE_DONTWAKE		((__u64)1 << 0)
struct uffdio_poison {
	struct uffdio_range range;
	__u64 mode;
	__s64 updated;
};
#define UFFDIO_POISON _IOWR(UFFDIO, _UFFDIO_POISON, struct uffdio_poison)
#endif
#ifndef UFFDIO_MOVE
#define UFFD_FEATURE_MOVE			(1 << 16)
#define _UFFDIO_MOVE				0x05
#define UFFDIO_MOVE_MODE_DONTWAKE		((__u64)1 << 0)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES	((__u64)1 << 1)
struct uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move;
};
#define UFFDIO_MOVE _IOWR(UFFDIO, _UFFDIO_MOVE, struct uffdio_move)
#endif

#endif
