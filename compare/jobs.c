/*
 * jobs: see jobs.h.
 */
#include "compare/jobs.h"

#include <errno.h>
#include <string.h>

#include "compare/runner.h"

/* One job: run into ID.json.part with its output in ID.log, then rename. */
static gchar *job_line(const struct suite_run *r, const char *dir, const char *mmusim)
{
	gchar *part = runner_path(dir, r, "json.part"), *report = runner_path(dir, r, "json");
	gchar *log = runner_path(dir, r, "log");
	gchar *run = suite_run_command(r, mmusim, part);
	gchar *qp = g_shell_quote(part), *qr = g_shell_quote(report), *ql = g_shell_quote(log);
	gchar *line = g_strdup_printf("%s > %s 2>&1; test -s %s && mv %s %s", run, ql, qp,
				      qp, qr);

	g_free(part);
	g_free(report);
	g_free(log);
	g_free(run);
	g_free(qp);
	g_free(qr);
	g_free(ql);
	return line;
}

static void write_parallel(GString *out, GPtrArray *lines)
{
	for (guint i = 0; i < lines->len; i++)
		g_string_append_printf(out, "%s\n", (char *)lines->pdata[i]);
}

static void write_slurm(GString *out, const struct suite *s, GPtrArray *lines)
{
	g_string_append_printf(out, "#!/bin/sh\n#SBATCH --job-name=mmusim-%s\n#SBATCH --array=0-%u\n"
			       "#SBATCH --ntasks=1\n# Each array task runs one mmusim run (mmusim compare "
			       "--emit-jobs slurm).\ncase \"$SLURM_ARRAY_TASK_ID\" in\n", s->name,
			       lines->len - 1);
	for (guint i = 0; i < lines->len; i++)
		g_string_append_printf(out, "%u) %s ;;\n", i, (char *)lines->pdata[i]);
	g_string_append(out, "*) echo \"no task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n");
}

gchar *jobs_emit(const struct suite *s, const char *dir, const char *kind, GString *error)
{
	gchar *runs = g_build_filename(dir, "runs", NULL), *mmusim = runner_mmusim();
	gchar *name = g_strdup_printf("jobs.%s", kind), *path = g_build_filename(dir, name, NULL);
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	GString *out = g_string_new(NULL);
	GError *gerr = NULL;

	for (guint i = 0; i < s->runs->len; i++)
		g_ptr_array_add(lines, job_line(g_ptr_array_index(s->runs, i), dir, mmusim));
	if (!strcmp(kind, "slurm"))
		write_slurm(out, s, lines);
	else
		write_parallel(out, lines);
	if (g_mkdir_with_parents(runs, 0755)) {
		g_string_printf(error, "%s: %s", runs, g_strerror(errno));
		g_clear_pointer(&path, g_free);
	} else if (!g_file_set_contents(path, out->str, (gssize)out->len, &gerr)) {
		g_string_printf(error, "%s", gerr->message);
		g_error_free(gerr);
		g_clear_pointer(&path, g_free);
	}
	g_ptr_array_free(lines, TRUE);
	g_string_free(out, TRUE);
	g_free(runs);
	g_free(mmusim);
	g_free(name);
	return path;
}
