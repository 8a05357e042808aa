/* The on-disk cache of compiled filters (bpfcache.c). */
#ifndef SBX_BPFCACHE_H
#define SBX_BPFCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "filter.h"

/* Everything the compiled program depends on: the rules, the number space,
 * the libseccomp version, the compiler's own version. */
void bpf_digest(const sbx_policy *p, uint8_t out[32]);

/* The directory exists (made 0700 if missing), is ours, and nobody else can
 * write to it: a filter planted there would run in every sandbox. */
bool bpf_cache_dir_ok(const char *dir);

/* Fills p->prog from the entry for `d`, if there is a sound one. */
bool bpf_cache_load(sbx_policy *p, const char *dir, const uint8_t d[32]);

/* Best effort: a cache that cannot be written only costs time. */
void bpf_cache_store(const sbx_policy *p, const char *dir, const uint8_t d[32]);

#endif
