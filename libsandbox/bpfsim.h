/* Running a seccomp BPF program in user space: what `sandboxd policy
 * explain` answers with, and how the tests check shipped policies by table
 * without installing anything. */
#ifndef SBX_BPFSIM_H
#define SBX_BPFSIM_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* The SECCOMP_RET_* value the program returns for `d`, or
 * SECCOMP_RET_KILL_PROCESS with *bad set for a malformed program. */
uint32_t bpfsim_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d,
		    int *bad);

#endif
