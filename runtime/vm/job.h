/* One job in a microVM: an initramfs made of the rootfs (or of the program
 * alone), the guest agent as init and the job's argv, env and cwd; the VM
 * booted; the agent's report turned into the same result the namespace
 * backend gives. */
#ifndef SBX_VM_JOB_H
#define SBX_VM_JOB_H

#include <stdint.h>

#include "sandbox.h"

struct vm_job {
	const char *kernel; /* a bzImage */
	const char *agent;  /* the static agent binary, packed as /init */
	const char *root;   /* a host directory packed as the guest's /, or NULL:
			       then argv[0] (a static program, or a script and its
			       static interpreter) is packed alone */
	const char *const *argv;
	const char *const *env;	      /* NULL: the agent's default PATH, HOME, TERM */
	const char *cwd;	      /* NULL: / */
	uint32_t uid, gid;	      /* the job's ids in the guest (0: root, who can forge
					 the agent's report: see README) */
	unsigned memory_mb;	      /* guest RAM; 0: the memory limit less 32 MiB for the
					 VMM, or 256 */
	uint64_t wall_time_ms;	      /* 0: none */
	uint64_t boot_timeout_ms;     /* until the agent is up; 0: 60 s */
	int out_fd, err_fd;	      /* the job's stdout and stderr */
	int console_fd;		      /* the guest kernel's console, or -1 */
	const sbx_policy *vmm_policy; /* the VMM's jail (policies/vmm.policy): required */
	/* held by the VMM's cgroup: memory_bytes (0: guest RAM and 64 MiB,
	 * best effort), cpu_time_ms (the guest's boot counts too), the CPU
	 * quota, weight and set; the rest is ignored */
	sbx_limits limits;
};

/* Runs the job in a jailed VMM (jail.h). The result's status, exit code or
 * signal, CPU times (as the agent measured them in the guest) and wall time
 * are filled; peak memory is the VMM process's (guest RAM it touched and
 * its own), from its cgroup; the rest is left 0 (not measured). A VMM
 * killed for its memory or CPU limit is that limit's verdict.
 * Errors: the job could not be packed or the VM made (SBX_STAGE_PREPARE),
 * the guest never reached the agent or ended without a report
 * (SBX_STAGE_SETUP, with the end of the console), the program could not be
 * executed in the guest (SBX_STAGE_EXEC, with its errno). */
int vm_job_run(const struct vm_job *j, sbx_result *res, sbx_error *err);

#endif
