/* Whether this host's KVM can boot Linux guests: decided by the module
 * behind /dev/kvm. kvm_intel and kvm_amd virtualize the hardware and boot
 * stock kernels; kvm_pvm (pagetable-based virtual machines, this
 * development host's) runs guests in a paravirtual mode that only
 * freestanding or PVM-built kernels survive. */
#ifndef SBX_VM_HOST_H
#define SBX_VM_HOST_H

enum vm_linux { VM_LINUX_NO, VM_LINUX_YES, VM_LINUX_UNKNOWN };

struct vm_host {
	int kvm_api;	    /* KVM_GET_API_VERSION, or -errno opening /dev/kvm */
	const char *module; /* what provides /dev/kvm, or NULL */
	enum vm_linux linux_guests;
};

void vm_host_probe(struct vm_host *h);
const char *vm_linux_name(enum vm_linux l); /* "yes", "no", "unknown" */

#endif
