/*
 * runner: see runner.h.  Children are plain fork+exec with their output
 * in the log file; the loop starts runs while fewer than `jobs` run, reaps
 * them without blocking, and kills those past their timeout.
 */
#include "compare/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
	pid_t pid;
	const struct suite_run *run;
	gint64 deadline;	/* host µs */
	bool timed_out;
};

gchar *runner_path(const char *dir, const struct suite_run *r, const char *ext)
{
	gchar *file = g_strdup_printf("%s.%s", r->id, ext), *path;

	g_strdelimit(file, "/", '_');
	path = g_build_filename(dir, "runs", file, NULL);
	g_free(file);
	return path;
}

gchar *runner_mmusim(void)
{
	gchar *exe = g_file_read_link("/proc/self/exe", NULL);

	return exe ? exe : g_strdup("mmusim");
}

static bool finished(const char *dir, const struct suite_run *r)
{
	gchar *report = runner_path(dir, r, "json");
	bool done = g_file_test(report, G_FILE_TEST_EXISTS);

	g_free(report);
	return done;
}

static pid_t start(const char *dir, const struct suite_run *r, const char *mmusim)
{
	gchar *log = runner_path(dir, r, "log"), *part = runner_path(dir, r, "json.part");
	GPtrArray *argv = g_ptr_array_new();
	pid_t pid;

	g_ptr_array_add(argv, (gpointer)mmusim);
	g_ptr_array_add(argv, "run");
	g_ptr_array_add(argv, "--no-progress");
	g_ptr_array_add(argv, "--report");
	g_ptr_array_add(argv, part);
	for (guint i = 0; i < r->argv->len; i++)
		g_ptr_array_add(argv, g_ptr_array_index(r->argv, i));
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(mmusim, (char **)argv->pdata);
		_exit(127);
	}
	g_ptr_array_free(argv, TRUE);
	g_free(log);
	g_free(part);
	return pid;
}

/* The last lines of the log, for a failure note. */
static gchar *log_tail(const char *dir, const struct suite_run *r)
{
	gchar *log = runner_path(dir, r, "log"), *text = NULL, *tail;
	gsize len = 0;

	g_file_get_contents(log, &text, &len, NULL);
	tail = g_strdup(text && len > 2000 ? text + len - 2000 : text ? text : "");
	g_free(text);
	g_free(log);
	return tail;
}

/* Rename the report into place, or write why there is none; true if failed. */
static bool finish(const char *dir, const struct child *c, int status)
{
	gchar *part = runner_path(dir, c->run, "json.part"), *report = runner_path(dir, c->run, "json");
	gchar *failed = runner_path(dir, c->run, "failed"), *why = NULL, *tail;
	bool ok = !c->timed_out && g_file_test(part, G_FILE_TEST_EXISTS) && rename(part, report) == 0;

	if (!ok) {
		tail = log_tail(dir, c->run);
		why = c->timed_out ? g_strdup_printf("timed out after %u s\n%s", c->run->timeout, tail) :
		      WIFSIGNALED(status) ? g_strdup_printf("killed by signal %d\n%s", WTERMSIG(status), tail)
					  : g_strdup_printf("exit status %d, no report\n%s",
							    WEXITSTATUS(status), tail);
		g_file_set_contents(failed, why, -1, NULL);
		unlink(part);
		g_free(tail);
		g_free(why);
	} else {
		unlink(failed);
	}
	g_free(part);
	g_free(report);
	g_free(failed);
	return !ok;
}

static void show_progress(bool on, unsigned done, unsigned total, unsigned running, unsigned failed)
{
	if (on)
		fprintf(stderr, "\rcompare: %u of %u runs done, %u running, %u failed ", done, total,
			running, failed);
}

/* Reap the children that ended; kill those past their deadline. */
static void reap(const char *dir, GArray *children, unsigned *done, unsigned *failed)
{
	gint64 now = g_get_monotonic_time();

	for (guint i = 0; i < children->len;) {
		struct child *c = &g_array_index(children, struct child, i);
		int status;

		if (!c->timed_out && now > c->deadline) {
			c->timed_out = true;
			kill(c->pid, SIGKILL);
		}
		if (waitpid(c->pid, &status, WNOHANG) != c->pid) {
			i++;
			continue;
		}
		*failed += finish(dir, c, status);
		(*done)++;
		g_array_remove_index(children, i);
	}
}

int runner_run(const struct suite *s, const char *dir, int jobs, bool progress, GString *error)
{
	gchar *runs = g_build_filename(dir, "runs", NULL), *mmusim = runner_mmusim();
	GArray *children = g_array_new(FALSE, FALSE, sizeof(struct child));
	unsigned done = 0, failed = 0, total = s->runs->len;
	guint next = 0;

	if (g_mkdir_with_parents(runs, 0755)) {
		g_string_printf(error, "%s: %s", runs, g_strerror(errno));
		g_free(runs);
		g_free(mmusim);
		g_array_free(children, TRUE);
		return -1;
	}
	while (next < total || children->len) {
		while (next < total && children->len < (guint)jobs) {
			const struct suite_run *r = g_ptr_array_index(s->runs, next++);
			struct child c = { 0, r, 0, false };

			if (finished(dir, r)) {
				done++;
				continue;
			}
			c.pid = start(dir, r, mmusim);
			if (c.pid < 0) {	/* no process: counted failed, tried next time */
				done++;
				failed++;
				continue;
			}
			c.deadline = g_get_monotonic_time() + (gint64)r->timeout * G_USEC_PER_SEC;
			g_array_append_val(children, c);
		}
		show_progress(progress, done, total, children->len, failed);
		g_usleep(20000);
		reap(dir, children, &done, &failed);
	}
	show_progress(progress, done, total, 0, failed);
	if (progress)
		fputc('\n', stderr);
	g_array_free(children, TRUE);
	g_free(runs);
	g_free(mmusim);
	return (int)failed;
}
