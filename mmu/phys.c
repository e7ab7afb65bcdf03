/*
 * phys: frames of simulated physical memory, allocated from a LIFO free list
 * first (recently freed frames are warm in the host cache) and from a bump
 * pointer over never-touched frames second, which keeps the host footprint as
 * small as the guest's peak use.  Two of each: data frames bump upward from
 * frame 1, code frames downward from the last frame; a frame freed goes back
 * to the list of the side it lies on (below or above the never-touched gap).
 * Device nodes follow the CPU's frames, each a range with its own free list
 * and bump pointer.
 */
#include "mmu/phys.h"

#include <inttypes.h>
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/mman.h>

/* A device's memory: frames [first, end). */
struct phys_node {
	uint64_t first, end;
	uint64_t fresh;		/* first frame never handed out */
	GArray *free;		/* of uint32_t frame numbers */
	uint64_t in_use, peak;
	const void *owner;	/* of its device-private pages */
	bool coherent;		/* the CPU reaches it (phys_reachable_size) */
};

struct phys {
	uint8_t *base;
	uint64_t nr_frames;	/* of every node */
	uint64_t cpu_frames;	/* of node 0: frames [0, cpu_frames) */
	uint64_t reachable;	/* frames [0, reachable): node 0 and the coherent nodes */
	int nr_nodes;
	struct phys_node nodes[PHYS_MAX_NODES];	/* [0] unused: node 0 is below */
	uint32_t *refcount;	/* per frame */
	uint8_t *kind;		/* per frame, enum frame_kind */
	GArray *free_list;	/* of uint32_t frame numbers, data side */
	GArray *code_free;	/* the same, code side */
	uint64_t next_fresh;	/* first frame never handed out, data side */
	uint64_t code_fresh;	/* last frame handed out from the top, code side */
	uint64_t in_use[FRAME_NR_KINDS];
	uint64_t kind_peak[FRAME_NR_KINDS];
	uint64_t total_in_use, peak;
	uint64_t pgtables[PHYS_MAX_NODES], pgtables_peak[PHYS_MAX_NODES];	/* per node */
	phys_addr_t zero_page;	/* 0: not allocated yet */
	const struct phys_journal *journal;	/* NULL: none */
};

static uint64_t pfn_of(const struct phys *phys, phys_addr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	g_assert(pfn > 0 && pfn < phys->nr_frames);
	return pfn;
}

int phys_create(uint64_t size, struct phys **out)
{
	return phys_create_nodes(size, 0, 0, out);
}

/* The coherent nodes right after node 0, in node order, the others after
 * them: [0, reachable) is one range the CPU can map. */
static void init_nodes(struct phys *phys, int nr_devices, uint64_t device_size, unsigned coherent)
{
	uint64_t next = phys->cpu_frames;

	phys->nr_nodes = 1 + nr_devices;
	for (int pass = 0; pass < 2; pass++) {
		bool coherent_pass = pass == 0;

		for (int n = 1; n <= nr_devices; n++) {
			struct phys_node *node = &phys->nodes[n];

			if (((coherent >> n) & 1) != coherent_pass)
				continue;
			node->coherent = coherent_pass;
			node->first = next;
			node->end = next = node->first + (device_size >> PAGE_SHIFT);
			node->fresh = node->first;
			node->free = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		}
		if (coherent_pass)
			phys->reachable = next;
	}
}

int phys_create_nodes(uint64_t cpu_size, int nr_devices, uint64_t device_size, struct phys **out)
{
	return phys_create_coherent(cpu_size, nr_devices, device_size, 0, out);
}

int phys_create_coherent(uint64_t cpu_size, int nr_devices, uint64_t device_size, unsigned coherent,
			 struct phys **out)
{
	uint64_t size = cpu_size + nr_devices * device_size;
	struct phys *phys;
	void *base;

	/* Frame numbers are 32 bits: 2^32 frames, 16 TiB, at most. */
	if (cpu_size % PAGE_SIZE || cpu_size < 2 * PAGE_SIZE || nr_devices < 0 ||
	    nr_devices >= PHYS_MAX_NODES || device_size % PAGE_SIZE ||
	    (nr_devices && !device_size) || device_size > UINT64_C(1) << 44 ||
	    coherent & ~(((1u << nr_devices) - 1) << 1) ||
	    size >> PAGE_SHIFT > UINT64_C(1) << 32)
		return -EINVAL;
	base = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	/* Frames are handed out densely from either end, so host huge pages
	 * cost little memory and spare the host a fault per 4 KiB frame
	 * (advice only: a host without them ignores it). */
	madvise(base, size, MADV_HUGEPAGE);
	phys = g_new0(struct phys, 1);
	phys->base = base;
	phys->nr_frames = size >> PAGE_SHIFT;
	phys->cpu_frames = cpu_size >> PAGE_SHIFT;
	/* Large zeroed arrays come from mmap too, so they stay sparse; the
	 * host may still refuse them (a limit on address space). */
	phys->refcount = g_try_malloc0_n(phys->nr_frames, sizeof(*phys->refcount));
	phys->kind = g_try_malloc0_n(phys->nr_frames, sizeof(*phys->kind));
	if (!phys->refcount || !phys->kind) {
		g_free(phys->refcount);
		g_free(phys->kind);
		g_free(phys);
		munmap(base, size);
		return -ENOMEM;
	}
	phys->free_list = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	phys->code_free = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	phys->next_fresh = 1;	/* frame 0 is reserved */
	phys->code_fresh = phys->cpu_frames;
	init_nodes(phys, nr_devices, device_size, coherent);
	*out = phys;
	return 0;
}

void phys_destroy(struct phys *phys)
{
	if (!phys)
		return;
	munmap(phys->base, phys->nr_frames << PAGE_SHIFT);
	g_free(phys->refcount);
	g_free(phys->kind);
	g_array_free(phys->free_list, TRUE);
	g_array_free(phys->code_free, TRUE);
	for (int n = 1; n < phys->nr_nodes; n++)
		g_array_free(phys->nodes[n].free, TRUE);
	g_free(phys);
}

void phys_tables_only(struct phys *phys)
{
	madvise(phys->base, phys->nr_frames << PAGE_SHIFT, MADV_NOHUGEPAGE);
}

/* The most recently freed frame of `list` (already zeroed), or 0. */
static uint64_t take_freed(struct phys *phys, GArray *list)
{
	uint64_t pfn;

	if (!list->len)
		return 0;
	pfn = g_array_index(list, uint32_t, list->len - 1);
	g_array_set_size(list, list->len - 1);
	memset(phys->base + (pfn << PAGE_SHIFT), 0, PAGE_SIZE);
	return pfn;
}

/* A never-touched frame (already zero) from the bottom or the top, or 0. */
static uint64_t take_fresh(struct phys *phys, bool top)
{
	if (phys->next_fresh >= phys->code_fresh)
		return 0;
	return top ? --phys->code_fresh : phys->next_fresh++;
}

/* Frame `pfn` (0: none) of node `node` now holds `kind` with one reference. */
static int hand_out(struct phys *phys, int node, uint64_t pfn, enum frame_kind kind, phys_addr_t *pa)
{
	g_assert(kind != FRAME_FREE && kind < FRAME_NR_KINDS);
	if (!pfn)
		return -ENOMEM;
	if (kind == FRAME_PGTABLE && ++phys->pgtables[node] > phys->pgtables_peak[node])
		phys->pgtables_peak[node] = phys->pgtables[node];
	phys->refcount[pfn] = 1;
	phys->kind[pfn] = kind;
	phys->in_use[kind]++;
	phys->kind_peak[kind] = MAX(phys->kind_peak[kind], phys->in_use[kind]);
	if (++phys->total_in_use > phys->peak)
		phys->peak = phys->total_in_use;
	*pa = pfn << PAGE_SHIFT;
	if (phys->journal && kind == FRAME_PGTABLE)
		phys->journal->table(phys->journal->data, *pa);
	return 0;
}

static int alloc_frame(struct phys *phys, enum frame_kind kind, bool code, phys_addr_t *pa)
{
	GArray *own = code ? phys->code_free : phys->free_list;
	GArray *other = code ? phys->free_list : phys->code_free;
	uint64_t pfn;

	pfn = take_freed(phys, own);
	if (!pfn)
		pfn = take_fresh(phys, code);
	if (!pfn)
		pfn = take_freed(phys, other);
	return hand_out(phys, 0, pfn, kind, pa);
}

int phys_alloc_node(struct phys *phys, int node, enum frame_kind kind, phys_addr_t *pa)
{
	struct phys_node *n;
	uint64_t pfn;
	int err;

	if (node < 0 || node >= phys->nr_nodes)
		return -EINVAL;
	if (!node)
		return alloc_frame(phys, kind, false, pa);
	n = &phys->nodes[node];
	pfn = take_freed(phys, n->free);
	if (!pfn && n->fresh < n->end)
		pfn = n->fresh++;
	err = hand_out(phys, node, pfn, kind, pa);
	n->in_use += !err;
	n->peak = MAX(n->peak, n->in_use);
	return err;
}

int phys_nr_nodes(const struct phys *phys)
{
	return phys->nr_nodes;
}

int phys_node_of(const struct phys *phys, phys_addr_t pa)
{
	uint64_t pfn = pfn_of(phys, pa);
	int n = 1;

	if (pfn < phys->cpu_frames)
		return 0;
	while (pfn < phys->nodes[n].first || pfn >= phys->nodes[n].end)
		n++;
	return n;
}

uint64_t phys_node_in_use(const struct phys *phys, int node)
{
	uint64_t devices = 0;

	if (node)
		return phys->nodes[node].in_use;
	for (int n = 1; n < phys->nr_nodes; n++)
		devices += phys->nodes[n].in_use;
	return phys->total_in_use - devices;
}

void phys_set_node_owner(struct phys *phys, int node, const void *owner)
{
	g_assert(node > 0 && node < phys->nr_nodes);
	phys->nodes[node].owner = owner;
}

const void *phys_node_owner(const struct phys *phys, int node)
{
	return node > 0 && node < phys->nr_nodes ? phys->nodes[node].owner : NULL;
}

uint64_t phys_node_peak(const struct phys *phys, int node)
{
	return node ? phys->nodes[node].peak : phys->peak;
}

uint64_t phys_node_pgtable_peak(const struct phys *phys, int node)
{
	return node >= 0 && node < phys->nr_nodes ? phys->pgtables_peak[node] : 0;
}

bool phys_node_coherent(const struct phys *phys, int node)
{
	return node > 0 && node < phys->nr_nodes && phys->nodes[node].coherent;
}

uint64_t phys_reachable_size(const struct phys *phys)
{
	return phys->reachable << PAGE_SHIFT;
}

uint64_t phys_node_frames(const struct phys *phys, int node)
{
	return node ? phys->nodes[node].end - phys->nodes[node].first : phys->cpu_frames;
}

int phys_alloc(struct phys *phys, enum frame_kind kind, phys_addr_t *pa)
{
	return alloc_frame(phys, kind, false, pa);
}

int phys_alloc_code(struct phys *phys, enum frame_kind kind, phys_addr_t *pa)
{
	return alloc_frame(phys, kind, true, pa);
}

void phys_get(struct phys *phys, phys_addr_t pa)
{
	uint64_t pfn = pfn_of(phys, pa);

	g_assert(phys->refcount[pfn] > 0 && phys->refcount[pfn] < UINT32_MAX);
	phys->refcount[pfn]++;
}

void phys_put(struct phys *phys, phys_addr_t pa)
{
	uint64_t pfn = pfn_of(phys, pa);
	uint32_t frame = (uint32_t)pfn;

	g_assert(phys->refcount[pfn] > 0);
	if (--phys->refcount[pfn])
		return;
	phys->in_use[phys->kind[pfn]]--;
	phys->total_in_use--;
	if (phys->kind[pfn] == FRAME_PGTABLE)
		phys->pgtables[pfn < phys->cpu_frames ? 0 : phys_node_of(phys, pa)]--;
	phys->kind[pfn] = FRAME_FREE;
	if (pfn >= phys->cpu_frames) {
		struct phys_node *node = &phys->nodes[phys_node_of(phys, pa)];

		node->in_use--;
		g_array_append_val(node->free, frame);
	} else {
		g_array_append_val(pfn >= phys->code_fresh ? phys->code_free : phys->free_list, frame);
	}
	if (pa == phys->zero_page)
		phys->zero_page = 0;
}

unsigned phys_refcount(const struct phys *phys, phys_addr_t pa)
{
	return phys->refcount[pfn_of(phys, pa)];
}

int phys_zero_page(struct phys *phys, phys_addr_t *pa)
{
	int err = 0;

	if (phys->zero_page)
		phys_get(phys, phys->zero_page);
	else
		err = phys_alloc(phys, FRAME_DATA, &phys->zero_page);
	*pa = phys->zero_page;
	return err;
}

bool phys_is_zero_page(const struct phys *phys, phys_addr_t pa)
{
	return phys->zero_page && pa == phys->zero_page;
}

bool phys_page_shared(const struct phys *phys, phys_addr_t pa)
{
	return phys_refcount(phys, pa) > 1 || phys_is_zero_page(phys, pa);
}

enum frame_kind phys_kind(const struct phys *phys, phys_addr_t pa)
{
	return phys->kind[pfn_of(phys, pa)];
}

void *phys_to_host(const struct phys *phys, phys_addr_t pa)
{
	g_assert(pa < phys->nr_frames << PAGE_SHIFT);
	return phys->base + pa;
}

void phys_set_journal(struct phys *phys, const struct phys_journal *j)
{
	phys->journal = j;
}

void phys_journal_store(struct phys *phys, const void *host, uint64_t val)
{
	if (phys->journal)
		phys->journal->store(phys->journal->data, (phys_addr_t)((const uint8_t *)host - phys->base), val);
}

void *phys_base(const struct phys *phys)
{
	return phys->base;
}

uint64_t phys_size(const struct phys *phys)
{
	return phys->cpu_frames << PAGE_SHIFT;
}

uint64_t phys_in_use(const struct phys *phys, enum frame_kind kind)
{
	return phys->in_use[kind];
}

uint64_t phys_peak(const struct phys *phys)
{
	return phys->peak;
}

uint64_t phys_kind_peak(const struct phys *phys, enum frame_kind kind)
{
	return phys->kind_peak[kind];
}
