/*
 * query: one figure of a --report document, by a path of member names
 * separated by '/': "faults/shmem", "region/tlb/l1d/misses".  Where the
 * path meets an array, the next name picks the element whose "kind",
 * "name" or "device" member equals it ("latencies/switch:vas/median_ns",
 * "mshare/flushing/flush/ipis", "devices/accelerators/accel0/faults");
 * those contain no '/'.
 * For lab/ and compare/, which read reports that mmusim wrote.
 */
#ifndef REPORT_QUERY_H
#define REPORT_QUERY_H

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* The value at `path` below `root`, or NULL when there is none. */
JsonNode *report_query(JsonNode *root, const char *path);
/* It as a number; false when absent or not a number. */
bool report_query_number(JsonNode *root, const char *path, double *out);

#endif
