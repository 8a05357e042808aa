/* Live tests of sbx_spawn/sbx_wait: real sandboxes, run as root and (by
 * tests/unpriv.sh) as an unprivileged user. Each test checks afterwards that
 * no fd and no child process was left behind. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})

static sbx_proc *spawn_ok(sbx_config *c)
{
	sbx_error err;
	sbx_proc *p = NULL;
	int r = sbx_spawn(c, &p, &err);
	ck_assert_msg(r == 0, "spawn: %s", err.message);
	return p;
}

/* A scratch directory the sandbox can see: the host's /tmp is replaced by a
 * private tmpfs inside, /var/tmp is not. */
static char scratch[128];

static void scratch_setup(void)
{
	leak_setup();
	test_mkdtemp(scratch, sizeof(scratch), "spawn", false);
}

static void scratch_teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
	leak_teardown();
}

static void write_file(const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(exit_code_and_usage)
{
	sbx_config *c = probe_config(Q("spin", "300", "alloc", "64", "exit", "42"));
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "alloc"), "ok");
	ck_assert_int_eq(r.status, SBX_STATUS_NONZERO_EXIT);
	ck_assert_int_eq(r.exit_code, 42);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_uint_ge(r.cpu_user_us + r.cpu_sys_us, 280000);
	ck_assert_uint_ge(r.wall_us, r.cpu_user_us);
	ck_assert_uint_ge(r.peak_rss_kb, 64 * 1024);
	free(out);
	sbx_config_free(c);

	c = probe_config(Q("exit", "0"));
	out = run_capture(c, &r);
	ck_assert_int_eq(r.status, SBX_STATUS_OK);
	ck_assert_int_eq(r.exit_code, 0);
	free(out);
	sbx_config_free(c);
}
END_TEST

static void expect_spawn_error(sbx_config *c, int code, int stage, const char *message)
{
	sbx_error err;
	sbx_proc *p = (sbx_proc *)0x1;
	int r = sbx_spawn(c, &p, &err);
	ck_assert_int_eq(r, -code);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err.code, code);
	ck_assert_int_eq(err.stage, stage);
	ck_assert_str_eq(err.message, message);
}

START_TEST(exec_errors_are_precise)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q("/nonexistent/prog"), &err), 0);
	expect_spawn_error(c, ENOENT, SBX_STAGE_EXEC,
			   "exec /nonexistent/prog: No such file or directory");

	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q("/etc/passwd"), &err), 0);
	expect_spawn_error(c, EACCES, SBX_STAGE_EXEC, "exec /etc/passwd: Permission denied");

	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q("/etc"), &err), 0);
	expect_spawn_error(c, EACCES, SBX_STAGE_EXEC, "exec /etc: Permission denied");

	/* executable, but neither ELF nor #! */
	char path[192], msg[256];
	snprintf(path, sizeof(path), "%s/notaprogram", scratch);
	write_file(path, "just text\n", 0755);
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q(path), &err), 0);
	snprintf(msg, sizeof(msg), "exec %s: Exec format error", path);
	expect_spawn_error(c, ENOEXEC, SBX_STAGE_EXEC, msg);
	sbx_config_free(c);
}
END_TEST

START_TEST(path_search)
{
	sbx_config *c = sbx_config_new();
	sbx_error err;
	char env[600], msg[700];

	/* found in PATH, after an entry that does not exist */
	ck_assert_int_eq(sbx_config_set_env(c, Q("PATH=/nonexistent:/usr/bin:/bin"), &err), 0);
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q("echo", "found=it"), &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_int_eq(r.status, SBX_STATUS_OK);
	ck_assert_str_eq(out, "found=it\n");
	free(out);

	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q("no-such-program-here"), &err), 0);
	expect_spawn_error(c, ENOENT, SBX_STAGE_EXEC,
			   "exec no-such-program-here: No such file or directory (searched PATH)");

	/* found, but not executable: that is what gets reported */
	char file[192];
	snprintf(file, sizeof(file), "%s/tool", scratch);
	write_file(file, "#!/bin/sh\n", 0644);
	snprintf(env, sizeof(env), "PATH=/nonexistent:%s:/usr/bin", scratch);
	ck_assert_int_eq(sbx_config_set_env(c, Q(env), &err), 0);
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q("tool"), &err), 0);
	snprintf(msg, sizeof(msg), "exec %s/tool: Permission denied", scratch);
	expect_spawn_error(c, EACCES, SBX_STAGE_EXEC, msg);
	sbx_config_free(c);
}
END_TEST

START_TEST(exec_from_fd)
{
	/* a program in a directory the sandbox cannot see (the host's /tmp is
	 * not the sandbox's /tmp) runs from its fd, and not by its path */
	char dir[128], path[160], cmd[600];
	test_mkdtemp(dir, sizeof(dir), "exec-fd", true);
	snprintf(path, sizeof(path), "%s/hidden-probe", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", probe_path(), path);
	ck_assert_int_eq(system(cmd), 0);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	sbx_config *c = sbx_config_new();
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_exec_fd(c, fd, Q("probe", "exists", path, "fds"), &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "exists"), "ENOENT"); /* not visible inside */
	ck_assert_str_eq(probe_value(out, "fds"), "0 1 2");	/* and its fd did not leak in */
	free(out);

	/* the same by path fails, which is the point */
	char msg[256];
	ck_assert_int_eq(sbx_config_set_exec(c, NULL, Q(path), &err), 0);
	snprintf(msg, sizeof(msg), "exec %s: No such file or directory", path);
	expect_spawn_error(c, ENOENT, SBX_STAGE_EXEC, msg);

	/* a #! script is refused up front, with the reason */
	int sfd = open("/usr/bin/ldd", O_RDONLY | O_CLOEXEC); /* a shell script on Debian */
	if (sfd >= 0) {
		ck_assert_int_eq(sbx_config_set_exec_fd(c, sfd, Q("ldd"), &err), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err.message, "is a #! script"));
		close(sfd);
	}
	/* a file without exec permission, from an fd */
	int nfd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(sbx_config_set_exec_fd(c, nfd, Q("x"), &err), 0);
	close(nfd);
	expect_spawn_error(c, EACCES, SBX_STAGE_EXEC,
			   "exec /etc/passwd (from an fd): Permission denied");
	sbx_config_free(c);
	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Regression: a spawn that failed before its stdio was set up released a
 * zeroed fd table and closed the caller's fd 0. */
START_TEST(early_spawn_failure_closes_no_caller_fd)
{
	int before = count_fds();
	ck_assert_int_ge(fcntl(0, F_GETFD), 0);
	sbx_config *c = probe_config(Q("exit", "0"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_add_uid_map(c, 0, 100000, 10, &err), 0);
	ck_assert_int_eq(sbx_config_set_user(c, 50, 50, &err), 0); /* not mapped */
	sbx_proc *p = NULL;
	ck_assert_int_lt(sbx_spawn(c, &p, &err), 0);
	ck_assert_int_ge(fcntl(0, F_GETFD), 0);
	ck_assert_int_ge(fcntl(1, F_GETFD), 0);
	ck_assert_int_ge(fcntl(2, F_GETFD), 0);
	ck_assert_int_eq(count_fds(), before + 1); /* + the config's copy of the probe */
	sbx_config_free(c);
}
END_TEST

START_TEST(bad_cwd_is_a_setup_error)
{
	sbx_config *c = probe_config(Q("cwd"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_cwd(c, "/nonexistent/dir", &err), 0);
	expect_spawn_error(c, ENOENT, SBX_STAGE_SETUP,
			   "chdir /nonexistent/dir: No such file or directory");
	ck_assert_int_eq(sbx_config_set_cwd(c, "/etc/passwd", &err), 0);
	expect_spawn_error(c, ENOTDIR, SBX_STAGE_SETUP, "chdir /etc/passwd: Not a directory");

	ck_assert_int_eq(sbx_config_set_cwd(c, "/etc", &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "cwd"), "/etc");
	free(out);
	sbx_config_free(c);
}
END_TEST

START_TEST(stdio_modes)
{
	sbx_error err;
	/* stdin and stdout pipes: what we write comes back */
	sbx_config *c = probe_config(Q("cat"));
	ck_assert_int_eq(sbx_config_set_stdio(c, 0, SBX_STDIO_PIPE, -1, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 2, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *p = spawn_ok(c);
	ck_assert_int_eq(write(sbx_proc_stdio(p, 0), "hello\n", 6), 6);
	sbx_proc_close_stdio(p, 0);
	ck_assert_int_eq(sbx_proc_stdio(p, 0), -1);
	char buf[256] = "";
	read_to_eof(sbx_proc_stdio(p, 1), buf, sizeof(buf));
	ck_assert_str_eq(buf, "hello\n\ncat_bytes=6\n");
	ck_assert_int_eq(read(sbx_proc_stdio(p, 2), buf, sizeof(buf)), 0); /* nothing on stderr */
	sbx_result r = {.size = sizeof(r)};
	ck_assert_int_eq(sbx_wait(p, -1, &r, &err), 0);
	sbx_proc_free(p);
	sbx_config_free(c);

	/* stdin from /dev/null: immediate EOF; stderr captured */
	c = probe_config(Q("cat", "stderr", "to-stderr"));
	ck_assert_int_eq(sbx_config_set_stdio(c, 0, SBX_STDIO_NULL, -1, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 2, SBX_STDIO_PIPE, -1, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	p = spawn_ok(c);
	read_to_eof(sbx_proc_stdio(p, 2), buf, sizeof(buf));
	ck_assert_str_eq(buf, "to-stderr\n");
	read_to_eof(sbx_proc_stdio(p, 1), buf, sizeof(buf));
	ck_assert_str_eq(probe_value(buf, "cat_bytes"), "0");
	ck_assert_int_eq(sbx_wait(p, -1, &r, &err), 0);
	sbx_proc_free(p);

	/* a caller's fd as stdout */
	char path[192];
	snprintf(path, sizeof(path), "%s/out", scratch);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	sbx_config_free(c);
	c = probe_config(Q("hostname"));
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_FD, fd, &err), 0);
	close(fd); /* the configuration holds its own duplicate */
	p = spawn_ok(c);
	ck_assert_int_eq(sbx_wait(p, -1, &r, &err), 0);
	sbx_proc_free(p);
	sbx_config_free(c);
	FILE *f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "hostname=sandbox\n");
}
END_TEST

START_TEST(only_stdio_and_granted_fds)
{
	/* fds the caller holds without close-on-exec must not leak in */
	int leak[2];
	ck_assert_int_eq(pipe(leak), 0);
	int granted = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(granted, 0);
	sbx_config *c = probe_config(Q("fds", "fdlink", "7"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_grant_fd(c, granted, 7, &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "fds"), "0 1 2 7");
	ck_assert_str_eq(probe_value(out, "fdlink"), "/etc/hostname");
	free(out);
	sbx_config_free(c);
	close(granted);
	close(leak[0]);
	close(leak[1]);
}
END_TEST

static ino_t fd_ino(int fd)
{
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

START_TEST(grants_that_cross_are_placed_right)
{
	/* a at fd 3 granted as 4 and b at fd 4 granted as 3: placing one must
	 * not clobber the source of the other */
	int a[2], b[2];
	ck_assert_int_eq(pipe2(a, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(b, O_CLOEXEC), 0);
	int fa = dup3(a[0], 30, O_CLOEXEC), fb = dup3(b[0], 31, O_CLOEXEC);
	ck_assert_int_ge(fa, 0);
	ck_assert_int_ge(fb, 0);
	sbx_config *c = probe_config(Q("fdlink", "30", "fdlink", "31", "fds"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_grant_fd(c, fa, 31, &err), 0);
	ck_assert_int_eq(sbx_config_grant_fd(c, fb, 30, &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	char want30[64], want31[64];
	snprintf(want30, sizeof(want30), "fdlink=pipe:[%lu]", (unsigned long)fd_ino(fb));
	snprintf(want31, sizeof(want31), "fdlink=pipe:[%lu]", (unsigned long)fd_ino(fa));
	ck_assert_msg(strstr(out, want30), "fd 30 is not b's pipe:\n%s", out);
	ck_assert_msg(strstr(out, want31), "fd 31 is not a's pipe:\n%s", out);
	ck_assert_str_eq(probe_value(out, "fds"), "0 1 2 30 31");
	free(out);
	sbx_config_free(c);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	close(fa);
	close(fb);
}
END_TEST

START_TEST(environment_is_explicit)
{
	setenv("SBX_TEST_SECRET", "host-value", 1);
	sbx_config *c = probe_config(Q("env"));
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_ptr_null(probe_value(out, "env")); /* empty by default */
	free(out);
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_env(c, Q("A=1", "B=two words"), &err), 0);
	out = run_capture(c, &r);
	ck_assert_ptr_nonnull(strstr(out, "env=A=1\nenv=B=two words\nenv_end=1\n"));
	ck_assert_ptr_null(strstr(out, "SBX_TEST_SECRET"));
	free(out);
	sbx_config_free(c);
}
END_TEST

START_TEST(timeout_kill_and_reap)
{
	sbx_config *c = probe_config(Q("sleep", "20000"));
	sbx_proc *p = spawn_ok(c);
	sbx_error err;
	sbx_result r = {.size = sizeof(r)};
	ck_assert_int_eq(sbx_wait(p, 0, &r, &err), -ETIMEDOUT);
	ck_assert_int_eq(sbx_wait(p, 100, &r, &err), -ETIMEDOUT);
	ck_assert_ptr_nonnull(strstr(err.message, "still running"));
	ck_assert_int_eq(sbx_kill(p, 0, &err), 0); /* alive */
	ck_assert_int_eq(sbx_kill(p, SIGKILL, &err), 0);
	ck_assert_int_eq(sbx_wait(p, 5000, &r, &err), 0);
	ck_assert_int_eq(r.status, SBX_STATUS_SIGNALED);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_int_eq(r.exit_code, -1);
	ck_assert_uint_lt(r.wall_us, 5000000);
	/* a second wait returns the same result; a late kill is ESRCH */
	sbx_result r2 = {.size = sizeof(r2)};
	ck_assert_int_eq(sbx_wait(p, 0, &r2, &err), 0);
	ck_assert_int_eq(r2.signal, SIGKILL);
	ck_assert_int_eq(sbx_kill(p, SIGKILL, &err), -ESRCH);
	/* a result struct too small is refused; a bigger one is filled as far as known */
	sbx_result small = {.size = 8};
	ck_assert_int_eq(sbx_wait(p, 0, &small, &err), -EINVAL);
	struct {
		sbx_result r;
		char future[64];
	} big = {.r.size = sizeof(big)};
	ck_assert_int_eq(sbx_wait(p, 0, &big.r, &err), 0);
	ck_assert_uint_eq(big.r.size, sizeof(sbx_result));
	sbx_proc_free(p);
	sbx_config_free(c);
}
END_TEST

START_TEST(free_kills_a_running_sandbox)
{
	sbx_config *c = probe_config(Q("sleep", "20000"));
	sbx_proc *p = spawn_ok(c);
	int watch = (int)syscall(SYS_pidfd_open, sbx_proc_pid(p), 0);
	ck_assert_int_ge(watch, 0);
	sbx_proc_free(p); /* kills and reaps */
	struct pollfd pfd = {.fd = watch, .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	close(watch);
	sbx_config_free(c);
}
END_TEST

START_TEST(dies_with_its_parent)
{
	int pp[2];
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	pid_t launcher = fork();
	ck_assert_int_ge(launcher, 0);
	if (launcher == 0) {
		sbx_config *c = probe_config(Q("sleep", "60000"));
		sbx_proc *p = NULL;
		if (sbx_spawn(c, &p, NULL) < 0)
			_exit(1);
		pid_t w = sbx_proc_pid(p);
		if (write(pp[1], &w, sizeof(w)) != sizeof(w))
			_exit(1);
		pause();
		_exit(0);
	}
	close(pp[1]);
	pid_t worker = 0;
	ck_assert_int_eq(read(pp[0], &worker, sizeof(worker)), (ssize_t)sizeof(worker));
	close(pp[0]);
	int watch = (int)syscall(SYS_pidfd_open, worker, 0);
	ck_assert_int_ge(watch, 0);
	struct pollfd pfd = {.fd = watch, .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 200), 0); /* the worker runs */

	ck_assert_int_eq(kill(launcher, SIGKILL), 0);
	ck_assert_int_eq(waitpid(launcher, NULL, 0), launcher);
	ck_assert_msg(poll(&pfd, 1, 5000) == 1, "the worker outlived its SIGKILLed parent");
	close(watch);
}
END_TEST

START_TEST(caller_signal_state_does_not_leak)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sbx_config *c = probe_config(Q("signals"));
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "SigBlk"), "0000000000000000");
	ck_assert_str_eq(probe_value(out, "SigIgn"), "0000000000000000");
	free(out);
	sbx_config_free(c);
	/* and the caller's own state is as it was */
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	ck_assert(sigismember(&now, SIGUSR1));
}
END_TEST

START_TEST(session_privileges_and_parent_death)
{
	sbx_config *c = probe_config(Q("session", "prctl", "caps"));
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "sid_is_pid"), "1");
	ck_assert_str_eq(probe_value(out, "tty"), "ENXIO"); /* no controlling terminal */
	ck_assert_str_eq(probe_value(out, "pdeathsig"), "9");
	ck_assert_str_eq(probe_value(out, "no_new_privs"), "1");
	const char *sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(probe_value(out, sets[i]), "0000000000000000");
	free(out);
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_parent_death_signal(c, 0, &err), 0);
	out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "pdeathsig"), "0");
	free(out);
	sbx_config_free(c);
}
END_TEST

START_TEST(launcher_keys_are_not_readable)
{
	/* our own session keyring with a secret in it */
	long ring = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "sbx-test", 0, 0, 0);
	ck_assert_int_ge(ring, 0);
	long key =
		syscall(SYS_add_key, "user", "sbx-secret", "s3cret", 6, KEY_SPEC_SESSION_KEYRING);
	ck_assert_int_ge(key, 0);
	char buf[16];
	ck_assert_int_eq(syscall(SYS_keyctl, KEYCTL_READ, key, buf, sizeof(buf), 0), 6);

	char id[32];
	snprintf(id, sizeof(id), "%ld", key);
	sbx_config *c = probe_config(Q("keyread", id, "keysearch", "sbx-secret", "sessionkeyring"));
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_msg(!strstr(out, "s3cret"), "the sandbox read the caller's key:\n%s", out);
	ck_assert_str_eq(probe_value(out, "keyread"), "errno:EACCES");
	ck_assert_str_eq(probe_value(out, "keysearch"), "ENOKEY");
	ck_assert_int_ne(atol(probe_value(out, "sessionkeyring")), ring);
	free(out);
	sbx_config_free(c);
	syscall(SYS_keyctl, KEYCTL_INVALIDATE, key, 0, 0, 0);
}
END_TEST

START_TEST(config_is_reusable)
{
	int granted = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	sbx_config *c = probe_config(Q("fds"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_grant_fd(c, granted, 5, &err), 0);
	close(granted);
	for (int i = 0; i < 3; i++) {
		sbx_result r;
		char *out = run_capture(c, &r);
		ck_assert_str_eq(probe_value(out, "fds"), "0 1 2 5");
		ck_assert_int_eq(r.status, SBX_STATUS_OK);
		free(out);
	}
	sbx_config_free(c);
}
END_TEST

static void *spawn_many(void *arg)
{
	const sbx_config *c = arg;
	for (int i = 0; i < 10; i++) {
		sbx_proc *p = NULL;
		sbx_error err;
		if (sbx_spawn(c, &p, &err) < 0)
			return strdup(err.message);
		sbx_result r = {.size = sizeof(r)};
		if (sbx_wait(p, 10000, &r, &err) < 0 || r.status != SBX_STATUS_OK) {
			sbx_proc_free(p);
			return strdup("bad result");
		}
		sbx_proc_free(p);
	}
	return NULL;
}

START_TEST(concurrent_spawns_from_threads)
{
	sbx_config *c = probe_config(Q("exit", "0"));
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, spawn_many, c), 0);
	for (int i = 0; i < 4; i++) {
		void *msg;
		ck_assert_int_eq(pthread_join(t[i], &msg), 0);
		ck_assert_msg(msg == NULL, "thread %d: %s", i, (char *)msg);
	}
	sbx_config_free(c);
}
END_TEST

/* Root only: the sandbox's ids and the host's, when the caller may map any. */
START_TEST(root_maps_a_range_and_switches_user)
{
	REQUIRE_ROOT();
	sbx_config *c = probe_config(Q("ids"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_add_uid_map(c, 0, 200000, 65536, &err), 0);
	ck_assert_int_eq(sbx_config_add_gid_map(c, 0, 200000, 65536, &err), 0);
	ck_assert_int_eq(sbx_config_set_user(c, 1000, 1001, &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "uid"), "1000");
	ck_assert_str_eq(probe_value(out, "gid"), "1001");
	ck_assert_ptr_nonnull(strstr(out, "uid_map=         0     200000      65536"));
	ck_assert_str_eq(probe_value(out, "Groups"), ""); /* root's groups are gone */
	free(out);
	sbx_config_free(c);
}
END_TEST

/* Supplementary groups (OCI additionalGids): given as listed, inside a user
 * namespace and without one; each must be mapped */
START_TEST(root_sets_supplementary_groups)
{
	REQUIRE_ROOT();
	static const gid_t groups[] = {10, 20, 1002};
	sbx_config *c = probe_config(Q("ids"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_add_uid_map(c, 0, 200000, 65536, &err), 0);
	ck_assert_int_eq(sbx_config_add_gid_map(c, 0, 200000, 65536, &err), 0);
	ck_assert_int_eq(sbx_config_set_user(c, 1000, 1001, &err), 0);
	ck_assert_int_eq(sbx_config_set_groups(c, groups, 3, &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "gid"), "1001");
	ck_assert_str_eq(probe_value(out, "Groups"), "10 20 1002");
	free(out);

	/* no user namespace: the host's ids themselves */
	sbx_config *host = probe_config(Q("ids"));
	ck_assert_int_eq(sbx_config_set_namespaces(host, SBX_NS_DEFAULT & ~SBX_NS_USER, &err), 0);
	ck_assert_int_eq(sbx_config_set_user(host, 1000, 1001, &err), 0);
	ck_assert_int_eq(sbx_config_set_groups(host, groups, 3, &err), 0);
	out = run_capture(host, &r);
	ck_assert_str_eq(probe_value(out, "uid"), "1000");
	ck_assert_str_eq(probe_value(out, "Groups"), "10 20 1002");
	free(out);
	sbx_config_free(host);

	/* back to none */
	ck_assert_int_eq(sbx_config_set_groups(c, NULL, 0, &err), 0);
	out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "Groups"), "");
	free(out);

	static const gid_t unmapped[] = {10, 70000};
	ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_DEFAULT, &err), 0);
	ck_assert_int_eq(sbx_config_set_groups(c, unmapped, 2, &err), 0);
	expect_spawn_error(
		c, EINVAL, SBX_STAGE_CONFIG,
		"supplementary group 70000 is not mapped in the sandbox's user namespace");
	sbx_config_free(c);
}
END_TEST

/* An unprivileged user namespace denies setgroups: refused before anything
 * starts, not left to fail (or to be dropped) in the child */
START_TEST(unprivileged_supplementary_groups_are_refused)
{
	REQUIRE_NONROOT();
	static const gid_t groups[] = {10};
	sbx_config *c = probe_config(Q("ids"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_groups(c, groups, 1, &err), 0);
	expect_spawn_error(
		c, EPERM, SBX_STAGE_CONFIG,
		"supplementary groups need CAP_SETGID: an unprivileged user namespace denies "
		"setgroups");
	sbx_config_free(c);
}
END_TEST

START_TEST(root_without_user_namespace)
{
	REQUIRE_ROOT();
	/* the program is host uid 0: capabilities and /proc/sys must still hold */
	sbx_config *c = probe_config(
		Q("ids", "caps", "write", "/proc/sys/kernel/core_pattern", "create", "/etc/sbx-x"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_DEFAULT & ~SBX_NS_USER, &err), 0);
	sbx_result r;
	char *out = run_capture(c, &r);
	ck_assert_str_eq(probe_value(out, "uid"), "0");
	ck_assert_str_eq(probe_value(out, "CapEff"), "0000000000000000");
	ck_assert_str_eq(probe_value(out, "CapBnd"), "0000000000000000");
	ck_assert_str_eq(probe_value(out, "write"), "EROFS");
	ck_assert_str_eq(probe_value(out, "create"), "EROFS");
	free(out);
	sbx_config_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *t = tcase_create("spawn");
	tcase_add_checked_fixture(t, scratch_setup, scratch_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, exit_code_and_usage);
	tcase_add_test(t, exec_errors_are_precise);
	tcase_add_test(t, path_search);
	tcase_add_test(t, exec_from_fd);
	tcase_add_test(t, bad_cwd_is_a_setup_error);
	tcase_add_test(t, early_spawn_failure_closes_no_caller_fd);
	tcase_add_test(t, stdio_modes);
	tcase_add_test(t, only_stdio_and_granted_fds);
	tcase_add_test(t, grants_that_cross_are_placed_right);
	tcase_add_test(t, environment_is_explicit);
	tcase_add_test(t, timeout_kill_and_reap);
	tcase_add_test(t, free_kills_a_running_sandbox);
	tcase_add_test(t, dies_with_its_parent);
	tcase_add_test(t, caller_signal_state_does_not_leak);
	tcase_add_test(t, session_privileges_and_parent_death);
	tcase_add_test(t, launcher_keys_are_not_readable);
	tcase_add_test(t, config_is_reusable);
	tcase_add_test(t, concurrent_spawns_from_threads);
	tcase_add_test(t, root_maps_a_range_and_switches_user);
	tcase_add_test(t, root_sets_supplementary_groups);
	tcase_add_test(t, unprivileged_supplementary_groups_are_refused);
	tcase_add_test(t, root_without_user_namespace);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	skip_all_unless_sandboxes_work();
	return run_suite(suite());
}
