# Guests for `make bench` (scripts/bench), built on demand by that target.
BENCH_BINS = \
	guest/bin/bench-forkwait \
	guest/bin/bench-pingpong \
	guest/bin/bench-compute \
	guest/bin/bench-memwalk \
	guest/bin/vasswitch \
	guest/bin/bench-mmap
BENCH_BINS += guest/bin/uffdbench guest/bin/postcopy

# uffdbench built for this host: the real kernel's userfaultfd round trip.
BENCH_BINS += tests/host-uffdbench
tests/host-uffdbench: guest/uffdbench.c guest/mmusim.h
	$(AM_V_CC)$(CC) -O2 -Wall -Wextra -I$(top_srcdir)/guest -pthread -o $@ $<
BENCH_BINS += guest/bin/bench-devmem
guest/bin/bench-devmem: guest/fdtest.h guest/accel.h guest/mmusim.h
