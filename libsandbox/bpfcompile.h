/* Compiled policies: rules -> one seccomp BPF program (see bpfcompile.c). */
#ifndef SBX_BPFCOMPILE_H
#define SBX_BPFCOMPILE_H

#include <linux/audit.h>
#include <stdbool.h>
#include <stdint.h>

#include "filter.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000u
#else
#error "sandboxd's seccomp support is written for x86_64 so far"
#endif

/* The SECCOMP_RET_* value of an action (libseccomp's SCMP_ACT_* are the same). */
uint32_t bpf_ret(struct pol_action a);

/* The number space after parsing: p->max_nr, the highest call the catalog or
 * a rule names, and p->gaps, the runs below it that neither does (ENOSYS).
 * catalog_nrs: the number of each catalog entry here, -1 where none. */
void bpf_number_space(sbx_policy *p, const int *catalog_nrs);

/* nr is in one of p's gaps. */
bool bpf_in_gap(const sbx_policy *p, int nr);

enum {
	BPF_LAYOUT_OURS = 0,	   /* two binary trees behind our dispatch */
	BPF_LAYOUT_LIBSECCOMP = 1, /* one program in libseccomp's default layout */
};

/* Compiles p->ir into p->prog. BPF_LAYOUT_LIBSECCOMP is for the benchmark
 * that shows what the layout buys. */
int bpf_compile(sbx_policy *p, int layout, sbx_error *err);

#endif
