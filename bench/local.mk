# Benchmarks: built with everything else (so they cannot rot), run only by
# `make bench` (never by make check: timings are not tests).
noinst_PROGRAMS += bench/spawn
bench_spawn_SOURCES = bench/spawn.c
bench_spawn_LDFLAGS = $(AM_LDFLAGS) -no-install
bench_spawn_LDADD = libsandbox/libsandbox.la
EXTRA_DIST += bench/run.sh bench/README.md

bench: all
	$(srcdir)/bench/run.sh $(abs_top_builddir)
.PHONY: bench
