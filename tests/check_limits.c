/* Live tests of limits and verdicts. Every abuse test has a second backstop
 * besides the limit under test (an rlimit, a wall-time limit), so that a
 * broken limit fails the test instead of hurting the machine. Each test
 * checks afterwards that no sandbox cgroup, fd or child is left. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})
#define MB (1024u * 1024u)

static void set_limits(sbx_config *c, sbx_limits l)
{
	sbx_error err;
	l.size = sizeof(l);
	ck_assert_msg(sbx_config_set_limits(c, &l, &err) == 0, "%s", err.message);
}

static void rlimit(sbx_config *c, int res, uint64_t v)
{
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_rlimit(c, res, v, v, &err), 0);
}

/* SBX_EXPECT_CGROUPS ("memory:v2 pids:v2 ..."; the kernel lane sets it):
 * every mechanism the result names came from where that list says, so a
 * lane test cannot pass on some other hierarchy than the one it is for. */
static void expect_cgroups(const sbx_result *r)
{
	const char *want = getenv("SBX_EXPECT_CGROUPS");
	for (const char *w = want; w && *w;) {
		size_t n = strcspn(w, " ");
		size_t m = strcspn(w, ":");
		char mech[32], tok[64];
		snprintf(mech, sizeof(mech), "%.*s:", (int)(m < n ? m : n), w);
		snprintf(tok, sizeof(tok), "%.*s", (int)n, w);
		const char *at = strstr(r->cgroups, mech);
		if (at)
			ck_assert_msg(!strncmp(at, tok, n) && (at[n] == ' ' || !at[n]),
				      "cgroups \"%s\": expected %s", r->cgroups, tok);
		w += n;
		w += strspn(w, " ");
	}
}

static sbx_result run(sbx_config *c)
{
	sbx_error err;
	sbx_proc *p = NULL;
	ck_assert_msg(sbx_spawn(c, &p, &err) == 0, "spawn: %s", err.message);
	sbx_result r = {.size = sizeof(r)};
	ck_assert_msg(sbx_wait(p, 60000, &r, &err) == 0, "wait: %s", err.message);
	sbx_proc_free(p);
	expect_cgroups(&r);
	return r;
}

START_TEST(memory_bomb_gets_memory_limit)
{
	REQUIRE_ROOT();
	sbx_config *c = probe_config(Q("alloc", "1024", "exit", "0"));
	set_limits(c, (sbx_limits){.memory_bytes = 64 * MB, .wall_time_ms = 20000});
	rlimit(c, RLIMIT_AS, 2048ull * MB); /* backstop */
	sbx_result r = run(c);
	ck_assert_str_eq(sbx_status_name(r.status), "memory-limit");
	ck_assert_uint_ge(r.oom_kills, 1);
	ck_assert(r.measured & SBX_MEASURED_MEMORY);
	ck_assert_uint_le(r.memory_peak_bytes, 64 * MB);
	ck_assert_uint_ge(r.memory_peak_bytes, 32 * MB);
	ck_assert_ptr_nonnull(strstr(r.cgroups, "memory:"));
	sbx_config_free(c);
}
END_TEST

START_TEST(within_memory_limit_is_ok)
{
	REQUIRE_ROOT();
	sbx_config *c = probe_config(Q("alloc", "16", "exit", "0"));
	set_limits(c, (sbx_limits){.memory_bytes = 64 * MB});
	sbx_result r = run(c);
	ck_assert_str_eq(sbx_status_name(r.status), "ok");
	ck_assert_uint_eq(r.oom_kills, 0);
	ck_assert_uint_ge(r.memory_peak_bytes, 16 * MB);
	sbx_config_free(c);
}
END_TEST

START_TEST(fork_bomb_is_held_at_pids_max)
{
	REQUIRE_ROOT();
	sbx_config *c = probe_config(Q("forkbomb"));
	set_limits(c, (sbx_limits){.pids = 32, .wall_time_ms = 1500});
	rlimit(c, RLIMIT_NPROC, 400); /* backstop */
	sbx_result r = run(c);
	ck_assert_str_eq(sbx_status_name(r.status), "wall-time-limit");
	ck_assert(r.measured & SBX_MEASURED_PIDS);
	ck_assert_uint_le(r.pids_peak, 32);
	ck_assert_uint_ge(r.pids_peak, 16); /* it did fork */
	sbx_config_free(c);
}
END_TEST

/* Time the hypervisor gave this machine's CPUs to others, all CPUs together
 * (the "steal" column of /proc/stat), in ms. */
static uint64_t steal_ms(void)
{
	FILE *f = fopen("/proc/stat", "re");
	ck_assert_ptr_nonnull(f);
	unsigned long long v[8] = {0};
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		       &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	ck_assert_int_eq(n, 8);
	return v[7] * 1000 / (uint64_t)sysconf(_SC_CLK_TCK);
}

static void cpu_case(const char *spinners)
{
	sbx_config *c = probe_config(Q("spinners", spinners));
	set_limits(c, (sbx_limits){.cpu_time_ms = 1000, .wall_time_ms = 15000 /* backstop */});
	uint64_t steal = steal_ms();
	sbx_result r = run(c);
	steal = steal_ms() - steal;
	ck_assert_str_eq(sbx_status_name(r.status), "cpu-time-limit");
	ck_assert(r.measured & SBX_MEASURED_CPU);
	uint64_t ms = (r.cpu_user_us + r.cpu_sys_us) / 1000;
	/* Within 10% of the limit: all processes together, not each. On a
	 * virtual machine whose CPUs the hypervisor takes away now and then
	 * (this one: up to 1.8 s in a 1 s run), the watcher can be off CPU
	 * while the spinners run on another: as much again is allowed (a budget
	 * per process, 4 x 1000 ms and more, still fails unless more than
	 * 2.9 s were stolen). */
	ck_assert_msg(ms >= 1000 && ms <= 1100 + steal,
		      "%s spinners used %llu ms of CPU (%llu ms stolen meanwhile)", spinners,
		      (unsigned long long)ms, (unsigned long long)steal);
	if (ms > 1100)
		fprintf(stderr, "NOTE %s spinners used %llu ms of CPU, %llu ms stolen meanwhile\n",
			spinners, (unsigned long long)ms, (unsigned long long)steal);
	sbx_config_free(c);
}

START_TEST(cpu_spin_gets_cpu_time_limit)
{
	REQUIRE_ROOT();
	cpu_case("0");
}
END_TEST

START_TEST(four_spinners_share_one_budget)
{
	REQUIRE_ROOT();
	cpu_case("4");
}
END_TEST

START_TEST(sleep_gets_wall_time_limit)
{
	/* no cgroup needed: the pid namespace ends the sandbox */
	sbx_config *c = probe_config(Q("sleep", "20000"));
	set_limits(c, (sbx_limits){.wall_time_ms = 300});
	uint64_t steal = steal_ms();
	sbx_result r = run(c);
	steal = steal_ms() - steal; /* see cpu_case */
	ck_assert_str_eq(sbx_status_name(r.status), "wall-time-limit");
	ck_assert_uint_ge(r.wall_us, 300000);
	ck_assert_uint_lt(r.wall_us, 1300000 + steal * 1000);
	sbx_config_free(c);
}
END_TEST

/* A double-forked daemon must not outlive its sandbox, with or without a
 * pid namespace. */
static void daemon_case(unsigned ns)
{
	sbx_config *c = probe_config(Q("daemon", "sleep", "200", "exit", "0"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_namespaces(c, ns, &err), 0);
	set_limits(c, (sbx_limits){.wall_time_ms = 20000});
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *p = NULL;
	ck_assert_msg(sbx_spawn(c, &p, &err) == 0, "%s", err.message);
	char out[256] = "";
	size_t len = 0;
	while (!strchr(out, '\n')) { /* the daemon keeps stdout open: no EOF */
		ssize_t n = read(sbx_proc_stdio(p, 1), out + len, sizeof(out) - 1 - len);
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
		out[len] = 0;
	}
	const char *v = probe_value(out, "daemon");
	ck_assert_ptr_nonnull(v);
	int watch = -1;
	if (!(ns & SBX_NS_PID)) { /* a host pid we can watch */
		watch = (int)syscall(SYS_pidfd_open, atoi(v), 0);
		ck_assert_int_ge(watch, 0);
	}
	sbx_result r = {.size = sizeof(r)};
	ck_assert_int_eq(sbx_wait(p, 20000, &r, &err), 0);
	ck_assert_str_eq(sbx_status_name(r.status), "ok");
	ck_assert_uint_lt(r.wall_us, 5000000); /* did not wait for the daemon's 60 s */
	if (watch >= 0) {
		struct pollfd pfd = {.fd = watch, .events = POLLIN};
		ck_assert_msg(poll(&pfd, 1, 0) == 1, "the daemon outlived its sandbox");
		close(watch);
	}
	sbx_proc_free(p);
	sbx_config_free(c);
}

START_TEST(daemon_dies_with_the_sandbox)
{
	daemon_case(SBX_NS_DEFAULT);
}
END_TEST

START_TEST(daemon_dies_with_the_sandbox_without_pid_namespace)
{
	REQUIRE_ROOT(); /* the cgroup kill */
	daemon_case(SBX_NS_DEFAULT & ~SBX_NS_PID);
}
END_TEST

static void output_case(const char *bytes, uint64_t cap, const char *status, uint64_t delivered)
{
	char dir[128], path[160];
	test_mkdtemp(dir, sizeof(dir), "out", false);
	snprintf(path, sizeof(path), "%s/out", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	sbx_config *c = probe_config(Q("flood", bytes));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_RELAY, fd, &err), 0);
	set_limits(c, (sbx_limits){.output_bytes = cap, .wall_time_ms = 20000});
	sbx_result r = run(c);
	ck_assert_str_eq(sbx_status_name(r.status), status);
	ck_assert_uint_eq(r.output_bytes, delivered);
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)delivered);
	close(fd);
	unlink(path);
	rmdir(dir);
	sbx_config_free(c);
}

START_TEST(output_flood_is_capped)
{
	output_case("50000000", 10000, "output-limit", 10000);
}
END_TEST

START_TEST(output_exactly_at_the_cap_is_fine)
{
	output_case("10000", 10000, "ok", 10000);
}
END_TEST

START_TEST(device_filter)
{
	REQUIRE_ROOT();
	/* host uid 0 seeing the host's /dev: /dev/loop0 opens by file
	 * permission alone, so only the device cgroup stands in the way */
	sbx_config *c = probe_config(Q("open", "/dev/loop0", "open", "/dev/null"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_PID | SBX_NS_IPC | SBX_NS_NET, &err),
			 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	expect_cgroups(&r);
	ck_assert_ptr_nonnull(strstr(out, "open=EPERM\nopen=ok\n"));
	free(out);
	/* a rule can let it through */
	ck_assert_int_eq(sbx_config_add_device_rule(c, 1, 'b', 7, 0, "r", &err), 0);
	out = run_capture(c, &r);
	ck_assert_ptr_nonnull(strstr(out, "open=ok\nopen=ok\n"));
	free(out);
	/* Regression: a deny-all rule, as podman's specs start with, left the
	 * final "deny" unreachable and the kernel refused the program. The
	 * default devices still win over it. */
	ck_assert_int_eq(sbx_config_add_device_rule(c, 0, 'a', -1, -1, "rwm", &err), 0);
	out = run_capture(c, &r);
	ck_assert_msg(strstr(out, "open=EPERM\nopen=ok\n"), "%s", out);
	free(out);
	sbx_config_free(c);
}
END_TEST

START_TEST(rlimits_are_applied)
{
	char nofile[8], core[8], nproc[8];
	snprintf(nofile, sizeof(nofile), "%d", RLIMIT_NOFILE);
	snprintf(core, sizeof(core), "%d", RLIMIT_CORE);
	snprintf(nproc, sizeof(nproc), "%d", RLIMIT_NPROC);
	sbx_config *c = probe_config(
		Q("rlimit", nofile, "rlimit", core, "rlimit", nproc, "fsize", "100000"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_rlimit(c, RLIMIT_NOFILE, 64, 128, &err), 0);
	ck_assert_int_eq(sbx_config_set_rlimit(c, RLIMIT_FSIZE, 8192, 8192, &err), 0);
	ck_assert_int_eq(sbx_config_set_rlimit(c, RLIMIT_NOFILE, 9, 8, &err), -EINVAL);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_ptr_nonnull(strstr(out, "rlimit=64 128\n"));
	ck_assert_ptr_nonnull(strstr(out, "rlimit=0 0\n")); /* no core dumps by default */
	ck_assert_ptr_nonnull(strstr(out, "fsize=EFBIG after 8192\n"));
	free(out);
	sbx_config_free(c);
}
END_TEST

START_TEST(limits_that_cannot_be_enforced_are_errors)
{
	REQUIRE_NONROOT(); /* as root every controller here is available */
	sbx_config *c = probe_config(Q("exit", "0"));
	set_limits(c, (sbx_limits){.memory_bytes = 64 * MB});
	sbx_error err;
	sbx_proc *p = NULL;
	ck_assert_int_eq(sbx_spawn(c, &p, &err), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err.message, "memory limit: cannot be enforced here"));
	/* best effort: it runs, and the result says what was not applied */
	set_limits(c, (sbx_limits){.memory_bytes = 64 * MB,
				   .pids = 10,
				   .wall_time_ms = 5000,
				   .best_effort = SBX_LIMIT_MEMORY | SBX_LIMIT_PIDS});
	sbx_result r = run(c);
	ck_assert_str_eq(sbx_status_name(r.status), "ok");
	ck_assert_uint_eq(r.limits_not_applied, SBX_LIMIT_MEMORY | SBX_LIMIT_PIDS);
	sbx_config_free(c);
}
END_TEST

START_TEST(output_limit_needs_a_relay)
{
	sbx_config *c = probe_config(Q("exit", "0"));
	set_limits(c, (sbx_limits){.output_bytes = 10});
	sbx_error err;
	sbx_proc *p = NULL;
	ck_assert_int_eq(sbx_spawn(c, &p, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "SBX_STDIO_RELAY"));
	sbx_config_free(c);
}
END_TEST

START_TEST(failed_spawn_removes_its_cgroups)
{
	REQUIRE_ROOT();
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q("/nonexistent"), &err), 0);
	set_limits(c, (sbx_limits){.memory_bytes = 64 * MB, .pids = 10, .cpu_time_ms = 1000});
	sbx_proc *p = NULL;
	ck_assert_int_eq(sbx_spawn(c, &p, &err), -ENOENT);
	ck_assert_int_eq(count_sandbox_cgroups(), 0);
	sbx_config_free(c);
}
END_TEST

/* OCI create: a sandbox set up and waiting at its start gate, handed over
 * with named cgroups that sbx_gc leaves alone and sbx_cgroup_remove ends. */
START_TEST(detached_sandbox_keeps_its_named_cgroups)
{
	REQUIRE_ROOT();
	char dir[128], fifo[160], name[64];
	test_mkdtemp(dir, sizeof(dir), "gate", true);
	snprintf(fifo, sizeof(fifo), "%s/gate", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	int gate = open(fifo, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(gate, 0);
	sbx_config *c = probe_config(Q("sleep", "60000"));
	sbx_error err;
	set_limits(c, (sbx_limits){.memory_bytes = 64 * MB, .pids = 8});
	int not_fifo = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(sbx_config_set_start_gate(c, not_fifo, &err), -EINVAL);
	close(not_fifo);
	ck_assert_int_eq(sbx_config_set_start_gate(c, gate, &err), 0);
	ck_assert_int_eq(sbx_config_set_parent_death_signal(c, 0, &err), 0);

	/* made-up names: refused, the handle stays usable */
	sbx_proc *p = NULL;
	ck_assert_msg(sbx_spawn(c, &p, &err) == 0, "%s", err.message);
	char dirs[4096];
	ck_assert_int_eq(sbx_proc_detach(p, dirs, sizeof(dirs), &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "sbx_config_set_cgroup_name"));
	sbx_proc_free(p);
	ck_assert_int_eq(count_sandbox_cgroups(), 0);

	snprintf(name, sizeof(name), "sbxtest-%d", (int)getpid());
	ck_assert_int_eq(sbx_config_set_cgroup_name(c, "sbx-1", &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_cgroup_name(c, name, &err), 0);
	ck_assert_msg(sbx_spawn(c, &p, &err) == 0, "%s", err.message);
	pid_t pid = sbx_proc_pid(p);
	ck_assert_int_eq(sbx_proc_detach(p, dirs, sizeof(dirs), &err), 0);
	ck_assert_msg(strstr(dirs, name), "%s", dirs);
	/* a second sandbox of that name while the first lives: refused */
	ck_assert_int_eq(sbx_spawn(c, &p, &err), -EEXIST);
	sbx_config_free(c);

	/* still waiting; gc leaves it; the byte starts it */
	ck_assert_int_eq(sbx_gc(NULL, &err), 0);
	char procs[256];
	for (const char *l = dirs; *l; l = strchr(l, '\n') + 1) {
		snprintf(procs, sizeof(procs), "%.*s/cgroup.procs", (int)strcspn(l, "\n"), l);
		ck_assert_msg(access(procs, F_OK) == 0, "gc took %s", procs);
	}
	ck_assert_int_eq(write(gate, "s", 1), 1);
	close(gate);
	ck_assert_int_eq(kill(pid, 0), 0);

	/* removal ends every process and the cgroups */
	for (const char *l = dirs; *l; l = strchr(l, '\n') + 1) {
		char d[256];
		snprintf(d, sizeof(d), "%.*s", (int)strcspn(l, "\n"), l);
		ck_assert_msg(sbx_cgroup_remove(d, &err) == 0, "%s", err.message);
		ck_assert_int_ne(access(d, F_OK), 0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, __WALL), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_eq(sbx_cgroup_remove("/etc", &err), -EINVAL);
	/* a ".." would lead to a hierarchy's root and every process in it */
	ck_assert_int_eq(sbx_cgroup_remove("/sys/fs/cgroup/memory/x/..", &err), -EINVAL);
	ck_assert_int_eq(sbx_cgroup_remove("/sys/fs/cgroup/pids/./x", &err), -EINVAL);
	ck_assert_int_eq(sbx_cgroup_remove("/sys/fs/cgroup/pids//x", &err), -EINVAL);
	/* nor a hierarchy's root, on a v1, hybrid or pure v2 host */
	static const char *const roots[] = {"/sys/fs/cgroup/", "/sys/fs/cgroup/memory",
					    "/sys/fs/cgroup/unified"};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		bool was = access(roots[i], F_OK) == 0;
		int r = sbx_cgroup_remove(roots[i], &err);
		ck_assert_msg(r == -EINVAL || (!was && r == 0), "%s: %d", roots[i], r);
		ck_assert_int_eq(access(roots[i], F_OK) == 0, was);
	}
	unlink(fifo);
	rmdir(dir);
}
END_TEST

static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

START_TEST(gc_removes_only_dead_owners_cgroups)
{
	REQUIRE_ROOT();
	/* tests/cli.sh collects too: one at a time (released at exit) */
	const char *lock = getenv("SBX_GC_LOCK");
	int lfd = lock ? open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
	if (lfd >= 0)
		ck_assert_int_eq(flock(lfd, LOCK_EX), 0);
	char v2[1200];
	ck_assert_msg(own_v2_cgroup_dir(v2, sizeof(v2)), "no cgroup2 mounted");
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	unsigned long long dead_start = start_time(child);
	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	char stale[1300], live[1300];
	snprintf(stale, sizeof(stale), "%s/sbx-%d-%llu-0123456789abcdef", v2, child, dead_start);
	snprintf(live, sizeof(live), "%s/sbx-%d-%llu-fedcba9876543210", v2, getpid(),
		 start_time(getpid()));
	ck_assert_int_eq(mkdir(stale, 0755), 0);
	ck_assert_int_eq(mkdir(live, 0755), 0);
	unsigned removed = 0;
	sbx_error err;
	ck_assert_int_eq(sbx_gc(&removed, &err), 0);
	/* a concurrent sandboxd run may have collected it first: what matters
	 * is that it is gone and the live one is not */
	ck_assert_int_eq(access(stale, F_OK), -1);
	ck_assert_int_eq(access(live, F_OK), 0);
	ck_assert_int_eq(rmdir(live), 0);
	if (lfd >= 0)
		close(lfd);
}
END_TEST

/* A prewarmed configuration: each sandbox is born in cgroups made while the
 * previous one ran (where they are v1: on v2 there is nothing to gain), the
 * pids limit is exact though a helper stood in the cgroup first, and a spare
 * made for other limits is not used. */
START_TEST(prewarmed_sandbox_is_born_in_its_cgroups)
{
	REQUIRE_ROOT();
	sbx_config *c = probe_config(Q("cgroup", "forkn", "20"));
	/* no cgroup namespace: the probe sees where it is from the host's view */
	ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_DEFAULT & ~SBX_NS_CGROUP, NULL), 0);
	set_limits(c, (sbx_limits){.memory_bytes = 64u << 20, .pids = 8, .wall_time_ms = 20000});
	rlimit(c, RLIMIT_NPROC, 400); /* backstop */
	sbx_error err;
	ck_assert_int_eq(sbx_config_prewarm(c, &err), 0);
	char spare[128];
	if (!v1_sandbox_cgroup(spare)) {
		fprintf(stderr,
			"SKIP %s: no cgroup v1 controller is used here, so no spare is made\n",
			__func__);
		ck_assert_int_eq(count_sandbox_cgroups(), 0);
		sbx_config_free(c);
		return;
	}
	sbx_result r = {.size = sizeof(r)};
	char *out = run_capture(c, &r);
	ck_assert_msg(strstr(out, spare), "not born in the spare %s:\n%s", spare, out);
	ck_assert_msg(strstr(out, "forked=7\n"), "pids limit 8 not exact:\n%s", out);
	ck_assert_str_eq(sbx_status_name(r.status), "ok");
	ck_assert(r.measured & SBX_MEASURED_MEMORY);
	ck_assert(!(r.measured & SBX_MEASURED_PIDS)); /* the helper was counted */
	free(out);

	/* the next one was made while that one ran */
	char next[128];
	ck_assert(v1_sandbox_cgroup(next));
	ck_assert_str_ne(next, spare);
	out = run_capture(c, &r);
	ck_assert_msg(strstr(out, next), "not born in the spare %s:\n%s", next, out);
	free(out);

	/* made for a limit of 8: a spawn with a limit of 4 makes its own */
	ck_assert(v1_sandbox_cgroup(next));
	set_limits(c, (sbx_limits){.memory_bytes = 64u << 20, .pids = 4, .wall_time_ms = 20000});
	out = run_capture(c, &r);
	ck_assert_msg(!strstr(out, next), "a stale spare was used:\n%s", out);
	ck_assert_msg(strstr(out, "forked=3\n"), "pids limit 4 not exact:\n%s", out);
	free(out);
	sbx_config_free(c); /* the last spare goes with it: the fixture checks */
}
END_TEST

/* Regression: a spare's helper shares our descriptor table and is killed
 * when the configuration goes, often while it waits in its move into the
 * cgroups; whatever it had opened stayed open in the caller. */
START_TEST(freeing_a_prewarmed_configuration_leaks_nothing)
{
	REQUIRE_ROOT();
	for (int i = 0; i < 20; i++) {
		int before = count_fds();
		sbx_config *c = probe_config(Q("exit", "0"));
		set_limits(c, (sbx_limits){.memory_bytes = 64u << 20, .pids = 8});
		ck_assert_int_eq(sbx_config_prewarm(c, NULL), 0);
		char spare[128];
		if (i == 0 && !v1_sandbox_cgroup(spare)) {
			fprintf(stderr, "SKIP %s: no cgroup v1 controller is used here\n",
				__func__);
			sbx_config_free(c);
			return;
		}
		if (i % 2) /* sometimes after the move, mostly during it */
			usleep(30000);
		sbx_config_free(c);
		ck_assert_msg(count_fds() == before, "round %d: %d descriptors, %d before", i,
			      count_fds(), before);
	}
}
END_TEST

START_TEST(status_names)
{
	static const char *const want[] = {
		"ok",		"nonzero-exit", "signaled",    "cpu-time-limit", "wall-time-limit",
		"memory-limit", "output-limit", "setup-error", "policy-kill"};
	for (int i = 0; i < 9; i++)
		ck_assert_str_eq(sbx_status_name(i), want[i]);
	ck_assert_ptr_null(sbx_status_name(9));
	ck_assert_ptr_null(sbx_status_name(-1));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("limits");
	TCase *t = tcase_create("limits");
	tcase_add_checked_fixture(t, leak_setup, leak_teardown);
	tcase_set_timeout(t, 90);
	tcase_add_test(t, memory_bomb_gets_memory_limit);
	tcase_add_test(t, within_memory_limit_is_ok);
	tcase_add_test(t, fork_bomb_is_held_at_pids_max);
	tcase_add_test(t, cpu_spin_gets_cpu_time_limit);
	tcase_add_test(t, four_spinners_share_one_budget);
	tcase_add_test(t, sleep_gets_wall_time_limit);
	tcase_add_test(t, daemon_dies_with_the_sandbox);
	tcase_add_test(t, daemon_dies_with_the_sandbox_without_pid_namespace);
	tcase_add_test(t, output_flood_is_capped);
	tcase_add_test(t, output_exactly_at_the_cap_is_fine);
	tcase_add_test(t, device_filter);
	tcase_add_test(t, rlimits_are_applied);
	tcase_add_test(t, limits_that_cannot_be_enforced_are_errors);
	tcase_add_test(t, output_limit_needs_a_relay);
	tcase_add_test(t, failed_spawn_removes_its_cgroups);
	tcase_add_test(t, gc_removes_only_dead_owners_cgroups);
	tcase_add_test(t, status_names);
	tcase_add_test(t, prewarmed_sandbox_is_born_in_its_cgroups);
	tcase_add_test(t, freeing_a_prewarmed_configuration_leaks_nothing);
	tcase_add_test(t, detached_sandbox_keeps_its_named_cgroups);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	skip_all_unless_sandboxes_work();
	return run_suite(suite());
}
