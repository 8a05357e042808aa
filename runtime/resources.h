/* Limits from a spec: linux.resources, process.rlimits, sandbox.limits. */
#ifndef SBX_RESOURCES_H
#define SBX_RESOURCES_H

#include <jansson.h>

#include "json.h"

/* linux.resources into c->limits and c->cfg (io, devices). */
int resources_parse_linux(struct ctx *c, const json_t *linux_obj);

/* process.rlimits into c->cfg. */
int resources_parse_rlimits(struct ctx *c, const json_t *process);

/* sandbox.limits (an object) into c->limits. */
int resources_parse_sandbox(struct ctx *c, const json_t *limits);

/* "memory", "cpu-time"...: the spec's name of one SBX_LIMIT_* bit. */
const char *resources_limit_name(unsigned bit);

#endif
