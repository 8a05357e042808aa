/* The spec's file system: root, mounts, linux.maskedPaths and
 * linux.readonlyPaths. */
#ifndef SBX_FILESYSTEM_H
#define SBX_FILESYSTEM_H

#include "json.h"

int filesystem_parse(struct ctx *c, const json_t *root);

/* p relative to the bundle (the spec's directory, else the working
 * directory), as root.path and bind sources are. */
void filesystem_bundle_path(const struct ctx *c, const char *p, char *out, size_t len);

#endif
