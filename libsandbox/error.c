#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static int fill(sbx_error *err, int stage, int errnum, int with_strerror, const char *fmt,
		va_list ap)
{
	if (errnum <= 0)
		errnum = EIO; /* never report success as a failure */
	if (err) {
		err->code = errnum;
		err->stage = stage;
		int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
		if (with_strerror && n >= 0 && (size_t)n < sizeof(err->message)) {
			char buf[128];
			/* GNU strerror_r: thread-safe, returns a pointer */
			const char *s = strerror_r(errnum, buf, sizeof(buf));
			snprintf(err->message + n, sizeof(err->message) - (size_t)n, ": %s", s);
		}
	}
	errno = errnum;
	return -errnum;
}

int err_set(sbx_error *err, int stage, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fill(err, stage, errnum, 1, fmt, ap);
	va_end(ap);
	return r;
}

int err_setx(sbx_error *err, int stage, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fill(err, stage, errnum, 0, fmt, ap);
	va_end(ap);
	return r;
}
