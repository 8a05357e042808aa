# cli: the sandboxd command. Statically linked (static-pie) when possible,
# since its start-up is part of every sandbox's start-up.
bin_PROGRAMS += sandboxd
sandboxd_SOURCES = cli/cli.h cli/main.c cli/run.c cli/gc.c cli/policy.c cli/policies.c \
	cli/features.c cli/check.c cli/oci.c
sandboxd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime \
	-DSBX_POLICY_DIR='"$(pkgdatadir)/policies"' \
	-DSBX_VM_AGENT='"$(pkglibexecdir)/sbx-vm-agent"' -DSBX_VM_KERNEL='"$(pkgdatadir)/vmlinuz"'
if STATIC_CLI
sandboxd_LDADD = runtime/libsbxruntime.la runtime/libsbxvm.la libsandbox/libsandbox-core.la $(CLI_STATIC_LIBS)
sandboxd_LDFLAGS = $(AM_LDFLAGS) -static-pie
else
sandboxd_LDADD = runtime/libsbxruntime.la runtime/libsbxvm.la libsandbox/libsandbox-core.la
endif
