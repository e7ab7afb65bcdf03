/*
 * gdb_packet: the framing of the GDB remote serial protocol on a connected
 * socket, for sim/gdbstub.c.  A packet is `$payload#cc`, cc the payload's
 * byte sum modulo 256 in two hex digits; the receiver answers `+` (good)
 * or `-` (send again) until both sides agree to QStartNoAckMode.  `}`
 * escapes `#`, `$`, `}` and `*` (the byte XOR 0x20).  A lone 0x03 byte
 * between packets is the client's interrupt (Ctrl-C).
 *
 * Bad input is never fatal: bytes outside a packet are skipped, a packet
 * with a wrong checksum or longer than GDB_PACKET_MAX is answered `-` and
 * dropped; only a closed connection or an I/O error ends the session.
 */
#ifndef SIM_GDB_PACKET_H
#define SIM_GDB_PACKET_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define GDB_PACKET_MAX 16384	/* payload bytes; qSupported says PacketSize */

struct gdb_conn {
	int fd;
	bool noack;		/* QStartNoAckMode agreed */
	bool interrupt;		/* a 0x03 arrived (cleared by the reader) */
	GByteArray *in;		/* received, not consumed yet */
	unsigned bad;		/* packets refused for their checksum or length */
};

void gdb_conn_init(struct gdb_conn *c, int fd);
/* Close the socket and free the buffer. */
void gdb_conn_close(struct gdb_conn *c);

enum gdb_recv { GDB_RECV_PACKET, GDB_RECV_NONE, GDB_RECV_CLOSED };

/* The next packet's payload into `payload` (unescaped), acknowledged.
 * Waits up to `timeout_ms` (-1: forever, 0: not at all) for bytes;
 * GDB_RECV_NONE when no whole packet came (an interrupt may have: see
 * c->interrupt), GDB_RECV_CLOSED when the peer is gone. */
enum gdb_recv gdb_conn_recv(struct gdb_conn *c, GString *payload, int timeout_ms);
/* Send one packet (escaped); in ack mode, wait for `+`, sending again on
 * `-` (a few times).  False when the connection is gone. */
bool gdb_conn_send(struct gdb_conn *c, const char *payload, size_t len);
bool gdb_conn_send_str(struct gdb_conn *c, const char *payload);

#endif
