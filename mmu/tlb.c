/*
 * tlb: set-associative caches with per-entry LRU stamps, and the walk.
 */
#include "mmu/tlb.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static const unsigned page_shifts[] = { 12, 21, 30 };

struct cache {
	unsigned sets, ways;
	uint64_t set_mask;		/* sets - 1 when a power of two, else 0 */
	struct tlb_entry *entries;	/* sets * ways */
	unsigned sizes;			/* bit s: an entry of page_shifts[s] was ever
					 * filled; a search skips the other sizes */
};

/* A page-walk cache entry: the table descriptor read at `level` for the
 * region va >> span_shift(level). */
struct pwc_entry {
	bool valid;
	uint8_t level;
	uint16_t asid;
	uint64_t tag;
	uint64_t stamp;
};

struct tlb {
	struct tlb_front f;	/* first: tlb_hit_recent() reads it */
	struct tlb_config config;
	struct cache caches[TLB_NR_CACHES];
	struct pwc_entry *pwc;
	struct pwc_entry *pwc_walked[PTE_LEVEL];	/* the last walk's entries per
							 * level, tried first; NULL: none */
};

/* An empty slot matches no address: no va >> 63 is UINT64_MAX. */
static const struct tlb_recent empty_slot = { .tag = UINT64_MAX, .shift = 63 };

/* Forget the last hits: an entry was filled or dropped. */
static void forget_last(struct tlb *tlb)
{
	for (int l1 = TLB_L1I; l1 <= TLB_L1D; l1++)
		tlb->f.last_page[l1] = UINT64_MAX;
}

/* Empty every recent slot and forget the last hits. */
static void forget_recent(struct tlb *tlb)
{
	forget_last(tlb);
	for (int l1 = TLB_L1I; l1 <= TLB_L1D; l1++)
		for (int i = 0; i < TLB_RECENT; i++)
			tlb->f.recent[l1][i] = empty_slot;
}

/* `victim`, an entry of cache `cache`, is replaced: forget the last hits
 * and empty the recent slots that hold it.  Only an L1's own slots hold its
 * entries, a page's entry only in the slot of its page number (its tag), a
 * block's in any. */
static void forget_victim(struct tlb *tlb, int cache, const struct tlb_entry *victim)
{
	struct tlb_recent *slots;

	forget_last(tlb);
	if (cache == TLB_L2)
		return;
	slots = tlb->f.recent[cache];
	if (victim->shift == 12) {
		if (slots[victim->tag % TLB_RECENT].entry == victim)
			slots[victim->tag % TLB_RECENT] = empty_slot;
		return;
	}
	for (int i = 0; i < TLB_RECENT; i++)
		if (slots[i].entry == victim)
			slots[i] = empty_slot;
}

/* `e` of L1 cache `l1` hit for `va`: its slot gets what a lookup compares. */
static void remember_recent(struct tlb *tlb, int l1, uint64_t va, struct tlb_entry *e)
{
	bool any_asid = e->global || !tlb->config.asid_tagged;

	*tlb_recent_slot(&tlb->f, l1, va) = (struct tlb_recent){
		.tag = e->tag, .entry = e, .asid = e->asid,
		.asid_mask = any_asid ? 0 : UINT16_MAX, .shift = e->shift,
	};
}

/* `e` of L1 cache `l1`, translating `va` for `asid`, was just stamped the
 * most recently used (a hit or a fill): it is the recent entry of `va`'s
 * slot and the L1's last hit (struct tlb_front). */
static void remember_last(struct tlb *tlb, int l1, uint64_t va, uint16_t asid, struct tlb_entry *e)
{
	remember_recent(tlb, l1, va, e);
	tlb->f.last_page[l1] = va >> 12;
	tlb->f.last_asid[l1] = asid;
}

static int cache_init(struct cache *c, const struct tlb_geometry *g)
{
	if (g->entries && (!g->ways || g->entries % g->ways))
		return -EINVAL;
	c->ways = g->ways;
	c->sets = g->entries ? g->entries / g->ways : 0;
	c->set_mask = c->sets && !(c->sets & (c->sets - 1)) ? c->sets - 1 : 0;
	c->entries = g_new0(struct tlb_entry, g->entries);
	return 0;
}

int tlb_create(const struct tlb_config *config, struct tlb **out)
{
	struct tlb *tlb = g_new0(struct tlb, 1);
	const struct tlb_geometry *g[TLB_NR_CACHES] = { &config->l1i, &config->l1d, &config->l2 };
	int err = 0;

	tlb->config = *config;
	tlb->f.asid_tagged = config->asid_tagged;
	forget_recent(tlb);
	for (int i = 0; i < TLB_NR_CACHES && !err; i++)
		err = cache_init(&tlb->caches[i], g[i]);
	tlb->pwc = g_new0(struct pwc_entry, config->pwc_entries);
	if (err) {
		tlb_destroy(tlb);
		return err;
	}
	*out = tlb;
	return 0;
}

void tlb_destroy(struct tlb *tlb)
{
	if (!tlb)
		return;
	for (int i = 0; i < TLB_NR_CACHES; i++)
		g_free(tlb->caches[i].entries);
	g_free(tlb->pwc);
	g_free(tlb);
}

static bool entry_in_range(const struct tlb *tlb, const struct tlb_entry *e, uint16_t asid,
			   uint64_t start, uint64_t end)
{
	uint64_t va = e->tag << e->shift;

	return e->valid && !e->global && (!tlb->config.asid_tagged || e->asid == asid) &&
	       va < end && va + (UINT64_C(1) << e->shift) > start;
}

unsigned tlb_take_range(struct tlb *tlb, uint16_t asid, uint64_t start, uint64_t end,
			uint64_t *first)
{
	GHashTable *pages = g_hash_table_new(g_direct_hash, g_direct_equal);
	unsigned n;

	forget_recent(tlb);
	for (int i = 0; i < TLB_NR_CACHES; i++) {
		struct cache *c = &tlb->caches[i];

		for (unsigned k = 0; k < c->sets * c->ways; k++) {
			struct tlb_entry *e = &c->entries[k];
			uint64_t page = MAX(e->tag << e->shift, start);

			if (!entry_in_range(tlb, e, asid, start, end))
				continue;
			e->valid = false;
			if (!g_hash_table_size(pages) || page < *first)
				*first = page;
			g_hash_table_add(pages, GSIZE_TO_POINTER(page));
		}
	}
	n = g_hash_table_size(pages);
	g_hash_table_destroy(pages);
	return n;
}

const struct tlb_stats *tlb_stats(const struct tlb *tlb)
{
	return &tlb->f.stats;
}

void tlb_stats_add(struct tlb_stats *sum, const struct tlb_stats *s)
{
	for (int c = 0; c < TLB_NR_CACHES; c++) {
		sum->hits[c] += s->hits[c];
		sum->misses[c] += s->misses[c];
	}
	sum->walks += s->walks;
	sum->walk_reads += s->walk_reads;
	sum->pwc_hits += s->pwc_hits;
	sum->pwc_misses += s->pwc_misses;
	sum->faults += s->faults;
	sum->flushes_all += s->flushes_all;
	sum->flushes_asid += s->flushes_asid;
	sum->flushes_page += s->flushes_page;
}

const char *tlb_cache_name(int cache)
{
	static const char *const names[TLB_NR_CACHES] = { "l1i", "l1d", "l2" };

	return names[cache];
}

static bool asid_matches(const struct tlb *tlb, bool global, uint16_t entry_asid, uint16_t asid)
{
	return !tlb->config.asid_tagged || global || entry_asid == asid;
}

static struct tlb_entry *set_of(struct cache *c, uint64_t tag)
{
	uint64_t set = c->set_mask || c->sets == 1 ? tag & c->set_mask : tag % c->sets;

	return &c->entries[set * c->ways];
}

/* The bit of struct cache's sizes for an entry of `shift`. */
static unsigned size_bit(unsigned shift)
{
	unsigned s = 0;

	while (page_shifts[s] != shift)
		s++;
	return 1u << s;
}

/* Whether `c` may hold an entry of size page_shifts[s] (a cache with no
 * sets holds none). */
static bool may_hold(const struct cache *c, unsigned s)
{
	return c->sizes & 1u << s;
}

/* The entry of `c` translating `va` for `asid`, any page size, or NULL. */
static struct tlb_entry *cache_find(struct tlb *tlb, struct cache *c, uint16_t asid, uint64_t va)
{
	for (unsigned s = 0; s < G_N_ELEMENTS(page_shifts); s++) {
		uint64_t tag = va >> page_shifts[s];
		struct tlb_entry *set;

		if (!may_hold(c, s))
			continue;
		set = set_of(c, tag);

		for (unsigned w = 0; w < c->ways; w++)
			if (set[w].valid && set[w].shift == page_shifts[s] && set[w].tag == tag &&
			    asid_matches(tlb, set[w].global, set[w].asid, asid))
				return &set[w];
	}
	return NULL;
}

/* Install an entry, replacing an invalid way or else the least recently
 * used; the entry installed, or NULL when `c` has no sets. */
static struct tlb_entry *cache_fill(struct tlb *tlb, struct cache *c, const struct tlb_entry *e)
{
	struct tlb_entry *set, *victim;

	if (!c->sets)
		return NULL;
	set = set_of(c, e->tag);
	victim = &set[0];
	for (unsigned w = 0; w < c->ways && victim->valid; w++)
		if (!set[w].valid || set[w].stamp < victim->stamp)
			victim = &set[w];
	forget_victim(tlb, (int)(c - tlb->caches), victim);
	*victim = *e;
	victim->stamp = ++tlb->f.clock;
	c->sizes |= size_bit(e->shift);
	return victim;
}

/* Whether `p` holds the table descriptor of `level` on `va`'s walk. */
static bool pwc_holds(const struct tlb *tlb, const struct pwc_entry *p, uint16_t asid, int level,
		      uint64_t va)
{
	return p->valid && p->level == level && p->tag == va >> (PGDIR_SHIFT - 9 * level) &&
	       asid_matches(tlb, false, p->asid, asid);
}

/* The PWC's entries on `va`'s walk: found[level] holds the table
 * descriptor of `level` (PGD_LEVEL to PMD_LEVEL), or NULL.  At most one
 * entry holds a level's descriptor for an ASID (pwc_fill adds none that is
 * there), so an entry of the last walk that holds it is the one a search
 * would find: when the last walk's entries hold every level, that is the
 * answer; else one pass over the PWC. */
static void pwc_find_walk(struct tlb *tlb, uint16_t asid, uint64_t va,
			  struct pwc_entry *found[PTE_LEVEL])
{
	bool all = true;

	for (int level = PGD_LEVEL; level < PTE_LEVEL; level++) {
		struct pwc_entry *p = tlb->pwc_walked[level];

		found[level] = p && pwc_holds(tlb, p, asid, level, va) ? p : NULL;
		all = all && found[level];
	}
	if (all)
		return;
	for (unsigned i = 0; i < tlb->config.pwc_entries; i++) {
		struct pwc_entry *p = &tlb->pwc[i];

		if (!found[p->level] && pwc_holds(tlb, p, asid, p->level, va))
			found[p->level] = p;
	}
}

/* The deepest upper level (0-2) whose descriptor `found` holds, or -1. */
static int pwc_deepest_level(struct pwc_entry *const found[PTE_LEVEL])
{
	int level = PMD_LEVEL;

	while (level >= PGD_LEVEL && !found[level])
		level--;
	return level;
}

/* Cache the descriptor of `level` of `va`'s walk, which `found` (the
 * walk's entries) lacks, in an invalid entry or else the least recently
 * used; an entry of `found` replaced is no longer found. */
static void pwc_fill(struct tlb *tlb, uint16_t asid, int level, uint64_t va,
		     struct pwc_entry *found[PTE_LEVEL])
{
	struct pwc_entry *victim = tlb->pwc;

	if (!tlb->config.pwc_entries)
		return;
	for (unsigned i = 0; i < tlb->config.pwc_entries && victim->valid; i++)
		if (!tlb->pwc[i].valid || tlb->pwc[i].stamp < victim->stamp)
			victim = &tlb->pwc[i];
	for (int l = PGD_LEVEL; l < PTE_LEVEL; l++)
		if (found[l] == victim)
			found[l] = NULL;
	*victim = (struct pwc_entry){ true, (uint8_t)level, asid, va >> (PGDIR_SHIFT - 9 * level),
				      ++tlb->f.clock };
	found[level] = victim;
}

/* Walk the real tables; fills the PWC with the table descriptors read. */
static bool walk(struct tlb *tlb, struct phys *phys, phys_addr_t root, uint16_t asid, uint64_t va,
		 struct tlb_entry *leaf, struct tlb_lookup *out)
{
	pte_t entries[PGTABLE_LEVELS];
	struct pwc_entry *found[PTE_LEVEL];
	int read = pgtable_walk_levels(phys, root, va, entries);
	int known, last = read - 1;

	pwc_find_walk(tlb, asid, va, found);
	known = pwc_deepest_level(found);
	if (known >= 0)		/* the walk uses it: aged */
		found[known]->stamp = ++tlb->f.clock;

	tlb->f.stats.walks++;
	if (known >= 0)
		tlb->f.stats.pwc_hits++;
	else if (tlb->config.pwc_entries)
		tlb->f.stats.pwc_misses++;
	/* Levels up to `known` need no memory read: their descriptors are cached. */
	out->walk_reads = (unsigned)MAX(read - (known + 1), 0);
	out->pwc_hit_level = (unsigned)(known + 1);
	tlb->f.stats.walk_reads += out->walk_reads;
	if (!pte_present(entries[last]) || (last < PTE_LEVEL && !pte_is_block(entries[last], last))) {
		tlb->f.stats.faults++;
		return false;
	}
	for (int level = PGD_LEVEL; level < last; level++)
		if (!found[level])
			pwc_fill(tlb, asid, level, va, found);
	memcpy(tlb->pwc_walked, found, sizeof(found));
	*leaf = (struct tlb_entry){
		.valid = true, .global = !(entries[last] & PTE_NG), .asid = asid,
		.shift = (uint8_t)(PGDIR_SHIFT - 9 * last),
	};
	leaf->tag = va >> leaf->shift;
	return true;
}

bool tlb_translate(struct tlb *tlb, struct phys *phys, phys_addr_t root, uint16_t asid, uint64_t va,
		   enum tlb_access access, struct tlb_lookup *out)
{
	int l1 = access == TLB_FETCH ? TLB_L1I : TLB_L1D;
	struct tlb_entry *e, found;

	*out = (struct tlb_lookup){ 0 };
	/* Most accesses hit an entry that hit recently: try it first. */
	if (tlb_hit_recent(tlb, access, asid, va)) {
		out->hit = TLB_HIT_L1;
		out->page_shift = tlb_recent_slot(&tlb->f, l1, va)->shift;
		return true;
	}
	e = cache_find(tlb, &tlb->caches[l1], asid, va);
	if (e) {
		tlb->f.stats.hits[l1]++;
		e->stamp = ++tlb->f.clock;
		remember_last(tlb, l1, va, asid, e);
		out->hit = TLB_HIT_L1;
		out->page_shift = e->shift;
		return true;
	}
	tlb->f.stats.misses[l1]++;
	e = cache_find(tlb, &tlb->caches[TLB_L2], asid, va);
	if (e) {
		tlb->f.stats.hits[TLB_L2]++;
		e->stamp = ++tlb->f.clock;
		found = *e;
		out->hit = TLB_HIT_L2;
	} else {
		if (tlb->caches[TLB_L2].sets)
			tlb->f.stats.misses[TLB_L2]++;
		if (!walk(tlb, phys, root, asid, va, &found, out))
			return false;
		out->hit = TLB_WALKED;
		cache_fill(tlb, &tlb->caches[TLB_L2], &found);
	}
	if ((e = cache_fill(tlb, &tlb->caches[l1], &found)))
		remember_last(tlb, l1, va, asid, e);
	out->page_shift = found.shift;
	return true;
}

void tlb_probe(struct tlb *tlb, uint16_t asid, uint64_t va, struct tlb_probe *out)
{
	struct pwc_entry *found[PTE_LEVEL];

	for (int c = 0; c < TLB_NR_CACHES; c++)
		out->held[c] = cache_find(tlb, &tlb->caches[c], asid, va) != NULL;
	pwc_find_walk(tlb, asid, va, found);
	out->pwc_level = pwc_deepest_level(found);
}

void tlb_for_each_entry(const struct tlb *tlb,
			void (*fn)(void *arg, int cache, const struct tlb_entry *e), void *arg)
{
	for (int c = 0; c < TLB_NR_CACHES; c++) {
		const struct cache *cache = &tlb->caches[c];

		for (unsigned i = 0; i < cache->sets * cache->ways; i++)
			if (cache->entries[i].valid)
				fn(arg, c, &cache->entries[i]);
	}
}

static void cache_invalidate(struct tlb *tlb, struct cache *c, bool (*drop)(const struct tlb *,
			     const struct tlb_entry *, uint16_t, uint64_t), uint16_t asid, uint64_t va)
{
	for (unsigned i = 0; i < c->sets * c->ways; i++)
		if (c->entries[i].valid && drop(tlb, &c->entries[i], asid, va))
			c->entries[i].valid = false;
}

static bool drop_any(const struct tlb *tlb, const struct tlb_entry *e, uint16_t asid, uint64_t va)
{
	return true;
}

static bool drop_asid(const struct tlb *tlb, const struct tlb_entry *e, uint16_t asid, uint64_t va)
{
	return !e->global && (!tlb->config.asid_tagged || e->asid == asid);
}

static bool drop_page(const struct tlb *tlb, const struct tlb_entry *e, uint16_t asid, uint64_t va)
{
	return e->tag == va >> e->shift && asid_matches(tlb, e->global, e->asid, asid);
}

/* The page-walk cache: a whole flush takes it all, a page's flush the
 * entries on that page's walk. */
static void pwc_invalidate(struct tlb *tlb, bool (*drop)(const struct tlb *, const struct tlb_entry *,
			   uint16_t, uint64_t), uint16_t asid, uint64_t va)
{
	for (unsigned i = 0; i < tlb->config.pwc_entries; i++) {
		struct pwc_entry *p = &tlb->pwc[i];
		struct tlb_entry as_entry = { .asid = p->asid, .tag = p->tag,
					      .shift = (uint8_t)(PGDIR_SHIFT - 9 * p->level) };

		if (p->valid && drop(tlb, &as_entry, asid, va))
			p->valid = false;
	}
}

/* Apply `drop` to every entry of every cache, and to the PWC. */
static void invalidate(struct tlb *tlb, bool (*drop)(const struct tlb *, const struct tlb_entry *,
		       uint16_t, uint64_t), uint16_t asid, uint64_t va)
{
	forget_recent(tlb);
	for (int i = 0; i < TLB_NR_CACHES; i++)
		cache_invalidate(tlb, &tlb->caches[i], drop, asid, va);
	pwc_invalidate(tlb, drop, asid, va);
}

/* A page's entries of `c`: only the sets `va` indexes, one a page size, can
 * hold them (cache_fill places an entry by its own tag), so these are the
 * entries drop_page would take in a scan of the whole cache. */
static void cache_invalidate_page(struct tlb *tlb, struct cache *c, uint16_t asid, uint64_t va)
{
	for (unsigned s = 0; s < G_N_ELEMENTS(page_shifts); s++) {
		struct tlb_entry *set;

		if (!may_hold(c, s))
			continue;
		set = set_of(c, va >> page_shifts[s]);

		for (unsigned w = 0; w < c->ways; w++)
			if (set[w].valid && drop_page(tlb, &set[w], asid, va))
				set[w].valid = false;
	}
}

void tlb_flush_all(struct tlb *tlb)
{
	tlb->f.stats.flushes_all++;
	invalidate(tlb, drop_any, 0, 0);
}

void tlb_flush_asid(struct tlb *tlb, uint16_t asid)
{
	tlb->f.stats.flushes_asid++;
	invalidate(tlb, drop_asid, asid, 0);
}

void tlb_flush_page(struct tlb *tlb, uint16_t asid, uint64_t va)
{
	tlb->f.stats.flushes_page++;
	forget_recent(tlb);
	for (int i = 0; i < TLB_NR_CACHES; i++)
		cache_invalidate_page(tlb, &tlb->caches[i], asid, va);
	pwc_invalidate(tlb, drop_page, asid, va);
}
