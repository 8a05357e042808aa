/* The vm backend's part of a spec: sandbox.vm, and what it takes from the
 * rest (process.args, env, cwd, root.path, sandbox.limits.wall_time_ms).
 * Everything else a spec can ask for is refused under the vm backend until
 * it is honoured there: never silently weaker. */
#ifndef SBX_VMSPEC_H
#define SBX_VMSPEC_H

#include <stdint.h>

#include "json.h"

struct spec_vm {
	char *kernel;		  /* sandbox.vm.kernel, bundle-relative resolved; NULL: default */
	unsigned memory_mb;	  /* 0: the VMM's default */
	uint64_t boot_timeout_ms; /* 0: the default */
	char *root;		  /* root.path resolved, or NULL */
	char **argv, **env;	  /* NULL-terminated; env NULL when absent */
	char *cwd;		  /* or NULL */
	uint64_t wall_time_ms;
	uint32_t uid, gid; /* process.user: who the job runs as in the guest */
};

/* Called once the spec has parsed: fills *out (allocated) when the backend
 * is "vm", else leaves it NULL. */
int vmspec_load(struct ctx *c, const json_t *root, struct spec_vm **out);
void vmspec_free(struct spec_vm *v);

#endif
