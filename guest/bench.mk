# Guests for `make bench` (scripts/bench), built on demand by that target.
BENCH_BINS = \
	guest/bin/bench-forkwait \
	guest/bin/bench-pingpong \
	guest/bin/bench-compute \
	guest/bin/bench-memwalk \
	guest/bin/vasswitch \
	guest/bin/bench-mmap
