# runtime: specs -> libsandbox configurations (Jansson lives only here).
noinst_LTLIBRARIES += runtime/libsbxruntime.la
runtime_libsbxruntime_la_SOURCES = runtime/spec.c runtime/spec.h runtime/json.c runtime/json.h \
	runtime/resources.c runtime/resources.h \
	runtime/report.c runtime/report.h \
	runtime/ocipolicy.c runtime/ocipolicy.h \
	runtime/grants.c runtime/grants.h \
	runtime/filesystem.c runtime/filesystem.h \
	runtime/container.c runtime/container.h \
	runtime/hooks.c runtime/hooks.h \
	runtime/privileges.c runtime/privileges.h \
	runtime/vmspec.c runtime/vmspec.h
runtime_libsbxruntime_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
runtime_libsbxruntime_la_LIBADD = $(JANSSON_LIBS)

# The KVM microVM backend's VMM (runtime/vm/): no third-party library.
noinst_LTLIBRARIES += runtime/libsbxvm.la
runtime_libsbxvm_la_SOURCES = runtime/vm/vm.h runtime/vm/vmm.c \
	runtime/vm/guestmem.c runtime/vm/guestmem.h runtime/vm/bus.c runtime/vm/bus.h \
	runtime/vm/uart.c runtime/vm/uart.h runtime/vm/rtc.c runtime/vm/rtc.h runtime/vm/i8042.c runtime/vm/i8042.h \
	runtime/vm/initramfs.c runtime/vm/initramfs.h runtime/vm/host.c runtime/vm/host.h \
	runtime/vm/job.c runtime/vm/job.h runtime/vm/jail.c runtime/vm/jail.h \
	runtime/vm/x86/boot.c runtime/vm/x86/boot.h

# The guest agent, init of a microVM's initramfs (runtime/vm/agent/): static,
# since the initramfs holds no libc, and never instrumented (it runs in the
# guest, where no sanitizer runtime is). Installed where sandboxd looks for it.
pkglibexec_PROGRAMS = runtime/vm/agent/sbx-vm-agent
runtime_vm_agent_sbx_vm_agent_SOURCES = runtime/vm/agent/agent.c
runtime_vm_agent_sbx_vm_agent_CFLAGS = $(WARN_CFLAGS) $(HARDEN_CFLAGS)
runtime_vm_agent_sbx_vm_agent_LDFLAGS = -all-static
