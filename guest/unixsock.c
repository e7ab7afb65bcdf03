/*
 * unixsock: AF_UNIX sockets, answer by answer: socket(2)'s errno rules,
 * socketpair streams and datagrams, a pipe's write end passed to a child
 * with SCM_RIGHTS and written through, abstract and path names with
 * bind/listen/accept4/connect, shutdown, and the socket options.  Prints
 * one line per check.  Built for the guest and, as the oracle, for the
 * host, whose kernel must print the same.  Run it in an empty directory:
 * it binds fdkinds.sock there (on the host, a socket file it leaves).
 * Exit status: 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdtest.h"

static int getint(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0 ? -errno : v;
}

static void socket_errors(void)
{
	int p[2];

	pipe(p);
	show("family -1", socket(-1, SOCK_STREAM, 0));
	show("family NPROTO", socket(46, SOCK_STREAM, 0));
	show("unknown type flag", socket(AF_UNIX, SOCK_STREAM | 0x100000, 0));
	show("type beyond SOCK_MAX", socket(AF_UNIX, 11, 0));
	show("SOCK_RDM", socket(AF_UNIX, SOCK_RDM, 0));
	show("protocol 7", socket(AF_UNIX, SOCK_STREAM, 7));
	show("socketpair wild pointer", socketpair(AF_UNIX, SOCK_STREAM, 0, wild));
	show("send on a pipe", send(p[1], "x", 1, 0));
	show("getsockname of a pipe", getsockname(p[0], NULL, NULL));
	show("setsockopt bad fd", setsockopt(999, SOL_SOCKET, SO_SNDBUF, &p[0], sizeof(int)));
	show("shutdown of a pipe", shutdown(p[0], SHUT_RD));
	show("listen on a pipe", listen(p[0], 1));
}

static void pair_basics(void)
{
	int sv[2], dg[2], v = 65536;
	struct sockaddr_un addr;
	socklen_t len = sizeof(addr);
	struct ucred cred;
	char buf[8];

	show("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	show("cloexec", fcntl(sv[0], F_GETFD));
	show("empty write", write(sv[0], "", 0));
	show("write", write(sv[0], "hello", 5));
	show("send", send(sv[0], " world", 6, 0));
	show_read("read joins", sv[1]);
	show("getsockname", getsockname(sv[0], (struct sockaddr *)&addr, &len));
	printf("  len %u family %d\n", len, addr.sun_family);
	len = sizeof(addr);
	show("getpeername", getpeername(sv[0], (struct sockaddr *)&addr, &len));
	printf("  len %u\n", len);
	show("SO_TYPE", getint(sv[0], SO_TYPE));
	show("SO_ERROR", getint(sv[0], SO_ERROR));
	show("SO_DOMAIN", getint(sv[0], SO_DOMAIN));
	show("SO_ACCEPTCONN", getint(sv[0], SO_ACCEPTCONN));
	show("set SO_SNDBUF 65536", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	show("SO_SNDBUF", getint(sv[0], SO_SNDBUF));
	show("set SO_TYPE", setsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, sizeof(v)));
	show("unknown option", getint(sv[0], 12345));
	show("short option", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2));
	len = sizeof(cred);
	show("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len));
	printf("  pid is mine %d uid %d len %u\n", cred.pid == getpid(), cred.uid, len);
	show("sendto with a name", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&addr, sizeof(short) + 2));
	show("send wild buffer", send(sv[0], wild, 4, 0));
	show("recv nothing, nonblocking", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	show("shutdown bad how", shutdown(sv[0], 7));
	show("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
	show("send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
	show_read("read at peer's shutdown", sv[1]);
	show("write back", write(sv[1], "ok", 2));
	show_read("read back", sv[0]);
	close(sv[1]);
	show_read("read after peer closed", sv[0]);
	show("send after peer closed", send(sv[0], "x", 1, MSG_NOSIGNAL));

	show("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
	send(dg[0], "first", 5, 0);
	send(dg[0], "second message", 14, 0);
	send(dg[0], "", 0, 0);
	show_read("one datagram", dg[1]);
	show("truncated", recv(dg[1], buf, 3, 0));
	show("empty datagram", recv(dg[1], buf, sizeof(buf), 0));
	send(dg[0], "longer", 6, 0);
	show("MSG_TRUNC real length", recv(dg[1], buf, 2, MSG_TRUNC));
	send(dg[0], "peek", 4, 0);
	show("MSG_PEEK", recv(dg[1], buf, sizeof(buf), MSG_PEEK));
	show_read("after peek", dg[1]);
	show("listen on dgram", listen(dg[0], 1));
	show("accept on dgram", accept(dg[0], NULL, NULL));
}

/* Send `fd` over `sock` with SCM_RIGHTS and one byte. */
static long send_fd(int sock, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { "F", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0);
}

/* Send `n` copies of `fd` in one SCM_RIGHTS message (SCM_MAX_FD is 253). */
static long send_fds(int sock, int fd, int n)
{
	static char ctl[CMSG_SPACE(sizeof(int) * 254)];
	struct iovec iov = { "F", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	for (int i = 0; i < n; i++)
		memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0);
}

/* How many descriptors one message brought (and close them). */
static long recv_count(int sock)
{
	static char ctl[CMSG_SPACE(sizeof(int) * 254)];
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	long n;

	if (recvmsg(sock, &msg, 0) < 0)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return 0;
	n = (long)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	for (long i = 0; i < n; i++) {
		int fd;

		memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		close(fd);
	}
	return n;
}

/* Receive one descriptor (or -1), with a control buffer of `room` bytes. */
static int recv_fd(int sock, size_t room, int flags, int *msg_flags)
{
	char ctl[CMSG_SPACE(sizeof(int)) * 2] = { 0 }, byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = room };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &msg, flags) < 0)
		return -2;
	*msg_flags = msg.msg_flags;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void pass_descriptors(void)
{
	int sv[2], p[2], status, flags;
	pid_t pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		int fd, f;

		close(sv[0]);
		close(p[0]);
		close(p[1]);
		fd = recv_fd(sv[1], CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC, &f);
		dprintf(fd, "written by the child through fd passed as %s, cloexec %d",
			fd > 2 ? "a new descriptor" : "?", fcntl(fd, F_GETFD));
		_exit(0);
	}
	close(sv[1]);
	show("sendmsg SCM_RIGHTS", send_fd(sv[0], p[1]));
	close(p[1]);
	{
		char buf[128];
		long n, total = 0;

		while ((n = read(p[0], buf + total, sizeof(buf) - 1 - total)) > 0)
			total += n;
		buf[total] = 0;
		printf("through the pipe: %s\n", buf);
	}
	waitpid(pid, &status, 0);
	show("child status", status);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	send_fd(sv[0], p[0]);
	show("received a fd with no room", recv_fd(sv[1], 0, 0, &flags) >= 0);
	printf("  MSG_CTRUNC %d\n", !!(flags & MSG_CTRUNC));
	show("SCM_RIGHTS bad fd", send_fd(sv[0], 999));
	show("SCM_RIGHTS 254 descriptors", send_fds(sv[0], p[1], 254));
	show("SCM_RIGHTS 253 descriptors", send_fds(sv[0], p[1], 253));
	show("  received", recv_count(sv[1]));
	show("SCM_RIGHTS O_PATH fd", send_fd(sv[0], open("/", O_PATH)));
}

/* SO_PASSCRED: the receiver gets the sender's credentials. */
static void credentials(void)
{
	int sv[2], on = 1;
	char ctl[CMSG_SPACE(sizeof(struct ucred))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	struct ucred cred;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	show("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	show("get SO_PASSCRED", getint(sv[1], SO_PASSCRED));
	write(sv[0], "c", 1);
	show("recvmsg", recvmsg(sv[1], &msg, 0));
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_CREDENTIALS) {
		printf("  no SCM_CREDENTIALS\n");
		return;
	}
	memcpy(&cred, CMSG_DATA(c), sizeof(cred));
	printf("  SCM_CREDENTIALS len %zu: pid is mine %d uid %d gid %d\n", (size_t)c->cmsg_len,
	       cred.pid == getpid(), cred.uid, cred.gid);
}

static socklen_t abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static socklen_t path(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, name);
	return sizeof(*a);
}

static void print_name(const char *what, const struct sockaddr_un *a, socklen_t len)
{
	printf("  %s len %u: %s%s\n", what, len, len > 2 && !a->sun_path[0] ? "@" : "",
	       len > 2 ? a->sun_path + !a->sun_path[0] : "(none)");
}

static void named(void)
{
	struct sockaddr_un a, got;
	socklen_t len = abstract(&a, "mmusim-fdkinds-test"), glen;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0), s, status;
	int d = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	pid_t pid;
	char buf[32];

	show("listen unbound", listen(l, 4));
	show("connect to nobody (abstract)", connect(c, (struct sockaddr *)&a, len));
	show("bind abstract", bind(l, (struct sockaddr *)&a, len));
	show("bind again", bind(l, (struct sockaddr *)&a, len));
	show("bind taken name", bind(c, (struct sockaddr *)&a, len));
	show("connect before listen", connect(c, (struct sockaddr *)&a, len));
	show("accept before listen", accept(l, NULL, NULL));
	show("listen", listen(l, 4));
	show("SO_ACCEPTCONN", getint(l, SO_ACCEPTCONN));
	show("accept4 bad flags", accept4(l, NULL, NULL, 1));
	fcntl(l, F_SETFL, O_NONBLOCK);
	show("accept none pending", accept(l, NULL, NULL));
	fcntl(l, F_SETFL, 0);
	pid = fork();
	if (pid == 0) {
		show("child connect", connect(c, (struct sockaddr *)&a, len));
		show("child connect again", connect(c, (struct sockaddr *)&a, len));
		glen = sizeof(got);
		getpeername(c, (struct sockaddr *)&got, &glen);
		print_name("child's peer", &got, glen);
		write(c, "from the child", 14);
		_exit(0);
	}
	close(c);
	glen = sizeof(got);
	s = accept4(l, (struct sockaddr *)&got, &glen, SOCK_CLOEXEC);
	waitpid(pid, &status, 0);	/* the child's lines first, always */
	show("accept4", s >= 0);
	print_name("accepted from", &got, glen);
	show("accepted cloexec", fcntl(s, F_GETFD));
	glen = sizeof(got);
	getsockname(s, (struct sockaddr *)&got, &glen);
	print_name("accepted socket's name", &got, glen);
	show_read("accepted read", s);
	show_read("accepted read at end", s);
	close(s);

	show("connect stream to dgram name", ({
		int x = socket(AF_UNIX, SOCK_STREAM, 0);
		bind(d, (struct sockaddr *)&a, abstract(&a, "mmusim-fdkinds-dgram"));
		connect(x, (struct sockaddr *)&a, abstract(&a, "mmusim-fdkinds-dgram"));
	}));
	len = abstract(&a, "mmusim-fdkinds-dgram");
	show("sendto dgram by name", sendto(d2, "to a name", 9, 0, (struct sockaddr *)&a, len));
	glen = sizeof(got);
	show("recvfrom", recvfrom(d, buf, sizeof(buf), 0, (struct sockaddr *)&got, &glen));
	printf("  from len %u\n", glen);
	show("autobind", bind(d2, (struct sockaddr *)&a, sizeof(sa_family_t)));
	glen = sizeof(got);
	getsockname(d2, (struct sockaddr *)&got, &glen);
	printf("  autobound len %u abstract %d\n", glen, got.sun_path[0] == 0);
	show("sendto dgram again", sendto(d2, "again", 5, 0, (struct sockaddr *)&a, len));
	glen = sizeof(got);
	show("recvfrom a bound sender", recvfrom(d, buf, sizeof(buf), 0, (struct sockaddr *)&got, &glen));
	printf("  from len %u\n", glen);
	show("dgram send unconnected", send(d2, "x", 1, 0));
	show("dgram connect", connect(d2, (struct sockaddr *)&a, len));
	show("dgram send connected", send(d2, "y", 1, 0));
	show("dgram recv", recv(d, buf, sizeof(buf), 0));

	len = path(&a, "fdkinds.sock");
	show("connect to a missing path", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));
	l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	show("bind path", bind(l, (struct sockaddr *)&a, len));
	glen = sizeof(got);
	getsockname(l, (struct sockaddr *)&got, &glen);
	print_name("bound path", &got, glen);
	show("listen seqpacket", listen(l, 1));
	c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	show("connect seqpacket", connect(c, (struct sockaddr *)&a, len));
	s = accept(l, NULL, NULL);
	write(c, "packet one", 10);
	write(c, "two", 3);
	show("seqpacket recv truncated", recv(s, buf, 4, 0));
	show_read("seqpacket next", s);
	close(c);
	show("seqpacket recv after close", recv(s, buf, 4, 0));
}

/* `unixsock inet`: the families mmusim does not simulate. */
static void other_families(void)
{
	int sv[2];

	show("AF_INET", socket(AF_INET, SOCK_STREAM, 0));
	show("AF_INET6", socket(AF_INET6, SOCK_DGRAM, 0));
	show("AF_NETLINK", socket(AF_NETLINK, SOCK_RAW, 0));
	show("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "inet")) {
		other_families();
		return 0;
	}
	socket_errors();
	pair_basics();
	pass_descriptors();
	credentials();
	named();
	return 0;
}
