/* Linux capabilities: what the caller holds (parent), dropping them (child). */
#ifndef SBX_CAPS_H
#define SBX_CAPS_H

#include <stdbool.h>

#include "sandbox.h"

/* True if the calling thread has capability `cap` in its effective set. */
bool caps_caller_has(int cap);

/* Highest capability number this kernel knows (libcap reads it at run time). */
int caps_last_cap(void);

/* Child side: the effective set raised to the permitted one (which a switch
 * from uid 0 with PR_SET_KEEPCAPS keeps, but empties the effective set).
 * Returns 0 or -errno. */
int caps_raise_effective(void);

/* Child side: clears the bounding set but what `keep` keeps (if
 * drop_bounding: it needs CAP_SETPCAP), sets the effective, permitted and
 * inheritable sets to keep's, and raises keep's ambient ones. Returns 0 or
 * -errno. */
int caps_apply(const sbx_caps *keep, bool drop_bounding, int last_cap);

#endif
