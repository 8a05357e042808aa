/* sandboxd features: what this kernel and this build offer, as JSON (what
 * runc and crun print under the same name), for tooling and for tests that
 * must know what to expect here. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_features(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: sandboxd features\n\n"
		      "Prints what this kernel and build offer as JSON: namespaces, whether\n"
		      "unprivileged user namespaces work, the Landlock ABI (capability mode\n"
		      "needs 6), the libseccomp version.\n",
		      stdout);
		return 0;
	}
	if (argc > 1) {
		cli_error("features: takes no arguments");
		return EXIT_SANDBOX_ERROR;
	}
	sbx_features f = {.size = sizeof(f)};
	sbx_error err;
	if (sbx_probe(&f, &err) < 0) {
		cli_error("features: %s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	static const struct {
		unsigned bit;
		const char *name;
	} ns[] = {{SBX_NS_USER, "user"},     {SBX_NS_PID, "pid"},  {SBX_NS_MOUNT, "mount"},
		  {SBX_NS_UTS, "uts"},	     {SBX_NS_IPC, "ipc"},  {SBX_NS_NET, "network"},
		  {SBX_NS_CGROUP, "cgroup"}, {SBX_NS_TIME, "time"}};
	printf("{\n  \"version\": \"%s\",\n  \"kernel\": \"%d.%d\",\n  \"namespaces\": [",
	       sbx_version(), f.kernel_major, f.kernel_minor);
	const char *sep = "";
	for (size_t i = 0; i < sizeof(ns) / sizeof(*ns); i++)
		if (f.namespaces & ns[i].bit) {
			printf("%s\"%s\"", sep, ns[i].name);
			sep = ", ";
		}
	printf("],\n  \"unprivileged_userns\": %s,\n  \"landlock_abi\": %d,\n"
	       "  \"capability_mode\": %s,\n  \"libseccomp\": \"%s\"\n}\n",
	       f.unprivileged_userns ? "true" : "false", f.landlock_abi,
	       f.landlock_abi >= 6 ? "true" : "false", f.libseccomp);
	return 0;
}
