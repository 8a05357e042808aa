/* sandboxd features: what this runtime implements, in the OCI runtime-spec
 * "features" form that containerd and other clients read (runc and crun
 * print the same document). What the host offers is `sandboxd check`. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Kept to what the spec parser accepts: a field listed here and refused
 * there would be a lie to the client. */
static const char features[] =
	"{\n"
	"  \"ociVersionMin\": \"1.0.0\",\n"
	"  \"ociVersionMax\": \"1.2.0\",\n"
	"  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", "
	"\"startContainer\", \"poststart\", \"poststop\"],\n"
	"  \"mountOptions\": [\"ro\", \"rw\", \"nosuid\", \"suid\", \"nodev\", \"dev\", "
	"\"noexec\", \"exec\", \"noatime\", \"atime\", \"relatime\", \"strictatime\", "
	"\"bind\", \"rbind\", \"private\", \"rprivate\", \"slave\", \"rslave\", \"shared\", "
	"\"rshared\"],\n"
	"  \"linux\": {\n"
	"    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"time\", "
	"\"user\", \"uts\"],\n"
	"    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": "
	"false, \"rdma\": false},\n"
	"    \"seccomp\": {\n"
	"      \"enabled\": true,\n"
	"      \"actions\": [\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", "
	"\"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", "
	"\"SCMP_ACT_NOTIFY\", \"SCMP_ACT_TRAP\"],\n"
	"      \"operators\": [\"SCMP_CMP_EQ\", \"SCMP_CMP_GE\", \"SCMP_CMP_GT\", "
	"\"SCMP_CMP_LE\", \"SCMP_CMP_LT\", \"SCMP_CMP_MASKED_EQ\", \"SCMP_CMP_NE\"],\n"
	"      \"archs\": [\"SCMP_ARCH_X86_64\"],\n"
	"      \"knownFlags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_LOG\", "
	"\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],\n"
	"      \"supportedFlags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_LOG\", "
	"\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]\n"
	"    },\n"
	"    \"apparmor\": {\"enabled\": false},\n"
	"    \"selinux\": {\"enabled\": false},\n"
	"    \"intelRdt\": {\"enabled\": false},\n"
	"    \"mountExtensions\": {\"idmap\": {\"enabled\": false}}\n"
	"  },\n"
	"  \"annotations\": {\"io.github.sandboxd.version\": \"" PACKAGE_VERSION "\"}\n"
	"}\n";

int cmd_features(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: sandboxd features\n\n"
		      "Prints what this runtime implements as OCI \"features\" JSON (spec\n"
		      "versions, mount options, namespaces, seccomp actions...). What this\n"
		      "host offers is `sandboxd check`.\n",
		      stdout);
		return 0;
	}
	if (argc > 1) {
		cli_error("features: takes no arguments");
		return EXIT_SANDBOX_ERROR;
	}
	fputs(features, stdout);
	return 0;
}
