/* A running (or ended, not yet freed) sandbox and its supervision state. */
#ifndef SBX_PROC_H
#define SBX_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "sandbox.h"

struct sbx_proc {
	pid_t pid;
	int pidfd;
	int stdio[3];			    /* the caller's pipe ends, or -1 */
	int relay[3];			    /* our read ends of SBX_STDIO_RELAY pipes, or -1 */
	int relay_to[3];		    /* where their data goes (owned duplicates), or -1 */
	int notify_fd;			    /* the seccomp listener, or -1 */
	sbx_chan *chans[CONF_CHANNELS_MAX]; /* our ends of sbx_config_add_channel() */
	int chan_target[CONF_CHANNELS_MAX];
	size_t n_chans;
	bool filtered;	     /* runs under a seccomp filter: SIGSYS is its verdict */
	bool helper_counted; /* a spare's helper was in its v1 pids cgroup */
	uint64_t start_us;   /* CLOCK_MONOTONIC at the start of sbx_spawn */
	bool pidns;
	struct cgroup_set cg;
	unsigned skipped;	   /* best-effort limits not applied */
	uint64_t wall_deadline_us; /* 0: none */
	uint64_t cpu_limit_us;	   /* 0: none */
	unsigned cpus;		   /* online CPUs, for how fast CPU time can go */
	uint64_t output_cap;	   /* 0: none */
	uint64_t output_bytes;
	bool oom_group_v1; /* v1 has no memory.oom.group: the supervisor ends it */
	int killed_for;	   /* the SBX_STATUS_* of a limit we killed it for, or 0 */
	bool reaped;	   /* waitid done */
	bool done;	   /* result final, cgroups removed */
	sbx_result result;
};

/* Blocks until the first process has exited, then reaps it; fills the
 * exit status and rusage fields of p->result. */
int proc_reap(struct sbx_proc *p, sbx_error *err);

/* Ends the sandbox: every process in it, through its cgroup when it has one
 * and its first process's pidfd. */
void proc_kill_all(struct sbx_proc *p);

/* After the first process is reaped: everything left is killed, the relays
 * drained, the whole-sandbox figures read, the cgroups removed, the verdict
 * decided. */
void proc_finish(struct sbx_proc *p);

#endif
