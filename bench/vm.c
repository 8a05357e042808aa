/* bench/vm: the microVM backend's VMM. A VM made, its first guest
 * instruction run (a payload that resets at once) and the VM torn down:
 * median and p99 of the whole vm_run() and of its set-up part (from
 * KVM_CREATE_VM to the first KVM_RUN); then the VMM's resident memory beyond
 * the guest's RAM: the peak RSS a child adds by running one VM, with guest
 * RAM kept in a memfd the guest barely touches.
 *
 *   vm [-n RUNS] [-m MEMORY_MB] [-j VMM.POLICY] PAYLOAD.bzImage
 *
 * With -j the VMM runs jailed (runtime/vm/jail.c), as sandboxd runs it:
 * what the jail costs per VM, and the jailed process's own peak RSS.
 *
 * Not a test: it asserts nothing and is never run by make check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"
#include "vm/jail.h"
#include "vm/vm.h"

static struct vm_jail jail; /* policy NULL: not jailed */
static sbx_result jailed;

static long peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int run_once(const char *payload, unsigned mem, struct vm_result *r)
{
	struct vm_options o;
	vm_options_init(&o);
	o.kernel = payload;
	o.memory_mb = mem;
	o.wall_time_ms = 10000;
	sbx_error err;
	jailed = (sbx_result){.size = sizeof(jailed)};
	if ((jail.policy ? vm_run_jailed(&o, &jail, r, &jailed, &err) : vm_run(&o, r, &err)) < 0) {
		fprintf(stderr, "vm: %s\n", err.message);
		return -1;
	}
	if (r->end != VM_END_RESET) {
		fprintf(stderr, "vm: the payload ended as %s, not by reset\n", vm_end_name(r->end));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = 200, ch;
	unsigned mem = 64;
	sbx_error err;
	while ((ch = getopt(argc, argv, "n:m:j:")) != -1) {
		if (ch == 'n')
			n = atoi(optarg);
		else if (ch == 'j' &&
			 sbx_policy_load(optarg, NULL, (sbx_policy **)&jail.policy, &err) < 0) {
			fprintf(stderr, "vm: %s\n", err.message);
			return 1;
		} else if (ch == 'j')
			jail.limits.size = sizeof(jail.limits);
		else if (ch == 'm')
			mem = (unsigned)atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || n < 1) {
		fprintf(stderr,
			"usage: vm [-n RUNS] [-m MEMORY_MB] [-j VMM.POLICY] PAYLOAD.bzImage\n");
		return 2;
	}
	const char *payload = argv[optind];
	double *total = calloc((size_t)n, sizeof(double)),
	       *setup = calloc((size_t)n, sizeof(double));
	struct vm_result r;
	if (!total || !setup || run_once(payload, mem, &r) < 0) /* warm-up */
		return 1;
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		if (run_once(payload, mem, &r) < 0)
			return 1;
		total[i] = (double)(now_ns() - t0) / 1000.0;
		setup[i] = (double)r.setup_us;
	}
	printf("%s, create to first instruction and back (%d runs, %u MiB guest RAM):\n",
	       jail.policy ? "vm_run_jailed (namespaces, cgroup, Landlock, seccomp)" : "vm_run", n,
	       mem);
	printf("  whole call   median %8.0f us   p99 %8.0f us\n", pctl(total, (size_t)n, 0.5),
	       pctl(total, (size_t)n, 0.99));
	printf("  set-up part  median %8.0f us   p99 %8.0f us\n", pctl(setup, (size_t)n, 0.5),
	       pctl(setup, (size_t)n, 0.99));

	if (jail.policy) {
		printf("jailed VMM process peak RSS: %llu KiB (guest RAM %u MiB in a memfd, mostly "
		       "untouched)\n",
		       (unsigned long long)jailed.peak_rss_kb, mem);
		return 0;
	}
	/* resident memory: a fresh child's peak before and after one VM */
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		long before = peak_rss_kb();
		long after = run_once(payload, mem, &r) < 0 ? -1 : peak_rss_kb();
		long d[2] = {before, after};
		_exit(write(p[1], d, sizeof(d)) == sizeof(d) ? 0 : 1);
	}
	long d[2] = {-1, -1};
	if (pid < 0 || read(p[0], d, sizeof(d)) != sizeof(d) || d[1] < 0)
		return 1;
	waitpid(pid, NULL, 0);
	printf("VMM peak RSS added by one VM: %ld KiB (process %ld -> %ld KiB; guest RAM %u MiB "
	       "in a memfd, mostly untouched)\n",
	       d[1] - d[0], d[0], d[1], mem);
	free(total);
	free(setup);
	return 0;
}
