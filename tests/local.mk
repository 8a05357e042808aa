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
check_PROGRAMS += tests/check_conf tests/check_spec tests/check_policy
tests_check_conf_SOURCES = tests/check_conf.c
tests_check_conf_CFLAGS = $(TESTFLAGS_CC)
tests_check_conf_LDFLAGS = $(TESTFLAGS_LD)
tests_check_conf_LDADD = tests/libtestutil.la libsandbox/libsandbox-core.la $(CHECK_LIBS)

tests_check_policy_SOURCES = tests/check_policy.c
tests_check_policy_CFLAGS = $(TESTFLAGS_CC)
tests_check_policy_LDFLAGS = $(TESTFLAGS_LD)
tests_check_policy_LDADD = tests/libtestutil.la libsandbox/libsandbox-core.la $(CHECK_LIBS)

tests_check_spec_SOURCES = tests/check_spec.c
tests_check_spec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime
tests_check_spec_CFLAGS = $(TESTFLAGS_CC)
tests_check_spec_LDFLAGS = $(TESTFLAGS_LD)
tests_check_spec_LDADD = tests/libtestutil.la runtime/libsbxruntime.la \
	libsandbox/libsandbox-core.la $(CHECK_LIBS)

# live: real sandboxes through the public API of the shared library
LIVE_TESTS = tests/check_spawn tests/check_ns tests/check_limits tests/check_seccomp \
	tests/check_caps tests/check_rootfs
check_PROGRAMS += $(LIVE_TESTS) tests/probe
tests_check_spawn_SOURCES = tests/check_spawn.c
tests_check_spawn_CFLAGS = $(TESTFLAGS_CC)
tests_check_spawn_LDFLAGS = $(TESTFLAGS_LD)
tests_check_spawn_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS) -lpthread

tests_check_limits_SOURCES = tests/check_limits.c
tests_check_limits_CFLAGS = $(TESTFLAGS_CC)
tests_check_limits_LDFLAGS = $(TESTFLAGS_LD)
tests_check_limits_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS)

tests_check_seccomp_SOURCES = tests/check_seccomp.c
tests_check_seccomp_CFLAGS = $(TESTFLAGS_CC)
tests_check_seccomp_LDFLAGS = $(TESTFLAGS_LD)
tests_check_seccomp_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS) -lpthread

tests_check_caps_SOURCES = tests/check_caps.c
tests_check_caps_CFLAGS = $(TESTFLAGS_CC)
tests_check_caps_LDFLAGS = $(TESTFLAGS_LD)
tests_check_caps_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS) -lpthread

tests_check_rootfs_SOURCES = tests/check_rootfs.c
tests_check_rootfs_CFLAGS = $(TESTFLAGS_CC)
tests_check_rootfs_LDFLAGS = $(TESTFLAGS_LD)
tests_check_rootfs_LDADD = tests/libtestutil.la libsandbox/libsandbox.la $(CHECK_LIBS)

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

# the VMM with freestanding payloads (tests/vm/); needs /dev/kvm
check_PROGRAMS += tests/check_vm
tests_check_vm_SOURCES = tests/check_vm.c
tests_check_vm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime
tests_check_vm_CFLAGS = $(TESTFLAGS_CC)
tests_check_vm_LDFLAGS = $(TESTFLAGS_LD)
tests_check_vm_LDADD = tests/libtestutil.la runtime/libsbxvm.la libsandbox/libsandbox-core.la \
	$(CHECK_LIBS)
TESTS += tests/check_vm

# Booting a stock Linux kernel in the VMM (tests/vm-linux.sh): a driver for
# the VMM, and the initramfs's init. The init runs in the guest, static and
# never instrumented (like the probe).
check_PROGRAMS += tests/vmboot tests/vm/hello-init
tests_vmboot_SOURCES = tests/vmboot.c
tests_vmboot_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime
tests_vmboot_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_vmboot_LDADD = runtime/libsbxvm.la libsandbox/libsandbox-core.la
tests_vm_hello_init_SOURCES = tests/vm/hello-init.c
tests_vm_hello_init_CFLAGS = $(WARN_CFLAGS) $(HARDEN_CFLAGS)
tests_vm_hello_init_LDFLAGS = -all-static
TESTS += tests/vm-linux.sh

dist_check_SCRIPTS = tests/vm-linux.sh tests/cli.sh tests/policy.sh tests/oci.sh tests/podman.sh tests/unpriv.sh \
	tests/lib.sh

TESTS += tests/check_conf tests/check_spec tests/check_policy $(LIVE_TESTS) tests/cli.sh tests/policy.sh tests/oci.sh tests/podman.sh tests/unpriv.sh

AM_TESTS_ENVIRONMENT = \
	SBX_PROBE='$(abs_top_builddir)/tests/probe'; export SBX_PROBE; \
	SBX_SANDBOXD='$(abs_top_builddir)/sandboxd'; export SBX_SANDBOXD; \
	SBX_SRCDIR='$(abs_top_srcdir)'; export SBX_SRCDIR; \
	SBX_BUILDDIR='$(abs_top_builddir)'; export SBX_BUILDDIR; \
	SBX_LIVE_TESTS='$(LIVE_TESTS) tests/cli.sh tests/policy.sh tests/oci.sh $(EXAMPLE_TESTS)'; export SBX_LIVE_TESTS; \
	SBX_SANITIZERS='$(SANITIZERS)'; export SBX_SANITIZERS; \
	SBX_GC_LOCK='$(abs_top_builddir)/tests/gc.lock'; export SBX_GC_LOCK; \
	SANDBOXD_POLICY_DIR='$(abs_top_srcdir)/policies'; export SANDBOXD_POLICY_DIR; \
	SANDBOXD_CACHE_DIR=off; export SANDBOXD_CACHE_DIR; \
	SANDBOXD_VM_AGENT='$(abs_top_builddir)/runtime/vm/agent/sbx-vm-agent'; export SANDBOXD_VM_AGENT; \
	CK_DEFAULT_TIMEOUT=60; export CK_DEFAULT_TIMEOUT;

CLEANFILES += tests/gc.lock

# The kernel lane: these tests again on a pure cgroup v2 Linux with a
# working /dev/kvm (a Debian kernel under qemu; tests/kernel-lane/lane.sh).
# The renderer example needs a newer Landlock than Debian 12's kernel has.
KERNEL_LANE_TESTS = $(LIVE_TESTS) tests/check_vm tests/vm-linux.sh tests/cli.sh tests/policy.sh tests/oci.sh tests/unpriv.sh \
	examples/video-decoder/test.sh
EXTRA_DIST += tests/kernel-lane/lane.sh tests/kernel-lane/guest.sh tests/kernel-lane/init \
	tests/kernel-lane/run-test
dist_check_SCRIPTS += tests/kernel-lane/errors.sh
TESTS += tests/kernel-lane/errors.sh
check-kernel: all $(check_LTLIBRARIES) $(check_PROGRAMS)
	SBX_LANE_BUILD='$(abs_top_builddir)' SBX_LANE_TESTS='$(KERNEL_LANE_TESTS)' \
		$(SHELL) $(srcdir)/tests/kernel-lane/lane.sh
clean-local: clean-kernel-lane
clean-kernel-lane:
	rm -rf tests/kernel-lane.out
.PHONY: check-kernel clean-kernel-lane

# The policy parser under libFuzzer (clang; not part of make check, which
# runs with the configured compiler): `make fuzz-run FUZZ_SECONDS=60`.
FUZZ_SECONDS = 30
FUZZ_SRC = $(srcdir)/tests/fuzz_policy.c $(srcdir)/libsandbox/policy.c \
	$(srcdir)/libsandbox/policy_consts.c $(srcdir)/libsandbox/error.c
EXTRA_DIST += tests/fuzz_policy.c tests/fuzz_policy.dict
CLEANFILES += tests/fuzz_policy
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz-corpus
.PHONY: fuzz fuzz-run clean-fuzz
if HAVE_FUZZER
tests/fuzz_policy: $(FUZZ_SRC) libsandbox/catalog-data.c $(srcdir)/libsandbox/policy.h
	$(AM_V_CCLD)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I$(top_builddir) -I$(srcdir)/libsandbox \
		$(FUZZ_SRC) libsandbox/catalog-data.c -o $@
fuzz: tests/fuzz_policy
# seeds: every shipped policy and the catalog (first byte: which parser)
fuzz-run: tests/fuzz_policy
	$(AM_V_at)rm -rf tests/fuzz-corpus && $(MKDIR_P) tests/fuzz-corpus
	$(AM_V_at)for f in $(srcdir)/policies/*.policy; do \
		{ printf '\000'; cat "$$f"; } >tests/fuzz-corpus/$$(basename "$$f"); done; \
	{ printf '\001'; cat $(srcdir)/policies/syscalls.groups; } >tests/fuzz-corpus/groups
	tests/fuzz_policy -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-dict=$(srcdir)/tests/fuzz_policy.dict -print_final_stats=1 tests/fuzz-corpus
else
fuzz fuzz-run:
	@echo "fuzz: needs clang with libFuzzer (apt-get install clang libclang-rt-14-dev)" >&2; exit 1
endif
