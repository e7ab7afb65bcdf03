/*
 * lab: `mmusim lab`, exercises whose answers mmusim knows (docs/labs/).
 *
 *   mmusim lab                         list the labs
 *   mmusim lab NAME --seed S           the student's variant: the question,
 *                                      what to run, an answer template
 *   mmusim lab NAME --seed S --solve   the teacher's answer file
 *   mmusim lab NAME --seed S --check ANSWERS
 *                                      grade a student's answer file
 *
 * A lab makes its variant from the seed alone (GRand, the same on every
 * host), and computes the answers from the simulator's own ground truth
 * only when asked to solve or check: a walk of the tables it built, or the
 * figures of a run of a guest program under this very mmusim (lab/measure).
 *
 * Answers are "KEY = VALUE" lines (docs/labs/README.md).  A number matches
 * a number equal to it in any base strtoull accepts; any other answer
 * matches ignoring case and repeated blanks.
 */
#ifndef LAB_LAB_H
#define LAB_LAB_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct lab_question {
	char *key;
	char *prompt;
	char *answer;		/* the ground truth; NULL until solved */
};

struct lab_variant {
	uint64_t seed;
	GRand *rand;
	GString *text;		/* question and instructions */
	GPtrArray *questions;	/* struct lab_question * */
};

struct lab {
	const char *name;
	const char *title;
	/* Write the variant's text and questions from v->rand. */
	void (*generate)(struct lab_variant *v);
	/* Fill every question's answer, from v->rand started over (so the
	 * same picks give the same parameters).  0, or -1 with `error` saying why
	 * (e.g. a guest program that could not run). */
	int (*solve)(struct lab_variant *v, GString *error);
};

extern const struct lab lab_translate, lab_cow, lab_tlb_reach, lab_asid, lab_shootdown;
/* One per design. */
extern const struct lab lab_vas, lab_mshare, lab_userfault, lab_gmem;

/* A question of `v`, in the order of the answer file. */
void lab_ask(struct lab_variant *v, const char *key, const char *prompt_fmt, ...)
	G_GNUC_PRINTF(3, 4);
/* Set the answer of question `key`. */
void lab_answer(struct lab_variant *v, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* A random integer in [lo, hi] from the variant's seed. */
int lab_pick(struct lab_variant *v, int lo, int hi);

/* `mmusim lab ...`: the exit status. */
int lab_main(int argc, char **argv);

#endif
