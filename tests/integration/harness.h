/*
 * Shared helpers for the integration tests: run mmusim, qemu-aarch64-static
 * or any host program with GLib's g_spawn_sync and capture what it did, in
 * a fresh temporary directory per test.
 *
 * Every Criterion test runs in its own process, so the per-test state (the
 * temporary directory, the file to use as standard input) is global.
 */
#ifndef TESTS_INTEGRATION_HARNESS_H
#define TESTS_INTEGRATION_HARNESS_H

#include <criterion/criterion.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* Absolute paths, from tests/integration.mk. */
#ifndef MMUSIM_PATH
#error "MMUSIM_PATH must be defined"
#endif
#define GUEST(name) GUEST_BIN_DIR "/" name
#define BB BUSYBOX_PATH

/* Generous: a test that hangs is a failure, not a stuck `make check`. */
#define TEST_TIMEOUT 120

/* What a program did. */
struct result {
	gchar *out;		/* standard output (as text: a NUL byte would end it) */
	gchar *err;		/* standard error */
	int status;		/* exit status, or 128+signo if a signal killed it */
	bool host_signal;	/* it was killed by a signal (mmusim never should be) */
};

/* Criterion .init/.fini: a fresh temporary directory, made the working
 * directory of every program run; removed (with its contents) afterwards. */
void harness_setup(void);
void harness_teardown(void);
/* The temporary directory of the current test. */
const char *tmp_dir(void);
/* A path inside it (g_free it). */
gchar *tmp_path(const char *name);
/* A copy of the guest program `path` in tmp_dir(), and the name to run it
 * by, "./NAME" (g_free it): its path is on the guest's stack (argv[0]), so
 * a run whose figures must not depend on where the tree is built runs the
 * copy. */
gchar *tmp_program_copy(const char *path);

/* Programs run from here on read their standard input from `path` (NULL:
 * /dev/null, the default). */
void set_stdin_file(const char *path);

/* Run argv[0] (a path) with arguments, in tmp_dir(). */
struct result run_argv(const char *const *argv);
/* `mmusim run ARGS...`: options, then the program and its arguments. */
struct result run_mmusim(const char *arg, ...) G_GNUC_NULL_TERMINATED;
/* `qemu-aarch64-static ARGS...`: the program and its arguments. */
struct result run_qemu(const char *arg, ...) G_GNUC_NULL_TERMINATED;
/* `mmusim ARGS...` without the run command: --help, bad usage. */
struct result run_mmusim_raw(const char *arg, ...) G_GNUC_NULL_TERMINATED;
void result_free(struct result *r);

/* Run the same guest command line (a NULL-terminated array: the program
 * and its arguments) under mmusim and under qemu; their stdout, stderr and
 * exit status must be equal.  Returns mmusim's result, for further checks
 * (free it with result_free). */
struct result expect_same_as_qemu(const char *const *args);

/* mmusim's result must be a clean exit with `status`, never an internal
 * error (70) or a host signal; prints stderr when it fails. */
void expect_status(const struct result *r, int status);
/* `haystack` must contain `needle`; `what` names it in the failure. */
void expect_contains(const char *what, const char *haystack, const char *needle);
void expect_not_contains(const char *what, const char *haystack, const char *needle);

/* Write a file in tmp_dir() (`contents` NUL-terminated); returns its path. */
gchar *write_tmp_file(const char *name, const char *contents);
/* An executable copy (mode 0755) of the first `len` bytes of `src` in
 * tmp_dir(); returns its path. */
gchar *truncated_copy(const char *src, const char *name, gsize len);

/* The text of the --report file at `path` up to "host", which must be its
 * last member: what two runs of the same simulation agree on (g_free it). */
gchar *report_before_host(const char *path);
/* The --report file at `path`, parsed: it must be a JSON object
 * (json_node_unref it). */
JsonNode *read_report(const char *path);

#endif
