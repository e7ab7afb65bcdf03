/*
 * vm_file: the file behind a file-backed mapping.  It owns a host file
 * descriptor (read with pread, never written) and the name shown in VMA maps;
 * mappings share it by reference count, so closing the guest descriptor does
 * not end the mapping.  Its pages are read into the page cache of its host
 * file (device and inode), which every vm_file of that file in the same
 * simulated RAM shares while one of them holds it, as Linux's page cache is
 * the inode's: separate mmaps of one file map the same frames.
 */
#ifndef MMU_VM_FILE_H
#define MMU_VM_FILE_H

#include <stdint.h>

#include "mmu/mm_types.h"

struct vm_file;

/* Takes ownership of `host_fd`. */
struct vm_file *vm_file_new(int host_fd, const char *name);
struct vm_file *vm_file_get(struct vm_file *file);
void vm_file_put(struct vm_file *file);
const char *vm_file_name(const struct vm_file *file);

/* Fill one page from byte `offset`, zero past end of file.  -ENXIO when the
 * whole page lies beyond end of file (the kernel's SIGBUS case), -EIO on a
 * host read error. */
int vm_file_read_page(struct vm_file *file, uint64_t offset, void *page);

/* The ops of a VMA mapping a vm_file privately (vm_private_data): a missing
 * page is read from the file; past its end, SIGBUS. */
extern const struct vm_ops file_vm_ops;

#endif
