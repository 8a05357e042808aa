/* sandbox.grants and sandbox.capability_mode (grants.c). */
#ifndef SBX_GRANTS_H
#define SBX_GRANTS_H

#include "json.h"

/* sandbox.grants: [{"fd": N, "path": P or "from_fd": M, "rights": R}...] */
int grants_parse(struct ctx *c, const char *path, const json_t *v);

/* sandbox.capability_mode: true, false, or {"runtime": [...], "need": [...]} */
int grants_parse_capmode(struct ctx *c, const char *path, const json_t *v);

#endif
