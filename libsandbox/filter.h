/* Compiled policies, as spawn and sbx_enter use them. */
#ifndef SBX_FILTER_H
#define SBX_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>

#include "policy.h"
#include "sandbox.h"

struct sbx_policy {
	int refs; /* atomic */
	char name[256];
	struct pol_catalog catalog;
	struct policy_ir ir;
	struct sock_fprog prog; /* empty for a strict-mode policy */
	bool from_cache;
	bool notifies; /* some rule or the default is notify */
	int max_nr;    /* highest system call the catalog names here */
	/* runs of numbers below max_nr that name no call here: ENOSYS, as the
	 * kernel itself would answer */
	struct {
		int lo, hi;
	} gaps[8];
	int n_gaps;
};

void filter_policy_ref(sbx_policy *p);

/* Compiles p again: `libseccomp_default` 1 as one program in libseccomp's
 * default layout (what runtimes that hand it their rules get), 0 as
 * sandboxd does. For the benchmark that shows what the layout buys. */
int filter_relayout(sbx_policy *p, int libseccomp_default, sbx_error *err);

/* The number of the catalog's call i on this architecture, or -1. */
int filter_catalog_nr(const struct pol_catalog *cat, size_t i);

/* What a spawn must check before it lets a program start under p: NULL if
 * fine, else why not. */
const char *filter_cannot_exec(const sbx_policy *p, bool from_fd);

/* The same for a function worker: NULL if fine. */
const char *filter_cannot_enter(const sbx_policy *p);

#endif
