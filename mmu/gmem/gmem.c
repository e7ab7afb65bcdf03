/*
 * gmem: the logical table's owner, the peer-shared VMAs' ops, device
 * faults, hmadvise.
 */
#include "mmu/gmem/gmem.h"

#include <errno.h>

#include "mmu/fault.h"
#include "mmu/mm.h"
#include "mmu/pgtable.h"

/* An address space's logical table, held by its peer-shared VMAs. */
struct gmem_object {
	unsigned refs;
	struct mm *mm;
	struct vm_object *table;
	struct gmem_stats *stats;
};

/* One peer-shared VMA's handle on it. */
struct gm_vma {
	struct gmem_object *obj;
};

static struct gmem_object *object_of_vma(const struct vma *vma)
{
	return ((struct gm_vma *)vma->vm_private_data)->obj;
}

static struct gmem_object *object_of(struct mm *mm)
{
	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		if (vma->vm_ops == &gmem_vm_ops)
			return object_of_vma(vma);
	return NULL;
}

struct vm_object *gmem_table_of(struct mm *mm)
{
	struct gmem_object *obj = object_of(mm);

	return obj ? obj->table : NULL;
}

static void note_peaks(struct gmem_object *obj)
{
	const struct vm_object_stats *s = vm_object_stats(obj->table);
	struct gmem_stats *g = obj->stats;

	g->peak_entries = MAX(g->peak_entries, s->entries);
	g->peak_nodes = MAX(g->peak_nodes, s->nodes);
	g->peak_bytes = MAX(g->peak_bytes, vm_object_bytes(obj->table));
}

static unsigned device_prot(const struct vma *vma)
{
	return vma->prot & (VM_READ | VM_WRITE);
}

/* ------------------------------------------------------- placing pages */

/* The page at `va` into `dev`'s memory and table, from wherever it is;
 * *moved: it came over the link (the caller pays the transfer). */
static int place_on_device(struct device *dev, struct gmem_object *obj, struct vma *vma,
			   uint64_t va, bool *moved)
{
	struct gm_mapping *m = vm_object_lookup_or_create(obj->table, va);
	struct migrate_cpu_side cpu;
	struct migrate_side *from = NULL;
	struct migrate_record rec = { 0 };
	phys_addr_t pa;
	unsigned prot;
	int err;

	*moved = false;
	note_peaks(obj);
	if (m->flag & GM_PAGE_DEVICE) {
		if (m->dev == dev)
			return 0;
		from = &m->dev->side;
	} else if (pgtable_translate(dev->phys, obj->mm->pgd, va, &pa, &prot)) {
		migrate_cpu_side_init(&cpu, obj->mm);
		from = &cpu.side;
	}
	if (from) {
		err = migrate_page(dev->phys, from, &dev->side, va, dev->node, device_prot(vma), &rec);
		g_assert(!rec.stale);
		if (err)
			return err;
		dev->counters.to_device++;
		dev->counters.pte_updates++;
		device_pay(dev, dev->costs->pte_update);
		*moved = true;
	} else {
		err = phys_alloc_node(dev->phys, dev->node, FRAME_DATA, &pa);
		if (!err && (err = device_map(dev, va, pa, device_prot(vma))))
			phys_put(dev->phys, pa);
		if (err)
			return err;
		dev->counters.zero_pages++;
	}
	m->dev = dev;
	m->page = pgtable_leaf(dev->phys, dev->pgd, va) & PTE_ADDR_MASK;
	gm_mapping_set_state(m, GM_PAGE_DEVICE);
	m->flag &= ~GM_PAGE_WILLNEED;
	return 0;
}

/* A DEVICE page at `va` back into CPU memory and the CPU's table. */
static int place_on_cpu(struct gmem_object *obj, struct vma *vma, struct gm_mapping *m, uint64_t va,
			struct migrate_record *rec)
{
	struct migrate_cpu_side cpu;
	phys_addr_t pa;
	unsigned prot;
	int err;

	migrate_cpu_side_init(&cpu, obj->mm);
	err = migrate_page(obj->mm->phys, &m->dev->side, &cpu.side, va, 0, vma->prot, rec);
	g_assert(!rec->stale);
	if (err)
		return err;
	m->dev->counters.to_cpu++;
	m->dev->counters.pte_updates++;
	device_pay(m->dev, m->dev->costs->pte_update);
	pgtable_translate(obj->mm->phys, obj->mm->pgd, va, &pa, &prot);
	m->dev = NULL;
	m->page = pa;
	gm_mapping_set_state(m, GM_PAGE_CPU);
	return 0;
}

/* ---------------------------------------------------------------- faults */

static int gm_dev_fault(struct device *dev, uint64_t va, bool write)
{
	struct vma *vma = vma_lookup(dev->mm, va);
	bool moved;
	int err;

	if (!vma || vma->vm_ops != &gmem_vm_ops || !vma_permits(vma, write ? FAULT_WRITE : FAULT_READ))
		return -EFAULT;
	err = place_on_device(dev, object_of_vma(vma), vma, va, &moved);
	if (!err && moved)
		device_pay_link(dev, 1);
	return err;
}

/* The CPU's fault on a peer-shared page: the logical table decides. */
static int gmem_cpu_fault(struct vm_fault *vmf)
{
	struct gmem_object *obj = object_of_vma(vmf->vma);
	struct gm_mapping *m = vm_object_lookup_or_create(obj->table, vmf->address);
	pte_t *ptep = pgtable_walk(vmf->mm->phys, vmf->mm->pgd, vmf->address);
	struct migrate_record rec = { 0 };
	phys_addr_t page;

	note_peaks(obj);
	if (m->flag & GM_PAGE_DEVICE) {
		struct device *dev = m->dev;

		vm_fault_note(vmf, "gmem: the logical table's entry is DEVICE (no CPU entry does not mean "
			      "a zero page): the page migrates back over the link to CPU memory, the "
			      "device's entry invalidated, and the entry becomes CPU");
		if (place_on_cpu(obj, vmf->vma, m, vmf->address, &rec))
			return VM_FAULT_OOM;
		device_pay_link(dev, 1);
		obj->stats->cpu_faults++;
		vmf->kind = FAULT_KIND_DEVICE;
		vmf->pages_copied++;
		vmf->ptes_installed++;
		vmf->tables_allocated += (unsigned)rec.tables_allocated;
		return VM_FAULT_DONE;
	}
	if (ptep && pte_present(*ptep)) {
		vmf->kind = FAULT_KIND_SPURIOUS;
		return VM_FAULT_DONE;
	}
	vm_fault_note(vmf, "gmem: the logical table's entry is %s: a zeroed CPU page, and the entry "
		      "becomes CPU", m->flag & GM_PAGE_CPU ? "CPU without an entry here" : "NOMAP");
	vmf->kind = FAULT_KIND_ANON;
	if (phys_alloc(vmf->mm->phys, FRAME_DATA, &page) || vm_fault_install_page(vmf, page))
		return VM_FAULT_OOM;
	vmf->pages_zeroed++;
	m->page = page;
	gm_mapping_set_state(m, GM_PAGE_CPU);
	m->flag &= ~GM_PAGE_WILLNEED;
	return VM_FAULT_DONE;
}

/* ------------------------------------------------------ peer-shared VMAs */

static struct gm_vma *new_handle(struct gmem_object *obj)
{
	struct gm_vma *h = g_new(struct gm_vma, 1);

	h->obj = obj;
	obj->refs++;
	return h;
}

/* A split's copy gets a handle of its own; mm_mmap_object's first call
 * (copy == vma) turns the object it was given into the VMA's handle. */
static void gmem_dup(struct vma *copy, const struct vma *vma)
{
	struct gmem_object *obj = copy == vma ? vma->vm_private_data : object_of_vma(vma);

	copy->vm_private_data = new_handle(obj);
}

struct unmap_devices {
	struct device *devs[PHYS_MAX_NODES];
	int nr;
};

static void note_device(void *ctx, uint64_t va, struct gm_mapping *m)
{
	struct unmap_devices *u = ctx;

	if (!(m->flag & GM_PAGE_DEVICE))
		return;
	for (int i = 0; i < u->nr; i++)
		if (u->devs[i] == m->dev)
			return;
	u->devs[u->nr++] = m->dev;
}

/* munmap_in_peer_devices: every device holding a page of [start, end)
 * drops its entries of the range (per page, or coalesced). */
static void unmap_in_peer_devices(struct gmem_object *obj, uint64_t start, uint64_t end)
{
	struct unmap_devices u = { .nr = 0 };

	vm_object_for_each(obj->table, start, end, note_device, &u);
	for (int i = 0; i < u.nr; i++)
		device_unmap_range(u.devs[i], start, end);
}

/* munmap (or the mm's end): free the entries, munmap_in_peer_devices. */
static void gmem_close(struct vma *vma)
{
	struct gm_vma *h = vma->vm_private_data;
	struct gmem_object *obj = h->obj;
	const struct vm_object_stats *s = vm_object_stats(obj->table);
	uint64_t before = s->entries;

	unmap_in_peer_devices(obj, vma->start, vma->end);
	vm_object_erase_range(obj->table, vma->start, vma->end);
	obj->stats->unmapped_entries += before - s->entries;
	g_free(h);
	if (--obj->refs)
		return;
	vm_object_destroy(obj->table);
	g_free(obj);
}

static void note_entry(void *ctx, uint64_t va, struct gm_mapping *m)
{
	g_array_append_val((GArray *)ctx, va);
}

/* One entry from `va` to `to`; a DEVICE page's device maps it there too
 * (the old mapping goes after, with the range's invalidation). */
static void move_entry(struct gmem_object *obj, const struct vma *moved, uint64_t va, uint64_t to)
{
	struct gm_mapping *m = vm_object_lookup(obj->table, va);
	struct gm_mapping *dst = vm_object_lookup_or_create(obj->table, to);

	*dst = *m;
	if (!(m->flag & GM_PAGE_DEVICE))
		return;
	phys_get(m->dev->phys, m->page);
	if (device_map(m->dev, to, m->page, device_prot(moved))) {
		phys_put(m->dev->phys, m->page);	/* no table page for it: lost */
		gm_mapping_set_state(dst, GM_PAGE_NOMAP);
	}
}

/* mremap: the logical entries and the devices' mappings move with the
 * CPU's entries (the RFC leaves mremap out; a move must not lose a page
 * that lives on a device, which has no CPU entry to move). */
static void gmem_mremap(struct vma *moved, const struct vma *old)
{
	struct gmem_object *obj = object_of_vma(old);
	GArray *vas = g_array_new(FALSE, FALSE, sizeof(uint64_t));

	vm_object_for_each(obj->table, old->start, old->end, note_entry, vas);
	for (unsigned i = 0; i < vas->len; i++) {
		uint64_t va = g_array_index(vas, uint64_t, i);

		move_entry(obj, moved, va, va - old->start + moved->start);
	}
	unmap_in_peer_devices(obj, old->start, old->end);
	vm_object_erase_range(obj->table, old->start, old->end);
	note_peaks(obj);
	g_array_free(vas, TRUE);
}

static const char *gmem_name(const struct vma *vma)
{
	(void)vma;
	return "[peer-shared]";
}

const struct vm_ops gmem_vm_ops = {
	.handle_fault = gmem_cpu_fault,
	.dup = gmem_dup,
	.close = gmem_close,
	.mremap = gmem_mremap,
	.name = gmem_name,
};

int gmem_mmap(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	      struct gmem_stats *stats, uint64_t *out)
{
	struct gmem_object *obj = object_of(mm), *made = NULL;
	int err;

	if (flags & MM_MAP_SHARED)
		return -EINVAL;
	if (!obj) {
		obj = made = g_new0(struct gmem_object, 1);
		obj->mm = mm;
		obj->table = vm_object_create();
		obj->stats = stats;
	}
	err = mm_mmap_object(mm, addr, len, prot, flags, &gmem_vm_ops, obj, out);
	if (err && made) {
		vm_object_destroy(made->table);
		g_free(made);
	}
	if (!err)
		vma_lookup(mm, *out)->flags |= VM_DONTCOPY;
	return err;
}

/* --------------------------------------------------------- devices leave */

struct evict {
	struct device *dev;
	struct gmem_object *obj;
	uint64_t pages;
};

static void evict_page(void *ctx, uint64_t va, struct gm_mapping *m)
{
	struct evict *e = ctx;
	struct migrate_record rec = { 0 };

	if (!(m->flag & GM_PAGE_DEVICE) || m->dev != e->dev)
		return;
	if (place_on_cpu(e->obj, vma_lookup(e->obj->mm, va), m, va, &rec))
		gm_mapping_set_state(m, GM_PAGE_NOMAP);	/* no CPU frame left: the page is lost */
	else
		e->pages++;
}

/* A device leaving an address space that lives on hands its pages back to
 * the CPU; at the mm's end they are only dropped (with the device's
 * entries, then the logical ones as the VMAs close). */
static void gm_dev_unbind(struct device *dev, bool mm_ending)
{
	struct evict e = { dev, object_of(dev->mm), 0 };

	if (!e.obj || mm_ending)
		return;
	vm_object_for_each(e.obj->table, 0, TASK_SIZE, evict_page, &e);
	if (e.pages)
		device_pay_link(dev, e.pages);
}

const struct device_mm_ops gmem_device_ops = {
	.name = "gmem",
	.fault = gm_dev_fault,
	.unbind = gm_dev_unbind,
};

/* -------------------------------------------------------------- hmadvise */

/* Every page of [start, end) is in a peer-shared VMA: 0, -ENOMEM (a hole),
 * -EINVAL (another kind of VMA). */
static int check_range(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t at = start;

	for (struct vma *vma = find_vma(mm, start); at < end; vma = vma_next(mm, vma)) {
		if (!vma || vma->start > at)
			return -ENOMEM;
		if (vma->vm_ops != &gmem_vm_ops)
			return -EINVAL;
		at = vma->end;
	}
	return 0;
}

static int prefetch_page(struct device *dev, struct gmem_object *obj, struct vma *vma, uint64_t va,
			 uint64_t *moved)
{
	struct gm_mapping *m;
	struct migrate_record rec = { 0 };
	bool came;
	int err;

	if (dev) {
		err = place_on_device(dev, obj, vma, va, &came);
		*moved += !err && came;
		return err;
	}
	m = vm_object_lookup_or_create(obj->table, va);
	note_peaks(obj);
	if (!(m->flag & GM_PAGE_DEVICE)) {
		if (m->flag & GM_PAGE_NOMAP)
			m->flag |= GM_PAGE_WILLNEED;
		return 0;
	}
	dev = m->dev;
	err = place_on_cpu(obj, vma, m, va, &rec);
	if (!err) {
		device_pay_link(dev, 1);
		obj->stats->prefetched++;
	}
	return err;
}

static void drop_page(void *ctx, uint64_t va, struct gm_mapping *m)
{
	struct gmem_stats *stats = ctx;

	if (m->flag & GM_PAGE_DEVICE)
		device_unmap_range(m->dev, va, va + PAGE_SIZE);
	if (m->flag & (GM_PAGE_DEVICE | GM_PAGE_CPU))
		stats->dropped++;
}

int gmem_hmadvise(struct mm *mm, struct device *dev, uint64_t start, uint64_t len,
		  enum gmem_hint hint)
{
	uint64_t end = start + PAGE_ALIGN(len), moved = 0;
	struct gmem_object *obj;
	int err;

	if ((start & ~PAGE_MASK) || end < start || end > TASK_SIZE || (len && PAGE_ALIGN(len) == 0) ||
	    (hint != GMEM_PREFETCH && hint != GMEM_DONTNEED))
		return -EINVAL;
	if (start == end)
		return 0;
	err = check_range(mm, start, end);
	if (err)
		return err;
	obj = object_of(mm);
	if (hint == GMEM_DONTNEED) {
		vm_object_for_each(obj->table, start, end, drop_page, obj->stats);
		vm_object_erase_range(obj->table, start, end);
		return mm_madvise_dontneed(mm, start, end - start);
	}
	for (uint64_t va = start; va < end && !err; va += PAGE_SIZE)
		err = prefetch_page(dev, obj, vma_lookup(mm, va), va, &moved);
	if (moved)
		device_pay_link(dev, moved);
	obj->stats->prefetched += moved;
	return err;
}
