/* Filling the caller's sbx_error. Every failing path in the library returns
 * through one of these: `return err_set(err, SBX_STAGE_PREPARE, errno, "open %s", p);` */
#ifndef SBX_ERROR_H
#define SBX_ERROR_H

#include "sandbox.h"

/* Fills err (if not NULL) with "<message>: <strerror(errnum)>", sets errno to
 * errnum and returns -errnum. */
int err_set(sbx_error *err, int stage, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Same without the strerror suffix, for errors that the message explains. */
int err_setx(sbx_error *err, int stage, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
