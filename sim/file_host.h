/*
 * file_host: host descriptors as files (sim/file.h): a file below the host
 * root, and the console (mmusim's own descriptors 0-2).
 */
#ifndef SIM_FILE_HOST_H
#define SIM_FILE_HOST_H

#include <stdbool.h>

#include "sim/file.h"

/* A host descriptor (taken over) as a file; the console. */
struct file *host_file_new(int host_fd, const char *path, bool read_only);
struct file *console_file_new(int host_fd, const char *name);
/* The host descriptor behind a host file or the console, else -1. */
int file_host_fd(const struct file *file);

#endif
