/*
 * cost: built-in profiles (key-file text) and loading, changing, listing.
 */
#include "mmu/cost.h"

#include <errno.h>
#include <string.h>

#include "mmu/phys.h"
#include "util/parse.h"

/* Bounds past which a value is a typo, not a machine: no modelled step
 * costs more than 2^32 cycles, clocks run from 1 MHz to 1 THz. */
#define MAX_STEP_CYCLES		(UINT64_C(1) << 32)
#define MIN_FREQUENCY_GHZ	0.001
#define MAX_FREQUENCY_GHZ	1000.0

static const char *const step_keys[NR_COST_STEPS] = {
	[COST_INSTRUCTION] = "instruction",
	[COST_TLB_HIT_L1] = "tlb_hit_l1",
	[COST_TLB_HIT_L2] = "tlb_hit_l2",
	[COST_WALK_LEVEL] = "walk_level",
	[COST_WALK_LEVEL_PWC_HIT] = "walk_level_pwc_hit",
	[COST_TRAP_ENTRY] = "trap_entry",
	[COST_TRAP_EXIT] = "trap_exit",
	[COST_SYSCALL_ENTRY] = "syscall_entry",
	[COST_SYSCALL_EXIT] = "syscall_exit",
	[COST_PAGE_ZERO] = "page_zero",
	[COST_PAGE_COPY] = "page_copy",
	[COST_PGTABLE_ALLOC] = "pgtable_alloc",
	[COST_PTE_INSTALL] = "pte_install",
	[COST_TLB_FLUSH_PAGE] = "tlb_flush_page",
	[COST_TLB_FLUSH_ALL] = "tlb_flush_all",
	[COST_SWITCH_ASID] = "switch_mm_asid",
	[COST_SWITCH_NO_ASID] = "switch_mm_no_asid",
	[COST_SCHED_PICK] = "sched_pick",
	[COST_IPI_SEND] = "ipi_send",
	[COST_IPI_HANDLE] = "ipi_handle",
	[COST_ACK_WAIT] = "ack_wait",
	[COST_TLBI_BROADCAST] = "tlbi_broadcast",
	[COST_TLBI_SYNC] = "tlbi_sync",
	[COST_SIGNAL_DELIVERY] = "signal_delivery",
	[COST_VMA_MODIFY] = "vma_modify",
	[COST_FORK_MM] = "fork_mm",
	[COST_UFFD_ENQUEUE] = "uffd_enqueue",
	[COST_UFFD_WAKE] = "uffd_wake",
};

/* The documented default: a generic 2 GHz core (docs/cost-profiles.md). */
static const char default_profile[] =
	"[profile]\n"
	"description=generic 2 GHz out-of-order core with a 4-level walker\n"
	"frequency_ghz=2.0\n"
	"[cycles]\n"
	"instruction=1\n"
	"tlb_hit_l1=0\ntlb_hit_l2=7\n"
	"walk_level=30\nwalk_level_pwc_hit=2\n"
	"trap_entry=100\ntrap_exit=80\n"
	"syscall_entry=70\nsyscall_exit=60\n"
	"page_zero=250\npage_copy=500\n"
	"pgtable_alloc=300\npte_install=40\n"
	"tlb_flush_page=40\ntlb_flush_all=200\n"
	"switch_mm_asid=150\nswitch_mm_no_asid=250\n"
	"sched_pick=800\n"
	"ipi_send=600\nipi_handle=1500\nack_wait=1000\ntlbi_broadcast=100\ntlbi_sync=600\n"
	"signal_delivery=1500\n"
	"vma_modify=0\nfork_mm=0\n"
	"uffd_enqueue=400\nuffd_wake=300\n"
	"[tlb]\n"
	"l1i_entries=64\nl1i_ways=4\nl1d_entries=64\nl1d_ways=4\n"
	"l2_entries=1024\nl2_ways=8\npwc_entries=32\n"
	"asid_bits=16\nshootdown=ipi\n"
	"[device]\n"
	"l1_entries=32\nl1_ways=32\nl2_entries=2048\nl2_ways=16\npwc_entries=16\n"
	"access=1\nfault=20000\npte_update=50\ntlb_inval_page=1000\ntlb_inval_range=2000\n"
	"link_latency=2000\nlink_page=512\n";

/* Intel Xeon E5620 (Westmere-EP, 2.40 GHz), the CPU of the first-class
 * address-space measurements (docs/cost-profiles.md). */
static const char xeon_e5620_profile[] =
	"[profile]\n"
	"description=Intel Xeon E5620 (Westmere-EP), 2.40 GHz: the CPU the VAS thread measured on\n"
	"frequency_ghz=2.4\n"
	"[cycles]\n"
	"instruction=1\n"
	"tlb_hit_l1=0\ntlb_hit_l2=7\n"
	"walk_level=35\nwalk_level_pwc_hit=3\n"
	"trap_entry=120\ntrap_exit=100\n"
	"syscall_entry=75\nsyscall_exit=65\n"
	"page_zero=300\npage_copy=600\n"
	"pgtable_alloc=350\npte_install=50\n"
	"tlb_flush_page=120\ntlb_flush_all=500\n"
	"switch_mm_asid=200\nswitch_mm_no_asid=900\n"
	"sched_pick=1700\n"
	"ipi_send=700\nipi_handle=2000\nack_wait=1500\ntlbi_broadcast=0\ntlbi_sync=0\n"
	"signal_delivery=2500\n"
	"uffd_enqueue=450\nuffd_wake=350\n"
	"[tlb]\n"
	"l1i_entries=64\nl1i_ways=4\nl1d_entries=64\nl1d_ways=4\n"
	"l2_entries=512\nl2_ways=4\npwc_entries=32\n"
	"asid_bits=0\nshootdown=ipi\n";

/* Linux's: fault_around_bytes is 64 KiB (mm/memory.c), the zero page is
 * used, copy_page_range() skips VMAs a fault can refill, stacks grow. */
const struct vm_tunables vm_default_tunables = {
	.fault_around_bytes = 65536,
	.zero_page = true,
	.fork_skip_refillable = true,
	.stack_growth = true,
};

static const struct { const char *name, *text; } builtins[] = {
	{ "default", default_profile },
	{ "xeon-e5620", xeon_e5620_profile },
};

static const char *const mechanism_names[] = {
	[SHOOTDOWN_IPI] = "ipi",
	[SHOOTDOWN_BROADCAST] = "broadcast",
};

const char *shootdown_mechanism_name(enum shootdown_mechanism m)
{
	return mechanism_names[m];
}

/* The whole-number keys of [tlb], and where they go. */
static unsigned *tlb_field(struct cost_profile *p, const char *key)
{
	static const char *const keys[] = { "l1i_entries", "l1i_ways", "l1d_entries", "l1d_ways",
					     "l2_entries", "l2_ways", "pwc_entries", "asid_bits" };
	unsigned *fields[] = { &p->tlb.l1i.entries, &p->tlb.l1i.ways, &p->tlb.l1d.entries,
			       &p->tlb.l1d.ways, &p->tlb.l2.entries, &p->tlb.l2.ways,
			       &p->tlb.pwc_entries, &p->asid_bits };

	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		if (!strcmp(keys[i], key))
			return fields[i];
	return NULL;
}

const char *cost_step_key(enum cost_step step)
{
	return step < NR_COST_STEPS ? step_keys[step] : "?";
}

static int find_step(const char *key)
{
	for (int s = 0; s < NR_COST_STEPS; s++)
		if (!strcmp(step_keys[s], key))
			return s;
	return -1;
}

static int invalid(GError **error, const char *fmt, const char *source, const char *key)
{
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, fmt, source, key);
	return -EINVAL;
}

/* A whole number up to `max`, as a key file or --set spells it. */
static bool parse_count(const char *text, uint64_t max, uint64_t *out)
{
	return parse_u64(text, 10, out) && *out <= max;
}

static int apply_cycles(struct cost_profile *p, GKeyFile *kf, const char *source, GError **error)
{
	gchar **keys = g_key_file_get_keys(kf, "cycles", NULL, NULL);
	int err = 0;

	for (gchar **key = keys; key && *key && !err; key++) {
		int step = find_step(*key);
		gchar *text = g_key_file_get_value(kf, "cycles", *key, NULL);
		guint64 v;

		if (step < 0)
			err = invalid(error, "%s: unknown step \"%s\" in [cycles]", source, *key);
		else if (!parse_count(text, MAX_STEP_CYCLES, &v))
			err = invalid(error, "%s: cycles.%s must be a whole number of cycles up to 4294967296",
				      source, *key);
		else
			p->cycles[step] = v;
		g_free(text);
	}
	g_strfreev(keys);
	return err;
}

/* The keys of [device], and where they go. */
static bool device_field(struct cost_profile *p, const char *key, unsigned **geometry, uint64_t **cost)
{
	static const char *const geometry_keys[] = { "l1_entries", "l1_ways", "l2_entries", "l2_ways",
						      "pwc_entries" };
	static const char *const cost_keys[] = { "access", "fault", "pte_update", "tlb_inval_page",
						  "tlb_inval_range", "link_latency", "link_page" };
	struct device_profile *d = &p->device;
	unsigned *geometries[] = { &d->tlb.l1d.entries, &d->tlb.l1d.ways, &d->tlb.l2.entries,
				   &d->tlb.l2.ways, &d->tlb.pwc_entries };
	uint64_t *costs[] = { &d->access, &d->fault, &d->pte_update, &d->tlb_inval_page,
			      &d->tlb_inval_range, &d->link_latency, &d->link_page };

	*geometry = NULL;
	*cost = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(geometry_keys); i++)
		if (!strcmp(geometry_keys[i], key))
			*geometry = geometries[i];
	for (size_t i = 0; i < G_N_ELEMENTS(cost_keys); i++)
		if (!strcmp(cost_keys[i], key))
			*cost = costs[i];
	return *geometry || *cost;
}

static int apply_device(struct cost_profile *p, GKeyFile *kf, const char *source, GError **error)
{
	gchar **keys = g_key_file_get_keys(kf, "device", NULL, NULL);
	int err = 0;

	for (gchar **key = keys; key && *key && !err; key++) {
		gchar *text = g_key_file_get_value(kf, "device", *key, NULL);
		unsigned *geometry;
		uint64_t *cost;
		guint64 v;

		if (!device_field(p, *key, &geometry, &cost))
			err = invalid(error, "%s: unknown key \"%s\" in [device]", source, *key);
		else if (!parse_count(text, geometry ? 1u << 20 : MAX_STEP_CYCLES, &v))
			err = invalid(error, geometry ? "%s: device.%s must be a whole number up to 1048576"
						      : "%s: device.%s must be a whole number of cycles up to 4294967296",
				      source, *key);
		else if (geometry)
			*geometry = (unsigned)v;
		else
			*cost = v;
		g_free(text);
	}
	g_strfreev(keys);
	return err;
}

static int apply_tlb(struct cost_profile *p, GKeyFile *kf, const char *source, GError **error)
{
	gchar **keys = g_key_file_get_keys(kf, "tlb", NULL, NULL);
	int err = 0;

	for (gchar **key = keys; key && *key && !err; key++) {
		gchar *text = g_key_file_get_value(kf, "tlb", *key, NULL);
		unsigned *field = tlb_field(p, *key);
		guint64 v;

		if (!strcmp(*key, "shootdown")) {
			if (!strcmp(text, "ipi") || !strcmp(text, "broadcast"))
				p->shootdown = !strcmp(text, "ipi") ? SHOOTDOWN_IPI : SHOOTDOWN_BROADCAST;
			else
				err = invalid(error, "%s: tlb.%s must be ipi or broadcast", source, *key);
		} else if (!field) {
			err = invalid(error, "%s: unknown key \"%s\" in [tlb]", source, *key);
		} else if (!parse_count(text, 1u << 20, &v)) {
			err = invalid(error, "%s: tlb.%s must be a whole number up to 1048576", source, *key);
		} else {
			*field = (unsigned)v;
		}
		g_free(text);
	}
	g_strfreev(keys);
	return err;
}

/* fault_around_bytes as Linux's debugfs knob takes it, but exact: 0, or a
 * power-of-two number of pages up to one page table's reach (2 MiB). */
static bool valid_fault_around(guint64 bytes)
{
	return bytes == 0 || (bytes >= PAGE_SIZE && bytes <= 512 * PAGE_SIZE && !(bytes & (bytes - 1)));
}

static int apply_vm_key(struct cost_profile *p, const char *key, const char *text,
			const char *source, GError **error)
{
	bool *flags[] = { &p->vm.zero_page, &p->vm.fork_skip_refillable, &p->vm.stack_growth };
	static const char *const flag_keys[] = { "zero_page", "fork_skip_refillable", "stack_growth" };
	guint64 v;

	if (!strcmp(key, "fault_around_bytes")) {
		if (!parse_count(text, UINT64_MAX, &v) || !valid_fault_around(v))
			return invalid(error, "%s: vm.%s must be 0 or a power of two from 4096 to 2097152",
				       source, key);
		p->vm.fault_around_bytes = v;
		return 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(flag_keys); i++) {
		if (strcmp(flag_keys[i], key))
			continue;
		if (!parse_count(text, 1, &v))
			return invalid(error, "%s: vm.%s must be 0 or 1", source, key);
		*flags[i] = v;
		return 0;
	}
	return invalid(error, "%s: unknown key \"%s\" in [vm]", source, key);
}

static int apply_vm(struct cost_profile *p, GKeyFile *kf, const char *source, GError **error)
{
	gchar **keys = g_key_file_get_keys(kf, "vm", NULL, NULL);
	int err = 0;

	for (gchar **key = keys; key && *key && !err; key++) {
		gchar *text = g_key_file_get_value(kf, "vm", *key, NULL);

		err = apply_vm_key(p, *key, text, source, error);
		g_free(text);
	}
	g_strfreev(keys);
	return err;
}

/* The TLB descriptions as a whole: geometries a TLB can have, ASIDs that fit. */
static int check_tlb(struct cost_profile *p, const char *source, GError **error)
{
	const struct { const char *name; struct tlb_geometry *g; } caches[] = {
		{ "tlb.l1i", &p->tlb.l1i }, { "tlb.l1d", &p->tlb.l1d }, { "tlb.l2", &p->tlb.l2 },
		{ "device.l1", &p->device.tlb.l1d }, { "device.l2", &p->device.tlb.l2 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(caches); i++) {
		if (caches[i].g->entries && !caches[i].g->ways)
			return invalid(error, "%s: %s_ways must be at least 1 when the TLB has entries",
				       source, caches[i].name);
		if (caches[i].g->entries % MAX(caches[i].g->ways, 1))
			return invalid(error, "%s: %s_entries must be a multiple of its ways", source,
				       caches[i].name);
	}
	if (p->asid_bits > MAX_ASID_BITS)
		return invalid(error, "%s: tlb.%s must be at most 16", source, "asid_bits");
	p->tlb.asid_tagged = p->asid_bits > 0;
	return 0;
}

/* Every group and [profile] key is one this module knows: a typo is an
 * error, not a value silently left at the default. */
static int check_names(GKeyFile *kf, const char *source, GError **error)
{
	static const char *const groups[] = { "profile", "cycles", "tlb", "vm", "device", NULL };
	static const char *const profile_keys[] = { "description", "frequency_ghz", NULL };
	gchar **names = g_key_file_get_groups(kf, NULL);
	int err = 0;

	for (gchar **g = names; *g && !err; g++)
		if (!g_strv_contains(groups, *g))
			err = invalid(error, "%s: unknown group [%s] (expected [profile], [cycles], [tlb], [vm], [device])",
				      source, *g);
	g_strfreev(names);
	names = g_key_file_get_keys(kf, "profile", NULL, NULL);
	for (gchar **k = names; k && *k && !err; k++)
		if (!g_strv_contains(profile_keys, *k))
			err = invalid(error, "%s: unknown key \"%s\" in [profile]", source, *k);
	g_strfreev(names);
	return err;
}

/* Apply what a key file says over the values already in `p`. */
static int apply_key_file(struct cost_profile *p, GKeyFile *kf, const char *source, GError **error)
{
	GError *e = NULL;
	int err = check_names(kf, source, error);

	if (!err && g_key_file_has_key(kf, "profile", "frequency_ghz", NULL)) {
		p->frequency_ghz = g_key_file_get_double(kf, "profile", "frequency_ghz", &e);
		if (e || !(p->frequency_ghz >= MIN_FREQUENCY_GHZ && p->frequency_ghz <= MAX_FREQUENCY_GHZ))
			err = invalid(error, "%s: %s must be a number of GHz from 0.001 to 1000", source,
				      "frequency_ghz");
		g_clear_error(&e);
	}
	if (g_key_file_has_key(kf, "profile", "description", NULL)) {
		g_free(p->description);
		p->description = g_key_file_get_string(kf, "profile", "description", NULL);
	}
	if (!err)
		err = apply_cycles(p, kf, source, error);
	if (!err)
		err = apply_tlb(p, kf, source, error);
	if (!err)
		err = apply_vm(p, kf, source, error);
	if (!err)
		err = apply_device(p, kf, source, error);
	return err ? err : check_tlb(p, source, error);
}

static int apply_text(struct cost_profile *p, const char *text, gssize len, const char *source,
		      GError **error)
{
	GKeyFile *kf = g_key_file_new();
	int err = 0;

	if (!g_key_file_load_from_data(kf, text, (gsize)len, G_KEY_FILE_NONE, error)) {
		g_prefix_error(error, "%s: ", source);
		err = -EINVAL;
	} else {
		err = apply_key_file(p, kf, source, error);
	}
	g_key_file_free(kf);
	return err;
}

int cost_profile_load(const char *name_or_file, struct cost_profile *out, GError **error)
{
	gchar *text = NULL;
	gsize len;
	int err;

	memset(out, 0, sizeof(*out));
	out->vm = vm_default_tunables;
	err = apply_text(out, default_profile, -1, "default", error);	/* the base of every profile */
	for (size_t i = 0; i < G_N_ELEMENTS(builtins) && !err; i++) {
		if (strcmp(builtins[i].name, name_or_file))
			continue;
		out->name = g_strdup(name_or_file);
		return apply_text(out, builtins[i].text, -1, name_or_file, error);
	}
	if (!g_file_get_contents(name_or_file, &text, &len, error)) {
		g_prefix_error(error, "--profile %s: not a built-in profile (see 'mmusim profiles'), and ",
			       name_or_file);
		cost_profile_clear(out);
		return -ENOENT;
	}
	out->name = g_strdup(name_or_file);
	err = apply_text(out, text, (gssize)len, name_or_file, error);
	g_free(text);
	if (err)
		cost_profile_clear(out);
	return err;
}

int cost_profile_set(struct cost_profile *p, const char *assignment, GError **error)
{
	const char *eq = strchr(assignment, '=');
	const char *dot = strchr(assignment, '.');
	gchar *text = NULL, *source;
	int err;

	if (eq && !strncmp(assignment, "frequency_ghz=", 14))
		text = g_strdup_printf("[profile]\nfrequency_ghz=%s\n", eq + 1);
	else if (eq && dot && dot < eq && (!strncmp(assignment, "cycles.", 7) || !strncmp(assignment, "tlb.", 4) ||
					   !strncmp(assignment, "vm.", 3) || !strncmp(assignment, "device.", 7)))
		text = g_strdup_printf("[%.*s]\n%.*s=%s\n", (int)(dot - assignment), assignment,
				       (int)(eq - dot - 1), dot + 1, eq + 1);
	if (!text) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "--set %s: expected cycles.STEP=N, tlb.KEY=V, vm.KEY=V, device.KEY=N or frequency_ghz=F", assignment);
		return -EINVAL;
	}
	source = g_strdup_printf("--set %s", assignment);
	err = apply_text(p, text, -1, source, error);
	g_free(source);
	g_free(text);
	return err;
}

void cost_profile_clear(struct cost_profile *p)
{
	g_free(p->name);
	g_free(p->description);
	memset(p, 0, sizeof(*p));
}

void cost_profiles_describe(GString *out)
{
	for (size_t i = 0; i < G_N_ELEMENTS(builtins); i++) {
		struct cost_profile p;

		if (cost_profile_load(builtins[i].name, &p, NULL))
			continue;
		g_string_append_printf(out, "%-12s %5.2f GHz  %s\n", p.name, p.frequency_ghz, p.description);
		g_string_append_printf(out, "%-12s TLBs: L1i %ux%u, L1d %ux%u, L2 %ux%u, PWC %u; ", "",
				       p.tlb.l1i.entries, p.tlb.l1i.ways, p.tlb.l1d.entries, p.tlb.l1d.ways,
				       p.tlb.l2.entries, p.tlb.l2.ways, p.tlb.pwc_entries);
		if (p.asid_bits)
			g_string_append_printf(out, "%u-bit ASIDs", p.asid_bits);
		else
			g_string_append(out, "untagged");
		g_string_append_printf(out, "; %s shootdowns\n", shootdown_mechanism_name(p.shootdown));
		cost_profile_clear(&p);
	}
}
