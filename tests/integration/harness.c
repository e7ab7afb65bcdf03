/*
 * Shared helpers for the integration tests (see harness.h).
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static gchar *test_dir;
static gchar *stdin_path;

static void remove_tree(const char *path)
{
	GDir *dir;
	const char *name;

	if (!g_file_test(path, G_FILE_TEST_IS_SYMLINK) && g_file_test(path, G_FILE_TEST_IS_DIR) &&
	    (dir = g_dir_open(path, 0, NULL))) {
		while ((name = g_dir_read_name(dir))) {
			gchar *child = g_build_filename(path, name, NULL);

			remove_tree(child);
			g_free(child);
		}
		g_dir_close(dir);
	}
	g_remove(path);
}

void harness_setup(void)
{
	GError *error = NULL;
	gchar *dir = g_dir_make_tmp("mmusim-test-XXXXXX", &error);
	char *real;

	cr_assert_not_null(dir, "cannot make a temporary directory: %s", error ? error->message : "?");
	/* Its real path, as getcwd in a guest reports it. */
	real = realpath(dir, NULL);
	cr_assert_not_null(real, "realpath %s: %s", dir, g_strerror(errno));
	test_dir = g_strdup(real);
	free(real);
	g_free(dir);
}

void harness_teardown(void)
{
	if (test_dir)
		remove_tree(test_dir);
	g_clear_pointer(&test_dir, g_free);
	g_clear_pointer(&stdin_path, g_free);
}

const char *tmp_dir(void)
{
	cr_assert_not_null(test_dir, "the test has no .init = harness_setup");
	return test_dir;
}

gchar *tmp_path(const char *name)
{
	return g_build_filename(tmp_dir(), name, NULL);
}

gchar *tmp_program_copy(const char *path)
{
	gchar *base = g_path_get_basename(path), *dst = tmp_path(base), *text;
	gsize len;

	cr_assert(g_file_get_contents(path, &text, &len, NULL), "cannot read %s", path);
	cr_assert(g_file_set_contents(dst, text, (gssize)len, NULL), "cannot write %s", dst);
	cr_assert_eq(chmod(dst, 0755), 0);
	g_free(text);
	g_free(dst);
	dst = g_strconcat("./", base, NULL);
	g_free(base);
	return dst;
}

void set_stdin_file(const char *path)
{
	g_free(stdin_path);
	stdin_path = g_strdup(path);
}

/* In the child, before exec: killed with the test that ran it (a test
 * that times out must not leave a hung program spinning), and standard
 * input from the chosen file. */
static void child_setup(gpointer data)
{
	const char *path = data;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!path)
		return;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		_exit(125);
	dup2(fd, 0);
	close(fd);
}

struct result run_argv(const char *const *argv)
{
	struct result r = { 0 };
	GError *error = NULL;
	gchar **envp = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);
	int wait_status = 0;
	gboolean ok;

	ok = g_spawn_sync(tmp_dir(), (gchar **)argv, envp, G_SPAWN_DEFAULT, child_setup, stdin_path,
			  &r.out, &r.err, &wait_status, &error);
	cr_assert(ok, "cannot run %s: %s", argv[0], error ? error->message : "?");
	if (WIFEXITED(wait_status)) {
		r.status = WEXITSTATUS(wait_status);
	} else if (WIFSIGNALED(wait_status)) {
		r.status = 128 + WTERMSIG(wait_status);
		r.host_signal = true;
	} else {
		r.status = -1;
	}
	g_strfreev(envp);
	return r;
}

/* `arg` and the NULL-terminated arguments after it as a NULL-terminated
 * array (g_ptr_array_free it). */
static GPtrArray *collect_args(const char *arg, va_list ap)
{
	GPtrArray *argv = g_ptr_array_new();

	for (; arg; arg = va_arg(ap, const char *))
		g_ptr_array_add(argv, (gpointer)arg);
	g_ptr_array_add(argv, NULL);
	return argv;
}

/* Run prefix... args... where args is NULL-terminated. */
static struct result run_with_prefix(const char *const *prefix, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	struct result r;

	for (; *prefix; prefix++)
		g_ptr_array_add(argv, (gpointer)*prefix);
	for (; *args; args++)
		g_ptr_array_add(argv, (gpointer)*args);
	g_ptr_array_add(argv, NULL);
	r = run_argv((const char *const *)argv->pdata);
	g_ptr_array_free(argv, TRUE);
	return r;
}

static const char *const mmusim_run[] = { MMUSIM_PATH, "run", NULL };
static const char *const mmusim_raw[] = { MMUSIM_PATH, NULL };
static const char *const qemu[] = { QEMU_PATH, NULL };

/* A runner taking NULL-terminated variable arguments after `prefix`. */
#define DEFINE_RUNNER(fn, prefix)						\
	struct result fn(const char *arg, ...)					\
	{									\
		struct result r;						\
		GPtrArray *args;						\
		va_list ap;							\
										\
		va_start(ap, arg);						\
		args = collect_args(arg, ap);					\
		va_end(ap);							\
		r = run_with_prefix(prefix, (const char *const *)args->pdata);	\
		g_ptr_array_free(args, TRUE);					\
		return r;							\
	}

DEFINE_RUNNER(run_mmusim, mmusim_run)
DEFINE_RUNNER(run_qemu, qemu)
DEFINE_RUNNER(run_mmusim_raw, mmusim_raw)

void result_free(struct result *r)
{
	g_clear_pointer(&r->out, g_free);
	g_clear_pointer(&r->err, g_free);
}

struct result expect_same_as_qemu(const char *const *args)
{
	gchar *cmd = g_strjoinv(" ", (gchar **)args);
	struct result m, q;

	m = run_with_prefix(mmusim_run, args);
	q = run_with_prefix(qemu, args);
	cr_expect(!m.host_signal, "%s: mmusim was killed by host signal %d", cmd, m.status - 128);
	cr_expect_str_eq(m.out, q.out, "%s: stdout differs\n--- mmusim:\n%s--- qemu:\n%s", cmd, m.out, q.out);
	cr_expect_str_eq(m.err, q.err, "%s: stderr differs\n--- mmusim:\n%s--- qemu:\n%s", cmd, m.err, q.err);
	cr_expect_eq(m.status, q.status, "%s: exit status %d under mmusim, %d under qemu", cmd, m.status,
		     q.status);
	result_free(&q);
	g_free(cmd);
	return m;
}

void expect_status(const struct result *r, int status)
{
	cr_expect(!r->host_signal, "mmusim was killed by host signal %d; stderr:\n%s", r->status - 128,
		  r->err);
	cr_expect_eq(r->status, status, "exit status %d, expected %d; stderr:\n%s", r->status, status,
		     r->err);
	expect_not_contains("stderr", r->err, "internal error");
}

void expect_contains(const char *what, const char *haystack, const char *needle)
{
	cr_expect(haystack && strstr(haystack, needle), "%s does not contain \"%s\":\n%s", what, needle,
		  haystack ? haystack : "(null)");
}

void expect_not_contains(const char *what, const char *haystack, const char *needle)
{
	cr_expect(!haystack || !strstr(haystack, needle), "%s contains \"%s\":\n%s", what, needle,
		  haystack);
}

gchar *write_tmp_file(const char *name, const char *contents)
{
	gchar *path = tmp_path(name);
	GError *error = NULL;

	cr_assert(g_file_set_contents(path, contents, -1, &error), "cannot write %s: %s", path,
		  error ? error->message : "?");
	return path;
}

gchar *truncated_copy(const char *src, const char *name, gsize len)
{
	gchar *data, *path = tmp_path(name);
	GError *error = NULL;
	gsize size;

	cr_assert(g_file_get_contents(src, &data, &size, &error), "cannot read %s: %s", src,
		  error ? error->message : "?");
	cr_assert(size > len, "%s has only %zu bytes", src, (size_t)size);
	cr_assert(g_file_set_contents(path, data, (gssize)len, &error), "cannot write %s: %s", path,
		  error ? error->message : "?");
	cr_assert_eq(chmod(path, 0755), 0, "cannot make %s executable", path);
	g_free(data);
	return path;
}

gchar *report_before_host(const char *path)
{
	gchar *text, *host;

	cr_assert(g_file_get_contents(path, &text, NULL, NULL), "no report %s", path);
	host = strstr(text, ",\n  \"host\" : {");
	cr_assert_not_null(host, "%s has no host member:\n%s", path, text);
	cr_expect(g_regex_match_simple("^,\n  \"host\" : \\{[^{}]*\\}\n\\}\n$", host, 0, 0),
		  "host is not the last member of %s:\n%s", path, host);
	*host = '\0';
	return text;
}

JsonNode *read_report(const char *path)
{
	gchar *text = NULL;
	GError *error = NULL;
	JsonNode *root;

	cr_assert(g_file_get_contents(path, &text, NULL, &error), "no report: %s", error->message);
	root = json_from_string(text, &error);
	cr_assert(root && JSON_NODE_HOLDS_OBJECT(root), "%s is not a JSON object: %s", path,
		  error ? error->message : text);
	g_free(text);
	return root;
}
