/*
 * unix: AF_UNIX sockets inside the simulation, after Linux's
 * net/unix/af_unix.c, and the socket calls (socket, socketpair, bind,
 * listen, accept4, connect, sendto, recvfrom, sendmsg, recvmsg, shutdown,
 * getsockname, getpeername, getsockopt, setsockopt).  Other families
 * answer EAFNOSUPPORT; the socket calls on a descriptor that is not a
 * socket answer ENOTSOCK.
 *
 * A socket is SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (SOCK_RAW is
 * taken as SOCK_DGRAM, as Linux does).  What is sent is queued on the
 * receiver as messages (struct skb) carrying the data, the open files of
 * SCM_RIGHTS (a reference each, installed as new descriptors when
 * received), the sender's credentials (SCM_CREDENTIALS, given to receivers
 * with SO_PASSCRED) and, for datagrams, the sender's address.  A stream
 * read runs across messages but stops after one that carried files;
 * datagrams and sequenced packets are read one message per call, the rest
 * of a long one dropped (MSG_TRUNC).
 *
 * Names: a path name (a relative one seen from the caller's working
 * directory) or an abstract name (a leading NUL byte) is bound in the
 * machine's namespace (m->unix_names), never on the host; it is released
 * with the socket (on Linux a path name stays as a socket file until
 * unlinked).  An empty bind autobinds an abstract name of five hex digits.
 *
 * Nothing blocks here but in the calls: an operation that would wait says
 * -EAGAIN, and the call sleeps on the one channel every socket change
 * notifies (poll_notify), unless the file is O_NONBLOCK or the call has
 * MSG_DONTWAIT.  Queues hold at most UNIX_BUF bytes (a datagram queue at
 * most UNIX_DGRAM_QLEN + 1 messages, as net.unix.max_dgram_qlen).  Files
 * passed in a message that is never received are released with the
 * socket; a cycle of sockets passed inside each other is not collected.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/poll.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define G_AF_UNIX	1
#define G_NPROTO	46
#define G_SOCK_STREAM	1
#define G_SOCK_DGRAM	2
#define G_SOCK_RAW	3
#define G_SOCK_SEQPACKET 5
#define G_SOCK_MAX	11
#define G_SOCK_TYPE_MASK 0xf
#define G_SOL_SOCKET	1
#define G_SO_TYPE	3
#define G_SO_ERROR	4
#define G_SO_SNDBUF	7
#define G_SO_RCVBUF	8
#define G_SO_PASSCRED	16
#define G_SO_PEERCRED	17
#define G_SO_ACCEPTCONN	30
#define G_SO_PROTOCOL	38
#define G_SO_DOMAIN	39
#define G_SCM_RIGHTS	1
#define G_SCM_CREDENTIALS 2
#define G_MSG_OOB	0x1
#define G_MSG_PEEK	0x2
#define G_MSG_CTRUNC	0x8
#define G_MSG_TRUNC	0x20
#define G_MSG_DONTWAIT	0x40
#define G_MSG_WAITALL	0x100
#define G_MSG_NOSIGNAL	0x4000
#define G_MSG_CMSG_CLOEXEC 0x40000000
#define G_SHUT_RD	0
#define G_SHUT_RDWR	2

#define RCV_SHUTDOWN	1
#define SEND_SHUTDOWN	2
#define SHUTDOWN_MASK	3

#define SUN_PATH_MAX	108
#define SOCKADDR_UN_MAX	(2 + SUN_PATH_MAX)
#define SCM_MAX_FD	253
#define UNIX_BUF	212992		/* net.core.wmem_default */
#define UNIX_BUF_MAX	212992		/* net.core.wmem_max: setsockopt's cap */
#define UNIX_BUF_MIN	4608		/* SOCK_MIN_SNDBUF */
#define UNIX_DGRAM_QLEN	10		/* net.unix.max_dgram_qlen */
#define SOMAXCONN	4096

struct ucred_g {
	int32_t pid, uid, gid;
};

/* A message on a receive queue. */
struct skb {
	uint8_t *data;
	size_t len, off;		/* off: bytes a stream read already took */
	GPtrArray *files;		/* struct file *, SCM_RIGHTS, or NULL */
	struct ucred_g cred;
	uint8_t from[SOCKADDR_UN_MAX];	/* the sender's name (datagrams) */
	size_t fromlen;
};

enum unix_state { SS_UNCONNECTED, SS_LISTENING, SS_CONNECTED };

struct unix_sock {
	int refs;			/* the file, a peer's pointer, a backlog */
	struct machine *m;
	int type;
	enum unix_state state;
	bool dead;			/* its file is gone */
	struct unix_sock *peer;		/* connected to (a reference) */
	GQueue queue;			/* struct skb * */
	size_t queued;			/* bytes in `queue` */
	GQueue backlog;			/* listening: struct unix_sock *, connected, not accepted */
	int max_backlog;
	int shutdown;			/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;			/* SO_ERROR */
	int sndbuf, rcvbuf;
	bool passcred;
	struct ucred_g peercred;	/* the peer's, when it connected */
	struct ucred_g owner;		/* whoever made it: credentials of write() */
	uint8_t addr[SOCKADDR_UN_MAX];	/* bound name (sockaddr_un), addrlen 0: none */
	size_t addrlen;
	GBytes *key;			/* its key in m->unix_names */
};

/* A socket change may let any sleeper on any socket go on. */
static const char unix_channel;

static const struct file_ops unix_ops;

static struct unix_sock *sock_get(struct unix_sock *s)
{
	s->refs++;
	return s;
}

static void free_skb(struct skb *skb)
{
	if (skb->files)
		g_ptr_array_free(skb->files, true);
	g_free(skb->data);
	g_free(skb);
}

static void sock_put(struct unix_sock *s)
{
	if (!s || --s->refs)
		return;
	g_queue_clear_full(&s->queue, (GDestroyNotify)free_skb);
	g_free(s);
}

static void changed(struct unix_sock *s)
{
	poll_notify(s->m, &unix_channel);
}

static struct unix_sock *sock_new(struct machine *m, struct task *t, int type)
{
	struct unix_sock *s = g_new0(struct unix_sock, 1);

	s->refs = 1;
	s->m = m;
	s->type = type;
	s->sndbuf = s->rcvbuf = UNIX_BUF;
	s->owner = (struct ucred_g){ .pid = t->proc->pid };
	g_queue_init(&s->queue);
	g_queue_init(&s->backlog);
	return s;
}

static struct file *sock_file(struct unix_sock *s, bool nonblock)
{
	struct file *f = file_alloc(&unix_ops, O_RDWR | (nonblock ? O_NONBLOCK : 0), "socket:", s);

	f->f_wait = &unix_channel;
	return f;
}

/* Connect a and b to each other (each holds the other). */
static void pair_up(struct unix_sock *a, struct unix_sock *b)
{
	a->peer = sock_get(b);
	b->peer = sock_get(a);
	a->state = b->state = SS_CONNECTED;
	a->peercred = b->owner;
	b->peercred = a->owner;
}

static bool is_connection(const struct unix_sock *s)
{
	return s->type != G_SOCK_DGRAM;
}

/* ------------------------------------------------------------ names */

static GHashTable *names(struct machine *m)
{
	if (!m->unix_names)
		m->unix_names = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
						      (GDestroyNotify)g_bytes_unref, NULL);
	return m->unix_names;
}

/* Read a sockaddr_un: its bytes in `addr`, its length; its key in the
 * namespace (path names joined to the working directory). */
static long get_name(struct task *t, uint64_t uaddr, uint64_t len, uint8_t *addr, GBytes **key)
{
	uint16_t family;

	if (len < 2 || len > SOCKADDR_UN_MAX)
		return -EINVAL;
	if (copy_from_user(t->mm, addr, uaddr, (size_t)len))
		return -EFAULT;
	memcpy(&family, addr, 2);
	if (family != G_AF_UNIX)
		return -EINVAL;
	if (len == 2)
		return -EINVAL;	/* an empty name: autobind, the caller's business */
	if (addr[2]) {
		char path[SUN_PATH_MAX + 1] = { 0 };
		char *joined;

		memcpy(path, addr + 2, (size_t)len - 2);
		joined = vfs_join(t->fs->cwd, path);
		*key = g_bytes_new_take(joined, strlen(joined));
	} else {
		*key = g_bytes_new(addr + 2, (size_t)len - 2);
	}
	return 0;
}

/* Bind `s` to addr (len bytes) under `key`, which it takes. */
static long bind_name(struct unix_sock *s, const uint8_t *addr, size_t len, GBytes *key)
{
	GHashTable *tab = names(s->m);

	if (g_hash_table_contains(tab, key)) {
		g_bytes_unref(key);
		return -EADDRINUSE;
	}
	memcpy(s->addr, addr, len);
	s->addrlen = len;
	s->key = key;
	g_hash_table_insert(tab, g_bytes_ref(key), s);
	return 0;
}

/* An abstract name of five hex digits no socket has (Linux's autobind). */
static long autobind(struct unix_sock *s)
{
	uint8_t addr[SOCKADDR_UN_MAX] = { G_AF_UNIX, 0, 0 };	/* room for snprintf's NUL */

	for (unsigned n = 0; n < 0x100000; n++) {
		GBytes *key;

		g_snprintf((char *)addr + 3, 6, "%05x", n);
		key = g_bytes_new(addr + 2, 6);
		if (!g_hash_table_contains(names(s->m), key))
			return bind_name(s, addr, 8, key);
		g_bytes_unref(key);
	}
	return -ENOSPC;
}

/* The socket of `type` bound at the name in guest memory.  An abstract
 * name of another type is no socket at all (ECONNREFUSED); a path name of
 * another type is EPROTOTYPE. */
static long lookup_name(struct task *t, struct machine *m, uint64_t uaddr, uint64_t len, int type,
			struct unix_sock **out)
{
	uint8_t addr[SOCKADDR_UN_MAX];
	GBytes *key;
	long err = get_name(t, uaddr, len, addr, &key);

	if (err)
		return err;
	*out = g_hash_table_lookup(names(m), key);
	g_bytes_unref(key);
	if (!*out)
		return addr[2] ? -ENOENT : -ECONNREFUSED;
	if ((*out)->type != type)
		return addr[2] ? -EPROTOTYPE : -ECONNREFUSED;
	return 0;
}

/* --------------------------------------------------------- sending */

/* What a sender attaches to a message. */
struct scm {
	GPtrArray *files;	/* taken by the message */
	struct ucred_g cred;
};

static bool queue_full(const struct unix_sock *r, size_t len)
{
	if (r->type == G_SOCK_DGRAM && r->queue.length > UNIX_DGRAM_QLEN)
		return true;
	return r->queued && r->queued + len > (size_t)r->rcvbuf;
}

static void queue_skb(struct unix_sock *from, struct unix_sock *r, const void *buf, size_t len,
		      struct scm *scm)
{
	struct skb *skb = g_new0(struct skb, 1);

	skb->data = g_malloc(MAX(len, 1));	/* never NULL: an empty datagram is a message */
	memcpy(skb->data, buf, len);
	skb->len = len;
	skb->files = scm->files;
	scm->files = NULL;
	skb->cred = scm->cred;
	memcpy(skb->from, from->addr, from->addrlen);
	skb->fromlen = from->addrlen;
	g_queue_push_tail(&r->queue, skb);
	r->queued += len;
	changed(r);
}

/* A datagram to `to` (NULL: the peer). */
static long dgram_send(struct unix_sock *s, struct unix_sock *to, const void *buf, size_t len,
		       struct scm *scm)
{
	if (!to)
		to = s->peer;
	if (!to)
		return -ENOTCONN;
	if (to->dead)
		return -ECONNREFUSED;
	if (to->shutdown & RCV_SHUTDOWN)
		return -EPIPE;
	if (len > (size_t)s->sndbuf)
		return -EMSGSIZE;
	if (to != s && to->peer && to->peer != s)
		return -EPERM;	/* it is connected to another socket */
	if (queue_full(to, len))
		return -EAGAIN;
	queue_skb(s, to, buf, len, scm);
	return (long)len;
}

/* Stream and seqpacket: as much as fits (a packet whole, or nothing). */
static long conn_send(struct unix_sock *s, const void *buf, size_t len, struct scm *scm)
{
	struct unix_sock *r = s->peer;
	size_t n = len;

	if (s->state != SS_CONNECTED)
		return s->state == SS_UNCONNECTED && !r ? -ENOTCONN : -EPIPE;
	if ((s->shutdown & SEND_SHUTDOWN) || !r || r->dead || (r->shutdown & RCV_SHUTDOWN))
		return -EPIPE;
	if (s->type == G_SOCK_SEQPACKET && len > (size_t)s->sndbuf)
		return -EMSGSIZE;
	if (s->type == G_SOCK_STREAM && !len)
		return 0;	/* nothing to queue */
	if (queue_full(r, len)) {
		if (s->type == G_SOCK_SEQPACKET || r->queued >= (size_t)r->rcvbuf)
			return -EAGAIN;
		n = (size_t)r->rcvbuf - r->queued;
	}
	queue_skb(s, r, buf, n, scm);
	return (long)n;
}

/* `to`: the named receiver of a datagram (NULL: the peer). */
static long sock_send(struct unix_sock *s, struct unix_sock *to, const void *buf, size_t len,
		      struct scm *scm)
{
	return s->type == G_SOCK_DGRAM ? dgram_send(s, to, buf, len, scm) : conn_send(s, buf, len, scm);
}

/* ------------------------------------------------------- receiving */

/* What a receiver gets besides the data. */
struct recv_meta {
	GPtrArray *files;	/* SCM_RIGHTS, taken from the message */
	struct ucred_g cred;
	bool has_cred;
	uint8_t from[SOCKADDR_UN_MAX];
	size_t fromlen;
	bool truncated;		/* a message longer than the buffer */
	size_t full_len;	/* its length */
};

static void take_meta(struct skb *skb, struct recv_meta *meta, bool peek)
{
	if (skb->files && !peek) {
		meta->files = skb->files;
		skb->files = NULL;
	}
	meta->cred = skb->cred;
	meta->has_cred = true;
	memcpy(meta->from, skb->from, skb->fromlen);
	meta->fromlen = skb->fromlen;
}

static long packet_recv(struct unix_sock *s, uint8_t *buf, size_t len, int flags, struct recv_meta *meta)
{
	struct skb *skb = g_queue_peek_head(&s->queue);
	size_t n;

	if (!skb)
		return (s->shutdown & RCV_SHUTDOWN) || (is_connection(s) && s->state == SS_CONNECTED &&
		       (!s->peer || s->peer->dead)) ? 0 : -EAGAIN;
	n = MIN(len, skb->len);
	memcpy(buf, skb->data, n);
	take_meta(skb, meta, flags & G_MSG_PEEK);
	meta->truncated = n < skb->len;
	meta->full_len = skb->len;
	if (!(flags & G_MSG_PEEK)) {
		g_queue_pop_head(&s->queue);
		s->queued -= skb->len;
		free_skb(skb);
		changed(s);
	}
	return (long)n;
}

static bool stream_eof(const struct unix_sock *s)
{
	return (s->shutdown & RCV_SHUTDOWN) || !s->peer || s->peer->dead;
}

static long stream_recv(struct unix_sock *s, uint8_t *buf, size_t len, int flags, struct recv_meta *meta)
{
	size_t done = 0;
	GList *l = s->queue.head;

	if (s->state == SS_LISTENING)
		return -EINVAL;
	while (l && done < len) {
		struct skb *skb = l->data;
		size_t n = MIN(len - done, skb->len - skb->off);
		bool files = skb->files != NULL;

		if (files && done)
			break;	/* files go with the read that starts at their message */
		memcpy(buf + done, skb->data + skb->off, n);
		if (!done)
			take_meta(skb, meta, flags & G_MSG_PEEK);
		done += n;
		l = l->next;
		if (!(flags & G_MSG_PEEK)) {
			skb->off += n;
			s->queued -= n;
			if (skb->off == skb->len)
				free_skb(g_queue_pop_head(&s->queue));
		}
		if (files)
			break;
	}
	if (done) {
		if (!(flags & G_MSG_PEEK))
			changed(s);
		return (long)done;
	}
	if (!len || (s->state == SS_CONNECTED && stream_eof(s)) || (s->shutdown & RCV_SHUTDOWN))
		return 0;
	return s->state == SS_CONNECTED ? -EAGAIN : -EINVAL;
}

static long sock_recv(struct unix_sock *s, uint8_t *buf, size_t len, int flags, struct recv_meta *meta)
{
	if (flags & G_MSG_OOB)
		return -EOPNOTSUPP;
	if (s->type == G_SOCK_STREAM)
		return stream_recv(s, buf, len, flags, meta);
	if (s->type == G_SOCK_SEQPACKET && s->state != SS_CONNECTED)
		return s->state == SS_LISTENING ? -EINVAL : -ENOTCONN;
	return packet_recv(s, buf, len, flags, meta);
}

static void drop_meta(struct recv_meta *meta)
{
	if (meta->files)
		g_ptr_array_free(meta->files, true);
	meta->files = NULL;
}

/* ---------------------------------------------------- file operations */

static long unix_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct recv_meta meta = { 0 };
	long n;

	if (offset >= 0)
		return -ESPIPE;
	n = sock_recv(f->private_data, buf, len, 0, &meta);
	drop_meta(&meta);
	return n;
}

static long unix_write(struct file *f, const void *buf, size_t len, int64_t offset)
{
	struct unix_sock *s = f->private_data;
	struct scm scm = { .cred = s->owner };

	return offset >= 0 ? -ESPIPE : sock_send(s, NULL, buf, len, &scm);
}

static short unix_poll(struct file *f)
{
	struct unix_sock *s = f->private_data;
	short mask = 0;

	if (s->state == SS_LISTENING)
		return s->backlog.length ? POLLIN : 0;
	if (s->shutdown == SHUTDOWN_MASK || (is_connection(s) && s->state != SS_CONNECTED))
		mask |= POLLHUP;
	if (s->shutdown & RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (s->queue.length)
		mask |= POLLIN | POLLRDNORM;
	if (s->err)
		mask |= POLLERR;
	if (is_connection(s) && s->state != SS_CONNECTED)
		return mask;
	if (!s->peer || !queue_full(s->peer, 1) || s->peer->dead)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static int unix_getattr(struct file *f, struct statx *stx)
{
	*stx = (struct statx){
		.stx_mask = STATX_BASIC_STATS, .stx_mode = S_IFSOCK | 0777, .stx_nlink = 1,
		.stx_blksize = 4096, .stx_ino = (uint64_t)(uintptr_t)f->private_data,
	};
	return 0;
}

static void disconnect(struct unix_sock *s)
{
	struct unix_sock *peer = s->peer;

	if (!peer)
		return;
	s->peer = NULL;
	if (is_connection(s) && peer->peer == s) {
		peer->shutdown = SHUTDOWN_MASK;
		if (s->queue.length)
			peer->err = ECONNRESET;
	}
	changed(peer);
	sock_put(peer);
}

static void sock_release(struct unix_sock *s)
{
	struct unix_sock *pending;

	s->dead = true;
	s->shutdown = SHUTDOWN_MASK;
	if (s->key) {
		g_hash_table_remove(s->m->unix_names, s->key);
		g_bytes_unref(s->key);
		s->key = NULL;
	}
	while ((pending = g_queue_pop_head(&s->backlog)))
		sock_release(pending);
	disconnect(s);
	g_queue_clear_full(&s->queue, (GDestroyNotify)free_skb);
	s->queued = 0;
	changed(s);
	sock_put(s);
}

static void unix_release(struct file *f)
{
	sock_release(f->private_data);
}

static const struct file_ops unix_ops = {
	.read = unix_read,
	.write = unix_write,
	.poll = unix_poll,
	.getattr = unix_getattr,
	.release = unix_release,
	.wait_read = "socket read",
	.wait_write = "socket write",
};

/* ---------------------------------------------------------------- calls */

/* The socket behind `fd`: 0, -EBADF or -ENOTSOCK. */
static long sock_of(struct task *t, uint64_t fd, struct file **fp, struct unix_sock **out)
{
	struct file *f = fd_get(&t->files->fdt, (int)fd);

	if (!f || (f->f_flags & O_PATH))
		return -EBADF;
	if (f->f_op != &unix_ops)
		return -ENOTSOCK;
	if (fp)
		*fp = f;
	*out = f->private_data;
	return 0;
}

/* The type of a new socket, from socket()'s arguments. */
static long check_socket_args(uint64_t family, uint64_t type, uint64_t protocol, int *out)
{
	int kind = (int)type & G_SOCK_TYPE_MASK;

	if ((int)type & ~(G_SOCK_TYPE_MASK | G_O_NONBLOCK | G_O_CLOEXEC))
		return -EINVAL;
	if ((int)family < 0 || (int)family >= G_NPROTO)
		return -EAFNOSUPPORT;
	if (kind >= G_SOCK_MAX)
		return -EINVAL;
	if ((int)family != G_AF_UNIX)
		return -EAFNOSUPPORT;
	if (protocol && protocol != G_AF_UNIX)
		return -EPROTONOSUPPORT;
	if (kind == G_SOCK_RAW)
		kind = G_SOCK_DGRAM;
	if (kind != G_SOCK_STREAM && kind != G_SOCK_DGRAM && kind != G_SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	*out = kind;
	return 0;
}

SYSCALL(socket)
{
	int kind;
	long err = check_socket_args(a[0], a[1], a[2], &kind);

	if (err)
		return err;
	return fd_install(&t->files->fdt, sock_file(sock_new(m, t, kind), a[1] & G_O_NONBLOCK), 0,
			  a[1] & G_O_CLOEXEC);
}

SYSCALL(socketpair)
{
	struct unix_sock *s[2];
	int kind, fds[2];
	long err = check_socket_args(a[0], a[1], a[2], &kind);

	if (err)
		return err;
	s[0] = sock_new(m, t, kind);
	s[1] = sock_new(m, t, kind);
	pair_up(s[0], s[1]);
	for (int i = 0; i < 2; i++) {
		fds[i] = fd_install(&t->files->fdt, sock_file(s[i], a[1] & G_O_NONBLOCK), 0,
				    a[1] & G_O_CLOEXEC);
		if (fds[i] < 0) {
			if (i)
				fd_close(&t->files->fdt, fds[0]);
			else
				sock_release(s[1]);
			return fds[i];
		}
	}
	if (copy_to_user(t->mm, a[3], fds, sizeof(fds))) {
		fd_close(&t->files->fdt, fds[0]);
		fd_close(&t->files->fdt, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL(bind)
{
	uint8_t addr[SOCKADDR_UN_MAX];
	struct unix_sock *s;
	size_t len = (size_t)a[2];
	GBytes *key;
	long err = sock_of(t, a[0], NULL, &s);

	if (err)
		return err;
	if (a[2] == 2) {
		uint16_t family;

		if (copy_from_user(t->mm, &family, a[1], 2))
			return -EFAULT;
		if (family != G_AF_UNIX)
			return -EINVAL;
		return s->addrlen ? -EINVAL : autobind(s);
	}
	err = get_name(t, a[1], a[2], addr, &key);
	if (err)
		return err;
	if (s->addrlen) {
		g_bytes_unref(key);
		return -EINVAL;
	}
	/* A path name is kept up to its NUL, which it gains (unix_mkname_bsd). */
	if (addr[2]) {
		len = MIN(2 + strnlen((char *)addr + 2, len - 2) + 1, sizeof(addr));
		if (len < sizeof(addr))
			addr[len - 1] = 0;
	}
	return bind_name(s, addr, len, key);
}

SYSCALL(listen)
{
	struct unix_sock *s;
	long err = sock_of(t, a[0], NULL, &s);
	int backlog = (int)a[1];

	if (err)
		return err;
	if (!is_connection(s))
		return -EOPNOTSUPP;
	if (!s->addrlen || s->state == SS_CONNECTED)
		return -EINVAL;
	s->max_backlog = backlog < 0 || backlog > SOMAXCONN ? SOMAXCONN : backlog;
	s->state = SS_LISTENING;
	changed(s);
	return 0;
}

/* Block on the socket channel, unless non-blocking. */
static long wait_or_again(struct machine *m, struct task *t, struct file *f, int flags, const char *what)
{
	if ((f->f_flags & O_NONBLOCK) || (flags & G_MSG_DONTWAIT))
		return -EAGAIN;
	return block_on(m, t, &unix_channel, what, 0);
}

SYSCALL(connect)
{
	struct unix_sock *s, *l, *server;
	struct file *f;
	long err = sock_of(t, a[0], &f, &s);

	if (err)
		return err;
	err = lookup_name(t, m, a[1], a[2], s->type, &l);
	if (err)
		return err;
	if (!is_connection(s)) {
		if (s->peer)
			sock_put(s->peer);
		s->peer = sock_get(l);
		return 0;
	}
	if (s->state == SS_CONNECTED)
		return -EISCONN;
	if (s->state == SS_LISTENING)
		return -EINVAL;
	if (l->state != SS_LISTENING || l->dead)
		return -ECONNREFUSED;
	if ((int)l->backlog.length > l->max_backlog)
		return wait_or_again(m, t, f, 0, "socket connect");
	server = sock_new(m, t, s->type);
	server->owner = l->owner;
	memcpy(server->addr, l->addr, l->addrlen);
	server->addrlen = l->addrlen;
	pair_up(s, server);
	g_queue_push_tail(&l->backlog, server);
	changed(l);
	return 0;
}

/* Copy a name out as getsockname(2) does: as much as the buffer holds,
 * and its full length to *ulen.  No name is the bare family for the
 * socket's own or its peer's (`family_if_none`), nothing (length 0) for
 * the sender of a message. */
static long put_name(struct task *t, uint64_t uaddr, uint64_t ulen, const uint8_t *addr, size_t len,
		     bool family_if_none)
{
	uint8_t unbound[2] = { G_AF_UNIX, 0 };
	int32_t have;

	if (!len && family_if_none) {
		addr = unbound;
		len = 2;
	}
	if (copy_from_user(t->mm, &have, ulen, sizeof(have)))
		return -EFAULT;
	if (have < 0)
		return -EINVAL;
	if (copy_to_user(t->mm, uaddr, addr, MIN((size_t)have, len)))
		return -EFAULT;
	have = (int32_t)len;
	return copy_to_user(t->mm, ulen, &have, sizeof(have)) ? -EFAULT : 0;
}

/* accept4(fd, addr, addrlen, flags) */
static long do_accept(struct machine *m, struct task *t, const uint64_t *a, uint64_t flags)
{
	struct unix_sock *s, *server;
	struct file *f;
	long err = sock_of(t, a[0], &f, &s);
	int fd;

	if (err)
		return err;
	if (flags & ~(uint64_t)(G_O_NONBLOCK | G_O_CLOEXEC))
		return -EINVAL;
	if (!is_connection(s))
		return -EOPNOTSUPP;
	if (s->state != SS_LISTENING)
		return -EINVAL;
	server = g_queue_pop_head(&s->backlog);
	if (!server)
		return wait_or_again(m, t, f, 0, "socket accept");
	changed(s);
	fd = fd_install(&t->files->fdt, sock_file(server, flags & G_O_NONBLOCK), 0, flags & G_O_CLOEXEC);
	if (fd < 0 || !a[1])
		return fd;
	err = put_name(t, a[1], a[2], server->peer ? server->peer->addr : NULL,
		       server->peer ? server->peer->addrlen : 0, true);
	if (err) {
		fd_close(&t->files->fdt, fd);
		return err;
	}
	return fd;
}

SYSCALL(accept)
{
	return do_accept(m, t, a, 0);
}

SYSCALL(accept4)
{
	return do_accept(m, t, a, a[3]);
}

SYSCALL(getsockname)
{
	struct unix_sock *s;
	long err = sock_of(t, a[0], NULL, &s);

	return err ? err : put_name(t, a[1], a[2], s->addr, s->addrlen, true);
}

SYSCALL(getpeername)
{
	struct unix_sock *s;
	long err = sock_of(t, a[0], NULL, &s);

	if (err)
		return err;
	if (!s->peer || (is_connection(s) && s->state != SS_CONNECTED))
		return -ENOTCONN;
	return put_name(t, a[1], a[2], s->peer->addr, s->peer->addrlen, true);
}

SYSCALL(shutdown)
{
	struct unix_sock *s;
	long err = sock_of(t, a[0], NULL, &s);
	int how = (int)a[1] + 1;	/* SHUT_RD 0 -> RCV_SHUTDOWN 1, ... */

	if (err)
		return err;
	if ((int)a[1] < G_SHUT_RD || (int)a[1] > G_SHUT_RDWR)
		return -EINVAL;
	if (is_connection(s) && s->state != SS_CONNECTED)
		return -ENOTCONN;
	s->shutdown |= how;
	if (s->peer && is_connection(s))
		s->peer->shutdown |= (how & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) |
				     (how & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
	changed(s);
	return 0;
}

/* struct msghdr and struct cmsghdr on arm64 */
struct guest_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};

struct guest_cmsghdr {
	uint64_t len;
	int32_t level, type;
};

#define CMSG_ALIGN8(n) (((n) + 7) & ~(uint64_t)7)
#define IOV_MAX_GUEST 1024
#define MSG_MAX (UINT64_C(1) << 20)

/* A message's arguments, its iovecs read into mmusim's memory. */
struct msg {
	struct guest_iovec *iov;
	uint64_t iovlen;
	size_t len;			/* their total, at most MSG_MAX */
	uint64_t name, control, controllen;
	uint32_t namelen;		/* sending: the name's length */
	uint64_t unamelen;		/* receiving: where the name's length is, in guest memory */
};

/* The iovec array of a msghdr and its total length. */
static long read_iovs(struct task *t, uint64_t uiov, uint64_t cnt, struct msg *msg)
{
	uint64_t sum = 0;

	if (cnt > IOV_MAX_GUEST)
		return -EMSGSIZE;
	msg->iov = g_new(struct guest_iovec, MAX(cnt, 1));
	msg->iovlen = cnt;
	if (copy_from_user(t->mm, msg->iov, uiov, cnt * sizeof(*msg->iov)))
		return -EFAULT;
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)msg->iov[i].len < 0 || sum + msg->iov[i].len < sum)
			return -EINVAL;
		sum += msg->iov[i].len;
	}
	msg->len = (size_t)MIN(sum, MSG_MAX);
	return 0;
}

/* A struct msghdr from guest memory. */
static long read_msghdr(struct task *t, uint64_t umsg, struct msg *msg)
{
	struct guest_msghdr g;

	if (copy_from_user(t->mm, &g, umsg, sizeof(g)))
		return -EFAULT;
	*msg = (struct msg){ .name = g.name, .namelen = g.namelen, .control = g.control,
			     .controllen = g.controllen };
	return read_iovs(t, g.iov, g.iovlen, msg);
}

/* Gather the data of `msg` into `buf`, or scatter `len` bytes of `buf`. */
static long copy_iov(struct task *t, const struct msg *msg, uint8_t *buf, size_t len, bool to_user)
{
	size_t done = 0;

	for (uint64_t i = 0; i < msg->iovlen && done < len; i++) {
		size_t part = (size_t)MIN(msg->iov[i].len, len - done);

		if (to_user ? copy_to_user(t->mm, msg->iov[i].base, buf + done, part)
			    : copy_from_user(t->mm, buf + done, msg->iov[i].base, part))
			return -EFAULT;
		done += part;
	}
	return 0;
}

/* The open files and credentials a sender's control messages carry. */
static long get_control(struct task *t, const struct msg *msg, struct scm *scm)
{
	uint64_t off = 0;

	while (msg->controllen - off >= sizeof(struct guest_cmsghdr)) {
		struct guest_cmsghdr c;
		uint64_t data = msg->control + off + sizeof(c), n;

		if (copy_from_user(t->mm, &c, msg->control + off, sizeof(c)))
			return -EFAULT;
		if (c.len < sizeof(c) || c.len > msg->controllen - off || c.level != G_SOL_SOCKET)
			return -EINVAL;
		n = c.len - sizeof(c);
		if (c.type == G_SCM_RIGHTS) {
			int32_t fds[SCM_MAX_FD];
			uint64_t count = n / sizeof(fds[0]), have = scm->files ? scm->files->len : 0;

			if (have + count > SCM_MAX_FD)
				return -EINVAL;
			if (copy_from_user(t->mm, fds, data, count * sizeof(fds[0])))
				return -EFAULT;
			if (!scm->files)
				scm->files = g_ptr_array_new_with_free_func((GDestroyNotify)file_put);
			for (uint64_t i = 0; i < count; i++) {
				struct file *f = fd_get(&t->files->fdt, fds[i]);

				if (!f)
					return -EBADF;	/* O_PATH descriptors go too (fget_raw) */
				g_ptr_array_add(scm->files, file_get(f));
			}
		} else if (c.type == G_SCM_CREDENTIALS && n == sizeof(scm->cred)) {
			if (copy_from_user(t->mm, &scm->cred, data, sizeof(scm->cred)))
				return -EFAULT;
		} else {
			return -EINVAL;
		}
		off += CMSG_ALIGN8(c.len);
		if (off > msg->controllen)
			break;
	}
	return 0;
}

static void raise_sigpipe(struct machine *m, struct task *t)
{
	struct sig_info sigpipe = { .signo = G_SIGPIPE, .code = G_SI_USER, .pid = t->proc->pid };

	send_signal_to_task(m, t, &sigpipe);
}

static long do_sendmsg(struct machine *m, struct task *t, uint64_t fd, const struct msg *msg, int flags)
{
	struct unix_sock *s, *to = NULL;
	struct scm scm = { .cred = { .pid = t->proc->pid } };
	struct file *f;
	uint8_t *buf = NULL;
	long n = sock_of(t, fd, &f, &s);

	if (!n && (flags & G_MSG_OOB))
		n = -EOPNOTSUPP;
	if (!n && is_connection(s) && msg->name && msg->namelen)
		n = s->state == SS_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (!n && msg->name)
		n = lookup_name(t, m, msg->name, msg->namelen, s->type, &to);
	if (!n)
		n = get_control(t, msg, &scm);
	if (!n) {
		buf = g_malloc(MAX(msg->len, 1));
		n = copy_iov(t, msg, buf, msg->len, false);
	}
	if (!n)
		n = sock_send(s, to, buf, msg->len, &scm);
	if (scm.files)
		g_ptr_array_free(scm.files, true);
	g_free(buf);
	if (n == -EPIPE && !(flags & G_MSG_NOSIGNAL))
		raise_sigpipe(m, t);
	return n == -EAGAIN ? wait_or_again(m, t, f, flags, "socket send") : n;
}

SYSCALL(sendmsg)
{
	struct msg msg = { 0 };
	long n = read_msghdr(t, a[1], &msg);

	if (!n)
		n = do_sendmsg(m, t, a[0], &msg, (int)a[2]);
	g_free(msg.iov);
	return n;
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
SYSCALL(sendto)
{
	struct guest_iovec iov = { a[1], MIN(a[2], MSG_MAX) };
	struct msg msg = { .iov = &iov, .iovlen = 1, .len = (size_t)iov.len, .name = a[4],
			   .namelen = (uint32_t)a[5] };

	return do_sendmsg(m, t, a[0], &msg, (int)a[3]);
}

/* Install received files as descriptors and write the control messages
 * that fit: the new control length, or -errno.  Files that do not fit are
 * closed and MSG_CTRUNC set. */
static long put_control(struct task *t, const struct unix_sock *s, const struct msg *msg,
			struct recv_meta *meta, int flags, int *msg_flags)
{
	uint64_t off = 0;

	if (s->passcred && meta->has_cred) {
		struct guest_cmsghdr c = { sizeof(c) + sizeof(meta->cred), G_SOL_SOCKET, G_SCM_CREDENTIALS };

		if (msg->controllen < sizeof(c) + sizeof(meta->cred)) {
			*msg_flags |= G_MSG_CTRUNC;
		} else {
			if (copy_to_user(t->mm, msg->control, &c, sizeof(c)) ||
			    copy_to_user(t->mm, msg->control + sizeof(c), &meta->cred, sizeof(meta->cred)))
				return -EFAULT;
			off = CMSG_ALIGN8(c.len);
		}
	}
	if (meta->files) {
		uint64_t room = msg->controllen > off + sizeof(struct guest_cmsghdr) ?
				(msg->controllen - off - sizeof(struct guest_cmsghdr)) / 4 : 0;
		uint64_t n = MIN(room, meta->files->len);
		struct guest_cmsghdr c = { sizeof(c) + n * 4, G_SOL_SOCKET, G_SCM_RIGHTS };
		int32_t fds[SCM_MAX_FD];

		if (n < meta->files->len)
			*msg_flags |= G_MSG_CTRUNC;
		for (uint64_t i = 0; i < n; i++) {
			fds[i] = fd_install(&t->files->fdt, file_get(meta->files->pdata[i]), 0,
					    flags & G_MSG_CMSG_CLOEXEC);
			if (fds[i] < 0) {
				*msg_flags |= G_MSG_CTRUNC;
				n = i;
				c.len = sizeof(c) + n * 4;
				break;
			}
		}
		if (n && (copy_to_user(t->mm, msg->control + off, &c, sizeof(c)) ||
			  copy_to_user(t->mm, msg->control + off + sizeof(c), fds, n * 4)))
			return -EFAULT;
		if (n)
			off += CMSG_ALIGN8(c.len);
	}
	return (long)MIN(off, msg->controllen);
}

/* Receive into `msg`; *namelen and *controllen become what was written. */
static long do_recvmsg(struct machine *m, struct task *t, uint64_t fd, struct msg *msg, int flags,
		       int *msg_flags)
{
	struct recv_meta meta = { 0 };
	struct unix_sock *s;
	struct file *f;
	uint8_t *buf;
	long n = sock_of(t, fd, &f, &s), ctl;

	if (n)
		return n;
	buf = g_malloc(MAX(msg->len, 1));
	n = sock_recv(s, buf, msg->len, flags, &meta);
	if (n >= 0 && copy_iov(t, msg, buf, (size_t)n, true))
		n = -EFAULT;
	g_free(buf);
	if (n == -EAGAIN)
		return wait_or_again(m, t, f, flags, "socket recv");
	*msg_flags = meta.truncated ? G_MSG_TRUNC : 0;
	if (n >= 0 && msg->name && put_name(t, msg->name, msg->unamelen, meta.from, meta.fromlen, false))
		n = -EFAULT;
	ctl = n >= 0 ? put_control(t, s, msg, &meta, flags, msg_flags) : 0;
	drop_meta(&meta);
	if (ctl < 0)
		return ctl;
	msg->controllen = (uint64_t)ctl;
	if (n >= 0 && meta.truncated && (flags & G_MSG_TRUNC))
		n = (long)meta.full_len;
	return n;
}

SYSCALL(recvmsg)
{
	struct guest_msghdr g;
	struct msg msg = { 0 };
	int msg_flags = 0;
	long n = read_msghdr(t, a[1], &msg);

	if (!n) {
		msg.unamelen = a[1] + offsetof(struct guest_msghdr, namelen);
		n = do_recvmsg(m, t, a[0], &msg, (int)a[2], &msg_flags);
	}
	if (n >= 0 && !copy_from_user(t->mm, &g, a[1], sizeof(g))) {
		if (!g.name)
			g.namelen = 0;
		g.controllen = msg.controllen;
		g.flags = msg_flags;
		if (copy_to_user(t->mm, a[1], &g, sizeof(g)))
			n = -EFAULT;
	}
	g_free(msg.iov);
	return n;
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) */
SYSCALL(recvfrom)
{
	struct guest_iovec iov = { a[1], MIN(a[2], MSG_MAX) };
	struct msg msg = { .iov = &iov, .iovlen = 1, .len = (size_t)iov.len, .name = a[4],
			   .unamelen = a[5] };
	int msg_flags;

	if (a[4] && !a[5])
		msg.name = 0;
	return do_recvmsg(m, t, a[0], &msg, (int)a[3], &msg_flags);
}

/* An int option's value, from or to guest memory. */
static long get_int_opt(struct task *t, uint64_t uval, uint64_t len, int *val)
{
	if ((int)len < (int)sizeof(int))
		return -EINVAL;
	return copy_from_user(t->mm, val, uval, sizeof(*val)) ? -EFAULT : 0;
}

static long put_opt(struct task *t, uint64_t uval, uint64_t ulen, const void *val, int size)
{
	int32_t len;

	if (copy_from_user(t->mm, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = MIN(len, size);
	if (copy_to_user(t->mm, uval, val, (size_t)len) || copy_to_user(t->mm, ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* The socket of a get/setsockopt(fd, level, ...) call: only SOL_SOCKET's
 * options are known. */
static long sockopt_sock(struct task *t, const uint64_t *a, struct unix_sock **s)
{
	long err = sock_of(t, a[0], NULL, s);

	return err ? err : (int)a[1] != G_SOL_SOCKET ? -EOPNOTSUPP : 0;
}

/* setsockopt(fd, level, name, value, len) */
SYSCALL(setsockopt)
{
	struct unix_sock *s;
	long err = sockopt_sock(t, a, &s);
	int val;

	if (err)
		return err;
	err = get_int_opt(t, a[3], a[4], &val);
	switch ((int)a[2]) {
	case G_SO_SNDBUF:
	case G_SO_RCVBUF:
		if (err)
			return err;
		/* Linux doubles the request (for its bookkeeping) within bounds. */
		val = (int)MAX(MIN((unsigned)val, UNIX_BUF_MAX) * 2, UNIX_BUF_MIN);
		*((int)a[2] == G_SO_SNDBUF ? &s->sndbuf : &s->rcvbuf) = val;
		changed(s);
		return 0;
	case G_SO_PASSCRED:
		if (err)
			return err;
		s->passcred = val != 0;
		return 0;
	default:
		return -ENOPROTOOPT;	/* read-only ones (SO_TYPE...) too */
	}
}

/* getsockopt(fd, level, name, value, len pointer) */
SYSCALL(getsockopt)
{
	struct unix_sock *s;
	long err = sockopt_sock(t, a, &s);
	int val;

	if (err)
		return err;
	switch ((int)a[2]) {
	case G_SO_TYPE:
		val = s->type;
		break;
	case G_SO_ERROR:
		val = s->err;
		s->err = 0;
		break;
	case G_SO_SNDBUF:
		val = s->sndbuf;
		break;
	case G_SO_RCVBUF:
		val = s->rcvbuf;
		break;
	case G_SO_PASSCRED:
		val = s->passcred;
		break;
	case G_SO_ACCEPTCONN:
		val = s->state == SS_LISTENING;
		break;
	case G_SO_PROTOCOL:
		val = 0;
		break;
	case G_SO_DOMAIN:
		val = G_AF_UNIX;
		break;
	case G_SO_PEERCRED: {
		struct ucred_g none = { 0, -1, -1 };

		return put_opt(t, a[3], a[4], s->peer || s->state == SS_CONNECTED ? &s->peercred : &none,
			       sizeof(none));
	}
	default:
		return -ENOPROTOOPT;
	}
	return put_opt(t, a[3], a[4], &val, sizeof(val));
}

const struct syscall_desc unix_syscalls[] = {
	SYSCALL_DESC(198, socket, "ddd"),
	SYSCALL_DESC(199, socketpair, "dddp"),
	SYSCALL_DESC(200, bind, "dpu"),
	SYSCALL_DESC(201, listen, "dd"),
	SYSCALL_DESC(202, accept, "dpp"),
	SYSCALL_DESC(203, connect, "dpu"),
	SYSCALL_DESC(204, getsockname, "dpp"),
	SYSCALL_DESC(205, getpeername, "dpp"),
	SYSCALL_DESC(206, sendto, "dbuxpu"),
	SYSCALL_DESC(207, recvfrom, "dpuxpp"),
	SYSCALL_DESC(208, setsockopt, "dddpu"),
	SYSCALL_DESC(209, getsockopt, "dddpp"),
	SYSCALL_DESC(210, shutdown, "dd"),
	SYSCALL_DESC(211, sendmsg, "dpx"),
	SYSCALL_DESC(212, recvmsg, "dpx"),
	SYSCALL_DESC(242, accept4, "dppx"),
	{ 0 }
};
