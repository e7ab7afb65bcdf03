/*
 * text: a report as text, the --stats layout (see model.h for the forms).
 */
#ifndef REPORT_TEXT_H
#define REPORT_TEXT_H

#include <stdio.h>

#include "report/model.h"

void report_write_text(const struct report_node *root, FILE *out);

#endif
