/* The guest agent: init (pid 1) of a microVM's initramfs. It runs the job
 * the host packed into the initramfs and reports how it ended, over the
 * VMM's UARTs, then reboots, which ends the VM:
 *
 *   /job      the program and its arguments, each NUL-terminated
 *   /job.env  its environment, likewise (optional: PATH, HOME, TERM)
 *   /job.cwd  its working directory, NUL-terminated (optional: /)
 *   /job.user "UID GID", NUL-terminated (optional: root). A job that is not
 *             root cannot reach the ttys but through the stdout and stderr
 *             it is given, so it cannot forge the report on COM4
 *   ttyS1     the job's stdout      (COM2)
 *   ttyS2     the job's stderr      (COM3)
 *   ttyS3     the control channel   (COM4): "ready" once the agent runs
 *             (the VMM's boot deadline waits for it), then one line, the
 *             last: "exit N user_ms=U sys_ms=S oom_kills=K", "signal N ...",
 *             (K: processes the guest kernel's OOM killer ended meanwhile), or
 *             "error WHAT: REASON" when the job could not start ("error exec
 *             PATH: REASON (errno N)" when execve failed)
 *   ttyS0     the kernel's console  (COM1)
 *
 * Static, no library beyond libc: the initramfs holds nothing else it
 * needs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define JOB_MAX (64 * 1024)
#define ARGS_MAX 1024

static int control = -1;

/* A tty as a plain byte pipe: no \n -> \r\n, no echo, no line editing. */
static int open_raw(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (fd >= 0 && tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

/* The last words: the control line, out before the VM ends. */
static __attribute__((noreturn, format(printf, 1, 2))) void report(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (control >= 0) {
		if (write(control, line, (size_t)n) < 0)
			(void)0; /* nowhere left to say it */
		tcdrain(control);
	}
	sync();
	reboot(RB_AUTOBOOT);
	_exit(1); /* reboot does not return; pid 1 exiting panics the kernel */
}

/* A file of NUL-terminated strings into a NULL-terminated vector (an
 * empty file is an empty vector). */
static int read_strings(const char *path, char *buf, size_t len, char **argv)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t have = 0;
	ssize_t n;
	while (have < len && (n = read(fd, buf + have, len - have)) > 0)
		have += (size_t)n;
	close(fd);
	if (have == len || (have && buf[have - 1])) {
		errno = EINVAL; /* too long, or not NUL-terminated */
		return -1;
	}
	int argc = 0;
	for (size_t i = 0; i < have && argc < ARGS_MAX; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	return argc;
}

/* The guest kernel's count of OOM kills so far (/proc/vmstat). */
static unsigned long oom_kills(void)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char line[128];
	unsigned long n = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %lu", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

int main(void)
{
	mkdir("/dev", 0755);
	mkdir("/proc", 0555);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL);
	/* the ttys are the agent's: a job that is not root gets only the
	 * descriptors it is given */
	static const char *const ttys[] = {"/dev/ttyS0", "/dev/ttyS1",	 "/dev/ttyS2",
					   "/dev/ttyS3", "/dev/console", "/dev/kmsg"};
	for (size_t i = 0; i < sizeof(ttys) / sizeof(*ttys); i++)
		chmod(ttys[i], 0600);
	control = open_raw("/dev/ttyS3");
	if (control >= 0 && write(control, "ready\n", 6) < 0)
		(void)0; /* the VMM will say the guest never got ready */
	int out = open_raw("/dev/ttyS1"), errfd = open_raw("/dev/ttyS2");
	if (out < 0 || errfd < 0)
		report("error ttys: %s", strerror(errno));
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		report("error mount /proc: %s", strerror(errno));

	static char job[JOB_MAX], env[JOB_MAX], cwd[4096] = "/";
	static char *argv[ARGS_MAX + 1], *envp[ARGS_MAX + 1];
	if (read_strings("/job", job, sizeof(job), argv) <= 0)
		report("error /job: %s", strerror(errno ? errno : EINVAL));
	static char path[] = "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", home[] = "HOME=/",
		    term[] = "TERM=dumb";
	if (access("/job.env", F_OK) < 0) {
		envp[0] = path, envp[1] = home, envp[2] = term, envp[3] = NULL;
	} else if (read_strings("/job.env", env, sizeof(env), envp) < 0) {
		report("error /job.env: %s", strerror(errno));
	}
	char *cwdv[ARGS_MAX + 1];
	if (access("/job.cwd", F_OK) == 0 && read_strings("/job.cwd", cwd, sizeof(cwd), cwdv) != 1)
		report("error /job.cwd: expected one directory");

	unsigned uid = 0, gid = 0;
	char *userv[ARGS_MAX + 1];
	static char user[64];
	if (access("/job.user", F_OK) == 0 &&
	    (read_strings("/job.user", user, sizeof(user), userv) != 1 ||
	     sscanf(user, "%u %u", &uid, &gid) != 2))
		report("error /job.user: expected \"UID GID\"");

	/* the child says what failed and why through a pipe that exec closes:
	 * {0, errno} for chdir, {1, errno} for exec */
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		report("error pipe: %s", strerror(errno));
	unsigned long oom_before = oom_kills();
	pid_t pid = fork();
	if (pid < 0)
		report("error fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int why[2] = {0, 0};
		if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0 ||
		    ((uid || gid) &&
		     (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)) ||
		    chdir(cwd) < 0) {
			why[1] = errno;
		} else {
			signal(SIGPIPE, SIG_DFL);
			execve(argv[0], argv, envp);
			why[0] = 1;
			why[1] = errno;
		}
		if (write(p[1], why, sizeof(why)) < 0)
			(void)0;
		_exit(127);
	}
	close(p[1]);
	int why[2];
	if (read(p[0], why, sizeof(why)) == (ssize_t)sizeof(why)) {
		waitpid(pid, NULL, 0);
		if (why[0])
			report("error exec %s: %s (errno %d)", argv[0], strerror(why[1]), why[1]);
		report("error setting up the job (user %u:%u, cwd %s): %s", uid, gid, cwd,
		       strerror(why[1]));
	}
	/* pid 1 inherits orphans: reap them all, and take the job's status when
	 * it comes */
	int status = 0;
	struct rusage ru;
	for (;;) {
		pid_t w = wait4(-1, &status, 0, &ru);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			report("error wait: %s", strerror(errno));
	}
	tcdrain(out);
	tcdrain(errfd);
	long user_ms = ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000;
	long sys_ms = ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
	unsigned long oom = oom_kills() - oom_before;
	if (WIFSIGNALED(status))
		report("signal %d user_ms=%ld sys_ms=%ld oom_kills=%lu", WTERMSIG(status), user_ms,
		       sys_ms, oom);
	report("exit %d user_ms=%ld sys_ms=%ld oom_kills=%lu", WEXITSTATUS(status), user_ms, sys_ms,
	       oom);
}
