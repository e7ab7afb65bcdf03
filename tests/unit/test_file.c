/*
 * file: the file_ops dispatch of sim/vfs, sim/pseudo and sim/pipe, with a
 * toy simulator-served file system mounted at /toy:
 *
 *   /toy/hello  "hi\n"          /toy/link -> hello      /toy/up -> /toy/dir
 *   /toy/dir/f  "f\n"           /toy/loop -> loop
 *
 * Every expected value is the kernel's rule for the same shape of tree
 * (ELOOP, ENOTDIR, EACCES, linux_dirent64 layout) or the toy's own text.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "sim/pipe.h"
#include "sim/vfs.h"

enum { ROOT, HELLO, LINK, UP, DIR_, F, LOOP, NR_NODES };

static const struct {
	const char *name;
	int parent;
	unsigned mode;
	const char *text;	/* contents or link target */
} toy[NR_NODES] = {
	[ROOT] = { "", -1, S_IFDIR | 0555, NULL },
	[HELLO] = { "hello", ROOT, S_IFREG | 0444, "hi\n" },
	[LINK] = { "link", ROOT, S_IFLNK | 0777, "hello" },
	[UP] = { "up", ROOT, S_IFLNK | 0777, "/toy/dir" },
	[DIR_] = { "dir", ROOT, S_IFDIR | 0555, NULL },
	[F] = { "f", DIR_, S_IFREG | 0444, "f\n" },
	[LOOP] = { "loop", ROOT, S_IFLNK | 0777, "loop" },
};

static int shows;	/* show() calls: contents are made when first read */

static void node_of(int i, struct pseudo_node *out)
{
	*out = (struct pseudo_node){ .mode = toy[i].mode, .ino = (uint64_t)i + 1, .entry = i };
}

static void toy_root(struct pseudo_node *out)
{
	node_of(ROOT, out);
}

static int toy_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
		      struct pseudo_node *out)
{
	for (int i = 1; i < NR_NODES; i++) {
		if (toy[i].parent == dir->entry && !strcmp(toy[i].name, name)) {
			node_of(i, out);
			return 0;
		}
	}
	return -ENOENT;
}

static void toy_readdir(void *data, const struct pseudo_node *dir,
			void (*emit)(void *arg, const char *name, const struct pseudo_node *node), void *arg)
{
	struct pseudo_node node;

	for (int i = 1; i < NR_NODES; i++) {
		if (toy[i].parent == dir->entry) {
			node_of(i, &node);
			emit(arg, toy[i].name, &node);
		}
	}
}

static int toy_text(void *data, struct task *t, const struct pseudo_node *node, GString *out)
{
	g_string_assign(out, toy[node->entry].text);
	return 0;
}

static int toy_show(void *data, const struct pseudo_node *node, GString *out)
{
	shows++;
	return toy_text(data, NULL, node, out);
}

static const struct fs_type toy_fs = {
	.name = "toy", .root = toy_root, .lookup = toy_lookup, .readdir = toy_readdir,
	.readlink = toy_text, .show = toy_show,
};

static struct vfs vfs;

static void setup(void)
{
	GString *error = g_string_new(NULL);

	cr_assert_eq(vfs_init(&vfs, "/", false, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
	vfs_mount(&vfs, "/toy", &toy_fs, NULL);
	shows = 0;
}

static void teardown(void)
{
	vfs_fini(&vfs);
}

TestSuite(file, .init = setup, .fini = teardown);

static int open_path(const char *path, int flags, struct file **f)
{
	return vfs_open(&vfs, NULL, path, flags, 0, f);
}

/* Everything `path` reads, from the start. */
static void expect_contents(const char *path, const char *expected)
{
	struct file *f;
	char buf[64] = { 0 };

	cr_assert_eq(open_path(path, O_RDONLY, &f), 0, "open %s", path);
	cr_expect_eq(f->f_op->read(f, buf, sizeof(buf) - 1, -1), (long)strlen(expected), "read %s", path);
	cr_expect_str_eq(buf, expected, "%s", path);
	file_put(f);
}

Test(file, lookup_follows_links_and_folds_dots)
{
	expect_contents("/toy/hello", "hi\n");
	expect_contents("/toy/link", "hi\n");		/* relative target */
	expect_contents("/toy/up/f", "f\n");		/* absolute target, then more path */
	expect_contents("/toy/./dir/../hello", "hi\n");
	expect_contents("//toy//dir/f", "f\n");
}

Test(file, lookup_errors_are_the_kernels)
{
	struct file *f = NULL;

	cr_expect_eq(open_path("/toy/missing", O_RDONLY, &f), -ENOENT);
	cr_expect_eq(open_path("/toy/hello/x", O_RDONLY, &f), -ENOTDIR);
	cr_expect_eq(open_path("/toy/hello/", O_RDONLY, &f), -ENOTDIR);
	cr_expect_eq(open_path("/toy/loop", O_RDONLY, &f), -ELOOP, "40 links at most");
	cr_expect_eq(open_path("/toy/link", O_RDONLY | O_NOFOLLOW, &f), -ELOOP);
	cr_expect_eq(open_path("/toy/hello", O_RDONLY | O_DIRECTORY, &f), -ENOTDIR);
	cr_expect_eq(open_path("/toy/hello", O_WRONLY, &f), -EACCES);
	cr_expect_eq(open_path("/toy/dir", O_RDWR, &f), -EISDIR);
	cr_expect_eq(open_path("", O_RDONLY, &f), -ENOENT);
	cr_expect_null(f);
}

Test(file, a_link_opened_o_path_reads_back_its_target)
{
	struct file *f;
	char buf[16] = { 0 };

	cr_assert_eq(open_path("/toy/up", O_PATH | O_NOFOLLOW, &f), 0);
	cr_expect_eq(f->f_op->readlink(f, buf, sizeof(buf)), 8);
	cr_expect_str_eq(buf, "/toy/dir");
	file_put(f);
}

Test(file, contents_are_made_at_first_read_and_positions_are_the_files)
{
	struct file *f;
	char buf[8] = { 0 };

	cr_assert_eq(open_path("/toy/hello", O_RDONLY, &f), 0);
	cr_expect_eq(shows, 0, "made at open");
	cr_expect_eq(f->f_op->read(f, buf, 2, -1), 2);
	cr_expect_eq(f->f_op->read(f, buf + 2, 8, -1), 1);
	cr_expect_str_eq(buf, "hi\n");
	cr_expect_eq(f->f_op->read(f, buf, 8, -1), 0, "end of file");
	cr_expect_eq(f->f_op->read(f, buf, 8, 1), 2, "pread");
	cr_expect_eq(f->f_op->llseek(f, -1, SEEK_END), 2);
	cr_expect_eq(f->f_op->read(f, buf, 8, -1), 1);
	cr_expect_eq(f->f_op->llseek(f, -4, SEEK_CUR), -EINVAL);
	cr_expect_eq(shows, 1, "made once");
	file_put(f);
}

/* struct linux_dirent64 as the kernel lays it out. */
struct dirent64_rec {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
} __attribute__((packed));

Test(file, directories_list_as_linux_dirent64)
{
	static const char *const names[] = { ".", "..", "hello", "link", "up", "dir", "loop" };
	static const uint8_t types[] = { DT_DIR, DT_DIR, DT_REG, DT_LNK, DT_LNK, DT_DIR, DT_LNK };
	uint8_t buf[512];
	struct file *f;
	long n, pos = 0;
	size_t i = 0;

	cr_assert_eq(open_path("/toy", O_RDONLY | O_DIRECTORY, &f), 0);
	cr_expect(f->is_dir);
	cr_expect_eq(f->f_op->read(f, buf, 1, -1), -EISDIR);
	cr_expect_eq(f->f_op->getdents(f, buf, 8), -EINVAL, "no room for one record");
	n = f->f_op->getdents(f, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	while (pos < n) {
		struct dirent64_rec *d = (struct dirent64_rec *)(buf + pos);

		cr_assert_lt(i, G_N_ELEMENTS(names));
		cr_expect_str_eq(d->d_name, names[i]);
		cr_expect_eq(d->d_type, types[i], "%s", names[i]);
		cr_expect_eq(d->d_off, (int64_t)i + 1);
		cr_expect_eq(d->d_reclen, (19 + strlen(names[i]) + 1 + 7) / 8 * 8, "%s", names[i]);
		pos += d->d_reclen;
		i++;
	}
	cr_expect_eq(i, G_N_ELEMENTS(names));
	cr_expect_eq(f->f_op->getdents(f, buf, sizeof(buf)), 0, "the end");
	file_put(f);
}

Test(file, other_paths_are_host_files_and_the_hosts_proc_never_shows)
{
	struct file *f;

	cr_assert_eq(open_path("/", O_RDONLY | O_DIRECTORY, &f), 0);
	cr_expect_geq(file_host_fd(f), 0);
	cr_expect(f->is_dir);
	file_put(f);
	cr_assert_eq(open_path("/toy/hello", O_RDONLY, &f), 0);
	cr_expect_eq(file_host_fd(f), -1);
	file_put(f);
	/* Nothing is mounted at /proc here: the host's must not answer. */
	cr_expect_eq(open_path("/proc/self/status", O_RDONLY, &f), -ENOENT);
	cr_expect_eq(open_path("/proc", O_PATH, &f), -ENOENT);
}

static int notified;

static void count_notify(void *ctx, struct pipe *pipe)
{
	notified++;
}

Test(file, pipe_ends_through_their_ops)
{
	struct pipe *pipe = pipe_new(count_notify, NULL);
	struct file *r = pipe_file_new(pipe, false, 0), *w = pipe_file_new(pipe, true, O_NONBLOCK);
	struct statx stx;
	char buf[8] = { 0 };

	cr_expect_eq(r->f_wait, pipe, "readers block on the pipe");
	cr_expect_eq(w->f_flags, O_WRONLY | O_NONBLOCK);
	cr_expect_eq(r->f_op->poll(r), 0, "empty");
	cr_expect_eq(w->f_op->poll(w), POLLOUT);
	cr_expect_eq(r->f_op->read(r, buf, 8, -1), -EAGAIN, "empty with a writer: wait");
	cr_expect_eq(w->f_op->write(w, "abc", 3, -1), 3);
	cr_expect_eq(w->f_op->write(w, "abc", 3, 0), -ESPIPE);
	cr_expect_eq(r->f_op->poll(r), POLLIN);
	cr_expect_eq(r->f_op->read(r, buf, 8, -1), 3);
	cr_expect_str_eq(buf, "abc");
	cr_expect_null(r->f_op->llseek, "ESPIPE");
	cr_expect_eq(r->f_op->getattr(r, &stx), 0);
	cr_expect(S_ISFIFO(stx.stx_mode));
	notified = 0;
	file_get(w);
	file_put(w);
	cr_expect_eq(notified, 0, "a reference remains: the end stays open");
	file_put(w);
	cr_expect_eq(notified, 1, "the writer closed");
	cr_expect_eq(r->f_op->poll(r), POLLHUP);
	cr_expect_eq(r->f_op->read(r, buf, 8, -1), 0, "end of file");
	file_put(r);
}
