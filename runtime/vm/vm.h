/* The KVM microVM backend: a small VMM over /dev/kvm that boots a bzImage
 * through the x86-64 Linux boot protocol and runs it until it resets, stops
 * or runs out of time.
 *
 * Devices: four 8250 UARTs (COM1-COM4 at their PC ports and IRQs 4 and 3),
 * the i8042's reset line (the guest's way to end), the port 0x80 delay
 * port, the CMOS clock (the host's UTC time); the in-kernel PIC, IOAPIC,
 * LAPIC and PIT. Every other port or MMIO
 * access reads all ones and is counted. One vCPU, run on the calling
 * thread. */
#ifndef SBX_VM_H
#define SBX_VM_H

#include <stdint.h>

#include "sandbox.h"

#define VM_UARTS 4
#define VM_MEMORY_MB_DEFAULT 256

struct vm_options {
	const char *kernel; /* a bzImage with a 64-bit entry point */
	const char *initrd; /* or NULL */
	/* or, instead of opening /dev/kvm and those paths, these fds
	 * (borrowed; -1: open the path): a jailed VMM sees no file system */
	int kvm_fd, kernel_fd, initrd_fd;
	const char *cmdline;   /* or NULL */
	unsigned memory_mb;    /* 0: VM_MEMORY_MB_DEFAULT; at most 3072 (RAM ends below the 32-bit
				  hole) */
	uint64_t wall_time_ms; /* 0: none */
	/* 0: none; else the guest must send a byte on UART ready_uart within
	 * ready_ms, or the VM ends as VM_END_NOT_READY: a kernel that cannot
	 * boot here fails fast, with that said, instead of hanging; with it,
	 * wall_time_ms counts from that first byte, so the limit is the
	 * workload's, not the boot's */
	uint64_t ready_ms;
	unsigned ready_uart;
	/* COM1..COM4: what the guest transmits is written to serial_out[i],
	 * what it receives is read from serial_in[i]; -1: dropped / nothing.
	 * Borrowed. */
	int serial_out[VM_UARTS];
	int serial_in[VM_UARTS];
	/* or NULL; called once the VM is made and loaded, just before the
	 * guest's first instruction: where a VMM jails itself (jail.c). A
	 * negative return ends vm_run with that error. */
	int (*before_run)(void *arg, sbx_error *err);
	void *before_run_arg;
};

enum vm_end {
	VM_END_RESET,	   /* the guest pulsed the i8042 reset line: its way to end */
	VM_END_SHUTDOWN,   /* a triple fault: the guest crashed */
	VM_END_TIMEOUT,	   /* the wall-time limit */
	VM_END_ERROR,	   /* KVM could not go on (entry failure, internal error) */
	VM_END_NOT_READY,  /* no word on ready_uart within ready_ms */
	VM_END_VMM_KILLED, /* the jailed VMM process was killed (a limit of its
			      cgroup, its seccomp policy): vm_run_jailed() only */
};

struct vm_result {
	enum vm_end end;
	uint64_t wall_us;	 /* from KVM_CREATE_VM to the end */
	uint64_t setup_us;	 /* from KVM_CREATE_VM to the first KVM_RUN */
	uint64_t exits;		 /* exits to the VMM */
	uint64_t unclaimed_port; /* port accesses no device took */
	uint64_t unclaimed_mmio; /* MMIO accesses no device took */
	uint64_t last_unclaimed_port, last_unclaimed_mmio;
	uint64_t serial_bytes[VM_UARTS]; /* what the guest transmitted on each */
	char detail[256];		 /* why, for VM_END_SHUTDOWN and VM_END_ERROR */
};

/* Fills defaults into o: no limits, every UART dropped, no fds. */
void vm_options_init(struct vm_options *o);

/* Boots o->kernel and runs it to its end. A VM that ends in any way is a
 * success (see res->end); errors are for a VM that could not be made:
 * ENOENT (no /dev/kvm), ENOEXEC (the kernel image), EINVAL (options), or
 * what KVM answered. */
int vm_run(const struct vm_options *o, struct vm_result *res, sbx_error *err);

const char *vm_end_name(enum vm_end e);

#endif
