/* The sandbox's cgroups: one per hierarchy it needs, made beneath the
 * caller's own cgroup there, removed when the sandbox ends. */
#ifndef SBX_CGROUP_H
#define SBX_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"

/* Mechanisms a sandbox may need, and where each came from. */
enum cg_mech {
	CGM_MEMORY,
	CGM_PIDS,
	CGM_CPU, /* cpu.max / cpu.weight */
	CGM_CPUSET,
	CGM_IO,
	CGM_CPU_TIME, /* CPU accounting: the v2 core's cpu.stat, or v1 cpuacct */
	CGM_KILL,     /* the v2 core's cgroup.kill, or the v1 freezer */
	CGM_DEVICES,  /* eBPF on v2, the devices controller on v1 */
	CGM_COUNT,
};

enum cg_where { CG_NONE = 0, CG_V1, CG_V2 };

#define CG_V1_MAX 8

struct cg_v1 {
	char controllers[32]; /* "memory", or "cpu,cpuacct" when mounted together */
	char *path;	      /* /sys/fs/cgroup/memory/<own>/<name> */
	int fd;		      /* O_PATH|O_DIRECTORY */
	void *lcg;	      /* libcgroup's struct cgroup */
};

struct cgroup_set {
	char name[208]; /* sbx-<owner pid>-<owner start time>-<random>, or the caller's */
	int v2_parent_fd;
	int v2_fd; /* for CLONE_INTO_CGROUP, or -1 */
	char *v2_path;
	struct cg_v1 v1[CG_V1_MAX];
	size_t n_v1;
	enum cg_where where[CGM_COUNT];
};

/* Makes the sandbox's cgroups for what cfg asks, and writes its limits.
 * *skipped gets the best-effort limits that could not be had; a limit that
 * is not best-effort and cannot be had is an error naming it. With nothing
 * to ask a cgroup for, makes none (cs->v2_fd stays -1, no v1 dirs).
 * ctx->pidns: the sandbox has its own pid namespace, so the death of its
 * first process ends the rest without a cgroup. ctx->devices_why: why the
 * device filter is a must even with no limits (failing to get one is then
 * an error saying so), or NULL. */
struct cg_context {
	bool pidns;
	const char *devices_why;
};
int cgroup_prepare(const struct sbx_config *cfg, const struct cg_context *ctx,
		   struct cgroup_set *cs, unsigned *skipped, sbx_error *err);

/* True if cgroup_prepare made any cgroup. */
bool cgroup_any(const struct cgroup_set *cs);

/* Moves pid into the v1 cgroups (the v2 one it was born in). */
int cgroup_attach_v1(struct cgroup_set *cs, pid_t pid, sbx_error *err);

/* Rewrites the v1 pids limit (a spare's helper takes a place until it
 * exits). */
int cgroup_set_pids_max(struct cgroup_set *cs, uint64_t max, sbx_error *err);

/* Kills every process in the sandbox's cgroups. 0, or -errno. */
int cgroup_kill(struct cgroup_set *cs);

/* Writes the sandbox's cgroup directories into out, one a line; then lets
 * go of them without removing anything: they are the caller's now
 * (sbx_proc_detach). Refused for made-up names, which sbx_gc would take. */
int cgroup_detach(struct cgroup_set *cs, char *out, size_t len, sbx_error *err);

/* CPU time used by every process so far. -ENOENT without CPU accounting. */
int cgroup_cpu_usage(const struct cgroup_set *cs, uint64_t *user_us, uint64_t *sys_us);

/* Fills the whole-sandbox figures of res (memory peak, OOM kills, pids
 * peak, CPU) and res->measured, res->cgroups. */
void cgroup_stats(const struct cgroup_set *cs, sbx_result *res);

/* True once no process is left in the sandbox's cgroups. */
bool cgroup_empty(const struct cgroup_set *cs);

/* Kills what is left, waits until the cgroups are empty, removes them and
 * releases cs. Safe on a set that made nothing. */
int cgroup_destroy(struct cgroup_set *cs, sbx_error *err);

void cgroup_set_init(struct cgroup_set *cs);

#endif
