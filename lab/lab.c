/*
 * lab: the `mmusim lab` command (see lab.h): pick the lab, make the
 * variant from the seed, then show it, solve it or grade an answer file.
 *
 * Exit status: 0 shown, solved, or every answer correct; 1 some answer
 * wrong or missing; 2 a usage error (unknown lab, bad option); 65 an answer
 * file that cannot be read or parsed (the message names file and line);
 * 70 when the ground truth cannot be had (a guest program that fails).
 */
#include "lab/lab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/answers.h"
#include "util/parse.h"

#define EX_USAGE 2
#define EX_DATAERR 65
#define EX_SOFTWARE 70

static const struct lab *const all_labs[] = {
	&lab_translate, &lab_cow, &lab_tlb_reach, &lab_asid, &lab_shootdown, &lab_vas, &lab_mshare,
	&lab_userfault, &lab_gmem,
};

void lab_ask(struct lab_variant *v, const char *key, const char *prompt_fmt, ...)
{
	struct lab_question *q = g_new0(struct lab_question, 1);
	va_list ap;

	va_start(ap, prompt_fmt);
	q->key = g_strdup(key);
	q->prompt = g_strdup_vprintf(prompt_fmt, ap);
	va_end(ap);
	g_ptr_array_add(v->questions, q);
}

static struct lab_question *find_question(struct lab_variant *v, const char *key)
{
	for (guint i = 0; i < v->questions->len; i++) {
		struct lab_question *q = g_ptr_array_index(v->questions, i);

		if (!strcmp(q->key, key))
			return q;
	}
	return NULL;
}

void lab_answer(struct lab_variant *v, const char *key, const char *fmt, ...)
{
	struct lab_question *q = find_question(v, key);
	va_list ap;

	g_assert(q);
	va_start(ap, fmt);
	g_free(q->answer);
	q->answer = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

int lab_pick(struct lab_variant *v, int lo, int hi)
{
	return g_rand_int_range(v->rand, lo, hi + 1);
}

static void free_question(gpointer data)
{
	struct lab_question *q = data;

	g_free(q->key);
	g_free(q->prompt);
	g_free(q->answer);
	g_free(q);
}

/* Start the variant's random numbers over: a lab's solve() picks the same
 * parameters again as its generate() did. */
static void rewind_variant(struct lab_variant *v)
{
	guint32 words[2] = { (guint32)v->seed, (guint32)(v->seed >> 32) };

	g_rand_set_seed_array(v->rand, words, 2);
}

static int solve_variant(const struct lab *lab, struct lab_variant *v, GString *error)
{
	rewind_variant(v);
	return lab->solve(v, error);
}

static void variant_init(struct lab_variant *v, const struct lab *lab, uint64_t seed)
{
	v->seed = seed;
	v->rand = g_rand_new();
	rewind_variant(v);
	v->text = g_string_new(NULL);
	v->questions = g_ptr_array_new_with_free_func(free_question);
	lab->generate(v);
}

static void variant_fini(struct lab_variant *v)
{
	g_rand_free(v->rand);
	g_string_free(v->text, TRUE);
	g_ptr_array_free(v->questions, TRUE);
}

static void show(const struct lab *lab, struct lab_variant *v)
{
	printf("Lab %s (seed %" G_GUINT64_FORMAT "): %s\n\n%s\n", lab->name, v->seed, lab->title,
	       v->text->str);
	printf("Answer file (mmusim lab %s --seed %" G_GUINT64_FORMAT " --check FILE):\n\n", lab->name,
	       v->seed);
	for (guint i = 0; i < v->questions->len; i++) {
		struct lab_question *q = g_ptr_array_index(v->questions, i);

		printf("# %s\n%s = \n", q->prompt, q->key);
	}
}

static void print_solution(const struct lab *lab, struct lab_variant *v)
{
	printf("# mmusim lab %s --seed %" G_GUINT64_FORMAT ": the simulator's answers\n", lab->name,
	       v->seed);
	for (guint i = 0; i < v->questions->len; i++) {
		struct lab_question *q = g_ptr_array_index(v->questions, i);

		printf("%s = %s\n", q->key, q->answer);
	}
}

/* Grade `answers` against the solved variant: the number of wrong ones. */
static unsigned grade(struct lab_variant *v, GHashTable *answers)
{
	unsigned wrong = 0;

	for (guint i = 0; i < v->questions->len; i++) {
		struct lab_question *q = g_ptr_array_index(v->questions, i);
		const char *given = g_hash_table_lookup(answers, q->key);
		const char *verdict = !given ? "not answered" :
				      answers_match(given, q->answer) ? "correct" : "incorrect";

		if (strcmp(verdict, "correct"))
			wrong++;
		printf("%-20s %s\n", q->key, verdict);
	}
	printf("%u of %u correct\n", v->questions->len - wrong, v->questions->len);
	return wrong;
}

static void list_labs(void)
{
	printf("Labs (mmusim lab NAME --seed S; docs/labs/):\n");
	for (size_t i = 0; i < G_N_ELEMENTS(all_labs); i++)
		printf("  %-12s %s\n", all_labs[i]->name, all_labs[i]->title);
}

static const struct lab *find_lab(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(all_labs); i++)
		if (!strcmp(all_labs[i]->name, name))
			return all_labs[i];
	return NULL;
}

static int lab_usage(const char *fmt, const char *arg)
{
	fputs("mmusim lab: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'mmusim lab' for the list of labs, 'mmusim --help' for the options.\n", stderr);
	return EX_USAGE;
}

/* Check the answer file `path` against the variant (solved first). */
static int check(const struct lab *lab, struct lab_variant *v, const char *path)
{
	GString *error = g_string_new(NULL);
	GHashTable *answers = answers_read(path, v->questions, error);
	int status;

	if (!answers) {
		fprintf(stderr, "mmusim lab: %s\n", error->str);
		status = EX_DATAERR;
	} else if (solve_variant(lab, v, error)) {
		fprintf(stderr, "mmusim lab %s: %s\n", lab->name, error->str);
		status = EX_SOFTWARE;
	} else {
		status = grade(v, answers) ? 1 : 0;
	}
	if (answers)
		g_hash_table_unref(answers);
	g_string_free(error, TRUE);
	return status;
}

static int solve(const struct lab *lab, struct lab_variant *v)
{
	GString *error = g_string_new(NULL);
	int status = 0;

	if (solve_variant(lab, v, error)) {
		fprintf(stderr, "mmusim lab %s: %s\n", lab->name, error->str);
		status = EX_SOFTWARE;
	} else {
		print_solution(lab, v);
	}
	g_string_free(error, TRUE);
	return status;
}

int lab_main(int argc, char **argv)
{
	gchar *seed_text = NULL, *answers = NULL;
	gboolean do_solve = FALSE;
	GOptionEntry entries[] = {
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "the variant", "S" },
		{ "check", 0, 0, G_OPTION_ARG_FILENAME, &answers, "grade an answer file", "ANSWERS" },
		{ "solve", 0, 0, G_OPTION_ARG_NONE, &do_solve, "the teacher's answers", NULL },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("NAME");
	GError *error = NULL;
	const struct lab *lab;
	struct lab_variant v = { 0 };
	uint64_t seed = 0;
	int status;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		status = lab_usage("%s", error->message);
		goto out;
	}
	if (argc < 2) {
		list_labs();
		status = 0;
		goto out;
	}
	if (!(lab = find_lab(argv[1]))) {
		status = lab_usage("unknown lab '%s'", argv[1]);
		goto out;
	}
	if (seed_text && !parse_u64(seed_text, 0, &seed)) {
		status = lab_usage("--seed %s: expected a number from 0 to 2^64-1", seed_text);
		goto out;
	}
	if (do_solve && answers) {
		status = lab_usage("%s", "--solve and --check exclude each other");
		goto out;
	}
	variant_init(&v, lab, seed);
	status = answers ? check(lab, &v, answers) : do_solve ? solve(lab, &v) : (show(lab, &v), 0);
	variant_fini(&v);
out:
	g_clear_error(&error);
	g_option_context_free(ctx);
	g_free(seed_text);
	g_free(answers);
	return status;
}
