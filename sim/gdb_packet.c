/*
 * gdb_packet: see gdb_packet.h.
 */
#include "sim/gdb_packet.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ACK_TIMEOUT_MS	5000	/* a peer that never acknowledges is taken as agreeing */
#define SEND_TRIES	5

void gdb_conn_init(struct gdb_conn *c, int fd)
{
	*c = (struct gdb_conn){ .fd = fd, .in = g_byte_array_new() };
}

void gdb_conn_close(struct gdb_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	g_clear_pointer(&c->in, g_byte_array_unref);
}

/* Read what the socket has, waiting up to `timeout_ms`: 1 bytes came, 0
 * none (timeout or a signal), -1 the peer is gone. */
static int fill(struct gdb_conn *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	guint8 buf[4096];
	ssize_t n;

	if (c->fd < 0)
		return -1;
	n = poll(&p, 1, timeout_ms);
	if (n <= 0)
		return n < 0 && errno != EINTR ? -1 : 0;
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	g_byte_array_append(c->in, buf, (guint)n);
	return 1;
}

static bool write_all(struct gdb_conn *c, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

static void consume(struct gdb_conn *c, guint n)
{
	g_byte_array_remove_range(c->in, 0, n);
}

static int hex_digit(int ch)
{
	return g_ascii_xdigit_value((char)ch);
}

static void unescape(const guint8 *raw, size_t len, GString *out)
{
	g_string_truncate(out, 0);
	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '}' && i + 1 < len)
			g_string_append_c(out, (char)(raw[++i] ^ 0x20));
		else
			g_string_append_c(out, (char)raw[i]);
	}
}

/* Refuse the packet at the start of the buffer, `n` bytes long. */
static void refuse(struct gdb_conn *c, guint n)
{
	consume(c, n);
	c->bad++;
	if (!c->noack)
		write_all(c, "-", 1);
}

/* A whole packet at the start of the buffer: 1 taken into `payload`, 0
 * incomplete, -1 refused (consumed). */
static int take_packet(struct gdb_conn *c, GString *payload)
{
	const guint8 *b = c->in->data;
	guint len = c->in->len, end;
	unsigned sum = 0;
	int hi, lo;

	for (end = 1; end < len && b[end] != '#'; end++) {
		if (b[end] == '$') {	/* a new packet starts: this one was cut */
			refuse(c, end);
			return -1;
		}
		sum += b[end];
	}
	if (end >= len || end + 2 >= len) {
		if (len > GDB_PACKET_MAX * 2 + 4) {
			refuse(c, len);
			return -1;
		}
		return 0;
	}
	hi = hex_digit(b[end + 1]);
	lo = hex_digit(b[end + 2]);
	if (hi < 0 || lo < 0 || (unsigned)(hi << 4 | lo) != (sum & 0xff) ||
	    end - 1 > GDB_PACKET_MAX * 2) {
		refuse(c, end + 3);
		return -1;
	}
	unescape(b + 1, end - 1, payload);
	consume(c, end + 3);
	if (!c->noack)
		write_all(c, "+", 1);
	return 1;
}

/* Skip what comes before a packet: acknowledgements, noise, interrupts. */
static void skip_to_packet(struct gdb_conn *c)
{
	guint i;

	for (i = 0; i < c->in->len && c->in->data[i] != '$'; i++)
		if (c->in->data[i] == 0x03)
			c->interrupt = true;
	consume(c, i);
}

enum gdb_recv gdb_conn_recv(struct gdb_conn *c, GString *payload, int timeout_ms)
{
	int got;

	for (;;) {
		skip_to_packet(c);
		if (c->in->len) {
			got = take_packet(c, payload);
			if (got > 0)
				return GDB_RECV_PACKET;
			if (got < 0)
				continue;
		}
		got = fill(c, timeout_ms);
		if (got < 0)
			return GDB_RECV_CLOSED;
		if (got == 0)
			return GDB_RECV_NONE;
	}
}

/* In ack mode, the peer's answer to a packet: true for `+` (or anything
 * else, or nothing for a while), false for `-`. */
static bool acknowledged(struct gdb_conn *c, bool *gone)
{
	while (!c->in->len) {
		int got = fill(c, ACK_TIMEOUT_MS);

		if (got < 0)
			*gone = true;
		if (got <= 0)
			return true;
	}
	if (c->in->data[0] == '+' || c->in->data[0] == '-') {
		bool ok = c->in->data[0] == '+';

		consume(c, 1);
		return ok;
	}
	return true;
}

bool gdb_conn_send(struct gdb_conn *c, const char *payload, size_t len)
{
	GString *frame = g_string_sized_new(len + 8);
	unsigned sum = 0;
	bool gone = false, ok = false;

	g_string_append_c(frame, '$');
	for (size_t i = 0; i < len; i++) {
		char ch = payload[i];

		if (ch == '#' || ch == '$' || ch == '}' || ch == '*') {
			g_string_append_c(frame, '}');
			sum += '}';
			ch ^= 0x20;
		}
		g_string_append_c(frame, ch);
		sum += (unsigned char)ch;
	}
	g_string_append_printf(frame, "#%02x", sum & 0xff);
	for (int tries = 0; tries < SEND_TRIES && !gone; tries++) {
		if (!write_all(c, frame->str, frame->len))
			break;
		if (c->noack || acknowledged(c, &gone)) {
			ok = !gone;
			break;
		}
	}
	g_string_free(frame, TRUE);
	return ok;
}

bool gdb_conn_send_str(struct gdb_conn *c, const char *payload)
{
	return gdb_conn_send(c, payload, strlen(payload));
}
