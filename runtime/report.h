/* The result of a run as JSON, for graders and scripts. */
#ifndef SBX_REPORT_H
#define SBX_REPORT_H

#include "sandbox.h"

/* Writes the report for `res` (or, with res NULL, for a sandbox that never
 * started: status setup-error and `error`) to `path`, atomically: a reader
 * sees the old file or the whole new one. Leaves no temporary file behind. */
int report_write(const char *path, const sbx_result *res, const char *error, sbx_error *err);

#endif
