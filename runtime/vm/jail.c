/* The VMM as a jailed libsandbox worker. The order matters: the caller
 * opens what the VM needs; the worker starts in its namespaces and cgroup
 * with those fds alone and Landlock shut on every path; it makes the VM
 * and loads the guest; then, before the guest's first instruction, it
 * takes its seccomp allowlist, the narrowest of the three, which holds the
 * exit loop and the teardown and nothing of the set-up. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "jail.h"
#include "util.h"

#define PREP(err, e, ...) err_set(err, SBX_STAGE_PREPARE, e, __VA_ARGS__)

/* where each fd lands in the jail */
enum { FD_KVM = 3, FD_KERNEL, FD_INITRD, FD_SERIAL_OUT, FD_SERIAL_IN = FD_SERIAL_OUT + VM_UARTS };

/* Written by the jailed process, read by the caller after it ended: a
 * shared mapping is the one memory clone3 leaves shared. */
struct shared {
	struct vm_options o;
	struct vm_result res;
	sbx_error err;
	int ret;
	const struct vm_jail *j;
};

static int enter(void *arg, sbx_error *err)
{
	struct shared *s = arg;
	int r = sbx_enter(s->j->policy, err);
	if (r == 0 && s->j->after_jail)
		s->j->after_jail(s->j->after_jail_arg);
	return r;
}

static int vmm_main(void *arg)
{
	struct shared *s = arg;
	s->ret = vm_run(&s->o, &s->res, &s->err);
	return s->ret < 0 ? 1 : 0;
}

/* A copy of the caller's fd, or path opened now; -1 with errno (ENOENT
 * with neither). */
static int open_given(int fd, const char *path, int flags)
{
	if (fd >= 0)
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (!path) {
		errno = ENOENT;
		return -1;
	}
	return open(path, flags | O_CLOEXEC);
}

static int configure(sbx_config *cfg, struct shared *s, const struct vm_options *o, int kvm,
		     int kernel, int initrd, sbx_error *err)
{
	int r = sbx_config_set_entry(cfg, vmm_main, s, err);
	for (int i = 0; r == 0 && i < 3; i++)
		r = sbx_config_set_stdio(cfg, i, SBX_STDIO_NULL, -1, err);
	if (r == 0)
		r = sbx_config_set_limits(cfg, &s->j->limits, err);
	/* Landlock with no rule: no path at all, whatever the mount
	 * namespace shows; as much of capability mode as the kernel has */
	int abi = sbx_landlock_abi();
	static const char *const no_paths[] = {NULL};
	unsigned need = SBX_CAP_NEED_FS | (abi >= 4 ? SBX_CAP_NEED_NET : 0) |
			(abi >= 6 ? SBX_CAP_NEED_SCOPE : 0);
	if (r == 0 && abi >= 1)
		r = sbx_config_set_capability_mode(cfg, 1, no_paths, need, err);
	if (r == 0)
		r = sbx_config_grant_fd(cfg, kvm, FD_KVM, err);
	s->o.kvm_fd = FD_KVM;
	if (r == 0)
		r = sbx_config_grant_fd(cfg, kernel, FD_KERNEL, err);
	s->o.kernel_fd = FD_KERNEL;
	if (r == 0 && initrd >= 0)
		r = sbx_config_grant_fd(cfg, initrd, FD_INITRD, err);
	s->o.initrd_fd = initrd >= 0 ? FD_INITRD : -1;
	for (int i = 0; r == 0 && i < VM_UARTS; i++) {
		if (o->serial_out[i] >= 0)
			r = sbx_config_grant_fd(cfg, o->serial_out[i], FD_SERIAL_OUT + i, err);
		s->o.serial_out[i] = o->serial_out[i] >= 0 ? FD_SERIAL_OUT + i : -1;
		if (r == 0 && o->serial_in[i] >= 0)
			r = sbx_config_grant_fd(cfg, o->serial_in[i], FD_SERIAL_IN + i, err);
		s->o.serial_in[i] = o->serial_in[i] >= 0 ? FD_SERIAL_IN + i : -1;
	}
	s->o.before_run = enter;
	s->o.before_run_arg = s;
	return r;
}

static int run(struct shared *s, const struct vm_options *o, struct vm_result *res, sbx_result *vmm,
	       sbx_error *err)
{
	_cleanup_close_ int kvm = open_given(o->kvm_fd, "/dev/kvm", O_RDWR);
	if (kvm < 0)
		return PREP(err, errno, "vm: /dev/kvm");
	if (!o->kernel && o->kernel_fd < 0)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL, "vm: no kernel given");
	_cleanup_close_ int kernel = open_given(o->kernel_fd, o->kernel, O_RDONLY);
	if (kernel < 0)
		return PREP(err, errno, "vm: kernel %s", o->kernel ? o->kernel : "(fd)");
	_cleanup_close_ int initrd = -1;
	if ((o->initrd || o->initrd_fd >= 0) &&
	    (initrd = open_given(o->initrd_fd, o->initrd, O_RDONLY)) < 0)
		return PREP(err, errno, "vm: initrd %s", o->initrd ? o->initrd : "(fd)");
	sbx_config *cfg = sbx_config_new();
	if (!cfg)
		return PREP(err, ENOMEM, "vm: the VMM's jail");
	int r = configure(cfg, s, o, kvm, kernel, initrd, err);
	sbx_proc *proc = NULL;
	if (r == 0)
		r = sbx_spawn(cfg, &proc, err);
	sbx_config_free(cfg);
	while (r == 0 && (r = sbx_wait(proc, -1, vmm, err)) == -EINTR)
		;
	sbx_proc_free(proc);
	if (r < 0)
		return r;
	/* the VMM's one filter that kills is its own policy (sbx_enter), which
	 * sbx_wait does not know of */
	if (vmm->status == SBX_STATUS_SIGNALED && vmm->signal == SIGSYS)
		vmm->status = SBX_STATUS_POLICY_KILL;
	if (vmm->status == SBX_STATUS_OK || vmm->status == SBX_STATUS_NONZERO_EXIT) {
		if (s->ret < 0) {
			if (err)
				*err = s->err;
			return s->ret;
		}
		if (vmm->exit_code == 0) {
			*res = s->res;
			return 0;
		}
	}
	/* killed, or an exit no VMM makes: the process died mid-run */
	res->end = VM_END_VMM_KILLED;
	res->wall_us = vmm->wall_us;
	snprintf(res->detail, sizeof(res->detail), "the VMM process: %s (%s %d)",
		 sbx_status_name(vmm->status), vmm->signal ? "signal" : "exit code",
		 vmm->signal ? vmm->signal : vmm->exit_code);
	return 0;
}

int vm_run_jailed(const struct vm_options *o, const struct vm_jail *j, struct vm_result *res,
		  sbx_result *vmm, sbx_error *err)
{
	memset(res, 0, sizeof(*res));
	if (!j->policy)
		return err_setx(err, SBX_STAGE_PREPARE, EINVAL,
				"vm: the VMM's jail needs its policy (vmm.policy)");
	struct shared *s =
		mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return PREP(err, errno, "vm: the VMM's jail: mmap");
	s->o = *o;
	s->ret = -EIO;
	s->j = j;
	int r = run(s, o, res, vmm, err);
	munmap(s, sizeof(*s));
	return r;
}
