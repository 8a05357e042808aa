/* Live tests of seccomp: every action observed in a real sandbox (the errno
 * value, SIGSYS, a trap handler's siginfo, a log record, a notification the
 * caller answers), argument conditions enforced by the kernel on both sides
 * of each boundary, the other ABIs killed, container-default against real
 * escape attempts, strict mode allowing exactly its four calls, and
 * function workers. Run as root and (by tests/unpriv.sh) as nobody. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})

static sbx_policy *policy(const char *text)
{
	sbx_policy *p = NULL;
	sbx_error err;
	int r = sbx_policy_parse(text, "test.policy", NULL, &p, &err);
	ck_assert_msg(r == 0, "%s", err.message);
	return p;
}

static sbx_policy *shipped(const char *name)
{
	const char *dir = getenv("SANDBOXD_POLICY_DIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.policy", dir ? dir : "policies", name);
	sbx_policy *p = NULL;
	sbx_error err;
	int r = sbx_policy_load(path, NULL, &p, &err);
	ck_assert_msg(r == 0, "%s", err.message);
	return p;
}

/* The probe with `queries` under `p` (NULL: none); output and result. */
static char *run_under(sbx_policy *p, const char *const *queries, sbx_result *res)
{
	sbx_config *c = probe_config(queries);
	sbx_error err;
	if (p)
		ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	char *out = run_capture(c, res);
	sbx_config_free(c);
	return out;
}

/* The same with a policy given as text. */
static char *run_text(const char *text, const char *const *queries, sbx_result *res)
{
	sbx_policy *p = policy(text);
	char *out = run_under(p, queries, res);
	sbx_policy_free(p);
	return out;
}

static void has(const char *out, const char *line)
{
	ck_assert_msg(strstr(out, line), "want \"%s\" in:\n%s", line, out);
}

static void lacks(const char *out, const char *line)
{
	ck_assert_msg(!strstr(out, line), "did not want \"%s\" in:\n%s", line, out);
}

/* ---------------------------------------------------------------- actions */

START_TEST(errno_action_returns_the_value)
{
	sbx_result res = {.size = sizeof(res)};
	char *out = run_text("default allow\nerrno 42 getppid\nerrno ENOSYS getuid\n",
			     Q("sys", "110", "sys", "102", "sys", "39"), &res);
	has(out, "sys=errno:ENOMSG\nsys=errno:ENOSYS\nsys=");
	lacks(out, "sys=errno:ENOSYS\nsys=errno:");
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_int_eq(res.status, SBX_STATUS_OK);
	free(out);
}
END_TEST

START_TEST(kill_process_is_sigsys)
{
	sbx_result res = {.size = sizeof(res)};
	char *out = run_text("default allow\nkill-process getppid\n",
			     Q("ready", "sys", "110", "sys", "39"), &res);
	has(out, "ready=1\n");
	lacks(out, "sys=");
	ck_assert_int_eq(res.signal, SIGSYS);
	ck_assert_int_eq(res.status, SBX_STATUS_POLICY_KILL);
	ck_assert_str_eq(sbx_status_name(res.status), "policy-kill");
	free(out);
}
END_TEST

START_TEST(kill_thread_ends_only_the_thread)
{
	sbx_result res = {.size = sizeof(res)};
	char *out = run_text("default allow\nkill-thread getppid\n",
			     Q("thread-sys", "110", "sys", "39"), &res);
	has(out, "thread-sys=joined\nsys=");
	ck_assert_int_eq(res.exit_code, 0);
	free(out);
}
END_TEST

START_TEST(trap_reaches_the_handler)
{
	sbx_result res = {.size = sizeof(res)};
	char *out = run_text("default allow\ntrap getppid\n", Q("trap", "110", "sys", "39"), &res);
	has(out, "trap=nr:110 arch:0xc000003e data:0\nsys=");
	ck_assert_int_eq(res.exit_code, 0);
	free(out);
}
END_TEST

/* The kernel writes a log action's record through audit. It is read here
 * from audit's multicast group (root, CAP_AUDIT_READ), which unlike the
 * kernel log's copy is not rate-limited away when a test run kills many
 * processes. */
static int audit_listen(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl a = {.nl_family = AF_NETLINK,
				.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static bool audit_record(int fd, const char *const *want, size_t n)
{
	for (int tries = 0; tries < 200; tries++) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 10) != 1)
			continue;
		char buf[8192];
		ssize_t len = recv(fd, buf, sizeof(buf) - 1, 0);
		if (len <= (ssize_t)NLMSG_HDRLEN)
			continue;
		buf[len] = 0;
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		if (h->nlmsg_type != AUDIT_SECCOMP)
			continue;
		const char *text = buf + NLMSG_HDRLEN;
		size_t k = 0;
		while (k < n && strstr(text, want[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* Runs the probe's getppid under `text`, checks that the call came back
 * (`denied`: with EPERM), and returns its pid. */
static pid_t run_getppid(const char *text, bool denied);

START_TEST(log_action_leaves_a_record)
{
	REQUIRE_ROOT();
	int afd = audit_listen();
	if (afd < 0) {
		fprintf(stderr, "SKIP %s: cannot join audit's read-log group here (%s)\n", __func__,
			strerror(-afd));
		return;
	}
	pid_t pid = run_getppid("default allow\nlog getppid\n", false);
	char who[32];
	snprintf(who, sizeof(who), " pid=%d ", (int)pid);
	const char *want[] = {who, " syscall=110 ", " code=0x7ffc0000"};
	ck_assert_msg(audit_record(afd, want, 3), "no audit record of the logged getppid of pid %d",
		      (int)pid);

	/* log-denials: an errno action is logged too (the code is the action,
	 * SECCOMP_RET_ERRNO, without its value) */
	pid = run_getppid("default allow\nlog-denials\nerrno EPERM getppid\n", true);
	snprintf(who, sizeof(who), " pid=%d ", (int)pid);
	const char *want2[] = {who, " syscall=110 ", " code=0x50000"};
	ck_assert_msg(audit_record(afd, want2, 3),
		      "no audit record of the denied getppid of pid %d", (int)pid);
	close(afd);
}
END_TEST

static pid_t run_getppid(const char *text, bool denied)
{
	sbx_policy *p = policy(text);
	sbx_config *c = probe_config(Q("sys", "110"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *proc = NULL;
	ck_assert_int_eq(sbx_spawn(c, &proc, &err), 0);
	pid_t pid = sbx_proc_pid(proc);
	char out[256];
	read_to_eof(sbx_proc_stdio(proc, 1), out, sizeof(out));
	sbx_result res = {.size = sizeof(res)};
	ck_assert_int_eq(sbx_wait(proc, -1, &res, &err), 0);
	ck_assert_msg(strstr(out, denied ? "sys=errno:EPERM" : "sys=") &&
			      (denied || !strstr(out, "errno")),
		      "%s", out);
	sbx_proc_free(proc);
	sbx_config_free(c);
	sbx_policy_free(p);
	return pid;
}

/* The caller gets the notification and answers it: the sandboxed call
 * returns what the caller said, and never ran. */
START_TEST(notify_is_answered_by_the_caller)
{
	sbx_policy *p = policy("default allow\nnotify getppid\n");
	sbx_config *c = probe_config(Q("sys", "110", "7", "sys", "110", "8"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *proc = NULL;
	ck_assert_int_eq(sbx_spawn(c, &proc, &err), 0);
	int nfd = sbx_proc_notify_fd(proc);
	ck_assert_int_ge(nfd, 0);
	for (int i = 0; i < 2; i++) {
		struct pollfd pfd = {.fd = nfd, .events = POLLIN};
		ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
		struct seccomp_notif req;
		memset(&req, 0, sizeof(req));
		ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
		ck_assert_int_eq(req.data.nr, SYS_getppid);
		ck_assert_uint_eq(req.data.args[0], 7 + (uint64_t)i);
		ck_assert_int_eq((pid_t)req.pid, sbx_proc_pid(proc));
		struct seccomp_notif_resp resp = {.id = req.id};
		if (i == 0)
			resp.val = 4242;
		else
			resp.error = -EDOM;
		ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
	}
	char out[256];
	read_to_eof(sbx_proc_stdio(proc, 1), out, sizeof(out));
	has(out, "sys=4242\nsys=errno:EDOM\n");
	sbx_result res = {.size = sizeof(res)};
	ck_assert_int_eq(sbx_wait(proc, -1, &res, &err), 0);
	ck_assert_int_eq(res.exit_code, 0);
	sbx_proc_free(proc);
	sbx_config_free(c);
	sbx_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------- conditions */

/* Each comparison in the kernel, on both sides of the boundary and with
 * high bits set (the filter compares 64 bits). */
START_TEST(conditions_on_both_sides_of_each_boundary)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "& 0xf0 =="};
	static const char *const vals[] = {
		"99",	 "100", "101", "0", "4294967396", "0x1000000064", "0xffffffffffffffff",
		"0x164", "0x6f"};
	for (size_t o = 0; o < sizeof(ops) / sizeof(*ops); o++) {
		char text[128];
		snprintf(text, sizeof(text), "default allow\nerrno 42 getppid if arg0 %s %s\n",
			 ops[o], o == 6 ? "0x60" : "100");
		sbx_policy *p = policy(text);
		/* "sys" "110" VALUE for each value */
		const char *argv[3 * 9 + 1];
		for (size_t k = 0; k < 9; k++) {
			argv[3 * k] = "sys";
			argv[3 * k + 1] = "110";
			argv[3 * k + 2] = vals[k];
		}
		argv[27] = NULL;
		sbx_result res = {.size = sizeof(res)};
		char *out = run_under(p, argv, &res);
		ck_assert_int_eq(res.exit_code, 0);
		const char *line = out;
		for (size_t k = 0; k < 9; k++) {
			uint64_t a = strtoull(vals[k], NULL, 0), v = o == 6 ? 0x60 : 100;
			bool hit = o == 0   ? a == v
				   : o == 1 ? a != v
				   : o == 2 ? a < v
				   : o == 3 ? a <= v
				   : o == 4 ? a > v
				   : o == 5 ? a >= v
					    : (a & 0xf0) == v;
			ck_assert_ptr_nonnull(line);
			bool denied = !strncmp(line, "sys=errno:ENOMSG", 16);
			ck_assert_msg(denied == hit, "arg0 %s %llu with %s: %s", ops[o],
				      (unsigned long long)v, vals[k], hit ? "allowed" : "denied");
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
		free(out);
		sbx_policy_free(p);
	}
}
END_TEST

/* ---------------------------------------------------------------- other ABIs */

START_TEST(x32_and_i386_calls_are_killed)
{
	/* without a filter both attempts are real: x32 is not built into this
	 * kernel (ENOSYS), the i386 ABI is (getpid answers) */
	sbx_result res = {.size = sizeof(res)};
	char *out = run_under(NULL, Q("x32", "39", "int80", "20"), &res);
	has(out, "x32=errno:ENOSYS\nint80=");
	lacks(out, "int80=errno");
	free(out);

	sbx_policy *p = policy("default allow\n");
	out = run_under(p, Q("ready", "x32", "39"), &res);
	has(out, "ready=1\n");
	lacks(out, "x32=");
	ck_assert_int_eq(res.signal, SIGSYS);
	free(out);
	out = run_under(p, Q("ready", "int80", "20"), &res);
	has(out, "ready=1\n");
	lacks(out, "int80=");
	ck_assert_int_eq(res.signal, SIGSYS);
	ck_assert_int_eq(res.status, SBX_STATUS_POLICY_KILL);
	free(out);
	sbx_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------- container-default */

START_TEST(container_default_stops_escape_attempts)
{
	sbx_policy *p = shipped("container-default");
	sbx_result res = {.size = sizeof(res)};
	char *out =
		run_under(p,
			  Q("sys", "41", "0x100000028", "1", "0", /* socket(AF_VSOCK | 1 << 32) */
			    "sys", "41", "40", "1", "0",	  /* socket(AF_VSOCK) */
			    "sys", "41", "38", "5", "0",	  /* socket(AF_ALG) */
			    "sys", "272", "0x10000000",		  /* unshare(CLONE_NEWUSER) */
			    "sys", "56", "0x10000011", "0", "0", "0", "0", /* clone(NEWUSER) */
			    "sys", "250", "0",			   /* keyctl(GET_KEYRING_ID) */
			    "sys", "101", "16", "1",		   /* ptrace(PTRACE_ATTACH, 1) */
			    "sys", "321", "0", "0", "0",	   /* bpf */
			    "sys", "425", "8", "0",		   /* io_uring_setup */
			    "sys", "323", "0",			   /* userfaultfd */
			    "sys", "165", "0", "0", "0", "0", "0", /* mount */
			    "sys", "135", "0x0400000",	 /* personality(READ_IMPLIES_EXEC) */
			    "sys", "470",		 /* newer than the catalog */
			    "sys", "400",		 /* unused number */
			    "sys", "435", "0", "0",	 /* clone3 */
			    "thread-sys", "39",		 /* threads still work: clone */
			    "sys", "41", "1", "1", "0"), /* socket(AF_UNIX) */
			  &res);
	has(out, "sys=errno:EPERM\nsys=errno:EPERM\nsys=errno:EPERM\n"
		 "sys=errno:EPERM\nsys=errno:EPERM\nsys=errno:EPERM\nsys=errno:EPERM\n"
		 "sys=errno:EPERM\nsys=errno:EPERM\nsys=errno:EPERM\nsys=errno:EPERM\n"
		 "sys=errno:EPERM\nsys=errno:ENOSYS\nsys=errno:ENOSYS\nsys=errno:ENOSYS\n"
		 "thread-sys=joined\nsys=");
	lacks(out, "joined\nsys=errno");
	ck_assert_int_eq(res.exit_code, 0);
	free(out);
	sbx_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------- spawn checks */

START_TEST(policy_that_forbids_exec_is_refused)
{
	static const char *const texts[] = {
		"default allow\nerrno EPERM execveat\n",
		"default kill-process\nallow read, write\n",
	};
	for (size_t i = 0; i < 2; i++) {
		sbx_policy *p = policy(texts[i]);
		sbx_config *c = probe_config(Q("pid"));
		sbx_error err;
		ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
		sbx_policy_free(p); /* the configuration holds its own reference */
		sbx_proc *proc = NULL;
		ck_assert_int_eq(sbx_spawn(c, &proc, &err), -EINVAL);
		ck_assert_ptr_null(proc);
		ck_assert_msg(strstr(err.message, "does not allow execveat"), "%s", err.message);
		sbx_config_free(c);
	}
}
END_TEST

START_TEST(config_keeps_its_policy)
{
	sbx_policy *p = policy("default allow\nerrno 42 getppid\n");
	sbx_config *c = probe_config(Q("sys", "110"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	sbx_policy_free(p);
	sbx_result res = {.size = sizeof(res)};
	for (int i = 0; i < 2; i++) {
		char *out = run_capture(c, &res);
		has(out, "sys=errno:ENOMSG");
		free(out);
	}
	/* and drops it */
	ck_assert_int_eq(sbx_config_set_policy(c, NULL, &err), 0);
	char *out = run_capture(c, &res);
	lacks(out, "errno");
	free(out);
	sbx_config_free(c);
}
END_TEST

/* ---------------------------------------------------------------- strict mode */

/* In a child: enter strict mode, make one call, end with the exit call. */
static int strict_outcome(long nr)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* a sanitizer's fault handler would make more calls, and die
		 * of them: the fault itself is what this looks for */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		if (sbx_enter(NULL, NULL) < 0)
			_exit(100);
		/* fd -1 for read and write: EBADF, harmless */
		long r = syscall(nr, -1L, 0L, 0L, 0L, 0L, 0L);
		syscall(SYS_exit, r < 0 ? errno : 200);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(!(WIFEXITED(st) && WEXITSTATUS(st) == 100), "sbx_enter failed");
	return st;
}

/* The same call without any filter: how the platform itself answers. */
static int plain_outcome(long nr)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		long r = syscall(nr, -1L, 0L, 0L, 0L, 0L, 0L);
		syscall(SYS_exit, r < 0 ? errno : 200);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(strict_mode_allows_exactly_four_calls)
{
	unsigned allowed = 0;
	for (long nr = 0; nr < 470; nr++) {
		int st = strict_outcome(nr);
		bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		char name[64];
		if (!killed && sbx_syscall_name((int)nr, name, sizeof(name)) < 0 &&
		    plain_outcome(nr) == st) {
			/* A hypervisor may answer a number no system call has
			 * before the kernel, and its seccomp, sees it (on the
			 * machine this was written on, 335 raises SIGILL and 336
			 * returns ENXIO under any filter). The platform's, not
			 * ours: said, and skipped. */
			fprintf(stderr,
				"NOTE %s: unused number %ld is answered the same (status 0x%x) with "
				"and without strict mode: the platform takes it before seccomp\n",
				__func__, nr, st);
			continue;
		}
		switch (nr) {
		case SYS_read:
		case SYS_write: /* EBADF, then the exit call */
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == EBADF,
				      "nr %ld: status 0x%x", nr, st);
			allowed++;
			break;
		case SYS_exit: /* exit(-1) */
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 255, "exit: 0x%x", st);
			allowed++;
			break;
		case SYS_rt_sigreturn: /* runs, restoring a garbage frame: not SIGKILL */
			ck_assert_msg(!killed, "rt_sigreturn was killed");
			allowed++;
			break;
		default:
			ck_assert_msg(killed, "nr %ld was not killed: status 0x%x", nr, st);
		}
	}
	ck_assert_uint_eq(allowed, 4);
}
END_TEST

/* The classic worker: set up at spawn, strict mode, then the work. */
static int upcase_worker(void *arg)
{
	(void)arg;
	char buf[64];
	ssize_t n = read(0, buf, sizeof(buf));
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 32);
	if (n > 0 && write(1, buf, (size_t)n) != n)
		return 2;
	return 3;
}

static int getpid_worker(void *arg)
{
	(void)arg;
	return (int)syscall(SYS_getpid) > 0 ? 0 : 1;
}

static int getppid_worker(void *arg)
{
	long r = syscall(SYS_getppid);
	*(int *)arg = 1; /* the caller's copy is not touched */
	return r < 0 ? errno : 0;
}

static sbx_proc *spawn_worker(sbx_policy *p, int (*fn)(void *), void *arg, sbx_config **cp)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_entry(c, fn, arg, &err), 0);
	if (p)
		ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 0, SBX_STDIO_PIPE, -1, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *proc = NULL;
	int r = sbx_spawn(c, &proc, &err);
	ck_assert_msg(r == 0, "spawn: %s", err.message);
	*cp = c;
	return proc;
}

START_TEST(strict_worker_at_spawn)
{
	sbx_policy *strict = policy("mode strict\n");
	sbx_config *c;
	sbx_proc *proc = spawn_worker(strict, upcase_worker, NULL, &c);
	ck_assert_int_eq(write(sbx_proc_stdio(proc, 0), "hello", 5), 5);
	sbx_proc_close_stdio(proc, 0);
	char out[64];
	read_to_eof(sbx_proc_stdio(proc, 1), out, sizeof(out));
	ck_assert_str_eq(out, "HELLO");
	sbx_result res = {.size = sizeof(res)};
	sbx_error err;
	ck_assert_int_eq(sbx_wait(proc, -1, &res, &err), 0);
	ck_assert_int_eq(res.exit_code, 3);
	sbx_proc_free(proc);
	sbx_config_free(c);

	/* anything but the four: SIGKILL */
	proc = spawn_worker(strict, getpid_worker, NULL, &c);
	ck_assert_int_eq(sbx_wait(proc, -1, &res, &err), 0);
	ck_assert_int_eq(res.signal, SIGKILL);
	sbx_proc_free(proc);
	sbx_config_free(c);
	sbx_policy_free(strict);
}
END_TEST

START_TEST(filter_worker_at_spawn)
{
	sbx_policy *p = policy("default allow\nerrno 42 getppid\n");
	int touched = 0;
	sbx_config *c;
	sbx_proc *proc = spawn_worker(p, getppid_worker, &touched, &c);
	sbx_result res = {.size = sizeof(res)};
	sbx_error err;
	ck_assert_int_eq(sbx_wait(proc, -1, &res, &err), 0);
	ck_assert_int_eq(res.exit_code, 42);
	ck_assert_int_eq(touched, 0);
	sbx_proc_free(proc);
	sbx_config_free(c);
	sbx_policy_free(p);

	/* a filter that does not let the worker close its set-up channel */
	p = policy("default kill-process\nallow read, write, exit\n");
	c = sbx_config_new();
	ck_assert_int_eq(sbx_config_set_entry(c, getpid_worker, NULL, &err), 0);
	ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	ck_assert_int_eq(sbx_spawn(c, &proc, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "does not allow close"), "%s", err.message);
	sbx_config_free(c);
	sbx_policy_free(p);
}
END_TEST

/* Descriptors from 3 up a worker holds: a bit per fd 3..9, and 0x80 for
 * any above. */
static int open_fds_worker(void *arg)
{
	(void)arg;
	int bits = 0;
	for (int fd = 3; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			bits |= fd < 10 ? 1 << (fd - 3) : 0x80;
	return bits;
}

/* A function worker never execs, so nothing closes the caller's
 * close-on-exec descriptors for it: the spawn must (regression: the
 * caller's files and pipe ends stayed open in the worker). */
START_TEST(function_worker_holds_only_its_descriptors)
{
	int mine[2];
	ck_assert_int_eq(pipe2(mine, O_CLOEXEC), 0);
	int file = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(file, 0);
	sbx_policy *p = policy("default allow\n");
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_entry(c, open_fds_worker, NULL, &err), 0);
	ck_assert_int_eq(sbx_config_set_policy(c, p, &err), 0);
	ck_assert_int_eq(sbx_config_grant_fd(c, file, 5, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *proc = NULL;
	ck_assert_int_eq(sbx_spawn(c, &proc, &err), 0);
	sbx_result res = {.size = sizeof(res)};
	ck_assert_int_eq(sbx_wait(proc, -1, &res, &err), 0);
	ck_assert_msg(res.exit_code == 1 << (5 - 3),
		      "open fds in the worker: 0x%x (want fd 5 only)", res.exit_code);
	sbx_proc_free(proc);
	sbx_config_free(c);
	sbx_policy_free(p);
	close(file);
	close(mine[0]);
	close(mine[1]);
}
END_TEST

/* sbx_enter with a filter covers every thread of the process. */
static void *late_getppid(void *arg)
{
	int fd = *(int *)arg;
	char c;
	if (read(fd, &c, 1) != 1)
		return (void *)-1L;
	long r = syscall(SYS_getppid);
	return (void *)(long)(r < 0 ? errno : 0);
}

START_TEST(enter_applies_to_every_thread)
{
	sbx_policy *p = policy("default allow\nerrno 42 getppid\n");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int pfd[2];
		pthread_t t;
		if (pipe(pfd) < 0 || pthread_create(&t, NULL, late_getppid, &pfd[0]) != 0)
			_exit(10);
		if (sbx_enter(p, NULL) < 0)
			_exit(11);
		if (syscall(SYS_getppid) != -1 || errno != 42)
			_exit(12);
		void *ret;
		if (write(pfd[1], "x", 1) != 1 || pthread_join(t, &ret) != 0)
			_exit(13);
		_exit((long)ret == 42 ? 0 : 14);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	sbx_policy_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *t = tcase_create("live");
	tcase_add_checked_fixture(t, leak_setup, leak_teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, errno_action_returns_the_value);
	tcase_add_test(t, kill_process_is_sigsys);
	tcase_add_test(t, kill_thread_ends_only_the_thread);
	tcase_add_test(t, trap_reaches_the_handler);
	tcase_add_test(t, log_action_leaves_a_record);
	tcase_add_test(t, notify_is_answered_by_the_caller);
	tcase_add_test(t, conditions_on_both_sides_of_each_boundary);
	tcase_add_test(t, x32_and_i386_calls_are_killed);
	tcase_add_test(t, container_default_stops_escape_attempts);
	tcase_add_test(t, policy_that_forbids_exec_is_refused);
	tcase_add_test(t, config_keeps_its_policy);
	tcase_add_test(t, strict_mode_allows_exactly_four_calls);
	tcase_add_test(t, strict_worker_at_spawn);
	tcase_add_test(t, filter_worker_at_spawn);
	tcase_add_test(t, enter_applies_to_every_thread);
	tcase_add_test(t, function_worker_holds_only_its_descriptors);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	skip_all_unless_sandboxes_work();
	return run_suite(suite());
}
