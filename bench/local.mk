# Benchmarks: built with everything else (so they cannot rot), run only by
# `make bench` (never by make check: timings are not tests).
noinst_PROGRAMS += bench/spawn
bench_spawn_SOURCES = bench/spawn.c bench/stats.c bench/stats.h
bench_spawn_LDFLAGS = $(AM_LDFLAGS) -no-install
bench_spawn_LDADD = libsandbox/libsandbox.la

# channels and frame handover
noinst_PROGRAMS += bench/chan
bench_chan_SOURCES = bench/chan.c bench/stats.c bench/stats.h
bench_chan_LDFLAGS = $(AM_LDFLAGS) -no-install
bench_chan_LDADD = libsandbox/libsandbox.la

# per-call filter costs; reaches into the library (libseccomp's other layout)
noinst_PROGRAMS += bench/syscall
bench_syscall_SOURCES = bench/syscall.c bench/stats.c bench/stats.h
bench_syscall_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/libsandbox
bench_syscall_LDFLAGS = $(AM_LDFLAGS) -no-install
bench_syscall_LDADD = libsandbox/libsandbox-core.la
# the microVM backend's VMM: VM creation to first instruction, and its memory
noinst_PROGRAMS += bench/vm
bench_vm_SOURCES = bench/vm.c bench/stats.c bench/stats.h
bench_vm_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/runtime
bench_vm_LDFLAGS = $(AM_LDFLAGS) -no-install
bench_vm_LDADD = runtime/libsbxvm.la libsandbox/libsandbox-core.la
EXTRA_DIST += bench/run.sh bench/README.md

bench: all tests/vm/payloads.stamp
	$(srcdir)/bench/run.sh $(abs_top_builddir)
.PHONY: bench
