/* bench/syscall: what a seccomp policy costs a running program, per system
 * call, and what compiling one costs.
 *
 * A loop of write(2) of one byte to /dev/null runs in a fresh child per
 * case and round (a filter cannot be taken off again):
 *
 *   none             no filter
 *   allow-all        "default allow": the kernel's action cache answers
 *   container-default the shipped policy; write is allowed outright, so the
 *                    action cache answers too
 *   +arg check       container-default plus "allow write if fd == N": the
 *                    hot call runs the filter every time (sandboxd's layout)
 *   +arg, libseccomp the same rules as one program in libseccomp's default
 *                    layout, as runtimes that hand it their rules get
 *   floor: arg only  the smallest filter that checks an argument of the hot
 *                    call: what running any filter at all costs
 *
 * Rounds rotate the case order; ratios are medians of per-round ratios.
 *
 *   syscall -p POLICY_DIR [-r ROUNDS] [-n CALLS] [-q]
 *
 * Not a test: it asserts nothing and is never run by make check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "filter.h"
#include "sandbox.h"
#include "stats.h"

static double median(const double *v, size_t n)
{
	return pctl(v, n, 0.5);
}

struct scase {
	const char *name;
	sbx_policy *policy; /* NULL: no filter */
	double ns[64];	    /* per round */
};

/* ns per call of the loop under the case's filter, in a child. The result
 * comes back through shared memory: the filter may deny a write to a pipe. */
static double measure(const struct scase *c, int fd, long calls)
{
	static double *shared;
	if (!shared) {
		shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED)
			return -1;
	}
	*shared = -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (c->policy && sbx_enter(c->policy, NULL) < 0)
			_exit(1);
		char b = 'x';
		for (long i = 0; i < calls / 10; i++) /* warm */
			syscall(SYS_write, fd, &b, 1);
		uint64_t t0 = now_ns();
		for (long i = 0; i < calls; i++)
			syscall(SYS_write, fd, &b, 1);
		*shared = (double)(now_ns() - t0) / (double)calls;
		_exit(0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return *shared;
}

static sbx_policy *load(const char *text, const char *dir, int libseccomp_default)
{
	const char *dirs[] = {dir, NULL};
	sbx_policy_opts o = {.size = sizeof(o), .include_dirs = dirs};
	sbx_policy *p;
	sbx_error err;
	if (sbx_policy_parse(text, "bench", &o, &p, &err) < 0 ||
	    (libseccomp_default && filter_relayout(p, 1, &err) < 0)) {
		fprintf(stderr, "syscall: %s\n", err.message);
		exit(1);
	}
	return p;
}

/* What loading a policy costs: compiled with libseccomp, and from the cache. */
static void compile_costs(const char *dir)
{
	char path[4096], cache[] = "/tmp/sbx-bench-cache.XXXXXX";
	snprintf(path, sizeof(path), "%s/container-default.policy", dir);
	if (!mkdtemp(cache))
		return;
	const char *dirs[] = {dir, NULL};
	sbx_policy_opts o = {.size = sizeof(o), .include_dirs = dirs, .cache_dir = cache};
	double cold[15], warm[15];
	for (int i = 0; i < 15; i++) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -f %s/*.bpf", cache);
		if (system(cmd) != 0)
			return;
		sbx_policy *p;
		uint64_t t0 = now_ns();
		if (sbx_policy_load(path, &o, &p, NULL) < 0)
			return;
		cold[i] = (double)(now_ns() - t0) / 1e6;
		sbx_policy_free(p);
		t0 = now_ns();
		if (sbx_policy_load(path, &o, &p, NULL) < 0)
			return;
		warm[i] = (double)(now_ns() - t0) / 1e6;
		sbx_policy_free(p);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", cache);
	if (system(cmd) != 0)
		return;
	printf("\nloading container-default (parse + compile), median of 15:\n");
	printf("  compiled by libseccomp  %7.2f ms\n", median(cold, 15));
	printf("  from the cache          %7.2f ms\n", median(warm, 15));
}

int main(int argc, char **argv)
{
	int rounds = 15, opt;
	long calls = 2000000;
	const char *dir = NULL;
	while ((opt = getopt(argc, argv, "p:r:n:q")) != -1) {
		switch (opt) {
		case 'p':
			dir = optarg;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			calls = atol(optarg);
			break;
		case 'q':
			rounds = 5;
			calls = 300000;
			break;
		default:
			fprintf(stderr,
				"usage: syscall -p POLICY_DIR [-r ROUNDS] [-n CALLS] [-q]\n");
			return 2;
		}
	}
	if (!dir || rounds < 1 || rounds > 64) {
		fprintf(stderr,
			"usage: syscall -p POLICY_DIR [-r ROUNDS (1-64)] [-n CALLS] [-q]\n");
		return 2;
	}
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char checked[128], tiny[128];
	snprintf(checked, sizeof(checked), "include container-default\nallow write if fd == %d\n",
		 fd);
	/* the least an argument check can be: one call, one comparison */
	snprintf(tiny, sizeof(tiny), "default allow\nerrno EPERM write if fd != %d\n", fd);
	struct scase cases[] = {
		{"none", NULL, {0}},
		{"allow-all", load("default allow\n", dir, 0), {0}},
		{"container-default", load("include container-default\n", dir, 0), {0}},
		{"+arg check", load(checked, dir, 0), {0}},
		{"+arg, libseccomp", load(checked, dir, 1), {0}},
		{"floor: arg only", load(tiny, dir, 0), {0}},
	};
	size_t nc = sizeof(cases) / sizeof(*cases);
	for (int r = 0; r < rounds; r++)
		for (size_t j = 0; j < nc; j++) {
			struct scase *c = &cases[(j + (size_t)r) % nc];
			c->ns[r] = measure(c, fd, calls);
			if (c->ns[r] < 0) {
				fprintf(stderr, "syscall: %s failed\n", c->name);
				return 1;
			}
		}
	printf("write(2) of 1 byte to /dev/null, %ld calls x %d rounds per case\n", calls, rounds);
	printf("%-20s %8s %9s %11s %8s\n", "case", "ns/call", "x_none", "x_allowall", "insns");
	for (size_t i = 0; i < nc; i++) {
		double xn[64], xa[64], own[64];
		for (int r = 0; r < rounds; r++) {
			xn[r] = cases[i].ns[r] / cases[0].ns[r];
			xa[r] = cases[i].ns[r] / cases[1].ns[r];
			own[r] = cases[i].ns[r];
		}
		sbx_policy_info info = {.size = sizeof(info)};
		if (cases[i].policy)
			sbx_policy_get_info(cases[i].policy, &info, NULL);
		printf("%-20s %8.1f %9.3f %11.3f %8u\n", cases[i].name, median(own, (size_t)rounds),
		       median(xn, (size_t)rounds), median(xa, (size_t)rounds), info.bpf_insns);
	}
	compile_costs(dir);
	for (size_t i = 0; i < nc; i++)
		sbx_policy_free(cases[i].policy);
	return 0;
}
