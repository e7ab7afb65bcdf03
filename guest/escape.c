/*
 * escape: hostile symbolic links a guest makes to leave its --root.
 *
 *   escape OUTSIDE_FILE OUTSIDE_DIR
 *
 * The arguments are host paths outside the root (absolute).  In its
 * working directory the guest makes links to them, to ".." and to
 * "../../..", then tries every call that changes a file through those
 * links; one line per call with its result.  Whoever runs it checks that
 * nothing outside the root changed and that what was made landed below the
 * root; a root three levels below a scratch directory keeps a broken
 * confinement's damage inside that directory.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long ret)
{
	printf("%-40s %s\n", what, ret >= 0 ? "ok" : strerror(errno));
}

static char *join(const char *a, const char *b)
{
	static char buf[8][4096];
	static int next;
	char *out = buf[next++ % 8];

	snprintf(out, sizeof(buf[0]), "%s%s", a, b);
	return out;
}

int main(int argc, char **argv)
{
	const char *file, *dir;
	struct timespec old[2] = { { 1, 0 }, { 1, 0 } };

	if (argc != 3) {
		fprintf(stderr, "usage: escape OUTSIDE_FILE OUTSIDE_DIR\n");
		return 2;
	}
	file = argv[1];
	dir = argv[2];
	show("symlink FILE abs", symlink(file, "abs"));
	show("symlink DIR absdir", symlink(dir, "absdir"));
	show("symlink .. up", symlink("..", "up"));
	show("symlink ../../.. up3", symlink("../../..", "up3"));
	show("mkdir up/e1", mkdir("up/e1", 0755));
	show("mkdir up3/e2", mkdir("up3/e2", 0755));
	show("mkdir absdir/e3", mkdir("absdir/e3", 0755));
	show("mkdir DIR/e4", mkdir(join(dir, "/e4"), 0755));
	show("open up/../../e5 O_CREAT", open("up/../../e5", O_WRONLY | O_CREAT, 0644));
	show("symlink x up3/e6", symlink("x", "up3/e6"));
	show("chmod abs", chmod("abs", 0777));
	show("chmod FILE", chmod(file, 0777));
	show("chown abs", chown("abs", 1, 1));
	show("truncate abs", truncate("abs", 0));
	show("truncate FILE", truncate(file, 0));
	show("utimensat abs", utimensat(AT_FDCWD, "abs", old, 0));
	show("linkat abs hard FOLLOW", linkat(AT_FDCWD, "abs", AT_FDCWD, "hard", AT_SYMLINK_FOLLOW));
	show("link FILE hard2", link(file, "hard2"));
	show("link up/../FILE hard3", link(join("up/..", file), "hard3"));
	show("rename FILE moved", rename(file, "moved"));
	show("rename up3/../x absdir/e7", rename("up3/../x", "absdir/e7"));
	show("unlink FILE", unlink(file));
	show("unlink up3/FILE", unlink(join("up3", file)));
	show("rmdir DIR", rmdir(dir));
	show("rmdir absdir/", rmdir("absdir/"));
	show("renameat2 abs absdir EXCHANGE",
	     renameat2(AT_FDCWD, "abs", AT_FDCWD, "absdir", RENAME_EXCHANGE));
	show("mkdir absdir/e8", mkdir("absdir/e8", 0755));
	show("chdir up3", chdir("up3"));
	show("mkdir e9", mkdir("e9", 0755));
	return 0;
}
