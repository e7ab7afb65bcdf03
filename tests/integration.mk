# Integration tests: guests under mmusim, compared with qemu-aarch64-static.
# One Criterion program, tests/integration-tests (tests/integration is the
# directory of its sources); its helpers are in tests/integration/harness.[ch].

check_PROGRAMS += tests/integration-tests
TESTS += tests/integration-tests

tests_integration_tests_SOURCES = \
	tests/integration/harness.c tests/integration/harness.h \
	tests/integration/test_compare.c \
	tests/integration/test_fastpath.c \
	tests/integration/test_libs.c \
	tests/integration/test_known.c \
	tests/integration/test_load.c \
	tests/integration/test_crash.c \
	tests/integration/test_usage.c \
	tests/integration/test_root.c \
	tests/integration/test_trace.c \
	tests/integration/test_model.c \
	tests/integration/test_tasks.c \
	tests/integration/test_report.c \
	tests/integration/test_hostsig.c \
	tests/integration/test_conform.c \
	tests/integration/test_calibrate.c \
	tests/integration/test_tlb.c \
	tests/integration/test_linux.c \
	tests/integration/test_files.c \
	tests/integration/test_procfs.c \
	tests/integration/test_fswrite.c \
	tests/integration/test_script.c \
	tests/integration/test_programs.c \
	tests/integration/test_tmpfs.c \
	tests/integration/test_mshare.c \
	tests/integration/test_timecalls.c \
	tests/integration/test_selftests.c \
	tests/integration/test_fdkinds.c \
	tests/integration/test_progress.c \
	tests/integration/test_vas.c \
	tests/integration/test_explain.c \
	tests/integration/test_lab.c \
	tests/integration/test_suites.c \
	tests/integration/test_gdb.c \
	tests/integration/test_userfaultfd.c \
	tests/integration/test_uffd_rfc.c \
	tests/integration/test_uffd_poison.c \
	tests/integration/test_accel.c \
	tests/integration/test_mmcalls.c \
	tests/integration/test_fsperm.c \
	tests/integration/test_record.c \
	tests/integration/test_replay.c \
	tests/integration/test_exact.c
tests_integration_tests_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(JSON_GLIB_CFLAGS) \
	-DMMUSIM_PATH='"$(abs_top_builddir)/mmusim$(EXEEXT)"' \
	-DGUEST_BIN_DIR='"$(abs_top_builddir)/guest/bin"' \
	-DBUSYBOX_PATH='"$(abs_top_srcdir)/guest/busybox/busybox"' \
	-DBASH_PATH='"$(abs_top_srcdir)/guest/bash/bash"' \
	-DZSH_PATH='"$(abs_top_srcdir)/guest/zsh/zsh"' \
	-DQEMU_PATH='"$(QEMU_AARCH64)"' \
	-DGDB_PATH='"$(GDB_MULTIARCH)"' \
	-DGUEST_OBJDUMP_PATH='"$(GUEST_OBJDUMP)"' \
	-DHOST_FAULTS_PATH='"$(abs_top_builddir)/tests/host-faults$(EXEEXT)"' \
	-DHOST_PATHS_PATH='"$(abs_top_builddir)/tests/host-paths$(EXEEXT)"' \
	-DHOST_OVERCOMMIT_PATH='"$(abs_top_builddir)/tests/host-overcommit$(EXEEXT)"' \
	-DHOST_UNTOUCHED_PATH='"$(abs_top_builddir)/tests/host-untouched$(EXEEXT)"' \
	-DGOLDEN_DIR='"$(abs_top_srcdir)/tests/golden"' \
	-DHOST_NOTSOCK_PATH='"$(abs_top_builddir)/tests/host-notsock$(EXEEXT)"' \
	-DHOST_PROCMEM_PATH='"$(abs_top_builddir)/tests/host-procmem$(EXEEXT)"' \
	-DHOST_PROCERR_PATH='"$(abs_top_builddir)/tests/host-procerr$(EXEEXT)"' \
	-DHOST_CATPROC_PATH='"$(abs_top_builddir)/tests/host-catproc$(EXEEXT)"' \
	-DHOST_FSWRITE_PATH='"$(abs_top_builddir)/tests/host-fswrite$(EXEEXT)"' \
	-DHOST_ECHOARGS_PATH='"$(abs_top_builddir)/tests/host-echoargs$(EXEEXT)"' \
	-DHOST_RUNSCRIPT_PATH='"$(abs_top_builddir)/tests/host-runscript$(EXEEXT)"' \
	-DHOST_SQLITE_DEMO_PATH='"$(abs_top_builddir)/tests/host-sqlite-demo$(EXEEXT)"' \
	-DE2FSCK_STATIC_PATH='"$(abs_top_srcdir)/guest/e2fsck/e2fsck.static"' \
	-DCONFORM_DIR='"$(abs_top_srcdir)/tests/conform"' \
	-DHOST_BIN_DIR='"$(abs_top_builddir)/tests"' \
	-DHOST_MSEAL_PATH='"$(abs_top_builddir)/tests/host-mseal$(EXEEXT)"' \
	-DHOST_MDWE_PATH='"$(abs_top_builddir)/tests/host-mdwe$(EXEEXT)"' \
	-DHOST_PIDFD_PATH='"$(abs_top_builddir)/tests/host-pidfd$(EXEEXT)"' \
	-DMM_SELFTESTS_SCRIPT='"$(abs_top_srcdir)/scripts/mm-selftests"' \
	-DHOST_BIN_DIR='"$(abs_top_builddir)/tests"' \
	-DHOST_MMCALLS_PATH='"$(abs_top_builddir)/tests/host-mmcalls$(EXEEXT)"' \
	-DHOST_TMPFSMAP_PATH='"$(abs_top_builddir)/tests/host-tmpfsmap$(EXEEXT)"' \
	-DHOST_FSPERM_PATH='"$(abs_top_builddir)/tests/host-fsperm$(EXEEXT)"'
tests_integration_tests_LDADD = libtraces.a $(ZSTD_LIBS) $(CRITERION_LIBS) $(JSON_GLIB_LIBS) $(GLIB_LIBS)

# The tests run mmusim and the guests: build them first (automake owns the
# rule for tests/integration.log, so hang them on the program instead).
EXTRA_tests_integration_tests_DEPENDENCIES = mmusim$(EXEEXT) $(GUEST_BINS) \
	tests/host-faults$(EXEEXT) tests/host-paths$(EXEEXT) tests/host-overcommit$(EXEEXT) \
	tests/host-untouched$(EXEEXT) tests/host-notsock$(EXEEXT) \
	tests/host-procmem$(EXEEXT) tests/host-procerr$(EXEEXT) tests/host-catproc$(EXEEXT) \
	tests/host-fswrite$(EXEEXT) tests/host-echoargs$(EXEEXT) tests/host-runscript$(EXEEXT) \
	tests/host-sqlite-demo$(EXEEXT) \
	tests/host-creds$(EXEEXT) tests/host-itimers$(EXEEXT) tests/host-schedcalls$(EXEEXT) \
	tests/host-posixtimers$(EXEEXT) tests/host-timerfds$(EXEEXT) \
	tests/host-mseal$(EXEEXT) tests/host-mdwe$(EXEEXT) tests/host-pidfd$(EXEEXT) \
	tests/host-sqlite-demo$(EXEEXT) tests/host-mmcalls$(EXEEXT)

# Guests built for this host: the real kernel's answers to compare with.
check_PROGRAMS += tests/host-faults tests/host-paths tests/host-overcommit tests/host-untouched \
	tests/host-notsock tests/host-procmem tests/host-procerr tests/host-catproc tests/host-fswrite \
	tests/host-echoargs tests/host-runscript tests/host-sqlite-demo tests/host-mmcalls
tests_host_faults_SOURCES = guest/faults.c
tests_host_paths_SOURCES = guest/paths.c
tests_host_overcommit_SOURCES = guest/overcommit.c
tests_host_untouched_SOURCES = guest/untouched.c
tests_host_notsock_SOURCES = guest/notsock.c
tests_host_procmem_SOURCES = guest/procmem.c
tests_host_procerr_SOURCES = guest/procerr.c
tests_host_catproc_SOURCES = guest/catproc.c
tests_host_fswrite_SOURCES = guest/fswrite.c
tests_host_echoargs_SOURCES = guest/echoargs.c
tests_host_runscript_SOURCES = guest/runscript.c
tests_host_sqlite_demo_SOURCES = guest/sqlite-demo.c
tests_host_sqlite_demo_LDADD = -lsqlite3
tests_host_mmcalls_SOURCES = guest/mmcalls.c
# The conformance suite's guest for this host: scripts/conformance runs it.
check_PROGRAMS += tests/host-conform
tests_host_conform_SOURCES = guest/conform.c
check_PROGRAMS += tests/host-creds tests/host-itimers tests/host-schedcalls tests/host-posixtimers \
	tests/host-timerfds
tests_host_creds_SOURCES = guest/creds.c
tests_host_itimers_SOURCES = guest/itimers.c
tests_host_schedcalls_SOURCES = guest/schedcalls.c
tests_host_posixtimers_SOURCES = guest/posixtimers.c
tests_host_timerfds_SOURCES = guest/timerfds.c
check_PROGRAMS += tests/host-mseal tests/host-mdwe tests/host-pidfd
tests_host_mseal_SOURCES = guest/mseal.c
tests_host_mdwe_SOURCES = guest/mdwe.c
tests_host_pidfd_SOURCES = guest/pidfd.c
EXTRA_tests_integration_tests_DEPENDENCIES += tests/host-tmpfsmap$(EXEEXT)
check_PROGRAMS += tests/host-tmpfsmap
tests_host_tmpfsmap_SOURCES = guest/tmpfsmap.c
EXTRA_tests_integration_tests_DEPENDENCIES += tests/host-fsperm$(EXEEXT)
check_PROGRAMS += tests/host-fsperm
tests_host_fsperm_SOURCES = guest/fsperm.c

# The fd kinds (sockets, epoll, eventfd, signalfd, memfd...): each guest of
# test_fdkinds.c also built for this host as tests/host-NAME.
FDKINDS_HOST = tests/host-evpoll tests/host-unixsock tests/host-memfd tests/host-fdcalls \
	tests/host-sigfd tests/host-splicetee
EXTRA_tests_integration_tests_DEPENDENCIES += $(FDKINDS_HOST)
check_PROGRAMS += $(FDKINDS_HOST)
tests_host_evpoll_SOURCES = guest/evpoll.c
tests_host_unixsock_SOURCES = guest/unixsock.c
tests_host_memfd_SOURCES = guest/memfd.c
tests_host_fdcalls_SOURCES = guest/fdcalls.c
tests_host_fdcalls_LDFLAGS = -pthread
tests_host_sigfd_SOURCES = guest/sigfd.c
tests_host_splicetee_SOURCES = guest/splicetee.c

# userfaultfd(2): the guests of test_userfaultfd.c built for this host.
UFFD_HOST = tests/host-uffd tests/host-uffderr tests/host-uffdev tests/host-uffdwp tests/host-uffdshm
UFFD_HOST += tests/host-uffdminor
UFFD_HOST += tests/host-uffdpoison
UFFD_HOST += tests/host-uffdwpun
UFFD_HOST += tests/host-uffdwpasync
EXTRA_tests_integration_tests_DEPENDENCIES += $(UFFD_HOST)
check_PROGRAMS += $(UFFD_HOST)
tests_host_uffd_SOURCES = guest/uffd.c
tests_host_uffd_LDFLAGS = -pthread
tests_host_uffderr_SOURCES = guest/uffderr.c
tests_host_uffderr_LDFLAGS = -pthread
tests_host_uffdev_SOURCES = guest/uffdev.c
tests_host_uffdev_LDFLAGS = -pthread
tests_host_uffdwp_SOURCES = guest/uffdwp.c
tests_host_uffdwp_LDFLAGS = -pthread
tests_host_uffdshm_SOURCES = guest/uffdshm.c
tests_host_uffdshm_LDFLAGS = -pthread
tests_host_uffdminor_SOURCES = guest/uffdminor.c
tests_host_uffdminor_LDFLAGS = -pthread
tests_host_uffdpoison_SOURCES = guest/uffdpoison.c
tests_host_uffdpoison_LDFLAGS = -pthread
tests_host_uffdwpun_SOURCES = guest/uffdwpun.c
tests_host_uffdwpun_LDFLAGS = -pthread
tests_host_uffdwpasync_SOURCES = guest/uffdwpasync.c
EXTRA_tests_integration_tests_DEPENDENCIES += tests/host-msharedir$(EXEEXT)
check_PROGRAMS += tests/host-msharedir
tests_host_msharedir_SOURCES = guest/msharedir.c
EXTRA_tests_integration_tests_DEPENDENCIES += tests/host-uffdmove$(EXEEXT) guest/bin/uffdbench \
	guest/bin/postcopy
check_PROGRAMS += tests/host-uffdmove
tests_host_uffdmove_SOURCES = guest/uffdmove.c
tests_host_uffdmove_LDFLAGS = -pthread
