/*
 * fswrite: the calls that change a file system, and their errno tables.
 *
 *   fswrite [DIR]     in DIR (default: the working directory), empty and writable
 *   fswrite punch     fallocate(FALLOC_FL_PUNCH_HOLE) on a new file
 *
 * One line per call: what it did, then "ok", the errno name, or what it
 * read back.  Builds for the host too, to ask the real kernel; the two
 * outputs must be equal.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errname(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ EEXIST, "EEXIST" }, { ENOENT, "ENOENT" }, { ENOTDIR, "ENOTDIR" },
		{ EISDIR, "EISDIR" }, { ENOTEMPTY, "ENOTEMPTY" }, { EXDEV, "EXDEV" },
		{ EROFS, "EROFS" }, { ELOOP, "ELOOP" }, { EINVAL, "EINVAL" }, { EBUSY, "EBUSY" },
		{ EPERM, "EPERM" }, { EBADF, "EBADF" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EFBIG, "EFBIG" }, { ENAMETOOLONG, "ENAMETOOLONG" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return strerror(err);
}

static void show(const char *what, long ret)
{
	printf("%-44s %s\n", what, ret >= 0 ? "ok" : errname(errno));
}

/* What stat says of `path` (without following a last link). */
static void show_stat(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		printf("lstat %-38s %s\n", path, errname(errno));
		return;
	}
	printf("lstat %-38s mode %o nlink %lu uid %u gid %u size %lld\n", path, st.st_mode,
	       (unsigned long)st.st_nlink, st.st_uid, st.st_gid, (long long)st.st_size);
}

static void show_contents(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	printf("contents %-35s %s\n", path, n < 0 ? errname(errno) : buf);
	if (fd >= 0)
		close(fd);
}

static void put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
}

static void mkdirs(void)
{
	char longname[300];

	show("mkdir d", mkdir("d", 0755));
	show("mkdir d (again)", mkdir("d", 0755));
	show("mkdir nodir/x", mkdir("nodir/x", 0755));
	put_file("f", "first");
	show("mkdir f/x", mkdir("f/x", 0755));
	show("mkdir d/.", mkdir("d/.", 0755));
	show("mkdir d/..", mkdir("d/..", 0755));
	show("mkdir e/ (trailing slash)", mkdir("e/", 0700));
	show_stat("e");
	show("mkdir d/sub", mkdir("d/sub", 0755));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	show("mkdir (300-byte name)", mkdir(longname, 0755));
}

static void removes(void)
{
	show("rmdir d/.", rmdir("d/."));
	show("rmdir d/..", rmdir("d/.."));
	show("rmdir f", rmdir("f"));
	show("rmdir nothere", rmdir("nothere"));
	show("rmdir d (not empty)", rmdir("d"));
	show("unlink d", unlink("d"));
	show("unlink f/", unlink("f/"));
	show("unlink d/.", unlink("d/."));
	show("unlinkat f, flags 1", unlinkat(AT_FDCWD, "f", 1));
	show("unlink nothere", unlink("nothere"));
	show("rmdir e/", rmdir("e/"));
	show_stat("e");
}

static void symlinks(void)
{
	char target[64];
	long n;

	show("symlink f s", symlink("f", "s"));
	show("symlink f s (again)", symlink("f", "s"));
	show("symlink \"\" s2", symlink("", "s2"));
	show("symlink x d/..", symlink("x", "d/.."));
	show("symlink x nodir/s", symlink("x", "nodir/s"));
	n = readlink("s", target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = 0;
	printf("readlink s %-33s %s\n", "", n < 0 ? errname(errno) : target);
	show("symlink loop2 loop1", symlink("loop2", "loop1"));
	show("symlink loop1 loop2", symlink("loop1", "loop2"));
	show("open loop1", open("loop1", O_RDONLY));
	show("mkdir loop1/x", mkdir("loop1/x", 0755));
	show("chmod loop1", chmod("loop1", 0600));
	show("truncate loop1", truncate("loop1", 0));
	show("rmdir s/ (a link to a file)", rmdir("s/"));
	show("unlink loop2", unlink("loop2"));
}

static void links(void)
{
	show("link f h", link("f", "h"));
	show_stat("f");
	show("link f h (again)", link("f", "h"));
	show("link d dl", link("d", "dl"));
	show("link nothere x", link("nothere", "x"));
	show("link s sl (the link itself)", link("s", "sl"));
	show_stat("sl");
	show("linkat s sf FOLLOW", linkat(AT_FDCWD, "s", AT_FDCWD, "sf", AT_SYMLINK_FOLLOW));
	show_stat("sf");
	show("linkat f x, flags 1", linkat(AT_FDCWD, "f", AT_FDCWD, "x", 1));
	show("link f d/..", link("f", "d/.."));
}

static void renames(void)
{
	put_file("g", "second");
	show("rename nothere x", rename("nothere", "x"));
	show("rename d g (dir over file)", rename("d", "g"));
	show("rename g d (file over dir)", rename("g", "d"));
	show("mkdir d2", mkdir("d2", 0755));
	show("rename d2 d (non-empty)", rename("d2", "d"));
	show("rename d d/sub/x (into itself)", rename("d", "d/sub/x"));
	show("rename . x", rename(".", "x"));
	show("rename d/.. x", rename("d/..", "x"));
	show("rename f d/..", rename("f", "d/.."));
	show("rename f h (same inode)", rename("f", "h"));
	show_stat("f");
	show("rename g/ x", rename("g/", "x"));
	show("renameat2 f g NOREPLACE", renameat2(AT_FDCWD, "f", AT_FDCWD, "g", RENAME_NOREPLACE));
	show("renameat2 f g EXCHANGE", renameat2(AT_FDCWD, "f", AT_FDCWD, "g", RENAME_EXCHANGE));
	show_contents("f");
	show_contents("g");
	show("renameat2 f nothere EXCHANGE", renameat2(AT_FDCWD, "f", AT_FDCWD, "nothere", RENAME_EXCHANGE));
	show("renameat2 f g EXCHANGE|NOREPLACE",
	     renameat2(AT_FDCWD, "f", AT_FDCWD, "g", RENAME_EXCHANGE | RENAME_NOREPLACE));
	show("renameat2 f g, flags 8", renameat2(AT_FDCWD, "f", AT_FDCWD, "g", 8));
	show("rename d2 d3", rename("d2", "d3"));
	show("renameat2 d3 d EXCHANGE", renameat2(AT_FDCWD, "d3", AT_FDCWD, "d", RENAME_EXCHANGE));
	show_stat("d3/sub");
	show("rename g f", rename("g", "f"));
	show_stat("g");
}

static void attributes(void)
{
	int fd = open("f", O_RDWR);

	show("chmod f 4751", chmod("f", 04751));
	show_stat("f");
	show("chmod nothere", chmod("nothere", 0644));
	show("fchmod f 640", fchmod(fd, 0640));
	show_stat("f");
	show("chown f 1234 5678", chown("f", 1234, 5678));
	show_stat("f");
	show("chown f -1 99", chown("f", -1, 99));
	show_stat("f");
	show("lchown s 42 43", lchown("s", 42, 43));
	show_stat("s");
	show("fchown f 0 0", fchown(fd, 0, 0));
	show_stat("f");
	show("fchownat f, flags 1", fchownat(AT_FDCWD, "f", 0, 0, 1));
	show("fchmod O_PATH fd", fchmod(open("f", O_PATH), 0600));
	close(fd);
}

static void sizes(void)
{
	int fd = open("f", O_RDWR), rd = open("f", O_RDONLY), dir = open("d", O_RDONLY);

	show("truncate f 10", truncate("f", 10));
	show_stat("f");
	show("truncate d", truncate("d", 0));
	show("truncate f -1", truncate("f", -1));
	show("truncate nothere", truncate("nothere", 0));
	show("ftruncate f 5", ftruncate(fd, 5));
	show_stat("f");
	show("ftruncate (read-only fd)", ftruncate(rd, 0));
	show("ftruncate (directory)", ftruncate(dir, 0));
	show("ftruncate -1", ftruncate(fd, -1));
	show("ftruncate (bad fd)", ftruncate(99, 0));
	show("fallocate 0 0 8192", fallocate(fd, 0, 0, 8192));
	show_stat("f");
	show("fallocate KEEP_SIZE 0 65536", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 65536));
	show_stat("f");
	show("fallocate len 0", fallocate(fd, 0, 0, 0));
	show("fallocate offset -1", fallocate(fd, 0, -1, 10));
	show("fallocate (read-only fd)", fallocate(rd, 0, 0, 10));
	show("fallocate (directory)", fallocate(dir, 0, 0, 10));
	show("fsync f", fsync(fd));
	show("fdatasync f", fdatasync(fd));
	show("syncfs f", syncfs(fd));
	sync();
	show("fsync (bad fd)", fsync(99));
	close(fd);
	close(rd);
	close(dir);
}

static void pipe_syncs(void)
{
	int p[2];

	if (pipe(p) < 0)
		return;
	show("fsync (pipe)", fsync(p[0]));
	show("ftruncate (pipe)", ftruncate(p[1], 0));
	close(p[0]);
	close(p[1]);
}

static void times(void)
{
	struct timespec ts[2] = { { 1000000000, 5 }, { 1100000000, 7 } };
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	struct stat st;

	show("utimensat f", utimensat(AT_FDCWD, "f", ts, 0));
	stat("f", &st);
	printf("times f %-36s atime %lld.%ld mtime %lld.%ld\n", "", (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1200000000;
	show("utimensat f (atime omitted)", utimensat(AT_FDCWD, "f", ts, 0));
	stat("f", &st);
	printf("times f %-36s atime %lld.%ld mtime %lld.%ld\n", "", (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	show("utimensat nothere (both omitted)", utimensat(AT_FDCWD, "nothere", omit, 0));
	show("utimensat nothere", utimensat(AT_FDCWD, "nothere", NULL, 0));
	show("utimensat f (bad nsec)", utimensat(AT_FDCWD, "f", bad, 0));
	show("utimensat f, flags 1", utimensat(AT_FDCWD, "f", NULL, 1));
	show("utimensat AT_FDCWD NULL", syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0));
}

static void filesystems(void)
{
	struct statfs a, b;
	int fd = open(".", O_RDONLY);

	show("statfs .", statfs(".", &a));
	show("fstatfs .", fstatfs(fd, &b));
	printf("statfs agree %-31s %s\n", "",
	       a.f_type == b.f_type && a.f_bsize == b.f_bsize && a.f_namelen == b.f_namelen ? "yes" : "no");
	show("statfs nothere", statfs("nothere", &a));
	show("fstatfs (bad fd)", fstatfs(99, &a));
	close(fd);
}

static int punch(void)
{
	int fd = open("punched", O_RDWR | O_CREAT | O_TRUNC, 0644);

	show("fallocate 0 0 8192", fallocate(fd, 0, 0, 8192));
	show("fallocate PUNCH_HOLE|KEEP_SIZE",
	     fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	show("fallocate ZERO_RANGE", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (argc > 1 && !strcmp(argv[1], "punch"))
		return punch();
	if (argc > 1 && chdir(argv[1]) < 0) {
		perror(argv[1]);
		return 2;
	}
	mkdirs();
	removes();
	symlinks();
	links();
	renames();
	attributes();
	sizes();
	pipe_syncs();
	times();
	filesystems();
	return 0;
}
