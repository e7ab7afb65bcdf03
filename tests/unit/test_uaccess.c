/*
 * uaccess: the simulator touching guest memory through the guest's own
 * tables, faulting pages in as the guest would.
 *
 * Frame numbers: mm_create() takes 0x1000 for the root; the first page
 * faulted in gets 0x2000 and the tables 0x3000-0x5000, the second page
 * (same level-3 table) 0x6000.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "mmu/mm.h"
#include "mmu/uaccess.h"
#include "mmu/vm_file.h"
#include "tests/unit/mmu_test.h"

TestSuite(uaccess, .init = mmu_setup, .fini = mmu_teardown);
TestSuite(uaccess_oom, .fini = mmu_teardown);

#define X UINT64_C(0x20000000)

static void put_bytes(uint64_t addr, const void *src, size_t len)
{
	cr_assert_eq(copy_to_user(fx.mm, addr, src, len), 0);
}

static const char *host(phys_addr_t pa)
{
	return phys_to_host(fx.phys, pa);
}

Test(uaccess, copy_crosses_a_page_boundary)
{
	const char msg[16] = "0123456789abcdef";
	char back[16] = { 0 };

	map_fixed(X, 2 * PG, VM_RW, 0);
	put_bytes(X + 0xff8, msg, sizeof(msg));
	cr_expect_eq(fx.stats.faults[FAULT_KIND_ANON], 2);
	cr_expect_eq(frame_at(fx.mm, X), 0x2000);
	cr_expect_eq(frame_at(fx.mm, X + PG), 0x6000);
	cr_expect_arr_eq(host(0x2000 + 0xff8), "01234567", 8, "tail of the first page");
	cr_expect_arr_eq(host(0x6000), "89abcdef", 8, "head of the second page");

	cr_assert_eq(copy_from_user(fx.mm, back, X + 0xff8, sizeof(back)), 0);
	cr_expect_arr_eq(back, msg, sizeof(msg));
	cr_expect_eq(fx.stats.faults[FAULT_KIND_ANON], 2, "no further faults");
}

Test(uaccess, fresh_anonymous_memory_reads_as_zero)
{
	uint8_t buf[64];

	memset(buf, 0xff, sizeof(buf));
	map_fixed(X, PG, VM_READ, 0);
	cr_assert_eq(copy_from_user(fx.mm, buf, X + 100, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_expect_eq(buf[i], 0, "byte %zu", i);
}

Test(uaccess, unmapped_addresses_are_efault)
{
	uint64_t v = 1;

	map_fixed(X, PG, VM_RW, 0);
	cr_expect_eq(copy_from_user(fx.mm, &v, X + PG, sizeof(v)), -EFAULT);
	cr_expect_eq(copy_to_user(fx.mm, X - 8, &v, sizeof(v)), -EFAULT);
	cr_expect_eq(copy_to_user(fx.mm, X + PG - 4, &v, sizeof(v)), -EFAULT, "runs off the VMA");
	cr_expect_eq(copy_from_user(fx.mm, &v, TASK_SIZE - 4, sizeof(v)), -EFAULT);
	cr_expect_eq(copy_from_user(fx.mm, &v, UINT64_C(0xffff800000000000), sizeof(v)), -EFAULT);
	/* X + PG, X - 8, X + PG again (after X + PG - 4 faulted in fine),
	 * TASK_SIZE - 4; the kernel-half address is refused before any fault. */
	cr_expect_eq(fx.stats.faults[FAULT_KIND_MAPERR], 4);
	cr_expect_eq(copy_to_user(fx.mm, 0x1234, &v, 0), 0, "nothing to copy");
}

Test(uaccess, permissions_are_those_of_the_guest)
{
	uint64_t v = 1;

	map_fixed(X, PG, VM_READ, 0);
	map_fixed(X + PG, PG, VM_NONE, 0);
	cr_expect_eq(copy_to_user(fx.mm, X, &v, sizeof(v)), -EFAULT, "read-only");
	cr_expect_eq(copy_from_user(fx.mm, &v, X, sizeof(v)), 0);
	cr_expect_eq(v, 0);
	cr_expect_eq(copy_from_user(fx.mm, &v, X + PG, sizeof(v)), -EFAULT, "PROT_NONE");
	cr_expect_eq(fx.stats.faults[FAULT_KIND_ACCERR], 2);
}

Test(uaccess, writing_a_shared_cow_page_copies_it)
{
	struct mm *child;

	map_fixed(X, PG, VM_RW, 0);
	poke_u64(fx.mm, X, 111);
	child = fork_mm();
	poke_u64(child, X, 222);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_COW_COPY], 1);
	cr_expect_eq(peek_u64(child, X), 222);
	cr_expect_eq(peek_u64(fx.mm, X), 111);
	mm_destroy(child);
}

Test(uaccess, writing_executable_memory_invalidates_code)
{
	const uint64_t insn = UINT64_C(0xd503201fd503201f);	/* two AArch64 NOPs */

	map_fixed(X, PG, VM_READ | VM_WRITE | VM_EXEC, 0);
	put_bytes(X + 0x10, &insn, sizeof(insn));
	/* One from the fault that brought the page in, one for the bytes written. */
	cr_assert_eq(nr_code_invals(), 2);
	cr_expect_eq(code_inval_nr(0).start, X);
	cr_expect_eq(code_inval_nr(0).end, X + PG);
	cr_expect_eq(code_inval_nr(1).start, X + 0x10);
	cr_expect_eq(code_inval_nr(1).end, X + 0x18);
}

Test(uaccess, copy_from_user_nofault_never_faults)
{
	uint64_t v = 0;

	map_fixed(X, PG, VM_RW, 0);
	cr_expect_eq(copy_from_user_nofault(fx.mm, &v, X, sizeof(v)), -EFAULT, "not faulted in yet");
	cr_expect_eq(data_frames(), 0);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_ANON], 0);
	poke_u64(fx.mm, X, 0x77);
	cr_expect_eq(copy_from_user_nofault(fx.mm, &v, X, sizeof(v)), 0);
	cr_expect_eq(v, 0x77);
}

/* A page not in memory reads as the fault would fill it, and nothing is
 * allocated: the bytes of the file behind it (at the mapping's offset), or
 * zeros of anonymous memory. */
Test(uaccess, peek_user_backing_reads_what_a_fault_would_bring)
{
	uint8_t data[2 * 4096];
	struct vm_file *file;
	uint32_t insn = 0;
	uint64_t v = 1;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 4096);
	file = temp_vm_file(data, sizeof(data), "/code");
	map_file(file, X, 1, VM_READ | VM_EXEC, PG);	/* the file's second page */
	vm_file_put(file);
	map_fixed(X + PG, PG, VM_RW, 0);
	cr_expect_eq(copy_from_user_nofault(fx.mm, &insn, X + 0x124, sizeof(insn)), -EFAULT);
	cr_expect_eq(peek_user_backing(fx.mm, &insn, X + 0x124, sizeof(insn)), 0);
	cr_expect_eq(memcmp(&insn, data + 4096 + 0x124, sizeof(insn)), 0, "got %#x", insn);
	cr_expect_eq(peek_user_backing(fx.mm, &v, X + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 0);
	cr_expect_eq(data_frames(), 0, "nothing may be faulted in");
	cr_expect_eq(peek_user_backing(fx.mm, &v, X + 2 * PG, sizeof(v)), -EFAULT, "no VMA there");
	cr_expect_eq(peek_user_backing(fx.mm, &v, X + PG - 4, sizeof(v)), -EFAULT, "crosses a page");
	/* A page in memory reads as it is. */
	poke_u64(fx.mm, X + PG + 8, 0x77);
	cr_expect_eq(peek_user_backing(fx.mm, &v, X + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 0x77);
}

/* ---- strncpy_from_user ---- */

static long strncpy_at(uint64_t addr, char *dst, size_t size)
{
	return strncpy_from_user(fx.mm, dst, addr, size);
}

Test(uaccess, strncpy_copies_up_to_the_nul)
{
	char dst[32];

	map_fixed(X, 2 * PG, VM_RW, 0);
	put_bytes(X, "hello", 6);
	memset(dst, '#', sizeof(dst));
	cr_expect_eq(strncpy_at(X, dst, sizeof(dst)), 5);
	cr_expect_str_eq(dst, "hello");

	put_bytes(X + PG - 4, "abcdefghij", 11);	/* "abcd" | "efghij\0" */
	cr_expect_eq(strncpy_at(X + PG - 4, dst, sizeof(dst)), 10);
	cr_expect_str_eq(dst, "abcdefghij");
}

Test(uaccess, strncpy_without_a_nul_in_size_bytes_is_enametoolong)
{
	char dst[16];

	map_fixed(X, PG, VM_RW, 0);
	put_bytes(X, "12345678", 9);		/* NUL at index 8 */
	cr_expect_eq(strncpy_at(X, dst, 8), -ENAMETOOLONG);
	cr_expect_eq(strncpy_at(X, dst, 9), 8, "size - 1 characters fit");
	cr_expect_str_eq(dst, "12345678");
	cr_expect_eq(strncpy_at(X, dst, 0), -ENAMETOOLONG);
}

Test(uaccess, strncpy_stops_at_an_unmapped_page)
{
	char dst[16];

	map_fixed(X, PG, VM_RW, 0);
	put_bytes(X + PG - 4, "abcd", 4);	/* no NUL before the end of the VMA */
	cr_expect_eq(strncpy_at(X + PG - 4, dst, sizeof(dst)), -EFAULT);
	cr_expect_eq(strncpy_at(X + 2 * PG, dst, sizeof(dst)), -EFAULT);
}

Test(uaccess, strncpy_nofault_stops_at_a_page_not_yet_faulted_in)
{
	char dst[16];
	uint64_t tables;

	map_fixed(X, 2 * PG, VM_RW, 0);
	put_bytes(X + PG - 4, "abcd", 4);	/* the NUL would be on the untouched page */
	tables = table_frames();
	cr_expect_eq(strncpy_from_user_nofault(fx.mm, dst, X + PG - 4, sizeof(dst)), -EFAULT);
	cr_expect_eq(strncpy_from_user_nofault(fx.mm, dst, X + 2 * PG, sizeof(dst)), -EFAULT);
	cr_expect_eq(data_frames(), 1, "the untouched page was faulted in");
	cr_expect_eq(table_frames(), tables);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_ANON], 1, "only put_bytes' fault");
	cr_expect_eq(fx.stats.faults[FAULT_KIND_MAPERR], 0, "the unmapped page counted a fault");
	put_bytes(X + PG - 8, "xyz", 4);
	cr_expect_eq(strncpy_from_user_nofault(fx.mm, dst, X + PG - 8, sizeof(dst)), 3);
	cr_expect_str_eq(dst, "xyz");
}

/* 5 frames: root, data 0x2000, level-1 and level-2 tables; no level 3. */
Test(uaccess_oom, exhausted_memory_is_enomem_not_efault)
{
	uint64_t v = 1;

	mmu_setup_frames(5);
	map_fixed(X, PG, VM_RW, 0);
	cr_expect_eq(copy_to_user(fx.mm, X, &v, sizeof(v)), -ENOMEM);
	cr_expect_eq(copy_from_user(fx.mm, &v, X, sizeof(v)), -ENOMEM);
}
