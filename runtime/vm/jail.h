/* The VMM in a jail of its own (Firecracker's jailer, kvmtool's sandbox):
 * a libsandbox worker process with new namespaces, no capabilities, its
 * own cgroup with the limits given, Landlock with no paths at all, and from
 * the guest's first instruction on a seccomp allowlist
 * (policies/vmm.policy). /dev/kvm, the kernel, the initramfs and the
 * UARTs' fds are opened by the caller and handed in; nothing else is. A
 * guest that takes the VMM over holds that process and nothing more. */
#ifndef SBX_VM_JAIL_H
#define SBX_VM_JAIL_H

#include "sandbox.h"
#include "vm.h"

struct vm_jail {
	const sbx_policy *policy; /* the run loop's allowlist: required */
	sbx_limits limits;	  /* the VMM process's cgroup (size set by the caller) */
	/* or NULL: runs in the jail just before the guest's first
	 * instruction, as a VMM a guest has taken over would (tests) */
	void (*after_jail)(void *arg);
	void *after_jail_arg;
};

/* vm_run() in a jailed process; the caller waits. res as vm_run's, and
 * with res->end VM_END_VMM_KILLED (the process died: a limit of its
 * cgroup, or its policy) *vmm says how: status (memory-limit,
 * cpu-time-limit, wall-time-limit, policy-kill, signaled) and signal.
 * *vmm also has the process's CPU time and peak memory. vmm->size must be
 * set. Errors: those of vm_run() (the VM could not be made, with the
 * jail's message), EINVAL (no policy), and those of sbx_spawn(). */
int vm_run_jailed(const struct vm_options *o, const struct vm_jail *j, struct vm_result *res,
		  sbx_result *vmm, sbx_error *err);

#endif
