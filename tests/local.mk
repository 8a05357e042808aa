# Tests: Check suites (unit and live), shell tests for the CLI, and the
# unprivileged pass. `make check` runs them all.
TESTFLAGS_CC = $(AM_CFLAGS) $(CHECK_CFLAGS)
# -no-install: real binaries with the build tree's library path built in, no
# libtool wrapper scripts (which an unprivileged pass could not relink)
TESTFLAGS_LD = $(AM_LDFLAGS) -no-install

check_LTLIBRARIES = tests/libtestutil.la
tests_libtestutil_la_SOURCES = tests/testutil.c tests/testutil.h
tests_libtestutil_la_CFLAGS = $(TESTFLAGS_CC)

# unit: pure code, internals linked statically from the convenience library
check_PROGRAMS += tests/check_conf tests/check_spec
tests_check_conf_SOURCES = tests/check_conf.c
tests_check_conf_CFLAGS = $(TESTFLAGS_CC)
tests_check_conf_LDFLAGS = $(TESTFLAGS_LD)
tests_check_conf_LDADD = tests/libtestutil.la libsandbox/libsandbox-core.la $(CHECK_LIBS)

tests_check_spec_SOURCES = tests/check_spec.c
tests_check_spec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime
tests_check_spec_CFLAGS = $(TESTFLAGS_CC)
tests_check_spec_LDFLAGS = $(TESTFLAGS_LD)
tests_check_spec_LDADD = tests/libtestutil.la runtime/libsbxruntime.la \
	libsandbox/libsandbox-core.la $(CHECK_LIBS)

# live: real sandboxes through the public API of the shared library
LIVE_TESTS = tests/check_spawn tests/check_ns tests/check_limits
check_PROGRAMS += $(LIVE_TESTS) tests/probe
tests_check_spawn_SOURCES = tests/check_spawn.c
tests_check_spawn_CFLAGS = $(TESTFLAGS_CC)
tests_check_spawn_LDFLAGS = $(TESTFLAGS_LD)
tests_check_spawn_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS) -lpthread

tests_check_limits_SOURCES = tests/check_limits.c
tests_check_limits_CFLAGS = $(TESTFLAGS_CC)
tests_check_limits_LDFLAGS = $(TESTFLAGS_LD)
tests_check_limits_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS)

tests_check_ns_SOURCES = tests/check_ns.c
tests_check_ns_CFLAGS = $(TESTFLAGS_CC)
tests_check_ns_LDFLAGS = $(TESTFLAGS_LD)
tests_check_ns_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS)

# The probe is the workload inside sandboxes, not code under test: never
# instrumented (ASan reserves terabytes of address space, which the tests'
# RLIMIT_AS backstops forbid, and would distort memory figures).
tests_probe_SOURCES = tests/probe.c
tests_probe_CFLAGS = $(WARN_CFLAGS) $(HARDEN_CFLAGS)
tests_probe_LDFLAGS = $(HARDEN_LDFLAGS)

dist_check_SCRIPTS = tests/cli.sh tests/unpriv.sh tests/lib.sh

TESTS += tests/check_conf tests/check_spec $(LIVE_TESTS) tests/cli.sh tests/unpriv.sh

AM_TESTS_ENVIRONMENT = \
	SBX_PROBE='$(abs_top_builddir)/tests/probe'; export SBX_PROBE; \
	SBX_SANDBOXD='$(abs_top_builddir)/sandboxd'; export SBX_SANDBOXD; \
	SBX_SRCDIR='$(abs_top_srcdir)'; export SBX_SRCDIR; \
	SBX_BUILDDIR='$(abs_top_builddir)'; export SBX_BUILDDIR; \
	SBX_LIVE_TESTS='$(LIVE_TESTS) tests/cli.sh'; export SBX_LIVE_TESTS; \
	SBX_GC_LOCK='$(abs_top_builddir)/tests/gc.lock'; export SBX_GC_LOCK; \
	CK_DEFAULT_TIMEOUT=60; export CK_DEFAULT_TIMEOUT;

CLEANFILES += tests/gc.lock
