/* The child between clone3 and execve. It applies the plan the parent built,
 * in the order DESIGN.md gives, with system calls only: the caller may be
 * multithreaded, so after the clone no lock, allocator or stdio state can be
 * trusted. On failure it writes {step, index, errno} to the report pipe and
 * exits; on success the report pipe closes at exec and the parent reads EOF.
 * A function worker (sbx_config_set_entry) calls its function instead of
 * execve. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "fds.h"
#include "mount.h"
#include "ns.h"
#include "plan.h"
#include "sys.h"

__attribute__((noreturn)) static void fail(int report_fd, enum step step, long index, int e)
{
	struct child_report r = {.step = step, .index = (int32_t)index, .err = e};
	/* one write below PIPE_BUF is atomic; nothing to do if the parent is gone */
	ssize_t n = write(report_fd, &r, sizeof(r));
	(void)n;
	_exit(127);
}

/* Parent gone? Our report pipe has lost its reader. */
static bool parent_gone(int report_fd)
{
	struct pollfd pfd = {.fd = report_fd, .events = POLLOUT};
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
}

static bool runnable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* A name without a slash, found in the PATH directories as execvp would,
 * but without allocating: "dir/name" is built in a buffer the parent sized.
 * With `try` it execs each candidate (exact errors, no filter yet); without
 * it only checks, so that the one execve under a filter is the last call.
 * EACCES from one directory is reported if nothing else works. */
static const char *search(struct plan *p, int report_fd, bool try)
{
	size_t nl = strlen(p->path);
	int best = ENOENT;
	long best_index = 0;
	for (long i = 0; p->search[i]; i++) {
		size_t dl = strlen(p->search[i]);
		if (dl + 1 + nl + 1 > p->exec_buf_len)
			continue;
		memcpy(p->exec_buf, p->search[i], dl);
		p->exec_buf[dl] = '/';
		memcpy(p->exec_buf + dl + 1, p->path, nl + 1);
		if (try)
			execve(p->exec_buf, p->argv, p->envp);
		else if (runnable(p->exec_buf))
			return p->exec_buf;
		else
			errno = access(p->exec_buf, F_OK) == 0 ? EACCES : ENOENT;
		switch (errno) {
		case ENOENT:
		case ENOTDIR:
		case ELOOP:
		case ENAMETOOLONG:
			break;
		case EACCES:
			if (best != EACCES) {
				best = EACCES;
				best_index = i;
			}
			break;
		default:
			fail(report_fd, STEP_EXEC, i, errno);
		}
	}
	fail(report_fd, STEP_EXEC, best == EACCES ? best_index : -1, best);
}

/* The lowest free descriptor: what the kernel gives the next one made. */
static int lowest_free(void)
{
	int fd = 0;
	while (fcntl(fd, F_GETFD) >= 0)
		fd++;
	return fd;
}

/* The filter goes on last: after it the only call is execve. With notify
 * rules the parent is told first which number the listener will get, and
 * takes it with pidfd_getfd() (sending it from here would be a call that a
 * filter may notify, to a parent that does not hold the listener yet). The
 * listener is close-on-exec, so the child waits until the parent has it; the
 * parent answers that read if the filter notifies it, and the spawn checked
 * that the filter lets it through. */
static void install_filter(struct plan *p, int rfd)
{
	unsigned flags = p->log_denials ? SECCOMP_FILTER_FLAG_LOG : 0;
	if (p->listener) {
		struct child_report at = {.step = STEP_LISTENER_AT, .index = lowest_free()};
		if (write(rfd, &at, sizeof(at)) != sizeof(at))
			_exit(127);
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, p->filter) < 0)
		fail(rfd, STEP_SECCOMP, 0, errno);
	if (p->listener) {
		char c;
		ssize_t n;
		do
			n = read(rfd, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127); /* the parent gave up (and says why) or died */
	}
}

/* A new time namespace with the plan's clock offsets, entered: its offsets
 * can be written only before a process is in it (through the host's /proc,
 * before the mounts, and as the caller's ids, which own /proc/self). */
static void enter_timens(struct plan *p, int rfd)
{
	if (unshare(CLONE_NEWTIME) < 0)
		fail(rfd, STEP_TIMENS, 0, errno);
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	size_t len = strlen(p->timens_offsets);
	if (fd < 0 || write(fd, p->timens_offsets, len) != (ssize_t)len)
		fail(rfd, STEP_TIMENS, 0, errno);
	close(fd);
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
		fail(rfd, STEP_TIMENS, 0, errno);
	close(fd);
}

/* OCI start: everything is set up and checked; say so, and wait for the
 * byte. The report channel stays open (close-on-exec), so a failing exec
 * after the start is still seen by whoever reads it. */
static void wait_at_gate(struct plan *p, int rfd)
{
	/* it may wait long: hold nothing of the caller's meanwhile (a lock,
	 * say), only what the program gets */
	const int keep[] = {rfd, p->gate_fd, p->exec_fd};
	int r = fds_close_others(p->fds, p->n_fds, keep, 3);
	if (r < 0)
		fail(rfd, STEP_FDS, -1, -r);
	struct child_report at = {.step = STEP_GATE};
	if (write(rfd, &at, sizeof(at)) != sizeof(at))
		_exit(127);
	char c;
	ssize_t n;
	do
		n = read(p->gate_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);
	close(p->gate_fd);
}

/* A function worker: the policy goes on, the parent hears that the worker
 * runs (EOF, or in strict mode, where close is not allowed, a record), then
 * fn. The exit system call ends it: exit_group is not among strict mode's
 * four. */
static void enter_capmode(struct plan *p, int rfd, const char *path);

__attribute__((noreturn)) static void run_entry(struct plan *p, int rfd)
{
	/* no exec will close what the caller had open: close it now, all but
	 * stdio, the grants and the report channel (a worker must not hold
	 * the caller's files and sockets) */
	int r = fds_close_others(p->fds, p->n_fds, &rfd, 1);
	if (r < 0)
		fail(rfd, STEP_FDS, -1, -r);
	if (p->capmode)
		enter_capmode(p, rfd, NULL);
	if (p->strict) {
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL) < 0)
			fail(rfd, STEP_SECCOMP, 0, errno);
		struct child_report entered = {.step = STEP_ENTERED};
		if (write(rfd, &entered, sizeof(entered)) != sizeof(entered))
			syscall(SYS_exit, 127);
	} else {
		if (p->filter)
			install_filter(p, rfd);
		close(rfd);
	}
	int status = p->entry(p->entry_arg);
	for (;;)
		syscall(SYS_exit, status & 0xff);
}

/* Capability mode before the program runs: Landlock rules for the runtime
 * paths (as the sandbox sees them), the directory grants and the program
 * itself, then the seccomp part. */
static void enter_capmode(struct plan *p, int rfd, const char *path)
{
	struct cap_rule rules[CONF_CAP_RUNTIME_MAX + 64 + 1];
	long where[CONF_CAP_RUNTIME_MAX + 64 + 1];
	size_t n = 0;
	for (size_t i = 0; p->cap_runtime[i] && i < CONF_CAP_RUNTIME_MAX; i++) {
		int fd = open(p->cap_runtime[i], O_PATH | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue; /* not in this root (/lib64 on some systems) */
		if (fd < 0)
			fail(rfd, STEP_CAPMODE, (long)i, errno);
		where[n] = (long)i;
		rules[n++] = (struct cap_rule){fd, SBX_CAP_READ | SBX_CAP_EXEC};
	}
	for (size_t i = 0; i < p->n_cap_grants && i < 64; i++) {
		where[n] = PLAN_CAP_GRANT + (long)i;
		rules[n++] = p->cap_grants[i];
	}
	/* the program: from its fd, or by the path resolved before */
	int prog = p->exec_fd >= 0 ? p->exec_fd : path ? open(path, O_PATH | O_CLOEXEC) : -1;
	if (prog >= 0) {
		where[n] = -1;
		rules[n++] = (struct cap_rule){prog, SBX_CAP_EXEC};
	}
	size_t failed;
	int r = capmode_landlock(rules, n, p->cap_need, &failed);
	if (r < 0)
		fail(rfd, STEP_CAPMODE, failed == (size_t)-1 ? -1 : where[failed], -r);
	/* the rules hold what they need: the fds opened for them go (a
	 * function worker never execs, which would close them) */
	for (size_t i = 0; i < n; i++)
		if (where[i] >= 0 && where[i] < PLAN_CAP_GRANT)
			close(rules[i].fd);
	if (prog >= 0 && prog != p->exec_fd)
		close(prog);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, p->cap_filter) < 0)
		fail(rfd, STEP_CAPMODE, -1, errno);
}

/* A pseudo-terminal from the sandbox's own /dev/ptmx: the slave becomes
 * the controlling terminal and stdio, the master goes to the console
 * socket with the slave's name as data. 0 or -errno. */
static int console_setup(int sock)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	int unlock = 0, n = 0, e = 0;
	int slave = -1;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0 ||
	    (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0)
		e = errno;
	/* "/dev/pts/N", without stdio */
	char name[32] = "/dev/pts/", digits[12];
	size_t len = 9, k = 0;
	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10) && k < sizeof(digits));
	while (k)
		name[len++] = digits[--k];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = name, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (!e && sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		e = errno;
	close(master);
	close(sock);
	if (!e && ioctl(slave, TIOCSCTTY, 0) < 0)
		e = errno;
	for (int fd = 0; !e && fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			e = errno;
	if (slave > 2)
		close(slave);
	return -e;
}

void child_run(struct plan *p)
{
	int rfd = p->report_fd;

	/* Our copies of the parent's ends: holding them would hide the parent's
	 * death (no EOF on the sync pipe, no POLLERR on the report pipe). */
	close(p->report_peer);
	if (p->sync_peer >= 0)
		close(p->sync_peer);

	/* Signals arrive blocked (the parent blocked them around clone3). Reset
	 * every disposition, so no handler of the caller runs here and no
	 * ignored signal stays ignored in the program; unblock just before exec. */
	for (int s = 1; s < _NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sys_sigaction_default(s);

	/* Namespaces joined rather than made, before anything happens in them
	 * (and while we still hold the caller's privileges over them). */
	for (size_t i = 0; i < 4; i++)
		if (p->join_fd[i] >= 0 && setns(p->join_fd[i], p->join_type[i]) < 0)
			fail(rfd, STEP_JOIN, (long)i, errno);

	/* A new session: no controlling terminal, so TIOCSTI cannot type into
	 * the caller's terminal. */
	if (setsid() < 0)
		fail(rfd, STEP_SETSID, 0, errno);

	/* Before any id change: that makes the process non-dumpable, and its
	 * /proc files root's. */
	if (p->oom_score_adj[0]) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		size_t len = strlen(p->oom_score_adj);
		if (fd < 0 || write(fd, p->oom_score_adj, len) != (ssize_t)len)
			fail(rfd, STEP_OOM_SCORE, 0, errno);
		close(fd);
	}

	if (p->need_sync) {
		char c;
		ssize_t n;
		do
			n = read(p->sync_fd, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127); /* the parent gave up (and reports why) or died */
	}

	if (p->timens_offsets[0])
		enter_timens(p, rfd);

	/* The ids switch here, so that what the set-up below creates (mount
	 * targets, in a new user namespace) has mapped owners; the set-up
	 * itself (mounts, sysctls, rlimits) still needs the capabilities a
	 * switch from uid 0 to another drops: kept and raised again, and
	 * caps_apply() leaves only the configured ones before exec. */
	bool from_root = p->set_ids && p->uid != 0 && geteuid() == 0;
	if (from_root && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(rfd, STEP_CAPS, 0, errno);
	if (p->set_ids) {
		if (p->set_groups && sys_setgroups(p->n_groups, p->groups) < 0)
			fail(rfd, STEP_SETGROUPS, 0, errno);
		if (sys_setresgid(p->gid, p->gid, p->gid) < 0)
			fail(rfd, STEP_SETGID, 0, errno);
		if (sys_setresuid(p->uid, p->uid, p->uid) < 0)
			fail(rfd, STEP_SETUID, 0, errno);
	}
	int raised;
	if (from_root && (raised = caps_raise_effective()) < 0)
		fail(rfd, STEP_CAPS, 0, -raised);

	/* After the id changes, which clear it. If the parent died before this
	 * point the signal will never come, so look. */
	if (p->pdeathsig) {
		if (prctl(PR_SET_PDEATHSIG, p->pdeathsig, 0, 0, 0) < 0)
			fail(rfd, STEP_PDEATHSIG, 0, errno);
		if (parent_gone(rfd))
			_exit(127);
	}

	/* in the sandbox's namespaces already, through the host's /proc,
	 * which the mounts are about to hide */
	for (size_t i = 0; i < p->n_sysctls; i++) {
		int fd = open(p->sysctls[i].path, O_WRONLY | O_CLOEXEC);
		size_t len = strlen(p->sysctls[i].value);
		if (fd < 0 || write(fd, p->sysctls[i].value, len) != (ssize_t)len)
			fail(rfd, STEP_SYSCTL, (long)i, errno);
		close(fd);
	}

	size_t failed = 0;
	int r = mount_apply(p->mounts, p->n_mounts, &failed);
	if (r < 0)
		fail(rfd, STEP_MOUNT, (long)failed, -r);

	if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
		fail(rfd, STEP_HOSTNAME, 0, errno);
	if (p->domainname && setdomainname(p->domainname, strlen(p->domainname)) < 0)
		fail(rfd, STEP_DOMAINNAME, 0, errno);
	if (p->umask >= 0)
		umask((mode_t)p->umask);
	if (p->personality >= 0 && personality((unsigned long)p->personality) < 0)
		fail(rfd, STEP_PERSONALITY, 0, errno);

	if (p->loopback && (r = ns_loopback_up()) < 0)
		fail(rfd, STEP_LOOPBACK, 0, -r);

	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			fail(rfd, STEP_RLIMITS, p->rlimits[i].resource, errno);
	}

	if (chdir(p->cwd) < 0)
		fail(rfd, STEP_CHDIR, 0, errno);

	int *const keep[] = {&rfd, &p->exec_fd, &p->gate_fd, &p->console_fd};
	if ((r = fds_apply(p->fds, p->n_fds, p->fd_floor, keep, 4, &failed)) < 0)
		fail(rfd, STEP_FDS, (long)failed, -r);
	if (p->console_fd >= 0 && (r = console_setup(p->console_fd)) < 0)
		fail(rfd, STEP_CONSOLE, 0, -r);

	/* A new anonymous session keyring: keys the caller reached through its
	 * session keyring are not "possessed" in here. */
	if (sys_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0 && errno != ENOSYS)
		fail(rfd, STEP_KEYRING, 0, errno);

	if ((r = caps_apply(&p->caps, p->drop_bounding, p->last_cap)) < 0)
		fail(rfd, STEP_CAPS, 0, -r);

	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(rfd, STEP_NO_NEW_PRIVS, 0, errno);

	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (p->entry)
		run_entry(p, rfd);

	if (!p->filter && !p->capmode && p->gate_fd < 0) {
		if (p->exec_fd >= 0) {
			syscall(SYS_execveat, p->exec_fd, "", p->argv, p->envp, AT_EMPTY_PATH);
			fail(rfd, STEP_EXEC, -1, errno);
		}
		if (strchr(p->path, '/')) {
			execve(p->path, p->argv, p->envp);
			fail(rfd, STEP_EXEC, -1, errno);
		}
		search(p, rfd, true);
	}
	/* Under a filter a failing execve may not be able to report (the policy
	 * may forbid the write), and capability mode needs the program's path
	 * for a rule, so what can be checked is checked first. */
	const char *path = p->path;
	if (p->exec_fd < 0 && !strchr(path, '/'))
		path = search(p, rfd, false);
	else if (p->exec_fd < 0 && !runnable(path))
		fail(rfd, STEP_EXEC, -1, access(path, F_OK) == 0 ? EACCES : errno);
	if (p->gate_fd >= 0)
		wait_at_gate(p, rfd);
	if (p->capmode)
		enter_capmode(p, rfd, path);
	if (p->filter)
		install_filter(p, rfd);
	if (p->exec_fd >= 0)
		syscall(SYS_execveat, p->exec_fd, "", p->argv, p->envp, AT_EMPTY_PATH);
	else
		execve(path, p->argv, p->envp);
	fail(rfd, STEP_EXEC, -1, errno);
}

static const char *rlimit_name(int resource)
{
	static const char *const names[] = {
		[RLIMIT_CPU] = "RLIMIT_CPU",	       [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
		[RLIMIT_DATA] = "RLIMIT_DATA",	       [RLIMIT_STACK] = "RLIMIT_STACK",
		[RLIMIT_CORE] = "RLIMIT_CORE",	       [RLIMIT_RSS] = "RLIMIT_RSS",
		[RLIMIT_NPROC] = "RLIMIT_NPROC",       [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
		[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",   [RLIMIT_AS] = "RLIMIT_AS",
		[RLIMIT_LOCKS] = "RLIMIT_LOCKS",       [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
		[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
		[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",     [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	};
	if (resource >= 0 && (size_t)resource < sizeof(names) / sizeof(*names) && names[resource])
		return names[resource];
	return "rlimit";
}

static const char *step_name(int step)
{
	switch (step) {
	case STEP_SETSID:
		return "setsid";
	case STEP_SETGROUPS:
		return "setgroups";
	case STEP_SETGID:
		return "setresgid";
	case STEP_SETUID:
		return "setresuid";
	case STEP_PDEATHSIG:
		return "set the parent-death signal";
	case STEP_SYSCTL:
		return "sysctl";
	case STEP_OOM_SCORE:
		return "set oom_score_adj";
	case STEP_JOIN:
		return "join a namespace";
	case STEP_CONSOLE:
		return "console: make a terminal from /dev/ptmx and send it to the console socket";
	case STEP_HOSTNAME:
		return "sethostname";
	case STEP_DOMAINNAME:
		return "setdomainname";
	case STEP_PERSONALITY:
		return "set the personality";
	case STEP_TIMENS:
		return "time namespace: set the clock offsets";
	case STEP_LOOPBACK:
		return "bring up the loopback interface";
	case STEP_KEYRING:
		return "join a new session keyring";
	case STEP_CAPS:
		return "drop capabilities";
	case STEP_NO_NEW_PRIVS:
		return "set no_new_privs";
	case STEP_CAPMODE:
		return "enter capability mode";
	case STEP_SECCOMP:
		return "install the seccomp filter";
	}
	return "set up the sandbox";
}

void child_describe_failure(const struct plan *p, const struct child_report *r, char *buf,
			    size_t len)
{
	char ebuf[128];
	const char *es = strerror_r(r->err, ebuf, sizeof(ebuf));
	switch (r->step) {
	case STEP_EXEC:
		if (p->exec_fd >= 0)
			snprintf(buf, len, "exec %s (from an fd): %s", p->path, es);
		else if (strchr(p->path, '/'))
			snprintf(buf, len, "exec %s: %s", p->path, es);
		else if (r->index >= 0)
			snprintf(buf, len, "exec %s/%s: %s", p->search[r->index], p->path, es);
		else
			snprintf(buf, len, "exec %s: %s (searched PATH)", p->path, es);
		return;
	case STEP_MOUNT:
		if (r->index >= 0 && (size_t)r->index < p->n_mounts)
			snprintf(buf, len, "%s: %s", p->mounts[r->index].what, es);
		else
			snprintf(buf, len, "mount: %s", es);
		return;
	case STEP_CHDIR:
		snprintf(buf, len, "chdir %s: %s", p->cwd, es);
		return;
	case STEP_CAPMODE:
		if (r->index >= PLAN_CAP_GRANT &&
		    (size_t)(r->index - PLAN_CAP_GRANT) < p->n_cap_grants)
			snprintf(buf, len, "capability mode: the directory granted as fd %d: %s",
				 p->cap_grants[r->index - PLAN_CAP_GRANT].fd, es);
		else if (r->index >= 0)
			snprintf(buf, len, "capability mode: %s: %s", p->cap_runtime[r->index], es);
		else
			snprintf(buf, len, "capability mode: %s", es);
		return;
	case STEP_HOSTNAME:
		snprintf(buf, len, "sethostname \"%s\": %s", p->hostname, es);
		return;
	case STEP_OOM_SCORE:
		snprintf(buf, len, "oom_score_adj %s: %s", p->oom_score_adj, es);
		return;
	case STEP_JOIN:
		if (r->index >= 0 && r->index < 4 && p->join_path[r->index]) {
			snprintf(buf, len, "join the namespace %s: %s", p->join_path[r->index], es);
			return;
		}
		break;
	case STEP_SYSCTL:
		if (r->index >= 0 && (size_t)r->index < p->n_sysctls) {
			snprintf(buf, len, "sysctl %s = \"%s\": %s", p->sysctls[r->index].path + 10,
				 p->sysctls[r->index].value, es);
			for (char *c = buf + 7; *c && *c != ' '; c++)
				if (*c == '/')
					*c = '.';
			return;
		}
		break;
	case STEP_DOMAINNAME:
		snprintf(buf, len, "setdomainname \"%s\": %s", p->domainname, es);
		return;
	case STEP_SETGID:
		snprintf(buf, len, "setresgid %u: %s", (unsigned)p->gid, es);
		return;
	case STEP_SETUID:
		snprintf(buf, len, "setresuid %u: %s", (unsigned)p->uid, es);
		return;
	case STEP_RLIMITS:
		snprintf(buf, len, "setrlimit %s: %s", rlimit_name(r->index), es);
		return;
	case STEP_FDS:
		if (r->index >= 0 && (size_t)r->index < p->n_fds)
			snprintf(buf, len, "place fd %d in the sandbox: %s",
				 p->fds[r->index].target, es);
		else
			snprintf(buf, len, "close inherited fds: %s", es);
		return;
	}
	snprintf(buf, len, "%s: %s", step_name(r->step), es);
}
