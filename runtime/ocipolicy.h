/* Seccomp from a spec: OCI linux.seccomp, or sandbox.policy. */
#ifndef SBX_OCIPOLICY_H
#define SBX_OCIPOLICY_H

#include <jansson.h>

#include "json.h"

/* linux.seccomp: translated to the policy language, compiled, set on c->cfg. */
int ocipolicy_parse(struct ctx *c, const json_t *seccomp);

/* sandbox.policy (the value `v` at JSON path `path`): a file relative to the
 * spec, or a shipped policy by name. */
int ocipolicy_load(struct ctx *c, const char *path, const json_t *v);

#endif
