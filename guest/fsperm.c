/*
 * fsperm: file access under credentials.  As root, in DIR (an empty
 * directory; default the working directory), it makes files and
 * directories of known modes, checks what root may do, then becomes
 * nobody (uid and gid 65534, no supplementary group) and tries each access
 * again: open, access/faccessat, stat through a directory, execve,
 * creating and removing names (a sticky directory too), chmod and chown.
 * One line per request: "ok" or the errno name.  Builds for the host too:
 * run as root there, the real kernel answers (generic_permission).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOBODY 65534

static const char *errname(int err)
{
	switch (err) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EROFS: return "EROFS";
	case ENOEXEC: return "ENOEXEC";
	default: return strerror(err);
	}
}

static void show(const char *what, long ret)
{
	printf("%-44s %s\n", what, ret >= 0 ? "ok" : errname(errno));
}

static void show_open(const char *what, const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	show(what, fd);
	if (fd >= 0)
		close(fd);
}

static void make_file(const char *path, unsigned mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) < 0 || fchmod(fd, mode) < 0)
		printf("setup %s: %s\n", path, errname(errno));
	if (fd >= 0)
		close(fd);
}

static void make_dir(const char *path, unsigned mode)
{
	if (mkdir(path, 0700) < 0 || chmod(path, mode) < 0)
		printf("setup %s: %s\n", path, errname(errno));
}

static void show_exec(const char *what, const char *path)
{
	char *const argv[] = { (char *)path, NULL }, *const envp[] = { NULL };

	show(what, execve(path, argv, envp));	/* returns only on failure */
}

static void setup(void)
{
	make_dir("w", 0755);		/* the working area, root's */
	make_file("w/f600", 0600, "secret\n");
	make_file("w/f644", 0644, "public\n");
	make_file("w/f666", 0666, "shared\n");
	make_file("w/f000", 0000, "none\n");
	make_file("w/s644", 0644, "#!/nonexistent/interpreter\n");
	make_file("w/s700", 0700, "#!/nonexistent/interpreter\n");
	make_file("w/s755", 0755, "#!/nonexistent/interpreter\n");
	make_dir("w/d700", 0700);
	make_dir("w/d711", 0711);
	make_dir("w/d755", 0755);
	make_dir("w/d1777", 01777);
	make_file("w/d700/f", 0644, "in d700\n");
	make_file("w/d711/f", 0644, "in d711\n");
	make_file("w/d755/f", 0644, "in d755\n");
	make_file("w/d1777/root", 0666, "root's\n");
}

static void as_root(void)
{
	show_open("root: open f000 O_RDWR", "w/f000", O_RDWR);
	show("root: access f000 R_OK|W_OK", access("w/f000", R_OK | W_OK));
	show("root: access f000 X_OK", access("w/f000", X_OK));
	show("root: access d700 X_OK", access("w/d700", X_OK));
	show_exec("root: execve s644 (no x bit)", "w/s644");
	show_exec("root: execve s700 (x, no interpreter)", "w/s700");
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		printf("becoming nobody: %s\n", errname(errno));
}

static void opens(void)
{
	struct stat st;

	show_open("open f600 O_RDONLY", "w/f600", O_RDONLY);
	show_open("open f644 O_RDONLY", "w/f644", O_RDONLY);
	show_open("open f644 O_WRONLY", "w/f644", O_WRONLY);
	show_open("open f644 O_RDWR", "w/f644", O_RDWR);
	show_open("open f644 O_RDONLY|O_TRUNC", "w/f644", O_RDONLY | O_TRUNC);
	show_open("open f666 O_RDWR", "w/f666", O_RDWR);
	show_open("open f000 O_RDONLY", "w/f000", O_RDONLY);
	show_open("open d700/f (no search)", "w/d700/f", O_RDONLY);
	show_open("open d711/f (search only)", "w/d711/f", O_RDONLY);
	show_open("open d755/f", "w/d755/f", O_RDONLY);
	show_open("open d711 O_DIRECTORY (no read)", "w/d711", O_RDONLY | O_DIRECTORY);
	show_open("open f644 O_PATH", "w/f600", O_PATH);
	show("stat d700/f", stat("w/d700/f", &st));
	show("stat d711/f", stat("w/d711/f", &st));
	show_open("open new in w O_CREAT", "w/new", O_WRONLY | O_CREAT);
	show_open("open new in d1777 O_CREAT", "w/d1777/mine", O_WRONLY | O_CREAT);
	show_open("open existing f644 O_CREAT", "w/f644", O_RDONLY | O_CREAT);
	show("stat d1777/mine", stat("w/d1777/mine", &st));
	printf("%-44s %u %u\n", "its owner and group", st.st_uid, st.st_gid);
	printf("f644 still holds %lld bytes\n", stat("w/f644", &st) ? -1LL : (long long)st.st_size);
}

static void accesses(void)
{
	show("access f644 R_OK", access("w/f644", R_OK));
	show("access f644 W_OK", access("w/f644", W_OK));
	show("access f600 R_OK", access("w/f600", R_OK));
	show("access s755 X_OK", access("w/s755", X_OK));
	show("access s700 X_OK", access("w/s700", X_OK));
	show("access d700/f F_OK", access("w/d700/f", F_OK));
	show("faccessat f666 W_OK AT_EACCESS", faccessat(AT_FDCWD, "w/f666", W_OK, AT_EACCESS));
	show_exec("execve s700 (root's, 0700)", "w/s700");
	show_exec("execve s644 (no x bit)", "w/s644");
	show_exec("execve s755 (x, no interpreter)", "w/s755");
}

static void names(void)
{
	show("mkdir w/sub", mkdir("w/sub", 0755));
	show("mkdir d1777/sub", mkdir("w/d1777/sub", 0755));
	show("mkdir w/f644 (exists)", mkdir("w/f644", 0755));
	show("unlink w/f644", unlink("w/f644"));
	show("unlink w/missing", unlink("w/missing"));
	show("unlink d1777/root (sticky)", unlink("w/d1777/root"));
	show("rename d1777/root (sticky)", rename("w/d1777/root", "w/d1777/taken"));
	show("rename d1777/mine", rename("w/d1777/mine", "w/d1777/moved"));
	show("unlink d1777/moved", unlink("w/d1777/moved"));
	show("symlink in w", symlink("f644", "w/link"));
	show("rmdir d1777/sub", rmdir("w/d1777/sub"));
	show("chmod f644 (not the owner)", chmod("w/f644", 0666));
	show("chown f644 (not the owner)", chown("w/f644", NOBODY, NOBODY));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (argc > 1 && chdir(argv[1]) < 0) {
		perror(argv[1]);
		return 2;
	}
	setup();
	as_root();
	become_nobody();
	opens();
	accesses();
	names();
	return 0;
}
