/* An OCI container's saved state (state.json in its state directory), and
 * the OCI state document that `sandboxd state` prints. */
#ifndef SBX_CONTAINER_H
#define SBX_CONTAINER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "sandbox.h"

#define CONTAINER_ID_MAX 200

struct container {
	char id[CONTAINER_ID_MAX + 1];
	char bundle[PATH_MAX];
	pid_t pid;		      /* the container's first process, host pid */
	unsigned long long pid_start; /* its start time (/proc/PID/stat), against reuse */
	char created[40];	      /* RFC 3339, UTC */
	bool started;		      /* `start` has run */
	char cgroups[4096];	      /* its cgroup directories, one a line */
	char *annotations;	      /* JSON object text, or NULL; owned */
	char *hooks;		      /* the spec's hooks, JSON text, or NULL; owned */
};

/* Writes state.json into the directory dirfd, atomically. */
int container_save(int dirfd, const struct container *c, sbx_error *err);

/* Reads state.json from dirfd into c (zeroed first). */
int container_load(int dirfd, struct container *c, sbx_error *err);

void container_free(struct container *c);

/* The OCI state JSON for c in `status` (malloc'd, or NULL). */
char *container_oci_state(const struct container *c, const char *status);

#endif
