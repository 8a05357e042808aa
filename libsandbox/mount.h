/* Mount table set-up: built in the parent, applied in the child. */
#ifndef SBX_MOUNT_H
#define SBX_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

struct mount_plan {
	struct mount_op *ops;
	size_t n;
	char **strings; /* owned; the ops point into them */
	size_t n_strings;
};

/* The sandbox's mount table. Without a root filesystem: the host root
 * read-only, fresh /proc (with a new pid namespace), fresh read-only /sys
 * (with a new network namespace), minimal /dev, private /tmp. With one: the
 * root filesystem and the default device nodes. Then the caller's mounts,
 * masked and read-only paths. `host_root_uid`: the sandbox may run as host
 * uid 0, so /proc entries that uid 0 could write by file permission alone
 * are made read-only. */
int mount_plan_build(struct mount_plan *mp, const struct sbx_config *cfg, unsigned ns, bool userns,
		     bool host_root_uid, sbx_error *err);

void mount_plan_free(struct mount_plan *mp);

/* Child side. Returns 0, or -errno with *failed set to the failing op. */
int mount_apply(const struct mount_op *ops, size_t n, size_t *failed);

#endif
