# libsandbox: the mechanisms. Built once as a PIC convenience library that
# both the shared/static libsandbox and the statically linked CLI take.
noinst_LTLIBRARIES += libsandbox/libsandbox-core.la
libsandbox_libsandbox_core_la_SOURCES = \
	libsandbox/sandbox.h \
	libsandbox/util.h \
	libsandbox/sys.h \
	libsandbox/error.c libsandbox/error.h \
	libsandbox/conf.c libsandbox/conf.h \
	libsandbox/plan.h \
	libsandbox/ns.c libsandbox/ns.h \
	libsandbox/mount.c libsandbox/mount.h \
	libsandbox/mountconf.c \
	libsandbox/inroot.c libsandbox/inroot.h \
	libsandbox/fds.c libsandbox/fds.h \
	libsandbox/caps.c libsandbox/caps.h \
	libsandbox/child.c \
	libsandbox/spawn.c libsandbox/spawn.h \
	libsandbox/proc.c libsandbox/proc.h \
	libsandbox/supervise.c \
	libsandbox/cgroup.c libsandbox/cgroup.h \
	libsandbox/spare.c libsandbox/spare.h \
	libsandbox/rights.c libsandbox/rights.h \
	libsandbox/chan.c libsandbox/chan.h \
	libsandbox/capmode.c libsandbox/capmode.h \
	libsandbox/broker.c \
	libsandbox/devices.c libsandbox/devices.h \
	libsandbox/features.c \
	libsandbox/policy.c libsandbox/policy.h libsandbox/policy_consts.c \
	libsandbox/filter.c libsandbox/filter.h \
	libsandbox/bpfcompile.c libsandbox/bpfcompile.h \
	libsandbox/bpfcache.c libsandbox/bpfcache.h \
	libsandbox/draft.c \
	libsandbox/bpfsim.c libsandbox/bpfsim.h \
	libsandbox/sha256.c libsandbox/sha256.h
nodist_libsandbox_libsandbox_core_la_SOURCES = libsandbox/catalog-data.c
libsandbox_libsandbox_core_la_CPPFLAGS = $(AM_CPPFLAGS) -DSBX_POLICY_DIR='"$(pkgdatadir)/policies"'
libsandbox_libsandbox_core_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	$(SECCOMP_CFLAGS) $(CAP_CFLAGS) $(CGROUP_CFLAGS) $(BPF_CFLAGS)
libsandbox_libsandbox_core_la_LIBADD = $(SECCOMP_LIBS) $(CAP_LIBS) $(CGROUP_LIBS) $(BPF_LIBS)

lib_LTLIBRARIES += libsandbox/libsandbox.la
libsandbox_libsandbox_la_SOURCES =
libsandbox_libsandbox_la_LIBADD = libsandbox/libsandbox-core.la
libsandbox_libsandbox_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(LIBSANDBOX_LT_VERSION) \
	-Wl,--version-script=$(srcdir)/libsandbox/libsandbox.sym -Wl,--no-undefined
EXTRA_libsandbox_libsandbox_la_DEPENDENCIES = libsandbox/libsandbox.sym
EXTRA_DIST += libsandbox/libsandbox.sym

include_HEADERS += libsandbox/sandbox.h
pkgconfig_DATA += libsandbox/libsandbox.pc
DISTCLEANFILES += libsandbox/libsandbox.pc

# The syscall catalog is built into the library, parsed at build time by
# the library's own parser: a policy compiles without any file beside it,
# nothing installed can change what @groups mean, and loading a policy does
# not parse 400 lines first.
noinst_PROGRAMS += libsandbox/catalog-gen
libsandbox_catalog_gen_SOURCES = libsandbox/catalog-gen.c libsandbox/policy.c \
	libsandbox/policy_consts.c libsandbox/error.c
BUILT_SOURCES += libsandbox/catalog-data.c
CLEANFILES += libsandbox/catalog-data.c
libsandbox/catalog-data.c: libsandbox/catalog-gen$(EXEEXT) $(srcdir)/policies/syscalls.groups
	$(AM_V_GEN)libsandbox/catalog-gen$(EXEEXT) $(srcdir)/policies/syscalls.groups >$@.tmp && \
		mv $@.tmp $@

policiesdir = $(pkgdatadir)/policies
dist_policies_DATA = policies/syscalls.groups policies/strict.policy \
	policies/container-default.policy policies/autograder.policy \
	policies/video-decoder.policy policies/renderer.policy policies/vmm.policy
