/* sbx_policy_draft: what `sandboxd policy learn` prints, a policy grouped
 * the way the catalog groups system calls. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "filter.h"
#include "policy.h"
#include "sandbox.h"

/* Groups whose calls no shipped policy allows: a draft names them only in
 * comments, for a human to weigh. */
static bool denied_group(const char *g)
{
	static const char *const denied[] = {"@io-uring", "@keyring",	 "@namespaces", "@mount",
					     "@debug",	  "@privileged", "@obsolete"};
	for (size_t i = 0; i < sizeof(denied) / sizeof(*denied); i++)
		if (!strcmp(g, denied[i]))
			return true;
	return false;
}

int sbx_policy_draft(const unsigned char *used, size_t n, char **text, sbx_error *err)
{
	struct pol_catalog cat = sbx_builtin_catalog;
	int *nrs = calloc(cat.n_syscalls + 1, sizeof(*nrs));
	bool *done = calloc(cat.n_syscalls + 1, sizeof(*done));
	char *buf = NULL;
	size_t size = 0;
	FILE *f = nrs && done ? open_memstream(&buf, &size) : NULL;
	if (!f) {
		free(nrs);
		free(done);
		catalog_free(&cat);
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "draft: out of memory");
	}
	for (size_t i = 0; i < cat.n_syscalls; i++)
		nrs[i] = filter_catalog_nr(&cat, i);
#define USED(i) (nrs[i] >= 0 && (size_t)nrs[i] < n && used[nrs[i]])
	fprintf(f, "# A draft: what the program was seen to use, grouped. Calls it did not\n"
		   "# make on this run (error paths, other inputs) are missing: run it on\n"
		   "# more inputs, and read it through before you trust it.\n"
		   "default errno EPERM\n\n");
	for (int pass = 0; pass < 2; pass++) {
		for (size_t g = 0; g < cat.n_groups; g++) {
			const struct pol_group *grp = &cat.groups[g];
			if (denied_group(grp->name) != (pass == 1))
				continue;
			size_t n_used = 0, n_all = 0;
			for (size_t k = 0; k < grp->n; k++) {
				size_t i = grp->members[k];
				n_all += nrs[i] >= 0;
				n_used += USED(i) && !done[i];
			}
			/* what every program needs, seen on this run or not
			 * (restart_syscall after a stop, exit from a thread) */
			bool always = !strcmp(grp->name, "@default");
			if (always)
				n_used = n_all;
			if (!n_used)
				continue;
			const char *lead = pass ? "# " : "";
			fprintf(f, "# %s: %s%s\n", grp->name, grp->purpose,
				pass ? " (no shipped policy allows these)" : "");
			if (!pass && n_used == n_all) {
				fprintf(f, "allow %s\n", grp->name);
			} else {
				fprintf(f, "%sallow", lead);
				size_t col = 0;
				for (size_t k = 0; k < grp->n; k++) {
					size_t i = grp->members[k];
					if (!USED(i) || done[i])
						continue;
					fprintf(f, "%s %s", col ? "," : "", cat.syscalls[i].name);
					col++;
				}
				fprintf(f, "\n");
			}
			for (size_t k = 0; k < grp->n; k++)
				if (USED(grp->members[k]))
					done[grp->members[k]] = true;
		}
	}
#undef USED
	fclose(f);
	free(nrs);
	free(done);
	catalog_free(&cat);
	if (!buf)
		return err_setx(err, SBX_STAGE_CONFIG, ENOMEM, "draft: out of memory");
	*text = buf;
	return 0;
}
