/*
 * loader: ELF checks, segment mapping and the initial stack, after Linux's
 * fs/binfmt_elf.c (load_elf_binary, create_elf_tables).
 */
#include "sim/loader.h"

#include <inttypes.h>
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmu/uaccess.h"
#include "mmu/vm_file.h"

/* Where a static-PIE is placed: Linux's ELF_ET_DYN_BASE for a 47-bit user
 * space would be 2/3 of it; we fix it, for reproducible addresses. */
#define ET_DYN_BASE UINT64_C(0x555555554000)
#define MAX_PHNUM 64

/* arm64 hwcaps (arch/arm64/include/uapi/asm/hwcap.h) the emulated
 * Cortex-A72 implements: FP, ASIMD, AES, PMULL, SHA1, SHA2, CRC32. */
#define ELF_HWCAP (1u << 0 | 1u << 1 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7)
#define ELF_PLATFORM "aarch64"

struct elf_file {
	const char *path;
	int fd;
	off_t size;
	Elf64_Ehdr ehdr;
	Elf64_Phdr phdrs[MAX_PHNUM];
};

static int fail(GString *error, int err, const struct elf_file *elf, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static int fail(GString *error, int err, const struct elf_file *elf, const char *fmt, ...)
{
	va_list ap;

	g_string_printf(error, "%s: ", elf->path);
	va_start(ap, fmt);
	g_string_append_vprintf(error, fmt, ap);
	va_end(ap);
	return err;
}

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

static const char *machine_name(unsigned machine)
{
	switch (machine) {
	case EM_X86_64: return "x86-64";
	case EM_386: return "i386";
	case EM_ARM: return "32-bit ARM";
	case EM_RISCV: return "RISC-V";
	case EM_PPC64: return "PowerPC64";
	default: return NULL;
	}
}

static int check_header(const struct elf_file *elf, GString *error)
{
	const Elf64_Ehdr *eh = &elf->ehdr;
	const char *other;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(error, -ENOEXEC, elf, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(error, -ENOEXEC, elf, "a 32-bit ELF file; mmusim runs 64-bit AArch64 programs");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(error, -ENOEXEC, elf, "a big-endian ELF file; mmusim runs little-endian AArch64");
	if (eh->e_machine != EM_AARCH64) {
		other = machine_name(eh->e_machine);
		return other ? fail(error, -ENOEXEC, elf, "an %s executable; mmusim runs AArch64 programs", other)
			     : fail(error, -ENOEXEC, elf, "ELF machine %u is not AArch64", eh->e_machine);
	}
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(error, -ENOEXEC, elf, "not an executable (ELF type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
		return fail(error, -ENOEXEC, elf, "malformed program header table (%u entries of %u bytes)",
			    eh->e_phnum, eh->e_phentsize);
	if (eh->e_phoff > (uint64_t)elf->size ||
	    (uint64_t)elf->size - eh->e_phoff < (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))
		return fail(error, -ENOEXEC, elf, "truncated: the program headers end past the file's %jd bytes",
			    (intmax_t)elf->size);
	return 0;
}

static int check_segments(const struct elf_file *elf, GString *error)
{
	unsigned loads = 0;

	for (unsigned i = 0; i < elf->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &elf->phdrs[i];

		if (ph->p_type == PT_INTERP)
			return fail(error, -ENOEXEC, elf, "a dynamically linked executable; mmusim runs static "
				    "programs only (rebuild with -static)");
		if (ph->p_type != PT_LOAD)
			continue;
		loads++;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset + ph->p_filesz < ph->p_offset ||
		    ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
			return fail(error, -ENOEXEC, elf, "malformed PT_LOAD segment %u", i);
		/* A segment with no file contents (all .bss) may name any offset. */
		if (ph->p_filesz && ph->p_offset + ph->p_filesz > (uint64_t)elf->size)
			return fail(error, -ENOEXEC, elf, "truncated: segment %u needs %ju bytes, the file has %jd",
				    i, (uintmax_t)(ph->p_offset + ph->p_filesz), (intmax_t)elf->size);
		if ((ph->p_vaddr - ph->p_offset) & ~PAGE_MASK)
			return fail(error, -ENOEXEC, elf, "segment %u is not page-aligned in file and memory", i);
	}
	if (!loads)
		return fail(error, -ENOEXEC, elf, "no loadable segment");
	return 0;
}

static int open_elf(struct elf_file *elf, GString *error)
{
	struct stat st;

	if (fstat(elf->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return fail(error, -EACCES, elf, "not a regular file");
	/* Every guest runs as root, who may run a file with any execute bit. */
	if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		return fail(error, -EACCES, elf, "no execute permission (mode %04o)",
			    (unsigned)(st.st_mode & 07777));
	elf->size = st.st_size;
	if (!read_at(elf->fd, &elf->ehdr, sizeof(elf->ehdr), 0))
		return (elf->size >= SELFMAG && !memcmp(&elf->ehdr, ELFMAG, SELFMAG))
			? fail(error, -ENOEXEC, elf, "truncated: %jd bytes, shorter than an ELF header",
			       (intmax_t)elf->size)
			: fail(error, -ENOEXEC, elf, "not an ELF file");
	return 0;
}

static int read_elf(struct elf_file *elf, GString *error)
{
	int err = open_elf(elf, error);

	if (!err)
		err = check_header(elf, error);
	if (!err && !read_at(elf->fd, elf->phdrs, elf->ehdr.e_phnum * sizeof(Elf64_Phdr),
			     (off_t)elf->ehdr.e_phoff))
		err = fail(error, -ENOEXEC, elf, "cannot read the program headers");
	if (!err)
		err = check_segments(elf, error);
	return err;
}

static unsigned segment_prot(const Elf64_Phdr *ph)
{
	return (ph->p_flags & PF_R ? VM_READ : 0) | (ph->p_flags & PF_W ? VM_WRITE : 0) |
	       (ph->p_flags & PF_X ? VM_EXEC : 0);
}

/* Map one PT_LOAD: file pages, then anonymous pages up to memsz, then zero
 * the tail of the last file page (Linux's padzero). */
static int map_segment(struct mm *mm, struct vm_file *file, const Elf64_Phdr *ph, uint64_t bias)
{
	uint64_t start = (ph->p_vaddr + bias) & PAGE_MASK;
	uint64_t file_end = ph->p_vaddr + bias + ph->p_filesz;
	uint64_t mem_end = PAGE_ALIGN(ph->p_vaddr + bias + ph->p_memsz);
	/* Anonymous memory starts after the file pages, or at the segment's
	 * first page when it has no file contents (all .bss). */
	uint64_t anon_start = ph->p_filesz ? PAGE_ALIGN(file_end) : start;
	uint64_t addr, tail = PAGE_ALIGN(file_end) - file_end;
	unsigned prot = segment_prot(ph);
	int err = 0;

	if (ph->p_filesz)
		err = mm_mmap(mm, start, PAGE_ALIGN(file_end) - start, prot, MM_MAP_FIXED, file,
			      ph->p_offset & PAGE_MASK, &addr);
	if (!err && mem_end > anon_start)
		err = mm_mmap(mm, anon_start, mem_end - anon_start, prot, MM_MAP_FIXED, NULL, 0, &addr);
	if (!err && ph->p_filesz && ph->p_memsz > ph->p_filesz && tail) {
		uint8_t zeros[PAGE_SIZE] = { 0 };

		err = copy_to_user(mm, file_end, zeros, tail);
	}
	return err;
}

static int map_segments(struct mm *mm, struct elf_file *elf, uint64_t bias, uint64_t *brk,
			GString *error)
{
	struct vm_file *file = vm_file_new(dup(elf->fd), elf->path);
	int err = 0;

	*brk = 0;
	for (unsigned i = 0; i < elf->ehdr.e_phnum && !err; i++) {
		const Elf64_Phdr *ph = &elf->phdrs[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr + bias < MMAP_MIN_ADDR || ph->p_vaddr + bias + ph->p_memsz > MMAP_BASE) {
			err = fail(error, -ENOEXEC, elf, "segment %u at %#jx lies outside the user address space",
				   i, (uintmax_t)(ph->p_vaddr + bias));
			break;
		}
		err = map_segment(mm, file, ph, bias);
		if (err)
			fail(error, err, elf, "cannot map segment %u: %s", i, g_strerror(-err));
		*brk = MAX(*brk, PAGE_ALIGN(ph->p_vaddr + bias + ph->p_memsz));
	}
	vm_file_put(file);
	return err;
}

/* The address of the program headers in memory, for AT_PHDR. */
static uint64_t phdr_addr(const struct elf_file *elf, uint64_t bias)
{
	for (unsigned i = 0; i < elf->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &elf->phdrs[i];

		if (ph->p_type == PT_PHDR)
			return ph->p_vaddr + bias;
	}
	for (unsigned i = 0; i < elf->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &elf->phdrs[i];

		if (ph->p_type == PT_LOAD && ph->p_offset <= elf->ehdr.e_phoff &&
		    elf->ehdr.e_phoff < ph->p_offset + ph->p_filesz)
			return ph->p_vaddr + bias + elf->ehdr.e_phoff - ph->p_offset;
	}
	return 0;
}

/* Builds the stack downwards from STACK_TOP into a host buffer, then copies
 * it to the guest in one go. */
struct stack_builder {
	GByteArray *bytes;	/* bytes[0] is the lowest address */
	uint64_t top;
};

static uint64_t push_bytes(struct stack_builder *sb, const void *data, size_t len)
{
	g_byte_array_prepend(sb->bytes, data, (guint)len);
	return sb->top - sb->bytes->len;
}

static uint64_t push_string(struct stack_builder *sb, const char *s)
{
	return push_bytes(sb, s, strlen(s) + 1);
}

static size_t count_strings(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static int build_stack(struct mm *mm, const struct exec_args *args, const struct elf_file *elf,
		       uint64_t bias, uint64_t *sp)
{
	struct stack_builder sb = { g_byte_array_new(), STACK_TOP };
	size_t argc = count_strings(args->argv), envc = count_strings(args->envp);
	uint64_t *argv_ptrs = g_new0(uint64_t, argc + 1), *envp_ptrs = g_new0(uint64_t, envc + 1);
	uint64_t execfn, platform, random, table_len, start;
	GArray *table = g_array_new(FALSE, TRUE, sizeof(uint64_t));
	int err;

	execfn = push_string(&sb, args->execfn);
	for (size_t i = envc; i-- > 0;)
		envp_ptrs[i] = push_string(&sb, args->envp[i]);
	mm->arg_end = sb.top - sb.bytes->len;
	for (size_t i = argc; i-- > 0;)
		argv_ptrs[i] = push_string(&sb, args->argv[i]);
	mm->arg_start = sb.top - sb.bytes->len;
	mm->env_start = mm->arg_end;
	mm->env_end = execfn;
	platform = push_string(&sb, ELF_PLATFORM);
	random = push_bytes(&sb, args->random16, 16);

	const uint64_t auxv[] = {
		AT_HWCAP, ELF_HWCAP, AT_PAGESZ, PAGE_SIZE, AT_CLKTCK, 100,
		AT_PHDR, phdr_addr(elf, bias), AT_PHENT, sizeof(Elf64_Phdr),
		AT_PHNUM, elf->ehdr.e_phnum, AT_BASE, 0, AT_FLAGS, 0,
		AT_ENTRY, elf->ehdr.e_entry + bias, AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0,
		AT_SECURE, 0, AT_RANDOM, random, AT_HWCAP2, 0, AT_EXECFN, execfn,
		AT_PLATFORM, platform, AT_NULL, 0,
	};
	uint64_t argc64 = argc;

	g_array_append_val(table, argc64);
	g_array_append_vals(table, argv_ptrs, (guint)argc + 1);
	g_array_append_vals(table, envp_ptrs, (guint)envc + 1);
	g_array_append_vals(table, auxv, G_N_ELEMENTS(auxv));
	/* argc must land 16-byte aligned: pad between the table and the strings. */
	table_len = table->len * sizeof(uint64_t);
	start = (sb.top - sb.bytes->len - table_len) & ~UINT64_C(15);
	while (sb.top - sb.bytes->len - table_len > start)
		push_bytes(&sb, "", 1);
	push_bytes(&sb, table->data, table_len);
	*sp = start;
	err = sb.bytes->len > STACK_SIZE / 4 ? -E2BIG : copy_to_user(mm, start, sb.bytes->data, sb.bytes->len);
	g_array_free(table, TRUE);
	g_free(argv_ptrs);
	g_free(envp_ptrs);
	g_byte_array_free(sb.bytes, TRUE);
	return err;
}

/* The stack: with vm.stack_growth (Linux), a VM_GROWSDOWN VMA that covers
 * the arguments and STACK_EXPAND below them (setup_arg_pages) and grows on
 * faults below it; without, a fixed RLIMIT_STACK-sized mapping. */
static int map_stack(struct mm *mm, const struct exec_args *args, struct elf_file *elf,
		     uint64_t bias, uint64_t *sp)
{
	uint64_t size = mm->tunables->stack_growth ? STACK_EXPAND : STACK_SIZE, addr;
	int err = mm_mmap(mm, STACK_TOP - size, size, VM_READ | VM_WRITE,
			  MM_MAP_FIXED | MM_MAP_GROWSDOWN, NULL, 0, &addr);
	struct vma *stack;

	if (err)
		return err;
	mm_set_vma_name(mm, addr, "[stack]");
	err = build_stack(mm, args, elf, bias, sp);	/* long arguments grow the stack */
	stack = vma_lookup(mm, STACK_TOP - PAGE_SIZE);
	if (!err && (*sp & PAGE_MASK) - STACK_EXPAND < stack->start)
		err = expand_stack(mm, stack, (*sp & PAGE_MASK) - STACK_EXPAND);
	return err;
}

int load_elf(struct mm *mm, const struct exec_args *args, struct exec_image *image, GString *error)
{
	struct elf_file elf = { .path = args->name, .fd = args->fd };
	uint64_t bias, brk;
	int err = read_elf(&elf, error);

	if (err)
		goto out;
	bias = elf.ehdr.e_type == ET_DYN ? ET_DYN_BASE : 0;
	err = map_segments(mm, &elf, bias, &brk, error);
	if (err)
		goto out;
	mm->start_brk = mm->brk = brk;
	err = map_stack(mm, args, &elf, bias, &image->sp);
	if (err) {
		fail(error, err, &elf, "cannot build the initial stack: %s", g_strerror(-err));
		goto out;
	}
	image->entry = elf.ehdr.e_entry + bias;
out:
	return err;
}
