#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "host.h"

static const struct {
	const char *module;
	enum vm_linux linux_guests;
} kinds[] = {{"kvm_intel", VM_LINUX_YES}, {"kvm_amd", VM_LINUX_YES}, {"kvm_pvm", VM_LINUX_NO}};

void vm_host_probe(struct vm_host *h)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	h->kvm_api = kvm < 0 ? -errno : ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (kvm >= 0)
		close(kvm);
	h->module = NULL;
	/* without access to /dev/kvm, no guest of ours boots */
	h->linux_guests = h->kvm_api < 0 ? VM_LINUX_NO : VM_LINUX_UNKNOWN;
	for (size_t i = 0; h->kvm_api >= 0 && i < sizeof(kinds) / sizeof(*kinds); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/sys/module/%s", kinds[i].module);
		if (access(path, F_OK) == 0) {
			h->module = kinds[i].module;
			h->linux_guests = kinds[i].linux_guests;
		}
	}
}

const char *vm_linux_name(enum vm_linux l)
{
	return l == VM_LINUX_YES ? "yes" : l == VM_LINUX_NO ? "no" : "unknown";
}
