/* OCI hooks: programs the runtime runs at points of a container's life,
 * with its state on their standard input. */
#ifndef SBX_HOOKS_H
#define SBX_HOOKS_H

#include <sys/types.h>

#include "json.h"

/* Checks the spec's "hooks" (paths absolute, args and env string arrays,
 * timeout positive) and keeps them as JSON text in *out (NULL without). */
int hooks_parse(struct ctx *c, const json_t *root, char **out);

/* Runs the hooks of `point` ("createRuntime", ...) in `hooks` (JSON text;
 * NULL: none), one after the other, each with `state` on its standard
 * input, inside the namespaces of `ns_pid` (0: ours), for at most its
 * timeout. The first that fails or times out stops the rest: -1 with a
 * message naming it in msg. */
int hooks_run(const char *hooks, const char *point, const char *state, pid_t ns_pid, char *msg,
	      size_t len);

#endif
