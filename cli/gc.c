/* sandboxd gc: removes what sandboxes of dead supervisors left behind. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_gc(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: sandboxd gc\n\n"
		      "Kills and removes the cgroups left beneath ours by sandboxes whose supervisor\n"
		      "died (a sandboxd run that was SIGKILLed, say). Cgroups of live supervisors and\n"
		      "everything else are left alone.\n",
		      stdout);
		return 0;
	}
	if (argc > 1) {
		cli_error("gc: takes no arguments (see sandboxd gc --help)");
		return EXIT_SANDBOX_ERROR;
	}
	unsigned removed = 0;
	sbx_error err;
	if (sbx_gc(&removed, &err) < 0) {
		cli_error("gc: %s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	printf("removed %u leftover sandbox cgroup%s\n", removed, removed == 1 ? "" : "s");
	return 0;
}
