/*
 * builtin: the suites mmusim ships (`mmusim compare designs`), as suite
 * text (compare/suite.h): each design against its baseline, growing as the
 * designs land.
 */
#ifndef COMPARE_BUILTIN_H
#define COMPARE_BUILTIN_H

/* The text of built-in suite `name`, or NULL. */
const char *builtin_suite(const char *name);

#endif
