/* Namespaces: clone flags, id maps (parent), hostname and loopback (child). */
#ifndef SBX_NS_H
#define SBX_NS_H

#include <stdint.h>
#include <sys/types.h>

#include "conf.h"

/* CLONE_NEW* flags for a SBX_NS_* mask. */
uint64_t ns_clone_flags(unsigned mask);

/* "user pid mount ..." for messages. */
void ns_describe(unsigned mask, char *buf, size_t len);

struct idmaps {
	struct idmap uid[SBX_IDMAP_MAX];
	struct idmap gid[SBX_IDMAP_MAX];
	size_t n_uid;
	size_t n_gid;
	bool deny_setgroups; /* required before an unprivileged gid_map write */
};

/* The maps for `cfg`: the configured lines, or the default (the sandbox's
 * uid/gid mapped to the caller's own ids when unprivileged, to nobody:nogroup
 * when the caller may map any id). Checks that the sandbox's ids are mapped
 * and that an unprivileged caller maps only itself. */
int ns_idmaps(const struct sbx_config *cfg, bool privileged, struct idmaps *m, sbx_error *err);

/* True if a map sends some id to host id 0. */
bool ns_maps_host_root(const struct idmap *map, size_t n);

/* Parent side: writes setgroups, uid_map and gid_map of `pid`. */
int ns_write_idmaps(pid_t pid, const struct idmaps *m, sbx_error *err);

/* Child side: bring the loopback interface of a new network namespace up.
 * Returns 0 or -errno. */
int ns_loopback_up(void);

#endif
