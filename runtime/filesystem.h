/* The spec's file system: root, mounts, linux.maskedPaths and
 * linux.readonlyPaths. */
#ifndef SBX_FILESYSTEM_H
#define SBX_FILESYSTEM_H

#include "json.h"

int filesystem_parse(struct ctx *c, const json_t *root);

#endif
