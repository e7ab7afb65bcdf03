/*
 * parse: whole-string unsigned numbers, as options, profiles, key files and
 * interactive commands spell them.
 *
 * One rule everywhere: the text starts with a digit of its base (no sign,
 * no blank), every character is consumed, and the value fits in 64 bits.  The base is
 * strtoull's: 10, 16, or 0 for C's prefixes (0x hexadecimal, 0 octal).
 * util/ includes nothing of mmusim's, so every layer may use it.
 */
#ifndef UTIL_PARSE_H
#define UTIL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* `s` as a number in `base`; false (and *out unspecified) when `s` breaks
 * the rule above. */
bool parse_u64(const char *s, int base, uint64_t *out);

#endif
