/* Mount steps inside the sandbox's root, through descriptors (child side). */
#ifndef SBX_INROOT_H
#define SBX_INROOT_H

#include "plan.h"

/* Applies one in-root step (MOP_ROOT and after); *root is the root's
 * descriptor, set by MOP_ROOT. Returns 0, or -1 with errno set. */
int inroot_apply(const struct mount_op *op, int *root);

#endif
