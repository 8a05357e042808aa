/* process.capabilities and process.noNewPrivileges (privileges.c). */
#ifndef SBX_PRIVILEGES_H
#define SBX_PRIVILEGES_H

#include "json.h"

int privileges_parse(struct ctx *c, const json_t *process);

#endif
