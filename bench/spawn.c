/* bench/spawn: per-spawn latency of /bin/true through libsandbox, side by
 * side with its peers, in one run.
 *
 * In-process cases are timed from the call to the reap; whole-process cases
 * (a command started and reaped by this program) include the command's own
 * start-up, which is what a user of a CLI pays. Cases run in rounds; each
 * round runs a batch of every case with the order rotating, so slow drifts of
 * a shared machine hit all cases alike, and ratios are medians of per-round
 * ratios.
 *
 *   spawn [-r ROUNDS] [-b BATCH] [-g GAP_MS] [-s SANDBOXD] [-t OUT.tsv] [-q]
 *
 * -g idles before every spawn (not timed): a cgroup v1 attach waits for an
 * RCU grace period unless another attach just happened, so back-to-back
 * spawns hide a cost that spaced-out ones pay. Limited cases need root.
 * spawn_us is the part until sbx_spawn returned (the program started): what
 * a prewarmed configuration shortens, though with a program as short as
 * /bin/true the wait then absorbs the grace period instead (see
 * sbx_config_prewarm()).
 *
 * Not a test: it asserts nothing and is never run by make check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "stats.h"

#define MAX_ARGS 24

struct bcase {
	const char *name;
	const char *what;
	int kind;	      /* IN_FORK, IN_SBX, CMD */
	unsigned ns;	      /* IN_SBX */
	sbx_limits limits;    /* IN_SBX */
	sbx_policy *policy;   /* IN_SBX */
	int prewarm;	      /* IN_SBX: sbx_config_prewarm() */
	const char *bpf;      /* CMD: a filter file given to it as fd 9 */
	char *argv[MAX_ARGS]; /* CMD */
	sbx_config *cfg;
	double *t_us;
	double *spawn_us; /* IN_SBX: until sbx_spawn returned, the program started */
	double *round_med;
	size_t n;
	int failed;
};

enum { IN_FORK, IN_SBX, CMD };

static int devnull = -1;

/* Runs one case once; returns the elapsed microseconds, or -1. */
static double run_once(struct bcase *c, double *spawned)
{
	uint64_t t0 = now_ns();
	if (c->kind == IN_SBX) {
		sbx_proc *p;
		sbx_error err;
		if (sbx_spawn(c->cfg, &p, &err) < 0) {
			fprintf(stderr, "%s: %s\n", c->name, err.message);
			return -1;
		}
		*spawned = (double)(now_ns() - t0) / 1e3;
		sbx_result r = {.size = sizeof(r)};
		int rc = sbx_wait(p, -1, &r, &err);
		sbx_proc_free(p);
		if (rc < 0 || r.status != SBX_STATUS_OK)
			return -1;
	} else {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
			int bfd = c->bpf ? open(c->bpf, O_RDONLY) : -1;
			if (bfd >= 0 && bfd != 9 && (dup2(bfd, 9) < 0 || close(bfd) < 0))
				_exit(127);
			if (c->kind == IN_FORK) {
				static char prog[] = "/bin/true";
				char *args[] = {prog, NULL}, *envp[] = {NULL};
				execve(prog, args, envp);
			} else {
				execvp(c->argv[0], c->argv);
			}
			_exit(127);
		}
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return -1;
	}
	return (double)(now_ns() - t0) / 1e3;
}

static void split(struct bcase *c, char *cmd)
{
	int n = 0;
	for (char *save = NULL, *tok = strtok_r(cmd, " ", &save); tok && n < MAX_ARGS - 1;
	     tok = strtok_r(NULL, " ", &save))
		c->argv[n++] = tok;
	c->argv[n] = NULL;
}

static int have(const char *prog)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

int main(int argc, char **argv)
{
	int rounds = 10, batch = 100, gap_ms = 0, opt;
	const char *sandboxd = NULL, *tsv = NULL, *policy_file = NULL, *bpf_file = NULL;
	while ((opt = getopt(argc, argv, "r:b:g:s:t:p:f:q")) != -1) {
		switch (opt) {
		case 'p':
			policy_file = optarg;
			break;
		case 'f':
			bpf_file = optarg;
			break;
		case 'g':
			gap_ms = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		case 's':
			sandboxd = optarg;
			break;
		case 't':
			tsv = optarg;
			break;
		case 'q':
			rounds = 3;
			batch = 20;
			break;
		default:
			fprintf(stderr,
				"usage: spawn [-r ROUNDS] [-b BATCH] [-g GAP_MS] [-s SANDBOXD] "
				"[-p POLICY] [-f BPF] [-t OUT.tsv] [-q]\n");
			return 2;
		}
	}
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	char dir[] = "/var/tmp/sbx-bench.XXXXXX";
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
		perror("mkdtemp");
		return 1;
	}
	char spec_all[64], spec_nonet[64], spec_policy[64];
	snprintf(spec_all, sizeof(spec_all), "%s/all.json", dir);
	snprintf(spec_nonet, sizeof(spec_nonet), "%s/nonet.json", dir);
	snprintf(spec_policy, sizeof(spec_policy), "%s/policy.json", dir);
	if (policy_file) {
		FILE *pf = fopen(spec_policy, "w");
		fprintf(pf,
			"{\"process\": {\"args\": [\"/bin/true\"]}, \"sandbox\": {\"policy\": "
			"\"%s\"}}\n",
			policy_file);
		fclose(pf);
	}
	FILE *f = fopen(spec_all, "w");
	fputs("{\"process\": {\"args\": [\"/bin/true\"]}}\n", f);
	fclose(f);
	f = fopen(spec_nonet, "w");
	fputs("{\"process\": {\"args\": [\"/bin/true\"]}, \"linux\": {\"namespaces\": ["
	      "{\"type\": \"user\"}, {\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"},"
	      " {\"type\": \"ipc\"}, {\"type\": \"cgroup\"}]}}\n",
	      f);
	fclose(f);

	struct bcase cases[20];
	size_t nc = 0;
	char cmds[12][512];
	int ci = 0;
	memset(cases, 0, sizeof(cases));
	cases[nc++] = (struct bcase){.name = "fork+exec", .what = "in-process", .kind = IN_FORK};
	cases[nc++] = (struct bcase){.name = "sbx_spawn",
				     .what = "in-process, all but net",
				     .kind = IN_SBX,
				     .ns = SBX_NS_DEFAULT & ~SBX_NS_NET};
	cases[nc++] = (struct bcase){.name = "sbx_spawn+net",
				     .what = "in-process, all",
				     .kind = IN_SBX,
				     .ns = SBX_NS_DEFAULT};
	if (policy_file) {
		/* loaded once, as an application would (or from the cache): the
		 * spawn pays for installing it only */
		sbx_policy *pol;
		sbx_error err;
		if (sbx_policy_load(policy_file, NULL, &pol, &err) < 0) {
			fprintf(stderr, "spawn: %s\n", err.message);
			return 1;
		}
		cases[nc++] = (struct bcase){.name = "sbx+net+policy",
					     .what = "in-process, seccomp policy",
					     .kind = IN_SBX,
					     .ns = SBX_NS_DEFAULT,
					     .policy = pol};
	}
	if (geteuid() == 0) {
		/* limits whose cgroup needs only the v2 core: born in it, no migration */
		cases[nc++] =
			(struct bcase){.name = "sbx+net+v2limit",
				       .what = "in-process, cpu+wall limit",
				       .kind = IN_SBX,
				       .ns = SBX_NS_DEFAULT,
				       .limits = {.cpu_time_ms = 60000, .wall_time_ms = 60000}};
		/* memory and pids: v1 on a hybrid host (a migration), v2 elsewhere */
		cases[nc++] = (struct bcase){.name = "sbx+net+mem+pids",
					     .what = "in-process, memory+pids",
					     .kind = IN_SBX,
					     .ns = SBX_NS_DEFAULT,
					     .limits = {.memory_bytes = 256u << 20, .pids = 64}};
		/* the same, its next cgroups made while the previous one ran */
		cases[nc++] = (struct bcase){.name = "sbx+mem+pids+pre",
					     .what = "in-process, prewarmed",
					     .kind = IN_SBX,
					     .ns = SBX_NS_DEFAULT,
					     .limits = {.memory_bytes = 256u << 20, .pids = 64},
					     .prewarm = 1};
	}
	cases[nc++] = (struct bcase){.name = "true", .what = "whole process", .kind = CMD};
	split(&cases[nc - 1], strcpy(cmds[ci++], "/bin/true"));
	if (have("unshare")) {
		cases[nc++] = (struct bcase){
			.name = "unshare", .what = "whole process, all but net", .kind = CMD};
		split(&cases[nc - 1], strcpy(cmds[ci++], "unshare --user --map-root-user --fork "
							 "--pid --mount --uts --ipc --cgroup "
							 "--mount-proc /bin/true"));
		cases[nc++] = (struct bcase){
			.name = "unshare+net", .what = "whole process, all", .kind = CMD};
		split(&cases[nc - 1], strcpy(cmds[ci++], "unshare --user --map-root-user --fork "
							 "--pid --mount --uts --ipc --cgroup --net "
							 "--mount-proc /bin/true"));
	}
	if (have("bwrap")) {
		cases[nc++] = (struct bcase){
			.name = "bwrap", .what = "whole process, all but net", .kind = CMD};
		split(&cases[nc - 1],
		      strcpy(cmds[ci++], "bwrap --unshare-all --share-net --ro-bind / / "
					 "--dev /dev --proc /proc --tmpfs /tmp /bin/true"));
		cases[nc++] = (struct bcase){
			.name = "bwrap+net", .what = "whole process, all", .kind = CMD};
		split(&cases[nc - 1],
		      strcpy(cmds[ci++], "bwrap --unshare-all --ro-bind / / --dev /dev "
					 "--proc /proc --tmpfs /tmp /bin/true"));
		if (bpf_file) {
			cases[nc++] = (struct bcase){.name = "bwrap+net+bpf",
						     .what = "whole process, the same filter",
						     .kind = CMD,
						     .bpf = bpf_file};
			split(&cases[nc - 1],
			      strcpy(cmds[ci++],
				     "bwrap --unshare-all --ro-bind / / --dev /dev "
				     "--proc /proc --tmpfs /tmp --seccomp 9 /bin/true"));
		}
	}
	if (sandboxd) {
		cases[nc++] = (struct bcase){
			.name = "sandboxd run", .what = "whole process, all but net", .kind = CMD};
		snprintf(cmds[ci], sizeof(cmds[ci]), "%s run %s", sandboxd, spec_nonet);
		split(&cases[nc - 1], cmds[ci++]);
		cases[nc++] = (struct bcase){
			.name = "sandboxd run+net", .what = "whole process, all", .kind = CMD};
		snprintf(cmds[ci], sizeof(cmds[ci]), "%s run %s", sandboxd, spec_all);
		split(&cases[nc - 1], cmds[ci++]);
		if (policy_file) {
			cases[nc++] = (struct bcase){.name = "sandboxd run+pol",
						     .what = "whole process, policy file"};
			cases[nc - 1].kind = CMD;
			snprintf(cmds[ci], sizeof(cmds[ci]), "%s run %s", sandboxd, spec_policy);
			split(&cases[nc - 1], cmds[ci++]);
		}
	}

	for (size_t i = 0; i < nc; i++) {
		struct bcase *c = &cases[i];
		c->t_us = calloc((size_t)rounds * (size_t)batch, sizeof(double));
		c->spawn_us = calloc((size_t)rounds * (size_t)batch, sizeof(double));
		c->round_med = calloc((size_t)rounds, sizeof(double));
		if (c->kind == IN_SBX) {
			const char *a[] = {"/bin/true", NULL};
			c->cfg = sbx_config_new();
			sbx_config_set_exec(c->cfg, NULL, a, NULL);
			sbx_config_set_namespaces(c->cfg, c->ns, NULL);
			if (c->policy)
				sbx_config_set_policy(c->cfg, c->policy, NULL);
			if (c->prewarm)
				sbx_config_prewarm(c->cfg, NULL);
			c->limits.size = sizeof(c->limits);
			sbx_error err;
			if (sbx_config_set_limits(c->cfg, &c->limits, &err) < 0)
				fprintf(stderr, "%s: %s\n", c->name, err.message);
		}
		double ignored;
		for (int w = 0; w < 5; w++) /* warm-up, and check that it works at all */
			if (run_once(c, &ignored) < 0) {
				c->failed = 1;
				fprintf(stderr, "%s: fails here, left out\n", c->name);
				break;
			}
	}
	for (int r = 0; r < rounds; r++) {
		for (size_t j = 0; j < nc; j++) {
			struct bcase *c = &cases[(j + (size_t)r) % nc];
			if (c->failed)
				continue;
			size_t first = c->n;
			for (int k = 0; k < batch; k++) {
				if (gap_ms)
					usleep((useconds_t)gap_ms * 1000);
				double spawned = 0, t = run_once(c, &spawned);
				if (t >= 0) {
					c->spawn_us[c->n] = spawned;
					c->t_us[c->n++] = t;
				}
			}
			c->round_med[r] = pctl(c->t_us + first, c->n - first, 0.5);
		}
	}

	/* ratios round by round, against fork+exec, bwrap+net and (for the
	 * limited cases) the same spawn without limits */
	struct bcase *ref_bwrap = NULL, *ref_sbx = NULL;
	for (size_t i = 0; i < nc; i++) {
		if (!strcmp(cases[i].name, "bwrap+net") && !cases[i].failed)
			ref_bwrap = &cases[i];
		if (!strcmp(cases[i].name, "sbx_spawn+net") && !cases[i].failed)
			ref_sbx = &cases[i];
	}
	FILE *tf = tsv ? fopen(tsv, "w") : NULL;
	if (tf)
		fprintf(tf, "case\twhat\tn\tmedian_us\tp99_us\tx_fork_exec\tx_bwrap_net\t"
			    "extra_us_vs_unlimited\n");
	printf("spawn-to-exit of /bin/true, %d rounds x %d per case%s (ratios: median of per-round "
	       "ratios)\n",
	       rounds, batch, gap_ms ? ", idle before each" : "");
	printf("%-18s %-28s %6s %10s %10s %9s %9s %12s %10s\n", "case", "what", "n", "median_us",
	       "p99_us", "x_fork", "x_bwrap", "+us_vs_sbx", "spawn_us");
	for (size_t i = 0; i < nc; i++) {
		struct bcase *c = &cases[i];
		if (c->failed) {
			printf("%-18s %-28s FAILED\n", c->name, c->what);
			continue;
		}
		double rf[64], rb[64];
		int nr = rounds < 64 ? rounds : 64;
		for (int r = 0; r < nr; r++) {
			rf[r] = c->round_med[r] / cases[0].round_med[r];
			rb[r] = ref_bwrap ? c->round_med[r] / ref_bwrap->round_med[r] : 0;
		}
		double med = pctl(c->t_us, c->n, 0.5), p99 = pctl(c->t_us, c->n, 0.99);
		double xf = pctl(rf, (size_t)nr, 0.5), xb = pctl(rb, (size_t)nr, 0.5);
		/* what limits add: the median of per-round differences */
		double dd[64] = {0}, extra = 0;
		if (ref_sbx && c->kind == IN_SBX && c != ref_sbx && c->ns == ref_sbx->ns) {
			for (int r = 0; r < nr; r++)
				dd[r] = c->round_med[r] - ref_sbx->round_med[r];
			extra = pctl(dd, (size_t)nr, 0.5);
		}
		char ex[32] = "";
		if (extra != 0)
			snprintf(ex, sizeof(ex), "%+.0f", extra);
		char sp[32] = "";
		if (c->kind == IN_SBX)
			snprintf(sp, sizeof(sp), "%.0f", pctl(c->spawn_us, c->n, 0.5));
		printf("%-18s %-28s %6zu %10.0f %10.0f %9.2f %9.2f %12s %10s\n", c->name, c->what,
		       c->n, med, p99, xf, xb, ex, sp);
		if (tf)
			fprintf(tf, "%s\t%s\t%zu\t%.1f\t%.1f\t%.3f\t%.3f\t%.1f\n", c->name, c->what,
				c->n, med, p99, xf, xb, extra);
		sbx_config_free(c->cfg);
		sbx_policy_free(c->policy);
	}
	if (tf)
		fclose(tf);
	unlink(spec_all);
	unlink(spec_nonet);
	unlink(spec_policy);
	rmdir(dir);
	return 0;
}
