/*
 * parse: whole-string unsigned numbers (util/parse.h).
 */
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isalnum((unsigned char)*s))	/* no sign, no blank */
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}
