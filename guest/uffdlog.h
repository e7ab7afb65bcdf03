/*
 * uffdlog: what a userfaultfd guest's handler thread saw and did, kept as
 * text and printed by the main thread once the handler is done, so that
 * the two threads' lines never race (guest/uffd.c, guest/uffdev.c).
 */
#ifndef GUEST_UFFDLOG_H
#define GUEST_UFFDLOG_H

#include "fdtest.h"

static char log_text[4096];

/* One line: "what: N", or the errno's name when ret is negative. */
static inline void note(const char *what, long ret)
{
	size_t len = strlen(log_text);

	if (ret < 0)
		snprintf(log_text + len, sizeof(log_text) - len, "%s: %s\n", what, err_name(errno));
	else
		snprintf(log_text + len, sizeof(log_text) - len, "%s: %ld\n", what, ret);
}

static inline void print_log(void)
{
	fputs(log_text, stdout);
	log_text[0] = 0;
}

#endif
