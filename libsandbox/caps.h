/* Linux capabilities: what the caller holds (parent), dropping them (child). */
#ifndef SBX_CAPS_H
#define SBX_CAPS_H

#include <stdbool.h>

/* True if the calling thread has capability `cap` in its effective set. */
bool caps_caller_has(int cap);

/* Highest capability number this kernel knows (libcap reads it at run time). */
int caps_last_cap(void);

/* Child side: clears the bounding set (if drop_bounding: it needs
 * CAP_SETPCAP), the ambient set, and the effective, permitted and
 * inheritable sets. Returns 0 or -errno. */
int caps_drop_all(bool drop_bounding, int last_cap);

#endif
