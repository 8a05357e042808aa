/* Capability mode (capmode.c). */
#ifndef SBX_CAPMODE_H
#define SBX_CAPMODE_H

#include <stddef.h>

#include "sandbox.h"

struct cap_rule {
	int fd;		 /* a directory (rights beneath it) or a file */
	unsigned access; /* SBX_CAP_* */
};

/* Why the kernel cannot give `need` (SBX_CAP_NEED_*, 0 for all) with
 * Landlock ABI `abi`, or NULL if it can. */
const char *capmode_missing(int abi, unsigned need);

/* Applies the Landlock part to the calling thread: rules, TCP, scoping,
 * no_new_privs. Async-signal-safe. The ABI applied, or -errno with
 * *failed the index of a rule that failed (else (size_t)-1). */
int capmode_landlock(const struct cap_rule *rules, size_t n, unsigned need, size_t *failed);

/* The seccomp part, as a policy. */
const char *capmode_policy_text(void);

#endif
