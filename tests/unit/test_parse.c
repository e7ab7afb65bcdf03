/*
 * util/parse: the one rule for whole-string unsigned numbers.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "util/parse.h"

static uint64_t value_of(const char *s, int base)
{
	uint64_t v = 0xdead;

	cr_assert(parse_u64(s, base, &v), "\"%s\" in base %d must parse", s, base);
	return v;
}

static void expect_rejected(const char *s, int base)
{
	uint64_t v;

	cr_expect_not(parse_u64(s, base, &v), "\"%s\" in base %d must be rejected", s, base);
}

Test(parse, decimal)
{
	cr_expect_eq(value_of("0", 10), 0);
	cr_expect_eq(value_of("4096", 10), 4096);
	cr_expect_eq(value_of("18446744073709551615", 10), UINT64_MAX);
	cr_expect_eq(value_of("010", 10), 10, "base 10 has no octal prefix");
}

Test(parse, c_prefixes_in_base_0)
{
	cr_expect_eq(value_of("0x1000", 0), 0x1000);
	cr_expect_eq(value_of("0XfF", 0), 255);
	cr_expect_eq(value_of("010", 0), 8);
	cr_expect_eq(value_of("ff", 16), 255);
}

Test(parse, rejects_what_is_not_a_whole_unsigned_number)
{
	expect_rejected(NULL, 10);
	expect_rejected("", 10);
	expect_rejected("-1", 10);
	expect_rejected("+1", 10);
	expect_rejected(" 1", 10);
	expect_rejected("1 ", 10);
	expect_rejected("12k", 10);
	expect_rejected("0x10", 10);
	expect_rejected("0x", 0);
	expect_rejected("18446744073709551616", 10);	/* 2^64 */
	expect_rejected("0x10000000000000000", 0);
	expect_rejected("ff", 10);
}
