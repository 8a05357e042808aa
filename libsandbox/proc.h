/* A running (or exited, not yet freed) sandbox. */
#ifndef SBX_PROC_H
#define SBX_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox.h"

struct sbx_proc {
	pid_t pid;
	int pidfd;
	int stdio[3];	   /* the caller's pipe ends, or -1 */
	uint64_t start_us; /* CLOCK_MONOTONIC at the start of sbx_spawn */
	bool reaped;
	sbx_result result; /* valid once reaped */
};

/* Blocks until the process has exited, then reaps it; fills p->result. */
int proc_reap(struct sbx_proc *p, sbx_error *err);

#endif
