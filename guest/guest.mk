# Guest programs, built for AArch64 Linux with the cross compiler.  They are
# data for the simulator (and for qemu-aarch64-static, the test oracle), so
# automake does not compile them as host programs.
GUEST_CFLAGS = -static -O2 -Wall -Wextra -I$(top_srcdir)/guest
GUEST_BINS = \
	guest/bin/hello-nolibc \
	guest/bin/hello \
	guest/bin/hello-dynamic \
	guest/bin/files \
	guest/bin/heap \
	guest/bin/mm \
	guest/bin/segv \
	guest/bin/loop \
	guest/bin/jump \
	guest/bin/eatmem \
	guest/bin/auxv \
	guest/bin/auxv-pie \
	guest/bin/sysinfo \
	guest/bin/timeofday \
	guest/bin/faultretry \
	guest/bin/stale \
	guest/bin/codefile \
	guest/bin/nosys \
	guest/bin/untouched \
	guest/bin/forkcow \
	guest/bin/forkbomb \
	guest/bin/threads \
	guest/bin/syscallspin \
	guest/bin/pingpong \
	guest/bin/signals \
	guest/bin/execer \
	guest/bin/pipeproc \
	guest/bin/notsock \
	guest/bin/deadlock \
	guest/bin/vfork \
	guest/bin/tlbstride \
	guest/bin/pipeswitch \
	guest/bin/mprotstorm \
	guest/bin/mmops \
	guest/bin/faults \
	guest/bin/explain \
	guest/bin/lab-cow \
	guest/bin/lab-stride \
	guest/bin/lab-switch \
	guest/bin/lab-storm \
	guest/bin/gdbtarget \
	guest/bin/gdbthreads \
	guest/bin/roi \
	guest/bin/paths \
	guest/bin/overcommit \
	guest/bin/forkexec \
	guest/bin/codefill \
	guest/bin/procmem \
	guest/bin/procerr \
	guest/bin/catproc \
	guest/bin/fswrite \
	guest/bin/echoargs \
	guest/bin/runscript \
	guest/bin/escape \
	guest/bin/sqlite-demo \
	guest/bin/conform \
	guest/bin/calibench \
	guest/bin/creds \
	guest/bin/itimers \
	guest/bin/el0regs \
	guest/bin/schedcalls \
	guest/bin/posixtimers \
	guest/bin/timerfds \
	guest/bin/mseal \
	guest/bin/mshare \
	guest/bin/mshareload \
	guest/bin/mshareflush \
	guest/bin/msharev3 \
	guest/bin/msharedir \
	guest/bin/mdwe \
	guest/bin/pidfd \
	guest/bin/evpoll \
	guest/bin/unixsock \
	guest/bin/memfd \
	guest/bin/fdcalls \
	guest/bin/sigfd \
	guest/bin/splicetee \
	guest/bin/vascalls \
	guest/bin/vasreport \
	guest/bin/vasthreads \
	guest/bin/vasswitch \
	guest/bin/vasperm \
	guest/bin/vasheap \
	guest/bin/vasfiles \
	guest/bin/mmcalls \
	guest/bin/tmpfsmap \
	guest/bin/fsperm \
	guest/bin/uffd \
	guest/bin/uffderr
GUEST_BINS += guest/bin/uffdmove guest/bin/uffdrfc guest/bin/postcopy
GUEST_BINS += guest/bin/accel
GUEST_BINS += guest/bin/gmem
GUEST_BINS += guest/bin/hmm guest/bin/hmmcoherent guest/bin/hmmpagemap guest/bin/hmmexclusive
# The built-in suite of `mmusim compare` (compare/builtin.c) runs these.
GUEST_BINS += guest/bin/uffdbench guest/bin/bench-devmem
GUEST_BINS += guest/bin/uffdev
GUEST_BINS += guest/bin/uffdwp
GUEST_BINS += guest/bin/uffdshm
GUEST_BINS += guest/bin/uffdminor
GUEST_BINS += guest/bin/uffdpoison
GUEST_BINS += guest/bin/uffdwpun
GUEST_BINS += guest/bin/uffdwpasync

# Guests without a C library: _start is theirs.  No outline atomics either:
# those helpers are in libgcc, which -nostdlib leaves out, and are set up by
# a C library constructor; __atomic builtins must compile to inline LL/SC.
NOLIBC_BINS = guest/bin/hello-nolibc guest/bin/tlbstride guest/bin/mprotstorm guest/bin/mmops
NOLIBC_CFLAGS = -nostdlib -ffreestanding -fno-stack-protector -mno-outline-atomics

$(NOLIBC_BINS): guest/bin/%: guest/%.c guest/mmusim.h
	@mkdir -p guest/bin
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) $(NOLIBC_CFLAGS) -o $@ $<

# The programs the gdb stub's tests debug: with debugging information.
GDB_GUESTS = guest/bin/gdbtarget guest/bin/gdbthreads
$(GDB_GUESTS): guest/bin/%: guest/%.c
	@mkdir -p guest/bin
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) -g -O0 -pthread -o $@ $<

# mmusim calibrate's probes as a guest: the same source as the native ones.
guest/bin/calibench: guest/calibench.c sim/probes.c sim/probes.h
	@mkdir -p guest/bin
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) -I$(top_srcdir) -pthread -o $@ $(top_srcdir)/guest/calibench.c $(top_srcdir)/sim/probes.c

# The hello source linked dynamically (no -static): mmusim must refuse it.
guest/bin/hello-dynamic: guest/hello.c
	@mkdir -p guest/bin
	$(AM_V_CC)$(GUEST_CC) $(filter-out -static,$(GUEST_CFLAGS)) -o $@ $<

# The same program as a static position-independent executable (ET_DYN
# without PT_INTERP): the loader must place and start it.
guest/bin/auxv-pie: guest/auxv.c
	@mkdir -p guest/bin
	$(AM_V_CC)$(GUEST_CC) $(filter-out -static,$(GUEST_CFLAGS)) -static-pie -fPIE -o $@ $<

# SQLite from Debian's libsqlite3-dev:arm64 (scripts/setup-deps).  The
# linker's note that SQLite can dlopen() extensions is expected: it never does.
guest/bin/sqlite-demo: guest/sqlite-demo.c
	@mkdir -p guest/bin
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $< -lsqlite3 -lm

guest/bin/%: guest/%.c guest/mmusim.h guest/vas.h
	@mkdir -p guest/bin
	$(AM_V_CC)$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

# The guests of the descriptor calls print through one header.
$(addprefix guest/bin/,evpoll unixsock memfd fdcalls sigfd splicetee): guest/fdtest.h
$(addprefix guest/bin/,uffd uffderr): guest/fdtest.h
guest/bin/uffdmove guest/bin/uffdrfc: guest/fdtest.h
guest/bin/accel: guest/fdtest.h guest/accel.h
guest/bin/gmem: guest/fdtest.h guest/accel.h guest/mmusim.h
guest/bin/hmm guest/bin/hmmcoherent guest/bin/hmmpagemap guest/bin/hmmexclusive: guest/fdtest.h guest/test_hmm_uapi.h guest/hmmtest.h
$(addprefix guest/bin/,uffd uffdev uffdwp uffdshm uffdminor uffdpoison uffdwpun): guest/uffdlog.h
$(addprefix guest/bin/,uffdev uffdwp uffdshm uffdminor uffdpoison uffdwpun): guest/fdtest.h
$(addprefix guest/bin/,uffdmove uffdpoison uffdwpun): guest/uffdapi.h
guest/bin/uffdwpasync: guest/uffdlog.h guest/fdtest.h guest/uffdapi.h

all-local: $(GUEST_BINS)
clean-local: clean-guests
clean-guests:
	rm -rf guest/bin
guest/bin/mshare: guest/fdtest.h guest/msharefs.h guest/mshareutil.h
guest/bin/mshareload: guest/msharefs.h
guest/bin/mshareflush: guest/msharefs.h
guest/bin/msharev3: guest/fdtest.h guest/msharefs.h guest/mshareutil.h
guest/bin/msharedir: guest/fdtest.h
