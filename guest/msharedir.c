/*
 * msharedir DIR: directories on msharefs (the design note: mkdir, link,
 * unlink and rename work), the namespace calls of fs/namei.c below DIR.
 * Under mmusim DIR is /sys/fs/mshare; built for this host and run on a
 * directory of its own it gives the real kernel's answers, which
 * tests/integration/test_mshare.c compares.  One line per call ("what: N"
 * or "what: ENAME", guest/fdtest.h); listings sorted, as file systems
 * list in orders of their own.  It leaves DIR/keep/region behind.
 */
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdtest.h"

static char path_buf[4][512];
static int next_buf;

/* DIR/name, in one of a few rotating buffers. */
static const char *at(const char *dir, const char *name)
{
	char *p = path_buf[next_buf++ % 4];

	snprintf(p, sizeof(path_buf[0]), "%s/%s", dir, name);
	return p;
}

static long create(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static void show_stat(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		show(what, -1);
	else
		printf("%s: %s mode %o links %lu\n", what, S_ISDIR(st.st_mode) ? "dir" : "file",
		       st.st_mode & 07777, (unsigned long)st.st_nlink);
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *what, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char *names[32];
	int n = 0;

	while (d && n < 32 && (e = readdir(d)))
		names[n++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), compare);
	printf("%s:", what);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *top = argc > 1 ? argv[1] : "/sys/fs/mshare";

	umask(022);
	show("mkdir d", mkdir(at(top, "d"), 0750));
	show("mkdir d again", mkdir(at(top, "d"), 0750));
	show("mkdir in a missing directory", mkdir(at(top, "none/x"), 0700));
	show("create d/r", create(at(top, "d/r")));
	show("mkdir d/sub", mkdir(at(top, "d/sub"), 0777));
	show_stat("stat d", at(top, "d"));
	show_stat("stat d/sub", at(top, "d/sub"));
	show_stat("stat d/r", at(top, "d/r"));
	list("list d", at(top, "d"));
	show("rmdir d, not empty", rmdir(at(top, "d")));
	show("unlink d", unlink(at(top, "d")));
	show("rmdir d/r", rmdir(at(top, "d/r")));
	show("rename d into d/sub", rename(at(top, "d"), at(top, "d/sub/x")));
	show("rename d/sub onto d/r", rename(at(top, "d/sub"), at(top, "d/r")));
	show("rename d/r onto d/sub", rename(at(top, "d/r"), at(top, "d/sub")));
	show("rename d/r to r2", rename(at(top, "d/r"), at(top, "r2")));
	show("link r2 as d/sub/r3", link(at(top, "r2"), at(top, "d/sub/r3")));
	show_stat("stat r2", at(top, "r2"));
	show("mkdir e", mkdir(at(top, "e"), 0700));
	show("rename e onto d, not empty", rename(at(top, "e"), at(top, "d")));
	show("rename d/sub to sub2", rename(at(top, "d/sub"), at(top, "sub2")));
	show_stat("stat d", at(top, "d"));
	show("rename e onto d, empty", rename(at(top, "e"), at(top, "d")));
	show_stat("stat d", at(top, "d"));
	show_stat("stat e", at(top, "e"));
	list("list sub2", at(top, "sub2"));
	show("rmdir d", rmdir(at(top, "d")));
	show_stat("stat d", at(top, "d"));
	show("unlink sub2/r3", unlink(at(top, "sub2/r3")));
	show("rmdir sub2", rmdir(at(top, "sub2")));
	show("unlink r2", unlink(at(top, "r2")));
	show("mkdir keep", mkdir(at(top, "keep"), 0700));
	show("create keep/region", create(at(top, "keep/region")));
	return 0;
}
