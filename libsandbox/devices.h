/* Device access for a sandbox's cgroup: an eBPF program on cgroup v2, the
 * devices controller's lists on v1. */
#ifndef SBX_DEVICES_H
#define SBX_DEVICES_H

#include <linux/bpf.h>
#include <stddef.h>

#include "conf.h"

/* Builds the program for `rules` (checked last to first, first match
 * decides, default deny) into out; returns its length, or 0 if max is too
 * small. Pure: the unit tests run it through an interpreter. */
size_t devices_build_prog(const struct dev_rule *rules, size_t n, struct bpf_insn *out, size_t max);

/* Attaches cfg's device program to the v2 cgroup open at cgroup_fd
 * (multi-attach, so programs of the cgroups above still apply), loading it
 * first if this configuration has not yet. */
int devices_attach_bpf(const struct sbx_config *cfg, int cgroup_fd, sbx_error *err);

/* Writes the rules to a v1 devices cgroup open at dirfd: deny all, then
 * each rule in order. */
int devices_write_v1(int dirfd, const struct dev_rule *rules, size_t n, sbx_error *err);

#endif
