/* Live tests of rights as descriptors: narrowed grants, capability mode
 * (Landlock and its seccomp part) against real attempts to get out, kept
 * and dropped Linux capabilities, channels at spawn, and the file broker,
 * over a channel and for an unmodified program through seccomp
 * notification. Run as root and (by tests/unpriv.sh) as nobody; every test
 * checks that no fd and no child process was left behind. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A directory the sandbox can see (the host's /tmp is private inside):
 * dir/inside.txt, dir/sub/deeper.txt, dir/out -> /etc/passwd, and beside
 * it secret.txt, which a grant of dir must not reach. */
static char scratch[128], dir[160];

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void setup(void)
{
	leak_setup();
	test_mkdtemp(scratch, sizeof(scratch), "caps", false);
	snprintf(dir, sizeof(dir), "%s/dir", scratch);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	char p[256];
	snprintf(p, sizeof(p), "%s/inside.txt", dir);
	put(p, "inside\n");
	snprintf(p, sizeof(p), "%s/sub", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sub/deeper.txt", dir);
	put(p, "deeper\n");
	snprintf(p, sizeof(p), "%s/out", dir);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/secret.txt", scratch);
	put(p, "secret\n");
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
	leak_teardown();
}

/* Capability mode needs Landlock ABI 6: where the kernel has less, it
 * refuses (capability_mode_fails_closed checks that), and these skip. */
#define REQUIRE_CAPMODE()                                                                          \
	do {                                                                                       \
		if (sbx_landlock_abi() < 6) {                                                      \
			fprintf(stderr,                                                            \
				"SKIP %s: Landlock ABI %d here, capability mode needs 6\n",        \
				__func__, sbx_landlock_abi());                                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static void has(const char *out, const char *line)
{
	ck_assert_msg(strstr(out, line), "want \"%s\" in:\n%s", line, out);
}

static sbx_config *probe_with_grants(const char *const *queries, bool capmode)
{
	sbx_config *c = probe_config(queries);
	sbx_error err;
	char p[256];
	snprintf(p, sizeof(p), "%s/inside.txt", dir);
	ck_assert_int_eq(sbx_config_grant_path(c, p, 3, SBX_RIGHTS_READ, &err), 0);
	ck_assert_int_eq(sbx_config_grant_path(c, dir, 4, SBX_RIGHTS_DIR, &err), 0);
	if (capmode)
		ck_assert_msg(sbx_config_set_capability_mode(c, 1, NULL, 0, &err) == 0, "%s",
			      err.message);
	return c;
}

/* ---------------------------------------------------------------- capability mode */

START_TEST(capability_mode_confines_paths_to_grants)
{
	REQUIRE_CAPMODE();
	char secret[256];
	snprintf(secret, sizeof(secret), "%s/secret.txt", scratch);
	const char *const *q =
		Q("open", "/etc/passwd", "open", secret, "readfd", "3", "openat", "4", "inside.txt",
		  "openat", "4", "sub/deeper.txt", "openat", "4", "../secret.txt", "openat", "4",
		  "/etc/passwd", "openat", "4", "out", "openat", "4", "sub/../../secret.txt");
	/* without capability mode every attempt works: they are real */
	sbx_result res = {.size = sizeof(res)};
	sbx_config *c = probe_with_grants(q, false);
	char *out = run_capture(c, &res);
	has(out, "open=ok\nopen=ok\nreadfd=inside\nopenat=ok\nopenat=ok\nopenat=ok\nopenat=ok\n"
		 "openat=ok\nopenat=ok\n");
	free(out);
	sbx_config_free(c);

	c = probe_with_grants(q, true);
	out = run_capture(c, &res);
	has(out, "open=EACCES\nopen=EACCES\nreadfd=inside\nopenat=ok\nopenat=ok\n"
		 "openat=EACCES\nopenat=EACCES\nopenat=EACCES\nopenat=EACCES\n");
	ck_assert_int_eq(res.exit_code, 0);
	free(out);
	sbx_config_free(c);
}
END_TEST

static int open_passwd(void *arg)
{
	(void)arg;
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? 1 : errno == EACCES ? 0 : 2;
}

/* A function worker in capability mode with no runtime paths: no path at
 * all (the VMM's jail). Its stdin is no program: it once got a rule as
 * one, which failed the spawn with EBADF. */
START_TEST(function_worker_in_capability_mode_opens_nothing)
{
	REQUIRE_CAPMODE();
	static const char *const none[] = {NULL};
	sbx_config *c = sbx_config_new();
	sbx_error err = {0};
	ck_assert_int_eq(sbx_config_set_entry(c, open_passwd, NULL, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 0, SBX_STDIO_NULL, -1, &err), 0);
	ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, none, 0, &err), 0);
	sbx_proc *p = NULL;
	ck_assert_msg(sbx_spawn(c, &p, &err) == 0, "%s", err.message);
	sbx_result res = {.size = sizeof(res)};
	ck_assert_int_eq(sbx_wait(p, -1, &res, &err), 0);
	ck_assert_int_eq(res.status, SBX_STATUS_OK);
	sbx_proc_free(p);
	sbx_config_free(c);
}
END_TEST

START_TEST(read_only_grant_cannot_be_written)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/inside.txt", dir);
	int rw = open(p, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(rw, 0);
	sbx_config *c = probe_config(Q("writefd", "3", "readfd", "3", "writefd", "5"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_grant(c, rw, 3, SBX_RIGHTS_READ, &err), 0);
	ck_assert_int_eq(sbx_config_grant(c, rw, 5, SBX_RIGHTS_WRITE, &err), 0);
	sbx_result res = {.size = sizeof(res)};
	char *out = run_capture(c, &res);
	has(out, "writefd=errno:EBADF\nreadfd=inside\nwritefd=1\n");
	free(out);
	sbx_config_free(c);

	/* narrowing never widens */
	int ro = open(p, O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(sbx_fd_narrow(ro, SBX_RIGHTS_WRITE, &err), -EACCES);
	ck_assert_msg(strstr(err.message, "not open for writing"), "%s", err.message);
	ck_assert_int_eq(sbx_fd_narrow(ro, SBX_RIGHTS_DIR, &err), -ENOTDIR);
	int path = open(p, O_PATH | O_CLOEXEC);
	ck_assert_int_eq(sbx_fd_narrow(path, SBX_RIGHTS_READ, &err), -EACCES);
	int d = sbx_fd_narrow(ro, SBX_RIGHTS_READ, &err);
	ck_assert_int_ge(d, 0);
	ck_assert_int_eq(fcntl(d, F_GETFL) & O_ACCMODE, O_RDONLY);
	ck_assert(fcntl(d, F_GETFD) & FD_CLOEXEC);
	close(d);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(sbx_fd_narrow(sv[0], SBX_RIGHTS_READ, &err), -ENXIO);
	close(sv[0]);
	close(sv[1]);
	close(path);
	close(ro);
	close(rw);
}
END_TEST

START_TEST(directory_grant_resolves_beneath)
{
	int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = sbx_openat_beneath(d, "inside.txt", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(sbx_openat_beneath(d, "../secret.txt", O_RDONLY, 0), -EXDEV);
	ck_assert_int_eq(sbx_openat_beneath(d, "/etc/passwd", O_RDONLY, 0), -EXDEV);
	ck_assert_int_eq(sbx_openat_beneath(d, "out", O_RDONLY, 0), -EXDEV);
	ck_assert_int_eq(sbx_openat_beneath(d, "/proc/self/root/etc/passwd", O_RDONLY, 0), -EXDEV);
	close(d);
}
END_TEST

/* A TCP listener on 127.0.0.1; its port. */
static int listener(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

START_TEST(capability_mode_blocks_tcp_and_new_sockets)
{
	REQUIRE_CAPMODE();
	int port;
	int lfd = listener(&port);
	char ps[16];
	snprintf(ps, sizeof(ps), "%d", port);
	for (int capmode = 0; capmode < 2; capmode++) {
		/* the host's network: 127.0.0.1 is the test's */
		sbx_config *c = probe_config(Q("connect", ps, "bindfd", "5", "connectfd", "5", ps));
		sbx_error err;
		ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_DEFAULT & ~SBX_NS_NET, &err),
				 0);
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_eq(sbx_config_grant_fd(c, s, 5, &err), 0);
		close(s);
		if (capmode)
			ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, NULL, 0, &err), 0);
		sbx_result res = {.size = sizeof(res)};
		char *out = run_capture(c, &res);
		if (capmode)
			has(out,
			    "connect=errno:EPERM\nbindfd=errno:EACCES\nconnectfd=errno:EACCES\n");
		else
			has(out, "connect=0\nbindfd=0\nconnectfd=0\n");
		free(out);
		sbx_config_free(c);
	}
	close(lfd);
}
END_TEST

/* A process the sandbox could signal but for capability mode: running as the
 * host uid the sandbox's root maps to (nobody when we are root). Returned
 * only once it has switched, else a fast sandbox meets it still root. */
static pid_t signal_target(void)
{
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	pid_t target = fork();
	ck_assert_int_ge(target, 0);
	if (target == 0) {
		if (getuid() == 0 &&
		    (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)))
			_exit(1);
		close(ready[1]);
		pause();
		_exit(0);
	}
	close(ready[1]);
	char eof;
	ck_assert_int_eq(read(ready[0], &eof, 1), 0);
	close(ready[0]);
	return target;
}

START_TEST(capability_mode_blocks_signals_out)
{
	REQUIRE_CAPMODE();
	pid_t target = signal_target();
	char ts[16];
	snprintf(ts, sizeof(ts), "%d", (int)target);
	for (int capmode = 0; capmode < 2; capmode++) {
		sbx_config *c = probe_config(Q("kill0", ts));
		sbx_error err;
		/* the host's pids, so that the sandbox can name it */
		ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_DEFAULT & ~SBX_NS_PID, &err),
				 0);
		if (capmode)
			ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, NULL, 0, &err), 0);
		sbx_result res = {.size = sizeof(res)};
		char *out = run_capture(c, &res);
		has(out, capmode ? "kill0=errno:EPERM\n" : "kill0=0\n");
		free(out);
		sbx_config_free(c);
	}
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
}
END_TEST

/* A pidfd handed over: the process can be signalled through it, unless
 * capability mode scopes signals (Landlock makes no exception for it). */
START_TEST(pidfd_grant_signals_outside_capability_mode)
{
	REQUIRE_CAPMODE();
	pid_t target = signal_target();
	int pidfd = (int)syscall(SYS_pidfd_open, target, 0);
	ck_assert_int_ge(pidfd, 0);
	for (int capmode = 0; capmode < 2; capmode++) {
		sbx_config *c = probe_config(Q("pidfd-kill0", "6"));
		sbx_error err;
		/* a pid namespace would not see the process at all (EINVAL) */
		ck_assert_int_eq(sbx_config_set_namespaces(c, SBX_NS_DEFAULT & ~SBX_NS_PID, &err),
				 0);
		ck_assert_int_eq(sbx_config_grant_fd(c, pidfd, 6, &err), 0);
		if (capmode)
			ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, NULL, 0, &err), 0);
		sbx_result res = {.size = sizeof(res)};
		char *out = run_capture(c, &res);
		has(out, capmode ? "pidfd-kill0=errno:EPERM\n" : "pidfd-kill0=0\n");
		free(out);
		sbx_config_free(c);
	}
	close(pidfd);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
}
END_TEST

START_TEST(capability_mode_fails_closed)
{
	/* asking for what no kernel has yet cannot be had: refused, nothing run */
	sbx_config *c = probe_config(Q("pid"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, NULL, 0x80, &err), -EINVAL);
	const char *const bad[] = {"relative/path", NULL};
	ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, bad, 0, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "not an absolute path"), "%s", err.message);
	sbx_config_free(c);
	if (sbx_landlock_abi() < 6) {
		/* this kernel cannot give it all: refused before anything runs */
		c = probe_config(Q("pid"));
		ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, NULL, 0, &err), 0);
		sbx_proc *p = NULL;
		ck_assert_int_eq(sbx_spawn(c, &p, &err), -ENOTSUP);
		ck_assert_msg(strstr(err.message, "capability mode: "), "%s", err.message);
		sbx_config_free(c);
	} else {
		/* a runtime path that cannot be opened names itself */
		c = probe_config(Q("pid"));
		const char *const rt[] = {"/usr", "/proc/1/root", NULL};
		ck_assert_int_eq(sbx_config_set_capability_mode(c, 1, rt, 0, &err), 0);
		sbx_proc *p = NULL;
		int r = sbx_spawn(c, &p, &err);
		if (r < 0) /* as root /proc/1/root opens; unprivileged it does not */
			ck_assert_msg(strstr(err.message, "capability mode: /proc/1/root"), "%s",
				      err.message);
		else
			sbx_proc_free(p);
		sbx_config_free(c);
	}
}
END_TEST

static void *idle(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

/* sbx_cap_enter in a process of our own: the same walls from inside. */
START_TEST(cap_enter_from_inside)
{
	REQUIRE_CAPMODE();
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		sbx_cap_path paths[] = {{d, SBX_CAP_READ | SBX_CAP_WRITE}};
		int abi = 0;
		if (sbx_cap_enter(paths, 1, 0, &abi, NULL) < 0 || abi < 6)
			_exit(10);
		if (open("/etc/hostname", O_RDONLY) >= 0 || errno != EACCES)
			_exit(11);
		int f = openat(d, "inside.txt", O_RDONLY);
		if (f < 0)
			_exit(12);
		if (openat(d, "new.txt", O_WRONLY | O_CREAT, 0600) < 0)
			_exit(13); /* write access beneath it */
		if (socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || errno != EPERM)
			_exit(14);
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			_exit(15);
		_exit(0);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);

	/* with a second thread it refuses, rather than confine one of two */
	pid = fork();
	if (pid == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, idle, NULL) != 0)
			_exit(20);
		sbx_error err;
		_exit(sbx_cap_enter(NULL, 0, 0, NULL, &err) == -EINVAL &&
				      strstr(err.message, "threads")
			      ? 0
			      : 21);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
}
END_TEST

/* ---------------------------------------------------------------- Linux capabilities */

START_TEST(capabilities_dropped_unless_kept)
{
	sbx_result res = {.size = sizeof(res)};
	sbx_config *c = probe_config(Q("caps", "prctl"));
	char *out = run_capture(c, &res);
	has(out, "CapInh=0000000000000000\nCapPrm=0000000000000000\nCapEff=0000000000000000\n"
		 "CapBnd=0000000000000000\nCapAmb=0000000000000000\n");
	free(out);
	sbx_config_free(c);

	/* keep CAP_NET_BIND_SERVICE (10) for the sandbox's root, and as ambient */
	int nbs = sbx_cap_from_name("CAP_NET_BIND_SERVICE");
	ck_assert_int_eq(nbs, 10);
	ck_assert_int_eq(sbx_cap_from_name("net_bind_service"), 10);
	ck_assert_int_eq(sbx_cap_from_name("CAP_NO_SUCH"), -1);
	uint64_t bit = 1ull << nbs;
	sbx_caps keep = {.bounding = bit,
			 .effective = bit,
			 .permitted = bit,
			 .inheritable = bit,
			 .ambient = bit};
	c = probe_config(Q("caps"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_set_caps(c, &keep, &err), 0);
	out = run_capture(c, &res);
	has(out, "CapInh=0000000000000400\nCapPrm=0000000000000400\nCapEff=0000000000000400\n"
		 "CapBnd=0000000000000400\nCapAmb=0000000000000400\n");
	free(out);
	sbx_config_free(c);

	sbx_caps bad = {.effective = bit};
	c = probe_config(Q("caps"));
	ck_assert_int_eq(sbx_config_set_caps(c, &bad, &err), -EINVAL);
	sbx_config_free(c);
}
END_TEST

START_TEST(no_new_privs_unless_turned_off)
{
	sbx_result res = {.size = sizeof(res)};
	for (int on = 1; on >= 0; on--) {
		sbx_config *c = probe_config(Q("nnp"));
		sbx_error err;
		ck_assert_int_eq(sbx_config_set_no_new_privs(c, on, &err), 0);
		char *out = run_capture(c, &res);
		has(out, on ? "NoNewPrivs=1\n" : "NoNewPrivs=0\n");
		free(out);
		sbx_config_free(c);
	}
}
END_TEST

/* ---------------------------------------------------------------- channels */

START_TEST(channel_at_spawn_carries_descriptors)
{
	sbx_config *c = probe_config(Q("chanrecv", "7"));
	sbx_error err;
	ck_assert_int_eq(sbx_config_add_channel(c, 7, &err), 0);
	ck_assert_int_eq(sbx_config_add_channel(c, 7, &err), -EINVAL);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *p = NULL;
	ck_assert_int_eq(sbx_spawn(c, &p, &err), 0);
	sbx_chan *ch = sbx_proc_channel(p, 7);
	ck_assert_ptr_nonnull(ch);
	ck_assert_ptr_null(sbx_proc_channel(p, 8));
	int m = sbx_shm_create("frame", 5, &err);
	ck_assert_int_ge(m, 0);
	ck_assert_int_eq(pwrite(m, "hello", 5, 0), 5);
	ck_assert_int_eq(sbx_chan_send(ch, "ping", 4, &m, 1, &err), 0);
	close(m);
	char reply[16];
	size_t nfds = 0;
	ck_assert_int_eq(sbx_chan_recv(ch, reply, sizeof(reply), NULL, &nfds, &err), 4);
	ck_assert_int_eq(memcmp(reply, "pong", 4), 0);
	char out[256];
	read_to_eof(sbx_proc_stdio(p, 1), out, sizeof(out));
	has(out, "chanrecv=ping fd-data=hello cloexec=1\n");
	sbx_result res = {.size = sizeof(res)};
	ck_assert_int_eq(sbx_wait(p, -1, &res, &err), 0);
	/* the worker's end is gone: end of channel */
	ck_assert_int_eq(sbx_chan_recv(ch, reply, sizeof(reply), NULL, &nfds, &err), 0);
	sbx_proc_free(p);
	sbx_config_free(c);
}
END_TEST

/* Sends a raw message with `n` copies of fd. */
static void raw_send(int sock, const char *data, size_t len, int fd, size_t n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 64)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)data, len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		for (size_t i = 0; i < n; i++)
			memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
	}
	ck_assert_int_eq(sendmsg(sock, &m, 0), (ssize_t)len);
}

START_TEST(channel_errors_leak_nothing)
{
	sbx_chan *a, *b;
	sbx_error err;
	ck_assert_int_eq(sbx_chan_pair(&a, &b, &err), 0);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int base = count_fds();

	/* fine: descriptors arrive, close-on-exec */
	ck_assert_int_eq(sbx_chan_send(a, "x", 1, (int[]){fd, fd}, 2, &err), 0);
	char buf[8];
	int got[SBX_CHAN_MAX_FDS];
	size_t n = SBX_CHAN_MAX_FDS;
	ck_assert_int_eq(sbx_chan_recv(b, buf, sizeof(buf), got, &n, &err), 1);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		ck_assert(fcntl(got[i], F_GETFD) & FD_CLOEXEC);
		close(got[i]);
	}
	ck_assert_int_eq(count_fds(), base);

	/* more descriptors than the receiver has room for */
	ck_assert_int_eq(sbx_chan_send(a, "x", 1, (int[]){fd, fd, fd}, 3, &err), 0);
	n = 2;
	ck_assert_int_eq(sbx_chan_recv(b, buf, sizeof(buf), got, &n, &err), -EMSGSIZE);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(count_fds(), base);

	/* more than a message may carry, sent raw by a peer that ignores the bound */
	raw_send(sbx_chan_fd(a), "x", 1, fd, 40);
	n = SBX_CHAN_MAX_FDS;
	ck_assert_int_eq(sbx_chan_recv(b, buf, sizeof(buf), got, &n, &err), -EMSGSIZE);
	ck_assert_int_eq(count_fds(), base);

	/* truncated data, with descriptors attached */
	raw_send(sbx_chan_fd(a), "0123456789abcdef", 16, fd, 3);
	n = SBX_CHAN_MAX_FDS;
	ck_assert_int_eq(sbx_chan_recv(b, buf, 4, got, &n, &err), -EMSGSIZE);
	ck_assert_msg(strstr(err.message, "larger than the buffer"), "%s", err.message);
	ck_assert_int_eq(count_fds(), base);

	/* the sender's own bounds */
	ck_assert_int_eq(sbx_chan_send(a, "", 0, NULL, 0, &err), -EINVAL);
	int many[SBX_CHAN_MAX_FDS + 1];
	for (int i = 0; i <= SBX_CHAN_MAX_FDS; i++)
		many[i] = fd;
	ck_assert_int_eq(sbx_chan_send(a, "x", 1, many, SBX_CHAN_MAX_FDS + 1, &err), -EINVAL);

	/* only seqpacket sockets are channels */
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	sbx_chan *w;
	ck_assert_int_eq(sbx_chan_wrap(sv[0], &w, &err), -ENOTSOCK);
	close(sv[0]);
	close(sv[1]);

	/* the peer's end closes: 0 */
	sbx_chan_free(a);
	n = 0;
	ck_assert_int_eq(sbx_chan_recv(b, buf, sizeof(buf), NULL, &n, &err), 0);
	sbx_chan_free(b);
	close(fd);
}
END_TEST

START_TEST(sealed_buffers)
{
	sbx_error err;
	int fd = sbx_shm_create("buf", 8192, &err);
	ck_assert_int_ge(fd, 0);
	char *w = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(w, MAP_FAILED);
	memcpy(w, "frame", 5);
	ck_assert_int_eq(sbx_shm_seal_readonly(fd, &err), 0);
	ck_assert_int_eq(sbx_shm_check(fd, 8192, 1, &err), 0);
	ck_assert_int_eq(sbx_shm_check(fd, 4096, 1, &err), -EINVAL);
	/* the receiver's side: no write access, no size change */
	ck_assert_ptr_eq(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(pwrite(fd, "x", 1, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ftruncate(fd, 4096), -1);
	ck_assert_int_eq(errno, EPERM);
	char *r = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(r, MAP_FAILED);
	ck_assert_int_eq(memcmp(r, "frame", 5), 0);
	munmap(r, 8192);
	munmap(w, 8192);
	close(fd);
	/* a memfd without seals is refused */
	int plain = memfd_create("plain", MFD_CLOEXEC);
	ck_assert_int_eq(ftruncate(plain, 4096), 0);
	ck_assert_int_eq(sbx_shm_check(plain, 4096, 0, &err), -EPERM);
	ck_assert_msg(strstr(err.message, "lacks its seals"), "%s", err.message);
	close(plain);
}
END_TEST

/* ---------------------------------------------------------------- the broker */

START_TEST(broker_over_a_channel)
{
	sbx_broker *b = sbx_broker_new();
	sbx_error err;
	ck_assert_int_eq(sbx_broker_allow(b, dir, SBX_BROKER_READ, &err), 0);
	char rw[256];
	snprintf(rw, sizeof(rw), "%s/sub", dir);
	ck_assert_int_eq(sbx_broker_allow(b, rw,
					  SBX_BROKER_READ | SBX_BROKER_WRITE | SBX_BROKER_CREATE,
					  &err),
			 0);
	ck_assert_int_eq(sbx_broker_allow(b, "relative", SBX_BROKER_READ, &err), -EINVAL);
	sbx_chan *parent, *worker;
	ck_assert_int_eq(sbx_chan_pair(&parent, &worker, &err), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sbx_chan_free(parent);
		char p[256];
		int bad = 0, fd;
		char buf[16] = "";
#define EXPECT(path, flags, want)                                                                  \
	do {                                                                                       \
		snprintf(p, sizeof(p), path, dir);                                                 \
		fd = sbx_broker_open(worker, p, flags, 0600);                                      \
		if ((want) == 0 ? fd < 0 : fd != (want))                                           \
			bad = bad ? bad : __LINE__;                                                \
		if (fd >= 0)                                                                       \
			close(fd);                                                                 \
	} while (0)
		EXPECT("%s/inside.txt", O_RDONLY, 0);
		EXPECT("%s/sub/deeper.txt", O_RDONLY, 0);
		EXPECT("%s/inside.txt", O_RDWR, -EACCES);	 /* read-only rule */
		EXPECT("%s/../secret.txt", O_RDONLY, -EACCES);	 /* .. */
		EXPECT("%s/out", O_RDONLY, -EACCES);		 /* symlink out */
		EXPECT("%sx/inside.txt", O_RDONLY, -EACCES);	 /* a sibling's prefix */
		EXPECT("/etc/passwd%s", O_RDONLY, -EACCES);	 /* not allowed */
		EXPECT("%s/sub/new.txt", O_WRONLY | O_CREAT, 0); /* write rule */
		EXPECT("%s/inside.txt", O_RDONLY | O_TMPFILE, -EINVAL);
		snprintf(p, sizeof(p), "%s/inside.txt", dir);
		fd = sbx_broker_open(worker, p, O_RDONLY, 0);
		if (fd < 0 || read(fd, buf, 6) != 6 || memcmp(buf, "inside", 6) ||
		    !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			bad = bad ? bad : __LINE__;
		_exit(bad ? 1 : 0);
	}
	sbx_chan_free(worker);
	int r, answered = 0;
	while ((r = sbx_broker_serve(b, parent, &err)) == 1)
		answered++;
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(answered, 10);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	/* created by the broker, with the mode masked */
	char made[256];
	snprintf(made, sizeof(made), "%s/sub/new.txt", dir);
	struct stat s;
	ck_assert_int_eq(stat(made, &s), 0);
	ck_assert_uint_eq(s.st_mode & 0777, 0600);
	sbx_chan_free(parent);
	sbx_broker_free(b);
}
END_TEST

struct notify_loop {
	sbx_broker *b;
	int nfd;
	int answered;
};

static void *serve_notifications(void *arg)
{
	struct notify_loop *l = arg;
	for (;;) {
		struct pollfd pfd = {.fd = l->nfd, .events = POLLIN};
		if (poll(&pfd, 1, 10000) != 1 || (pfd.revents & (POLLHUP | POLLERR)))
			break;
		if (sbx_broker_serve_notify(l->b, l->nfd, NULL) != 1)
			break;
		l->answered++;
	}
	return NULL;
}

/* An unmodified program (cat) gets its files from the broker through its
 * own open() calls. */
static char *cat_through_broker(const char *file, sbx_result *res, int *answered)
{
	sbx_broker *b = sbx_broker_new();
	sbx_error err;
	/* what cat needs to start, and the one file */
	static const char *const runtime[] = {"/etc/ld.so.cache", "/lib", "/usr/lib", "/usr/lib64",
					      "/lib64"};
	for (size_t i = 0; i < sizeof(runtime) / sizeof(*runtime); i++)
		if (access(runtime[i], F_OK) == 0)
			ck_assert_int_eq(sbx_broker_allow(b, runtime[i], SBX_BROKER_READ, &err), 0);
	ck_assert_int_eq(sbx_broker_allow(b, "/etc/hostname", SBX_BROKER_READ, &err), 0);
	char *text = sbx_broker_policy(NULL);
	sbx_policy *pol;
	ck_assert_int_eq(sbx_policy_parse(text, "broker", NULL, &pol, &err), 0);
	free(text);
	sbx_config *c = sbx_config_new();
	const char *argv[] = {"cat", file, NULL};
	ck_assert_int_eq(sbx_config_set_exec(c, "/bin/cat", argv, &err), 0);
	ck_assert_int_eq(sbx_config_set_policy(c, pol, &err), 0);
	sbx_policy_free(pol);
	ck_assert_int_eq(sbx_config_set_stdio(c, 1, SBX_STDIO_PIPE, -1, &err), 0);
	ck_assert_int_eq(sbx_config_set_stdio(c, 2, SBX_STDIO_PIPE, -1, &err), 0);
	sbx_proc *p = NULL;
	ck_assert_msg(sbx_spawn(c, &p, &err) == 0, "%s", err.message);
	struct notify_loop l = {b, sbx_proc_notify_fd(p), 0};
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, serve_notifications, &l), 0);
	char *out = calloc(1, 4096);
	size_t n = read_to_eof(sbx_proc_stdio(p, 1), out, 2048);
	read_to_eof(sbx_proc_stdio(p, 2), out + n, 2048);
	ck_assert_int_eq(sbx_wait(p, -1, res, &err), 0);
	sbx_proc_free(p); /* closes the listener: the loop ends */
	pthread_join(t, NULL);
	*answered = l.answered;
	sbx_config_free(c);
	sbx_broker_free(b);
	return out;
}

START_TEST(broker_for_an_unmodified_program)
{
	sbx_result res = {.size = sizeof(res)};
	int answered;
	char host[64] = "";
	int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(read(fd, host, sizeof(host) - 1), 0);
	close(fd);
	char *out = cat_through_broker("/etc/hostname", &res, &answered);
	ck_assert_msg(!strcmp(out, host), "got \"%s\", want \"%s\"", out, host);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_int_ge(answered, 2); /* the C library, and the file */
	free(out);

	out = cat_through_broker("/etc/passwd", &res, &answered);
	has(out, "Permission denied");
	ck_assert_int_eq(res.exit_code, 1);
	free(out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("caps");
	TCase *t = tcase_create("live");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, capability_mode_confines_paths_to_grants);
	tcase_add_test(t, function_worker_in_capability_mode_opens_nothing);
	tcase_add_test(t, read_only_grant_cannot_be_written);
	tcase_add_test(t, directory_grant_resolves_beneath);
	tcase_add_test(t, capability_mode_blocks_tcp_and_new_sockets);
	tcase_add_test(t, capability_mode_blocks_signals_out);
	tcase_add_test(t, pidfd_grant_signals_outside_capability_mode);
	tcase_add_test(t, capability_mode_fails_closed);
	tcase_add_test(t, cap_enter_from_inside);
	tcase_add_test(t, capabilities_dropped_unless_kept);
	tcase_add_test(t, no_new_privs_unless_turned_off);
	tcase_add_test(t, channel_at_spawn_carries_descriptors);
	tcase_add_test(t, channel_errors_leak_nothing);
	tcase_add_test(t, sealed_buffers);
	tcase_add_test(t, broker_over_a_channel);
	tcase_add_test(t, broker_for_an_unmodified_program);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	skip_all_unless_sandboxes_work();
	return run_suite(suite());
}
