/* sandboxd check: what this host supports, with advice: cgroup version and
 * controllers per hierarchy, user namespaces, Landlock, seccomp actions,
 * KVM. `--json` prints the machine-readable part (for tooling and for tests
 * that must know what to expect here). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "vm/host.h"

struct host_facts {
	sbx_features f;
	char v2_mount[256];	  /* where cgroup2 is mounted, or "" */
	char v2_controllers[256]; /* what its root offers */
	struct {
		char name[32];
		char mount[256]; /* v1 mount, or "" */
		bool on_v2;
	} ctl[16];
	size_t n_ctl;
	char seccomp_actions[256];
	struct vm_host kvm;
};

static void read_line(const char *path, char *out, size_t len)
{
	out[0] = 0;
	FILE *f = fopen(path, "re");
	if (f && fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	if (f)
		fclose(f);
}

static void gather(struct host_facts *h)
{
	/* mount points of cgroup hierarchies: field 5 and the super options */
	FILE *mi = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	char v1[16][2][300];
	size_t n_v1 = 0;
	while (mi && fgets(line, sizeof(line), mi)) {
		char mnt[256], fstype[32], opts[256];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 ||
		    sscanf(dash + 3, "%31s %*s %255s", fstype, opts) != 2)
			continue;
		if (!strcmp(fstype, "cgroup2") && !h->v2_mount[0])
			snprintf(h->v2_mount, sizeof(h->v2_mount), "%s", mnt);
		else if (!strcmp(fstype, "cgroup") && n_v1 < 16) {
			snprintf(v1[n_v1][0], sizeof(v1[n_v1][0]), "%s", mnt);
			snprintf(v1[n_v1][1], sizeof(v1[n_v1][1]), ",%s,", opts);
			n_v1++;
		}
	}
	if (mi)
		fclose(mi);
	if (h->v2_mount[0]) {
		char path[300];
		snprintf(path, sizeof(path), "%s/cgroup.controllers", h->v2_mount);
		read_line(path, h->v2_controllers, sizeof(h->v2_controllers));
	}
	/* every controller the kernel has, and where it is */
	FILE *cg = fopen("/proc/cgroups", "re");
	while (cg && fgets(line, sizeof(line), cg) && h->n_ctl < 16) {
		char name[32];
		int hier, num, enabled;
		if (line[0] == '#' ||
		    sscanf(line, "%31s %d %d %d", name, &hier, &num, &enabled) != 4 || !enabled)
			continue;
		typeof(h->ctl[0]) *c = &h->ctl[h->n_ctl++];
		snprintf(c->name, sizeof(c->name), "%s", name);
		char want[40];
		snprintf(want, sizeof(want), ",%s,", name);
		for (size_t i = 0; i < n_v1; i++)
			if (strstr(v1[i][1], want))
				snprintf(c->mount, sizeof(c->mount), "%s", v1[i][0]);
		char padded[300];
		snprintf(padded, sizeof(padded), " %s ", h->v2_controllers);
		char word[40];
		snprintf(word, sizeof(word), " %s ", name);
		c->on_v2 = hier == 0 && strstr(padded, word);
	}
	if (cg)
		fclose(cg);
	read_line("/proc/sys/kernel/seccomp/actions_avail", h->seccomp_actions,
		  sizeof(h->seccomp_actions));
	vm_host_probe(&h->kvm);
}

static const struct {
	unsigned bit;
	const char *name;
} ns_names[] = {{SBX_NS_USER, "user"},	   {SBX_NS_PID, "pid"},	 {SBX_NS_MOUNT, "mount"},
		{SBX_NS_UTS, "uts"},	   {SBX_NS_IPC, "ipc"},	 {SBX_NS_NET, "network"},
		{SBX_NS_CGROUP, "cgroup"}, {SBX_NS_TIME, "time"}};

static void print_json(const struct host_facts *h)
{
	const sbx_features *f = &h->f;
	printf("{\n  \"version\": \"%s\",\n  \"kernel\": \"%d.%d\",\n  \"namespaces\": [",
	       sbx_version(), f->kernel_major, f->kernel_minor);
	const char *sep = "";
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(*ns_names); i++)
		if (f->namespaces & ns_names[i].bit) {
			printf("%s\"%s\"", sep, ns_names[i].name);
			sep = ", ";
		}
	printf("],\n  \"unprivileged_userns\": %s,\n  \"landlock_abi\": %d,\n"
	       "  \"capability_mode\": %s,\n  \"libseccomp\": \"%s\",\n"
	       "  \"seccomp_actions\": \"%s\",\n  \"cgroup2\": \"%s\",\n  \"cgroups\": {",
	       f->unprivileged_userns ? "true" : "false", f->landlock_abi,
	       f->landlock_abi >= 6 ? "true" : "false", f->libseccomp, h->seccomp_actions,
	       h->v2_mount);
	sep = "";
	for (size_t i = 0; i < h->n_ctl; i++) {
		printf("%s\"%s\": \"%s\"", sep, h->ctl[i].name,
		       h->ctl[i].on_v2	    ? "v2"
		       : h->ctl[i].mount[0] ? "v1"
					    : "none");
		sep = ", ";
	}
	printf("},\n  \"kvm_api\": %d,\n  \"kvm_module\": \"%s\",\n  \"kvm_boots_linux\": \"%s\"\n}\n",
	       h->kvm.kvm_api, h->kvm.module ? h->kvm.module : "",
	       vm_linux_name(h->kvm.linux_guests));
}

static void print_text(const struct host_facts *h)
{
	const sbx_features *f = &h->f;
	printf("sandboxd %s on Linux %d.%d\n\n", sbx_version(), f->kernel_major, f->kernel_minor);
	printf("Namespaces:       ");
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(*ns_names); i++)
		if (f->namespaces & ns_names[i].bit)
			printf("%s ", ns_names[i].name);
	printf("\nUser namespaces:  %s\n",
	       f->unprivileged_userns ? "unprivileged users may create them"
				      : "root only: unprivileged sandboxes cannot run (advice: "
					"sysctl kernel.unprivileged_userns_clone=1 or "
					"user.max_user_namespaces > 0)");
	printf("cgroup v2:        %s%s%s\n", h->v2_mount[0] ? h->v2_mount : "not mounted",
	       h->v2_mount[0] ? ", controllers: " : "",
	       h->v2_mount[0] ? (h->v2_controllers[0] ? h->v2_controllers : "none") : "");
	printf("Controllers:\n");
	bool v1_used = false;
	for (size_t i = 0; i < h->n_ctl; i++) {
		const char *where = h->ctl[i].on_v2	 ? "cgroup v2"
				    : h->ctl[i].mount[0] ? h->ctl[i].mount
							 : "not mounted";
		v1_used |= !h->ctl[i].on_v2 && h->ctl[i].mount[0];
		printf("  %-12s %s%s\n", h->ctl[i].name, where,
		       !h->ctl[i].on_v2 && h->ctl[i].mount[0] ? " (v1)" : "");
	}
	if (v1_used)
		printf("  advice: a hybrid host: sandboxd takes each controller from where it is\n"
		       "  (v1 fallback, reported per sandbox). A pure cgroup v2 host (boot with\n"
		       "  systemd.unified_cgroup_hierarchy=1) lets every sandbox be born in its\n"
		       "  cgroup (CLONE_INTO_CGROUP, no migration wait) and report memory.peak.\n");
	printf("Landlock:         ABI %d%s\n", f->landlock_abi,
	       f->landlock_abi >= 6 ? " (capability mode available)"
	       : f->landlock_abi
		       ? " (capability mode needs 6: refused here)"
		       : " (not enabled: capability mode refused; advice: lsm=...,landlock)");
	printf("seccomp:          libseccomp %s; actions: %s%s\n", f->libseccomp,
	       h->seccomp_actions[0] ? h->seccomp_actions : "unknown",
	       strstr(h->seccomp_actions, "user_notif") ? ""
							: " (no user_notif: notify rules and the "
							  "broker's seccomp mode are refused)");
	if (h->kvm.kvm_api >= 0) {
		printf("KVM:              /dev/kvm, API version %d, from %s: ", h->kvm.kvm_api,
		       h->kvm.module ? h->kvm.module : "an unknown module");
		if (h->kvm.linux_guests == VM_LINUX_YES)
			printf("boots Linux guests (the vm backend works)\n");
		else if (h->kvm.linux_guests == VM_LINUX_NO)
			printf("paravirtual: freestanding payloads run,\n"
			       "                  stock Linux kernels do not boot (the vm backend\n"
			       "                  needs kvm_intel or kvm_amd)\n");
		else
			printf("whether it boots Linux guests is not known\n");
	} else
		printf("KVM:              /dev/kvm: %s (the vm backend needs it)\n",
		       strerror(-h->kvm.kvm_api));
}

int cmd_check(int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: sandboxd check [--json]\n\n"
		      "What this host supports, with advice: namespaces, unprivileged user\n"
		      "namespaces, cgroup version and controllers per hierarchy, the Landlock\n"
		      "ABI (capability mode needs 6), seccomp actions, KVM and whether it\n"
		      "boots Linux guests.\n",
		      stdout);
		return 0;
	}
	if (argc > 1 && !json) {
		cli_error("check: expected no arguments or --json");
		return EXIT_SANDBOX_ERROR;
	}
	struct host_facts h = {.f.size = sizeof(sbx_features)};
	sbx_error err;
	if (sbx_probe(&h.f, &err) < 0) {
		cli_error("check: %s", err.message);
		return EXIT_SANDBOX_ERROR;
	}
	gather(&h);
	if (json)
		print_json(&h);
	else
		print_text(&h);
	return 0;
}
