# Unit tests for mmu/ (one Criterion program per room).
# Included from Makefile.am; `make check` builds and runs them.

unit_tests = \
	tests/unit-phys \
	tests/unit-pgtable \
	tests/unit-walk-trace \
	tests/unit-ptshare \
	tests/unit-vma \
	tests/unit-mm \
	tests/unit-shmem \
	tests/unit-fault \
	tests/unit-uaccess \
	tests/unit-pagewalk \
	tests/unit-tlb \
	tests/unit-cost \
	tests/unit-asid \
	tests/unit-shootdown \
	tests/unit-agent \
	tests/unit-vas \
	tests/unit-mshare \
	tests/unit-device \
	tests/unit-gmem \
	tests/unit-parse \
	tests/unit-pte-journal
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

UNIT_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
UNIT_FIXTURE = tests/unit/mmu_test.c tests/unit/mmu_test.h
SIM_FIXTURE = tests/unit/sim_test.c tests/unit/sim_test.h
DOMAIN_FIXTURE = tests/unit/domain_test.c tests/unit/domain_test.h

tests_unit_phys_SOURCES = tests/unit/test_phys.c
tests_unit_phys_CFLAGS = $(UNIT_CFLAGS)
tests_unit_phys_LDADD = $(TEST_LIBS)

tests_unit_pgtable_SOURCES = tests/unit/test_pgtable.c
tests_unit_pgtable_CFLAGS = $(UNIT_CFLAGS)
tests_unit_pgtable_LDADD = $(TEST_LIBS)

tests_unit_walk_trace_SOURCES = tests/unit/test_walk_trace.c
tests_unit_walk_trace_CFLAGS = $(UNIT_CFLAGS)
tests_unit_walk_trace_LDADD = $(TEST_LIBS)

tests_unit_ptshare_SOURCES = tests/unit/test_ptshare.c $(UNIT_FIXTURE)
tests_unit_ptshare_CFLAGS = $(UNIT_CFLAGS)
tests_unit_ptshare_LDADD = $(TEST_LIBS)

tests_unit_vma_SOURCES = tests/unit/test_vma.c $(UNIT_FIXTURE)
tests_unit_vma_CFLAGS = $(UNIT_CFLAGS)
tests_unit_vma_LDADD = $(TEST_LIBS)

tests_unit_shmem_SOURCES = tests/unit/test_shmem.c
tests_unit_shmem_CFLAGS = $(UNIT_CFLAGS)
tests_unit_shmem_LDADD = $(TEST_LIBS)

tests_unit_vas_SOURCES = tests/unit/test_vas.c $(UNIT_FIXTURE)
tests_unit_vas_CFLAGS = $(UNIT_CFLAGS)
tests_unit_vas_LDADD = $(TEST_LIBS)

tests_unit_device_SOURCES = tests/unit/test_device.c $(DOMAIN_FIXTURE)
tests_unit_device_CFLAGS = $(UNIT_CFLAGS)
tests_unit_device_LDADD = $(TEST_LIBS)

tests_unit_gmem_SOURCES = tests/unit/test_gmem.c $(DOMAIN_FIXTURE)
tests_unit_gmem_CFLAGS = $(UNIT_CFLAGS)
tests_unit_gmem_LDADD = $(TEST_LIBS)

tests_unit_mshare_SOURCES = tests/unit/test_mshare.c $(UNIT_FIXTURE)
tests_unit_mshare_CFLAGS = $(UNIT_CFLAGS)
tests_unit_mshare_LDADD = $(TEST_LIBS)

tests_unit_mm_SOURCES = tests/unit/test_mm.c $(UNIT_FIXTURE)
tests_unit_mm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_mm_LDADD = $(TEST_LIBS)

tests_unit_fault_SOURCES = tests/unit/test_fault.c $(UNIT_FIXTURE)
tests_unit_fault_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fault_LDADD = $(TEST_LIBS)

tests_unit_uaccess_SOURCES = tests/unit/test_uaccess.c $(UNIT_FIXTURE)
tests_unit_uaccess_CFLAGS = $(UNIT_CFLAGS)
tests_unit_uaccess_LDADD = $(TEST_LIBS)

tests_unit_pagewalk_SOURCES = tests/unit/test_pagewalk.c $(UNIT_FIXTURE)
tests_unit_pagewalk_CFLAGS = $(UNIT_CFLAGS)
tests_unit_pagewalk_LDADD = $(TEST_LIBS)

# sim/cpu against hand-assembled instructions (links the emulator).
check_PROGRAMS += tests/unit-cpu
TESTS += tests/unit-cpu
tests_unit_cpu_SOURCES = tests/unit/test_cpu.c
tests_unit_cpu_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS)
tests_unit_cpu_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/abort: the signal for each fault status code.
check_PROGRAMS += tests/unit-abort
TESTS += tests/unit-abort
tests_unit_abort_SOURCES = tests/unit/test_abort.c
tests_unit_abort_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS)
tests_unit_abort_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/vfs, sim/pseudo and sim/pipe: open files through their file_ops.
check_PROGRAMS += tests/unit-file
TESTS += tests/unit-file
tests_unit_file_SOURCES = tests/unit/test_file.c
tests_unit_file_CFLAGS = $(UNIT_CFLAGS)
tests_unit_file_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/vfs: paths below the root, by openat2 and by hand.
check_PROGRAMS += tests/unit-rootwalk
TESTS += tests/unit-rootwalk
tests_unit_rootwalk_SOURCES = tests/unit/test_rootwalk.c
tests_unit_rootwalk_CFLAGS = $(UNIT_CFLAGS)
tests_unit_rootwalk_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/binfmt_script: "#!" lines.
check_PROGRAMS += tests/unit-script
TESTS += tests/unit-script
tests_unit_script_SOURCES = tests/unit/test_script.c
tests_unit_script_CFLAGS = $(UNIT_CFLAGS)
tests_unit_script_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/task and sim/sched: a thread switching its active address space.
check_PROGRAMS += tests/unit-task
TESTS += tests/unit-task
tests_unit_task_SOURCES = tests/unit/test_task.c $(SIM_FIXTURE)
tests_unit_task_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS)
tests_unit_task_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/dispatch: registrations, the lookup, mmusim's own numbers.
check_PROGRAMS += tests/unit-syscall
TESTS += tests/unit-syscall
tests_unit_syscall_SOURCES = tests/unit/test_syscall.c $(SIM_FIXTURE)
tests_unit_syscall_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS)
tests_unit_syscall_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/wait: sleeping in a page fault and re-executing the instruction
# (one test runs a guest through the run loop).
check_PROGRAMS += tests/unit-wait
TESTS += tests/unit-wait
tests_unit_wait_SOURCES = tests/unit/test_wait.c $(SIM_FIXTURE)
tests_unit_wait_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS) -DGUEST_BIN_DIR='"$(abs_top_builddir)/guest/bin"'
EXTRA_tests_unit_wait_DEPENDENCIES = guest/bin/faultretry
tests_unit_wait_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/procfs: pagemap and mem against the simulated tables.
check_PROGRAMS += tests/unit-procfs
TESTS += tests/unit-procfs
tests_unit_procfs_SOURCES = tests/unit/test_procfs.c $(SIM_FIXTURE)
tests_unit_procfs_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS)
tests_unit_procfs_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

tests_unit_tlb_SOURCES = tests/unit/test_tlb.c
tests_unit_tlb_CFLAGS = $(UNIT_CFLAGS)
tests_unit_tlb_LDADD = $(TEST_LIBS)

tests_unit_cost_SOURCES = tests/unit/test_cost.c
tests_unit_cost_CFLAGS = $(UNIT_CFLAGS)
tests_unit_cost_LDADD = $(TEST_LIBS)

tests_unit_asid_SOURCES = tests/unit/test_asid.c
tests_unit_asid_CFLAGS = $(UNIT_CFLAGS)
tests_unit_asid_LDADD = $(TEST_LIBS)

tests_unit_shootdown_SOURCES = tests/unit/test_shootdown.c
tests_unit_shootdown_CFLAGS = $(UNIT_CFLAGS)
tests_unit_shootdown_LDADD = $(TEST_LIBS)

tests_unit_agent_SOURCES = tests/unit/test_agent.c $(DOMAIN_FIXTURE)
tests_unit_agent_CFLAGS = $(UNIT_CFLAGS)
tests_unit_agent_LDADD = $(TEST_LIBS)

# report/: the model and its two renderings.
check_PROGRAMS += tests/unit-report
TESTS += tests/unit-report
tests_unit_report_SOURCES = tests/unit/test_report.c
tests_unit_report_CFLAGS = $(UNIT_CFLAGS) $(JSON_GLIB_CFLAGS)
tests_unit_report_LDADD = libreport.a libutil.a $(CRITERION_LIBS) $(JSON_GLIB_LIBS) $(GLIB_LIBS)

# sim/timer and sim/cred: the timer queue and the capability rules, alone
check_PROGRAMS += tests/unit-timer
TESTS += tests/unit-timer
tests_unit_timer_SOURCES = tests/unit/test_timer.c sim/timer.c sim/cred.c
tests_unit_timer_CFLAGS = $(UNIT_CFLAGS) $(GLIB_CFLAGS)
tests_unit_timer_LDADD = $(CRITERION_LIBS) $(GLIB_LIBS)

# sim/emulator_libs: Unicorn and Capstone opened on demand.
check_PROGRAMS += tests/unit-emulator-libs
TESTS += tests/unit-emulator-libs
tests_unit_emulator_libs_SOURCES = tests/unit/test_emulator_libs.c
tests_unit_emulator_libs_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS) $(CAPSTONE_CFLAGS)
tests_unit_emulator_libs_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# sim/fastpath: the store fast path's self-test cases, both ways.
check_PROGRAMS += tests/unit-fastpath
TESTS += tests/unit-fastpath
tests_unit_fastpath_SOURCES = tests/unit/test_fastpath.c
tests_unit_fastpath_CFLAGS = $(UNIT_CFLAGS) $(UNICORN_CFLAGS)
tests_unit_fastpath_LDADD = $(SIM_LIBS) $(CRITERION_LIBS)

# userfaultfd's memory side (mmu/userfault).
unit_tests += tests/unit-userfault
tests_unit_userfault_SOURCES = tests/unit/test_userfault.c $(DOMAIN_FIXTURE)
tests_unit_userfault_CFLAGS = $(UNIT_CFLAGS)
tests_unit_userfault_LDADD = $(TEST_LIBS)

# UFFDIO_MOVE's and remap_anon_pages' primitive (mmu/userfault/move).
unit_tests += tests/unit-uffd-move
tests_unit_uffd_move_SOURCES = tests/unit/test_uffd_move.c $(DOMAIN_FIXTURE)
tests_unit_uffd_move_CFLAGS = $(UNIT_CFLAGS)
tests_unit_uffd_move_LDADD = $(TEST_LIBS)

# UFFDIO_POISON's markers (mmu/userfault/poison, mmu/pgtable).
unit_tests += tests/unit-uffd-poison
tests_unit_uffd_poison_SOURCES = tests/unit/test_uffd_poison.c
tests_unit_uffd_poison_CFLAGS = $(UNIT_CFLAGS)
tests_unit_uffd_poison_LDADD = $(TEST_LIBS)

# traces/zstream: frames of every kind decompressed into the ring, read back.
unit_tests += tests/unit-zstream
tests_unit_zstream_SOURCES = tests/unit/test_zstream.c
tests_unit_zstream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_zstream_LDADD = libtraces.a $(TEST_LIBS) $(ZSTD_LIBS)

# traces/: the trace format, written and read back, and every bad input.
unit_tests += tests/unit-trace
tests_unit_trace_SOURCES = tests/unit/test_trace_format.c
tests_unit_trace_CFLAGS = $(UNIT_CFLAGS)
tests_unit_trace_LDADD = libtraces.a $(TEST_LIBS) $(ZSTD_LIBS)

tests_unit_parse_SOURCES = tests/unit/test_parse.c
tests_unit_parse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_parse_LDADD = $(TEST_LIBS)

tests_unit_pte_journal_SOURCES = tests/unit/test_pte_journal.c $(UNIT_FIXTURE)
tests_unit_pte_journal_CFLAGS = $(UNIT_CFLAGS)
tests_unit_pte_journal_LDADD = $(TEST_LIBS)

# traces/replay: a batch of accesses equals them one record at a time.
unit_tests += tests/unit-replay
tests_unit_replay_SOURCES = tests/unit/test_replay.c
tests_unit_replay_CFLAGS = $(UNIT_CFLAGS)
tests_unit_replay_LDADD = libtraces.a libreport.a $(TEST_LIBS) $(ZSTD_LIBS) $(JSON_GLIB_LIBS)
