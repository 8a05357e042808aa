/* Spares: a configuration's next cgroups, made ahead of time with a helper
 * process already inside them, so that the next sandbox is born there
 * instead of being moved in (see spare.c). */
#ifndef SBX_SPARE_H
#define SBX_SPARE_H

#include <linux/sched.h>
#include <stdbool.h>

#include "cgroup.h"
#include "conf.h"
#include "plan.h"

struct spare;

/* Makes a spare for cfg's next sandbox if its cgroups need cgroup v1 (on
 * v2 a sandbox is born in its cgroup anyway) and none is there yet. Best
 * effort: a spare that cannot be made only costs the next spawn time. */
void spare_arm(struct sbx_config *cfg, const struct cg_context *ctx);

/* Takes cfg's spare if it was made for what cfg and ctx now ask, waiting
 * for its helper to be in its cgroups; NULL if there is none that fits (a
 * stale one is destroyed). The cgroups move into *cs. */
struct spare *spare_take(struct sbx_config *cfg, const struct cg_context *ctx,
			 struct cgroup_set *cs, unsigned *skipped);

/* Whether the child must wait for spare_settle() before it runs the program
 * (the helper's place in a pids limit is given back first). */
bool spare_needs_settle(const struct spare *sp);

/* The helper clones the sandbox with `args` (CLONE_PARENT added: the child
 * is ours) and `plan`, and exits. The child's pid, or -errno. */
long spare_launch(struct spare *sp, struct clone_args *args, struct plan *plan);

/* After the launch: the limits as asked (a pids limit counted the helper). */
int spare_settle(struct spare *sp, struct cgroup_set *cs, sbx_error *err);

/* Releases what is left of a spare: its helper killed and reaped if still
 * there, its cgroups removed unless they were taken. */
void spare_free(struct spare *sp);

#endif
