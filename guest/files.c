/*
 * files: the read side of the file system calls.
 *
 *   files FILE [DIR [SYMLINK]]
 *
 * Reads FILE with open/read/lseek/pread, compares fstat and stat, lists DIR
 * with opendir/readdir (names sorted, so the order the host gives does not
 * matter), prints getcwd and, if given, the target of SYMLINK.  Changes
 * nothing on the host.  Exit status: 0, or 1 if a call failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void fail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	failures++;
}

/* A simple checksum of a buffer (FNV-1a), to print instead of contents. */
static unsigned long fnv1a(const unsigned char *p, size_t n)
{
	unsigned long h = 14695981039346656037UL;

	while (n--)
		h = (h ^ *p++) * 1099511628211UL;
	return h;
}

static const char *file_type(mode_t mode)
{
	return S_ISREG(mode) ? "regular file" : S_ISDIR(mode) ? "directory" :
	       S_ISLNK(mode) ? "symbolic link" : "other";
}

static void read_file(const char *path)
{
	struct stat st, st2;
	char buf[4096], head[16], mid[16];
	ssize_t n, total = 0;
	unsigned long h = 0;
	off_t end;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		fail("open");
		return;
	}
	if (fstat(fd, &st) < 0)
		fail("fstat");
	if (stat(path, &st2) < 0)
		fail("stat");
	printf("fstat: %s, %lld bytes, mode %04o\n", file_type(st.st_mode),
	       (long long)st.st_size, (unsigned)(st.st_mode & 07777));
	printf("stat agrees with fstat: %s\n",
	       st.st_ino == st2.st_ino && st.st_size == st2.st_size && st.st_mode == st2.st_mode
	       ? "yes" : "no");

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv1a((unsigned char *)buf, (size_t)n) ^ (h << 1);
		total += n;
	}
	if (n < 0)
		fail("read");
	printf("read: %zd bytes, checksum %016lx\n", total, h);
	printf("read at end of file: %zd\n", read(fd, buf, sizeof(buf)));

	end = lseek(fd, 0, SEEK_END);
	printf("lseek(0, SEEK_END) = %lld\n", (long long)end);
	printf("lseek(0, SEEK_SET) = %lld\n", (long long)lseek(fd, 0, SEEK_SET));
	memset(head, 0, sizeof(head));
	n = read(fd, head, sizeof(head) - 1);
	printf("first %zd bytes: \"%s\"\n", n, n >= 0 ? head : "");
	printf("lseek(0, SEEK_CUR) = %lld\n", (long long)lseek(fd, 0, SEEK_CUR));

	memset(mid, 0, sizeof(mid));
	n = pread(fd, mid, sizeof(mid) - 1, end / 2);
	printf("pread of %zu bytes at %lld: %zd bytes \"%s\"\n", sizeof(mid) - 1,
	       (long long)(end / 2), n, n >= 0 ? mid : "");
	printf("offset unchanged by pread: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	printf("pread past the end: %zd\n", pread(fd, mid, sizeof(mid), end + 100));
	errno = 0;
	printf("lseek to a negative offset: %lld (%s)\n", (long long)lseek(fd, -1, SEEK_SET),
	       errno == EINVAL ? "EINVAL" : "unexpected");
	if (close(fd) < 0)
		fail("close");
	errno = 0;
	printf("read on a closed descriptor: %zd (%s)\n", read(fd, buf, 1),
	       errno == EBADF ? "EBADF" : "unexpected");
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char *names[256];
	size_t n = 0;

	if (!d) {
		fail("opendir");
		return;
	}
	while ((de = readdir(d)) && n < sizeof(names) / sizeof(names[0]))
		names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), compare_names);
	printf("directory: %zu entries\n", n);
	for (size_t i = 0; i < n; i++) {
		printf("  %s\n", names[i]);
		free(names[i]);
	}
}

int main(int argc, char **argv)
{
	char cwd[4096], target[4096];
	ssize_t n;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: files FILE [DIR [SYMLINK]]\n");
		return 2;
	}
	read_file(argv[1]);
	if (argc > 2)
		list_dir(argv[2]);
	if (getcwd(cwd, sizeof(cwd)))
		printf("getcwd: %s\n", cwd);
	else
		fail("getcwd");
	if (argc > 3) {
		n = readlink(argv[3], target, sizeof(target) - 1);
		if (n < 0) {
			fail("readlink");
		} else {
			target[n] = '\0';
			printf("readlink: %s\n", target);
		}
	}
	errno = 0;
	printf("open of a missing file: %d (%s)\n", open("/nonexistent/mmusim-files-test", O_RDONLY),
	       errno == ENOENT ? "ENOENT" : "unexpected");
	return failures ? 1 : 0;
}
